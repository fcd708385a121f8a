// What every co-simulation testbench shares: packing of the harness's flat
// buses, a readable error list, the printed seed, and one-file reproducers.
#pragma once

#include <algorithm>
#include <cstdlib>
#include <cstdint>
#include <fstream>
#include <iostream>
#include <random>
#include <string>
#include <type_traits>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "bitvec.hpp"
#include "dut.hpp"
#include "fixed_format.hpp"
#include "io_util.hpp"
#include "trace.hpp"

namespace taxonn::tb {

inline std::string hex_bits(U128 v, int width) {
  std::string s;
  for (int d = (width + 3) / 4 - 1; d >= 0; --d) s += "0123456789abcdef"[static_cast<int>((v >> (4 * d)) & 15)];
  return fmt::format("{}'h{}", width, s);
}

// The readable error list of a co-simulation run (ibex cosim style): every
// mismatch is recorded, the first ones are printed in full.
class ErrorList {
 public:
  void add(const std::string& e) {
    if (errors_.size() < kKeep) errors_.push_back(e);
    ++count_;
  }
  std::uint64_t count() const { return count_; }
  const std::vector<std::string>& first() const { return errors_; }
  void print(std::ostream& o) const {
    for (const auto& e : errors_) o << "MISMATCH " << e << "\n";
    if (count_ > errors_.size()) o << "... and " << (count_ - errors_.size()) << " more mismatches\n";
  }

 private:
  static constexpr std::size_t kKeep = 20;
  std::vector<std::string> errors_;
  std::uint64_t count_ = 0;
};

// Arguments every testbench takes.
struct Args {
  std::uint64_t seed = 1;
  std::uint64_t iters = 100000;  // random vectors per case, or cycles
  std::string replay;            // a reproducer to run instead
  std::string repro_dir = ".";   // where a failure writes its reproducer
  std::string config;            // tb_pe: the config its harness was built from
  std::string json_out;          // the result as JSON
  TraceOptions trace;            // tb_pe: --trace FILE.fst and its window
};

[[noreturn]] inline void args_error(const char* prog, const std::string& msg) {
  std::cerr << prog << ": " << msg
            << " (" << prog << " --help lists the options)\n";
  std::exit(2);
}

inline std::uint64_t count_arg(const char* prog, const std::string& opt, const std::string& v, std::uint64_t min) {
  std::uint64_t x = 0;
  if (!parse_count(v, min, &x)) args_error(prog, fmt::format("{} '{}' is not a whole number >= {}", opt, v, min));
  return x;
}

// `trace`: the testbench takes the --trace options (tb_pe; tb_prim does not).
inline Args parse_args(int argc, char** argv, bool trace = false) {
  Args a;
  if (const char* env = std::getenv("TAXONN_SEED")) a.seed = count_arg(argv[0], "TAXONN_SEED", env, 0);
  for (int i = 1; i < argc; ++i) {
    const std::string k = argv[i];
    auto val = [&]() -> std::string {
      if (i + 1 >= argc) args_error(argv[0], k + " needs a value");
      return argv[++i];
    };
    if (k == "--seed") a.seed = count_arg(argv[0], k, val(), 0);
    else if (k == "--iters") a.iters = count_arg(argv[0], k, val(), 1);
    else if (k == "--replay") a.replay = val();
    else if (k == "--repro-dir") a.repro_dir = val();
    else if (k == "--config") a.config = val();
    else if (k == "--json") a.json_out = val();
    else if (trace && parse_trace_arg(k, val, [&] { return count_arg(argv[0], k, val(), 0); }, a.trace, false)) continue;
    else if (k == "--help" || k == "-h") {
      std::cout << "usage: " << argv[0] << " [--seed N] [--iters N] [--replay FILE] [--repro-dir DIR] [--config FILE]"
                << " [--json FILE]" << (trace ? std::string("\n       ") + kTraceUsage : "") << "\n"
                << (trace ? kTraceHelp : "");
      std::exit(0);
    } else {
      args_error(argv[0], "unknown option " + k);
    }
  }
  if (const std::string why = trace_args_problem(a.trace); !why.empty()) args_error(argv[0], why);
  return a;
}

inline void write_reproducer(const std::string& path, const nlohmann::json& j) {
  write_atomic(path, j.dump(1) + "\n");
  std::cout << "reproducer written: " << path << " (replay: --replay " << path
            << "; copy it to tests/repro/ to keep it as a regression)\n";
}

// Raw values as JSON strings: they may need more than 64 bits.
inline std::string wide_str(Wide v) { return to_string_wide(v); }
inline Wide wide_from(const nlohmann::json& j) {
  const std::string s = j.get<std::string>();
  Wide v = 0;
  std::size_t i = s[0] == '-' ? 1 : 0;
  for (; i < s.size(); ++i) v = v * 10 + (s[i] - '0');
  return s[0] == '-' ? -v : v;
}

}  // namespace taxonn::tb
