// The synthesis flow's shared steps (internal to synth/): running Yosys and
// OpenSTA with their scripts written beside their logs, the area breakdown
// of a hierarchical run, a unit's batch job. The public interface is synth.hpp.
#pragma once

#include <filesystem>
#include <functional>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "config.hpp"
#include "power.hpp"
#include "pe_power.hpp"
#include "synth.hpp"
#include "clock_gate.hpp"

namespace taxonn::flow {

namespace fs = std::filesystem;

// One Yosys run: `top` (with parameter values, when given) mapped, flattened
// or with its hierarchy kept; `blackboxes` (modules of rtl/) are read as
// black boxes, so that their instances stay cells to be rolled up from their
// own run. Writes the area, the cell count and, with a liberty,
// `tag`.netlist.v for OpenSTA (plus the black box's port list in
// `tag`.stubs.v); returns the log.
struct YosysRun {
  std::string top, tag, script, what;
  std::vector<HwParam> params;
  std::vector<std::string> blackboxes;
  bool json = false;     // also `tag`.netlist.json, for gate-level power
  bool flatten = true;   // false: every module mapped on its own (the PEs)
  // Liberties of SRAM macros the unit instantiates (memory sram): black
  // boxes to Yosys (read_liberty -lib), their area in stat, and libraries
  // OpenSTA times and powers them with.
  std::vector<std::string> macro_libs = {};
};

// Run a tool on a script in `work`; on failure the error (ToolError) names
// the tool, the step and shows the log's last lines. A Yosys run whose
// content key is unchanged since it last succeeded reuses its netlist and log.
std::string run_tool(const fs::path& work, const std::string& tool, const std::string& step,
                     const std::string& script_name, const std::string& script,
                     const std::vector<fs::path>& inputs = {});

// ABC's mapping command for the liberty, with the clock as delay target.
std::string abc_map(const fs::path& work, const std::string& liberty, double clock_ns);

// One Yosys run (YosysRun); fills area and cell count of `p`; returns the log.
std::string yosys_map(const fs::path& work, const std::vector<std::string>& files, const YosysRun& r,
                      const std::string& liberty, double clock_ns, SynthPoint& p);

// OpenSTA: the worst path at the clock, and power with the measured activity.
// `stem` names the netlist (stem.netlist.v, black-box stubs in stem.stubs.v)
// and, with `script`, the script and its log.
void opensta(const fs::path& work, const std::string& top, const std::string& liberty, double clock_ns,
             const Activity& act, SynthPoint& p, const std::string& script_in = "", const std::string& stem_in = "",
             const std::vector<std::string>& macro_libs = {});

// OpenSTA's Verilog reader takes no parameter lists: drop them from the
// black-box instances of a mapped netlist.
void strip_instance_params(const fs::path& netlist);

// The block a cell of a hierarchical PE netlist is in (the power breakdown).
std::string block_of_cell(const gate::PowerResult& r, const std::string& path, bool flop);
// The area by block of a hierarchical run's log.
std::vector<std::pair<std::string, double>> area_breakdown(const std::string& full, const std::string& liberty);
// The breakdown's rows for the input ports' nets and the clock net.
constexpr const char* kInputWires = "input wires";
constexpr const char* kClockNet = "clock net";

// A point's power figures from a gate-level simulation of workload `w`
// (its OpenSTA figure, sta_power_mw, stays).
void take_gate_power(SynthPoint& p, const gate::PowerResult& g, PeWorkload w);

// One unit of `synth --network` as a batch job (synth/jobs.cpp): the Yosys
// run, then OpenSTA at `act` when there is a liberty.
// With `gate_pe` (a PE unit, `run.json` set), the power is then the
// gate-level simulation's of that PE's training workload (pe_gate_power);
// OpenSTA's figure stays as sta_power_mw.
nlohmann::json synth_unit_job(const std::string& work, const std::vector<std::string>& verilog, const YosysRun& run,
                              const std::string& lib, double clock_ns, const Activity& act,
                              const PeParams* gate_pe = nullptr);

// The config's generated RTL in `work`; returns its Verilog files (relative).
// With a clock-gating cell (a gated config), the clock gates are that cell;
// with an `sram_model` (SramMap::model), the SRAM's behavioural model is it.
std::vector<std::string> write_design(const Config& c, const fs::path& work, const ClockGateCell& gate = {},
                                      const std::string& lib_shown = "", const std::string& sram_model = "");
// Both PEs of layer `idx` of a (possibly format-overridden) config.
SynthReport synth_layer(const Config& c, std::size_t idx, const SynthOptions& o);
// The layer named `layer` (empty: the first weighted one) of the config at `path`.
std::size_t pick_layer(const Config& c, const std::string& layer, const std::string& path);
// The config with layer `idx` in Q(i,f); `what` names the override in errors.
Config with_format(const Config& c, std::size_t idx, int i, int f, const std::string& what);

// One block of the per-module breakdown, both PEs.
struct BreakdownRow {
  std::string block;
  double base_area = 0, taxonn_area = 0, base_mw = 0, taxonn_mw = 0, taxonn_infer_mw = 0;
  double base_timed_mw = 0, taxonn_timed_mw = 0;  // glitch-aware, each on its own workload
};
std::vector<BreakdownRow> breakdown_rows(const SynthReport& r);
// A point's figures for the JSON reports.
nlohmann::json point_json(const SynthPoint& p);

}  // namespace taxonn::flow
