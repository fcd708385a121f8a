// The one rounding and saturation core of taxonn (docs/CONTRACT.md 1-2):
// every bit-exact path (the PE twins in primitives.cpp, the network
// arithmetic in arith.hpp) narrows a value through these two steps, so a
// change of the contract's rounding is made here once. Templates on the
// integer type: Wide (__int128) for the PE twins, int64 for the network's
// fast path; GCC's >> on a signed value is arithmetic (floor), as C++20 says.
#pragma once

#include <cstdint>

#include "fixed_format.hpp"

namespace taxonn {

// What rounding adds before `shift` > 0 fractional bits are dropped:
//   nearest 2^(shift-1) (ties toward +inf), truncate 0 (floor),
//   stochastic the low `shift` bits of the random draw `rnd`.
template <class Int>
constexpr Int round_bias(int shift, Rounding mode, std::uint64_t rnd) {
  switch (mode) {
    case Rounding::kNearest: return Int{1} << (shift - 1);
    case Rounding::kTruncate: return 0;
    case Rounding::kStochastic:
      return static_cast<Int>(rnd & ((std::uint64_t{1} << shift) - 1));
  }
  return 0;
}

// rq's rounding: floor((x + bias) / 2^shift); shift <= 0 is exact.
template <class Int>
constexpr Int round_shift(Int x, int shift, Rounding mode, std::uint64_t rnd) {
  if (shift <= 0) return x;
  return (x + round_bias<Int>(shift, mode, rnd)) >> shift;
}

template <class Int>
struct Clamped {
  Int value = 0;
  bool saturated = false;
};

// rq's saturation: v clamped to [lo, hi], and whether it was clamped.
template <class Int>
constexpr Clamped<Int> saturate(Int v, Int lo, Int hi) {
  if (v > hi) return {hi, true};
  if (v < lo) return {lo, true};
  return {v, false};
}

}  // namespace taxonn
