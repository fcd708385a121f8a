// The generator: deterministic output, every template emitted, and the text
// of the generated files equal to the stored references in tests/golden/
// (XLS golden files). Run with TAXONN_UPDATE_GOLDEN=1 to rewrite them after
// an intended change, and review the diff.
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>

#include <gtest/gtest.h>

#include "config.hpp"
#include "design.hpp"
#include "net_model.hpp"

namespace taxonn {
namespace {
namespace fs = std::filesystem;

const std::string kRoot = TAXONN_SOURCE_DIR;

// The port list of `module` in its template, as the layer interface spells
// it: name, direction, signedness and the parameter of its width.
std::vector<LayerPort> template_ports(const std::string& module) {
  std::string text;
  for (const auto& t : embedded_templates())
    if (std::string(t.name) == module + ".v") text = t.text;
  const auto head = text.find("module " + module);
  const auto open = text.find(") (", head), close = text.find(");", open);
  if (head == std::string::npos || open == std::string::npos || close == std::string::npos) return {};
  std::vector<LayerPort> v;
  const std::regex port(R"(^\s*(input|output)\s+wire\s+(signed\s+)?(\[(\S+)-1:0\]\s+)?(\w+))");
  std::istringstream in(text.substr(open, close - open));
  for (std::string line; std::getline(in, line);) {
    std::smatch m;
    if (std::regex_search(line, m, port))
      v.push_back({m[5].str(), m[1].str() == "input", m[4].str(), m[2].matched});
  }
  return v;
}

// One layer interface (layer_ports) from which the network top's instances
// are written: each layer template must declare exactly those ports, in
// that order, with those widths.
TEST(Generator, LayerTemplatesHaveTheLayerInterface) {
  const std::pair<LayerType, const char*> kinds[] = {
      {LayerType::kFc, "taxonn_fc_layer"}, {LayerType::kConv, "taxonn_conv_layer"}, {LayerType::kPool, "taxonn_pool_layer"}};
  for (const auto& [type, module] : kinds) {
    const std::vector<LayerPort> want = layer_ports(type), got = template_ports(module);
    ASSERT_EQ(got.size(), want.size()) << module;
    for (std::size_t i = 0; i < want.size(); ++i) {
      EXPECT_EQ(got[i].name, want[i].name) << module << " port " << i;
      EXPECT_EQ(got[i].input, want[i].input) << module << " " << want[i].name;
      EXPECT_EQ(got[i].width, want[i].width) << module << " " << want[i].name;
      EXPECT_EQ(got[i].is_signed, want[i].is_signed) << module << " " << want[i].name;
    }
  }
}

TEST(Generator, Deterministic) {
  const Config c = load_config(kRoot + "/configs/mlp_small.json");
  const auto a = generate_design(c), b = generate_design(load_config(kRoot + "/configs/mlp_small.json"));
  ASSERT_EQ(a.size(), b.size());
  for (std::size_t i = 0; i < a.size(); ++i) {
    EXPECT_EQ(a[i].path, b[i].path);
    EXPECT_EQ(a[i].content, b[i].content) << a[i].path;
  }
}

TEST(Generator, EmitsEveryTemplateAndAWrapperPerLayerAndKind) {
  const Config c = load_config(kRoot + "/configs/mlp_small.json");
  const auto files = generate_design(c);
  auto has = [&](const std::string& p) {
    for (const auto& f : files)
      if (f.path == p) return true;
    return false;
  };
  for (const auto& t : templates()) EXPECT_TRUE(has(std::string("rtl/") + t.name)) << t.name;
  for (const auto& L : c.layers) {
    EXPECT_TRUE(has("rtl/taxonn_" + L.name + "_pe.v"));
    EXPECT_TRUE(has("rtl/taxonn_" + L.name + "_pe_base.v"));
    EXPECT_TRUE(has("rtl/taxonn_" + L.name + "_act.v"));
  }
  EXPECT_TRUE(has("filelist.f"));
  EXPECT_TRUE(has("config.resolved.json"));
  EXPECT_TRUE(has("rtl/taxonn_defs.vh"));
}

TEST(Generator, MatchesGoldenFiles) {
  // Only the generated text is stored (wrappers, defines, file list,
  // resolved config); the templates are the source themselves.
  const Config c = load_config(kRoot + "/configs/mlp_small.json");
  const fs::path golden = fs::path(kRoot) / "tests/golden/mlp_small";
  const bool update = std::getenv("TAXONN_UPDATE_GOLDEN") != nullptr;
  int compared = 0;
  for (const auto& f : generate_design(c)) {
    bool is_template = false;
    for (const auto& t : templates()) is_template |= f.path == std::string("rtl/") + t.name;
    if (is_template) continue;
    const fs::path p = golden / f.path;
    if (update) {
      fs::create_directories(p.parent_path());
      std::ofstream(p, std::ios::binary) << f.content;
      continue;
    }
    std::ifstream in(p, std::ios::binary);
    ASSERT_TRUE(in) << p << " is missing: run with TAXONN_UPDATE_GOLDEN=1 (make update-golden)";
    std::stringstream ss;
    ss << in.rdbuf();
    EXPECT_EQ(ss.str(), f.content) << f.path << " differs from " << p
                                   << "; if the change is intended: make update-golden, and review the diff";
    ++compared;
  }
  if (!update) {
    EXPECT_GT(compared, 10);
  }
}

}  // namespace
}  // namespace taxonn
