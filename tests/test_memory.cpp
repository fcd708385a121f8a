// The SRAM macro catalog and the cheapest cover (synth/memory.hpp, issue 17):
// covers of a small hand-made catalog against answers worked out by hand,
// every cover against brute force over all slice choices on a sweep of
// sizes, the real fakeram45 set when ../shared has it, and the errors.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <functional>
#include <limits>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "config.hpp"
#include "memory.hpp"

namespace taxonn {
namespace {

namespace fs = std::filesystem;

// A liberty file with one memory cell (the fakeram45 shape, the parts the catalog reads).
void write_macro(const fs::path& dir, const std::string& name, int abits, int bits, double area) {
  std::ofstream(dir / (name + ".lib")) << fmt::format(
      "library({0}) {{\n  type ({0}_DATA) {{ bit_width : {2}; }}\n  cell({0}) {{\n    area : {3};\n"
      "    memory() {{\n      type : ram;\n      address_width : {1};\n      word_width : {2};\n    }}\n"
      "    pin(clk) {{ direction : input; }}\n  }}\n}}\n",
      name, abits, bits, area);
}

fs::path small_catalog() {
  const fs::path d = fs::temp_directory_path() / fmt::format("taxonn_test_macros_{}", ::getpid());
  fs::create_directories(d);
  write_macro(d, "m64x32", 6, 32, 100);
  write_macro(d, "m256x16", 8, 16, 150);
  write_macro(d, "m64x8", 6, 8, 30);
  std::ofstream(d / "gates.lib") << "library(g) { cell(INV) { area : 1; pin(A) { direction : input; } } }\n";
  return d;
}

TEST(Memory, CoversAHandWorkedCatalog) {
  const auto cat = mem::read_catalog({small_catalog().string()});
  ASSERT_EQ(cat.size(), 3u) << "the gate library has no memory cell and must not count";
  EXPECT_EQ(cat[0].name, "m256x16");
  EXPECT_EQ(cat[0].words, 256);
  struct Case {
    int depth, width;
    double area;
    long long unused;
    std::string macros;  // "banks x name" per slice, low bits first
  };
  const Case cases[] = {
      {64, 32, 100, 0, "1 x m64x32"},              // exactly one macro
      {64, 40, 130, 0, "1 x m64x8 + 1 x m64x32"},  // 32 + 8 bits beat two 32-bit macros (200)
      {256, 16, 150, 0, "1 x m256x16"},            // one deep macro beats 4 banks of m64x32 (400)
      {100, 8, 60, 2 * 64 * 8 - 800, "2 x m64x8"},  // two banks of the narrow macro beat m256x16 (150)
      {1, 1, 30, 64 * 8 - 1, "1 x m64x8"},          // the smallest macro for a single bit
      // 16 + 16 + 8 bits (420) beat 16 x 3 (450), 32 + 8 (520) and 8 x 5 (600).
      {256, 40, 420, 0, "4 x m64x8 + 1 x m256x16 + 1 x m256x16"},
  };
  for (const Case& c : cases) {
    const mem::Cover cv = mem::cover(c.depth, c.width, cat, "test");
    std::string got;
    for (const auto& s : cv.slices) got += fmt::format("{}{} x {}", got.empty() ? "" : " + ", s.banks, s.macro.name);
    EXPECT_DOUBLE_EQ(cv.area, c.area) << c.depth << "x" << c.width << ": " << got;
    EXPECT_EQ(got, c.macros) << c.depth << "x" << c.width;
    EXPECT_EQ(cv.unused_bits, c.unused) << c.depth << "x" << c.width << ": " << got;
    int bits = 0;
    for (const auto& s : cv.slices) bits += s.bits;
    EXPECT_EQ(bits, c.width) << "the slices must store the whole word";
  }
}

// Brute force: every multiset of slices that covers the width, cheapest area.
double brute(int depth, int width, const std::vector<mem::Macro>& cat, int max_banks) {
  double best = std::numeric_limits<double>::infinity();
  std::function<void(int, double)> go = [&](int left, double area) {
    if (area >= best) return;
    if (left <= 0) {
      best = area;
      return;
    }
    for (const auto& m : cat) {
      const int banks = (depth + m.words - 1) / m.words;
      if (banks <= max_banks) go(left - m.bits, area + banks * m.area);
    }
  };
  go(width, 0);
  return best;
}

TEST(Memory, CoverIsTheCheapestOverASweep) {
  const auto cat = mem::read_catalog({small_catalog().string()});
  for (int depth : {1, 63, 64, 65, 128, 255, 256, 257, 700})
    for (int width = 1; width <= 50; width += 7) {
      const int max_banks = 4;
      const double b = brute(depth, width, cat, max_banks);
      if (!std::isfinite(b)) {
        EXPECT_THROW(mem::cover(depth, width, cat, "sweep", max_banks), ConfigError) << depth << "x" << width;
        continue;
      }
      EXPECT_DOUBLE_EQ(mem::cover(depth, width, cat, "sweep", max_banks).area, b) << depth << "x" << width;
    }
}

TEST(Memory, ErrorsNameTheMemoryAndTheFix) {
  const auto cat = mem::read_catalog({small_catalog().string()});
  try {
    mem::cover(5000, 8, cat, "fc1 PE scratchpad", 16);
    ADD_FAILURE() << "a memory deeper than 16 banks of the deepest macro was covered";
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("fc1 PE scratchpad: no cover of 5000 x 8 bits within 16 banks"),
              std::string::npos)
        << e.what();
  }
  EXPECT_THROW(mem::cover(0, 8, cat, "x"), ConfigError);
  EXPECT_THROW(mem::cover(64, mem::kMaxWidth + 1, cat, "x"), ConfigError);
  EXPECT_THROW(mem::cover(mem::kMaxDepth + 1, 8, cat, "x"), ConfigError);
  const fs::path empty = fs::temp_directory_path() / fmt::format("taxonn_test_nomacros_{}", ::getpid());
  fs::create_directories(empty);
  std::ofstream(empty / "gates.lib") << "library(g) { cell(INV) { area : 1; } }\n";
  try {
    mem::read_catalog({empty.string()});
    ADD_FAILURE() << "a folder without memory cells gave a catalog";
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("no SRAM macro"), std::string::npos) << e.what();
  }
  EXPECT_THROW(mem::read_catalog({(empty / "missing").string()}), ConfigError);
}

#ifdef TAXONN_FAKERAM45_DIR
// The fakeram45 set (its README's table); built only where CMake found it.
TEST(Memory, ReadsFakeram45) {
  const auto cat = mem::read_catalog({TAXONN_FAKERAM45_DIR});
  ASSERT_EQ(cat.size(), 26u);
  const auto it = std::find_if(cat.begin(), cat.end(), [](const mem::Macro& m) { return m.name == "fakeram45_2048x39"; });
  ASSERT_NE(it, cat.end());
  EXPECT_EQ(it->words, 2048);
  EXPECT_EQ(it->bits, 39);
  EXPECT_NEAR(it->area, 45478.8, 0.1);
}
#endif

// A unit with several memories (a pool layer's Y, R and argmax): one
// taxonn_sram_model that picks a cover module per shape, two memories of
// one shape sharing it, and an elaboration error for any other shape.
TEST(Memory, CoverModulesPickACoverPerShape) {
  const auto cat = mem::read_catalog({small_catalog().string()});
  const auto y = mem::cover(100, 8, cat, "Y"), r = mem::cover(100, 8, cat, "R"), a = mem::cover(100, 2, cat, "argmax");
  const std::string v = mem::cover_modules({{y, "Y"}, {r, "R"}, {a, "argmax"}});
  auto count = [&](const std::string& what) {
    std::size_t n = 0;
    for (auto p = v.find(what); p != std::string::npos; p = v.find(what, p + 1)) ++n;
    return n;
  };
  EXPECT_EQ(count("\nmodule taxonn_sram_cover_100x8 "), 1u) << v;
  EXPECT_EQ(count("\nmodule taxonn_sram_cover_100x2 "), 1u) << v;
  EXPECT_EQ(count("\nmodule taxonn_sram_model "), 1u) << v;
  EXPECT_EQ(count("if ((WORDS == 100) && (BITS == 8)) begin"), 1u) << v;
  EXPECT_EQ(count("if ((WORDS == 100) && (BITS == 2)) begin"), 1u) << v;
  EXPECT_NE(v.find("taxonn_sram_model_no_cover u_taxonn_sram_model_no_cover ();"), std::string::npos) << v;
  // One memory: the single-cover file, unchanged.
  EXPECT_EQ(mem::cover_modules({{y, "Y"}}), mem::cover_module(y, "Y"));
}

}  // namespace
}  // namespace taxonn
