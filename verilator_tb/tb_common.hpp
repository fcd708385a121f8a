// What every co-simulation testbench shares: packing of the harness's flat
// buses, a readable error list, the printed seed, and one-file reproducers.
#pragma once

#include <algorithm>
#include <cstdint>
#include <fstream>
#include <iostream>
#include <random>
#include <string>
#include <type_traits>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "fixed_format.hpp"
#include "io_util.hpp"

namespace taxonn::tb {

using U128 = unsigned __int128;

// A little-endian bit vector the size of a harness bus.
class BitVec {
 public:
  explicit BitVec(int bits) : w_(static_cast<std::size_t>((bits + 31) / 32), 0u) {}
  void set(int off, int width, U128 v) {
    while (width > 0) {  // a word-aligned chunk at a time
      const std::size_t i = static_cast<std::size_t>(off / 32);
      const int sh = off % 32, n = std::min(32 - sh, width);
      const std::uint32_t m = (n == 32 ? 0xFFFFFFFFu : ((1u << n) - 1)) << sh;
      w_[i] = (w_[i] & ~m) | ((static_cast<std::uint32_t>(v) << sh) & m);
      v >>= n;
      off += n;
      width -= n;
    }
  }
  U128 get(int off, int width) const {
    U128 v = 0;
    int got = 0;
    while (got < width) {
      const std::size_t i = static_cast<std::size_t>(off / 32);
      const int sh = off % 32, n = std::min(32 - sh, width - got);
      const std::uint32_t chunk = (w_[i] >> sh) & (n == 32 ? 0xFFFFFFFFu : ((1u << n) - 1));
      v |= static_cast<U128>(chunk) << got;
      got += n;
      off += n;
    }
    return v;
  }
  // Copy to / from a Verilator signal: an integer up to 64 bits or a VlWide.
  template <class T>
  void to(T& sig) const {
    if constexpr (std::is_integral_v<T>) {
      std::uint64_t v = w_[0];
      if (w_.size() > 1) v |= static_cast<std::uint64_t>(w_[1]) << 32;
      sig = static_cast<T>(v);
    } else {
      for (std::size_t i = 0; i < w_.size(); ++i) sig[i] = w_[i];
    }
  }
  template <class T>
  void from(const T& sig) {
    if constexpr (std::is_integral_v<T>) {
      const auto v = static_cast<std::uint64_t>(sig);
      w_[0] = static_cast<std::uint32_t>(v);
      if (w_.size() > 1) w_[1] = static_cast<std::uint32_t>(v >> 32);
    } else {
      for (std::size_t i = 0; i < w_.size(); ++i) w_[i] = sig[i];
    }
  }
  int words() const { return static_cast<int>(w_.size()); }

 private:
  std::vector<std::uint32_t> w_;
};

// An asynchronous reset: it fires on a falling edge of rst_ni, so make one
// (Verilator starts rst_ni at 0, which is no edge), then release it.
template <class V>
void pulse_reset(V& top) {
  top.rst_ni = 1;
  top.eval();
  top.rst_ni = 0;
  top.eval();
  top.rst_ni = 1;
  top.eval();
}

// A Verilator port holds at least `bits` bits and less than a word more.
template <class T>
bool port_fits(int bits) {
  const int have = static_cast<int>(sizeof(T) * 8);
  return have >= bits && (bits > 64 ? have < bits + 32 : true);
}

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
};

inline Args parse_args(int argc, char** argv) {
  Args a;
  if (const char* env = std::getenv("TAXONN_SEED")) a.seed = std::strtoull(env, nullptr, 0);
  for (int i = 1; i < argc; ++i) {
    const std::string k = argv[i];
    auto val = [&]() -> std::string {
      if (i + 1 >= argc) {
        std::cerr << argv[0] << ": " << k << " needs a value\n";
        std::exit(2);
      }
      return argv[++i];
    };
    if (k == "--seed") a.seed = std::strtoull(val().c_str(), nullptr, 0);
    else if (k == "--iters") a.iters = std::strtoull(val().c_str(), nullptr, 0);
    else if (k == "--replay") a.replay = val();
    else if (k == "--repro-dir") a.repro_dir = val();
    else if (k == "--config") a.config = val();
    else {
      std::cerr << argv[0] << ": unknown option " << k
                << " (use --seed N, --iters N, --replay FILE, --repro-dir DIR, --config FILE)\n";
      std::exit(2);
    }
  }
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
