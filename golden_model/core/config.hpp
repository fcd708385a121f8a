// The one config object of taxonn: read by the generator, the golden model and
// the testbenches. A config names every layer's Q(I,F) format (CONTRACT 1),
// activation, rounding, and the PE's hardware parameters (CONTRACT 5). The
// resolved form written by `taxonn generate` sets every field explicitly.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <utility>
#include <stdexcept>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "fixed_format.hpp"

namespace taxonn {

// A bad config: the message is one line naming the field and the fix.
class ConfigError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

enum class LayerType { kFc, kConv, kPool };

// A 2x2 pooling window's kind (taxonn_pool.v; the encoding is taxonn_defs.vh's).
enum class PoolKind { kMax = 0, kAvg = 1 };

// How the PEs' scratchpads are built (config `memory`, CONTRACT 5):
// flip-flops with a combinational read, or single-port SRAM macros with a
// synchronous read (taxonn_spad_sram). The encoding is taxonn_defs.vh's.
enum class Memory { kFlops = 0, kSram = 1 };
std::string_view to_string(Memory m);
bool parse_memory(std::string_view s, Memory& out);
std::string mem_macro(Memory m);

// The Galois LFSR of stochastic rounding (taxonn_lfsr.v, taxonn::Lfsr).
struct LfsrParams {
  int width = 16;
  std::uint32_t polynomial = 0xB400;  // x^16 + x^14 + x^13 + x^11 + 1 (maximal)
  std::uint32_t seed = 0xACE1;
};
// The start of an LFSR with its own `salt` (taxonn_lfsr's SALT; CONTRACT 3,
// rule 8), in 32-bit arithmetic: h = seed ^ salt * 0x9E3779B1, h = (h ^ h >>
// 16) * 0x85EBCA6B, h ^= h >> 13; its low `width` bits, or `seed` when they
// are 0 or salt is 0.
std::uint32_t lfsr_salted_seed(std::uint32_t seed, std::uint32_t salt, int width);
LfsrParams salted(const LfsrParams& p, std::uint32_t salt);

// The Verilog macro of an encoding (taxonn_defs.vh, which the generator
// writes from these enums), e.g. `TAXONN_ACT_SIGMOID: the generator's
// parameters and the testbench harnesses both print them from here.
std::string act_macro(Activation a);
std::string rnd_macro(Rounding r);
std::string pool_macro(PoolKind k);

// A module parameter and its value, in the template's order. The generator
// prints these (encodings as their macros) and `taxonn synth --network` sets
// them with Yosys's chparam: one list, so no value is written twice.
struct HwParam {
  std::string name;
  long long value;
};

struct Shape {
  int channels = 1, height = 1, width = 1;
  int size() const { return channels * height * width; }
};

struct LayerConfig {
  std::string name;
  LayerType type = LayerType::kFc;
  // fc
  int neurons = 0;
  // conv
  int out_channels = 0, kernel = 0;
  // pool
  PoolKind pool = PoolKind::kMax;
  int pool_size = 2;
  // weighted layers (fc, conv)
  QFormat format;
  Activation activation = Activation::kRelu;
  double alpha = 0.0;
  // A bias per output (fc neuron, conv output channel), CONTRACT 3: added as
  // b * 2^F to the exact sum, updated with the layer's alpha.
  bool bias = false;
  // fc in the network RTL: PEs of the layer (1..neurons); fewer than neurons
  // folds the layer over ceil(neurons / pes) passes (docs/network.md)
  int pes = 0;
  // conv: the PE array of the row-stationary mapping (docs/network.md), rows
  // x columns. Each row holds one filter row, so rows = kernel; each column
  // holds one output channel (filter), array_cols < out_channels folds the
  // layer over ceil(out_channels / array_cols) passes.
  int array_rows = 0, array_cols = 0;
  // derived
  Shape in_shape, out_shape;
  bool weighted() const { return type != LayerType::kPool; }
  int fan_in() const;  // terms in one forward dot product
};

struct Config {
  std::string name;
  std::string description;
  Shape input_shape;
  // The format the sample is quantized to before it enters the first layer
  // (converted at that boundary, CONTRACT 1); the first layer's by default.
  QFormat input_format;
  bool input_format_given = false;  // false: follows the first layer's format
  Rounding rounding = Rounding::kNearest;
  int scratchpad_depth = 16;
  Memory memory = Memory::kFlops;
  // Clock gating of the flip-flop scratchpads (config `clock_gating`,
  // CONTRACT 5): each word's flip-flops on a gated clock enabled by its write.
  bool clock_gating = false;
  int sat_counter_width = 16;
  LfsrParams lfsr;
  double alpha = 0.0;
  bool bias = false;  // the weighted layers' default (each may say otherwise)
  std::vector<LayerConfig> layers;

  // Values of an input or a layer output (so that every size fits an int).
  static constexpr std::int64_t kMaxValues = std::int64_t{1} << 24;
  static constexpr int kMaxDepth = 65536;
  static constexpr int kMaxSatCounterWidth = 32;
};

// Parse and validate; throws ConfigError. `source` names the file in messages.
Config parse_config(const std::string& text, const std::string& source);
Config load_config(const std::string& path);
// Changes to a loaded config (command-line flags, sweeps), applied through
// the one parser so that they obey every rule and fail naming `source`.
struct ConfigOverrides {
  double alpha = 0.0;                                      // > 0: every layer's alpha
  std::map<std::size_t, std::pair<int, int>> formats;      // layer index -> (I, F)
  std::map<std::size_t, int> pes;                          // layer index -> fc pes / conv array cols
  std::string name;                                        // non-empty: the config's name
  bool bias = false;                                       // every weighted layer gets a bias
  std::string memory;                                      // non-empty: the scratchpads (flops, sram)
  std::string clock_gating;                                // non-empty: on or off
};
Config apply_overrides(const Config& c, const ConfigOverrides& o, const std::string& source);
// The config at `path` with the command line's --memory and --clock-gating
// (empty: not given) applied; errors name the file and the flags.
Config load_config(const std::string& path, const std::string& memory, const std::string& clock_gating);

// Every field, defaults filled in: the resolved config.
nlohmann::json to_json(const Config& c);

// Why `alpha` is no learning rate of format `f` (the PE's alpha register):
// "rounds to 0 in Q(I,F)" or "does not fit Q(I,F)"; "" when it is one.
std::string alpha_problem(double alpha, const QFormat& f);

// What made an output: taxonn's version (the project's, so that the same
// config gives the same bytes at every commit of one version) and the
// config's hash (XXH3-128 of its resolved JSON, 16 hex digits). Stamped in
// the generated RTL headers, config.resolved.json, the FuseSoC core and
// every JSON report.
const char* taxonn_version();
std::string config_hash(const Config& c);
// {"tool": "taxonn", "version": ..., "config": name, "config_hash": ...}
nlohmann::json provenance(const Config& c);

// The hardware parameters of one weighted layer's PE, derived from the config
// alone (CONTRACT 2 and 5). The generator, the golden model and the testbench
// all take them from here.
struct PeParams {
  std::string layer;
  QFormat fmt;
  Activation act = Activation::kRelu;
  int depth = 16;
  Memory memory = Memory::kFlops;
  bool clock_gating = false;  // flip-flop scratchpad words on gated clocks
  int guard_bits = 1;
  int sat_cnt_width = 16;
  LfsrParams lfsr;
  Wide alpha_raw = 0;  // alpha in Q(I,F); the PE is given -alpha (CONTRACT 3 step 4)

  int width() const { return fmt.width(); }
  int acc_width() const { return 2 * fmt.width() + guard_bits; }
  int addr_width() const { return depth > 1 ? clog2(static_cast<std::uint64_t>(depth)) : 1; }
  bool stochastic() const { return fmt.rounding == Rounding::kStochastic; }
};
// Fan-out of back-propagation into layer `i`: the terms in step 1's sum.
int backprop_fan_in(const Config& c, std::size_t i);
// `depth` > 0 overrides the config's scratchpad_depth (the network RTL's PEs
// hold passes x inputs words); the guard bits follow the depth.
PeParams pe_params(const Config& c, std::size_t layer_index, int depth = 0);


}  // namespace taxonn
