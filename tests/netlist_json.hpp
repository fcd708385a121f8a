// Test helpers of the gate-level power tests (test_power*.cpp): a temp
// file, and Yosys-style JSON netlists written by hand.
#pragma once

#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include <unistd.h>

#include <nlohmann/json.hpp>

namespace taxonn::test {

namespace fs = std::filesystem;

// Written beside and renamed into place: ctest runs each test in a process
// of its own, in parallel, and several write the same library file; a
// reader never sees one half written.
inline fs::path temp_file(const std::string& name, const std::string& text) {
  const fs::path dir = fs::temp_directory_path() / "taxonn_test_power";
  fs::create_directories(dir);
  const fs::path p = dir / name;
  const fs::path tmp = dir / (name + "." + std::to_string(::getpid()) + ".tmp");
  std::ofstream(tmp) << text;
  fs::rename(tmp, p);
  return p;
}

// A Yosys-style JSON netlist of one module.
struct JsonModule {
  nlohmann::json ports = nlohmann::json::object(), cells = nlohmann::json::object(),
                 netnames = nlohmann::json::object();
  void port(const std::string& n, const std::string& dir, std::vector<int> bits) {
    ports[n] = {{"direction", dir}, {"bits", bits}};
    netnames[n] = {{"hide_name", 0}, {"bits", bits}};
  }
  void cell(const std::string& n, const std::string& type, const std::map<std::string, nlohmann::json>& conn) {
    nlohmann::json c = {{"type", type}, {"connections", nlohmann::json::object()}};
    for (const auto& [p, b] : conn) c["connections"][p] = b.is_array() ? b : nlohmann::json::array({b});
    cells[n] = c;
  }
  nlohmann::json json() const { return {{"ports", ports}, {"cells", cells}, {"netnames", netnames}}; }
};

inline std::string write_netlist(const std::string& name, const std::map<std::string, JsonModule>& modules) {
  nlohmann::json j;
  for (const auto& [m, mod] : modules) j["modules"][m] = mod.json();
  return temp_file(name, j.dump()).string();
}

}  // namespace taxonn::test
