// Writing result files so that a reader never sees half of one: write a
// temporary beside the file, then rename it over. The temporary's name is
// unique to the writing process and thread: parallel synthesis jobs write the
// same small file (abc.constr) and must not rename each other's temporary.
#pragma once

#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>

namespace taxonn {

inline void write_atomic(const std::filesystem::path& p, const std::string& text) {
  const auto parent = p.parent_path();
  if (!parent.empty()) std::filesystem::create_directories(parent);
  static std::atomic<unsigned long> serial{0};
  const std::filesystem::path tmp =
      p.string() + ".tmp." + std::to_string(::getpid()) + "." + std::to_string(serial.fetch_add(1));
  {
    std::ofstream o(tmp, std::ios::binary);
    o << text;
    if (!o) {
      std::error_code ec;
      std::filesystem::remove(tmp, ec);
      throw std::runtime_error(tmp.string() + ": cannot write");
    }
  }
  std::filesystem::rename(tmp, p);
}

}  // namespace taxonn
