// Golden twins of the arithmetic primitives (CONTRACT section 2).
#include "primitives.hpp"

#include <map>
#include <mutex>

#include "rounding.hpp"

namespace taxonn {

Wide mul(Wide a, Wide b) { return a * b; }

SatResult sat(Wide v, int out_width) {
  const Clamped<Wide> c = saturate<Wide>(v, -(Wide{1} << (out_width - 1)), (Wide{1} << (out_width - 1)) - 1);
  return {c.value, c.saturated};
}

Wide rq_round(Wide x, int shift, Rounding mode, std::uint64_t rnd) {
  return round_shift<Wide>(x, shift, mode, rnd);
}

PoolResult pool(const Wide x[4], Wide g, int arg_in, PoolKind kind, const QFormat& q) {
  PoolResult r;
  if (kind == PoolKind::kMax) {
    for (int k = 1; k < 4; ++k)
      if (x[k] > x[r.arg]) r.arg = k;  // strictly greater: ties keep the earlier input
    r.y = x[r.arg];
    r.g[arg_in & 3] = g;
    return r;
  }
  r.y = rq(x[0] + x[1] + x[2] + x[3], 2, q, q.rounding, 0, 0).value;
  const Wide s = rq(g, 2, q, q.rounding, 0, 0).value;
  for (Wide& gk : r.g) gk = s;
  return r;
}

SatResult convert(Wide x, int in_frac, const QFormat& out, std::uint64_t rnd) {
  const int s = in_frac - out.frac_bits;
  if (s >= 0) return rq(x, s, out, out.rounding, rnd, 0);
  return sat(x * (Wide{1} << -s), out.width());
}

SatResult rq(Wide x, int shift, const QFormat& out, Rounding mode, std::uint64_t rnd,
             int post_shift) {
  const Wide r = rq_round(x, shift, mode, rnd) * (Wide{1} << post_shift);
  return sat(r, out.width());
}

void SatCounter::step(bool event) {
  const std::uint64_t max = (std::uint64_t{1} << width_) - 1;
  if (event && count_ < max) ++count_;
}

Wide plan_sigmoid(Wide z, int frac_bits) {
  const Wide one = Wide{1} << frac_bits;
  const Wide a = z < 0 ? -z : z;
  Wide s;
  if (a >= 5 * one) {
    s = one;
  } else if (8 * a >= 19 * one) {
    s = asr(a + 27 * one, 5);
  } else if (a >= one) {
    s = asr(a + 5 * one, 3);
  } else {
    s = asr(a + 2 * one, 2);
  }
  return z < 0 ? one - s : s;
}

SatResult act(Wide z, const QFormat& fmt, Activation a) {
  const int f = fmt.frac_bits;
  switch (a) {
    case Activation::kIdentity: return sat(z, fmt.width());
    case Activation::kRelu:
    case Activation::kReluClip: return sat(z > 0 ? z : 0, fmt.width());
    case Activation::kSigmoid: return sat(plan_sigmoid(z, f), fmt.width());
    case Activation::kTanh:
      return sat(2 * plan_sigmoid(2 * z, f) - (Wide{1} << f), fmt.width());
  }
  return {0, false};
}

DerivOperands act_deriv(Wide z, const QFormat& fmt, Activation a) {
  DerivOperands d;
  const int f = fmt.frac_bits;
  const Wide one = Wide{1} << f;
  switch (a) {
    case Activation::kIdentity: break;
    case Activation::kRelu: d.mask = z > 0; break;
    case Activation::kReluClip: d.mask = z > 0 && z < fmt.max_raw(); break;
    case Activation::kSigmoid:
    case Activation::kTanh: {
      const Wide s = plan_sigmoid(a == Activation::kTanh ? 2 * z : z, f);
      d.a = s % one;  // s in [0, 2^F]: the modulo only maps 2^F to 0
      d.b = (one - s) % one;
      break;
    }
  }
  return d;
}

int act_deriv_post_shift(Activation a) { return a == Activation::kTanh ? 2 : 0; }

SatResult act_derivative_value(Wide z, const QFormat& fmt, Activation a, Rounding mode,
                               std::uint64_t rnd) {
  const DerivOperands d = act_deriv(z, fmt, a);
  switch (a) {
    case Activation::kIdentity: return {1, false};
    case Activation::kRelu:
    case Activation::kReluClip: return {d.mask ? 1 : 0, false};
    case Activation::kSigmoid:
    case Activation::kTanh:
      return rq(mul(d.a, d.b), fmt.frac_bits, fmt, mode, rnd, act_deriv_post_shift(a));
  }
  return {0, false};
}

SatResult grad_value(Wide r1, Wide fd, const QFormat& fmt, Activation a, std::uint64_t rnd) {
  switch (a) {
    case Activation::kIdentity: return {r1, false};
    case Activation::kRelu:
    case Activation::kReluClip: return {(fd & 1) ? r1 : 0, false};
    case Activation::kSigmoid:
    case Activation::kTanh: return rq(mul(r1, fd), fmt.frac_bits, fmt, fmt.rounding, rnd);
  }
  return {0, false};
}

void Lfsr::ensure_jump() {
  if (jump_) return;
  static std::mutex mu;
  static std::map<std::pair<std::uint32_t, std::uint32_t>, std::shared_ptr<const Jump>> cache;
  std::lock_guard<std::mutex> lock(mu);
  auto& slot = cache[{p_.polynomial, mask_}];
  if (!slot) {
    auto j = std::make_shared<Jump>();
    for (int k = 1; k <= 8; ++k)
      for (std::uint32_t v = 0; v < (1u << k); ++v) {
        Lfsr l = *this;
        l.state_ = v & mask_;
        for (int i = 0; i < k; ++i) l.step();
        j->t[k].push_back(l.state_);
      }
    slot = std::move(j);
  }
  jump_ = slot;
}

void Lfsr::states(std::uint32_t* out, std::size_t n) {
  ensure_jump();
  std::size_t k = 0;
  for (; k + 8 <= n; k += 8) {
    const std::uint32_t s = state_;
    out[k] = s;
    for (int j = 1; j < 8; ++j) out[k + static_cast<std::size_t>(j)] = after(s, j);
    state_ = after(s, 8);
  }
  for (; k < n; ++k) {
    out[k] = state_;
    step();
  }
}

void Lfsr::skip(std::size_t n) {
  ensure_jump();
  for (; n >= 8; n -= 8) state_ = after(state_, 8);
  for (; n > 0; --n) step();
}

}  // namespace taxonn
