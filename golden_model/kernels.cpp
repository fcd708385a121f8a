// The fixed-point network model's inner loops (kernels.hpp), each built for
// AVX-512 (x86-64-v4: eight double lanes), AVX2 and baseline x86-64.
// Integer-valued, so every build gives the same bits (Training.FixedSumsInDouble*, UpdateRowIs*).
#include "kernels.hpp"

#include <algorithm>
#include <cmath>

#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__)
#define TAXONN_CLONES __attribute__((target_clones("arch=x86-64-v4", "avx2", "default")))
#else
#define TAXONN_CLONES
#endif

namespace taxonn::kern {

TAXONN_CLONES double dot(double s, const std::int32_t* a, const std::int32_t* b, std::size_t n) {
#pragma omp simd reduction(+ : s)
  for (std::size_t i = 0; i < n; ++i) s += static_cast<double>(a[i]) * static_cast<double>(b[i]);
  return s;
}

TAXONN_CLONES std::int64_t dot(std::int64_t s, const std::int32_t* a, const std::int32_t* b, std::size_t n) {
#pragma omp simd reduction(+ : s)
  for (std::size_t i = 0; i < n; ++i) s += static_cast<std::int64_t>(a[i]) * static_cast<std::int64_t>(b[i]);
  return s;
}

TAXONN_CLONES void axpy(double* acc, std::int32_t w, const std::int32_t* x, std::size_t n) {
  const double wd = w;
  for (std::size_t i = 0; i < n; ++i) acc[i] += wd * static_cast<double>(x[i]);
}

TAXONN_CLONES void axpy(std::int64_t* acc, std::int32_t w, const std::int32_t* x, std::size_t n) {
  const std::int64_t wl = w;
  for (std::size_t i = 0; i < n; ++i) acc[i] += wl * static_cast<std::int64_t>(x[i]);
}

TAXONN_CLONES RowCounts update_row(const UpdateRow& p, const std::int32_t* x, std::int32_t* w, std::size_t n) {
  const double down = std::ldexp(1.0, -p.frac_bits), up = std::ldexp(1.0, p.frac_bits);
  const double gd = p.g, na = p.neg_alpha, bias = p.bias, lo = p.lo, hi = p.hi;
  double sat = 0, und = 0;  // counts in double lanes: exact, so their order is free
#pragma omp simd reduction(+ : sat, und)
  for (std::size_t i = 0; i < n; ++i) {
    const double prod = gd * static_cast<double>(x[i]);
    const double d = std::floor((prod + bias) * down);
    const double dc = std::min(std::max(d, lo), hi);
    const double u = static_cast<double>(w[i]) * up + na * dc;
    const double r = std::floor((u + bias) * down);
    const double rc = std::min(std::max(r, lo), hi);
    und += (d == 0.0 && prod != 0.0 ? 1.0 : 0.0) + (r == 0.0 && u != 0.0 ? 1.0 : 0.0);
    sat += (dc != d ? 1.0 : 0.0) + (rc != r ? 1.0 : 0.0);
    w[i] = static_cast<std::int32_t>(rc);
  }
  return RowCounts{static_cast<std::uint64_t>(sat), static_cast<std::uint64_t>(und)};
}

TAXONN_CLONES RowCounts update_row_i32(const UpdateRow& p, const std::int32_t* x, std::int32_t* w, std::size_t n) {
  const std::int32_t f = p.frac_bits, g = p.g, na = p.neg_alpha, mask = (std::int32_t{1} << f) - 1;
  const auto bias = static_cast<std::int32_t>(p.bias), lo = static_cast<std::int32_t>(p.lo),
             hi = static_cast<std::int32_t>(p.hi);
  std::int32_t sat = 0, und = 0;
#pragma omp simd reduction(+ : sat, und)
  for (std::size_t i = 0; i < n; ++i) {
    const std::int32_t prod = g * x[i];
    const std::int32_t d = (prod + bias) >> f;  // >> of a negative int is floor (GCC, C++20)
    const std::int32_t dc = std::min(std::max(d, lo), hi);
    const std::int32_t nad = na * dc;
    // floor((w 2^F + nad + bias) / 2^F) = w + floor((nad + bias) / 2^F): w 2^F drops out.
    const std::int32_t r = w[i] + ((nad + bias) >> f);
    const std::int32_t rc = std::min(std::max(r, lo), hi);
    // The update's operand w 2^F + nad is 0 when nad is exactly -w 2^F.
    const bool u_zero = (nad & mask) == 0 && (nad >> f) == -w[i];
    und += static_cast<std::int32_t>(d == 0 && prod != 0) + static_cast<std::int32_t>(r == 0 && !u_zero);
    sat += static_cast<std::int32_t>(dc != d) + static_cast<std::int32_t>(rc != r);
    w[i] = rc;
  }
  return RowCounts{static_cast<std::uint64_t>(sat), static_cast<std::uint64_t>(und)};
}

}  // namespace taxonn::kern
