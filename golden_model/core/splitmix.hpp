// SplitMix64: a seeded random sequence that is the same on every platform
// (std:: distributions are not), for data and search points that tests and
// committed results must reproduce bit for bit (the teacher dataset, explore's
// random points).
#pragma once

#include <cstdint>

namespace taxonn {

struct SplitMix64 {
  std::uint64_t state;
  std::uint64_t next() {
    std::uint64_t z = (state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
};

}  // namespace taxonn
