// Writing result files so that a reader never sees half of one: write a
// temporary beside the file, then rename it over.
#pragma once

#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>

namespace taxonn {

inline void write_atomic(const std::filesystem::path& p, const std::string& text) {
  const auto parent = p.parent_path();
  if (!parent.empty()) std::filesystem::create_directories(parent);
  const std::filesystem::path tmp = p.string() + ".tmp";
  {
    std::ofstream o(tmp, std::ios::binary);
    o << text;
    if (!o) throw std::runtime_error(tmp.string() + ": cannot write");
  }
  std::filesystem::rename(tmp, p);
}

}  // namespace taxonn
