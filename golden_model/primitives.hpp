// Golden twins of the arithmetic primitives (CONTRACT section 2). Each
// function or class here has an RTL block of the same name with a taxonn_
// prefix in rtl_templates/ (taxonn::rq <-> taxonn_rq.v). Everything is computed
// exactly in Wide and then narrowed by a named step (sat, wrap).
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "config.hpp"
#include "fixed_format.hpp"

namespace taxonn {

struct SatResult {
  Wide value = 0;
  bool saturated = false;
};

// taxonn_mul: exact signed product, 2W bits, 2F fractional bits.
Wide mul(Wide a, Wide b);

// taxonn_sat: clamp v to a signed field of `out_width` bits.
SatResult sat(Wide v, int out_width);

// The rounding half of taxonn_rq: drop `shift` fractional bits.
//   nearest: (x + 2^(s-1)) >>> s (ties toward +inf); truncate: x >>> s (floor);
//   stochastic: (x + r) >>> s with r = the low s bits of `rnd`.
Wide rq_round(Wide x, int shift, Rounding mode, std::uint64_t rnd);

// taxonn_pool: one 2x2 window, forward and backward (CONTRACT 3). Inputs in
// scan order (top-left, top-right, bottom-left, bottom-right). Max: the first
// maximum and its index; its gradient goes to that input. Avg: rq(sum, 2) in
// q's rounding mode; each input gets rq(g, 2). The encoding is taxonn_defs.vh's.
struct PoolResult {
  Wide y = 0;
  int arg = 0;  // max: which input won (avg: 0)
  Wide g[4] = {0, 0, 0, 0};
};
PoolResult pool(const Wide x[4], Wide g, int arg_in, PoolKind kind, const QFormat& q);

// taxonn_convert: a value with `in_frac` fractional bits entering a layer of
// format `out` (CONTRACT 1 and 3): rq by out's rounding mode when bits are
// dropped (nearest or truncate), else exact; saturated either way.
// rnd: stochastic rounding's draw (taxonn_convert's rnd_i).
SatResult convert(Wide x, int in_frac, const QFormat& out, std::uint64_t rnd = 0);

// taxonn_rq: round, multiply by 2^post_shift, saturate to `out`.
// post_shift is 0 everywhere except tanh' = 4 * sigma'(2x) (CONTRACT 2).
SatResult rq(Wide x, int shift, const QFormat& out, Rounding mode, std::uint64_t rnd,
             int post_shift = 0);

// taxonn_lfsr: Galois LFSR shifting right; when the bit shifted out is 1 the
// state is XORed with the polynomial. The rounder uses the state's low bits,
// then the LFSR advances (one step per rounding that uses it).
class Lfsr {
 public:
  explicit Lfsr(const LfsrParams& p)
      : p_(p), state_(p.seed), mask_(p.width >= 32 ? 0xFFFFFFFFu : ((std::uint32_t{1} << p.width) - 1)) {}
  std::uint32_t state() const { return state_; }
  // Inline and branch-free (the bit shifted out is random: a branch on it
  // mispredicts half the time): a stochastic layer's training steps it
  // once per rounding.
  void step() {
    const std::uint32_t out = state_ & 1u;
    state_ = ((state_ >> 1) ^ (p_.polynomial & (0u - out))) & mask_;
  }
  const LfsrParams& params() const { return p_; }
  // n steps at once: out[k] = the state before step k (what the k-th of n
  // roundings draws), then the LFSR has advanced n steps; and n steps with
  // no states kept. The same states as n calls of state() and step(), eight
  // steps per table lookup (Jump).
  void states(std::uint32_t* out, std::size_t n);
  void skip(std::size_t n);

  // The step is linear over GF(2), and j steps shift the bits above the low
  // j out unchanged (nothing is fed back while zeros are shifted out): so j
  // steps of s are (s with its low j bits cleared) >> j, XOR t[j][low j
  // bits of s], t[j][v] being j steps of v. For j = 1..8.
  struct Jump {
    std::vector<std::uint32_t> t[9];
  };

 private:
  std::uint32_t after(std::uint32_t s, int j) const {
    return ((s & ~((1u << j) - 1u)) >> j) ^ jump_->t[j][s & ((1u << j) - 1u)];
  }
  void ensure_jump();

  LfsrParams p_;
  std::uint32_t state_;
  std::uint32_t mask_;  // the register's width
  std::shared_ptr<const Jump> jump_;  // built on first use, shared by every LFSR of the same width and polynomial
};

// taxonn_rounder: the PE's one rounder, rq from 2F to the format's F with
// the format's rounding, drawing from its LFSR when stochastic; use() is a
// clock edge on which the rounding was used (the LFSR advances). The RTL
// evaluates the rounding only in such cycles (taxonn_rq's en_i): its
// outputs are 0 in the others, which no PE register reads.
class Rounder {
 public:
  Rounder(const QFormat& fmt, const LfsrParams& lfsr) : fmt_(fmt), lfsr_(lfsr) {}
  SatResult round(Wide x, int post_shift = 0) const {
    return rq(x, fmt_.frac_bits, fmt_, fmt_.rounding, lfsr_.state(), post_shift);
  }
  Wide rounded(Wide x) const { return rq_round(x, fmt_.frac_bits, fmt_.rounding, lfsr_.state()); }
  void use() {
    if (fmt_.rounding == Rounding::kStochastic) lfsr_.step();
  }

 private:
  QFormat fmt_;
  Lfsr lfsr_;
};

// taxonn_sat_counter: counts saturation events, sticks at 2^width - 1.
class SatCounter {
 public:
  explicit SatCounter(int width) : width_(width) {}
  void step(bool event);
  std::uint64_t count() const { return count_; }
  int width() const { return width_; }

 private:
  int width_;
  std::uint64_t count_ = 0;
};

// taxonn_plan_sigmoid: PLAN on raw integers with F fractional bits.
// a = |z|;  a >= 5        : 2^F
//           8a >= 19*2^F  : (a + 27*2^F) >> 5      (|z|/32 + 0.84375)
//           a >= 2^F      : (a +  5*2^F) >> 3      (|z|/8  + 0.625)
//           else          : (a +  2*2^F) >> 2      (|z|/4  + 0.5)
// z < 0: 2^F - s. The result is in [0, 2^F] (F + 1 unsigned bits).
Wide plan_sigmoid(Wide z, int frac_bits);

// taxonn_act: the layer's activation unit, f(z) in Q(I,F), saturated.
//   identity: z; relu, relu_clip: max(0,z); sigmoid: sat(plan(z)); tanh: sat(2*plan(2z) - 2^F).
SatResult act(Wide z, const QFormat& fmt, Activation a);

// taxonn_act_deriv: the PE's activation-derivative unit. For sigmoid and tanh
// it produces the two operands of sigma*(1-sigma) that the PE's own multiplier
// multiplies (TDM); both are < 2^F so they fit the W-bit signed multiplier
// (when sigma is 0 or 1 an operand is 0 and so is the product). For ReLU it
// produces the mask z > 0.
struct DerivOperands {
  Wide a = 0;  // sigma(z) mod 2^F   (tanh: sigma(2z))
  Wide b = 0;  // (2^F - sigma) mod 2^F
  bool mask = false;
};
DerivOperands act_deriv(Wide z, const QFormat& fmt, Activation a);
// How the derivative register is written from the product (the PE's rq).
int act_deriv_post_shift(Activation a);

// f'(z) in Q(I,F) as the PE computes it (reference for the algorithmic model):
// sigmoid: rq(a*b); tanh: sat(4 * rq(a*b)); relu: 1 if z > 0 (as a mask);
// relu_clip: 1 if 0 < z < the format's maximum; identity: 1.
SatResult act_derivative_value(Wide z, const QFormat& fmt, Activation a, Rounding mode,
                               std::uint64_t rnd);

// taxonn_g_unit: a layer's global multiplier, step 2 of one output:
// sigmoid/tanh rq(R1 * f') in the format's mode (nearest or truncate),
// ReLU R1 where bit 0 of f' (the mask) is set, else 0; identity R1.
SatResult grad_value(Wide r1, Wide fd, const QFormat& fmt, Activation a, std::uint64_t rnd = 0);

}  // namespace taxonn
