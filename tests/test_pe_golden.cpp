// The golden PE (taxonn::Pe) driven by the TDM schedule must give the same
// bits as the algorithmic SGD step of CONTRACT 3, in as many cycles as the
// cycle model says. Hooks: corner cases, seeded random cases, a sweep over
// formats, activations and rounding modes.
#include <random>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "pe.hpp"
#include "test_util.hpp"

namespace taxonn {
namespace {

PeParams make_params(int i, int f, Activation act, Rounding rnd, int depth = 8) {
  PeParams p;
  p.layer = "t";
  p.fmt.int_bits = i;
  p.fmt.frac_bits = f;
  p.fmt.rounding = rnd;
  p.act = act;
  p.depth = depth;
  p.guard_bits = clog2(static_cast<std::uint64_t>(std::max(depth, 8)));
  p.sat_cnt_width = 16;
  p.lfsr = LfsrParams{24, 0xE10000, 0xACE1};
  p.alpha_raw = std::max<Wide>(1, Wide{1} << (f - 3));
  return p;
}

NeuronData random_neuron(const PeParams& p, std::mt19937_64& rng, int k, int n, bool extreme) {
  NeuronData d;
  auto val = [&] { return extreme ? test::corner_or_random(p.fmt, rng) : test::small_value(p.fmt, rng); };
  for (int i = 0; i < k; ++i) {
    d.w.push_back(val());
    d.x.push_back(val());
  }
  for (int i = 0; i < n; ++i) {
    d.g_next.push_back(val());
    d.w_next.push_back(val());
  }
  return d;
}

void check_neuron(const PeParams& p, const NeuronData& d, const std::string& what) {
  Pe pe(p);
  for (const auto& c : pe_load_schedule(p, d.w)) pe.step(c.ctrl, c.in);
  const auto sched = pe_train_schedule(p, d);
  const PeCycles cm = pe_cycle_model(p, static_cast<int>(d.x.size()), static_cast<int>(d.g_next.size()));
  ASSERT_EQ(static_cast<int>(sched.size()), cm.train()) << what;
  Wide z = 0, fd = 0, r1 = 0;
  int cycle = 0;
  for (const auto& c : sched) {
    pe.step(c.ctrl, c.in);
    ++cycle;
    if (cycle == cm.forward) z = pe.outputs(PeCtrl{}, PeIn{}).sum;
    if (cycle == cm.forward + cm.deriv) fd = pe.outputs(PeCtrl{}, PeIn{}).g;  // f' waits in G
    if (cycle == cm.forward + cm.deriv + cm.backprop) r1 = pe.outputs(PeCtrl{}, PeIn{}).sum;
  }
  const NeuronResult ref = neuron_sgd_step(p, d);
  const PeOut o = pe.outputs(PeCtrl{}, PeIn{});
  EXPECT_EQ(test::s(z), test::s(ref.z)) << what << " z";
  if (p.act != Activation::kIdentity) {
    EXPECT_EQ(test::s(fd), test::s(ref.fd)) << what << " f'";
  }
  EXPECT_EQ(test::s(r1), test::s(ref.r1)) << what << " R1";
  EXPECT_EQ(test::s(o.g), test::s(ref.g)) << what << " G";
  const std::size_t k = d.x.size();
  if (k > 0) {
    EXPECT_EQ(test::s(o.sum), test::s(ref.d[k - 1])) << what << " D[K-1], in the sum register";
  }
  for (std::size_t i = 0; i < k; ++i) {
    EXPECT_EQ(test::s(pe.spad(static_cast<int>(i))), test::s(ref.w_new[i])) << what << " W[" << i << "]";
  }
  EXPECT_EQ(o.sat_cnt, ref.saturations) << what << " saturation count";
}

const Activation kActs[] = {Activation::kIdentity, Activation::kRelu, Activation::kSigmoid, Activation::kTanh,
                            Activation::kReluClip};
const Rounding kRnds[] = {Rounding::kNearest, Rounding::kTruncate, Rounding::kStochastic};

TEST(PeGolden, CornerCases) {
  // Extremes of the format everywhere, K = 1 and K = depth, N = 1.
  std::mt19937_64 rng(test::seed("PeGolden.CornerCases"));
  for (Activation a : kActs) {
    for (Rounding r : kRnds) {
      for (int k : {1, 2, 8}) {
        for (int rep = 0; rep < 20; ++rep) {
          const PeParams p = make_params(2, 10, a, r);
          check_neuron(p, random_neuron(p, rng, k, 1 + rep % 3, true),
                       fmt::format("{} {} K={} rep {}", to_string(a), to_string(r), k, rep));
        }
      }
    }
  }
}

TEST(PeGolden, RandomCases) {
  const auto sd = test::seed("PeGolden.RandomCases");
  std::mt19937_64 rng(sd);
  for (int rep = 0; rep < 2000; ++rep) {
    const PeParams p = make_params(1 + static_cast<int>(rng() % 4), 6 + static_cast<int>(rng() % 10),
                                   kActs[rng() % 4], kRnds[rng() % 3], 16);
    const int k = 1 + static_cast<int>(rng() % 16), n = 1 + static_cast<int>(rng() % 12);
    check_neuron(p, random_neuron(p, rng, k, n, rng() % 4 == 0), fmt::format("seed {} rep {}", sd, rep));
    if (HasFailure()) return;
  }
}

TEST(PeGolden, FormatSweep) {
  std::mt19937_64 rng(test::seed("PeGolden.FormatSweep"));
  for (int w = 4; w <= 32; ++w) {
    for (int i : {1, 2, 4}) {
      for (Activation a : kActs) {
        if (w - i < 1) continue;  // F >= 1: the config rejects F = 0
        const PeParams p = make_params(i, w - i, a, kRnds[static_cast<std::size_t>(w) % 3]);
        check_neuron(p, random_neuron(p, rng, 8, 4, w % 2 == 0),
                     fmt::format("Q({},{}) {}", i, w - i, to_string(a)));
      }
    }
  }
}

// The SRAM twin (taxonn::SpadSram) on the schedule for SRAM scratchpads
// (sram_schedule): the same SGD step as the algorithm, one cycle longer (the
// no-op that gives forward's second read the port after the last load's held
// write; with K = 1, the one that lets the load write W[0] before forward
// reads it).
TEST(PeGolden, SramScheduleGivesTheSameStep) {
  const auto sd = test::seed("PeGolden.SramScheduleGivesTheSameStep");
  std::mt19937_64 rng(sd);
  for (int rep = 0; rep < 1000; ++rep) {
    PeParams p = make_params(1 + static_cast<int>(rng() % 4), 6 + static_cast<int>(rng() % 10), kActs[rng() % 5],
                             kRnds[rng() % 3], 16);
    p.memory = Memory::kSram;
    const int k = 1 + static_cast<int>(rng() % 16), n = 1 + static_cast<int>(rng() % 12);
    const NeuronData d = random_neuron(p, rng, k, n, rng() % 4 == 0);
    std::vector<PeCycle> flops = pe_load_schedule(p, d.w);
    const auto train = pe_train_schedule(p, d);
    flops.insert(flops.end(), train.begin(), train.end());
    const auto sched = sram_schedule(flops);
    const std::string what = fmt::format("seed {} rep {} K={} N={}", sd, rep, k, n);
    ASSERT_EQ(sched.size(), flops.size() + 1) << what;
    Pe pe(p);
    for (const auto& c : sched) pe.step(c.ctrl, c.in);
    const NeuronResult ref = neuron_sgd_step(p, d);
    const PeOut o = pe.outputs(PeCtrl{}, PeIn{});
    EXPECT_EQ(test::s(o.g), test::s(ref.g)) << what << " G";
    EXPECT_EQ(test::s(o.sum), test::s(ref.d[static_cast<std::size_t>(k) - 1])) << what << " D[K-1]";
    for (int i = 0; i < k; ++i)
      EXPECT_EQ(test::s(pe.spad(i)), test::s(ref.w_new[static_cast<std::size_t>(i)])) << what << " W[" << i << "]";
    EXPECT_EQ(o.sat_cnt, ref.saturations) << what << " saturation count";
    if (HasFailure()) return;
  }
}

// SpadSram's port order, cycle by cycle: a held write goes first, a read
// beats a new write (which waits a cycle), data holds through cycles
// without a read, and an address past the depth reads 0 and writes nothing.
TEST(PeGolden, SpadSramPortOrder) {
  SpadSram m(4, 8);
  m.clock(false, 0, true, 1, 11);  // write now: no read wanted
  EXPECT_EQ(m.peek(1), 11);
  m.clock(true, 1, true, 2, 22);  // the read wins, the write is held
  EXPECT_EQ(m.data(), 11);
  EXPECT_EQ(m.peek(2), 0);
  m.clock(true, 1, false, 0, 0);  // the held write takes the port: no read
  EXPECT_EQ(m.peek(2), 22);
  m.clock(true, 2, false, 0, 0);
  EXPECT_EQ(m.data(), 22);
  m.clock(false, 0, false, 0, 0);  // no read: the data stays
  EXPECT_EQ(m.data(), 22);
  m.clock(true, 5, false, 0, 0);  // past the depth
  EXPECT_EQ(m.data(), 0);
  m.clock(false, 0, true, 7, 99);
  for (int i = 0; i < 4; ++i) EXPECT_NE(m.peek(i), 99);
  m.clock(true, 1, true, 3, 200);  // held, wrapped to 8 bits when written
  m.clock(false, 0, true, 0, 5);   // the held one first, the new one waits again
  EXPECT_EQ(m.peek(3), static_cast<Wide>(static_cast<std::int8_t>(200)));
  EXPECT_EQ(m.peek(0), 0);
  m.clock(false, 0, false, 0, 0);
  EXPECT_EQ(m.peek(0), 5);
}

TEST(PeGolden, CycleModelFollowsThePaperShape) {
  // Forward K+1 and update 2K+2 grow with the fan-in; backprop with N.
  const PeParams p = make_params(2, 12, Activation::kSigmoid, Rounding::kNearest);
  const PeCycles a = pe_cycle_model(p, 10, 4), b = pe_cycle_model(p, 20, 4), c = pe_cycle_model(p, 10, 9);
  EXPECT_EQ(b.forward - a.forward, 10);
  EXPECT_EQ(b.update - a.update, 20);
  EXPECT_EQ(c.backprop - a.backprop, 5);
  EXPECT_EQ(a.deriv, 2);
  EXPECT_EQ(pe_cycle_model(make_params(2, 12, Activation::kRelu, Rounding::kNearest), 10, 4).deriv, 1);
}

TEST(PeGolden, BaselineIgnoresTrainingControl) {
  // The baseline has no MUX1/2/3 nor training registers: those control
  // values do nothing to it, but they do change the TaxoNN PE.
  const PeParams p = make_params(2, 10, Activation::kRelu, Rounding::kNearest);
  PeBase base(p);
  Pe pe(p);
  PeCtrl load;
  load.dst = Dst::kLoad;
  load.wr_addr = 1;
  base.step(load, PeIn{0, 77, 0});
  pe.step(load, PeIn{0, 77, 0});
  PeCtrl upd;
  upd.mul_a = MulA::kNegAlpha;
  upd.mul_b = MulB::kSpad;
  upd.acc = AccOp::kSpad;
  upd.rd_addr = 1;
  base.step(upd, PeIn{5, 0, -3});
  pe.step(upd, PeIn{5, 0, -3});
  EXPECT_EQ(test::s(base.outputs(PeCtrl{}, PeIn{}).acc), "0");
  EXPECT_EQ(test::s(pe.outputs(PeCtrl{}, PeIn{}).acc), test::s(77 * 1024 + -3 * 77));
}

}  // namespace
}  // namespace taxonn
