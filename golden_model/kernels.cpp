// The fixed-point network model's inner loops (kernels.hpp), each built for
// AVX-512 (x86-64-v4: eight double lanes), AVX2 and baseline x86-64.
// Integer-valued, so every build gives the same bits (Training.FixedSumsInDouble*, UpdateRowIs*).
#include "kernels.hpp"

#include <algorithm>
#include <cmath>

#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__)
#define TAXONN_CLONES __attribute__((target_clones("arch=x86-64-v4", "avx2", "default")))
#define TAXONN_INLINE inline __attribute__((always_inline))
#else
#define TAXONN_CLONES
#define TAXONN_INLINE inline
#endif

// The helpers below are templates shared by several kernels: always inlined,
// so that each clone compiles them for its own instruction set (a helper
// left out of line is built once, for baseline x86-64).

namespace taxonn::kern {

namespace {

// kBlock accumulators (four vectors of AVX-512, or eight of AVX2) stay in
// registers while the m rows stream past.
template <std::size_t kBlock, class T>
TAXONN_INLINE void scaled_rows_block(T* out, const std::int32_t* s, std::size_t s_stride, const std::int32_t* rows,
                                     std::size_t m, std::size_t n) {
  T acc[kBlock];
  for (std::size_t j = 0; j < kBlock; ++j) acc[j] = out[j];
  for (std::size_t k = 0; k < m; ++k) {
    if (s[k * s_stride] == 0) continue;  // often: G after ReLU and max pooling
    const T w = static_cast<T>(s[k * s_stride]);
    const std::int32_t* r = rows + k * n;
#pragma omp simd
    for (std::size_t j = 0; j < kBlock; ++j) acc[j] += w * static_cast<T>(r[j]);
  }
  for (std::size_t j = 0; j < kBlock; ++j) out[j] = acc[j];
}

// Blocks of 32 columns, then of 8, then the last few one at a time.
template <class T>
TAXONN_INLINE void scaled_rows_sum_t(T* out, const std::int32_t* s, std::size_t s_stride, const std::int32_t* rows,
                                     std::size_t m, std::size_t n) {
  std::size_t q0 = 0;
  for (; q0 + 32 <= n; q0 += 32) scaled_rows_block<32>(out + q0, s, s_stride, rows + q0, m, n);
  for (; q0 + 8 <= n; q0 += 8) scaled_rows_block<8>(out + q0, s, s_stride, rows + q0, m, n);
  for (; q0 < n; ++q0) scaled_rows_block<1>(out + q0, s, s_stride, rows + q0, m, n);
}

}  // namespace

TAXONN_CLONES void scaled_rows_sum(double* out, const std::int32_t* s, std::size_t s_stride, const std::int32_t* rows,
                                   std::size_t m, std::size_t n) {
  scaled_rows_sum_t(out, s, s_stride, rows, m, n);
}

TAXONN_CLONES void scaled_rows_sum(std::int64_t* out, const std::int32_t* s, std::size_t s_stride,
                                   const std::int32_t* rows, std::size_t m, std::size_t n) {
  scaled_rows_sum_t(out, s, s_stride, rows, m, n);
}

namespace {

// min(max(v, lo), hi) by value: std::min and std::max return references,
// and on doubles GCC keeps the select of addresses (it may not turn a
// compare of doubles into a max without -ffinite-math-only), which stops it
// vectorizing the loop. The values are integers, never NaN: the same result.
TAXONN_INLINE double clamp_value(double v, double lo, double hi) {
  const double a = v < lo ? lo : v;
  return a > hi ? hi : a;
}
// A comparison as 0.0 or 1.0, selected in double lanes. Two conditions are
// multiplied, not joined by && or &: a bool-typed lane would make GCC count
// 64 lanes per vector and give up on the loop.
TAXONN_INLINE double as_count(bool c) { return c ? 1.0 : 0.0; }

// Steps 3-5 with D's operand from prod(i): g * x[i] or a sum taken before.
template <class Prod>
TAXONN_INLINE RowCounts update_core(const UpdateRow& p, Prod prod_at, std::int32_t* w, std::size_t n) {
  const double down = std::ldexp(1.0, -p.frac_bits), up = std::ldexp(1.0, p.frac_bits);
  const double na = p.neg_alpha, bias = p.bias, lo = p.lo, hi = p.hi;
  double sat = 0, und = 0;  // counts in double lanes: exact, so their order is free
#pragma omp simd reduction(+ : sat, und)
  for (std::size_t i = 0; i < n; ++i) {
    const double prod = prod_at(i);
    const double d = std::floor((prod + bias) * down);
    const double dc = clamp_value(d, lo, hi);
    const double u = static_cast<double>(w[i]) * up + na * dc;
    const double r = std::floor((u + bias) * down);
    const double rc = clamp_value(r, lo, hi);
    und += as_count(d == 0.0) * as_count(prod != 0.0) + as_count(r == 0.0) * as_count(u != 0.0);
    sat += as_count(dc != d) + as_count(rc != r);
    w[i] = static_cast<std::int32_t>(rc);
  }
  return RowCounts{static_cast<std::uint64_t>(sat), static_cast<std::uint64_t>(und)};
}

template <class T>
TAXONN_INLINE void rows_dot_t(T* out, const std::int32_t* v, const std::int32_t* rows, std::size_t m, std::size_t n) {
  std::size_t p = 0;
  for (; p + 4 <= m; p += 4) {
    const std::int32_t *r0 = rows + p * n, *r1 = r0 + n, *r2 = r1 + n, *r3 = r2 + n;
    T s0 = 0, s1 = 0, s2 = 0, s3 = 0;
#pragma omp simd reduction(+ : s0, s1, s2, s3)
    for (std::size_t q = 0; q < n; ++q) {
      const T x = static_cast<T>(v[q]);
      s0 += x * static_cast<T>(r0[q]);
      s1 += x * static_cast<T>(r1[q]);
      s2 += x * static_cast<T>(r2[q]);
      s3 += x * static_cast<T>(r3[q]);
    }
    out[p] = s0;
    out[p + 1] = s1;
    out[p + 2] = s2;
    out[p + 3] = s3;
  }
  for (; p < m; ++p) {
    const std::int32_t* r = rows + p * n;
    T s = 0;
#pragma omp simd reduction(+ : s)
    for (std::size_t q = 0; q < n; ++q) s += static_cast<T>(v[q]) * static_cast<T>(r[q]);
    out[p] = s;
  }
}

}  // namespace

TAXONN_CLONES RowCounts round_row(const RoundRow& p, const double* s, std::int32_t* out, std::size_t n) {
  const double down = std::ldexp(1.0, -p.shift), bias = p.bias, lo = p.lo, hi = p.hi;
  double sat = 0, und = 0;
#pragma omp simd reduction(+ : sat, und)
  for (std::size_t i = 0; i < n; ++i) {
    const double d = std::floor((s[i] + bias) * down);
    const double dc = clamp_value(d, lo, hi);
    und += as_count(d == 0.0) * as_count(s[i] != 0.0);
    sat += as_count(dc != d);
    out[i] = static_cast<std::int32_t>(dc);
  }
  return RowCounts{static_cast<std::uint64_t>(sat), static_cast<std::uint64_t>(und)};
}

TAXONN_CLONES RowCounts update_row(const UpdateRow& p, const std::int32_t* x, std::int32_t* w, std::size_t n) {
  const double gd = p.g;
  return update_core(p, [=](std::size_t i) { return gd * static_cast<double>(x[i]); }, w, n);
}

TAXONN_CLONES RowCounts update_sums(const UpdateRow& p, const double* s, std::int32_t* w, std::size_t n) {
  return update_core(p, [=](std::size_t i) { return s[i]; }, w, n);
}

TAXONN_CLONES void rows_dot(double* out, const std::int32_t* v, const std::int32_t* rows, std::size_t m,
                            std::size_t n) {
  rows_dot_t(out, v, rows, m, n);
}

TAXONN_CLONES void rows_dot(std::int64_t* out, const std::int32_t* v, const std::int32_t* rows, std::size_t m,
                            std::size_t n) {
  rows_dot_t(out, v, rows, m, n);
}

namespace {

// One weight of update_row_i32: D = rq(g x), W = rq(W 2^F - alpha D), with
// the biases of the two roundings; counts into sat and und.
inline std::int32_t update_one_i32(std::int32_t g, std::int32_t x, std::int32_t w, std::int32_t na, std::int32_t f,
                                   std::int32_t mask, std::int32_t bias_d, std::int32_t bias_w, std::int32_t lo,
                                   std::int32_t hi, std::int32_t& sat, std::int32_t& und) {
  const std::int32_t prod = g * x;
  const std::int32_t d = (prod + bias_d) >> f;  // >> of a negative int is floor (GCC, C++20)
  const std::int32_t dc = std::min(std::max(d, lo), hi);
  const std::int32_t nad = na * dc;
  // floor((w 2^F + nad + bias) / 2^F) = w + floor((nad + bias) / 2^F): w 2^F drops out.
  const std::int32_t r = w + ((nad + bias_w) >> f);
  const std::int32_t rc = std::min(std::max(r, lo), hi);
  // The update's operand w 2^F + nad is 0 when nad is exactly -w 2^F.
  const bool u_zero = (nad & mask) == 0 && (nad >> f) == -w;
  und += static_cast<std::int32_t>(d == 0 && prod != 0) + static_cast<std::int32_t>(r == 0 && !u_zero);
  sat += static_cast<std::int32_t>(dc != d) + static_cast<std::int32_t>(rc != r);
  return rc;
}

}  // namespace

TAXONN_CLONES RowCounts update_row_i32(const UpdateRow& p, const std::int32_t* x, std::int32_t* w, std::size_t n) {
  const std::int32_t f = p.frac_bits, g = p.g, na = p.neg_alpha, mask = (std::int32_t{1} << f) - 1;
  const auto bias = static_cast<std::int32_t>(p.bias), lo = static_cast<std::int32_t>(p.lo),
             hi = static_cast<std::int32_t>(p.hi);
  std::int32_t sat = 0, und = 0;
#pragma omp simd reduction(+ : sat, und)
  for (std::size_t i = 0; i < n; ++i) w[i] = update_one_i32(g, x[i], w[i], na, f, mask, bias, bias, lo, hi, sat, und);
  return RowCounts{static_cast<std::uint64_t>(sat), static_cast<std::uint64_t>(und)};
}

TAXONN_CLONES RowCounts update_row_i32_drawn(const UpdateRow& p, const std::int32_t* x, std::int32_t* w, std::size_t n,
                                             const std::int32_t* bias_d, const std::int32_t* bias_w) {
  const std::int32_t f = p.frac_bits, g = p.g, na = p.neg_alpha, mask = (std::int32_t{1} << f) - 1;
  const auto lo = static_cast<std::int32_t>(p.lo), hi = static_cast<std::int32_t>(p.hi);
  std::int32_t sat = 0, und = 0;
#pragma omp simd reduction(+ : sat, und)
  for (std::size_t i = 0; i < n; ++i)
    w[i] = update_one_i32(g, x[i], w[i], na, f, mask, bias_d[i], bias_w[i], lo, hi, sat, und);
  return RowCounts{static_cast<std::uint64_t>(sat), static_cast<std::uint64_t>(und)};
}

}  // namespace taxonn::kern
