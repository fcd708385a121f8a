// Both PEs of one layer: Yosys area (flat and by block), OpenSTA timing,
// gate-level power on their workloads (synth.hpp, run_synth); and the
// liberty's preparation.
#include "flow.hpp"

#include "synth.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <mutex>
#include <random>
#include <regex>
#include <set>
#include <sstream>
#include <thread>

#include <sys/wait.h>

#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <zlib.h>

#include "content_key.hpp"
#include "design.hpp"
#include "net_model.hpp"
#include "io_util.hpp"
#include "pe.hpp"
#include "pe_power.hpp"
#include "clock_gate.hpp"


namespace taxonn {

using namespace flow;

namespace {

// A liberty's first 4 KiB must open its `library` group: a text that is not
// a liberty is bad input, refused here rather than in a Yosys or ABC dump.
void check_liberty_head(const std::string& head, const std::string& path) {
  if (head.find("library") == std::string::npos)
    throw UsageError(fmt::format("--liberty {}: not a liberty file (no 'library' group in its first 4 KiB)", path));
}

}  // namespace

std::string prepare_liberty(const std::string& path, const std::string& work_dir) {
  if (!fs::exists(path))
    throw UsageError(fmt::format("--liberty {}: no such file; pass an existing .lib or .lib.gz", path));
  const bool gz = path.size() >= 3 && path.substr(path.size() - 3) == ".gz";
  if (!gz) {
    std::ifstream probe(path, std::ios::binary);
    if (!probe) throw UsageError(fmt::format("--liberty {}: not readable; check its permissions", path));
    std::string head(4096, '\0');
    probe.read(head.data(), static_cast<std::streamsize>(head.size()));
    head.resize(static_cast<std::size_t>(probe.gcount()));
    check_liberty_head(head, path);
    return fs::absolute(path).string();
  }
  gzFile in = gzopen(path.c_str(), "rb");
  if (!in) throw UsageError(fmt::format("--liberty {}: cannot be opened as gzip; check the file", path));
  std::string text;
  char buf[1 << 16];
  int n = 0;
  while ((n = gzread(in, buf, sizeof buf)) > 0) text.append(buf, static_cast<std::size_t>(n));
  gzclose(in);
  if (n < 0) throw UsageError(fmt::format("--liberty {}: a damaged gzip file", path));
  check_liberty_head(text.substr(0, 4096), path);
  // Expanded beside the work, atomically: nothing is left for a bad file.
  const fs::path out = fs::absolute(work_dir) / fs::path(path).stem();
  write_atomic(out, text);
  return out.string();
}

// Both PEs of one layer of a (possibly format-overridden) config.
// The config's generated RTL in `work` (with the clock gates mapped to the
// liberty's cell when the config gates); returns its Verilog files (relative).
std::vector<std::string> flow::write_design(const Config& c, const fs::path& work, const ClockGateCell& gate,
                                            const std::string& lib_shown, const std::string& sram_model) {
  auto files = generate_design(c);
  map_clock_gates(files, gate, lib_shown);
  if (!sram_model.empty())
    for (auto& f : files)
      if (f.path == "rtl/taxonn_sram_model.v") f.content = sram_model;
  write_files(work.string(), files);
  std::vector<std::string> verilog;
  for (const auto& f : files)
    if (f.path.size() > 2 && f.path.substr(f.path.size() - 2) == ".v") verilog.push_back(f.path);
  return verilog;
}

SynthReport flow::synth_layer(const Config& c, std::size_t idx, const SynthOptions& o) {
  const fs::path work = fs::absolute(o.work_dir);
  // A bad liberty, a gated config it cannot map, or SRAM scratchpads
  // without macros that cover them fail before the design is written.
  const std::string lib = o.liberty.empty() ? "" : prepare_liberty(o.liberty, work.string());
  const ClockGateCell gate = check_clock_gating(c, lib);
  const PeParams params = pe_params(c, idx);
  const std::vector<mem::Macro> catalog = sram_catalog(c, !lib.empty(), o.sram);
  const SramMap sram = catalog.empty() ? SramMap{}
                                       : sram_map(params.depth, params.width(), catalog,
                                                  fmt::format("the scratchpad of {}'s PEs", c.layers[idx].name));
  fs::create_directories(work);
  const std::vector<std::string> verilog = write_design(c, work, gate, o.liberty, sram.model);
  SynthReport r;
  r.config = c.name;
  r.generated_by = provenance(c);
  r.layer = c.layers[idx].name;
  r.format = c.layers[idx].format.name();
  r.width = c.layers[idx].format.width();
  r.depth = c.scratchpad_depth;
  r.clock_gating = c.clock_gating;
  r.clock_gate_cell = gate.name;
  r.memory = to_string(c.memory);
  if (!sram.macros.empty()) r.sram = fmt::format("{}, {} unused bits", sram.macros, sram.unused_bits);
  r.generic = o.liberty.empty();
  r.clock_ns = o.clock_ns;
  r.liberty = r.generic ? "(none: Yosys generic cells)" : o.liberty;
  r.unit = r.generic ? "transistors (yosys stat -tech cmos)" : "um^2";
  for (PeKind kind : {PeKind::kBase, PeKind::kTaxonn}) {
    SynthPoint& p = kind == PeKind::kBase ? r.base : r.taxonn;
    p.module = pe_module_name(r.layer, kind);
    // The hierarchy is kept (as Design Compiler keeps it by default): the
    // blocks both PEs share then map to the same cells, and the overhead is
    // the added logic's, not the mapper's noise on a flattened design (which
    // moved the same RTL by +-3%).
    YosysRun run{p.module, p.module, p.module + ".ys", "synthesis of " + p.module + ", hierarchy kept", {}, {}};
    run.json = !r.generic;
    run.flatten = false;
    run.macro_libs = sram.libs;
    const std::string log = yosys_map(work, verilog, run, lib, o.clock_ns, p);
    if (o.breakdown) p.breakdown = area_breakdown(log, lib);
    if (r.generic) continue;
    // Power from the gate-level simulation of each PE's own workload (the
    // baseline can only infer), and the TaxoNN PE inferring too; OpenSTA
    // times the netlist and gives its vectorless figure at the workload's
    // mean toggle rate for reference.
    const std::string json = (work / (p.module + ".netlist.json")).string();
    auto by_block = [&](const gate::PowerResult& g, bool timed = false) {
      std::map<std::string, double> b;
      for (const auto& [where, pw] : timed ? g.timed_by_instance_w : g.by_instance_w)
        b[block_of_cell(g, where.first, where.second)] += pw * 1e3;
      b[kInputWires] += (timed ? g.timed_inputs_switching_w : g.inputs_switching_w) * 1e3;
      b[kClockNet] += g.clock_net_w * 1e3;
      return std::vector<std::pair<std::string, double>>(b.begin(), b.end());
    };
    const PeWorkload own = kind == PeKind::kBase ? PeWorkload::kInfer : PeWorkload::kTrain;
    const gate::PowerResult g = pe_gate_power(json, p.module, lib, sram.libs, params, kind, own, o.clock_ns);
    Activity act;
    act.registers = g.toggle_rate;
    opensta(work, p.module, lib, o.clock_ns, act, p, "", "", sram.libs);
    take_gate_power(p, g, own);
    if (o.breakdown) {
      p.power_breakdown = by_block(g);
      p.power_timed_breakdown = by_block(g, true);
    }
    if (kind == PeKind::kTaxonn) {
      const gate::PowerResult gi =
          pe_gate_power(json, p.module, lib, sram.libs, params, kind, PeWorkload::kInfer, o.clock_ns);
      p.infer_power_mw = gi.total_w() * 1e3;
      p.infer_power_timed_mw = gi.timed_total_w() * 1e3;
      if (o.breakdown) p.infer_power_breakdown = by_block(gi);
    }
  }
  return r;
}

void flow::take_gate_power(SynthPoint& p, const gate::PowerResult& g, PeWorkload w) {
  p.power_source = "gate-level simulation";
  p.workload = to_string(w);
  p.power_mw = g.total_w() * 1e3;
  p.internal_mw = g.internal_w * 1e3;
  p.switching_mw = g.switching_w * 1e3;
  p.leakage_mw = g.leakage_w * 1e3;
  p.clock_mw = g.clock_internal_w * 1e3;
  p.clock_net_mw = g.clock_net_w * 1e3;
  p.flop_mw = g.flop_w * 1e3;
  p.gate_checked = g.checked;
  p.power_timed_mw = g.timed_total_w() * 1e3;
  p.transitions_ratio = g.transitions ? static_cast<double>(g.timed_transitions) / static_cast<double>(g.transitions) : 0;
}

std::size_t flow::pick_layer(const Config& c, const std::string& layer, const std::string& path) {
  for (std::size_t i = 0; i < c.layers.size(); ++i)
    if (c.layers[i].weighted() && (layer.empty() || c.layers[i].name == layer)) return i;
  throw ConfigError(fmt::format("--layer '{}': no weighted layer of that name in {}; pick one of its fc/conv layers",
                                layer, path));
}

Config flow::with_format(const Config& c, std::size_t idx, int i, int f, const std::string& what) {
  ConfigOverrides o;
  o.formats[idx] = {i, f};
  return apply_overrides(c, o, what);
}


SynthReport run_synth(const SynthOptions& o) {
  Config c = load_config(o.config_path, o.memory, o.clock_gating);
  const std::size_t idx = pick_layer(c, o.layer, o.config_path);
  if (o.format)
    c = with_format(c, idx, o.format->first, o.format->second,
                    fmt::format("{} with --format {},{}", o.config_path, o.format->first, o.format->second));
  return synth_layer(c, idx, o);
}

}  // namespace taxonn
