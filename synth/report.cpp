// The synthesis reports: the PE comparison and the whole accelerator as
// text tables and JSON (synth.hpp).
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


namespace taxonn {

using namespace flow;

std::vector<BreakdownRow> flow::breakdown_rows(const SynthReport& r) {
  std::map<std::string, BreakdownRow> rows;
  for (const auto& [b, a] : r.base.breakdown) rows[b].base_area = a;
  for (const auto& [b, a] : r.taxonn.breakdown) rows[b].taxonn_area = a;
  for (const auto& [b, w] : r.base.power_breakdown) rows[b].base_mw = w;
  for (const auto& [b, w] : r.taxonn.power_breakdown) rows[b].taxonn_mw = w;
  for (const auto& [b, w] : r.taxonn.infer_power_breakdown) rows[b].taxonn_infer_mw = w;
  for (const auto& [b, w] : r.base.power_timed_breakdown) rows[b].base_timed_mw = w;
  for (const auto& [b, w] : r.taxonn.power_timed_breakdown) rows[b].taxonn_timed_mw = w;
  std::vector<BreakdownRow> v;
  for (auto& [b, row] : rows) {
    row.block = b;
    v.push_back(row);
  }
  return v;
}

std::string format_report(const SynthReport& r) {
  std::string s;
  if (r.generic)
    s += "note: no liberty given: mapped to Yosys's generic cells; area is a transistor estimate, not um^2, and "
         "there is no timing or power (pass --liberty FILE for a real library)\n";
  s += fmt::format("PE area{}, config '{}', layer '{}', {}, scratchpad {} words{}, liberty {}\n",
                   r.generic ? "" : fmt::format(", timing and power at {:.2f} ns ({:.0f} MHz)", r.clock_ns, 1000 / r.clock_ns),
                   r.config, r.layer, r.format, r.depth,
                   r.clock_gating  ? fmt::format(" on gated clocks ({} per word)", r.clock_gate_cell)
                   : r.sram.empty() ? ""
                                    : fmt::format(" in SRAM ({})", r.sram),
                   r.liberty);
  s += fmt::format("  {:<30} {:>14} {:>8}", "PE", r.generic ? "transistors" : "area (um^2)", "cells");
  if (!r.generic)
    s += fmt::format(" {:>10} {:>10} {:>10} {:>10} {:>10}  {}", "Fmax (MHz)", "power (mW)", "clock (mW)", "leak (mW)",
                     "OpenSTA", "workload (gate-level, outputs checked)");
  s += "\n";
  for (const SynthPoint* p : {&r.base, &r.taxonn}) {
    s += fmt::format("  {:<30} {:>14.1f} {:>8}", p->module, p->area, p->cells);
    if (p->timed)
      s += fmt::format(" {:>10.0f} {:>10.3f} {:>10.3f} {:>10.4f} {:>10.3f}  {} ({} values)", p->fmax_mhz, p->power_mw,
                       p->clock_mw, p->leakage_mw, p->sta_power_mw, p->workload, p->gate_checked);
    s += "\n";
  }
  if (!r.generic) {
    s += fmt::format("  {:<30} {:>14} {:>8} {:>10} {:>10.3f} {:>10} {:>10} {:>10}  inference\n", r.taxonn.module, "",
                     "", "", r.taxonn.infer_power_mw, "", "", "");
    s += fmt::format("  glitch-aware (timed gate-level simulation): baseline {:.3f} mW ({:.2f}x the transitions), "
                     "TaxoNN {:.3f} mW ({:.2f}x), TaxoNN inferring {:.3f} mW\n",
                     r.base.power_timed_mw, r.base.transitions_ratio, r.taxonn.power_timed_mw,
                     r.taxonn.transitions_ratio, r.taxonn.infer_power_timed_mw);
  }
  s += fmt::format("  TaxoNN overhead: area {:+.1f}%", r.overhead_percent());
  if (!r.generic)
    s += fmt::format(", power {:+.1f}% training vs inference, {:+.1f}% both inferring (gate-level, zero delay; "
                     "timed {:+.1f}% and {:+.1f}%; OpenSTA vectorless {:+.1f}%)",
                     r.power_overhead_percent(), r.power_overhead_same_work_percent(),
                     r.power_overhead_timed_percent(), r.power_overhead_same_work_timed_percent(),
                     r.sta_power_overhead_percent());
  s += "\n";
  if (!r.taxonn.breakdown.empty()) {
    const bool pw = !r.taxonn.power_breakdown.empty();
    s += fmt::format("  where the area{} is ({}{}):\n  {:<24} {:>12} {:>12} {:>12}", pw ? " and power" : "",
                     r.generic ? "transistors" : "um^2", pw ? "; gate-level mW" : "", "block",
                     "baseline", "TaxoNN", "added");
    if (pw)
      s += fmt::format(" {:>10} {:>10} {:>10} {:>10} {:>11} {:>11}", "base infer", "TaxoNN inf", "TaxoNN trn", "added",
                       "base timed", "TaxoNN tmd");
    s += "\n";
    for (const auto& b : breakdown_rows(r)) {
      s += fmt::format("  {:<24} {:>12.1f} {:>12.1f} {:>+12.1f}", b.block, b.base_area, b.taxonn_area,
                       b.taxonn_area - b.base_area);
      if (pw)
        s += fmt::format(" {:>10.3f} {:>10.3f} {:>10.3f} {:>+10.3f} {:>11.3f} {:>11.3f}", b.base_mw, b.taxonn_infer_mw,
                         b.taxonn_mw, b.taxonn_mw - b.base_mw, b.base_timed_mw, b.taxonn_timed_mw);
      s += "\n";
    }
  }
  return s;
}

nlohmann::json flow::point_json(const SynthPoint& p) {
  nlohmann::json j = {{"module", p.module}, {"area", p.area}, {"cells", p.cells}};
  if (p.timed) {
    j["critical_path_ns"] = p.critical_ns;
    j["fmax_mhz"] = p.fmax_mhz;
    j["slack_ns"] = p.slack_ns;
    j["power_mw"] = {{"total", p.power_mw}, {"internal", p.internal_mw}, {"switching", p.switching_mw}, {"leakage", p.leakage_mw}};
    j["power_source"] = p.power_source;
    j["toggle_rate"] = p.toggle_rate;
    j["opensta_power_mw"] = p.sta_power_mw;
    if (!p.workload.empty()) {
      j["workload"] = p.workload;
      j["power_mw"]["clock_pins"] = p.clock_mw;
      j["power_mw"]["clock_net"] = p.clock_net_mw;
      j["power_mw"]["flip_flops"] = p.flop_mw;
      j["gate_level_values_checked"] = p.gate_checked;
      j["power_mw"]["timed_total"] = p.power_timed_mw;
      j["timed_transitions_per_zero_delay_transition"] = p.transitions_ratio;
    }
  }
  for (const auto& [b, a] : p.breakdown) j["breakdown"][b] = a;
  for (const auto& [b, w] : p.power_breakdown) j["power_breakdown_mw"][b] = w;
  for (const auto& [b, w] : p.infer_power_breakdown) j["inference_power_breakdown_mw"][b] = w;
  for (const auto& [b, w] : p.power_timed_breakdown) j["power_timed_breakdown_mw"][b] = w;
  return j;
}

std::string report_json(const SynthReport& r) {
  nlohmann::json j;
  j["config"] = r.config;
  j["generated_by"] = r.generated_by;
  j["layer"] = r.layer;
  j["format"] = r.format;
  j["width"] = r.width;
  j["scratchpad_depth"] = r.depth;
  j["clock_gating"] = r.clock_gating;
  if (r.clock_gating) j["clock_gate_cell"] = r.clock_gate_cell;
  j["memory"] = r.memory;
  if (!r.sram.empty()) j["sram"] = r.sram;
  j["liberty"] = r.liberty;
  j["generic_cells"] = r.generic;
  j["unit"] = r.unit;
  if (!r.generic) j["clock_ns"] = r.clock_ns;
  j["baseline"] = point_json(r.base);
  j["taxonn"] = point_json(r.taxonn);
  j["overhead_percent"] = r.overhead_percent();
  if (!r.generic) {
    j["power_overhead_percent"] = r.power_overhead_percent();
    j["taxonn"]["inference_power_mw"] = r.taxonn.infer_power_mw;
    j["power_overhead_same_work_percent"] = r.power_overhead_same_work_percent();
    j["taxonn"]["inference_power_timed_mw"] = r.taxonn.infer_power_timed_mw;
    j["power_overhead_timed_percent"] = r.power_overhead_timed_percent();
    j["power_overhead_same_work_timed_percent"] = r.power_overhead_same_work_timed_percent();
    j["opensta_power_overhead_percent"] = r.sta_power_overhead_percent();
  }
  return j.dump(2) + "\n";
}


std::string format_net_report(const NetSynthReport& r) {
  std::string s;
  if (r.generic)
    s += "note: no liberty given: mapped to Yosys's generic cells; area is a transistor estimate, not um^2, and "
         "there is no timing or power (pass --liberty FILE for a real library)\n";
  std::string sram;
  for (const auto& p : r.sram) sram += (sram.empty() ? "" : ", ") + p;
  s += fmt::format("Network accelerator '{}', liberty {}{}, scratchpads {}\n", r.config, r.liberty,
                   r.generic ? "" : fmt::format(", power at {:.2f} ns ({:.0f} MHz)", r.clock_ns, 1000 / r.clock_ns),
                   r.memory == "sram"     ? "SRAM macros of " + sram
                   : !r.clock_gating      ? "flip-flops"
                   : r.pe_gate_power      ? "flip-flops on gated clocks"
                                          : "flip-flops on gated clocks (OpenSTA's vectorless power pulses every gated "
                                            "clock every cycle: an upper bound)");
  if (r.pe_gate_power)
    s += "  power of the PEs: gate-level simulation of each PE's training workload (docs/power.md); of the other "
         "units: OpenSTA, vectorless\n";
  s += fmt::format("  {:<14} {:<58} {:>5} {:>14} {:>14}", "unit", "what", "x", r.generic ? "transistors" : "area (um^2)",
                   "total");
  if (!r.generic) s += fmt::format(" {:>10} {:>11}", "Fmax (MHz)", "power (mW)");
  s += "\n";
  for (const auto& u : r.units) {
    s += fmt::format("  {:<14} {:<58} {:>5} {:>14.1f} {:>14.1f}", u.name, u.what, u.instances, u.point.area,
                     u.point.area * u.instances);
    if (u.point.timed) s += fmt::format(" {:>10.0f} {:>11.3f}", u.point.fmax_mhz, u.point.power_mw * u.instances);
    s += "\n";
  }
  s += fmt::format("  total area {:.0f} {}", r.area, r.generic ? "transistors" : "um^2");
  if (!r.generic)
    s += fmt::format(" ({:.3f} mm^2), Fmax {:.0f} MHz (slowest unit), power {:.1f} mW; one SGD step {} cycles: "
                     "{:.1f} nJ at {:.0f} MHz",
                     r.area * 1e-6, r.fmax_mhz, r.power_mw, r.cycles_per_step, r.energy_per_step_nj, 1000 / r.clock_ns);
  s += "\n";
  return s;
}

std::string net_report_json(const NetSynthReport& r) {
  nlohmann::json j = {{"config", r.config},     {"liberty", r.liberty},   {"generic_cells", r.generic},
                      {"unit", r.unit},         {"area", r.area},         {"cycles_per_step", r.cycles_per_step},
                      {"generated_by", r.generated_by}, {"memory", r.memory}};
  if (r.memory == "sram") j["sram"] = r.sram;
  j["clock_gating"] = r.clock_gating;
  if (!r.generic) {
    j["pe_power"] = r.pe_gate_power ? "gate-level simulation" : "opensta";
    j["clock_ns"] = r.clock_ns;
    j["fmax_mhz"] = r.fmax_mhz;
    j["power_mw"] = r.power_mw;
    j["energy_per_step_nj"] = r.energy_per_step_nj;
  }
  for (const auto& u : r.units) {
    nlohmann::json p = point_json(u.point);
    p["unit"] = u.name;
    p["what"] = u.what;
    p["instances"] = u.instances;
    j["units"].push_back(p);
  }
  return j.dump(2) + "\n";
}

}  // namespace taxonn
