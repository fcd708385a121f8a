// The whole accelerator (`taxonn synth --network`): each unique module
// synthesized once, rolled up by instance count (synth.hpp, run_net_synth).
#include "clock_gate.hpp"
#include "flow.hpp"

#include "synth.hpp"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <map>
#include <optional>
#include <set>
#include <stdexcept>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "content_key.hpp"
#include "design.hpp"
#include "net_model.hpp"
#include "io_util.hpp"
#include "memory.hpp"
#include "pe.hpp"
#include "pe_power.hpp"


namespace taxonn {

using namespace flow;

namespace {

// The rtl/ files a unit reads: its top's and, transitively, every module or
// header of the design its text names (one module per file, named after it),
// sorted. Only what the unit maps enters its job's key, so a PE of the same
// format, depth and activation is the same job in every config.
std::vector<const GeneratedFile*> unit_files(const std::vector<GeneratedFile>& files, const std::string& top) {
  std::map<std::string, const GeneratedFile*> by_stem;
  for (const auto& f : files)
    if (f.path.rfind("rtl/", 0) == 0) by_stem[fs::path(f.path).stem().string()] = &f;
  std::set<std::string> seen = {top};
  std::vector<std::string> todo = {top};
  while (!todo.empty()) {
    const std::string stem = todo.back();
    todo.pop_back();
    const auto it = by_stem.find(stem);
    if (it == by_stem.end()) throw std::logic_error("net_units: the design has no file for module " + stem);
    const std::string& t = it->second->content;
    for (std::size_t i = 0; i < t.size();) {
      if (!(std::isalpha(static_cast<unsigned char>(t[i])) || t[i] == '_')) {
        ++i;
        continue;
      }
      std::size_t j = i;
      while (j < t.size() && (std::isalnum(static_cast<unsigned char>(t[j])) || t[j] == '_')) ++j;
      const std::string word = t.substr(i, j - i);
      if (by_stem.count(word) && seen.insert(word).second) todo.push_back(word);
      i = j;
    }
  }
  std::vector<const GeneratedFile*> out;
  for (const auto& s : seen) out.push_back(by_stem.at(s));
  std::sort(out.begin(), out.end(), [](auto* a, auto* b) { return a->path < b->path; });
  return out;
}

}  // namespace

std::vector<mem::Macro> sram_catalog(const Config& c, bool liberty, const std::vector<std::string>& sram) {
  if (c.memory != Memory::kSram) return {};
  if (sram.empty())
    throw ConfigError(fmt::format("{}: memory: sram needs SRAM macros to map the scratchpads to; give --sram DIR "
                                  "(e.g. ../shared/pdk/fakeram45)", c.name));
  if (!liberty)
    throw ConfigError(fmt::format("{}: memory: sram needs --liberty: the macros' area, timing and power are in "
                                  "um^2 and ns, which Yosys's generic cells have not", c.name));
  return mem::read_catalog(sram);
}

SramMap sram_map(const std::vector<mem::Memory>& mems, const std::vector<mem::Macro>& catalog) {
  SramMap m;
  std::set<std::string> libs;
  std::vector<std::pair<mem::Cover, std::string>> covers;
  for (const mem::Memory& x : mems) {
    const mem::Cover cv = mem::cover(x.depth, x.width, catalog, x.name);
    std::string macros;
    for (const auto& s : cv.slices) {
      libs.insert(fs::absolute(s.macro.file).string());
      macros += fmt::format("{}{} x {}", macros.empty() ? "" : " + ", s.banks, s.macro.name);
    }
    // One memory: its macros; several: each named by what it is.
    m.macros += mems.size() == 1 ? macros : fmt::format("{}{} {}", m.macros.empty() ? "" : "; ", x.name, macros);
    m.unused_bits += cv.unused_bits;
    covers.emplace_back(cv, x.name);
  }
  m.model = mem::cover_modules(covers);
  m.libs.assign(libs.begin(), libs.end());
  return m;
}

SramMap sram_map(int depth, int width, const std::vector<mem::Macro>& catalog, const std::string& what) {
  return sram_map(std::vector<mem::Memory>{{what, depth, width, 1}}, catalog);
}

bool pe_gate_power_choice(const std::string& pe_power, const Config& c) {
  if (pe_power.empty()) return c.clock_gating;
  if (pe_power == "gate" || pe_power == "opensta") return pe_power == "gate";
  throw UsageError(fmt::format("--pe-power {}: not a power method; use gate (gate-level simulation of the PE's "
                               "workload) or opensta (vectorless)", pe_power));
}

std::vector<NetUnit> net_units(const Config& c, const std::string& lib, double clock_ns, const fs::path& units_dir,
                               const std::vector<std::string>& sram, bool pe_gate_power) {
  const std::vector<NetLayerHw> hw = net_hw(c);  // names the field when the config has no network RTL
  std::vector<GeneratedFile> files = generate_design(c);
  // A gated config's clock gates as the liberty's cell (named by its file
  // name, so that a unit's content key does not depend on the work folder).
  map_clock_gates(files, check_clock_gating(c, lib), fs::path(lib).filename().string());
  const std::vector<mem::Macro> catalog = sram_catalog(c, !lib.empty(), sram);
  struct Unit {
    YosysRun run;
    int instances = 1;
    Activity activity;
    std::optional<PeParams> gate_pe;  // the PE's power from the gate-level simulation (pe_gate_power)
    std::string sram_model;  // this unit's taxonn_sram_model for synthesis (memory sram: a PE's scratchpad, a layer's Y)
  };
  std::vector<Unit> units;
  Activity first_pe;
  std::vector<std::string> layer_modules;
  for (std::size_t l = 0; l < hw.size(); ++l) {
    const NetLayerHw& h = hw[l];
    const std::string& name = c.layers[h.index].name;
    if (std::find(layer_modules.begin(), layer_modules.end(), layer_module(h)) == layer_modules.end())
      layer_modules.push_back(layer_module(h));
    Unit layer;
    if (h.weighted()) {
      // A conv layer's PEs leave z and f' to their column (taxonn_conv_layer).
      PeParams pp = h.pe;
      if (h.type == LayerType::kConv) pp.act = Activation::kIdentity;
      Unit pe;
      pe.run = {"taxonn_pe", name + "_pe", name + "_pe.ys", fmt::format("the TaxoNN PE of {} ({} words)", name, h.depth()),
                pe_param_values(pp, PeKind::kTaxonn), {}};
      pe.instances = h.pes();
      pe.activity = measure_activity(pp, PeKind::kTaxonn);
      if (c.memory == Memory::kSram) {
        const SramMap m = sram_map(h.depth(), pp.width(), catalog, fmt::format("the scratchpad of {}'s PEs", name));
        pe.sram_model = m.model;
        pe.run.macro_libs = m.libs;
        pe.run.what += ", SRAM " + m.macros;
      }
      if (pe_gate_power && !lib.empty()) {
        pe.run.json = true;  // the netlist the simulation reads
        pe.gate_pe = pp;
      }
      if (first_pe.registers == 0) first_pe = pe.activity;
      units.push_back(pe);
      layer.run = {layer_module(h), name + "_layer", name + "_layer.ys",
                   fmt::format("layer {} without its PEs (buffers, G unit, adders, sequencer)", name),
                   layer_param_values(hw, l), {"taxonn_pe"}};
      // Buffers and sequencer see the layer's data: the PE's register rate.
      layer.activity.registers = pe.activity.registers;
    } else {
      layer.run = {layer_module(h), name + "_layer", name + "_layer.ys",
                   fmt::format("pooling layer {} (buffers, pooling unit, sequencer)", name), layer_param_values(hw, l),
                   {}};
      layer.activity.registers = first_pe.registers;
    }
    if (h.y_mem == Memory::kSram) {
      // The Y buffer (taxonn_host_buf), and a pool's R and argmax.
      const SramMap m = sram_map(mem::layer_buffers(hw, l), catalog);
      layer.sram_model = m.model;
      layer.run.macro_libs = m.libs;
      layer.run.what += ", SRAM " + m.macros;
    }
    units.push_back(layer);
  }
  Unit top;
  top.run = {net_module_name(c), "net_top", "net_top.ys", "the controller, boundary conversions and host interface", {},
             layer_modules};
  top.activity.registers = first_pe.registers;
  units.push_back(top);

  // Each unit a batch job in a folder named by its content: the files it
  // maps, the run, the liberty, the clock and the toggle rates.
  std::vector<NetUnit> out;
  for (const Unit& u : units) {
    auto mine = unit_files(files, u.run.top);
    // The SRAM's behavioural model gives way to this unit's macros.
    GeneratedFile macro_map;
    if (!u.sram_model.empty()) {
      for (auto& f : mine)
        if (f->path == "rtl/taxonn_sram_model.v") {
          macro_map = {f->path, u.sram_model};
          f = &macro_map;
        }
      // The macro map instantiates the bank register: read it too.
      for (const auto& f : files)
        if (f.path == "rtl/taxonn_sram_bank_q.v" && u.sram_model.find("taxonn_sram_bank_q") != std::string::npos)
          mine.push_back(&f);
    }
    std::vector<std::string> verilog;
    for (const GeneratedFile* f : mine)
      if (fs::path(f->path).extension() == ".v") verilog.push_back(f->path);
    nlohmann::json spec = synth_unit_job("", verilog, u.run, lib, clock_ns, u.activity, u.gate_pe ? &*u.gate_pe : nullptr);
    ContentKey k;
    k.add("taxonn net unit v1").add(spec.dump());
    for (const GeneratedFile* f : mine) k.add(f->path).add(f->content);
    NetUnit n;
    n.tag = u.run.tag;
    n.what = u.run.what;
    n.instances = u.instances;
    n.key = k.hex();
    const fs::path dir = fs::absolute(units_dir) / fmt::format("{}-{}", u.run.tag, n.key.substr(0, 16));
    spec["work"] = dir.string();
    std::vector<fs::path> inputs;
    for (const GeneratedFile* f : mine) {
      const fs::path at = dir / f->path;
      if (!fs::exists(at)) write_atomic(at, f->content);
      inputs.push_back(at);
    }
    if (!lib.empty()) inputs.emplace_back(lib);
    for (const auto& m : u.run.macro_libs) inputs.emplace_back(m);
    n.job = {u.run.what, spec, inputs};
    out.push_back(std::move(n));
  }
  return out;
}

NetSynthReport net_rollup(const Config& c, const std::string& liberty_shown, bool generic, double clock_ns,
                          const std::vector<NetUnit>& units, const std::vector<SynthPoint>& pts) {
  NetSynthReport r;
  r.config = c.name;
  r.generated_by = provenance(c);
  r.memory = std::string(to_string(c.memory));
  r.clock_gating = c.clock_gating;
  r.generic = generic;
  r.liberty = r.generic ? "(none: Yosys generic cells)" : liberty_shown;
  r.unit = r.generic ? "transistors (yosys stat -tech cmos)" : "um^2";
  r.clock_ns = clock_ns;
  r.cycles_per_step = net_cycles(net_phases(net_hw(c), true));
  double fmax = 0;
  for (std::size_t i = 0; i < units.size(); ++i) {
    NetSynthUnit u;
    u.name = units[i].tag;
    u.what = units[i].what;
    u.instances = units[i].instances;
    u.point = pts.at(i);
    r.area += u.point.area * u.instances;
    if (u.point.timed) {
      r.power_mw += u.point.power_mw * u.instances;
      fmax = fmax == 0 ? u.point.fmax_mhz : std::min(fmax, u.point.fmax_mhz);
    }
    r.units.push_back(u);
  }
  r.fmax_mhz = fmax;
  // Energy per SGD step at the power clock: P * cycles * T.
  r.energy_per_step_nj = r.power_mw * static_cast<double>(r.cycles_per_step) * clock_ns * 1e-3;  // mW * ns = pJ
  return r;
}

NetSynthReport run_net_synth(const SynthOptions& o) {
  const Config c = load_config(o.config_path, o.memory, o.clock_gating);
  net_hw(c);  // names the field when the config has no network RTL
  const bool gate_power = pe_gate_power_choice(o.pe_power, c);
  if (o.pe_power == "gate" && o.liberty.empty())
    throw UsageError("--pe-power gate: a gate-level simulation needs the cells' power; give --liberty FILE");
  sram_catalog(c, !o.liberty.empty(), o.sram);  // the macros, before any output
  const auto ex = batch::make_executor(o.batch);  // a bad backend fails before any synthesis
  const fs::path work = fs::absolute(o.work_dir);
  fs::create_directories(work);
  const std::string lib = o.liberty.empty() ? "" : prepare_liberty(o.liberty, work.string());
  check_clock_gating(c, lib);
  write_design(c, work);  // the whole design beside the report, for reading
  const std::vector<NetUnit> units = net_units(c, lib, o.clock_ns, work / "units", o.sram, gate_power);
  std::vector<batch::Job> jobs;
  for (const NetUnit& u : units) jobs.push_back(u.job);
  const auto outs = ex->run(jobs, [&](std::size_t, const batch::Outcome& oc) {
    const SynthPoint p = synth_point_from_json(oc.result);
    return fmt::format("area {:.0f}{}", p.area, p.timed ? fmt::format(", Fmax {:.0f} MHz", p.fmax_mhz) : "");
  });
  std::vector<SynthPoint> pts(units.size());
  for (std::size_t i = 0; i < units.size(); ++i) {
    if (outs[i].stopped) throw Interrupted(stop_signal().load(), "synth --network: stopped before every unit was done");
    if (!outs[i].ok) throw ToolError(fmt::format("{}: {}", units[i].what, outs[i].error));
    pts[i] = synth_point_from_json(outs[i].result);
  }
  NetSynthReport r = net_rollup(c, o.liberty, lib.empty(), o.clock_ns, units, pts);
  r.pe_gate_power = gate_power && !lib.empty();
  if (c.memory == Memory::kSram) r.sram = o.sram;
  return r;
}

}  // namespace taxonn
