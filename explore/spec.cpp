// The explore spec (explore.hpp, docs/explore.md): read with the configs'
// reader (json_obj.hpp) and checked whole before any job runs, so a bad spec
// is one line and writes nothing.
#include "explore.hpp"

#include <algorithm>
#include <set>

#include <fmt/format.h>

#include "dataset.hpp"
#include "io_util.hpp"
#include "json_obj.hpp"
#include "net_model.hpp"
#include "trainer.hpp"

namespace taxonn::explore {

using json_obj::fail;
using json_obj::Obj;
using nlohmann::json;

namespace {

constexpr const char* kDoc = "docs/explore.md";

const std::vector<std::pair<Objective, const char*>>& objective_names() {
  static const std::vector<std::pair<Objective, const char*>> v = {{Objective::kAccuracy, "accuracy"},
                                                                   {Objective::kArea, "area"},
                                                                   {Objective::kEnergy, "energy"},
                                                                   {Objective::kCycles, "cycles"},
                                                                   {Objective::kFmax, "fmax"}};
  return v;
}

// [lo, hi] of integers within [min, max], lo <= hi.
std::pair<int, int> range(const Obj& o, const std::string& k, int min, int max, const std::string& what) {
  const json& v = o.get(k);
  if (!v.is_array() || v.size() != 2 || !v[0].is_number_integer() || !v[1].is_number_integer())
    fail(o.source(), o.field(k), fmt::format("must be [lo, hi], two integers, got {}", v.dump()),
         fmt::format("write e.g. [{}, {}]", min, std::min(max, min + 4)));
  const long long lo = v[0].get<long long>(), hi = v[1].get<long long>();
  if (lo > hi) fail(o.source(), o.field(k), fmt::format("[{}, {}] is an empty range", lo, hi), "give lo <= hi");
  if (lo < min || hi > max)
    fail(o.source(), o.field(k), fmt::format("[{}, {}] leaves [{}, {}]", lo, hi, min, max), what);
  return {static_cast<int>(lo), static_cast<int>(hi)};
}

Measure parse_measure(const Obj& o) {
  o.only({"epochs", "seeds", "train_limit", "test_limit"});
  Measure m;
  m.epochs = static_cast<int>(o.integer_or("epochs", 1, 1, 1000, "give 1 or more epochs"));
  if (o.has("seeds")) {
    const json& s = o.get("seeds");
    if (!s.is_array() || s.empty())
      fail(o.source(), o.field("seeds"), "must be a non-empty list of seeds", "write e.g. [1, 2, 3]");
    m.seeds.clear();
    for (const auto& x : s) {
      if (!x.is_number_unsigned())
        fail(o.source(), o.field("seeds"), fmt::format("{} is not a seed", x.dump()), "give non-negative integers");
      const std::uint64_t v = x.get<std::uint64_t>();
      if (std::find(m.seeds.begin(), m.seeds.end(), v) != m.seeds.end())
        fail(o.source(), o.field("seeds"), fmt::format("seed {} is given twice", v), "give each seed once");
      m.seeds.push_back(v);
    }
  }
  m.train_limit = static_cast<std::size_t>(o.integer_or("train_limit", 0, 0, 1LL << 40, "give 0 (all) or a count"));
  m.test_limit = static_cast<std::size_t>(o.integer_or("test_limit", 0, 0, 1LL << 40, "give 0 (all) or a count"));
  return m;
}

// The config with these formats and PE counts (ConfigError when it cannot).
Config with(const Config& base, const std::vector<std::pair<std::size_t, std::pair<int, int>>>& formats,
            const std::vector<std::pair<std::size_t, int>>& pes, const std::string& source) {
  ConfigOverrides ov;
  for (const auto& [i, f] : formats) ov.formats[i] = f;
  for (const auto& [i, n] : pes) ov.pes[i] = n;
  return apply_overrides(base, ov, source);
}

}  // namespace

const char* to_string(Objective o) {
  for (const auto& [k, n] : objective_names())
    if (k == o) return n;
  return "?";
}

bool maximized(Objective o) { return o == Objective::kAccuracy || o == Objective::kFmax; }

std::vector<std::pair<int, int>> LayerSpace::formats() const {
  std::vector<std::pair<int, int>> v;
  if (by_width) {
    for (int w = w_hi; w >= w_lo; --w) v.push_back({i_lo, w - i_lo});
  } else {
    for (int i = i_hi; i >= i_lo; --i)
      for (int f = f_hi; f >= f_lo; --f) v.push_back({i, f});
  }
  return v;
}

bool LayerSpace::contains(std::pair<int, int> f) const {
  if (by_width) return f.first == i_lo && f.first + f.second >= w_lo && f.first + f.second <= w_hi;
  return f.first >= i_lo && f.first <= i_hi && f.second >= f_lo && f.second <= f_hi;
}


namespace {

// A path in the spec: relative to the spec's folder.
fs::path resolve(const Spec& s, const std::string& p) {
  return fs::path(p).is_absolute() ? fs::path(p) : (fs::absolute(s.source).parent_path() / p).lexically_normal();
}

// Why layer `li` cannot take format `f` with the others at the config's
// ("" when it can): `train`'s own checks (width limits, alpha in the format).
std::string format_problem(const Spec& s, std::size_t li, std::pair<int, int> f) {
  TrainOptions t;
  t.config = s.config_path.string();
  for (std::size_t i = 0; i < s.config.layers.size(); ++i) {
    const LayerConfig& M = s.config.layers[i];
    if (M.weighted()) t.formats.push_back(i == li ? f : std::pair<int, int>{M.format.int_bits, M.format.frac_bits});
  }
  try {
    resolve_train_config(t);
  } catch (const ConfigError& e) {
    return e.what();
  } catch (const UsageError& e) {
    return e.what();
  }
  return "";
}

// The dataset: known, present, and fitting the network (a missing one fails
// now, not in every job).
void parse_dataset(Spec& s, const Obj& top) {
  s.dataset = top.has("dataset") ? top.string("dataset") : s.dataset;
  if (top.has("data_dir")) s.data_dir = resolve(s, top.string("data_dir")).string();
  {
    const auto& names = dataset_names();
    if (s.dataset != "teacher" && std::find(names.begin(), names.end(), s.dataset) == names.end())
      fail(s.source, "dataset", fmt::format("'{}' is not a dataset", s.dataset),
           "use mnist, fashion-mnist, cifar10 or teacher (synthetic)");
    if (s.dataset != "teacher") {
      try {
        const DatasetPair d = load_dataset(s.dataset, s.data_dir);
        const Shape& in = s.config.input_shape;
        check_dataset_fits(d, in.channels * in.height * in.width,
                           static_cast<int>(s.config.layers.back().out_shape.size()), s.config.name);
      } catch (const DatasetError& e) {
        fail(s.source, "dataset", e.what(), "give data_dir, or another dataset");
      }
    }
  }
}

// The space: weighted layers only, each range non-empty and every format in
// it one the layer can take (width limits, alpha representable).
void parse_space(Spec& s, const Obj& top) {
  std::string why;
  const Obj space(top.get("space"), "space", s.source, kDoc);
  std::set<std::string> weighted;
  std::string weighted_list;
  for (const auto& L : s.config.layers)
    if (L.weighted()) weighted.insert(L.name), weighted_list += (weighted_list.empty() ? "" : ", ") + L.name;
  if (top.get("space").empty()) fail(s.source, "space", "is empty", "give at least one layer: " + weighted_list);
  for (std::size_t li = 0; li < s.config.layers.size(); ++li) {
    const LayerConfig& L = s.config.layers[li];
    if (!L.weighted() || !space.has(L.name)) continue;
    const Obj o(space.get(L.name), space.field(L.name), s.source, kDoc);
    o.only({"int_bits", "frac_bits", "width", "pes"});
    LayerSpace ls;
    ls.layer = L.name;
    ls.index = li;
    const int wmax = QFormat::kMaxWidth, wmin = QFormat::kMinWidth;
    if (o.has("width")) {
      ls.by_width = true;
      if (o.has("frac_bits"))
        fail(s.source, o.field("frac_bits"), "with width, F is W - I", "give width and int_bits, or int_bits and frac_bits");
      ls.i_lo = ls.i_hi = static_cast<int>(o.integer("int_bits", 1, wmax - 1, "give I, the integer bits (sign included)"));
      std::tie(ls.w_lo, ls.w_hi) = range(o, "width", std::max(wmin, ls.i_lo + 1), wmax,
                                         fmt::format("W must leave F >= 1 and stay <= {}", wmax));
      ls.f_lo = ls.w_lo - ls.i_lo;
      ls.f_hi = ls.w_hi - ls.i_lo;
    } else {
      std::tie(ls.i_lo, ls.i_hi) = range(o, "int_bits", 1, wmax - 1, "I counts the sign bit: 1 <= I");
      std::tie(ls.f_lo, ls.f_hi) = range(o, "frac_bits", 1, wmax - 1, "1 <= F");
    }
    if (o.has("pes")) {
      const json& p = o.get("pes");
      if (!p.is_array() || p.empty())
        fail(s.source, o.field("pes"), "must be a non-empty list of PE counts", "write e.g. [10, 20, 40]");
      const int most = L.type == LayerType::kConv ? L.out_channels : L.neurons;
      for (const auto& x : p) {
        if (!x.is_number_integer() || x.get<long long>() < 1 || x.get<long long>() > most)
          fail(s.source, o.field("pes"), fmt::format("{} is not a PE count of {} (1..{})", x.dump(), L.name, most),
               L.type == LayerType::kConv ? "give array columns 1..out_channels" : "give pes 1..neurons");
        if (std::find(ls.pes.begin(), ls.pes.end(), x.get<int>()) != ls.pes.end())
          fail(s.source, o.field("pes"), fmt::format("{} is given twice", x.get<int>()), "give each count once");
        ls.pes.push_back(x.get<int>());
      }
    }
    for (const auto& f : ls.formats()) {
      if (const std::string no = format_problem(s, li, f); !no.empty())
        fail(s.source, o.field(ls.by_width ? "width" : "frac_bits"),
             fmt::format("Q({},{}) is not a format {} can take ({})", f.first, f.second, L.name, no), "narrow the range");
      for (int n : ls.pes)
        if (!net_supported(with(s.config, {{li, f}}, {{li, n}}, s.config_path.string()), &why))
          fail(s.source, o.field("pes"), fmt::format("{} PEs: {}", n, why), "drop that count");
    }
    s.space.push_back(ls);
  }
  for (auto it = top.get("space").begin(); it != top.get("space").end(); ++it)
    if (!weighted.count(it.key()))
      fail(s.source, "space." + it.key(), "is not a weighted layer of the config", "use one of: " + weighted_list);

}

// Objectives, the constraint, the measurements, the search and its budget.
void parse_settings(Spec& s, const Obj& top) {
  if (top.has("objectives")) {
    const json& v = top.get("objectives");
    if (!v.is_array() || v.empty())
      fail(s.source, "objectives", "must be a non-empty list", "write e.g. [\"accuracy\", \"area\", \"energy\"]");
    s.objectives.clear();
    for (const auto& x : v) {
      std::optional<Objective> ob;
      for (const auto& [k, n] : objective_names())
        if (x.is_string() && x.get<std::string>() == n) ob = k;
      if (!ob) fail(s.source, "objectives", fmt::format("{} is not an objective", x.dump()),
                    "use accuracy, area, energy, cycles, fmax");
      if (std::find(s.objectives.begin(), s.objectives.end(), *ob) != s.objectives.end())
        fail(s.source, "objectives", fmt::format("{} is given twice", x.dump()), "give each once");
      s.objectives.push_back(*ob);
    }
    if (std::find(s.objectives.begin(), s.objectives.end(), Objective::kAccuracy) == s.objectives.end() ||
        s.objectives.size() < 2)
      fail(s.source, "objectives", "needs accuracy and at least one cost", "add accuracy and e.g. area");
  }
  if (top.has("constraint")) {
    const Obj o(top.get("constraint"), "constraint", s.source, kDoc);
    o.only({"max_accuracy_drop"});
    s.max_accuracy_drop = o.number("max_accuracy_drop");
    if (!(s.max_accuracy_drop >= 0 && s.max_accuracy_drop <= 100))
      fail(s.source, "constraint.max_accuracy_drop", fmt::format("{} is not a drop in points", s.max_accuracy_drop),
           "give 0..100 percentage points");
  }
  if (top.has("accuracy")) s.accuracy = parse_measure(Obj(top.get("accuracy"), "accuracy", s.source, kDoc));
  if (top.has("screen")) s.screen = parse_measure(Obj(top.get("screen"), "screen", s.source, kDoc));
  if (top.has("search")) {
    const Obj o(top.get("search"), "search", s.source, kDoc);
    o.only({"strategy", "cost", "step", "random_points", "seed"});
    if (o.has("strategy")) s.strategy = o.string("strategy");
    if (s.strategy != "greedy" && s.strategy != "random")
      fail(s.source, "search.strategy", fmt::format("'{}' is not a strategy", s.strategy), "use greedy or random");
    if (o.has("cost")) s.cost = o.string("cost");
    if (s.cost != "area" && s.cost != "energy" && s.cost != "cycles" && s.cost != "area_energy")
      fail(s.source, "search.cost", fmt::format("'{}' is not a cost", s.cost), "use area, energy, cycles or area_energy");
    s.step = static_cast<int>(o.integer_or("step", 1, 1, 16, "remove 1..16 fraction bits per move"));
    s.random_points = static_cast<int>(o.integer_or("random_points", 0, 0, 10000, "give 0 or more"));
    if (o.has("seed")) s.seed = o.hex_or_int("seed");
  }
  if (top.has("budget")) {
    const Obj o(top.get("budget"), "budget", s.source, kDoc);
    o.only({"points", "pe_points"});
    s.points = static_cast<int>(o.integer_or("points", s.points, 1, 100000, "give 1 or more points"));
    s.pe_points = static_cast<int>(o.integer_or("pe_points", s.pe_points, 0, 100000, "give 0 or more"));
  }
}

// The anchors, synthesis and the RTL checks.
void parse_anchors_synth_verify(Spec& s, const Obj& top) {
  if (top.has("anchors")) {
    const Obj o(top.get("anchors"), "anchors", s.source, kDoc);
    o.only({"paper", "uniform_widths"});
    if (o.has("paper")) {
      if (!o.get("paper").is_boolean()) fail(s.source, "anchors.paper", "must be true or false", "write true");
      s.paper_anchor = o.get("paper").get<bool>();
    }
    if (o.has("uniform_widths")) {
      s.uniform = range(o, "uniform_widths", QFormat::kMinWidth, QFormat::kMaxWidth, "W within the format limits");
      for (int w = s.uniform->first; w <= s.uniform->second; ++w)
        for (const auto& L : s.config.layers)
          if (L.weighted()) {
            const int f = w - L.format.int_bits;
            const std::size_t li = static_cast<std::size_t>(&L - s.config.layers.data());
            if (const std::string no = format_problem(s, li, {L.format.int_bits, f}); !no.empty())
              fail(s.source, "anchors.uniform_widths",
                   fmt::format("W = {} gives {} no format Q({},{}) ({})", w, L.name, L.format.int_bits, f, no),
                   "narrow the range");
          }
    }
  }
  if (top.has("synth")) {
    const Obj o(top.get("synth"), "synth", s.source, kDoc);
    o.only({"liberty", "memory", "sram", "clock_ns"});
    if (o.has("liberty")) {
      s.liberty = resolve(s, o.string("liberty"));
      s.liberty_given = true;
    }
    if (o.has("sram")) {
      if (s.config.memory != Memory::kSram)
        fail(s.source, "synth.sram", "the config's scratchpads are flip-flops",
             "set \"memory\": \"sram\" in synth or the config, or drop synth.sram");
      s.sram = resolve(s, o.string("sram"));
    }
    if (o.has("clock_ns")) {
      s.clock_ns = o.number("clock_ns");
      if (!(s.clock_ns > 0 && s.clock_ns < 1e6))
        fail(s.source, "synth.clock_ns", fmt::format("{} is not a clock period", s.clock_ns), "give ns > 0, e.g. 5");
    }
  }
  if (top.has("verify")) {
    const Obj o(top.get("verify"), "verify", s.source, kDoc);
    o.only({"points", "steps"});
    s.verify_points = static_cast<int>(o.integer_or("points", s.verify_points, 0, 1000, "give 0 or more"));
    s.verify_steps = static_cast<std::uint64_t>(o.integer_or("steps", 300, 1, 100000000, "give 1 or more steps"));
  }
  if (s.config.memory == Memory::kSram && s.sram.empty())
    fail(s.source, "synth.sram", "missing: the config's scratchpads are SRAM",
         "give the macros' liberty folder, e.g. \"sram\": \"../shared/pdk/fakeram45\"");
}

}  // namespace

std::string fall_back_to_flops(Spec& s, const std::string& liberty) {
  if (s.config.memory != Memory::kSram || (!liberty.empty() && fs::exists(s.sram))) return "";
  const std::string note = fmt::format("the spec's SRAM macros {} {}: flip-flop memories", s.sram.string(),
                                       liberty.empty() ? "need a real liberty" : "are not on this machine");
  s.config.memory = Memory::kFlops;
  s.sram.clear();
  return note;
}

Spec load_spec(const std::string& path) {
  Spec s;
  s.source = path;
  json j;
  try {
    j = json::parse(read_text(path));
  } catch (const std::exception& e) {
    throw ConfigError(fmt::format("{}: not a readable JSON explore spec ({}); see {}", path, json_reason(e), kDoc));
  }
  const Obj top(j, "", s.source, kDoc);
  top.only({"name", "description", "config", "dataset", "data_dir", "space", "objectives", "constraint", "accuracy",
            "screen", "search", "budget", "anchors", "synth", "verify"});
  s.name = top.string("name");
  if (s.name.empty() || s.name.find_first_of("/\\ \t") != std::string::npos)
    fail(s.source, "name", fmt::format("'{}' is not a study name", s.name), "use letters, digits, _ or -");
  if (top.has("description")) s.description = top.string("description");
  s.config_path = resolve(s, top.string("config"));
  // synth.memory overrides the config's memories, as synth --memory does:
  // one config serves a flip-flop and an SRAM study.
  std::string memory;
  if (top.has("synth") && top.get("synth").is_object() && top.get("synth").contains("memory")) {
    memory = Obj(top.get("synth"), "synth", s.source, kDoc).string("memory");
    if (Memory m; !parse_memory(memory, m))
      fail(s.source, "synth.memory", fmt::format("unknown memory '{}'", memory), "use flops or sram");
  }
  try {
    s.config = load_config(s.config_path.string(), memory, "");
  } catch (const std::exception& e) {
    fail(s.source, "config", e.what(), "fix the config or point to another");
  }
  std::string why;
  if (!net_supported(s.config, &why))
    fail(s.source, "config", fmt::format("'{}' has no network RTL to cost: {}", s.config.name, why),
         "explore a config the network RTL covers (docs/network.md)");

  parse_dataset(s, top);
  parse_space(s, top);
  parse_settings(s, top);
  parse_anchors_synth_verify(s, top);
  const int anchors = (s.paper_anchor ? 1 : 0) + (s.uniform ? s.uniform->second - s.uniform->first + 1 : 0);
  if (s.points < anchors + 1)
    fail(s.source, "budget.points", fmt::format("{} points cannot hold the {} anchors and a search", s.points, anchors),
         fmt::format("give at least {}", anchors + 1));
  return s;
}

}  // namespace taxonn::explore
