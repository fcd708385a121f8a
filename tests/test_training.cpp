// The network model and its training (docs/CONTRACT.md 3): backprop checked
// against finite differences, the two fixed-point accumulators giving the
// same bits, the 64-bit rounder equal to taxonn::rq, determinism, and a few hundred steps of LeNet-5 on real data whose loss must fall.
#include <cmath>
#include <filesystem>
#include <fstream>
#include <random>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "dataset.hpp"
#include "io_util.hpp"
#include "network.hpp"
#include "test_util.hpp"

namespace taxonn {
namespace {
namespace fs = std::filesystem;

// A raw value of format f: one time in four a corner (min, max, 0, +-1),
// else random bits.
std::int32_t corner_or_random(std::mt19937_64& rng, const QFormat& f) {
  const std::int32_t corner[] = {static_cast<std::int32_t>(f.min_raw()), static_cast<std::int32_t>(f.max_raw()), 0, 1,
                                 -1};
  return rng() % 4 == 0 ? corner[rng() % 5] : static_cast<std::int32_t>(from_bits(rng(), f.width()));
}

// A small network with every layer kind: conv -> max pool -> conv -> avg pool
// -> fc -> fc, formats that differ between layers (so values are converted
// at every boundary), and the given activations and rounding.
Config small_config(const std::string& act_hidden, const std::string& act_out, const std::string& rounding) {
  const std::string text = fmt::format(R"({{
    "name": "small", "input_shape": {{"channels": 2, "height": 10, "width": 10}},
    "rounding": "{2}", "scratchpad_depth": 16, "alpha": 0.05,
    "lfsr": {{"width": 16, "polynomial": "0xB400", "seed": "0xACE1"}},
    "layers": [
      {{"name": "c1", "type": "conv", "out_channels": 3, "kernel": 3, "format": {{"int_bits": 3, "frac_bits": 11}}, "activation": "{0}"}},
      {{"name": "p1", "type": "pool", "kind": "max"}},
      {{"name": "c2", "type": "conv", "out_channels": 4, "kernel": 3, "format": {{"int_bits": 2, "frac_bits": 12}}, "activation": "{0}"}},
      {{"name": "p2", "type": "pool", "kind": "avg"}},
      {{"name": "f1", "type": "fc", "neurons": 6, "format": {{"int_bits": 2, "frac_bits": 10}}, "activation": "{0}"}},
      {{"name": "f2", "type": "fc", "neurons": 3, "format": {{"int_bits": 3, "frac_bits": 12}}, "activation": "{1}"}}
    ]}})",
                                       act_hidden, act_out, rounding);
  return parse_config(text, "small");
}

std::vector<std::uint8_t> random_images(std::size_t n, std::size_t size, std::mt19937_64& rng) {
  std::vector<std::uint8_t> v(n * size);
  for (auto& p : v) p = static_cast<std::uint8_t>(rng());
  return v;
}

TEST(Training, BackpropMatchesFiniteDifferences) {
  // In double arithmetic, one SGD step moves each weight by
  // -alpha * d(sum E^2 / 2)/dW: compare with central differences.
  for (const char* act : {"sigmoid", "tanh", "relu"}) {
    const Config c = small_config(act, "sigmoid", "nearest");
    std::mt19937_64 rng(test::seed(std::string("Training.BackpropMatchesFiniteDifferences.") + act));
    const auto img = random_images(1, 200, rng);
    const int label = 1;
    Network<FloatArithT<double>> base(c, 7);
    auto half_loss = [&](Network<FloatArithT<double>>& n) {
      n.forward(img.data());
      double l = 0;
      for (std::size_t j = 0; j < n.output().size(); ++j) {
        const double e = n.output()[j] - (static_cast<int>(j) == label ? 1.0 : 0.0);
        l += e * e / 2;
      }
      return l;
    };
    Network<FloatArithT<double>> stepped = base;
    stepped.train_step(img.data(), label);
    int checked = 0;
    for (std::size_t li = 0; li < c.layers.size(); ++li) {
      if (!c.layers[li].weighted()) continue;
      const double alpha = c.layers[li].alpha;
      for (std::size_t k = 0; k < base.layers()[li].w.size(); k += 7) {
        const double eps = 1e-6;
        Network<FloatArithT<double>> plus = base, minus = base;
        plus.layers()[li].w[k] += eps;
        minus.layers()[li].w[k] -= eps;
        const double numeric = (half_loss(plus) - half_loss(minus)) / (2 * eps);
        const double analytic = (base.layers()[li].w[k] - stepped.layers()[li].w[k]) / alpha;
        EXPECT_NEAR(analytic, numeric, 1e-6 + 1e-4 * std::fabs(numeric))
            << act << " layer " << c.layers[li].name << " weight " << k;
        ++checked;
      }
    }
    EXPECT_GT(checked, 20);
  }
}

TEST(Training, FixedSumsInDoubleGiveTheSameBits) {
  // FixedArithFast keeps products and sums in double where they are exact;
  // it must give FixedArith's weights and counters, bit for bit.
  for (const char* rnd : {"nearest", "truncate", "stochastic"}) {
    for (const char* act : {"relu", "sigmoid", "tanh"}) {
      const Config c = small_config(act, "identity", rnd);
      ASSERT_TRUE(fixed_fits_double(c));
      std::mt19937_64 rng(test::seed(fmt::format("Training.FixedSumsInDouble.{}.{}", rnd, act)));
      const auto imgs = random_images(150, 200, rng);
      Network<FixedArith> exact(c, 3);
      Network<FixedArithFast> fast(c, 3);
      for (int s = 0; s < 150; ++s) {
        const int label = static_cast<int>(rng() % 3);
        ASSERT_EQ(exact.train_step(&imgs[static_cast<std::size_t>(s) * 200], label),
                  fast.train_step(&imgs[static_cast<std::size_t>(s) * 200], label));
      }
      for (std::size_t li = 0; li < c.layers.size(); ++li) EXPECT_EQ(exact.layers()[li].w, fast.layers()[li].w);
      for (std::size_t a = 0; a < exact.arith_count(); ++a) {
        EXPECT_EQ(exact.arith(a).counters.saturations, fast.arith(a).counters.saturations);
        EXPECT_EQ(exact.arith(a).counters.underflows, fast.arith(a).counters.underflows);
        EXPECT_EQ(exact.arith(a).counters.roundings, fast.arith(a).counters.roundings);
      }
    }
  }
}

TEST(Training, FixedConvNetworkInDoubleGivesTheSameBits) {
  // The conv, pool and fc paths of cnn_small (both roundings), with a large
  // learning rate so updates saturate: the vectorized sums and the
  // branch-free update row against the int64 model, weights and counters.
  const std::string root = TAXONN_SOURCE_DIR;
  Config c = load_config(root + "/configs/cnn_small.json");
  for (auto& L : c.layers) L.alpha = 0.5;
  ASSERT_TRUE(fixed_fits_double(c));
  std::mt19937_64 rng(test::seed("Training.FixedConvNetworkInDouble"));
  const std::size_t size = static_cast<std::size_t>(c.input_shape.size());
  const auto imgs = random_images(120, size, rng);
  Network<FixedArith> exact(c, 5);
  Network<FixedArithFast> fast(c, 5);
  for (int s = 0; s < 120; ++s) {
    const int label = static_cast<int>(rng() % 3);
    ASSERT_EQ(exact.train_step(&imgs[static_cast<std::size_t>(s) * size], label),
              fast.train_step(&imgs[static_cast<std::size_t>(s) * size], label))
        << "step " << s;
  }
  std::uint64_t saturations = 0;
  for (std::size_t li = 0; li < c.layers.size(); ++li) EXPECT_EQ(exact.layers()[li].w, fast.layers()[li].w) << li;
  for (std::size_t a = 0; a < exact.arith_count(); ++a) {
    EXPECT_EQ(exact.arith(a).counters.saturations, fast.arith(a).counters.saturations) << a;
    EXPECT_EQ(exact.arith(a).counters.underflows, fast.arith(a).counters.underflows) << a;
    EXPECT_EQ(exact.arith(a).counters.roundings, fast.arith(a).counters.roundings) << a;
    saturations += exact.arith(a).counters.saturations;
  }
  EXPECT_GT(saturations, 0u) << "nothing saturated: the corner the update row's clamp handles went untested";
}

TEST(Training, FixedRounderIsTheContractsRq) {
  std::mt19937_64 rng(test::seed("Training.FixedRounderIsTheContractsRq"));
  for (Rounding m : {Rounding::kNearest, Rounding::kTruncate, Rounding::kStochastic}) {
    QFormat f;
    f.int_bits = 2;
    f.frac_bits = 12;
    f.rounding = m;
    const LfsrParams lp{16, 0xB400, 0xACE1};
    FixedArith a(f, Activation::kRelu, 0.01, lp);
    Lfsr ref(lp);
    for (int i = 0; i < 100000; ++i) {
      const std::int64_t x = static_cast<std::int64_t>(from_bits(rng(), 34));
      const SatResult want = rq(x, f.frac_bits, f, m, ref.state());
      if (m == Rounding::kStochastic) ref.step();
      ASSERT_EQ(a.round(x), static_cast<std::int32_t>(want.value)) << x;
    }
  }
}

TEST(Training, SkippedZeroUpdatesAreTheComputedOnes) {
  // fc_update skips a neuron with G = 0 (skip_exact_roundings): D = rq(0)
  // and W = rq(W * 2^F) computed per weight must leave every weight, every
  // counter and the LFSR where the skip does. Corner and random weights, a
  // sweep of formats, every rounding mode, both integer arithmetics.
  std::mt19937_64 rng(test::seed("Training.SkippedZeroUpdatesAreTheComputedOnes"));
  const LfsrParams lp{16, 0xB400, 0xACE1};
  for (const auto& [ib, fb] : {std::pair{1, 6}, {2, 12}, {3, 10}, {1, 15}, {5, 1}}) {
    for (Rounding m : {Rounding::kNearest, Rounding::kTruncate, Rounding::kStochastic}) {
      QFormat f;
      f.int_bits = ib;
      f.frac_bits = fb;
      f.rounding = m;
      auto check = [&](auto computed, auto skipped) {
        Lfsr own_c(lp), own_s(lp);
        for (int k = 0; k < 20; ++k) own_c.step(), own_s.step();
        computed.use(&own_c);
        skipped.use(&own_s);
        const int n = 1 + static_cast<int>(rng() % 50);
        for (int k = 0; k < n; ++k) {
          const std::int32_t corner[] = {static_cast<std::int32_t>(f.min_raw()),
                                         static_cast<std::int32_t>(f.max_raw()), 0, 1, -1};
          const std::int32_t w = rng() % 3 == 0 ? corner[rng() % 5]
                                                : static_cast<std::int32_t>(from_bits(rng(), f.width()));
          const std::int32_t x = static_cast<std::int32_t>(from_bits(rng(), f.width()));
          const auto d = computed.round(computed.mul(0, x));
          ASSERT_EQ(d, 0) << f.name();
          ASSERT_EQ(computed.update(w, d), w) << f.name() << " w " << w;
        }
        skipped.skip_exact_roundings(2L * n);
        EXPECT_EQ(own_c.state(), own_s.state()) << f.name();
        EXPECT_EQ(computed.counters.roundings, skipped.counters.roundings) << f.name();
        EXPECT_EQ(computed.counters.underflows, skipped.counters.underflows) << f.name();
        EXPECT_EQ(computed.counters.saturations, skipped.counters.saturations) << f.name();
      };
      check(FixedArith(f, Activation::kRelu, 0.01, lp), FixedArith(f, Activation::kRelu, 0.01, lp));
      check(FixedArithFast(f, Activation::kRelu, 0.01, lp), FixedArithFast(f, Activation::kRelu, 0.01, lp));
    }
  }
}

TEST(Training, UpdateRowIsTheScalarUpdate) {
  // FixedArithFast::update_row (branch-free, vectorized) against the int64
  // arithmetic's per-weight loop: corner values (min, max, 0, +-1) beside
  // random ones, a sweep of formats, both deterministic roundings, learning
  // rates that saturate; every weight and every counter.
  std::mt19937_64 rng(test::seed("Training.UpdateRowIsTheScalarUpdate"));
  const LfsrParams lp{16, 0xB400, 0xACE1};
  std::uint64_t saturated_products = 0;
  for (const auto& [ib, fb] : {std::pair{1, 6}, {2, 12}, {3, 10}, {4, 4}, {2, 20}, {5, 1}}) {
    for (Rounding m : {Rounding::kNearest, Rounding::kTruncate}) {
      for (double alpha : {0.01, 0.5, 1.0}) {
        QFormat f;
        f.int_bits = ib;
        f.frac_bits = fb;
        f.rounding = m;
        FixedArith exact(f, Activation::kRelu, alpha, lp);
        FixedArithFast fast(f, Activation::kRelu, alpha, lp);
        auto value = [&] { return corner_or_random(rng, f); };
        for (int row = 0; row < 200; ++row) {
          const int n = 1 + static_cast<int>(rng() % 40);
          const std::int32_t g = value();
          std::vector<std::int32_t> x(static_cast<std::size_t>(n)), w(x.size());
          for (int k = 0; k < n; ++k) {
            x[static_cast<std::size_t>(k)] = value();
            w[static_cast<std::size_t>(k)] = value();
          }
          std::vector<std::int32_t> want = w, got = w;
          for (int k = 0; k < n; ++k) {
            const std::size_t i = static_cast<std::size_t>(k);
            const std::uint64_t before = exact.counters.saturations;
            const std::int32_t d = exact.round(FixedArith::mul(g, x[i]));
            saturated_products += exact.counters.saturations - before;
            want[i] = exact.update(want[i], d);
          }
          fast.update_row(g, x.data(), got.data(), n);
          ASSERT_EQ(want, got) << fmt::format("Q({},{}) alpha {} g {}", ib, fb, alpha, g);
        }
        EXPECT_EQ(exact.counters.roundings, fast.counters.roundings);
        EXPECT_EQ(exact.counters.saturations, fast.counters.saturations) << fmt::format("Q({},{}) alpha {}", ib, fb, alpha);
        EXPECT_EQ(exact.counters.underflows, fast.counters.underflows) << fmt::format("Q({},{}) alpha {}", ib, fb, alpha);
      }
    }
  }
  EXPECT_GT(saturated_products, 0u) << "no product saturated: the step-3 clamp went untested";
}

TEST(Training, StochasticUpdateRowIsThePeOrderLoop) {
  // FixedArithFast::update_row_pe_order, stochastic (draws taken eight per
  // table lookup, the row in vector lanes when W <= 16), against the int64
  // arithmetic rounding one weight at a time in the PE's order (D0, D1, W0,
  // D2, W1, ...): corner values beside random ones, rows across the blocks
  // of eight, formats on both sides of W = 16, learning rates that
  // saturate; every weight, every counter, and where the LFSR ends.
  std::mt19937_64 rng(test::seed("Training.StochasticUpdateRowIsThePeOrderLoop"));
  const LfsrParams lp{16, 0xB400, 0xACE1};
  for (const auto& [ib, fb] : {std::pair{1, 6}, {2, 12}, {3, 10}, {1, 15}, {2, 20}}) {
    for (double alpha : {0.01, 0.5, 1.0}) {
      QFormat f;
      f.int_bits = ib;
      f.frac_bits = fb;
      f.rounding = Rounding::kStochastic;
      FixedArith exact(f, Activation::kRelu, alpha, lp);
      FixedArithFast fast(f, Activation::kRelu, alpha, lp);
      Lfsr lfsr_e(lp), lfsr_f(lp);
      exact.use(&lfsr_e);
      fast.use(&lfsr_f);
      auto value = [&] { return corner_or_random(rng, f); };
      for (int row = 0; row < 100; ++row) {
        const int n = 1 + static_cast<int>(rng() % 40);
        std::int32_t g = value();
        if (g == 0) g = 1;  // the caller skips G = 0 (skip_exact_roundings)
        std::vector<std::int32_t> x(static_cast<std::size_t>(n)), w(x.size());
        for (std::size_t k = 0; k < x.size(); ++k) {
          x[k] = value();
          w[k] = value();
        }
        std::vector<std::int32_t> want = w, got = w;
        std::int32_t d = exact.round(FixedArith::mul(g, x[0]));
        for (std::size_t k = 0; k < want.size(); ++k) {
          const std::int32_t next = k + 1 < want.size() ? exact.round(FixedArith::mul(g, x[k + 1])) : 0;
          want[k] = exact.update(want[k], d);
          d = next;
        }
        fast.update_row_pe_order(g, x.data(), got.data(), n);
        ASSERT_EQ(want, got) << fmt::format("Q({},{}) alpha {} g {} n {}", ib, fb, alpha, g, n);
        ASSERT_EQ(lfsr_e.state(), lfsr_f.state()) << fmt::format("Q({},{}) n {}", ib, fb, n);
      }
      EXPECT_EQ(exact.counters.roundings, fast.counters.roundings);
      EXPECT_EQ(exact.counters.saturations, fast.counters.saturations) << fmt::format("Q({},{}) alpha {}", ib, fb, alpha);
      EXPECT_EQ(exact.counters.underflows, fast.counters.underflows) << fmt::format("Q({},{}) alpha {}", ib, fb, alpha);
    }
  }
}

TEST(Training, ScaledRowsSumIsTheSumOfProducts) {
  // kern::scaled_rows_sum (register-blocked, vectorized) against the plain
  // sum in 128 bits: corner values (the widest W = 24's extremes, 0, +-1),
  // random ones, a sweep of sizes around the block (n = 1..40, m = 1..9) and
  // of strides, into double (where exact) and int64 alike.
  std::mt19937_64 rng(test::seed("Training.ScaledRowsSumIsTheSumOfProducts"));
  const std::int32_t corner[] = {-(1 << 23), (1 << 23) - 1, 0, 1, -1};
  auto value = [&](int bits) {
    return rng() % 4 == 0 ? corner[rng() % 5] : static_cast<std::int32_t>(from_bits(rng(), bits));
  };
  for (std::size_t n = 1; n <= 40; ++n) {
    for (std::size_t m = 1; m <= 9; m += 2) {
      for (std::size_t stride : {std::size_t{1}, std::size_t{3}}) {
        std::vector<std::int32_t> s(m * stride), rows(m * n);
        for (auto& v : s) v = value(24);
        for (auto& v : rows) v = value(24);
        std::vector<std::int64_t> got64(n), start(n);
        for (auto& v : start) v = static_cast<std::int64_t>(from_bits(rng(), 40));
        got64 = start;
        kern::scaled_rows_sum(got64.data(), s.data(), stride, rows.data(), m, n);
        // Double only while exact: 15-bit values (LeNet-5's formats), start below 2^40.
        std::vector<std::int32_t> s15(s.size()), rows15(rows.size());
        for (std::size_t i = 0; i < s.size(); ++i) s15[i] = s[i] >> 9;
        for (std::size_t i = 0; i < rows.size(); ++i) rows15[i] = rows[i] >> 9;
        std::vector<double> gotd(start.begin(), start.end());
        kern::scaled_rows_sum(gotd.data(), s15.data(), stride, rows15.data(), m, n);
        for (std::size_t q = 0; q < n; ++q) {
          Wide want = start[q], want15 = start[q];
          for (std::size_t k = 0; k < m; ++k) {
            want += Wide{s[k * stride]} * rows[k * n + q];
            want15 += Wide{s15[k * stride]} * rows15[k * n + q];
          }
          ASSERT_EQ(Wide{got64[q]}, want) << fmt::format("int64, n {} m {} stride {} q {}", n, m, stride, q);
          ASSERT_EQ(Wide{static_cast<std::int64_t>(gotd[q])}, want15)
              << fmt::format("double, n {} m {} stride {} q {}", n, m, stride, q);
        }
      }
    }
  }
}

TEST(Training, RowsDotIsTheSumOfProducts) {
  // kern::rows_dot (four rows per pass, vectorized) against the plain sums
  // in 128 bits: corner and random values, m = 1..9 rows (the four-row
  // passes and the rest), n = 1..40 (vector blocks and tails).
  std::mt19937_64 rng(test::seed("Training.RowsDotIsTheSumOfProducts"));
  const std::int32_t corner[] = {-(1 << 23), (1 << 23) - 1, 0, 1, -1};
  auto value = [&](int bits) {
    return rng() % 4 == 0 ? corner[rng() % 5] >> (24 - bits) : static_cast<std::int32_t>(from_bits(rng(), bits));
  };
  for (std::size_t n = 1; n <= 40; ++n) {
    for (std::size_t m = 1; m <= 9; ++m) {
      for (const int bits : {24, 15}) {
        std::vector<std::int32_t> v(n), rows(m * n);
        for (auto& x : v) x = value(bits);
        for (auto& x : rows) x = value(bits);
        std::vector<std::int64_t> got(m, -1);
        std::vector<double> gotd(m, -1);
        kern::rows_dot(got.data(), v.data(), rows.data(), m, n);
        if (bits == 15) kern::rows_dot(gotd.data(), v.data(), rows.data(), m, n);  // double only where exact
        for (std::size_t p = 0; p < m; ++p) {
          Wide want = 0;
          for (std::size_t q = 0; q < n; ++q) want += Wide{v[q]} * rows[p * n + q];
          ASSERT_EQ(Wide{got[p]}, want) << fmt::format("int64, W {} n {} m {} row {}", bits, n, m, p);
          if (bits == 15) {
            ASSERT_EQ(Wide{static_cast<std::int64_t>(gotd[p])}, want) << fmt::format("double, n {} m {} row {}", n, m, p);
          }
        }
      }
    }
  }
}

TEST(Training, SameSeedSameBitsOtherSeedOtherBits) {
  const Config c = small_config("relu", "identity", "nearest");
  std::mt19937_64 rng(1);
  const auto imgs = random_images(50, 200, rng);
  auto run = [&](std::uint64_t seed) {
    Network<FixedArith> n(c, seed);
    for (int s = 0; s < 50; ++s) n.train_step(&imgs[static_cast<std::size_t>(s) * 200], s % 3);
    return n.weights_json();
  };
  EXPECT_EQ(run(5), run(5));
  EXPECT_NE(run(5), run(6));
}

// A network within the config's ranges whose model would not fit in memory
// is refused before anything is allocated, with the number (never
// std::bad_alloc after minutes); the estimate grows with the layer.
TEST(Training, RefusesANetworkLargerThanMemoryUpFront) {
  const std::string root = TAXONN_SOURCE_DIR;
  Config c = load_config(root + "/configs/mlp_small.json");
  const std::uint64_t small = Network<FixedArith>::memory_bytes(c);
  EXPECT_GT(small, 0u);
  // A 4096 x 4096 input (the most values an input may have) into 65,536
  // neurons (the most an fc layer may have): a trillion weights.
  std::string text = read_text(root + "/configs/mlp_small.json");
  auto set = [&](const std::string& key, const std::string& value) {
    const auto at = text.find("\"" + key + "\"");
    ASSERT_NE(at, std::string::npos) << key;
    const auto colon = text.find(':', at), end = text.find_first_of(",}\n", colon);
    text.replace(colon + 1, end - colon - 1, " " + value);
  };
  set("height", "4096");
  set("width", "4096");
  set("neurons", "65536");
  const Config huge = parse_config(text, "huge");
  EXPECT_GT(Network<FixedArith>::memory_bytes(huge), std::uint64_t{1} << 40);
  try {
    Network<FixedArith> n(huge, 1);
    FAIL() << "a network of " << Network<FixedArith>::memory_bytes(huge) << " bytes was built";
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("GiB"), std::string::npos) << e.what();
  }
}

TEST(Training, WeightsSaveAndLoad) {
  const Config c = small_config("relu", "identity", "nearest");
  Network<FixedArith> a(c, 1), b(c, 2);
  b.load_weights(a.weights_json(), "mem");
  EXPECT_EQ(a.weights_json(), b.weights_json());
  Network<FloatArith> f(c, 1);
  EXPECT_THROW(f.load_weights(a.weights_json(), "mem"), ConfigError);  // fixed weights into float
  nlohmann::json out_of_range = a.weights_json();
  out_of_range["layers"][0]["weights"][0] = 1 << 20;  // c1 is Q(3,11): raw values fit 14 bits
  EXPECT_THROW(b.load_weights(out_of_range, "mem"), ConfigError);
}

// ---- real data ----

// MNIST from ../shared when the checkout has it, else Debian's Fashion-MNIST.
const DatasetPair* real_data() {
  static const DatasetPair* data = [] () -> const DatasetPair* {
    for (const char* name : {"mnist", "fashion-mnist"}) {
      try {
        static DatasetPair p = load_dataset(name, "");
        std::cout << "[ dataset  ] " << name << " from " << p.source << "\n";
        return &p;
      } catch (const DatasetError&) {
      }
    }
    return nullptr;
  }();
  return data;
}

template <class A>
void lenet_learns(const char* what) {
  const DatasetPair* data = real_data();
  if (!data) GTEST_SKIP() << "no MNIST in ../shared and no dataset-fashion-mnist installed (make installs it)";
  const Config c = load_config(std::string(TAXONN_SOURCE_DIR) + "/configs/lenet5_mnist.json");
  auto run = [&] {
    Network<A> net(c, 1);
    double first = 0, last = 0;
    const int steps = 400, window = 100;
    for (int s = 0; s < steps; ++s) {
      const double l = net.train_step(data->train.image(static_cast<std::size_t>(s)), data->train.labels[static_cast<std::size_t>(s)]);
      if (s < window) first += l / window;
      if (s >= steps - window) last += l / window;
    }
    return std::make_tuple(first, last, net.weights_json());
  };
  const auto [first, last, w1] = run();
  std::cout << "[ loss     ] " << what << ": mean of steps 0-99 " << first << ", of steps 300-399 " << last << "\n";
  EXPECT_LT(last, 0.8 * first) << what << ": the loss did not fall";
  EXPECT_EQ(std::get<2>(run()), w1) << what << ": two runs with one seed differ";
}

TEST(Training, LeNet5LossFallsFixed) { lenet_learns<FixedArithFast>("LeNet-5 fixed (Table I MNIST formats)"); }
TEST(Training, LeNet5LossFallsFloat) { lenet_learns<FloatArith>("LeNet-5 float"); }

}  // namespace
}  // namespace taxonn
