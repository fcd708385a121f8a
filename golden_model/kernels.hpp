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

// out[p] = sum over q < n of v[q] * rows[p * n + q], for p < m: m dot
// products with one vector, four rows at a time sharing its loads (a
// convolution's weight gradient: G against each patch row).
void rows_dot(double* out, const std::int32_t* v, const std::int32_t* rows, std::size_t m, std::size_t n);
void rows_dot(std::int64_t* out, const std::int32_t* v, const std::int32_t* rows, std::size_t m, std::size_t n);

// out[q] += sum over k < m of s[k * s_stride] * rows[k * n + q], for q < n:
// m axpy calls in one, with a block of out held in registers across k
// (a convolution's m = C k^2 patch rows, or its output channels for the
// input gradient).
void scaled_rows_sum(double* out, const std::int32_t* s, std::size_t s_stride, const std::int32_t* rows, std::size_t m,
                     std::size_t n);
void scaled_rows_sum(std::int64_t* out, const std::int32_t* s, std::size_t s_stride, const std::int32_t* rows,
                     std::size_t m, std::size_t n);

// The counters of a row of roundings (the roundings themselves are n or 2n).
struct RowCounts {
  std::uint64_t saturations = 0, underflows = 0;
};

// rq of exact sums, deterministic rounding: out[i] = clamp(floor((s[i] +
// bias) / 2^shift)), with its saturations and underflows (a non-zero sum
// that rounds to 0), as FixedArithT's round_shift counts them.
struct RoundRow {
  int shift;
  double bias, lo, hi;
};
RowCounts round_row(const RoundRow& p, const double* s, std::int32_t* out, std::size_t n);

// One fc neuron's steps 3-5 (CONTRACT 3) in double, deterministic rounding:
// d = clamp(floor((g * x[i] + bias) / 2^F)), then
// w[i] = clamp(floor((w[i] * 2^F - alpha * d + bias) / 2^F)), with the
// counters of those 2n roundings (FixedArithT::update_row).
struct UpdateRow {
  std::int32_t g, neg_alpha;
  int frac_bits;
  double bias, lo, hi;  // the rounding's bias (2^(F-1) nearest, 0 truncate); the format's range
};
RowCounts update_row(const UpdateRow& p, const std::int32_t* x, std::int32_t* w, std::size_t n);
// The same steps 3-5 from sums already taken: d = clamp(floor((s[i] + bias)
// / 2^F)) in place of g * x[i] (a convolution weight's D, CONTRACT 3); p.g
// is not read.
RowCounts update_sums(const UpdateRow& p, const double* s, std::int32_t* w, std::size_t n);
// The same in 32-bit lanes, twice as many per vector: only when every
// value, g and alpha have at most 16 bits (W <= 16), so each product is
// below 2^30 and nothing overflows.
RowCounts update_row_i32(const UpdateRow& p, const std::int32_t* x, std::int32_t* w, std::size_t n);
// update_row_i32 with a bias per rounding (stochastic rounding: each the low
// F bits of its draw): bias_d[i] for D[i], bias_w[i] for W[i]; p.bias is
// not read. The same limits on the widths.
RowCounts update_row_i32_drawn(const UpdateRow& p, const std::int32_t* x, std::int32_t* w, std::size_t n,
                               const std::int32_t* bias_d, const std::int32_t* bias_w);

}  // namespace taxonn::kern
