// Golden twins of taxonn_pe_base.v and taxonn_pe.v, the TDM training schedule
// and the per-PE cycle model (CONTRACT sections 3-5).
#include "pe.hpp"

#include <fmt/format.h>

namespace taxonn {

Wide acc_next(AccOp op, Wide acc_q, Wide prod, Wide base, int acc_width, bool has_base) {
  switch (op) {
    case AccOp::kHold: return acc_q;
    case AccOp::kLoad: return wrap(prod, acc_width);
    case AccOp::kAdd: return wrap(acc_q + prod, acc_width);
    case AccOp::kSpad: return has_base ? wrap(base + prod, acc_width) : acc_q;
  }
  return acc_q;
}

Wide Spad::read(int addr) const {
  return addr >= 0 && addr < depth() ? mem_[static_cast<std::size_t>(addr)] : 0;
}

void Spad::write(int addr, Wide v) {
  if (addr >= 0 && addr < depth()) mem_[static_cast<std::size_t>(addr)] = wrap(v, width_);
}

PeBase::PeBase(const PeParams& p)
    : p_(p), spad_(p.depth, p.width()), sat_cnt_(p.sat_cnt_width), rounder_(p.fmt, p.lfsr) {}

void PeBase::use_rounder(bool saturated) {
  sat_cnt_.step(saturated);
  rounder_.use();
}

PeOut PeBase::outputs(const PeCtrl& c, const PeIn&) const {
  PeOut o;
  o.x_fwd = x_fwd_;
  o.sum = sum_;
  o.spad_rd = spad_.read(c.rd_addr);
  o.acc = acc_;
  o.sat_cnt = sat_cnt_.count();
  return o;
}

void PeBase::step(const PeCtrl& c, const PeIn& in) {
  const Wide prod = mul(in.x, spad_.read(c.rd_addr));
  const Wide acc = acc_next(c.acc, acc_, prod, 0, p_.acc_width(), false);  // no MUX3
  switch (c.dst) {
    case Dst::kSum: {
      const SatResult r = round_acc(0);
      sum_ = r.value;
      use_rounder(r.saturated);
      break;
    }
    case Dst::kLoad: spad_.write(c.wr_addr, in.w); break;
    default: break;  // training destinations do not exist in the baseline
  }
  if (c.fwd) x_fwd_ = in.x;
  acc_ = acc;
}

Wide Pe::mul_a(const PeCtrl& c, const PeIn& in) const {
  switch (c.mul_a) {
    case MulA::kXIn: return in.x;
    case MulA::kNegAlpha: return in.neg_alpha;
    case MulA::kSum: return sum_;
    case MulA::kDerivA: return act_deriv(sum_, p_.fmt, p_.act).a;
  }
  return 0;
}

Wide Pe::mul_b(const PeCtrl& c, const PeIn& in) const {
  switch (c.mul_b) {
    case MulB::kSpad: return spad_.read(c.rd_addr);
    case MulB::kWIn: return in.w;
    case MulB::kG: return g_;
    case MulB::kSum: return sum_;
    case MulB::kDerivB: return act_deriv(sum_, p_.fmt, p_.act).b;
  }
  return 0;
}

PeOut Pe::outputs(const PeCtrl& c, const PeIn& in) const {
  PeOut o = PeBase::outputs(c, in);
  o.g = g_;
  return o;
}

void Pe::step(const PeCtrl& c, const PeIn& in) {
  const Wide prod = mul(mul_a(c, in), mul_b(c, in));
  const bool trig = p_.act == Activation::kSigmoid || p_.act == Activation::kTanh;
  // MUX3's base is the weight at 2F fractional bits: steps 4-5 fused,
  // W*2^F + (-alpha)*D, rounded once (docs/CONTRACT.md 3).
  const Wide base = spad_.read(c.rd_addr) * (Wide{1} << p_.fmt.frac_bits);
  const Wide acc = acc_next(c.acc, acc_, prod, base, p_.acc_width(), true);
  switch (c.dst) {
    case Dst::kNone: break;
    case Dst::kSum:
    case Dst::kSpad: {
      const SatResult r = round_acc(0);
      if (c.dst == Dst::kSum) sum_ = r.value;
      if (c.dst == Dst::kSpad) spad_.write(c.wr_addr, r.value);
      use_rounder(r.saturated);
      break;
    }
    case Dst::kFd:  // f' into the G register, where step 2 finds it
      if (is_relu(p_.act)) {
        g_ = act_deriv(sum_, p_.fmt, p_.act).mask ? 1 : 0;
      } else if (trig) {
        const SatResult r = round_acc(act_deriv_post_shift(p_.act));
        g_ = r.value;
        use_rounder(r.saturated);
      }
      break;
    case Dst::kG:
      if (is_relu(p_.act)) {
        g_ = (g_ & 1) != 0 ? sum_ : 0;  // the ReLU derivative is a mask (CONTRACT 2)
      } else if (p_.act == Activation::kIdentity) {
        g_ = sum_;
      } else {
        const SatResult r = round_acc(0);
        g_ = r.value;
        use_rounder(r.saturated);
      }
      break;
    case Dst::kLoad: spad_.write(c.wr_addr, in.w); break;
  }
  if (c.fwd) x_fwd_ = in.x;
  acc_ = acc;
}

PeCycles pe_cycle_model(const PeParams& p, int k, int n) {
  const bool trig = p.act == Activation::kSigmoid || p.act == Activation::kTanh;
  PeCycles c;
  c.load = k;
  c.forward = k + 1;  // K MACs, then z = rq(acc)
  c.deriv = trig ? 2 : (is_relu(p.act) ? 1 : 0);
  c.backprop = n + 1;  // N MACs of G_{i+1} * W_{i+1}, then R1 = rq(acc)
  c.grad = trig ? 2 : 1;
  c.update = 2 * k + 2;  // two multiplier slots per weight, pipelined
  return c;
}

std::vector<PeCycle> pe_load_schedule(const PeParams&, const std::vector<Wide>& w) {
  std::vector<PeCycle> s;
  for (std::size_t i = 0; i < w.size(); ++i) {
    PeCycle c;
    c.ctrl.dst = Dst::kLoad;
    c.ctrl.wr_addr = static_cast<int>(i);
    c.in.w = w[i];
    c.phase = "load";
    s.push_back(c);
  }
  return s;
}

std::vector<PeCycle> pe_forward_schedule(const PeParams& p, const std::vector<Wide>& x) {
  const int k = static_cast<int>(x.size());
  std::vector<PeCycle> s;
  // acc = sum_k X[k] * W[k]; X is forwarded to the next PE.
  for (int i = 0; i < k; ++i) {
    PeCtrl c;
    c.mul_a = MulA::kXIn;
    c.mul_b = MulB::kSpad;
    c.acc = i == 0 ? AccOp::kLoad : AccOp::kAdd;
    c.fwd = true;
    c.rd_addr = i;
    s.push_back(PeCycle{c, PeIn{x[static_cast<std::size_t>(i)], 0, -p.alpha_raw}, "forward"});
  }
  s.push_back(PeCycle{PeCtrl{MulA::kXIn, MulB::kSpad, AccOp::kHold, Dst::kSum, false, 0, 0}, PeIn{0, 0, -p.alpha_raw},
                      "forward"});
  return s;
}

std::vector<PeCycle> pe_train_schedule(const PeParams& p, const NeuronData& d) {
  const int k = static_cast<int>(d.x.size());
  const int n = static_cast<int>(d.g_next.size());
  const bool trig = p.act == Activation::kSigmoid || p.act == Activation::kTanh;
  const Wide neg_alpha = -p.alpha_raw;
  std::vector<PeCycle> s = pe_forward_schedule(p, d.x);
  auto add = [&](const char* phase, PeCtrl c, PeIn in = {}) {
    in.neg_alpha = neg_alpha;
    s.push_back(PeCycle{c, in, phase});
  };
  // f'(z): sigma*(1-sigma) on the PE's multiplier, or the ReLU mask.
  if (trig)
    add("deriv", PeCtrl{MulA::kDerivA, MulB::kDerivB, AccOp::kLoad, Dst::kNone, false, 0, 0});
  if (p.act != Activation::kIdentity)
    add("deriv", PeCtrl{MulA::kXIn, MulB::kSpad, AccOp::kHold, Dst::kFd, false, 0, 0});
  // Step 1: R1 = rq(sum_k G_{i+1}[k] * W_{i+1}[k,j]), into the sum register.
  for (int i = 0; i < n; ++i) {
    PeCtrl c;
    c.mul_a = MulA::kXIn;
    c.mul_b = MulB::kWIn;
    c.acc = i == 0 ? AccOp::kLoad : AccOp::kAdd;
    add("backprop", c,
        PeIn{d.g_next[static_cast<std::size_t>(i)], d.w_next[static_cast<std::size_t>(i)], 0});
  }
  add("backprop", PeCtrl{MulA::kXIn, MulB::kSpad, AccOp::kHold, Dst::kSum, false, 0, 0});
  // Step 2: G = rq(R1 * f').
  if (trig) add("grad", PeCtrl{MulA::kSum, MulB::kG, AccOp::kLoad, Dst::kNone, false, 0, 0});
  add("grad", PeCtrl{MulA::kXIn, MulB::kSpad, AccOp::kHold, Dst::kG, false, 0, 0});
  // Steps 3-5, two multiplier slots per weight:
  //   even slot: acc = G * X[k']          (step 3, for a later weight)
  //   odd slot:  acc = W[k]*2^F - alpha*D[k]  (steps 4-5 fused)
  // and the rounder writes D (into the sum register: R1 is dead after step 2)
  // or the new weight (into the scratchpad).
  auto gx = [&](PeCtrl& c, PeIn& in, int i) {
    c.mul_a = MulA::kXIn;
    c.mul_b = MulB::kG;
    c.acc = AccOp::kLoad;
    in.x = d.x[static_cast<std::size_t>(i)];
  };
  {
    PeCtrl c;
    PeIn in;
    gx(c, in, 0);
    add("update", c, in);
  }
  {
    PeCtrl c;
    PeIn in;
    if (k > 1) gx(c, in, 1);
    c.dst = Dst::kSum;  // D[0]
    add("update", c, in);
  }
  for (int i = 0; i < k; ++i) {
    PeCtrl u;
    u.mul_a = MulA::kNegAlpha;
    u.mul_b = MulB::kSum;
    u.acc = AccOp::kSpad;
    u.rd_addr = i;
    if (i + 1 < k) u.dst = Dst::kSum;  // D[i+1]
    add("update", u);
    PeCtrl w;
    PeIn in;
    if (i + 2 < k) gx(w, in, i + 2);
    w.dst = Dst::kSpad;
    w.wr_addr = i;
    add("update", w, in);
  }
  return s;
}

NeuronResult neuron_sgd_step(const PeParams& p, const NeuronData& d) {
  NeuronResult r;
  Lfsr lfsr(p.lfsr);
  const QFormat& q = p.fmt;
  const int f = q.frac_bits;
  auto round = [&](Wide x, int post = 0) {
    const SatResult s = rq(x, f, q, q.rounding, lfsr.state(), post);
    if (p.stochastic()) lfsr.step();
    r.saturations += s.saturated ? 1 : 0;
    return s.value;
  };
  const std::size_t k = d.x.size();
  Wide acc = 0;
  for (std::size_t i = 0; i < k; ++i) acc += mul(d.x[i], d.w[i]);
  r.z = round(acc);  // forward: z = rq(sum W X)
  const bool trig = p.act == Activation::kSigmoid || p.act == Activation::kTanh;
  if (trig) {
    const DerivOperands o = act_deriv(r.z, q, p.act);
    r.fd = round(mul(o.a, o.b), act_deriv_post_shift(p.act));
  } else if (is_relu(p.act)) {
    r.fd = act_deriv(r.z, q, p.act).mask ? 1 : 0;
  }
  acc = 0;
  for (std::size_t i = 0; i < d.g_next.size(); ++i) acc += mul(d.g_next[i], d.w_next[i]);
  r.r1 = round(acc);  // step 1
  if (trig) r.g = round(mul(r.fd, r.r1));  // step 2
  else if (is_relu(p.act)) r.g = r.fd != 0 ? r.r1 : 0;
  else r.g = r.r1;
  r.d.resize(k);
  r.w_new.resize(k);
  // Steps 3-5 in the order the PE rounds: D0, D1, W0, D2, W1, ...
  if (k > 0) r.d[0] = round(mul(r.g, d.x[0]));
  for (std::size_t i = 0; i < k; ++i) {
    if (i + 1 < k) r.d[i + 1] = round(mul(r.g, d.x[i + 1]));
    r.w_new[i] = round(d.w[i] * (Wide{1} << f) + mul(-p.alpha_raw, r.d[i]));
  }
  return r;
}

std::string to_string(const PeCtrl& c) {
  return fmt::format("mul_a={} mul_b={} acc={} dst={} fwd={} rd={} wr={}", static_cast<int>(c.mul_a),
                     static_cast<int>(c.mul_b), static_cast<int>(c.acc), static_cast<int>(c.dst),
                     c.fwd ? 1 : 0, c.rd_addr, c.wr_addr);
}

}  // namespace taxonn
