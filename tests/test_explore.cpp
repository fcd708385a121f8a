// The explore search's building blocks (explore/pareto.hpp, explore/spec.cpp)
// and the teacher dataset it trains on in tests: the front against brute
// force (corner cases, seeded random point sets, a sweep of sizes and
// objective counts), the rank correlation, the spec's format spaces, and
// the dataset's determinism. The end-to-end study is tests/explore.sh.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <random>
#include <set>
#include <vector>

#include <fmt/format.h>

#include "config.hpp"
#include "dataset.hpp"
#include "explore.hpp"
#include "pareto.hpp"
#include "synth.hpp"

namespace taxonn::explore {
namespace {

using Pts = std::vector<std::vector<double>>;

// Brute force: i is on the front iff no j is <= in all and < in one.
std::vector<std::size_t> brute_front(const Pts& v) {
  std::vector<std::size_t> f;
  for (std::size_t i = 0; i < v.size(); ++i) {
    bool dom = false;
    for (std::size_t j = 0; j < v.size(); ++j) {
      if (i == j) continue;
      bool le = true, lt = false;
      for (std::size_t k = 0; k < v[i].size(); ++k) le &= v[j][k] <= v[i][k], lt |= v[j][k] < v[i][k];
      dom |= le && lt;
    }
    if (!dom) f.push_back(i);
  }
  return f;
}

TEST(Pareto, CornerCases) {
  EXPECT_TRUE(pareto_front({}).empty());
  EXPECT_EQ(pareto_front({{1, 2}}), (std::vector<std::size_t>{0}));
  // Equal points do not dominate each other.
  EXPECT_EQ(pareto_front({{1, 1}, {1, 1}}), (std::vector<std::size_t>{0, 1}));
  // A chain: only the best survives.
  EXPECT_EQ(pareto_front({{3, 3}, {2, 2}, {1, 1}}), (std::vector<std::size_t>{2}));
  // A trade-off: both survive; a point worse in one and equal in the other does not.
  EXPECT_EQ(pareto_front({{1, 3}, {3, 1}, {3, 3}, {1, 4}}), (std::vector<std::size_t>{0, 1}));
  EXPECT_FALSE(dominates({1, 2}, {1, 2}));
  EXPECT_TRUE(dominates({1, 2}, {1, 3}));
  EXPECT_FALSE(dominates({0, 4}, {1, 3}));
}

TEST(Pareto, SeededRandomSetsMatchBruteForce) {
  const std::uint64_t seed = 20261202;
  SCOPED_TRACE(fmt::format("seed {}", seed));
  std::mt19937_64 rng(seed);
  for (int t = 0; t < 300; ++t) {
    const std::size_t n = rng() % 40, k = 1 + rng() % 4;
    Pts v(n, std::vector<double>(k));
    for (auto& p : v)
      for (auto& x : p) x = static_cast<double>(rng() % 6);  // small values: many ties
    ASSERT_EQ(pareto_front(v), brute_front(v)) << "set " << t;
  }
}

TEST(Pareto, SweepOfSizesAndObjectives) {
  // Points on a line x + y = n are all on the front; adding a dominated copy
  // (+1 in every objective) of each leaves the front as it was.
  for (std::size_t k = 2; k <= 5; ++k)
    for (std::size_t n = 1; n <= 30; n += 7) {
      Pts v;
      for (std::size_t i = 0; i < n; ++i) {
        std::vector<double> p(k, 0.0);
        p[0] = static_cast<double>(i);
        p[1] = static_cast<double>(n - i);
        v.push_back(p);
      }
      const auto f = pareto_front(v);
      ASSERT_EQ(f.size(), n) << k << " objectives, " << n << " points";
      for (std::size_t i = 0; i < n; ++i) {
        auto q = v[i];
        for (auto& x : q) x += 1;
        v.push_back(q);
      }
      ASSERT_EQ(pareto_front(v), f) << k << " objectives, " << n << " points";
    }
}

TEST(Pareto, SpearmanRanks) {
  EXPECT_DOUBLE_EQ(spearman({1, 2, 3, 4}, {10, 20, 30, 40}), 1.0);
  EXPECT_DOUBLE_EQ(spearman({1, 2, 3, 4}, {4, 3, 2, 1}), -1.0);
  // Monotone but not linear: still 1.
  EXPECT_DOUBLE_EQ(spearman({1, 2, 3}, {1, 100, 1000}), 1.0);
  // Ties get their mean rank.
  EXPECT_EQ(ranks({5, 1, 5, 3}), (std::vector<double>{3.5, 1, 3.5, 2}));
  EXPECT_TRUE(std::isnan(spearman({1}, {1})));
  EXPECT_TRUE(std::isnan(spearman({1, 1, 1}, {1, 2, 3})));
  EXPECT_NEAR(spearman({1, 2, 3, 4, 5}, {2, 1, 4, 3, 5}), 0.8, 1e-12);
}

TEST(ExploreSpec, ShippedSpecsLoad) {
  for (const char* f : {"tests/explore/mlp_small_teacher.json", "configs/explore/mlp_mnist100.json",
                        "configs/explore/lenet5_mnist.json"}) {
    const std::string path = std::string(TAXONN_SOURCE_DIR) + "/" + f;
    if (std::string(f).find("mnist") != std::string::npos &&
        !std::filesystem::is_directory(default_dataset_dir("mnist")))
      continue;  // their dataset check needs MNIST (tests/explore.sh checks a spec without it)
    SCOPED_TRACE(f);
    const Spec s = load_spec(path);
    EXPECT_FALSE(s.space.empty());
    for (const LayerSpace& ls : s.space) {
      const auto fm = ls.formats();
      ASSERT_FALSE(fm.empty());
      // Widest first, every format inside the space, none twice.
      for (std::size_t i = 1; i < fm.size(); ++i)
        EXPECT_GE(fm[i - 1].first * 100 + fm[i - 1].second, fm[i].first * 100 + fm[i].second);
      const std::set<std::pair<int, int>> distinct(fm.begin(), fm.end());
      EXPECT_EQ(distinct.size(), fm.size());
      for (const auto& x : fm) EXPECT_TRUE(ls.contains(x));
    }
  }
}

TEST(ExploreSpec, WidthSpacesDeriveF) {
  LayerSpace ls;
  ls.by_width = true;
  ls.i_lo = ls.i_hi = 3;
  ls.w_lo = 10;
  ls.w_hi = 13;
  ls.f_lo = 7;
  ls.f_hi = 10;
  EXPECT_EQ(ls.formats(), (std::vector<std::pair<int, int>>{{3, 10}, {3, 9}, {3, 8}, {3, 7}}));
  EXPECT_TRUE(ls.contains({3, 7}));
  EXPECT_FALSE(ls.contains({3, 6}));
  EXPECT_FALSE(ls.contains({2, 8}));
}

// synth.memory overrides the config's memories both ways, as synth
// --memory does; SRAM then needs the macros' folder.
TEST(ExploreSpec, SynthMemoryOverridesTheConfig) {
  const std::filesystem::path dir = std::filesystem::temp_directory_path() / "taxonn_explore_memory";
  std::filesystem::create_directories(dir);
  const std::string src = std::string(TAXONN_SOURCE_DIR) + "/tests/explore/mlp_small_teacher.json";
  nlohmann::json j = nlohmann::json::parse(std::ifstream(src));
  j["config"] = std::string(TAXONN_SOURCE_DIR) + "/configs/mlp_small.json";
  auto load = [&](const nlohmann::json& synth) {
    j["synth"] = synth;
    const std::string path = (dir / "spec.json").string();
    std::ofstream(path) << j.dump();
    return load_spec(path);
  };
  EXPECT_EQ(load({{"liberty", "x.lib"}}).config.memory, Memory::kFlops);
  const Spec sram = load({{"memory", "sram"}, {"sram", "/macros"}});
  EXPECT_EQ(sram.config.memory, Memory::kSram);
  EXPECT_EQ(sram.sram, std::filesystem::path("/macros"));
  EXPECT_EQ(load({{"memory", "flops"}}).config.memory, Memory::kFlops);
  EXPECT_THROW(load({{"memory", "sram"}}), ConfigError);  // no macros
  EXPECT_THROW(load({{"memory", "dram"}}), ConfigError);
  EXPECT_THROW(load({{"memory", "flops"}, {"sram", "/macros"}}), ConfigError);
  std::filesystem::remove_all(dir);
}

// A study whose SRAM macros or real liberty are missing costs flip-flop
// memories and says why; with both, the spec's memories stand.
TEST(ExploreSpec, SramWithoutMacrosOrLibertyFallsBackToFlops) {
  const std::filesystem::path macros = std::filesystem::temp_directory_path() / "taxonn_explore_macros";
  std::filesystem::create_directories(macros);
  Spec s;
  auto sram = [&](const std::filesystem::path& folder) {
    s.config.memory = Memory::kSram;
    s.sram = folder;
    return s;
  };
  sram(macros);
  EXPECT_EQ(fall_back_to_flops(s, "nangate45.lib"), "");
  EXPECT_EQ(s.config.memory, Memory::kSram);
  EXPECT_EQ(s.sram, macros);
  sram(macros);
  EXPECT_EQ(fall_back_to_flops(s, ""), "the spec's SRAM macros " + macros.string() + " need a real liberty: flip-flop memories");
  EXPECT_EQ(s.config.memory, Memory::kFlops);
  EXPECT_TRUE(s.sram.empty());
  sram("/no/such/macros");
  EXPECT_EQ(fall_back_to_flops(s, "nangate45.lib"),
            "the spec's SRAM macros /no/such/macros are not on this machine: flip-flop memories");
  EXPECT_EQ(s.config.memory, Memory::kFlops);
  s.config.memory = Memory::kFlops;
  EXPECT_EQ(fall_back_to_flops(s, ""), "");  // flops need nothing
  std::filesystem::remove_all(macros);
}

TEST(TeacherDataset, DeterministicAndLabelled) {
  const DatasetPair a = teacher_dataset(1, 4, 4, 4, 1), b = teacher_dataset(1, 4, 4, 4, 1), c = teacher_dataset(1, 4, 4, 4, 2);
  EXPECT_EQ(a.train.pixels, b.train.pixels);
  EXPECT_EQ(a.train.labels, b.train.labels);
  EXPECT_NE(a.train.pixels, c.train.pixels);
  EXPECT_EQ(a.train.size(), 4000u);
  EXPECT_EQ(a.test.size(), 1000u);
  EXPECT_EQ(a.train.image_size(), 16u);
  std::set<int> seen;
  for (auto l : a.train.labels) {
    ASSERT_LT(l, 4);
    seen.insert(l);
  }
  EXPECT_EQ(seen.size(), 4u);  // every class occurs
  EXPECT_THROW(teacher_dataset(1, 4, 4, 1), DatasetError);
}

// The synthesis results explore (and sweeps, --network) reuse: fields added
// since a result was stored default, the ones every result has do not.
TEST(StoredSynthResult, DamagedResultIsRefused) {
  nlohmann::json unit = {{"module", "fc1"}, {"area", 12.5}, {"cells", 40}, {"timed", false}};
  EXPECT_DOUBLE_EQ(synth_point_from_json(unit).area, 12.5);
  EXPECT_EQ(synth_point_from_json(unit).power_timed_mw, 0.0);  // a later field: defaults
  for (const char* k : {"module", "area", "cells", "timed"}) {
    nlohmann::json bad = unit;
    bad.erase(k);
    EXPECT_THROW(synth_point_from_json(bad), std::runtime_error) << k;
  }
  unit["timed"] = true;
  EXPECT_THROW(synth_point_from_json(unit), std::runtime_error);  // timed without timing
  for (const char* k : {"critical_ns", "fmax_mhz", "slack_ns", "power_mw"}) unit[k] = 1.0;
  unit["power_source"] = "gate";
  EXPECT_EQ(synth_point_from_json(unit).power_source, "gate");
  nlohmann::json report = {{"base", unit}, {"taxonn", unit}};
  report["taxonn"].erase("area");
  EXPECT_THROW(synth_report_from_json(report), std::runtime_error);
  EXPECT_THROW(synth_point_from_json(nlohmann::json::array()), std::runtime_error);
}

}  // namespace
}  // namespace taxonn::explore
