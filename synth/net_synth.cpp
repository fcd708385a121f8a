// The whole accelerator (`taxonn synth --network`): each unique module
// synthesized once, rolled up by instance count (synth.hpp, run_net_synth).
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
#include "executor.hpp"
#include "design.hpp"
#include "net_model.hpp"
#include "io_util.hpp"
#include "pe.hpp"
#include "pe_power.hpp"


namespace taxonn {

using namespace flow;

namespace {

// One unit of the accelerator: a Yosys run, how many instances it stands
// for, and the toggle rates its power is taken at.
struct Unit {
  YosysRun run;
  int instances = 1;
  Activity activity;
};

}  // namespace

NetSynthReport run_net_synth(const SynthOptions& o) {
  const Config c = load_config(o.config_path);
  const std::vector<NetLayerHw> hw = net_hw(c);  // names the field when the config has no network RTL
  const auto ex = batch::make_executor(o.batch);  // a bad backend fails before any synthesis
  const fs::path work = fs::absolute(o.work_dir);
  fs::create_directories(work);
  const std::string lib = o.liberty.empty() ? "" : prepare_liberty(o.liberty, work.string());
  const std::vector<std::string> verilog = write_design(c, work);

  NetSynthReport r;
  r.config = c.name;
  r.generated_by = provenance(c);
  r.generic = lib.empty();
  r.liberty = r.generic ? "(none: Yosys generic cells)" : o.liberty;
  r.unit = r.generic ? "transistors (yosys stat -tech cmos)" : "um^2";
  r.clock_ns = o.clock_ns;
  r.cycles_per_step = net_cycles(net_phases(hw, true));

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
    units.push_back(layer);
  }
  Unit top;
  top.run = {net_module_name(c), "net_top", "net_top.ys", "the controller, boundary conversions and host interface", {},
             layer_modules};
  top.activity.registers = first_pe.registers;
  units.push_back(top);

  // Each unit a batch job (executor.hpp): on this machine or a cluster.
  std::vector<batch::Job> jobs;
  for (const Unit& u : units) {
    std::vector<fs::path> inputs;
    for (const auto& v : verilog) inputs.push_back(work / v);
    if (!lib.empty()) inputs.emplace_back(lib);
    jobs.push_back({u.run.what, synth_unit_job(work.string(), verilog, u.run, lib, o.clock_ns, u.activity), inputs});
  }
  const auto outs = ex->run(jobs, [&](std::size_t, const batch::Outcome& oc) {
    const SynthPoint p = synth_point_from_json(oc.result);
    return fmt::format("area {:.0f}{}", p.area, p.timed ? fmt::format(", Fmax {:.0f} MHz", p.fmax_mhz) : "");
  });
  std::vector<SynthPoint> pts(units.size());
  for (std::size_t i = 0; i < units.size(); ++i) {
    if (outs[i].stopped) throw Interrupted(stop_signal().load(), "synth --network: stopped before every unit was done");
    if (!outs[i].ok) throw ToolError(fmt::format("{}: {}", units[i].run.what, outs[i].error));
    pts[i] = synth_point_from_json(outs[i].result);
  }

  double fmax = 0;
  for (std::size_t i = 0; i < units.size(); ++i) {
    NetSynthUnit u;
    u.name = units[i].run.tag;
    u.what = units[i].run.what;
    u.instances = units[i].instances;
    u.point = pts[i];
    r.area += u.point.area * u.instances;
    if (u.point.timed) {
      r.power_mw += u.point.power_mw * u.instances;
      fmax = fmax == 0 ? u.point.fmax_mhz : std::min(fmax, u.point.fmax_mhz);
    }
    r.units.push_back(u);
  }
  r.fmax_mhz = fmax;
  // Energy per SGD step at the power clock: P * cycles * T.
  r.energy_per_step_nj = r.power_mw * static_cast<double>(r.cycles_per_step) * o.clock_ns * 1e-3;  // mW * ns = pJ
  return r;
}

}  // namespace taxonn
