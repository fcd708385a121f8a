// Golden primitives (CONTRACT 2) against independent references: long-double
// arithmetic, exact identities and the contract's stated properties. Hooks:
// corner cases, seeded random cases, a sweep over widths.
#include <cmath>
#include <random>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "arith.hpp"
#include "primitives.hpp"
#include "rounding.hpp"
#include "test_util.hpp"

namespace taxonn {
namespace {

QFormat q(int i, int f) {
  QFormat x;
  x.int_bits = i;
  x.frac_bits = f;
  return x;
}

// rq by real arithmetic: floor(x / 2^s + bias / 2^s), clamped.
long double ref_rq(long double x, int s, Rounding m, std::uint64_t r, const QFormat& out, bool& saturated) {
  const long double scale = std::ldexp(1.0L, s);
  long double bias = 0;
  if (m == Rounding::kNearest) bias = s > 0 ? scale / 2 : 0;
  if (m == Rounding::kStochastic) bias = static_cast<long double>(r & ((std::uint64_t{1} << s) - 1));
  long double v = std::floor((x + bias) / scale);
  const long double hi = static_cast<long double>(out.max_raw()), lo = static_cast<long double>(out.min_raw());
  saturated = v > hi || v < lo;
  return std::min(hi, std::max(lo, v));
}

TEST(Rq, CornerCases) {
  const QFormat o = q(2, 4);  // range [-2, 2 - 1/16], raw [-32, 31]
  // Ties go toward +inf with nearest; truncate is floor.
  EXPECT_EQ(test::s(rq(3, 1, o, Rounding::kNearest, 0).value), "2");
  EXPECT_EQ(test::s(rq(-3, 1, o, Rounding::kNearest, 0).value), "-1");
  EXPECT_EQ(test::s(rq(-3, 1, o, Rounding::kTruncate, 0).value), "-2");
  EXPECT_EQ(test::s(rq(-1, 4, o, Rounding::kTruncate, 0).value), "-1");
  EXPECT_EQ(test::s(rq(-1, 4, o, Rounding::kNearest, 0).value), "0");
  // Saturation at both ends, and exactly at the edge.
  EXPECT_TRUE(rq(32 * 16, 4, o, Rounding::kNearest, 0).saturated);
  EXPECT_EQ(test::s(rq(32 * 16, 4, o, Rounding::kNearest, 0).value), "31");
  EXPECT_FALSE(rq(31 * 16 + 7, 4, o, Rounding::kNearest, 0).saturated);
  EXPECT_TRUE(rq(31 * 16 + 8, 4, o, Rounding::kNearest, 0).saturated);  // the tie rounds up past max
  EXPECT_EQ(test::s(rq(-33 * 16, 4, o, Rounding::kTruncate, 0).value), "-32");
  EXPECT_FALSE(rq(-32 * 16, 4, o, Rounding::kTruncate, 0).saturated);
  // Post-shift (tanh'): x4 after rounding, then clamp.
  EXPECT_EQ(test::s(rq(8 * 16, 4, o, Rounding::kNearest, 0, 2).value), "31");
  EXPECT_EQ(test::s(rq(7 * 16, 4, o, Rounding::kNearest, 0, 2).value), "28");
}

TEST(Rq, RandomCasesAgainstRealArithmetic) {
  std::mt19937_64 rng(test::seed("Rq.RandomCasesAgainstRealArithmetic"));
  const Rounding modes[] = {Rounding::kNearest, Rounding::kTruncate, Rounding::kStochastic};
  for (int rep = 0; rep < 200000; ++rep) {
    const int w = 2 + static_cast<int>(rng() % 30), f = 1 + static_cast<int>(rng() % static_cast<unsigned>(w - 1));
    const QFormat o = q(w - f, f);
    const int in_bits = std::min(62, 2 * w + 4);
    const Wide x = from_bits(rng(), in_bits);
    const Rounding m = modes[rng() % 3];
    const std::uint64_t r = rng();
    bool sat = false;
    const long double want = ref_rq(static_cast<long double>(x), f, m, r, o, sat);
    const SatResult got = rq(x, f, o, m, r);
    ASSERT_EQ(static_cast<long double>(got.value), want) << "x=" << test::s(x) << " F=" << f << " W=" << w;
    ASSERT_EQ(got.saturated, sat);
  }
}

// The rounding core (rounding.hpp) at both integer types the models use:
// int64 (network arithmetic) and Wide (PE twins) against the real-arithmetic
// reference. Corners (ties, +-1, limits), seeded random values, every shift.
TEST(RoundingCore, Int64AndWideAgreeWithRealArithmetic) {
  std::mt19937_64 rng(test::seed("RoundingCore.Int64AndWideAgreeWithRealArithmetic"));
  const Rounding modes[] = {Rounding::kNearest, Rounding::kTruncate, Rounding::kStochastic};
  const QFormat wide_out = q(40, 0);  // never clamps the values below
  int checked = 0;
  for (int s = 0; s <= 24; ++s) {
    const std::int64_t tie = s > 0 ? std::int64_t{1} << (s - 1) : 0;
    std::vector<std::int64_t> xs = {0, 1, -1, tie, -tie, tie + 1, -tie - 1, tie - 1, -tie + 1,
                                    (std::int64_t{1} << 38) - 1, -(std::int64_t{1} << 38)};
    for (int r = 0; r < 40; ++r) xs.push_back(static_cast<std::int64_t>(from_bits(rng(), 39)));
    for (const std::int64_t x : xs)
      for (const Rounding m : modes) {
        const std::uint64_t draw = rng();
        bool sat = false;
        const long double want = ref_rq(static_cast<long double>(x), s, m, draw, wide_out, sat);
        ASSERT_EQ(static_cast<long double>(round_shift<std::int64_t>(x, s, m, draw)), want) << "x=" << x << " s=" << s;
        ASSERT_EQ(static_cast<long double>(round_shift<Wide>(x, s, m, draw)), want) << "x=" << x << " s=" << s;
        ++checked;
      }
  }
  for (const std::int64_t v : {-9, -8, -7, 0, 7, 8, 9}) {
    const Clamped<std::int64_t> c = saturate<std::int64_t>(v, -8, 7);
    EXPECT_EQ(c.value, std::min<std::int64_t>(7, std::max<std::int64_t>(-8, v)));
    EXPECT_EQ(c.saturated, v < -8 || v > 7);
  }
  EXPECT_GT(checked, 3000);
}

TEST(Rq, StochasticIsUnbiasedOverAllDraws) {
  // Hermite's identity: the mean of floor((x + r) / 2^s) over every r in
  // [0, 2^s) is exactly x / 2^s, which is what stochastic rounding promises.
  std::mt19937_64 rng(test::seed("Rq.StochasticIsUnbiasedOverAllDraws"));
  for (int s = 1; s <= 10; ++s) {
    for (int rep = 0; rep < 50; ++rep) {
      const Wide x = from_bits(rng(), 24);
      Wide sum = 0;
      for (std::uint64_t r = 0; r < (std::uint64_t{1} << s); ++r) sum += rq_round(x, s, Rounding::kStochastic, r);
      EXPECT_EQ(test::s(sum), test::s(x)) << "s=" << s;
    }
  }
}

// taxonn::convert (taxonn_convert.v's twin) is what the network model's
// boundary conversions compute: FixedArith::convert for activations,
// FixedArith::reduce for step 1's sums of products (2F fractional bits).
TEST(Convert, CornersRandomAndAFormatSweepAgainstTheNetworkArithmetic) {
  std::mt19937_64 rng(11);
  const LfsrParams lfsr;
  int checked = 0;
  for (int fi = 1; fi <= 4; ++fi)
    for (int ff = 2; ff <= 14; ff += 3)
      for (int ti = 1; ti <= 4; ++ti)
        for (int tf = 2; tf <= 14; tf += 4)
          for (Rounding r : {Rounding::kNearest, Rounding::kTruncate}) {
            QFormat from{fi, ff, r}, to{ti, tf, r};
            FixedArith a_from(from, Activation::kIdentity, 0.0, lfsr), a_to(to, Activation::kIdentity, 0.0, lfsr);
            std::vector<std::int64_t> xs = {static_cast<std::int64_t>(from.min_raw()), static_cast<std::int64_t>(from.max_raw()), 0, 1, -1};  // corners
            for (int k = 0; k < 200; ++k) xs.push_back(from.min_raw() + static_cast<std::int64_t>(rng() % (from.max_raw() - from.min_raw() + 1)));
            for (const std::int64_t x : xs) {
              ASSERT_EQ(a_to.convert(static_cast<std::int32_t>(x), a_from), convert(x, ff, to).value) << from.name() << "->" << to.name() << " x=" << x;
              const std::int64_t sum = x * (static_cast<std::int64_t>(rng() % 4096) - 2048);  // a sum of products
              ASSERT_EQ(a_to.reduce(sum, a_from), convert(sum, 2 * ff, to).value) << from.name() << "->" << to.name() << " sum=" << sum;
              ++checked;
            }
          }
  EXPECT_GT(checked, 100000);
  // Widening is exact; narrowing rounds half up (nearest) and saturates.
  EXPECT_EQ(convert(3, 2, QFormat{4, 4, Rounding::kNearest}).value, 12);
  EXPECT_EQ(convert(6, 3, QFormat{4, 2, Rounding::kNearest}).value, 3);   // 0.75 -> 0.75
  EXPECT_EQ(convert(5, 3, QFormat{4, 2, Rounding::kNearest}).value, 3);   // 0.625 -> 0.75 (tie up)
  EXPECT_EQ(convert(5, 3, QFormat{4, 2, Rounding::kTruncate}).value, 2);  // 0.625 -> 0.5
  EXPECT_TRUE(convert(1000, 0, QFormat{2, 4, Rounding::kNearest}).saturated);
}

// taxonn::pool (taxonn_pool.v's twin): corners, random windows, a width and
// rounding sweep, against the network arithmetic's avg4/spread4 and the
// first-maximum rule of Network::pool_forward.
TEST(Pool, AgainstTheNetworkArithmetic) {
  std::mt19937_64 rng(5);
  const LfsrParams lfsr;
  for (int w = 2; w <= 24; w += 2)
    for (Rounding r : {Rounding::kNearest, Rounding::kTruncate}) {
      const QFormat q{1, w - 1, r};
      FixedArith a(q, Activation::kIdentity, 0.0, lfsr);
      for (int k = 0; k < 2000; ++k) {
        Wide x[4];
        for (Wide& v : x) {
          const unsigned pick = static_cast<unsigned>(rng() % 4);
          v = pick == 0 ? q.min_raw() : pick == 1 ? q.max_raw() : q.min_raw() + static_cast<Wide>(rng() % (q.max_raw() - q.min_raw() + 1));
        }
        if (k % 7 == 0) x[2] = x[1];  // ties
        const Wide g = q.min_raw() + static_cast<Wide>(rng() % (q.max_raw() - q.min_raw() + 1));
        const PoolResult avg = pool(x, g, 0, PoolKind::kAvg, q);
        ASSERT_EQ(avg.y, a.avg4(x[0] + x[1] + x[2] + x[3]));
        for (Wide gk : avg.g) ASSERT_EQ(gk, a.spread4(static_cast<std::int32_t>(g)));
        const PoolResult mx = pool(x, g, static_cast<int>(k % 4), PoolKind::kMax, q);
        int best = 0;
        for (int j = 1; j < 4; ++j)
          if (x[j] > x[best]) best = j;
        ASSERT_EQ(mx.arg, best);
        ASSERT_EQ(mx.y, x[best]);
        for (int j = 0; j < 4; ++j) ASSERT_EQ(mx.g[j], j == k % 4 ? g : 0);
      }
    }
  const Wide ties[4] = {3, 3, 3, 3};
  EXPECT_EQ(pool(ties, 1, 0, PoolKind::kMax, QFormat{2, 2, Rounding::kNearest}).arg, 0);  // the first maximum
}

// The conv layer's G and f' units (taxonn_g_unit, taxonn_fd_unit) against
// the network arithmetic's grad and deriv: corners, random values, a sweep
// over widths, rounding modes and activations.
TEST(GradAndDeriv, UnitsAgainstTheNetworkArithmetic) {
  std::mt19937_64 rng(11);
  const LfsrParams lfsr;
  for (int w = 3; w <= 24; w += 3)
    for (Rounding r : {Rounding::kNearest, Rounding::kTruncate})
      for (Activation act : {Activation::kIdentity, Activation::kRelu, Activation::kSigmoid, Activation::kTanh,
                             Activation::kReluClip}) {
        const QFormat q{2, w - 2, r};
        FixedArith a(q, act, 0.0, lfsr);
        auto any = [&] { return q.min_raw() + static_cast<Wide>(rng() % (q.max_raw() - q.min_raw() + 1)); };
        for (int k = 0; k < 1000; ++k) {
          const Wide z = k == 0 ? q.min_raw() : k == 1 ? q.max_raw() : k == 2 ? 0 : any();
          const Wide fd = act_derivative_value(z, q, act, r, 0).value;
          ASSERT_EQ(static_cast<long long>(fd), a.deriv(static_cast<std::int32_t>(z)))
              << q.name() << " z " << static_cast<long long>(z);
          const Wide r1 = k % 5 == 0 ? q.min_raw() : any();
          ASSERT_EQ(static_cast<long long>(grad_value(r1, fd, q, act).value),
                    a.grad(static_cast<std::int32_t>(r1), static_cast<std::int32_t>(fd)))
              << q.name() << " r1 " << static_cast<long long>(r1) << " fd " << static_cast<long long>(fd);
        }
      }
}

TEST(Sat, WidthSweep) {
  for (int w = 2; w <= 32; ++w) {
    const Wide hi = (Wide{1} << (w - 1)) - 1, lo = -(Wide{1} << (w - 1));
    for (Wide d : {Wide{-2}, Wide{-1}, Wide{0}, Wide{1}, Wide{2}}) {
      const SatResult a = sat(hi + d, w), b = sat(lo + d, w);
      EXPECT_EQ(test::s(a.value), test::s(std::min(hi, hi + d)));
      EXPECT_EQ(a.saturated, d > 0);
      EXPECT_EQ(test::s(b.value), test::s(std::max(lo, lo + d)));
      EXPECT_EQ(b.saturated, d < 0);
    }
  }
}

TEST(Lfsr, SixteenBitPolynomialIsMaximal) {
  Lfsr l(LfsrParams{16, 0xB400, 0xACE1});
  std::uint32_t period = 0;
  do {
    l.step();
    ++period;
    ASSERT_NE(l.state(), 0u);
  } while (l.state() != 0xACE1 && period < 70000);
  EXPECT_EQ(period, 65535u);
}

// Lfsr::states and skip (eight steps per table lookup) against step() one
// at a time: the shipped polynomial's corner seeds, then random widths
// (1..32), polynomials and seeds over a sweep of counts around the block
// of eight; a random run prints its seed.
TEST(Lfsr, JumpsAreSteps) {
  auto check = [](const LfsrParams& p, std::size_t n) {
    Lfsr a(p), b(p), c(p);
    std::vector<std::uint32_t> got(n + 1, 0xDEADBEEF);
    a.states(got.data(), n);
    c.skip(n);
    for (std::size_t k = 0; k < n; ++k) {
      ASSERT_EQ(got[k], b.state()) << "width " << p.width << " poly " << p.polynomial << " seed " << p.seed << " step " << k;
      b.step();
    }
    EXPECT_EQ(got[n], 0xDEADBEEFu) << "wrote past n";
    EXPECT_EQ(a.state(), b.state()) << "width " << p.width << " poly " << p.polynomial << " n " << n;
    EXPECT_EQ(c.state(), b.state()) << "skip, width " << p.width << " poly " << p.polynomial << " n " << n;
  };
  for (std::uint32_t seed : {0x0001u, 0x8000u, 0xFFFFu, 0xACE1u})
    for (std::size_t n : {0, 1, 7, 8, 9, 16, 801}) check(LfsrParams{16, 0xB400, seed}, n);
  const std::uint64_t seed = std::random_device{}();
  std::mt19937_64 rng(seed);
  SCOPED_TRACE("random seed " + std::to_string(seed));
  for (int t = 0; t < 200; ++t) {
    const int w = 1 + static_cast<int>(rng() % 32);
    const std::uint32_t mask = w >= 32 ? 0xFFFFFFFFu : ((1u << w) - 1);
    const LfsrParams p{w, static_cast<std::uint32_t>(rng()) & mask, static_cast<std::uint32_t>(rng()) & mask};
    check(p, rng() % 40);
  }
}

TEST(SatCounter, SticksAtMaximum) {
  for (int w : {1, 3, 8}) {
    SatCounter c(w);
    for (int i = 0; i < (1 << w) + 5; ++i) c.step(true);
    EXPECT_EQ(c.count(), (std::uint64_t{1} << w) - 1);
    c.step(false);
    EXPECT_EQ(c.count(), (std::uint64_t{1} << w) - 1);
  }
}

TEST(PlanSigmoid, FormatSweepAgainstTheRealFormula) {
  // Every raw input of every narrow format, and random ones of wide formats:
  // the integer segments equal floor(2^F * PLAN(x)) where the real PLAN is
  // evaluated exactly, and the contract's properties hold.
  std::mt19937_64 rng(test::seed("PlanSigmoid.FormatSweepAgainstTheRealFormula"));
  for (int w = 4; w <= 24; ++w) {
    for (int f = 1; f < w; f += 3) {
      const long double one = std::ldexp(1.0L, f);
      auto ref = [&](Wide z) {
        const long double a = std::fabs(static_cast<long double>(z));
        long double s;
        if (a >= 5 * one) s = one;
        else if (8 * a >= 19 * one) s = std::floor((a + 27 * one) / 32);
        else if (a >= one) s = std::floor((a + 5 * one) / 8);
        else s = std::floor((a + 2 * one) / 4);
        return z < 0 ? one - s : s;
      };
      const bool all = w <= 12;
      const std::uint64_t n = all ? (std::uint64_t{1} << w) : 20000;
      Wide prev = -1;
      for (std::uint64_t i = 0; i < n; ++i) {
        const Wide z = all ? from_bits(i ^ (std::uint64_t{1} << (w - 1)), w) : from_bits(rng(), w);
        const Wide s = plan_sigmoid(z, f);
        ASSERT_EQ(static_cast<long double>(s), ref(z)) << "z=" << test::s(z) << " F=" << f;
        ASSERT_EQ(test::s(s + plan_sigmoid(-z, f)), test::s(Wide{1} << f)) << "symmetry at z=" << test::s(z);
        ASSERT_LE(std::fabs(static_cast<double>(s) / std::ldexp(1.0, f) -
                            1.0 / (1.0 + std::exp(-static_cast<double>(z) / std::ldexp(1.0, f)))),
                  0.0190 + std::ldexp(1.0, -f));  // PLAN's published maximum error
        if (all) {
          ASSERT_GE(s, prev) << "monotone at z=" << test::s(z);  // z runs from min to max
          prev = s;
        }
      }
    }
  }
}

TEST(Act, CornerCases) {
  const QFormat o = q(1, 12);  // sigma = 1.0 and tanh = 1.0 do not fit
  EXPECT_EQ(test::s(act(0, o, Activation::kSigmoid).value), "2048");
  EXPECT_TRUE(act(5 << 12, q(4, 12), Activation::kSigmoid).value == 4096);
  EXPECT_TRUE(act(o.max_raw(), o, Activation::kSigmoid).saturated == false);
  EXPECT_EQ(test::s(act(-7, o, Activation::kRelu).value), "0");
  EXPECT_EQ(test::s(act(7, o, Activation::kRelu).value), "7");
  EXPECT_EQ(test::s(act(-7, o, Activation::kIdentity).value), "-7");
  // tanh is odd: 2*sigma(-2x) - 1 = -(2*sigma(2x) - 1), exactly.
  for (Wide z = -4000; z <= 4000; z += 37)
    EXPECT_EQ(test::s(act(z, q(3, 12), Activation::kTanh).value), test::s(-act(-z, q(3, 12), Activation::kTanh).value));
  // Derivatives at 0: sigma'(0) = 0.25, tanh'(0) = 4 * 0.25 = 1.0 (clamped in Q(1,F)).
  EXPECT_EQ(test::s(act_derivative_value(0, q(2, 12), Activation::kSigmoid, Rounding::kNearest, 0).value), "1024");
  EXPECT_EQ(test::s(act_derivative_value(0, q(2, 12), Activation::kTanh, Rounding::kNearest, 0).value), "4096");
  EXPECT_TRUE(act_derivative_value(0, q(1, 12), Activation::kTanh, Rounding::kNearest, 0).saturated);
  EXPECT_EQ(test::s(act_derivative_value(1, o, Activation::kRelu, Rounding::kNearest, 0).value), "1");
  EXPECT_EQ(test::s(act_derivative_value(0, o, Activation::kRelu, Rounding::kNearest, 0).value), "0");
}

TEST(ActDeriv, OperandsFitTheMultiplier) {
  // Both operands are < 2^F, so they fit a W-bit signed multiplier for any
  // I >= 1, and their product is sigma*(1 - sigma) exactly.
  std::mt19937_64 rng(test::seed("ActDeriv.OperandsFitTheMultiplier"));
  for (int rep = 0; rep < 100000; ++rep) {
    const int w = 3 + static_cast<int>(rng() % 30), f = 1 + static_cast<int>(rng() % static_cast<unsigned>(w - 1));
    const QFormat o = q(w - f, f);
    const Wide z = from_bits(rng(), w);
    for (Activation a : {Activation::kSigmoid, Activation::kTanh}) {
      const DerivOperands d = act_deriv(z, o, a);
      const Wide s = plan_sigmoid(a == Activation::kTanh ? 2 * z : z, f);
      ASSERT_LT(d.a, Wide{1} << f);
      ASSERT_LT(d.b, Wide{1} << f);
      ASSERT_EQ(test::s(d.a * d.b), test::s(s * ((Wide{1} << f) - s)));
    }
  }
}

TEST(FixedFormat, WrapAndBits) {
  for (int bits : {1, 2, 7, 33, 64, 100}) {
    const Wide max = (Wide{1} << (bits - 1)) - 1;
    EXPECT_EQ(test::s(wrap(max + 1, bits)), test::s(-(Wide{1} << (bits - 1))));
    EXPECT_EQ(test::s(from_bits(to_bits(-1, bits), bits)), "-1");
  }
  EXPECT_EQ(test::s(asr(-5, 1)), "-3");
  EXPECT_EQ(clog2(1), 0);
  EXPECT_EQ(clog2(784), 10);
  EXPECT_EQ(q(2, 12).name(), "Q(2,12)");
}

}  // namespace
}  // namespace taxonn
