// The network's hardware shape and cycle model (golden_model/net_model.cpp,
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
  for (int j = 0; j < hw[0].n; ++j)
    for (int k = 0; k < hw[0].k; ++k) {
      const int pe = hw[0].pe_of(j), addr = hw[0].addr_of(j, k);
      EXPECT_LT(pe, hw[0].p);
      EXPECT_LT(addr, hw[0].depth());
      EXPECT_TRUE(seen.insert({pe, addr}).second);
    }
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
  EXPECT_EQ(net_cycles(train), 30 + 11 + 3 + 8 + 16 + 42);
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
  expect_refused(mlp(7, 3, "sigmoid", "stochastic"), "layers[0].format.rounding");
  expect_refused(load_config(std::string(TAXONN_SOURCE_DIR) + "/configs/lenet5_mnist.json"), "layers[0].type");
  EXPECT_TRUE(net_supported(mlp(7, 3)));
}

}  // namespace
}  // namespace taxonn
