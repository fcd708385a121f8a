// The two arithmetics of the network model (docs/CONTRACT.md 1-3), with one
// interface so that taxonn::Network<A> is one code path for both:
//  - FixedArith: bit-exact fixed point per the contract, one per layer, with
//    that layer's Q(I,F), rounding, saturation and underflow counters;
//  - FloatArith: float32, the full-precision baseline (true sigmoid/tanh).
// Every operation that the PE rounds is named here (round, convert, update...),
// so the network code says *where* rounding happens and the arithmetic says
// *how*.
#pragma once

#include <cmath>
#include <algorithm>
#include <cstdint>
#include <type_traits>
#include <vector>

#include "fixed_format.hpp"
#include "kernels.hpp"
#include "primitives.hpp"
#include "rounding.hpp"

namespace taxonn {

struct LayerCounters {
  std::uint64_t roundings = 0;
  std::uint64_t saturations = 0;  // a rounding that clamped
  std::uint64_t underflows = 0;   // a non-zero value that rounded to 0
  void clear() { *this = LayerCounters{}; }
};

// AccT is where products and sums are kept, exactly: int64 (2W + G <= 63), or
// double when every product and sum stays below 2^53 (fixed_fits_double),
// which vectorizes on any x86-64. Both give the same bits (tested).
template <class AccT>
class FixedArithT {
 public:
  using V = std::int32_t;  // a raw value of the layer's format
  using Acc = AccT;
  static constexpr bool kFixed = true;
  static constexpr const char* kName = "fixed";

  FixedArithT(const QFormat& f, Activation a, double alpha, const LfsrParams& lfsr)
      : fmt_(f), act_(a), lfsr_(lfsr) {
    set_alpha(alpha);
    max_ = static_cast<std::int64_t>(f.max_raw());
    min_ = static_cast<std::int64_t>(f.min_raw());
  }
  const QFormat& format() const { return fmt_; }
  // The learning rate, as the host writes it into the alpha register: in
  // this layer's format, the PE given -alpha (CONTRACT 3 step 4).
  void set_alpha(double alpha) { neg_alpha_ = -static_cast<V>(real_to_raw(alpha, fmt_.frac_bits)); }
  V neg_alpha() const { return neg_alpha_; }
  // Does rounding consume random draws (so no rounding may be skipped)?
  bool draws() const { return fmt_.rounding == Rounding::kStochastic; }
  // Where the next roundings draw from: a rounder's own LFSR of the
  // network (CONTRACT 3, rule 8), or nullptr for this arithmetic's own.
  void use(Lfsr* rng) { rng_ = rng; }
  // n roundings whose result is known without computing them: of a zero
  // product (D = rq(0) = 0) or of a weight plus a zero step (rq(W * 2^F) =
  // W), neither of which underflows or saturates. Each still counts and,
  // stochastic, draws (the hardware rounds them), so the LFSR advances n
  // steps: what n calls of round() would leave behind.
  void skip_exact_roundings(long n) {
    counters.roundings += n;
    if (!draws()) return;
    lfsr().skip(static_cast<std::size_t>(n));
  }

  V from_real(double r) {
    const double v = real_to_raw(r, fmt_.frac_bits);
    return clamp(static_cast<Acc>(std::max(-9.0e18, std::min(9.0e18, v))));
  }
  double to_real(V v) const { return std::ldexp(static_cast<double>(v), -fmt_.frac_bits); }
  static Acc mul(V a, V b) { return static_cast<Acc>(a) * static_cast<Acc>(b); }
  // A weight (or bias) at the products' 2F fractional bits: MUX3's base.
  Acc base(V w) const { return static_cast<Acc>(static_cast<std::int64_t>(w) << fmt_.frac_bits); }
  // rq of a product or a sum of products (2F fractional bits) into Q(I,F).
  V round(Acc x) { return round_shift(x, fmt_.frac_bits, 0); }
  // round() of n sums at once: out[k] = round(s[k]).
  void round_row(const Acc* s, V* out, int n) { shift_row(s, out, n, fmt_.frac_bits); }
  // reduce() of n sums of layer `from` at once: out[k] = reduce(s[k], from).
  void reduce_row(const Acc* s, V* out, int n, const FixedArithT& from) {
    const int sh = 2 * from.fmt_.frac_bits - fmt_.frac_bits;
    if (sh >= 0) return shift_row(s, out, n, sh);
    for (int k = 0; k < n; ++k) out[k] = reduce(s[k], from);
  }
  // A sum of values (F fractional bits): exact, saturated.
  V sat_sum(Acc x) { return round_shift(x, 0, 0); }
  // A value of another layer entering this one (CONTRACT 1: conversion at the boundary).
  // Is every value of `from` exactly a value of this format (no rounding, no clamp)?
  bool holds(const FixedArithT& from) const {
    return from.fmt_.frac_bits == fmt_.frac_bits && from.fmt_.int_bits <= fmt_.int_bits;
  }
  V convert(V v, const FixedArithT& from) {
    const int s = from.fmt_.frac_bits - fmt_.frac_bits;
    if (holds(from)) return v;
    if (s >= 0) return round_shift(static_cast<Acc>(v), s, 0);
    return round_shift(static_cast<Acc>(static_cast<std::int64_t>(v) << -s), 0, 0);
  }
  // A sum of products of layer `from` (2F_from fractional bits) entering
  // this layer: step 1's R1, rounded once (CONTRACT 3), taxonn_convert.v.
  V reduce(Acc x, const FixedArithT& from) {
    const int s = 2 * from.fmt_.frac_bits - fmt_.frac_bits;
    if (s >= 0) return round_shift(x, s, 0);
    ++counters.roundings;
    const Wide v = static_cast<Wide>(static_cast<std::int64_t>(x)) * (Wide{1} << -s);
    return clamp_wide(v);
  }
  // z is a value of this format (a rounded sum): ReLU and identity need no
  // saturation, so they skip the wide generic path (the same values).
  V act(V z) {
    if (is_relu(act_)) return z > 0 ? z : 0;
    if (act_ == Activation::kIdentity) return z;
    return static_cast<V>(taxonn::act(z, fmt_, act_).value);
  }
  // f'(z): the ReLU mask as 0/1, identity 1, sigmoid/tanh via the PE's rq.
  V deriv(V z) {
    if (act_ == Activation::kIdentity) return 1;
    if (act_ == Activation::kRelu) return z > 0 ? 1 : 0;
    if (act_ == Activation::kReluClip) return z > 0 && z < max_ ? 1 : 0;
    const DerivOperands d = act_deriv(z, fmt_, act_);
    return round_shift(static_cast<Acc>(d.a * d.b), fmt_.frac_bits, act_deriv_post_shift(act_));
  }
  // Step 2: G = rq(R1 * f'), the mask for ReLU, R1 for identity.
  V grad(V r1, V fd) {
    if (is_relu(act_)) return fd ? r1 : 0;
    if (act_ == Activation::kIdentity) return r1;
    return round(mul(r1, fd));
  }
  // Step 2 for n neurons: g[j] = grad(r1[j], deriv(z[j])); ReLU and
  // identity as plain loops the compiler vectorizes.
  void grad_row(const V* __restrict r1, const V* __restrict z, V* __restrict g, std::size_t n) {
    if (act_ == Activation::kRelu) {
      for (std::size_t j = 0; j < n; ++j) g[j] = z[j] > 0 ? r1[j] : 0;
    } else if (act_ == Activation::kReluClip) {
      const V top = static_cast<V>(max_);
      for (std::size_t j = 0; j < n; ++j) g[j] = z[j] > 0 && z[j] < top ? r1[j] : 0;
    } else if (act_ == Activation::kIdentity) {
      std::copy_n(r1, n, g);
    } else {
      for (std::size_t j = 0; j < n; ++j) g[j] = grad(r1[j], deriv(z[j]));
    }
  }
  // Steps 4-5, fused: W = rq(W * 2^F - alpha * D).
  V update(V w, V d) { return round(base(w) + mul(neg_alpha_, d)); }
  // Steps 3-5 of one fc neuron: w[k] = update(w[k], round(g * x[k])) for k <
  // n, the same rounding, values and counters as that loop. In double
  // without stochastic rounding it is branch-free and vectorizes: every
  // value is an integer below 2^53, so scaling by 2^-F and floor() are
  // exact (CONTRACT 1's floor((x + bias) / 2^F)).
  void update_row(V g, const V* x, V* w, int n) {
    if constexpr (std::is_same_v<Acc, double>) {
      if (!draws()) {
        const kern::UpdateRow p = row_params(g);
        // 2n roundings: D and the update of each weight.
        count_row(2 * static_cast<std::uint64_t>(n), narrow() ? kern::update_row_i32(p, x, w, static_cast<std::size_t>(n))
                                                              : kern::update_row(p, x, w, static_cast<std::size_t>(n)));
        return;
      }
    }
    for (int k = 0; k < n; ++k) w[k] = update(w[k], round(mul(g, x[k])));
  }
  // Steps 3-5 of one fc neuron in its PE's order of roundings (CONTRACT 3,
  // rule 8: D0, D1, W0, D2, W1, ..., W_{n-1}), g != 0: the same values,
  // counters and draws as that loop of round() and update(). Stochastic and
  // narrow (W <= 16) in double, the draws are taken first and the row runs
  // in vector lanes.
  void update_row_pe_order(V g, const V* x, V* w, int n) {
    if constexpr (std::is_same_v<Acc, double>) {
      if (draws() && n > 0 && narrow()) {
        const auto un = static_cast<std::size_t>(n);
        const auto mask = static_cast<std::uint32_t>((std::uint64_t{1} << fmt_.frac_bits) - 1);
        draws_.resize(2 * un);
        lfsr().states(draws_.data(), 2 * un);
        bias_d_.resize(un);
        bias_w_.resize(un);
        // Draw 0 is D0's; then D[k+1]'s and W[k]'s in turn; the last W's.
        bias_d_[0] = static_cast<std::int32_t>(draws_[0] & mask);
        for (std::size_t k = 0; k + 1 < un; ++k) {
          bias_d_[k + 1] = static_cast<std::int32_t>(draws_[2 * k + 1] & mask);
          bias_w_[k] = static_cast<std::int32_t>(draws_[2 * k + 2] & mask);
        }
        bias_w_[un - 1] = static_cast<std::int32_t>(draws_[2 * un - 1] & mask);
        count_row(2 * static_cast<std::uint64_t>(n),
                  kern::update_row_i32_drawn(row_params(g), x, w, static_cast<std::size_t>(n), bias_d_.data(),
                                             bias_w_.data()));
        return;
      }
    }
    V d = round(mul(g, x[0]));
    for (int k = 0; k < n; ++k) {
      const V next = k + 1 < n ? round(mul(g, x[k + 1])) : V{0};
      w[k] = update(w[k], d);
      d = next;
    }
  }
  // The same from sums of products s[k] (a conv weight's gradient sum):
  // w[k] = update(w[k], round(s[k])).
  void update_sums(const Acc* s, V* w, int n) {
    if constexpr (std::is_same_v<Acc, double>) {
      if (!draws()) {
        count_row(2 * static_cast<std::uint64_t>(n), kern::update_sums(row_params(0), s, w, static_cast<std::size_t>(n)));
        return;
      }
    }
    for (int k = 0; k < n; ++k) w[k] = update(w[k], round(s[k]));
  }
  // The output error E = Y - T, exact then saturated.
  V error(V y, V t) { return sat_sum(static_cast<Acc>(static_cast<std::int64_t>(y) - t)); }
  // Average pooling: rq(sum of 4, shift 2); its gradient rq(g, shift 2).
  V avg4(Acc sum4) { return round_shift(sum4, 2, 0); }
  V spread4(V g) { return round_shift(g, 2, 0); }

  LayerCounters counters;

 private:
  // round_shift(s[k], sh, 0) for k < n: vectorized in double without
  // random draws, the same values and counters.
  void shift_row(const Acc* s, V* out, int n, int sh) {
    if constexpr (std::is_same_v<Acc, double>) {
      if (!draws()) {
        const kern::RoundRow p{sh, row_bias(sh), static_cast<double>(min_), static_cast<double>(max_)};
        count_row(static_cast<std::uint64_t>(n), kern::round_row(p, s, out, static_cast<std::size_t>(n)));
        return;
      }
    }
    for (int k = 0; k < n; ++k) out[k] = round_shift(s[k], sh, 0);
  }
  // What a deterministic rounding adds before dropping sh bits (a row
  // kernel's bias; no draws, so rnd is 0).
  double row_bias(int sh) const {
    return sh > 0 ? static_cast<double>(round_bias<std::int64_t>(sh, fmt_.rounding, 0)) : 0.0;
  }
  kern::UpdateRow row_params(V g) const {
    const int f = fmt_.frac_bits;
    return kern::UpdateRow{g, neg_alpha_, f, row_bias(f), static_cast<double>(min_), static_cast<double>(max_)};
  }
  // Where this rounding draws from (use()).
  Lfsr& lfsr() { return rng_ != nullptr ? *rng_ : lfsr_; }
  // Whether the 32-bit row kernels hold this format: every value, g and
  // alpha of at most 16 bits (kern::update_row_i32).
  bool narrow() const { return fmt_.width() <= 16 && neg_alpha_ >= -32768 && neg_alpha_ <= 32768; }
  // A row kernel's roundings and what it counted of them.
  void count_row(std::uint64_t roundings, const kern::RowCounts& c) {
    counters.roundings += roundings;
    counters.saturations += c.saturations;
    counters.underflows += c.underflows;
  }
  V clamp_wide(Wide v) {
    if (v > max_ || v < min_) return clamp(v > max_ ? max_ + 1 : min_ - 1);
    return static_cast<V>(v);
  }
  V clamp(std::int64_t v) {
    const Clamped<std::int64_t> c = saturate<std::int64_t>(v, min_, max_);
    if (c.saturated) ++counters.saturations;
    return static_cast<V>(c.value);
  }
  // rq on 64-bit integers: the contract's rounding core (rounding.hpp, the
  // same as taxonn::rq's), a post-shift, saturation, and the counters.
  V round_shift(Acc xa, int s, int post) {
    ++counters.roundings;
    const auto x = static_cast<std::int64_t>(xa);  // exact: xa is an integer
    Lfsr& rng = lfsr();
    const std::uint64_t rnd = s > 0 && draws() ? rng.state() : 0;
    std::int64_t r = taxonn::round_shift<std::int64_t>(x, s, fmt_.rounding, rnd);
    if (s > 0 && draws()) rng.step();
    r *= std::int64_t{1} << post;
    if (r == 0 && x != 0) ++counters.underflows;
    return clamp(r);
  }

  QFormat fmt_;
  Activation act_;
  Lfsr lfsr_;
  Lfsr* rng_ = nullptr;
  V neg_alpha_ = 0;
  std::int64_t max_ = 0, min_ = 0;
  // update_row_pe_order's draws and biases, kept to reuse their memory.
  std::vector<std::uint32_t> draws_;
  std::vector<std::int32_t> bias_d_, bias_w_;
};

using FixedArith = FixedArithT<std::int64_t>;
using FixedArithFast = FixedArithT<double>;

// T = float is the full-precision baseline (float32, as TensorFlow and
// PyTorch train); T = double serves the gradient check of the tests.
template <class T>
class FloatArithT {
 public:
  using V = T;
  using Acc = T;
  static constexpr bool kFixed = false;
  static constexpr const char* kName = sizeof(T) == 4 ? "float" : "double";

  FloatArithT(const QFormat&, Activation a, double alpha, const LfsrParams&)
      : act_(a), neg_alpha_(static_cast<T>(-alpha)) {}
  void set_alpha(double alpha) { neg_alpha_ = static_cast<T>(-alpha); }
  V neg_alpha() const { return neg_alpha_; }

  bool draws() const { return false; }
  void use(Lfsr*) {}
  void skip_exact_roundings(long) {}
  V from_real(double r) { return static_cast<V>(r); }
  double to_real(V v) const { return v; }
  static Acc mul(V a, V b) { return a * b; }
  Acc base(V w) const { return w; }
  V round(Acc x) { return x; }
  V sat_sum(Acc x) { return x; }
  bool holds(const FloatArithT&) const { return true; }
  V convert(V v, const FloatArithT&) { return v; }
  V reduce(Acc x, const FloatArithT&) { return x; }
  void round_row(const Acc* s, V* out, int n) { std::copy_n(s, n, out); }
  void reduce_row(const Acc* s, V* out, int n, const FloatArithT&) { std::copy_n(s, n, out); }
  V act(V z) {
    switch (act_) {
      case Activation::kIdentity: return z;
      case Activation::kRelu:
      case Activation::kReluClip: return z > 0 ? z : 0;  // float has no maximum to clip at
      case Activation::kSigmoid: return T(1) / (T(1) + std::exp(-z));
      case Activation::kTanh: return std::tanh(z);
    }
    return z;
  }
  V deriv(V z) {
    switch (act_) {
      case Activation::kIdentity: return 1;
      case Activation::kRelu:
      case Activation::kReluClip: return z > 0 ? T(1) : T(0);
      case Activation::kSigmoid: {
        const T s = T(1) / (T(1) + std::exp(-z));
        return s * (1 - s);
      }
      case Activation::kTanh: {
        const T t = std::tanh(z);
        return 1 - t * t;
      }
    }
    return 1;
  }
  V grad(V r1, V fd) { return r1 * fd; }
  void grad_row(const V* r1, const V* z, V* g, std::size_t n) {
    for (std::size_t j = 0; j < n; ++j) g[j] = grad(r1[j], deriv(z[j]));
  }
  V update(V w, V d) { return w + neg_alpha_ * d; }
  void update_row(V g, const V* x, V* w, int n) {
    for (int k = 0; k < n; ++k) w[k] = update(w[k], g * x[k]);
  }
  // Float rounds nothing: the order of the roundings is no matter.
  void update_row_pe_order(V g, const V* x, V* w, int n) { update_row(g, x, w, n); }
  void update_sums(const Acc* s, V* w, int n) {
    for (int k = 0; k < n; ++k) w[k] = update(w[k], s[k]);
  }
  V error(V y, V t) { return y - t; }
  V avg4(Acc sum4) { return sum4 * T(0.25); }
  V spread4(V g) { return g * T(0.25); }

  LayerCounters counters;  // float never rounds, saturates or underflows

 private:
  Activation act_;
  T neg_alpha_;
};

using FloatArith = FloatArithT<float>;

// s + sum of a[q] * b[q], and acc[q] += w * x[q], for the float model in the
// serial order its rounding depends on (fixed point sums exact integers with
// the kernels of kernels.hpp, in any order).
template <class A>
inline typename A::Acc dot(typename A::Acc s, const typename A::V* a, const typename A::V* b, std::size_t n) {
  static_assert(!A::kFixed, "fixed point uses kern::rows_dot");
  for (std::size_t q = 0; q < n; ++q) s += A::mul(a[q], b[q]);
  return s;
}
template <class A>
inline void axpy(typename A::Acc* acc, typename A::V w, const typename A::V* x, std::size_t n) {
  static_assert(!A::kFixed, "fixed point uses kern::scaled_rows_sum");
  for (std::size_t q = 0; q < n; ++q) acc[q] += A::mul(w, x[q]);
}


}  // namespace taxonn
