// The network-level rules of docs/CONTRACT.md 3 ("Network level: rules an
// independent implementation must follow"), one test each, computed here
// from the rule's text with 128-bit integers and compared with the golden
// network model: a change of the model that breaks a written rule fails
// here, and a rule that is not what the model does cannot be written.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <functional>
#include <random>
#include <regex>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "design.hpp"
#include "net_model.hpp"
#include "network.hpp"
#include "test_util.hpp"

namespace taxonn {
namespace {

// Rule 1: a value crossing a layer boundary is rounded by the receiving
// layer's mode, in the receiving layer's counters.
TEST(Contract, BoundaryConversionRoundsByTheReceivingLayersMode) {
  const LfsrParams lp{16, 0xB400, 0xACE1};
  QFormat narrow_nearest{2, 4, Rounding::kNearest}, narrow_trunc{2, 4, Rounding::kTruncate};
  QFormat wide_nearest{2, 8, Rounding::kNearest}, wide_trunc{2, 8, Rounding::kTruncate};
  FixedArith from_trunc(wide_trunc, Activation::kIdentity, 0.01, lp);
  FixedArith from_nearest(wide_nearest, Activation::kIdentity, 0.01, lp);
  FixedArith to_nearest(narrow_nearest, Activation::kIdentity, 0.01, lp);
  FixedArith to_trunc(narrow_trunc, Activation::kIdentity, 0.01, lp);
  // 8 at F = 8 is half an LSB of F = 4: a tie, which nearest takes up and truncate drops.
  EXPECT_EQ(to_nearest.convert(8, from_trunc), 1);
  EXPECT_EQ(to_trunc.convert(8, from_nearest), 0);
  EXPECT_EQ(to_nearest.convert(-8, from_trunc), 0);  // ties toward +inf
  EXPECT_EQ(to_trunc.convert(-8, from_nearest), -1);  // floor
  EXPECT_EQ(to_nearest.counters.roundings, 2u);
  EXPECT_EQ(from_trunc.counters.roundings, 0u);
  EXPECT_EQ(to_trunc.counters.underflows, 1u);  // 8 -> 0
}

Config two_fc(const std::string& input_format, const std::string& f1, const std::string& extra = "") {
  return parse_config(fmt::format(R"({{"name": "t", "input_shape": {{"channels": 1, "height": 4, "width": 4}},
      {} "rounding": "nearest", "alpha": 0.05, "scratchpad_depth": 16,
      "layers": [{{"name": "a", "type": "fc", "neurons": 3, "format": {}, "activation": "identity"}},
                 {{"name": "b", "type": "fc", "neurons": 2, "format": {{"int_bits": 3, "frac_bits": 10}},
                   "activation": "identity"}}]{}}})",
                                  input_format.empty() ? "" : "\"input_format\": " + input_format + ",", f1, extra),
                      "t");
}

// Rule 2: pixel p enters as raw = floor((p * 2^(F+1) + 255) / 510) in
// input_format (round(p / 255 * 2^F); p / 255 * 2^F is never a tie), is
// saturated there, uncounted, and then converted into the first layer.
TEST(Contract, SampleIsRoundedAndSaturatedInTheInputFormatFirst) {
  const Config c = two_fc(R"({"int_bits": 1, "frac_bits": 6})", R"({"int_bits": 2, "frac_bits": 8})");
  Network<FixedArith> n(c, 1);
  // Weights 0: z = 0 never saturates, so layer a's counters see only the sample.
  std::fill(n.layers()[0].w.begin(), n.layers()[0].w.end(), 0);
  std::vector<std::uint8_t> img(16);
  for (int p = 0; p < 256; p += 16) {
    for (std::size_t i = 0; i < img.size(); ++i) img[i] = static_cast<std::uint8_t>(std::min(255, p + static_cast<int>(i)));
    n.forward(img.data());
    for (std::size_t i = 0; i < img.size(); ++i) {
      const Wide q = (Wide{img[i]} * (Wide{1} << 7) + 255) / 510;  // Q(1,6), then saturated at 63
      const Wide want = std::min<Wide>(q, 63) << 2;                 // exact into Q(2,8)
      ASSERT_EQ(Wide{n.layers()[0].x[i]}, want) << fmt::format("pixel {}", img[i]);
    }
  }
  // Pixels of 255 saturated into Q(1,6) (1.0 does not fit): counted nowhere.
  EXPECT_EQ(n.arith(0).counters.saturations, 0u) << "the sample's saturation is not the first layer's";
}

// Rule 3: the accumulator's guard bits cover the largest exact sum, a conv
// weight gradient's sum over the OH x OW output positions included.
TEST(Contract, GuardBitsCoverTheConvWeightGradientSum) {
  const Config c = parse_config(R"({"name": "t", "input_shape": {"channels": 1, "height": 34, "width": 34},
      "rounding": "nearest", "alpha": 0.05, "scratchpad_depth": 4,
      "layers": [{"name": "c", "type": "conv", "out_channels": 1, "kernel": 3, "format": {"int_bits": 2, "frac_bits": 8},
                  "activation": "identity"},
                 {"name": "f", "type": "fc", "neurons": 2, "format": {"int_bits": 2, "frac_bits": 8},
                  "activation": "identity"}]})",
                                "t");
  // Forward fan-in 9, step 1's 2 neurons, depth 4: the 32 x 32 = 1024
  // positions of the weight gradient are the largest sum, 10 guard bits.
  EXPECT_EQ(pe_params(c, 0).guard_bits, 10);
}

// Two conv layers with identity activations (G = R1) and formats whose
// conversions are exact, for rules 4 and 5.
Config two_conv() {
  return parse_config(R"({"name": "t", "input_shape": {"channels": 2, "height": 7, "width": 6},
      "rounding": "nearest", "alpha": 0.05, "scratchpad_depth": 16,
      "layers": [{"name": "c1", "type": "conv", "out_channels": 3, "kernel": 2, "format": {"int_bits": 3, "frac_bits": 9},
                  "activation": "identity"},
                 {"name": "c2", "type": "conv", "out_channels": 2, "kernel": 3, "format": {"int_bits": 3, "frac_bits": 9},
                  "activation": "identity"},
                 {"name": "f", "type": "fc", "neurons": 3, "format": {"int_bits": 3, "frac_bits": 9},
                  "activation": "identity"}]})",
                      "t");
}

// A 2 x 7 x 6 sample of two_conv(), from the test's printed seed.
std::vector<std::uint8_t> random_sample(const std::string& test_name) {
  std::mt19937_64 rng(test::seed(test_name));
  std::vector<std::uint8_t> img(2 * 7 * 6);
  for (auto& p : img) p = static_cast<std::uint8_t>(rng());
  return img;
}

Wide rq_nearest(Wide x, int s, const QFormat& f) {
  const Wide r = (x + (Wide{1} << (s - 1))) >> s;
  return std::max(f.min_raw(), std::min(f.max_raw(), r));
}

// Rule 4: a conv layer's output is stored [c][y][x], and an fc layer reads
// its input vector in that order: x_fc[(c * OH + y) * OW + x] = Y[c][y][x],
// with Y[c][y][x] = rq(sum over ic, u, v of W[c][ic][u][v] X[ic][y+u][x+v]).
TEST(Contract, ConvOutputIsChannelRowColumnAndFcReadsItSo) {
  const Config c = two_conv();
  Network<FixedArith> n(c, 3);
  const auto img = random_sample("Contract.ConvOutputIsChannelRowColumn");
  n.forward(img.data());
  const auto& L = n.layers()[1];  // c2: input 3 x 6 x 5, output 2 x 4 x 3
  for (int oc = 0; oc < 2; ++oc)
    for (int y = 0; y < 4; ++y)
      for (int x = 0; x < 3; ++x) {
        Wide s = 0;
        for (int ic = 0; ic < 3; ++ic)
          for (int u = 0; u < 3; ++u)
            for (int v = 0; v < 3; ++v)
              s += Wide{L.w[static_cast<std::size_t>(((oc * 3 + ic) * 3 + u) * 3 + v)]} *
                   L.x[static_cast<std::size_t>((ic * 6 + y + u) * 5 + x + v)];
        const std::size_t o = static_cast<std::size_t>((oc * 4 + y) * 3 + x);
        ASSERT_EQ(Wide{L.y[o]}, rq_nearest(s, 9, c.layers[1].format)) << fmt::format("c2 Y[{}][{}][{}]", oc, y, x);
        ASSERT_EQ(n.layers()[2].x[o], L.y[o]) << fmt::format("fc input {} is not c2's Y[{}][{}][{}]", o, oc, y, x);
      }
}

// Rule 5: the input gradient of a conv layer is the transposed correlation
// R1[ic][i][j] = rq(sum over oc, u, v with 0 <= i-u < OH, 0 <= j-v < OW of
// G[oc][i-u][j-v] * W[oc][ic][u][v]), with W before its update, rounded once
// from 2F of the upper layer into the layer below.
TEST(Contract, ConvInputGradientIsTheTransposedCorrelation) {
  const Config c = two_conv();
  Network<FixedArith> n(c, 4);
  const auto img = random_sample("Contract.ConvInputGradient");
  const std::vector<std::int32_t> w_before = n.layers()[1].w;
  n.train_step(img.data(), 1);
  const auto& g2 = n.layers()[1].g;  // 2 x 4 x 3
  const auto& g1 = n.layers()[0].g;  // identity: G = R1, 3 x 6 x 5
  int nonzero = 0;
  for (int ic = 0; ic < 3; ++ic)
    for (int i = 0; i < 6; ++i)
      for (int j = 0; j < 5; ++j) {
        Wide s = 0;
        for (int oc = 0; oc < 2; ++oc)
          for (int u = 0; u < 3; ++u)
            for (int v = 0; v < 3; ++v) {
              if (i - u < 0 || i - u >= 4 || j - v < 0 || j - v >= 3) continue;
              s += Wide{g2[static_cast<std::size_t>((oc * 4 + i - u) * 3 + j - v)]} *
                   w_before[static_cast<std::size_t>(((oc * 3 + ic) * 3 + u) * 3 + v)];
            }
        const Wide got = g1[static_cast<std::size_t>((ic * 6 + i) * 5 + j)];
        nonzero += got != 0;
        ASSERT_EQ(got, rq_nearest(s, 9, c.layers[0].format)) << fmt::format("c1 R1[{}][{}][{}]", ic, i, j);
      }
  EXPECT_GT(nonzero, 10) << "the gradients were mostly 0: the check proved little";
}

// Rule 6: the loss train_step reports is sum_j E_j^2 of that one step, in
// real units, E = sat(Y - T) with T = 1 for the label and 0 elsewhere.
TEST(Contract, LossIsTheStepsSumOfSquaredErrors) {
  const Config c = two_fc("", R"({"int_bits": 2, "frac_bits": 8})");
  Network<FixedArith> n(c, 5);
  std::vector<std::uint8_t> img(16);
  for (std::size_t i = 0; i < img.size(); ++i) img[i] = static_cast<std::uint8_t>(17 * i);
  n.forward(img.data());
  const auto y = n.output();
  double want = 0;
  for (std::size_t j = 0; j < y.size(); ++j) {
    const Wide e_raw = std::max<Wide>(-4096, std::min<Wide>(4095, Wide{y[j]} - (j == 1 ? 1024 : 0)));  // sat to Q(3,10)
    const double e = std::ldexp(static_cast<double>(e_raw), -10);
    want += e * e;
  }
  EXPECT_EQ(n.train_step(img.data(), 1), want);
}

// Rule 7: which counter counts what. A pool has no format: its average's
// rounding (forward) and spreading (backward) count in the layer below; a
// conversion into a layer counts in that layer, one rounding per value
// unless the conversion is exact (same F, no fewer integer bits); every rq
// counts one rounding, a saturation when it clamps, an underflow when a
// non-zero value rounds to 0.
TEST(Contract, CountersBelongToTheLayerThatRounds) {
  const Config c = parse_config(R"({"name": "t", "input_shape": {"channels": 1, "height": 6, "width": 6},
      "rounding": "nearest", "alpha": 0.05, "scratchpad_depth": 16,
      "layers": [{"name": "c", "type": "conv", "out_channels": 2, "kernel": 3, "format": {"int_bits": 3, "frac_bits": 9},
                  "activation": "identity"},
                 {"name": "p", "type": "pool", "kind": "avg"},
                 {"name": "f", "type": "fc", "neurons": 3, "format": {"int_bits": 3, "frac_bits": 8},
                  "activation": "identity"}]})",
                                "t");
  Network<FixedArith> n(c, 6);
  std::vector<std::uint8_t> img(36, 200);
  n.forward(img.data());
  // c: 36 conversions of the sample (Q(3,9) from the default input format
  // Q(3,9): exact, none), 2 x 4 x 4 = 32 z roundings, 2 x 2 x 2 = 8 pool averages.
  EXPECT_EQ(n.arith(0).counters.roundings, 32u + 8u);
  // f: 8 conversions from F = 9 to F = 8, 3 z roundings.
  EXPECT_EQ(n.arith(1).counters.roundings, 8u + 3u);
}

TEST(Contract, TargetSaturationCountsInTheOutputLayer) {
  // Output Q(1,8): T = 1.0 does not fit (max 255/256). With every weight 0,
  // nothing else can saturate: Y = 0, E = -T fits, D = G * X = 0.
  Config c = two_fc("", R"({"int_bits": 2, "frac_bits": 8})");
  c.layers[1].format.int_bits = 1;
  c.layers[1].format.frac_bits = 8;
  Network<FixedArith> n(c, 7);
  for (auto& L : n.layers()) std::fill(L.w.begin(), L.w.end(), 0);
  std::vector<std::uint8_t> img(16, 100);
  n.train_step(img.data(), 0);
  EXPECT_EQ(n.arith(1).counters.saturations, 1u);
  EXPECT_EQ(n.arith(0).counters.saturations, 0u);
}

// relu_clip (CONTRACT 2): forward as ReLU; its derivative is the mask
// 0 < z < max, so a neuron whose z saturated at the format's maximum gets
// G = 0, where relu passes R1. A twin network with relu and the same weights
// shows the difference and that everything else is equal.
TEST(Contract, ReluClipDerivativeIsZeroWhereZSaturated) {
  const QFormat q{2, 8, Rounding::kNearest};
  EXPECT_FALSE(act_deriv(q.max_raw(), q, Activation::kReluClip).mask);
  EXPECT_TRUE(act_deriv(q.max_raw() - 1, q, Activation::kReluClip).mask);
  EXPECT_FALSE(act_deriv(0, q, Activation::kReluClip).mask);
  EXPECT_TRUE(act_deriv(q.max_raw(), q, Activation::kRelu).mask);
  Config clip = two_fc("", R"({"int_bits": 2, "frac_bits": 8})");
  clip.layers[0].activation = Activation::kReluClip;
  Config relu = clip;
  relu.layers[0].activation = Activation::kRelu;
  Network<FixedArith> a(clip, 8), b(relu, 8);
  // Large weights so that some of layer a's three z saturate at 2 - 2^-8.
  for (auto* n : {&a, &b}) {
    auto& w = n->layers()[0].w;
    for (std::size_t i = 0; i < w.size(); ++i) w[i] = static_cast<std::int32_t>(i % 3 == 0 ? 200 : (i % 3 == 1 ? -30 : 20));
  }
  std::vector<std::uint8_t> img(16, 255);
  a.train_step(img.data(), 0);
  b.train_step(img.data(), 0);
  const auto& La = a.layers()[0];
  const auto& Lb = b.layers()[0];
  ASSERT_EQ(La.z, Lb.z);
  int saturated = 0;
  for (std::size_t j = 0; j < La.z.size(); ++j) {
    if (La.z[j] == q.max_raw()) {
      ++saturated;
      EXPECT_EQ(La.g[j], 0) << "neuron " << j << ": z saturated, G must be 0";
      EXPECT_NE(Lb.g[j], 0) << "neuron " << j << ": relu passes R1 (the test needs a non-zero R1)";
    } else {
      EXPECT_EQ(La.g[j], Lb.g[j]) << "neuron " << j;
    }
  }
  EXPECT_GT(saturated, 0) << "no z saturated: the test proved nothing";
}

// Rule 7 (CONTRACT 3, network rule 7): a layer with `bias` adds b * 2^F to its exact sum before z's one
// rounding (fc: per neuron; conv: per output channel, at every position);
// the update, after the weights', is b = rq(b * 2^F + (-alpha) * D_b) with
// D_b = G[j] (fc) or D_b = sat(sum over y, x of G[oc][y][x]) (conv: the
// exact sum saturated into the format, no rounding), -alpha as in step 4.
TEST(Contract, BiasIsAddedAtTwoFAndUpdatedFromItsGradient) {
  Config c = two_conv();
  for (auto& L : c.layers) L.bias = true;
  Network<FixedArith> n(c, 9);
  std::mt19937_64 rng(test::seed("Contract.BiasIsAddedAtTwoF"));
  for (auto& L : n.layers())
    for (auto& b : L.b) b = static_cast<std::int32_t>(rng() % 801) - 400;  // within Q(3,9)
  const auto img = random_sample("Contract.BiasIsAddedAtTwoF");
  const auto b_before = n.layers()[1].b;
  const auto fb_before = n.layers()[2].b;
  const auto w_before = n.layers()[1].w;
  n.train_step(img.data(), 2);
  const QFormat& q = c.layers[1].format;
  const Wide neg_alpha = -std::llround(0.05 * 512);  // alpha = round(0.05 * 2^9)
  // Forward of c2 (identity: Y = z), from its input and the weights before the update.
  const auto& L = n.layers()[1];  // input 3 x 6 x 5, output 2 x 4 x 3
  for (int oc = 0; oc < 2; ++oc)
    for (int p = 0; p < 12; ++p) {
      const int y = p / 3, x = p % 3;
      Wide s = Wide{b_before[static_cast<std::size_t>(oc)]} << 9;
      for (int ic = 0; ic < 3; ++ic)
        for (int u = 0; u < 3; ++u)
          for (int v = 0; v < 3; ++v)
            s += Wide{w_before[static_cast<std::size_t>(((oc * 3 + ic) * 3 + u) * 3 + v)]} *
                 L.x[static_cast<std::size_t>((ic * 6 + y + u) * 5 + x + v)];
      ASSERT_EQ(Wide{L.z[static_cast<std::size_t>(oc * 12 + p)]}, rq_nearest(s, 9, q)) << "c2 z " << oc << " " << p;
    }
  // The conv update: D_b = sat(sum of G), then b = rq(b * 2^F - alpha * D_b).
  int moved = 0;
  for (int oc = 0; oc < 2; ++oc) {
    Wide g = 0;
    for (int p = 0; p < 12; ++p) g += L.g[static_cast<std::size_t>(oc * 12 + p)];
    const Wide d = std::max(q.min_raw(), std::min(q.max_raw(), g));
    const Wide want = rq_nearest((Wide{b_before[static_cast<std::size_t>(oc)]} << 9) + neg_alpha * d, 9, q);
    EXPECT_EQ(Wide{L.b[static_cast<std::size_t>(oc)]}, want) << "c2 bias " << oc;
    moved += want != b_before[static_cast<std::size_t>(oc)];
  }
  // The fc update: D_b = G[j].
  const auto& F = n.layers()[2];
  for (int j = 0; j < 3; ++j) {
    const Wide want = rq_nearest((Wide{fb_before[static_cast<std::size_t>(j)]} << 9) +
                                     neg_alpha * F.g[static_cast<std::size_t>(j)], 9, q);
    EXPECT_EQ(Wide{F.b[static_cast<std::size_t>(j)]}, want) << "f bias " << j;
    moved += want != fb_before[static_cast<std::size_t>(j)];
  }
  EXPECT_GT(moved, 2) << "the biases hardly moved: the check proved little";
}

// One stochastic rounder of rule 8, from the text: the Galois LFSR of
// section 2 (16 bits, polynomial 0xB400), started at seed(salt) of the
// default seed 0xACE1; rq adds the state's low bits, shifts, saturates, and
// the LFSR advances.
struct Draws {
  std::uint32_t s;
  explicit Draws(std::uint32_t salt) : s(lfsr_salted_seed(0xACE1, salt, 16)) {}
  Wide rq(Wide x, int shift, const QFormat& q) {
    const Wide r = (x + static_cast<Wide>(s & ((1u << shift) - 1))) >> shift;
    s = (s & 1u) ? ((s >> 1) ^ 0xB400u) : (s >> 1);
    return std::max(q.min_raw(), std::min(q.max_raw(), r));
  }
};

// Rule 8: stochastic rounding in a network, computed from the rule's text:
// each rounder's LFSR starts at the salted seed and draws in its own order.
// Layer a (fc, sigmoid, stochastic, a bias, 3 neurons on 2 PEs: the second
// pass has an idle PE) under an output layer b (identity, nearest) whose
// step-1 sums drop bits entering a (R1's conversion, unit 4).
TEST(Contract, StochasticRoundersDrawInTheirOwnOrder) {
  // The seed mix of the text, worked by hand for one salt: seed 0xACE1, salt 1.
  {
    std::uint32_t h = 0xACE1u ^ (1u * 0x9E3779B1u);
    h = (h ^ (h >> 16)) * 0x85EBCA6Bu;
    h ^= h >> 13;
    EXPECT_EQ(lfsr_salted_seed(0xACE1, 1, 16), h & 0xFFFFu);
    EXPECT_EQ(lfsr_salted_seed(0xACE1, 0, 16), 0xACE1u);
  }
  Config c = parse_config(R"({"name": "t", "input_shape": {"channels": 1, "height": 1, "width": 4},
      "rounding": "nearest", "alpha": 0.125, "scratchpad_depth": 16,
      "layers": [{"name": "a", "type": "fc", "neurons": 3, "pes": 2, "bias": true,
                  "format": {"int_bits": 3, "frac_bits": 6, "rounding": "stochastic"}, "activation": "sigmoid"},
                 {"name": "b", "type": "fc", "neurons": 2, "format": {"int_bits": 3, "frac_bits": 8},
                  "activation": "identity"}]})",
                                "t");
  Network<FixedArith> n(c, 11);
  auto& A = n.layers()[0];
  for (std::size_t j = 0; j < A.b.size(); ++j) A.b[j] = static_cast<std::int32_t>(5 * j) - 4;
  const std::vector<std::int32_t> wa = A.w, ba = A.b, wb = n.layers()[1].w;
  const std::vector<std::uint8_t> img = {12, 200, 77, 255};
  n.train_step(img.data(), 1);

  const QFormat qa = c.layers[0].format, qb = c.layers[1].format;
  const int fa = qa.frac_bits, fb = qb.frac_bits;
  const std::uint32_t base = 1u << 20;  // layer 0
  Draws pe[2] = {Draws(base + (1u << 16)), Draws(base + (1u << 16) + 1)};
  Draws g_unit(base + 1), r1_conv(base + 4);
  // Forward of a: the sample in a's format (input_format follows it; nothing dropped).
  std::vector<Wide> x(4), z(3), y(3), fd(3);
  for (int k = 0; k < 4; ++k) x[static_cast<std::size_t>(k)] = (Wide{img[static_cast<std::size_t>(k)]} * (Wide{1} << (fa + 1)) + 255) / 510;
  for (int j = 0; j < 3; ++j) {
    Wide s = Wide{ba[static_cast<std::size_t>(j)]} << fa;
    for (int k = 0; k < 4; ++k) s += Wide{wa[static_cast<std::size_t>(j * 4 + k)]} * x[static_cast<std::size_t>(k)];
    Draws& d = pe[j % 2];
    const std::size_t o = static_cast<std::size_t>(j);
    z[o] = d.rq(s, fa, qa);
    y[o] = act(z[o], qa, Activation::kSigmoid).value;
    const DerivOperands op = act_deriv(z[o], qa, Activation::kSigmoid);
    fd[o] = d.rq(Wide{op.a} * op.b, fa, qa);  // sigmoid: post-shift 0
    ASSERT_EQ(Wide{A.z[o]}, z[o]) << "z of neuron " << j;
  }
  // b (nearest): y converted into b (F 6 -> 8: exact), identity, E = sat(Y - T).
  std::vector<Wide> gb(2);
  for (int j = 0; j < 2; ++j) {
    Wide s = 0;
    for (int k = 0; k < 3; ++k) s += Wide{wb[static_cast<std::size_t>(j * 3 + k)]} * (y[static_cast<std::size_t>(k)] << (fb - fa));
    const Wide zb = rq_nearest(s, fb, qb);
    gb[static_cast<std::size_t>(j)] = std::max(qb.min_raw(), std::min(qb.max_raw(), zb - (j == 1 ? Wide{1} << fb : 0)));
  }
  // R1 into a: step 1's sums at 2 * 8 bits, 10 dropped by R1's conversion; then G.
  std::vector<Wide> ga(3);
  for (int k = 0; k < 3; ++k) {
    Wide s = 0;
    for (int j = 0; j < 2; ++j) s += gb[static_cast<std::size_t>(j)] * wb[static_cast<std::size_t>(j * 3 + k)];
    const Wide r1 = r1_conv.rq(s, 2 * fb - fa, qa);
    ga[static_cast<std::size_t>(k)] = g_unit.rq(r1 * fd[static_cast<std::size_t>(k)], fa, qa);
    ASSERT_EQ(Wide{A.g[static_cast<std::size_t>(k)]}, ga[static_cast<std::size_t>(k)]) << "G of neuron " << k;
  }
  // Update of a: PE j mod 2 draws D0, D1, W0, D2, W1, D3, W2, W3, then b.
  const Wide neg_alpha = -std::llround(0.125 * 64);
  for (int j = 0; j < 3; ++j) {
    Draws& d = pe[j % 2];
    const Wide g = ga[static_cast<std::size_t>(j)];
    std::vector<Wide> dk(4);
    auto w_at = [&](int k) { return Wide{wa[static_cast<std::size_t>(j * 4 + k)]}; };
    dk[0] = d.rq(g * x[0], fa, qa);
    for (int k = 0; k < 4; ++k) {
      if (k + 1 < 4) dk[static_cast<std::size_t>(k + 1)] = d.rq(g * x[static_cast<std::size_t>(k + 1)], fa, qa);
      const Wide w = d.rq((w_at(k) << fa) + neg_alpha * dk[static_cast<std::size_t>(k)], fa, qa);
      EXPECT_EQ(Wide{A.w[static_cast<std::size_t>(j * 4 + k)]}, w) << "W[" << j << "][" << k << "]";
    }
    const Wide b = d.rq((Wide{ba[static_cast<std::size_t>(j)]} << fa) + neg_alpha * g, fa, qa);
    EXPECT_EQ(Wide{A.b[static_cast<std::size_t>(j)]}, b) << "b[" << j << "]";
  }
}

// Rule 8 for a conv layer: its drain emits the outputs pass by pass, pixel
// by pixel, column by column, so the f' unit (unit 2) draws in that order,
// and so does the conversion into the layer above (its unit 3). Layer a:
// conv, 3 filters on 2 columns (a partial second pass), 2x2 on 3x3,
// sigmoid, stochastic Q(3,6); layer b: fc, stochastic Q(3,4), so each y
// drops 2 bits on its way up.
TEST(Contract, ConvDrainDrawsPassByPassPixelByPixel) {
  Config c = parse_config(R"({"name": "t", "input_shape": {"channels": 1, "height": 3, "width": 3},
      "rounding": "nearest", "alpha": 0.125, "scratchpad_depth": 16,
      "layers": [{"name": "a", "type": "conv", "out_channels": 3, "kernel": 2, "array": {"rows": 2, "cols": 2},
                  "format": {"int_bits": 3, "frac_bits": 6, "rounding": "stochastic"}, "activation": "sigmoid"},
                 {"name": "b", "type": "fc", "neurons": 2,
                  "format": {"int_bits": 3, "frac_bits": 4, "rounding": "stochastic"}, "activation": "identity"}]})",
                                "t");
  Network<FixedArith> n(c, 5);
  const std::vector<std::uint8_t> img = {12, 200, 77, 255, 3, 90, 160, 41, 230};
  n.forward(img.data());
  const auto& A = n.layers()[0];
  const auto& B = n.layers()[1];
  const QFormat qa = c.layers[0].format, qb = c.layers[1].format;
  Draws fd_unit((1u << 20) + 2), x_conv((2u << 20) + 3);
  std::vector<int> order;
  for (int pass = 0; pass < 2; ++pass)
    for (int px = 0; px < 4; ++px)
      for (int col = 0; col < 2 && pass * 2 + col < 3; ++col) order.push_back((pass * 2 + col) * 4 + px);
  ASSERT_EQ(order.size(), 12u);
  EXPECT_EQ(order[1], 4);  // pixel 0 of channel 1 follows pixel 0 of channel 0: not index order
  for (int o : order) {
    const auto i = static_cast<std::size_t>(o);
    const DerivOperands op = act_deriv(A.z[i], qa, Activation::kSigmoid);
    EXPECT_EQ(Wide{A.fd[i]}, fd_unit.rq(Wide{op.a} * op.b, qa.frac_bits, qa)) << "f' of output " << o;
    const Wide y = act(A.z[i], qa, Activation::kSigmoid).value;
    EXPECT_EQ(Wide{B.x[i]}, x_conv.rq(y, qa.frac_bits - qb.frac_bits, qb)) << "x of b, input " << o;
  }
}

// Rule 8 through a max pool: the pool sends window (c, y, x) up when its
// input (c, 2y+1, 2x+1) arrives from the conv drain, so the conversion into
// the layer above draws in that order; back, the conv's G unit gets only the
// windows' winners (in window order) and draws for nothing else, whose G is 0.
TEST(Contract, MaxPoolPassesTheDrainOrderAndGivesGOnlyToWinners) {
  Config c = parse_config(R"({"name": "t", "input_shape": {"channels": 1, "height": 5, "width": 5},
      "rounding": "nearest", "alpha": 0.125, "scratchpad_depth": 16,
      "layers": [{"name": "a", "type": "conv", "out_channels": 3, "kernel": 2, "array": {"rows": 2, "cols": 2},
                  "format": {"int_bits": 3, "frac_bits": 6, "rounding": "stochastic"}, "activation": "sigmoid"},
                 {"name": "p", "type": "pool", "kind": "max"},
                 {"name": "b", "type": "fc", "neurons": 2,
                  "format": {"int_bits": 3, "frac_bits": 4, "rounding": "stochastic"}, "activation": "identity"}]})",
                                "t");
  Network<FixedArith> n(c, 9);
  std::vector<std::uint8_t> img(25);
  for (std::size_t i = 0; i < img.size(); ++i) img[i] = static_cast<std::uint8_t>((i * 73 + 11) % 256);
  n.train_step(img.data(), 1);
  const auto& A = n.layers()[0];
  const auto& Pl = n.layers()[1];
  const auto& B = n.layers()[2];
  const QFormat qa = c.layers[0].format, qb = c.layers[2].format;
  // Forward: the drain's order over a's 3 x 4 x 4 outputs; window (c, y, x)
  // leaves as input (c, 2y+1, 2x+1) arrives; b's conversion draws then.
  Draws x_conv((3u << 20) + 3);
  int sent = 0;
  for (int pass = 0; pass < 2; ++pass)
    for (int px = 0; px < 16; ++px)
      for (int col = 0; col < 2 && pass * 2 + col < 3; ++col) {
        const int ch = pass * 2 + col, y = px / 4, x = px % 4;
        if (y % 2 == 0 || x % 2 == 0) continue;
        const auto o = static_cast<std::size_t>((ch * 2 + y / 2) * 2 + x / 2);
        EXPECT_EQ(Wide{B.x[o]}, x_conv.rq(Pl.y[o], qa.frac_bits - qb.frac_bits, qb)) << "x of b, window " << o;
        ++sent;
      }
  EXPECT_EQ(sent, 12);
  // Back: a's G unit draws for the winners only, window by window.
  Draws g_unit((1u << 20) + 1);
  std::vector<Wide> want(48, 0);
  std::vector<std::size_t> order;
  for (int o = 0; o < 12; ++o) {
    const int ch = o / 4, y = 2 * ((o / 2) % 2) + Pl.arg[static_cast<std::size_t>(o)] / 2,
              x = 2 * (o % 2) + Pl.arg[static_cast<std::size_t>(o)] % 2;
    const auto j = static_cast<std::size_t>((ch * 4 + y) * 4 + x);
    want[j] = g_unit.rq(Wide{Pl.g[static_cast<std::size_t>(o)]} * A.fd[j], qa.frac_bits, qa);
    order.push_back(j);
  }
  // The case must tell window order from index order: drawing in index
  // order gives other G.
  std::vector<Wide> by_index(48, 0);
  Draws g_index((1u << 20) + 1);
  std::vector<std::size_t> sorted = order;
  std::sort(sorted.begin(), sorted.end());
  for (std::size_t j : sorted) {
    const auto o = static_cast<std::size_t>(std::find(order.begin(), order.end(), j) - order.begin());
    by_index[j] = g_index.rq(Wide{Pl.g[o]} * A.fd[j], qa.frac_bits, qa);
  }
  EXPECT_NE(by_index, want) << "the draws' order made no difference here: pick another sample";
  for (std::size_t j = 0; j < 48; ++j) EXPECT_EQ(Wide{A.g[j]}, want[j]) << "G of output " << j;
}

// The RTL has relu_clip: the generated defines name it, and the network
// plan gives it ReLU's one f' cycle (CONTRACT 4, d).
TEST(Contract, RtlHasReluClipWithReluTiming) {
  Config c = two_fc("", R"({"int_bits": 2, "frac_bits": 8})");
  c.layers[0].activation = Activation::kReluClip;
  bool defined = false;
  const std::regex def(R"(`define TAXONN_ACT_RELU_CLIP +4\n)");
  for (const auto& f : generate_design(c)) defined |= std::regex_search(f.content, def);
  EXPECT_TRUE(defined) << "taxonn_defs.vh does not define TAXONN_ACT_RELU_CLIP";
  Config r = c;
  r.layers[0].activation = Activation::kRelu;
  EXPECT_EQ(net_cycles(net_phases(net_hw(c), true)), net_cycles(net_phases(net_hw(r), true)));
}

}  // namespace
}  // namespace taxonn
