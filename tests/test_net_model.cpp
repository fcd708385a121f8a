// The network's hardware shape and cycle model (golden_model/core/net_model.cpp,
// docs/network.md): where weights live, the controller's phase order, the
// cycles of each phase for unfolded and folded layers, and the configs the
// network RTL refuses with the field named. The RTL is held to these numbers
// by tb_net on every step.
#include <set>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "net_model.hpp"

namespace taxonn {
namespace {

Config mlp(int pes1, int pes2, const char* act1 = "sigmoid", const char* rnd = "nearest") {
  return parse_config(fmt::format(R"({{
    "name": "t", "input_shape": {{"channels": 1, "height": 1, "width": 20}},
    "rounding": "{}", "scratchpad_depth": 8, "alpha": 0.0625,
    "layers": [
      {{"name": "h", "type": "fc", "neurons": 7, "pes": {}, "format": {{"int_bits": 2, "frac_bits": 10}}, "activation": "{}"}},
      {{"name": "o", "type": "fc", "neurons": 3, "pes": {}, "format": {{"int_bits": 3, "frac_bits": 9}}, "activation": "identity"}}
    ]}})", rnd, pes1, act1, pes2), "t.json");
}

TEST(NetModel, ShapeAndWeightPlacement) {
  const auto hw = net_hw(mlp(3, 3));
  ASSERT_EQ(hw.size(), 2u);
  EXPECT_EQ(hw[0].t, 3);       // ceil(7 / 3)
  EXPECT_EQ(hw[0].p_last, 1);  // 7 = 3 + 3 + 1
  EXPECT_EQ(hw[0].depth(), 60);
  EXPECT_EQ(hw[1].t, 1);
  EXPECT_EQ(hw[1].k, 7);
  // Neuron j in PE j mod P at word (j div P) * K + k: every weight has its own place.
  std::set<std::pair<int, int>> seen;
  for (std::size_t f = 0; f < hw[0].weights(); ++f) {
    const auto at = hw[0].loc(f);
    EXPECT_LT(at.pe, hw[0].p);
    EXPECT_LT(at.addr, hw[0].depth());
    EXPECT_TRUE(seen.insert({at.pe, at.addr}).second);
  }
  EXPECT_EQ(hw[0].loc(5 * 20 + 4).pe, 2);          // neuron 5: PE 5 mod 3
  EXPECT_EQ(hw[0].loc(5 * 20 + 4).addr, 20 + 4);   // pass 1, input 4
  EXPECT_EQ(hw[0].tree_width, 2 * 12 + 3 + 1);  // 2W + clog2(7) + 1
  EXPECT_EQ(hw[0].pe.guard_bits, 6);            // clog2(60 scratchpad words)
}

TEST(NetModel, PhaseOrderAndCycles) {
  const auto hw = net_hw(mlp(7, 3));
  const auto train = net_phases(hw, true);
  std::string order;
  for (const auto& p : train) order += p.name() + " ";
  EXPECT_EQ(order, "0.fwd 1.fwd 1.loss 1.backprop 1.update 0.update ");
  // FWD: K + 1 + f' + N;  LOSS: N;  STEP1: K + 1;  UPDATE: 2K + 2 (unfolded).
  EXPECT_EQ(train[0].cycles, 20 + 1 + 2 + 7);
  EXPECT_EQ(train[1].cycles, 7 + 1 + 0 + 3);
  EXPECT_EQ(train[2].cycles, 3);
  EXPECT_EQ(train[3].cycles, 7 + 1);
  EXPECT_EQ(train[4].cycles, 2 * 7 + 2);
  EXPECT_EQ(train[5].cycles, 2 * 20 + 2);
  // An UPDATE runs in the background: the next phase starts one cycle after
  // it does, and the step ends with the last busy cycle (taxonn_net_ctrl).
  EXPECT_EQ(net_cycles(train), 30 + 11 + 3 + 8 + 1 + 42);
  EXPECT_EQ(net_cycles(net_phases(hw, false)), 30 + 11);  // inference: back to back
  EXPECT_EQ(net_phases(hw, false).size(), 2u);  // inference: the forward phases only
  // ReLU takes one f' cycle.
  EXPECT_EQ(net_phases(net_hw(mlp(7, 3, "relu")), true)[0].cycles, 20 + 1 + 1 + 7);
}

TEST(NetModel, FoldingRepeatsThePassNotTheDrain) {
  // 7 neurons on 3 PEs: 3 passes of the MACs, but each neuron is drained once.
  const auto hw = net_hw(mlp(3, 1));
  const auto ph = net_phases(hw, true);
  EXPECT_EQ(ph[0].cycles, 3 * (20 + 1 + 2) + 7);
  EXPECT_EQ(ph[1].cycles, 3 * (7 + 1) + 3);
  EXPECT_EQ(ph[3].cycles, 3 * (7 + 1));       // step 1 of the output layer: 3 passes of its 1 PE
  EXPECT_EQ(ph[5].cycles, 3 * (2 * 20 + 2));  // update of the hidden layer
}

TEST(NetModel, RefusesWhatTheRtlDoesNotCover) {
  auto expect_refused = [](const Config& c, const char* needle) {
    std::string why;
    EXPECT_FALSE(net_supported(c, &why));
    EXPECT_NE(why.find(needle), std::string::npos) << why;
    EXPECT_EQ(why.find('\n'), std::string::npos) << why;
  };
  EXPECT_TRUE(net_supported(mlp(7, 3, "sigmoid", "stochastic")));  // CONTRACT 3, rule 8
  Config conv_last = load_config(std::string(TAXONN_SOURCE_DIR) + "/configs/cnn_small.json");
  conv_last.layers.resize(4);
  expect_refused(conv_last, "layers[3].type");
  // Average pooling over a stochastic layer: its draws have no order yet.
  Config avg_stoch = load_config(std::string(TAXONN_SOURCE_DIR) + "/configs/cnn_small.json");
  avg_stoch.layers[0].format.rounding = Rounding::kStochastic;  // conv1, under pool1 (avg)
  expect_refused(avg_stoch, "layers[1].kind");

  EXPECT_TRUE(net_supported(mlp(7, 3)));
  EXPECT_TRUE(net_supported(load_config(std::string(TAXONN_SOURCE_DIR) + "/configs/lenet5_mnist.json")));
}

// LeNet-5 on MNIST: the shapes, the conv array and pooling layers, and the
// cycle formulas of taxonn_conv_layer / taxonn_pool_layer.
TEST(NetModel, LenetShapesAndConvCycles) {
  const auto hw = net_hw(load_config(std::string(TAXONN_SOURCE_DIR) + "/configs/lenet5_mnist.json"));
  ASSERT_EQ(hw.size(), 7u);
  const NetLayerHw& c1 = hw[0];
  const NetLayerHw& p1 = hw[1];
  const NetLayerHw& c2 = hw[2];
  EXPECT_EQ(c1.type, LayerType::kConv);
  EXPECT_EQ(c1.rows, 5);          // one array row per filter row
  EXPECT_EQ(c1.p, 6);             // one column per filter
  EXPECT_EQ(c1.pes(), 30);
  EXPECT_EQ(c1.depth(), 1 * 5);   // IC * k words per PE
  EXPECT_EQ(c1.n, 6 * 24 * 24);
  EXPECT_EQ(p1.type, LayerType::kPool);
  EXPECT_EQ(p1.n, 6 * 12 * 12);
  EXPECT_EQ(c2.depth(), 6 * 5);
  EXPECT_EQ(c2.pes(), 80);
  EXPECT_GE(c1.pe.guard_bits, 10);  // the weight gradient sums 576 products
  const auto ph = net_phases(hw, true);
  std::string order;
  for (const auto& p : ph) order += p.name() + " ";
  EXPECT_EQ(order, "0.fwd 1.fwd 2.fwd 3.fwd 4.fwd 5.fwd 6.fwd 6.loss 6.backprop 6.update 5.backprop 5.update "
                   "4.backprop 4.update 3.backprop 2.backprop 2.update 1.backprop 0.update ");
  // conv1 FWD: the drain (6 outputs per 5-cycle pixel) sets the pace: its
  // first output in cycle 7 (5 MACs, the z write), then one per cycle.
  EXPECT_EQ(ph[0].cycles, 7 + 3456 - 1);
  EXPECT_EQ(ph[2].cycles, 64 * 30 + 1 + 16);         // conv2 FWD: the MACs set it; the last pixel's 16 after the tail
  EXPECT_EQ(ph[1].cycles, 2);                         // pool1 FWD: pooled beside conv1's drain; the last window pooled, leaving
  EXPECT_EQ(ph[15].cycles, 864 * 5 + 1);              // conv2 STEP1: inputs x k, tail
  EXPECT_EQ(ph[16].cycles, 30 * (64 + 2) + 1);        // conv2 UPDATE: IC*k weights x (pixels + D + W)
  EXPECT_EQ(ph[17].cycles, 864);                      // pool1 (max) routes one window per cycle
  EXPECT_EQ(ph[18].cycles, 5 * (576 + 2) + 1);        // conv1 UPDATE
  // Conv weight [oc][ic][u][v] sits in PE u * P + oc mod P at word (oc div P) * IC*k + ic * k + v.
  const auto at = c2.loc(((7 * 6 + 4) * 5 + 3) * 5 + 2);
  EXPECT_EQ(at.pe, 3 * 16 + 7);
  EXPECT_EQ(at.addr, 4 * 5 + 2);
}

TEST(NetModel, ConvFoldingAndPlacement) {
  const auto hw = net_hw(load_config(std::string(TAXONN_SOURCE_DIR) + "/configs/cnn_small.json"));
  const NetLayerHw& c1 = hw[0];  // 3 filters on 2 columns: 2 passes; a bias
  EXPECT_EQ(c1.t, 2);
  EXPECT_EQ(c1.bias, 1);
  EXPECT_EQ(c1.depth(), 2 * (1 * 3 + 1));  // per pass IC * k weights and the bias word
  std::set<std::pair<int, int>> seen;
  for (std::size_t f = 0; f < c1.weights(); ++f) {
    const auto at = c1.loc(f);
    EXPECT_LT(at.pe, c1.pes());
    EXPECT_LT(at.addr, c1.depth());
    EXPECT_TRUE(seen.insert({at.pe, at.addr}).second);
  }
  // The biases: row 0 (PEs 0..P-1), the pass's last word, apart from every weight.
  ASSERT_EQ(c1.biases(), 3u);
  for (std::size_t o = 0; o < c1.biases(); ++o) {
    const auto at = c1.bias_loc(o);
    EXPECT_EQ(at.pe, static_cast<int>(o) % c1.p);
    EXPECT_EQ(at.addr, (static_cast<int>(o) / c1.p) * 4 + 3);
    EXPECT_TRUE(seen.insert({at.pe, at.addr}).second) << "bias " << o;
  }
  const auto ph = net_phases(hw, true);
  // Both passes fetch and compute; the drain keeps up (2 outputs per
  // 3-cycle pixel) and ends one cycle after the last pass's tail.
  EXPECT_EQ(ph[0].cycles, 2 * (64 * 3 + 1 + 1) + 1);
  EXPECT_EQ(hw[2].bias, 0);  // conv2 has none
}

// A bias costs one cycle per pass in FWD (its load into the accumulator, or
// the conv columns' fetch) and in UPDATE (its write back), and one word per
// output in its PE (CONTRACT 4 and 5).
TEST(NetModel, BiasCostsAWordPerOutputAndACyclePerPass) {
  Config c = mlp(3, 3);
  Config b = c;
  for (auto& L : b.layers) L.bias = true;
  const auto hc = net_hw(c), hb = net_hw(b);
  EXPECT_EQ(hb[0].depth(), 3 * (20 + 1));
  EXPECT_EQ(hb[0].biases(), 7u);
  EXPECT_EQ(hc[0].biases(), 0u);
  std::set<std::pair<int, int>> seen;
  for (std::size_t f = 0; f < hb[0].weights(); ++f) EXPECT_TRUE(seen.insert({hb[0].loc(f).pe, hb[0].loc(f).addr}).second);
  for (std::size_t o = 0; o < hb[0].biases(); ++o) {
    const auto at = hb[0].bias_loc(o);
    EXPECT_LT(at.addr, hb[0].depth());
    EXPECT_TRUE(seen.insert({at.pe, at.addr}).second) << "bias " << o;
  }
  EXPECT_EQ(hb[0].bias_loc(5).pe, 2);             // neuron 5: PE 5 mod 3
  EXPECT_EQ(hb[0].bias_loc(5).addr, 21 + 20);     // pass 1, after its 20 weights
  EXPECT_EQ(hb[0].loc(5 * 20 + 4).addr, 21 + 4);  // the weights of pass 1 start at 21
  const auto pc = net_phases(hc, true), pb = net_phases(hb, true);
  ASSERT_EQ(pc.size(), pb.size());
  for (std::size_t i = 0; i < pc.size(); ++i) {
    const NetLayerHw& h = hb[static_cast<std::size_t>(pb[i].layer)];
    const bool extra = pb[i].cmd == NetCmd::kFwd || pb[i].cmd == NetCmd::kUpdate;
    EXPECT_EQ(pb[i].cycles - pc[i].cycles, extra ? h.t : 0) << pb[i].name();
  }
}

}  // namespace
}  // namespace taxonn
