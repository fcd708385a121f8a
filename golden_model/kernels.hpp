// The fixed-point network model's inner loops (network.cpp), as plain
// functions so GCC can build each for AVX-512, AVX2 and any x86-64, and
// pick one at load time (target_clones: templates do not get clones). Every
// value is an integer, held exactly in int64 or in double below 2^53
// (fixed_fits_double), so sums may be taken in any order and vectorize; the
// float model keeps its own serial loops (its rounding depends on order).
#pragma once

#include <cstddef>
#include <cstdint>

namespace taxonn::kern {

// s + sum of a[i] * b[i].
double dot(double s, const std::int32_t* a, const std::int32_t* b, std::size_t n);
std::int64_t dot(std::int64_t s, const std::int32_t* a, const std::int32_t* b, std::size_t n);

// acc[i] += w * x[i].
void axpy(double* acc, std::int32_t w, const std::int32_t* x, std::size_t n);
void axpy(std::int64_t* acc, std::int32_t w, const std::int32_t* x, std::size_t n);

// One fc neuron's steps 3-5 (CONTRACT 3) in double, deterministic rounding:
// d = clamp(floor((g * x[i] + bias) / 2^F)), then
// w[i] = clamp(floor((w[i] * 2^F - alpha * d + bias) / 2^F)), with the
// counters of those 2n roundings (FixedArithT::update_row).
struct UpdateRow {
  std::int32_t g, neg_alpha;
  int frac_bits;
  double bias, lo, hi;  // the rounding's bias (2^(F-1) nearest, 0 truncate); the format's range
};
struct RowCounts {
  std::uint64_t saturations = 0, underflows = 0;
};
RowCounts update_row(const UpdateRow& p, const std::int32_t* x, std::int32_t* w, std::size_t n);
// The same in 32-bit lanes, twice as many per vector: only when every
// value, g and alpha have at most 16 bits (W <= 16), so each product is
// below 2^30 and nothing overflows.
RowCounts update_row_i32(const UpdateRow& p, const std::int32_t* x, std::int32_t* w, std::size_t n);

}  // namespace taxonn::kern
