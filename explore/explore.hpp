// `taxonn explore` (docs/explore.md): a search over per-layer fixed-point
// formats (and PE counts) for the front of accuracy against accelerator
// area, energy per training sample, cycles per SGD step and Fmax. Accuracy
// comes from the golden model's fixed-point training (the `train` code path,
// as batch jobs), cost from synthesizing the whole accelerator unit by unit
// (synth.hpp, net_units: a unit of the same content is mapped once across
// points and runs), cycles from the exact cycle model (CONTRACT 4); the best
// front points are co-simulated bit for bit (taxonn sim).
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "config.hpp"
#include "executor.hpp"

namespace taxonn::explore {

namespace fs = std::filesystem;

enum class Objective { kAccuracy, kArea, kEnergy, kCycles, kFmax };
const char* to_string(Objective o);
bool maximized(Objective o);

// The formats (and PE counts) one weighted layer may take.
struct LayerSpace {
  std::string layer;
  std::size_t index = 0;           // into Config::layers
  int i_lo = 0, i_hi = 0;          // integer bits (sign included)
  int f_lo = 0, f_hi = 0;          // fraction bits; by width: W - I
  bool by_width = false;           // "width": [lo, hi] with "int_bits" fixed
  int w_lo = 0, w_hi = 0;          // by width: the range of W
  std::vector<int> pes;            // fc pes / conv array cols to try; empty: the config's
  // The formats of the space, widest first.
  std::vector<std::pair<int, int>> formats() const;
  bool contains(std::pair<int, int> f) const;
};

// How a point's accuracy is measured: golden-model fixed-point training.
struct Measure {
  int epochs = 1;
  std::vector<std::uint64_t> seeds = {1};
  std::size_t train_limit = 0, test_limit = 0;  // 0: the whole set
};

struct Spec {
  std::string source;  // the spec file, for messages
  std::string name, description;
  fs::path config_path;
  Config config;
  std::string dataset = "mnist", data_dir;
  std::vector<LayerSpace> space;  // the layers searched, in network order
  std::vector<Objective> objectives = {Objective::kAccuracy, Objective::kArea, Objective::kEnergy};
  double max_accuracy_drop = 0.5;  // feasible: accuracy >= float's - this (percentage points)
  Measure accuracy;                // the measurement the report's accuracies are
  std::optional<Measure> screen;   // the search's cheaper proxy (its ranking is reported)
  std::string strategy = "greedy"; // greedy | random
  std::string cost = "area_energy";  // what greedy descends: area | energy | cycles | area_energy
  int step = 1;                    // fraction bits one greedy move removes
  int random_points = 0;           // seeded random points besides the strategy's
  std::uint64_t seed = 1;          // the random points' seed
  int points = 40;                 // format points trained at most (anchors included)
  int pe_points = 16;              // PE-count variants of front points costed at most
  bool paper_anchor = true;        // the config's own formats
  std::optional<std::pair<int, int>> uniform;  // W range: every layer Q(I_config, W - I_config)
  fs::path liberty;                // empty: Yosys generic cells (no energy, no Fmax)
  bool liberty_given = false;
  fs::path sram;                   // memory sram: the macros' liberties (a file or folder)
  double clock_ns = 5.0;
  int verify_points = 2;
  std::uint64_t verify_steps = 300;
};

// Parse and check a spec: unknown keys, empty ranges, formats the config
// cannot take, a missing dataset are one-line ConfigErrors naming the field.
Spec load_spec(const std::string& path);

// SRAM memories need their macros and a real liberty (`liberty` is the one
// the study maps to, "" for generic cells). Without them (a clone without
// ../shared) the study costs flip-flop memories, as it costs generic cells
// without the liberty: sets s.config.memory to flops, clears s.sram and
// returns the note that says so; "" when the spec's memories stand.
std::string fall_back_to_flops(Spec& s, const std::string& liberty);

struct Options {
  std::string spec;
  std::string out_dir;        // default build/explore/<name>
  std::string liberty;        // overrides the spec's ("none": generic cells)
  batch::Options batch;       // work defaults to <out>/.batch
  bool no_verify = false;
  bool check_only = false;    // check the spec, print the space and budget, run nothing
};

// Returns 0 when the study finished and every verified point passed.
int run_explore(const Options& o);

}  // namespace taxonn::explore
