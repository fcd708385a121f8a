// The config object: every bad input is one clear line naming the field and
// the fix; the shipped configs load; the resolved form is complete and
// round-trips; PE parameters are derived from the config alone.
#include <gtest/gtest.h>

#include "config.hpp"

namespace taxonn {
namespace {

const char* kGood = R"({
  "name": "t", "input_shape": {"channels": 1, "height": 1, "width": 8},
  "rounding": "nearest", "scratchpad_depth": 8, "alpha": 0.0625,
  "layers": [
    {"name": "fc1", "type": "fc", "neurons": 4, "format": {"int_bits": 2, "frac_bits": 12}, "activation": "relu"},
    {"name": "fc2", "type": "fc", "neurons": 3, "format": {"int_bits": 3, "frac_bits": 10}, "activation": "sigmoid"}
  ]})";

std::string replace(std::string s, const std::string& from, const std::string& to) {
  const auto pos = s.find(from);
  EXPECT_NE(pos, std::string::npos) << from;
  return s.replace(pos, from.size(), to);
}

// Parsing `text` fails with a one-line message that contains every needle.
void expect_error(const std::string& text, std::initializer_list<const char*> needles) {
  try {
    parse_config(text, "cfg.json");
    ADD_FAILURE() << "accepted: " << text;
  } catch (const ConfigError& e) {
    const std::string m = e.what();
    EXPECT_EQ(m.find('\n'), std::string::npos) << m;
    for (const char* n : needles) EXPECT_NE(m.find(n), std::string::npos) << "'" << n << "' not in: " << m;
  }
}

TEST(Config, Good) {
  const Config c = parse_config(kGood, "cfg.json");
  ASSERT_EQ(c.layers.size(), 2u);
  EXPECT_EQ(c.layers[1].in_shape.size(), 4);
  EXPECT_EQ(c.layers[1].format.width(), 13);
  const PeParams p = pe_params(c, 0);
  EXPECT_EQ(p.width(), 14);
  EXPECT_EQ(p.guard_bits, 3);  // max(8 inputs, 3 next neurons, depth 8) -> 3 bits
  EXPECT_EQ(p.acc_width(), 31);
  EXPECT_EQ(static_cast<long long>(p.alpha_raw), 256);  // 0.0625 * 2^12
  // The resolved config sets every field and reads back to the same object.
  const Config again = parse_config(to_json(c).dump(), "resolved");
  EXPECT_EQ(to_json(again), to_json(c));
  EXPECT_TRUE(to_json(c)["layers"][0]["format"].contains("rounding"));
}

TEST(Config, BadInputs) {
  expect_error("{ not json", {"not valid JSON"});
  expect_error(replace(kGood, R"("rounding": "nearest", )", ""), {"rounding", "missing"});
  expect_error(replace(kGood, R"("int_bits": 2)", R"("int_bits": 0)"), {"layers[0].format.int_bits", "I >= 1"});
  expect_error(replace(kGood, R"("int_bits": 2)", R"("int_bits": 22)"), {"layers[0].format", "W = I + F = 34"});
  expect_error(replace(kGood, R"("activation": "relu")", R"("activation": "gelu")"),
               {"layers[0].activation", "gelu", "identity, relu, sigmoid, tanh or relu_clip"});
  expect_error(replace(kGood, R"("rounding": "nearest")", R"("rounding": "up")"), {"rounding", "nearest, truncate"});
  expect_error(replace(kGood, R"("scratchpad_depth": 8)", R"("scratchpad_depth": 0)"), {"scratchpad_depth", "= 0"});
  expect_error(replace(kGood, R"("neurons": 3,)", R"("neurons": 3, "inputs": 5,)"),
               {"layers[1].inputs", "= 5", "gives 4"});
  expect_error(replace(kGood, R"("type": "fc", "neurons": 4)", R"("type": "conv", "out_channels": 2, "kernel": 3)"),
               {"layers[0].kernel", "is larger than its 1x8 input"});
  expect_error(replace(kGood, R"("name": "fc2")", R"("name": "fc1")"), {"layers[1].name", "used twice"});
  expect_error(replace(kGood, R"("alpha": 0.0625)", R"("alpha": 0.00001)"), {"alpha", "rounds to 0"});
  expect_error(replace(kGood, R"("neurons": 4,)", R"("neurons": 4, "nuerons": 4,)"), {"layers[0].nuerons", "unknown field"});
  expect_error(replace(kGood, R"("type": "fc", "neurons": 4)", R"("type": "lstm", "neurons": 4)"),
               {"layers[0].type", "fc, conv or pool"});
  expect_error(replace(kGood, R"({"name": "fc1", "type": "fc", "neurons": 4, "format": {"int_bits": 2, "frac_bits": 12}, "activation": "relu"},)",
                       R"({"name": "p0", "type": "pool", "kind": "max", "size": 2},)"),
               {"layers[0].type", "needs an fc or conv layer before it"});
  // The network RTL's PEs per layer: 1..neurons.
  expect_error(replace(kGood, R"("neurons": 4,)", R"("neurons": 4, "pes": 0,)"), {"layers[0].pes", "= 0", "1..4 PEs"});
  expect_error(replace(kGood, R"("neurons": 4,)", R"("neurons": 4, "pes": 5,)"), {"layers[0].pes", "= 5", "[1, 4]"});
  expect_error(replace(kGood, R"("rounding": "nearest",)", R"("rounding": "nearest", "input_format": {"int_bits": 0, "frac_bits": 8},)"),
               {"input_format.int_bits"});
}

// `bias`: a config-wide default, each weighted layer may say otherwise; the
// resolved config names it per layer; --bias (the override) sets every one.
TEST(Config, BiasIsPerLayerWithAConfigDefault) {
  const Config none = parse_config(kGood, "cfg.json");
  EXPECT_FALSE(none.layers[0].bias);
  EXPECT_FALSE(none.layers[1].bias);
  const Config all = parse_config(replace(kGood, R"("alpha": 0.0625,)", R"("alpha": 0.0625, "bias": true,)"), "cfg.json");
  EXPECT_TRUE(all.layers[0].bias);
  EXPECT_TRUE(all.layers[1].bias);
  const Config one = parse_config(replace(replace(kGood, R"("alpha": 0.0625,)", R"("alpha": 0.0625, "bias": true,)"),
                                          R"("activation": "relu")", R"("activation": "relu", "bias": false)"),
                                  "cfg.json");
  EXPECT_FALSE(one.layers[0].bias);
  EXPECT_TRUE(one.layers[1].bias);
  EXPECT_EQ(to_json(one)["layers"][0]["bias"], false);
  EXPECT_EQ(to_json(parse_config(to_json(one).dump(), "resolved")), to_json(one));
  ConfigOverrides o;
  o.bias = true;
  const Config over = apply_overrides(none, o, "o");
  EXPECT_TRUE(over.layers[0].bias && over.layers[1].bias);
  expect_error(replace(kGood, R"("alpha": 0.0625,)", R"("alpha": 0.0625, "bias": 1,)"), {"bias", "true or false"});
  expect_error(replace(kGood, R"("activation": "relu")", R"("activation": "relu", "bias": "yes")"),
               {"layers[0].bias", "true or false"});
}

TEST(Config, InputFormatFollowsTheFirstLayerUnlessGiven) {
  const Config c = parse_config(kGood, "cfg.json");
  EXPECT_EQ(c.input_format.name(), "Q(2,12)");
  EXPECT_EQ(c.layers[0].pes, 4);  // one PE per neuron by default
  ConfigOverrides o;
  o.formats[0] = {3, 9};
  EXPECT_EQ(apply_overrides(c, o, "o").input_format.name(), "Q(3,9)");
  const Config d = parse_config(replace(kGood, R"("rounding": "nearest",)",
                                        R"("rounding": "nearest", "input_format": {"int_bits": 1, "frac_bits": 7},)"),
                                "cfg.json");
  EXPECT_EQ(d.input_format.name(), "Q(1,7)");
  EXPECT_EQ(apply_overrides(d, o, "o").input_format.name(), "Q(1,7)");
}

TEST(Config, OverridesGoThroughTheParser) {
  const Config c = parse_config(kGood, "cfg.json");
  ConfigOverrides o;
  o.alpha = 0.125;
  o.formats[1] = {2, 9};
  const Config d = apply_overrides(c, o, "cfg.json with overrides");
  EXPECT_EQ(d.layers[1].format.name(), "Q(2,9)");
  EXPECT_EQ(d.layers[0].format.name(), "Q(2,12)");
  EXPECT_DOUBLE_EQ(d.layers[0].alpha, 0.125);
  o.formats[1] = {0, 9};  // I < 1: the parser's own rule, naming the override's source
  try {
    apply_overrides(c, o, "cfg.json with overrides");
    ADD_FAILURE() << "I = 0 accepted";
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("cfg.json with overrides: layers[1].format.int_bits"), std::string::npos) << e.what();
  }
}

TEST(Config, ShippedConfigsLoad) {
  for (const char* n : {"lenet5_mnist", "lenet5_cifar10", "lenet5_svhn", "mlp_small", "mlp_mixed", "mlp_mnist", "mlp_mnist_folded",
                        "mlp_mnist100", "pe_sweep", "pe_w16"}) {
    const Config c = load_config(std::string(TAXONN_SOURCE_DIR) + "/configs/" + n + ".json");
    EXPECT_EQ(c.name, n);
  }
  // Table I formats, in LeNet-5 order (conv1, conv2, fc1, fc2, fc3).
  const Config m = load_config(std::string(TAXONN_SOURCE_DIR) + "/configs/lenet5_mnist.json");
  std::string fmts;
  for (const auto& L : m.layers)
    if (L.weighted()) fmts += L.format.name();
  EXPECT_EQ(fmts, "Q(2,12)Q(2,12)Q(2,12)Q(1,12)Q(3,10)");
  EXPECT_EQ(m.layers[4].in_shape.size(), 16 * 4 * 4);  // 28x28 -> conv5 -> pool -> conv5 -> pool
}

TEST(Config, MissingFile) {
  EXPECT_THROW(load_config("/nonexistent/cfg.json"), ConfigError);
}

}  // namespace
}  // namespace taxonn
