// The flow's batch jobs (batch/executor.hpp; synth.hpp, run_synth_job):
// "synth-layer", both PEs of a layer at a format (a `synth --sweep` width),
// and "synth-unit", one Yosys + OpenSTA run of the whole accelerator
// (`synth --network`). Reports travel as JSON, losslessly, in the order
// the reports print them.
#include "flow.hpp"

#include "synth.hpp"

#include <fmt/format.h>

#include <stdexcept>
#include <vector>

#include "io_util.hpp"
#include "pe_power.hpp"

namespace taxonn {

namespace fs = std::filesystem;

// With defaults: a unit's result from an earlier run (a unit has no
// gate-level figures, so none of the fields added since matter to it) still
// reads; a PE's (synth-layer) job key names its power model, so no result of
// an older model is reused.
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(SynthPoint, module, area, cells, timed, critical_ns, fmax_mhz,
                                                slack_ns, power_source, power_mw, internal_mw, switching_mw,
                                                leakage_mw, toggle_rate, workload, clock_mw, clock_net_mw, flop_mw,
                                                gate_checked, sta_power_mw, infer_power_mw, power_timed_mw,
                                                infer_power_timed_mw, transitions_ratio, breakdown, power_breakdown,
                                                infer_power_breakdown, power_timed_breakdown)
// memory and sram came later: a report of before reads as flip-flops.
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(SynthReport, config, layer, format, liberty, unit, generated_by, depth,
                                                width, clock_gating, clock_gate_cell, memory, sram, generic, clock_ns,
                                                base, taxonn)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(HwParam, name, value)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(Activity, input_bits, registers, inputs_mean)
namespace flow {
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(YosysRun, top, tag, script, what, params, blackboxes, json, flatten, macro_libs)
}

nlohmann::json synth_layer_job(const SynthOptions& o) {
  nlohmann::json j = {{"kind", "synth-layer"},   {"config", fs::absolute(o.config_path).string()},
                      {"layer", o.layer},        {"liberty", o.liberty.empty() ? "" : fs::absolute(o.liberty).string()},
                      {"work_dir", fs::absolute(o.work_dir).string()},
                      {"clock_ns", o.clock_ns},  {"breakdown", o.breakdown},
                      {"gate_power", kGatePowerModel}};
  if (o.format) j["format"] = {o.format->first, o.format->second};
  if (!o.clock_gating.empty()) j["clock_gating"] = o.clock_gating;
  // Only when given, so that a flip-flop job keeps the key of its stored result.
  if (!o.memory.empty()) j["memory"] = o.memory;
  if (!o.sram.empty()) {
    std::vector<std::string> sram;
    for (const auto& f : o.sram) sram.push_back(fs::absolute(f).string());
    j["sram"] = sram;
  }
  return j;
}

namespace {
// The defaults above are for fields a result may lack, never for the ones
// every result has: a stored result without its area or, timed, without
// its timing and power is damaged, and reading it as 0 would put a zero
// into a table. `what` names the result for the error.
void require_point_fields(const nlohmann::json& j, const std::string& what) {
  std::vector<const char*> need = {"module", "area", "cells", "timed"};
  if (j.is_object() && j.value("timed", false))
    for (const char* k : {"critical_ns", "fmax_mhz", "slack_ns", "power_source", "power_mw"}) need.push_back(k);
  for (const char* k : need)
    if (!j.is_object() || !j.contains(k))
      throw std::runtime_error(fmt::format("{}: stored synthesis result has no \"{}\": it is damaged; delete it "
                                           "(or its work folder) and rerun",
                                           what, k));
}
}  // namespace

SynthReport synth_report_from_json(const nlohmann::json& j) {
  for (const char* k : {"config", "layer", "width", "base", "taxonn"})
    if (!j.is_object() || !j.contains(k))
      throw std::runtime_error(fmt::format("synthesis report: no \"{}\": it is damaged; delete it (or its work "
                                           "folder) and rerun", k));
  for (const char* k : {"base", "taxonn"}) require_point_fields(j.is_object() ? j.value(k, nlohmann::json()) : j,
                                                                fmt::format("synthesis report ({} PE)", k));
  return j.get<SynthReport>();
}
SynthPoint synth_point_from_json(const nlohmann::json& j) {
  require_point_fields(j, "synthesis unit");
  return j.get<SynthPoint>();
}

namespace {
// A PE's parameters through a job spec, every field (the enums by their
// encoding, alpha's raw value within 64 bits: a W <= 32 format's). The
// structured bindings name every data member: a field added to PeParams,
// QFormat or LfsrParams stops the build here instead of dropping out of the
// spec.
nlohmann::json pe_params_json(const PeParams& p) {
  const auto& [layer, fmt, act, depth, memory, clock_gating, guard_bits, sat_cnt_width, lfsr, alpha_raw] = p;
  const auto& [int_bits, frac_bits, rounding, overflow] = fmt;
  const auto& [lfsr_width, lfsr_polynomial, lfsr_seed] = lfsr;
  return {{"layer", layer},
          {"int_bits", int_bits},
          {"frac_bits", frac_bits},
          {"rounding", static_cast<int>(rounding)},
          {"overflow", static_cast<int>(overflow)},
          {"act", static_cast<int>(act)},
          {"depth", depth},
          {"memory", static_cast<int>(memory)},
          {"clock_gating", clock_gating},
          {"guard_bits", guard_bits},
          {"sat_cnt_width", sat_cnt_width},
          {"lfsr", {lfsr_width, lfsr_polynomial, lfsr_seed}},
          {"alpha_raw", static_cast<std::int64_t>(alpha_raw)}};
}
PeParams pe_params_from_json(const nlohmann::json& j) {
  PeParams p;
  p.layer = j.at("layer");
  p.fmt.int_bits = j.at("int_bits");
  p.fmt.frac_bits = j.at("frac_bits");
  p.fmt.rounding = static_cast<Rounding>(j.at("rounding").get<int>());
  p.fmt.overflow = static_cast<Overflow>(j.at("overflow").get<int>());
  p.act = static_cast<Activation>(j.at("act").get<int>());
  p.depth = j.at("depth");
  p.memory = static_cast<Memory>(j.at("memory").get<int>());
  p.clock_gating = j.at("clock_gating");
  p.guard_bits = j.at("guard_bits");
  p.sat_cnt_width = j.at("sat_cnt_width");
  p.lfsr = {j.at("lfsr").at(0).get<int>(), j.at("lfsr").at(1).get<std::uint32_t>(), j.at("lfsr").at(2).get<std::uint32_t>()};
  p.alpha_raw = j.at("alpha_raw").get<std::int64_t>();
  return p;
}
}  // namespace

nlohmann::json flow::synth_unit_job(const std::string& work, const std::vector<std::string>& verilog,
                                    const flow::YosysRun& run, const std::string& lib, double clock_ns,
                                    const Activity& act, const PeParams* gate_pe) {
  nlohmann::json j = {{"kind", "synth-unit"}, {"work", work},         {"verilog", verilog}, {"run", run},
                      {"liberty", lib},       {"clock_ns", clock_ns}, {"activity", act}};
  // Only when asked, so that an OpenSTA-priced unit keeps its stored result's key.
  if (gate_pe) j["gate_power"] = {{"model", kGatePowerModel}, {"workload", "train"}, {"pe", pe_params_json(*gate_pe)}};
  return j;
}

nlohmann::json run_synth_job(const nlohmann::json& spec) {
  const std::string kind = spec.at("kind");
  if (kind == "synth-layer") {
    SynthOptions o;
    o.config_path = spec.at("config");
    o.layer = spec.at("layer");
    o.liberty = spec.at("liberty");
    o.work_dir = spec.at("work_dir");
    o.clock_ns = spec.at("clock_ns");
    o.breakdown = spec.at("breakdown");
    if (spec.contains("format")) o.format = spec.at("format").get<std::pair<int, int>>();
    if (spec.contains("clock_gating")) o.clock_gating = spec.at("clock_gating");
    if (spec.contains("memory")) o.memory = spec.at("memory");
    if (spec.contains("sram")) o.sram = spec.at("sram").get<std::vector<std::string>>();
    return run_synth(o);
  }
  if (kind == "synth-unit") {
    const fs::path work = spec.at("work").get<std::string>();
    const auto run = spec.at("run").get<flow::YosysRun>();
    const std::string lib = spec.at("liberty");
    const double clock_ns = spec.at("clock_ns");
    SynthPoint p;
    flow::yosys_map(work, spec.at("verilog").get<std::vector<std::string>>(), run, lib, clock_ns, p);
    if (lib.empty()) return p;
    if (!run.blackboxes.empty()) flow::strip_instance_params(work / (run.tag + ".netlist.v"));
    flow::opensta(work, run.top, lib, clock_ns, spec.at("activity").get<Activity>(), p, run.tag, "", run.macro_libs);
    if (spec.contains("gate_power")) {
      // The PE's own training workload on its netlist, checked against the
      // golden twin output by output (pe_gate_power throws on a mismatch).
      const PeParams pe = pe_params_from_json(spec.at("gate_power").at("pe"));
      const gate::PowerResult g = pe_gate_power((work / (run.tag + ".netlist.json")).string(), run.top, lib,
                                                run.macro_libs, pe, PeKind::kTaxonn, PeWorkload::kTrain, clock_ns);
      flow::take_gate_power(p, g, PeWorkload::kTrain);
    }
    return p;
  }
  throw UsageError(fmt::format("job kind '{}' is not a synthesis job", kind));
}

}  // namespace taxonn
