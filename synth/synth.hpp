// `taxonn synth`: area, timing and power of the baseline PE and the TaxoNN PE
// of one layer (CONTRACT 5; paper Tables II and III), and sweeps of them over
// the width W. With a liberty: Yosys maps to its cells (ABC with the clock as
// delay target, buffering and sizing), OpenSTA reports the worst path, Fmax
// and power at that clock with toggle rates measured on a training step.
// Without one: Yosys's generic cells, area as its transistor estimate, no
// timing or power; the report says so.
#pragma once

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "config.hpp"
#include "memory.hpp"
#include "executor.hpp"
#include "io_util.hpp"
#include "pe_interface.hpp"
#include "pe_power.hpp"

namespace taxonn {

struct SynthOptions {
  std::string config_path;
  std::string layer;                          // empty: the first weighted layer
  std::optional<std::pair<int, int>> format;  // (I, F) override
  std::string liberty;                        // empty: generic cells
  std::string work_dir;                       // where RTL, scripts and logs go
  std::string json_out;                       // optional machine-readable report
  double clock_ns = 5.0;                      // ABC delay target and the power clock
  bool breakdown = true;                      // per-module areas (hierarchical run)
  std::vector<std::string> sram;              // SRAM macro liberties (files or folders): memory sram
  std::string memory;                         // non-empty: the config's memory, overridden (flops, sram)
  std::string clock_gating;                   // non-empty: the config's clock_gating, overridden (on, off)
  std::string pe_power;                       // --network: the PE units' power, "gate" or "opensta"; empty: PePower's default
  batch::Options batch;                       // --network: how the units run (executor.hpp)
};

struct SynthPoint {
  std::string module;
  double area = 0.0;  // um^2 with a liberty; transistors without
  long cells = 0;
  // With a liberty (timed):
  bool timed = false;
  double critical_ns = 0, fmax_mhz = 0, slack_ns = 0;
  // The power figure: gate-level for a PE (docs/power.md), OpenSTA's for a
  // unit of the whole accelerator; `power_source` says which.
  std::string power_source;
  double power_mw = 0, internal_mw = 0, switching_mw = 0, leakage_mw = 0;
  double toggle_rate = 0;  // mean transitions per net per cycle (OpenSTA's global rate)
  // Gate-level only: the workload, the flip-flops' share, outputs checked.
  std::string workload;
  double clock_mw = 0, clock_net_mw = 0, flop_mw = 0;  // flip-flops' clock pins, the clock net, flip-flops in all
  long gate_checked = 0;
  // OpenSTA's vectorless power at one global rate (the workload's mean), for reference.
  double sta_power_mw = 0;
  // TaxoNN PE only: gate-level power on the baseline's inference workload.
  double infer_power_mw = 0;
  // Gate-level only, glitch-aware (docs/power.md, "Glitches"): the same
  // workloads simulated with the liberty's delays, and the transitions that
  // simulation counts per zero-delay transition (own workload).
  double power_timed_mw = 0, infer_power_timed_mw = 0, transitions_ratio = 0;
  // Per-module area (hierarchical synthesis): block -> area; and, with a
  // liberty, the gate-level power of the hierarchical netlist by block (mW).
  std::vector<std::pair<std::string, double>> breakdown, power_breakdown;
  std::vector<std::pair<std::string, double>> infer_power_breakdown;  // TaxoNN PE: inferring
  std::vector<std::pair<std::string, double>> power_timed_breakdown;  // own workload, glitch-aware
};

struct SynthReport {
  std::string config, layer, format, liberty, unit;
  nlohmann::json generated_by;  // provenance(): taxonn version, config hash
  int depth = 0, width = 0;
  bool clock_gating = false;    // the scratchpad words on gated clocks
  std::string clock_gate_cell;  // then: the liberty's cell each gate is
  std::string memory = "flops"; // the scratchpads (config memory)
  std::string sram;             // memory sram: the macros of each scratchpad and their unused bits
  bool generic = true;
  double clock_ns = 0;
  SynthPoint base, taxonn;
  double overhead_percent() const { return 100.0 * (taxonn.area - base.area) / base.area; }
  // Each PE on its own workload: the TaxoNN PE training, the baseline inferring.
  double power_overhead_percent() const { return 100.0 * (taxonn.power_mw - base.power_mw) / base.power_mw; }
  // Both PEs inferring: what the training hardware costs when it is idle.
  double power_overhead_same_work_percent() const {
    return 100.0 * (taxonn.infer_power_mw - base.power_mw) / base.power_mw;
  }
  // The same two, glitch-aware (gate-level, timed).
  double power_overhead_timed_percent() const {
    return 100.0 * (taxonn.power_timed_mw - base.power_timed_mw) / base.power_timed_mw;
  }
  double power_overhead_same_work_timed_percent() const {
    return 100.0 * (taxonn.infer_power_timed_mw - base.power_timed_mw) / base.power_timed_mw;
  }
  // OpenSTA's vectorless figures at each workload's mean toggle rate.
  double sta_power_overhead_percent() const {
    return 100.0 * (taxonn.sta_power_mw - base.sta_power_mw) / base.sta_power_mw;
  }
};

SynthReport run_synth(const SynthOptions& o);
std::string format_report(const SynthReport& r);
std::string report_json(const SynthReport& r);

// The whole accelerator of a config (docs/network.md): every unique
// module synthesized once (each layer's PE; each layer without its PEs, which
// are black boxes there; the top without its layers), rolled up by instance
// count; Fmax is the slowest unit's; energy per SGD step = power x cycles x
// clock period (cycles from taxonn::net_phases).
struct NetSynthUnit {
  std::string name, what;
  int instances = 1;
  SynthPoint point;
};
struct NetSynthReport {
  std::string config, liberty, unit;
  std::string memory = "flops";   // the scratchpads (config memory)
  bool clock_gating = false;      // the PEs' words and registers on gated clocks (config clock_gating)
  bool pe_gate_power = false;     // the PE units' power from the gate-level simulation (PePower)
  std::vector<std::string> sram;  // memory sram: the macros' liberties, as given
  nlohmann::json generated_by;
  bool generic = true;
  double clock_ns = 0, area = 0, power_mw = 0, fmax_mhz = 0, energy_per_step_nj = 0;
  std::int64_t cycles_per_step = 0;
  std::vector<NetSynthUnit> units;
};
NetSynthReport run_net_synth(const SynthOptions& o);

// The units of a network's synthesis as batch jobs (run_net_synth, `taxonn
// explore`). A unit's job reads only the rtl/ files it maps, written into
// `units_dir`/<tag>-<content key>/, and its key is their content, the Yosys
// run, the liberty (`lib`, prepared), the clock and the toggle rates: a unit
// of the same content (a PE of the same format, depth and activation) is one
// job and one result across configs and runs that share `units_dir` and the
// batch's work folder.
struct NetUnit {
  std::string tag, what;
  int instances = 1;
  std::string key;  // the content key (hex)
  batch::Job job;
};
// The SRAM macros a config's network synthesis maps its scratchpads to: none
// for flip-flops; with `memory: sram` the catalog of `sram`, which must be
// given, as must a liberty (ConfigError naming the flag).
std::vector<mem::Macro> sram_catalog(const Config& c, bool liberty, const std::vector<std::string>& sram);
// One scratchpad of depth x width on its cheapest cover by `catalog`
// (mem::cover; ConfigError naming `what` when none fits): the
// taxonn_sram_model that instantiates the macros, their liberty files, the
// macros as the reports name them ("2 x fakeram45_64x15") and the bits
// they hold beyond the scratchpad's.
struct SramMap {
  std::string model;
  std::vector<std::string> libs;
  std::string macros;
  long long unused_bits = 0;
};
SramMap sram_map(int depth, int width, const std::vector<mem::Macro>& catalog, const std::string& what);
// Several memories of one unit (a pool layer's Y, R and argmax), each on its
// cover (mem::cover_modules).
SramMap sram_map(const std::vector<mem::Memory>& mems, const std::vector<mem::Macro>& catalog);
// With `memory: sram`, each PE's scratchpad is the cheapest cover by the
// macros of `sram` (liberty files or folders; mem::cover_module), which
// needs a liberty (ConfigError naming the flag otherwise).
//
// A PE unit's power is OpenSTA's vectorless figure at the PE's measured
// toggle rates, like every other unit's, unless `pe_gate_power`: then the
// gate-level simulation of the PE's own training workload (the PE tables'
// power, docs/power.md), which models gated clocks as they are. OpenSTA
// propagates a gated clock as if it pulsed every cycle, so a gated PE's
// vectorless figure is an upper bound (pe_gate_power_default).
std::vector<NetUnit> net_units(const Config& c, const std::string& lib, double clock_ns,
                               const std::filesystem::path& units_dir, const std::vector<std::string>& sram = {},
                               bool pe_gate_power = false);
// `synth --network --pe-power`: "gate" or "opensta"; empty: gate-level
// for a gated config, OpenSTA otherwise (whose results stay keyed as before).
// UsageError on another value.
bool pe_gate_power_choice(const std::string& pe_power, const Config& c);
// The accelerator's report from its units' results (same order as `units`).
NetSynthReport net_rollup(const Config& c, const std::string& liberty_shown, bool generic, double clock_ns,
                          const std::vector<NetUnit>& units, const std::vector<SynthPoint>& pts);
std::string format_net_report(const NetSynthReport& r);
std::string net_report_json(const NetSynthReport& r);

// A liberty usable by Yosys, ABC and OpenSTA: a .gz is expanded into work_dir.
std::string prepare_liberty(const std::string& path, const std::string& work_dir);

// The Table II/III sweep: both PEs at W = from..to (I fixed, F = W - I), in
// `jobs` parallel runs with progress; writes sweep.{csv,json}, table.md and a
// plot (gnuplot) into out_dir. Returns the reports in W order.
struct SweepOptions {
  SynthOptions base;  // config, layer, liberty, clock
  int from = 13, to = 21, int_bits = 4;
  batch::Options batch;  // how the widths run (executor.hpp)
  std::string out_dir;
  std::string compare;   // another sweep's sweep.json: a section against it
};
std::vector<SynthReport> run_sweep(const SweepOptions& o);

// The flow's batch jobs (synth/jobs.cpp): a `synth` of one layer as a job
// spec, the reports back from a job's JSON, and the runner `taxonn job`
// calls for the kinds "synth-layer" and "synth-unit".
nlohmann::json synth_layer_job(const SynthOptions& o);
SynthReport synth_report_from_json(const nlohmann::json& j);
SynthPoint synth_point_from_json(const nlohmann::json& j);
nlohmann::json run_synth_job(const nlohmann::json& spec);

}  // namespace taxonn
