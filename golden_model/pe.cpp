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

int Bank::checked(int addr) const {
  if (addr < 0 || addr >= mem_.depth())
    throw std::out_of_range("taxonn_bank: address " + std::to_string(addr) + " past its depth " +
                            std::to_string(mem_.depth()));
  return addr;
}

void HostBuf::clock(bool we, int wr_addr, Wide wd, int rd_addr) {
  if (we) {
    b_.write(wr_addr, wd);
  } else if (sram_ && rd_addr >= 0 && rd_addr < b_.depth()) {
    rd_ = b_.read(rd_addr);
  }
}

void SpadSram::clock(bool rd_en, int rd_addr, bool we, int wr_addr, Wide wd) {
  const bool wr_now = pend_ || (we && !rd_en);
  const bool rd_now = rd_en && !pend_;
  const bool pend_next = we && (pend_ || rd_en);
  const int addr = pend_ ? pend_addr_ : (wr_now ? wr_addr : rd_addr);
  const bool in_range = addr >= 0 && addr < mem_.depth();
  if (wr_now) {
    mem_.write(addr, pend_ ? pend_data_ : wd);
  } else if (rd_now) {
    rd_ok_ = in_range;
    if (in_range) rd_ = mem_.read(addr);
  }
  if (pend_next) {
    pend_addr_ = wr_addr;
    pend_data_ = wd;
  }
  pend_ = pend_next;
}

PeBase::PeBase(const PeParams& p)
    : p_(p),
      sram_(p.memory == Memory::kSram),
      spad_(p.depth, p.width()),
      sram_spad_(p.depth, p.width()),
      sat_cnt_(p.sat_cnt_width),
      rounder_(p.fmt, p.lfsr) {}

void PeBase::spad_clock(const PeCtrl& c, bool we, Wide v) {
  if (sram_)
    sram_spad_.clock(c.rd_en, c.rd_addr, we, c.wr_addr, v);
  else if (we)
    spad_.write(c.wr_addr, v);
}

void PeBase::use_rounder(bool saturated) {
  sat_cnt_.step(saturated);
  rounder_.use();
}

PeOut PeBase::outputs(const PeCtrl& c, const PeIn&) const {
  PeOut o;
  o.x_fwd = x_fwd_;
  o.sum = sum_;
  o.spad_rd = spad_rd(c);
  o.acc = acc_;
  o.sat_cnt = sat_cnt_.count();
  return o;
}

void PeBase::step(const PeCtrl& c, const PeIn& in) {
  const Wide prod = mul(in.x, spad_rd(c));
  const Wide acc = acc_next(c.acc, acc_, prod, 0, p_.acc_width(), false);  // no MUX3
  spad_clock(c, c.dst == Dst::kLoad, in.w);
  switch (c.dst) {
    case Dst::kSum: {
      const SatResult r = round_acc(0);
      sum_ = r.value;
      use_rounder(r.saturated);
      break;
    }
    default: break;  // the load is spad_clock's; training destinations do not exist in the baseline
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
    case MulB::kSpad: return spad_rd(c);
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
  const Wide base = spad_rd(c) * (Wide{1} << p_.fmt.frac_bits);
  const Wide acc = acc_next(c.acc, acc_, prod, base, p_.acc_width(), true);
  bool spad_we = c.dst == Dst::kLoad;
  Wide spad_wd = in.w;
  switch (c.dst) {
    case Dst::kNone: break;
    case Dst::kSum:
    case Dst::kSpad: {
      const SatResult r = round_acc(0);
      if (c.dst == Dst::kSum) sum_ = r.value;
      if (c.dst == Dst::kSpad) {
        spad_we = true;
        spad_wd = r.value;
      }
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
    case Dst::kLoad: break;  // spad_clock's
  }
  spad_clock(c, spad_we, spad_wd);
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

namespace taxonn {

std::vector<PeCycle> sram_schedule(const std::vector<PeCycle>& v) {
  auto reads = [](const PeCycle& c) {
    const bool product = c.ctrl.acc == AccOp::kLoad || c.ctrl.acc == AccOp::kAdd || c.ctrl.acc == AccOp::kSpad;
    return c.ctrl.acc == AccOp::kSpad || (c.ctrl.mul_b == MulB::kSpad && product);
  };
  auto writes = [](const PeCycle& c) { return c.ctrl.dst == Dst::kSpad || c.ctrl.dst == Dst::kLoad; };
  auto nop = [](const char* phase) {
    PeCycle n;
    n.ctrl.acc = AccOp::kHold;
    n.ctrl.dst = Dst::kNone;
    n.phase = phase;
    return n;
  };
  std::vector<PeCycle> out;
  bool held = false;  // a write held at the start of out.back()'s cycle
  for (const PeCycle& c : v) {
    if (out.empty() && reads(c)) out.push_back(nop(c.phase));
    // out.back() issues c's read, unless the port writes a held write then,
    // or out.back() writes the word c reads (the read would beat the write).
    auto blocked = [&] {
      const PeCycle& last = out.back();
      return reads(c) && (held || (writes(last) && last.ctrl.wr_addr == c.ctrl.rd_addr));
    };
    while (!out.empty() && blocked()) {
      out.back().ctrl.rd_en = false;
      held = writes(out.back()) && held;
      out.push_back(nop(c.phase));
    }
    if (!out.empty()) {
      PeCycle& last = out.back();
      last.ctrl.rd_en = reads(c);
      last.ctrl.rd_addr = c.ctrl.rd_addr;
      held = writes(last) && (held || last.ctrl.rd_en);
    }
    out.push_back(c);
    out.back().ctrl.rd_en = false;
  }
  if (!out.empty()) {
    held = writes(out.back()) && held;
    if (held) out.push_back(nop(out.back().phase));
  }
  return out;
}

}  // namespace taxonn
