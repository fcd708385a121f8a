// Helpers shared by the unit tests: seeds that are printed, value generators
// biased to the corners of a format, and printable Wide values.
#pragma once

#include <cstdint>
#include <cstdlib>
#include <iostream>
#include <random>
#include <string>

#include "fixed_format.hpp"

namespace taxonn::test {

// The seed of a random test: TAXONN_SEED if set, else a fixed per-test value.
// Printed, so any failure can be replayed with TAXONN_SEED=<seed>.
inline std::uint64_t seed(const std::string& test_name) {
  std::uint64_t s = 0x7A40'0000'0000'0001ull;
  if (const char* env = std::getenv("TAXONN_SEED")) s = std::strtoull(env, nullptr, 0);
  for (char c : test_name) s = s * 1099511628211ull + static_cast<unsigned char>(c);
  std::cout << "[ seed     ] " << test_name << ": TAXONN_SEED base "
            << (std::getenv("TAXONN_SEED") ? std::getenv("TAXONN_SEED") : "default") << " -> " << s << "\n";
  return s;
}

inline std::string s(Wide v) { return to_string_wide(v); }

// A raw value of the format: half the time a corner (min, max, 0, +-1 LSB,
// +-1.0), otherwise uniform.
inline Wide corner_or_random(const QFormat& f, std::mt19937_64& rng) {
  const Wide one = f.frac_bits < f.width() - 1 ? (Wide{1} << f.frac_bits) : f.max_raw();
  const Wide corners[] = {f.min_raw(), f.max_raw(), 0, 1, -1, f.min_raw() + 1, f.max_raw() - 1, one, -one};
  if (rng() % 2) return corners[rng() % 9];
  return from_bits(rng(), f.width());
}

// A value of moderate size (|v| < 2^(F-1)), as trained weights and inputs are.
inline Wide small_value(const QFormat& f, std::mt19937_64& rng) {
  const int bits = std::max(1, std::min(f.frac_bits, f.width() - 1));
  return from_bits(rng(), bits);
}

}  // namespace taxonn::test
