// Config parsing and validation. Every error is one line: the file, the field,
// what is wrong, and the fix.
#include "config.hpp"

#include "content_key.hpp"
#include "json_obj.hpp"

#include <cmath>
#include <fstream>
#include <set>
#include <sstream>

#include <fmt/format.h>

namespace taxonn {
namespace {

using nlohmann::json;
using json_obj::fail;
using json_obj::Obj;

bool valid_identifier(const std::string& s) {
  if (s.empty() || s.size() > 32 || !(s[0] >= 'a' && s[0] <= 'z')) return false;
  for (char ch : s)
    if (!((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '_')) return false;
  return true;
}

QFormat parse_format(const Obj& o, Rounding default_rounding) {
  QFormat f;
  f.int_bits = static_cast<int>(o.integer("int_bits", 1, QFormat::kMaxWidth - 1,
                                          "I counts the sign bit, so I >= 1 and I + F <= 32"));
  f.frac_bits = static_cast<int>(o.integer("frac_bits", 1, QFormat::kMaxWidth - 1,
                                           "use 1 <= F and I + F <= 32"));
  if (f.width() > QFormat::kMaxWidth || f.width() < QFormat::kMinWidth)
    fail(o.source(), o.field("frac_bits"),
         fmt::format("W = I + F = {} is out of range [{}, {}]", f.width(), QFormat::kMinWidth,
                     QFormat::kMaxWidth),
         "choose int_bits + frac_bits within that range");
  f.rounding = default_rounding;
  if (o.has("rounding")) {
    const std::string r = o.string("rounding");
    if (!parse_rounding(r, f.rounding))
      fail(o.source(), o.field("rounding"), fmt::format("unknown rounding mode '{}'", r),
           "use nearest, truncate or stochastic");
  }
  o.only({"int_bits", "frac_bits", "rounding"});
  return f;
}

}  // namespace

int LayerConfig::fan_in() const {
  switch (type) {
    case LayerType::kFc: return in_shape.size();
    case LayerType::kConv: return in_shape.channels * kernel * kernel;
    case LayerType::kPool: return pool_size * pool_size;
  }
  return 0;
}

namespace {

// The config's top-level fields other than the layers.
void parse_globals(const Obj& top, const std::string& source, Config& c) {
  c.name = top.string("name");
  if (!valid_identifier(c.name))
    fail(source, "name", fmt::format("'{}' is not a lower_snake_case identifier", c.name),
         "use [a-z][a-z0-9_]*, at most 32 characters");
  if (top.has("description")) c.description = top.string("description");
  {
    Obj s(top.get("input_shape"), "input_shape", source);
    s.only({"channels", "height", "width"});
    c.input_shape.channels = static_cast<int>(s.integer("channels", 1, 4096, "use 1..4096"));
    c.input_shape.height = static_cast<int>(s.integer("height", 1, 4096, "use 1..4096"));
    c.input_shape.width = static_cast<int>(s.integer("width", 1, 65536, "use 1..65536"));
    const std::int64_t n = std::int64_t{c.input_shape.channels} * c.input_shape.height * c.input_shape.width;
    if (n > Config::kMaxValues)
      fail(source, "input_shape", fmt::format("has {} values, more than {}", n, Config::kMaxValues),
           "use a smaller input");
  }
  const std::string rnd = top.string("rounding");
  if (!parse_rounding(rnd, c.rounding))
    fail(source, "rounding", fmt::format("unknown rounding mode '{}'", rnd),
         "use nearest, truncate or stochastic");
  c.scratchpad_depth = static_cast<int>(
      top.integer("scratchpad_depth", 1, Config::kMaxDepth,
                  fmt::format("the PE scratchpad needs 1..{} words", Config::kMaxDepth)));
  if (top.has("memory")) {
    const std::string m = top.string("memory");
    if (!parse_memory(m, c.memory))
      fail(source, "memory", fmt::format("unknown memory '{}'", m), "use flops or sram");
  }
  c.clock_gating = top.boolean_or("clock_gating", false);
  if (c.clock_gating && c.memory != Memory::kFlops)
    fail(source, "clock_gating", "gates flip-flop scratchpads, and memory: sram has none",
         "set clock_gating false or memory flops");
  c.sat_counter_width = static_cast<int>(top.integer_or(
      "sat_counter_width", 16, 1, Config::kMaxSatCounterWidth, "use 1..32 bits"));
  if (top.has("lfsr")) {
    Obj l(top.get("lfsr"), "lfsr", source);
    l.only({"width", "polynomial", "seed"});
    c.lfsr.width = static_cast<int>(l.integer("width", 2, 32, "use a 2..32-bit LFSR"));
    const std::uint64_t lim = std::uint64_t{1} << c.lfsr.width;
    const std::uint64_t poly = l.hex_or_int("polynomial");
    const std::uint64_t seed = l.hex_or_int("seed");
    if (poly == 0 || poly >= lim)
      fail(source, "lfsr.polynomial", "must be non-zero and fit lfsr.width bits",
           "use the tap mask of a maximal polynomial, e.g. 0xB400 for 16 bits");
    if (seed == 0 || seed >= lim)
      fail(source, "lfsr.seed", "must be non-zero and fit lfsr.width bits",
           "an all-zero LFSR never leaves zero: pick another seed");
    c.lfsr.polynomial = static_cast<std::uint32_t>(poly);
    c.lfsr.seed = static_cast<std::uint32_t>(seed);
  }
  c.alpha = top.number("alpha");
  if (!(c.alpha > 0.0))
    fail(source, "alpha", fmt::format("= {} must be > 0", c.alpha), "use a positive learning rate");
  c.bias = top.boolean_or("bias", false);
}

void parse_fc(const Obj& o, const std::string& source, const Shape& shape, LayerConfig& L) {
  L.type = LayerType::kFc;
  L.neurons = static_cast<int>(o.integer("neurons", 1, 65536, "use 1..65536 neurons"));
  if (o.has("inputs")) {
    const long long in = o.integer("inputs", 1, 1 << 24, "use a positive size");
    if (in != shape.size())
      fail(source, o.field("inputs"),
           fmt::format("= {} but the layer before gives {} values", in, shape.size()),
           "make the sizes chain (or drop 'inputs': it is derived)");
  }
  L.pes = static_cast<int>(o.integer_or(
      "pes", L.neurons, 1, L.neurons,
      fmt::format("a layer of {} neurons has 1..{} PEs (fewer folds it over passes)", L.neurons, L.neurons)));
  L.out_shape = Shape{1, 1, L.neurons};
}

// The conv layer's PE array (rows x columns of the row-stationary mapping).
void parse_conv_array(const Obj& o, const std::string& source, LayerConfig& L) {
  if (!o.has("array")) {
    L.array_rows = L.kernel;
    L.array_cols = L.out_channels;
    return;
  }
  Obj a(o.get("array"), o.field("array"), source);
  L.array_rows = static_cast<int>(a.integer_or("rows", L.kernel, 1, 64, "use 1..64 rows"));
  if (L.array_rows < L.kernel)
    fail(source, a.field("rows"),
         fmt::format("= {} is too small for the row-stationary mapping of layer '{}': its {}x{} kernel needs one "
                     "array row per filter row", L.array_rows, L.name, L.kernel, L.kernel),
         fmt::format("use rows = {}", L.kernel));
  if (L.array_rows > L.kernel)
    fail(source, a.field("rows"),
         fmt::format("= {} exceeds the {} rows of layer '{}'s kernel: the extra array rows would idle",
                     L.array_rows, L.kernel, L.name),
         fmt::format("use rows = {}", L.kernel));
  L.array_cols = static_cast<int>(a.integer_or(
      "cols", L.out_channels, 1, L.out_channels,
      fmt::format("a layer of {} output channels has 1..{} columns (fewer folds it over passes)",
                  L.out_channels, L.out_channels)));
  a.only({"rows", "cols"});
}

void parse_conv(const Obj& o, const std::string& source, const Shape& shape, LayerConfig& L) {
  L.type = LayerType::kConv;
  L.out_channels = static_cast<int>(o.integer("out_channels", 1, 4096, "use 1..4096"));
  L.kernel = static_cast<int>(o.integer("kernel", 1, 64, "use a 1..64 kernel"));
  if (o.has("in_channels")) {
    const long long in = o.integer("in_channels", 1, 4096, "use 1..4096");
    if (in != shape.channels)
      fail(source, o.field("in_channels"),
           fmt::format("= {} for layer '{}', but the layer before it gives {} channels", in, L.name, shape.channels),
           "make the channels chain (or drop 'in_channels': it is derived)");
  }
  if (L.kernel > shape.height || L.kernel > shape.width)
    fail(source, o.field("kernel"),
         fmt::format("= {} of layer '{}' is larger than its {}x{} input", L.kernel, L.name, shape.height, shape.width),
         "use a kernel no larger than the input (valid convolution)");
  L.out_shape = Shape{L.out_channels, shape.height - L.kernel + 1, shape.width - L.kernel + 1};
  const std::int64_t n = std::int64_t{L.out_channels} * L.out_shape.height * L.out_shape.width;
  if (n > Config::kMaxValues)
    fail(source, o.field("out_channels"), fmt::format("gives {} outputs, more than {}", n, Config::kMaxValues),
         "use fewer channels or a smaller input");
  parse_conv_array(o, source, L);
}

void parse_pool(const Obj& o, const std::string& source, const Shape& shape, bool first, LayerConfig& L) {
  L.type = LayerType::kPool;
  if (first)
    fail(source, o.field("type"), "a pooling layer has no format of its own and needs an fc or conv layer before it",
         "move it after a weighted layer");
  const std::string kind = o.string("kind");
  if (kind == "max") L.pool = PoolKind::kMax;
  else if (kind == "avg") L.pool = PoolKind::kAvg;
  else fail(source, o.field("kind"), fmt::format("unknown pooling '{}'", kind), "use max or avg");
  L.pool_size = static_cast<int>(o.integer_or("size", 2, 2, 2, "only 2x2 pooling is supported"));
  if (shape.height % L.pool_size || shape.width % L.pool_size)
    fail(source, o.field("size"),
         fmt::format("{}x{} input is not divisible by {}", shape.height, shape.width, L.pool_size),
         "pool an input with even height and width");
  L.out_shape = Shape{shape.channels, shape.height / L.pool_size, shape.width / L.pool_size};
}

// A weighted layer's format, activation and learning rate.
void parse_weighted(const Obj& o, const std::string& source, const Config& c, LayerConfig& L) {
  L.format = parse_format(Obj(o.get("format"), o.field("format"), source), c.rounding);
  const std::string a = o.string("activation");
  if (!parse_activation(a, L.activation))
    fail(source, o.field("activation"), fmt::format("unknown activation '{}'", a),
         "use identity, relu, sigmoid, tanh or relu_clip");
  L.alpha = o.has("alpha") ? o.number("alpha") : c.alpha;
  L.bias = o.boolean_or("bias", c.bias);
  if (const std::string why = alpha_problem(L.alpha, L.format); !why.empty())
    fail(source, o.has("alpha") ? o.field("alpha") : "alpha", fmt::format("= {} {} of layer '{}'", L.alpha, why, L.name),
         why.rfind("rounds", 0) == 0 ? "raise alpha or give the layer more fractional bits"
                                     : "lower alpha or give the layer more integer bits");
  if (L.format.rounding == Rounding::kStochastic && L.format.frac_bits > c.lfsr.width)
    fail(source, "lfsr.width",
         fmt::format("= {} gives fewer random bits than layer '{}' drops (F = {})",
                     c.lfsr.width, L.name, L.format.frac_bits),
         "widen the LFSR to at least F bits");
}

LayerConfig parse_layer(const json& j, std::size_t i, const std::string& source, const Config& c,
                        const Shape& shape, std::set<std::string>& names) {
  const std::string path = fmt::format("layers[{}]", i);
  Obj o(j, path, source);
  LayerConfig L;
  L.name = o.string("name");
  if (!valid_identifier(L.name))
    fail(source, o.field("name"), fmt::format("'{}' is not a lower_snake_case identifier", L.name),
         "use [a-z][a-z0-9_]*, at most 32 characters");
  if (!names.insert(L.name).second)
    fail(source, o.field("name"), fmt::format("'{}' is used twice", L.name), "give every layer its own name");
  const std::string type = o.string("type");
  L.in_shape = shape;
  if (type == "fc") {
    parse_fc(o, source, shape, L);
  } else if (type == "conv") {
    parse_conv(o, source, shape, L);
  } else if (type == "pool") {
    parse_pool(o, source, shape, c.layers.empty(), L);
  } else {
    fail(source, o.field("type"), fmt::format("unknown layer type '{}'", type), "use fc, conv or pool");
  }
  if (L.weighted()) {
    parse_weighted(o, source, c, L);
    // Each kind has its own fields: a conv field on an fc layer is a mistake, not a no-op.
    if (L.type == LayerType::kFc)
      o.only({"name", "type", "neurons", "pes", "inputs", "format", "activation", "alpha", "bias"});
    else
      o.only({"name", "type", "out_channels", "in_channels", "kernel", "array", "format", "activation", "alpha",
              "bias"});
  } else {
    o.only({"name", "type", "kind", "size"});
  }
  return L;
}

}  // namespace

Config parse_config(const std::string& text, const std::string& source) {
  json j;
  try {
    j = json::parse(text);
  } catch (const json::parse_error& e) {
    throw ConfigError(fmt::format("{}: not valid JSON (byte {}); fix the syntax", source, e.byte));
  }
  Obj top(j, "", source);
  // generated_by: the provenance config.resolved.json carries; read back, it is ignored.
  top.only({"name", "description", "input_shape", "input_format", "rounding", "scratchpad_depth", "memory",
            "clock_gating", "sat_counter_width", "lfsr", "alpha", "bias", "layers", "generated_by"});
  Config c;
  parse_globals(top, source, c);
  const json& layers = top.get("layers");
  if (!layers.is_array() || layers.empty())
    fail(source, "layers", "must be a non-empty array", "list the network's layers in order");
  Shape shape = c.input_shape;
  std::set<std::string> names;
  for (std::size_t i = 0; i < layers.size(); ++i) {
    c.layers.push_back(parse_layer(layers[i], i, source, c, shape, names));
    shape = c.layers.back().out_shape;
  }
  c.input_format_given = top.has("input_format");
  if (c.input_format_given)
    c.input_format = parse_format(Obj(top.get("input_format"), "input_format", source), c.rounding);
  else
    c.input_format = c.layers.front().format;  // a config's first layer is weighted (checked above)
  return c;
}

Config load_config(const std::string& path, const std::string& memory, const std::string& clock_gating) {
  Config c = load_config(path);
  if (memory.empty() && clock_gating.empty()) return c;
  ConfigOverrides ov;
  ov.memory = memory;
  ov.clock_gating = clock_gating;
  std::string source = path;
  if (!memory.empty()) source += fmt::format(" with --memory {}", memory);
  if (!clock_gating.empty()) source += fmt::format(" with --clock-gating {}", clock_gating);
  return apply_overrides(c, ov, source);
}

Config load_config(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw ConfigError(fmt::format("{}: cannot open the config file; check the path", path));
  std::stringstream ss;
  ss << in.rdbuf();
  return parse_config(ss.str(), path);
}

nlohmann::json to_json(const Config& c) {
  json j;
  j["name"] = c.name;
  j["description"] = c.description;
  j["input_shape"] = {{"channels", c.input_shape.channels},
                      {"height", c.input_shape.height},
                      {"width", c.input_shape.width}};
  j["input_format"] = {{"int_bits", c.input_format.int_bits},
                       {"frac_bits", c.input_format.frac_bits},
                       {"rounding", std::string(to_string(c.input_format.rounding))}};
  j["rounding"] = std::string(to_string(c.rounding));
  j["scratchpad_depth"] = c.scratchpad_depth;
  // Written when it is not the default, so that every config of before the
  // field keeps its hash (the provenance of committed results, cache keys).
  if (c.memory != Memory::kFlops) j["memory"] = std::string(to_string(c.memory));
  if (c.clock_gating) j["clock_gating"] = true;
  j["sat_counter_width"] = c.sat_counter_width;
  j["lfsr"] = {{"width", c.lfsr.width},
               {"polynomial", fmt::format("0x{:X}", c.lfsr.polynomial)},
               {"seed", fmt::format("0x{:X}", c.lfsr.seed)}};
  j["alpha"] = c.alpha;
  json layers = json::array();
  for (const auto& L : c.layers) {
    json l;
    l["name"] = L.name;
    switch (L.type) {
      case LayerType::kFc:
        l["type"] = "fc";
        l["inputs"] = L.in_shape.size();
        l["neurons"] = L.neurons;
        l["pes"] = L.pes;
        break;
      case LayerType::kConv:
        l["type"] = "conv";
        l["in_channels"] = L.in_shape.channels;
        l["out_channels"] = L.out_channels;
        l["kernel"] = L.kernel;
        l["array"] = {{"rows", L.array_rows}, {"cols", L.array_cols}};
        break;
      case LayerType::kPool:
        l["type"] = "pool";
        l["kind"] = L.pool == PoolKind::kMax ? "max" : "avg";
        l["size"] = L.pool_size;
        break;
    }
    if (L.weighted()) {
      l["format"] = {{"int_bits", L.format.int_bits},
                     {"frac_bits", L.format.frac_bits},
                     {"rounding", std::string(to_string(L.format.rounding))}};
      l["activation"] = std::string(to_string(L.activation));
      l["alpha"] = L.alpha;
      l["bias"] = L.bias;
    }
    layers.push_back(l);
  }
  j["layers"] = layers;
  return j;
}

Config apply_overrides(const Config& c, const ConfigOverrides& o, const std::string& source) {
  nlohmann::json j = to_json(c);
  if (!c.input_format_given) j.erase("input_format");  // keep following the first layer
  if (o.alpha > 0) {
    j["alpha"] = o.alpha;
    for (auto& l : j["layers"])
      if (l.contains("alpha")) l["alpha"] = o.alpha;
  }
  for (const auto& [idx, f] : o.formats) {
    if (idx >= c.layers.size() || !c.layers[idx].weighted())
      throw ConfigError(fmt::format("{}: layers[{}] has no format to override; pick an fc or conv layer", source, idx));
    j["layers"][idx]["format"]["int_bits"] = f.first;
    j["layers"][idx]["format"]["frac_bits"] = f.second;
  }
  for (const auto& [idx, n] : o.pes) {
    if (idx >= c.layers.size() || !c.layers[idx].weighted())
      throw ConfigError(fmt::format("{}: layers[{}] has no PEs to set; pick an fc or conv layer", source, idx));
    if (c.layers[idx].type == LayerType::kConv) j["layers"][idx]["array"]["cols"] = n;
    else j["layers"][idx]["pes"] = n;
  }
  if (o.bias)
    for (auto& l : j["layers"])
      if (l.contains("bias")) l["bias"] = true;
  if (!o.memory.empty()) j["memory"] = o.memory;  // the parser checks it
  if (!o.clock_gating.empty()) {
    if (o.clock_gating != "on" && o.clock_gating != "off")
      throw ConfigError(fmt::format("{}: clock gating '{}': use on or off", source, o.clock_gating));
    j["clock_gating"] = o.clock_gating == "on";
  }
  if (!o.name.empty()) j["name"] = o.name;
  return parse_config(j.dump(), source);
}

std::uint32_t lfsr_salted_seed(std::uint32_t seed, std::uint32_t salt, int width) {
  if (salt == 0) return seed;
  std::uint32_t h = seed ^ (salt * 0x9E3779B1u);
  h = (h ^ (h >> 16)) * 0x85EBCA6Bu;
  h ^= h >> 13;
  const std::uint32_t mixed = width >= 32 ? h : h & ((std::uint32_t{1} << width) - 1);
  return mixed != 0 ? mixed : seed;
}

LfsrParams salted(const LfsrParams& p, std::uint32_t salt) {
  LfsrParams s = p;
  s.seed = lfsr_salted_seed(p.seed, salt, p.width);
  return s;
}

int backprop_fan_in(const Config& c, std::size_t i) {
  // The next weighted layer's terms that reach one of layer i's outputs:
  // its neurons for fc, out_channels * k * k for conv; 1 for the output layer
  // (its G comes from the loss, not from a sum).
  for (std::size_t n = i + 1; n < c.layers.size(); ++n) {
    const LayerConfig& L = c.layers[n];
    if (L.type == LayerType::kFc) return L.neurons;
    if (L.type == LayerType::kConv) return L.out_channels * L.kernel * L.kernel;
  }
  return 1;
}

PeParams pe_params(const Config& c, std::size_t i, int depth) {
  const LayerConfig& L = c.layers.at(i);
  if (!L.weighted()) throw ConfigError(fmt::format("layer '{}' has no PEs (pooling)", L.name));
  PeParams p;
  p.layer = L.name;
  p.fmt = L.format;
  p.act = L.activation;
  p.depth = depth > 0 ? depth : c.scratchpad_depth;
  p.memory = c.memory;
  p.clock_gating = c.clock_gating;
  // Enough guard bits that no legal sum wraps: the forward dot product, the
  // back-propagated sum of step 1, a full scratchpad, and the update add.
  // A conv layer's weight gradient sums one product per output position.
  const int positions = L.type == LayerType::kConv ? L.out_shape.height * L.out_shape.width : 1;
  const int terms = std::max({L.fan_in(), backprop_fan_in(c, i), p.depth, positions, 2});
  p.guard_bits = clog2(static_cast<std::uint64_t>(terms));
  p.sat_cnt_width = c.sat_counter_width;
  p.lfsr = c.lfsr;
  p.alpha_raw = static_cast<Wide>(real_to_raw(L.alpha, L.format.frac_bits));
  return p;
}

std::string act_macro(Activation a) {
  switch (a) {
    case Activation::kIdentity: return "`TAXONN_ACT_IDENTITY";
    case Activation::kRelu: return "`TAXONN_ACT_RELU";
    case Activation::kSigmoid: return "`TAXONN_ACT_SIGMOID";
    case Activation::kTanh: return "`TAXONN_ACT_TANH";
    case Activation::kReluClip: return "`TAXONN_ACT_RELU_CLIP";
  }
  return "";
}

std::string rnd_macro(Rounding r) {
  switch (r) {
    case Rounding::kNearest: return "`TAXONN_RND_NEAREST";
    case Rounding::kTruncate: return "`TAXONN_RND_TRUNCATE";
    case Rounding::kStochastic: return "`TAXONN_RND_STOCHASTIC";
  }
  return "";
}

std::string_view to_string(Memory m) { return m == Memory::kSram ? "sram" : "flops"; }

bool parse_memory(std::string_view s, Memory& out) {
  for (Memory m : {Memory::kFlops, Memory::kSram}) {
    if (s == to_string(m)) {
      out = m;
      return true;
    }
  }
  return false;
}

std::string mem_macro(Memory m) { return m == Memory::kSram ? "`TAXONN_MEM_SRAM" : "`TAXONN_MEM_FLOPS"; }

std::string pool_macro(PoolKind k) { return k == PoolKind::kMax ? "`TAXONN_POOL_MAX" : "`TAXONN_POOL_AVG"; }

std::string alpha_problem(double alpha, const QFormat& f) {
  const double raw = real_to_raw(alpha, f.frac_bits);
  if (!(raw >= 1.0)) return fmt::format("rounds to 0 in {}", f.name());
  if (raw > static_cast<double>(f.max_raw())) return fmt::format("does not fit {}", f.name());
  return "";
}

const char* taxonn_version() { return TAXONN_PROJECT_VERSION; }

std::string config_hash(const Config& c) {
  return ContentKey().add(to_json(c).dump()).hex().substr(0, 16);
}

nlohmann::json provenance(const Config& c) {
  return {{"tool", "taxonn"}, {"version", taxonn_version()}, {"config", c.name}, {"config_hash", config_hash(c)}};
}

}  // namespace taxonn
