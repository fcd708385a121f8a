// Writing result files so that a reader never sees half of one: write a
// temporary beside the file, then rename it over. Each call has its own
// temporary (process id and a counter): parallel synthesis jobs write the
// same small file (abc.constr) and must not rename each other's temporary.
// A failed write or rename leaves no temporary behind.
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
    o.close();  // a full disk shows at the flush
    if (!o) {
      std::error_code ec;
      std::filesystem::remove(tmp, ec);
      throw std::runtime_error(tmp.string() + ": cannot write");
    }
  }
  std::error_code ec;
  std::filesystem::rename(tmp, p, ec);
  if (ec) {
    std::error_code ignored;
    std::filesystem::remove(tmp, ignored);
    throw std::filesystem::filesystem_error("cannot rename", tmp, p, ec);
  }
}

}  // namespace taxonn
