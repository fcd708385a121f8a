// The Table II/III sweep over the width W, beside the paper's numbers
// (synth.hpp, run_sweep).
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
#include "clock_gate.hpp"
#include "memory.hpp"


namespace taxonn {

using namespace flow;

struct PaperPoint {
  double base_area, taxonn_area, base_power, taxonn_power;
};
const std::map<int, PaperPoint>& paper_tables() {
  static const std::map<int, PaperPoint> t = {
      {21, {14.3, 15.5, 4.54, 4.84}}, {20, {13.1, 14.3, 4.48, 4.78}}, {19, {11.8, 12.9, 4.42, 4.70}},
      {18, {11.1, 12.1, 4.31, 4.65}}, {17, {10.6, 11.7, 4.22, 4.49}}, {16, {10.1, 11.2, 4.10, 4.31}},
      {15, {9.7, 10.6, 3.98, 4.15}},  {14, {9.0, 9.9, 3.88, 4.13}},   {13, {8.1, 9.0, 3.75, 4.04}}};
  return t;
}

namespace {

// Both PEs at every width: one batch job per width (batch/executor.hpp),
// `so.batch.jobs` at a time on this machine or on a Slurm cluster; the
// SRAM macros' liberties (memory sram) are inputs of every job.
std::vector<SynthReport> synth_points(const SweepOptions& so, batch::Executor& ex,
                                      const std::vector<mem::Macro>& macros) {
  const int n = so.to - so.from + 1;
  fmt::print(stderr, "synth sweep: W = {}..{} (Q({},W-{})), both PEs\n", so.from, so.to, so.int_bits, so.int_bits);
  std::vector<batch::Job> jobs;
  for (int w = so.from; w <= so.to; ++w) {
    SynthOptions o = so.base;
    o.work_dir = (fs::path(so.base.work_dir) / fmt::format("sweep_w{}", w)).string();
    o.format = std::make_pair(so.int_bits, w - so.int_bits);
    std::vector<fs::path> inputs = {so.base.config_path};
    if (!o.liberty.empty()) inputs.emplace_back(o.liberty);
    for (const auto& m : macros) inputs.emplace_back(m.file);
    jobs.push_back({fmt::format("W = {}", w), synth_layer_job(o), inputs});
  }
  const auto outs = ex.run(jobs, [&](std::size_t, const batch::Outcome& o) {
    const SynthReport r = synth_report_from_json(o.result);
    return fmt::format("baseline {:.0f}, TaxoNN {:.0f} ({:+.1f}%)", r.base.area, r.taxonn.area, r.overhead_percent());
  });
  std::vector<SynthReport> reports;
  for (int k = 0; k < n; ++k) {
    const auto& o = outs[static_cast<std::size_t>(k)];
    if (o.stopped) throw Interrupted(stop_signal().load(), "synth sweep: stopped before every width was done");
    if (!o.ok) throw ToolError(fmt::format("synth sweep: W = {} failed: {}", so.from + k, o.error));
    reports.push_back(synth_report_from_json(o.result));
    // The job ran on absolute paths; the results name the liberty as the user gave it.
    reports.back().liberty = so.base.liberty;
  }
  return reports;
}

// The glitch-aware table: each PE's zero-delay and timed power (docs/power.md, "Glitches").
std::string glitch_section(const std::vector<SynthReport>& reports) {
  const double n = static_cast<double>(reports.size());
  double sum_same_ovh = 0, sum_power_ovh = 0, sum_same_timed_ovh = 0, sum_timed_ovh = 0, sum_power_ratio = 0,
         sum_ratio = 0;
  std::string glitch_rows;
  for (const auto& r : reports) {
    sum_same_ovh += r.power_overhead_same_work_percent();
    sum_power_ovh += r.power_overhead_percent();
    sum_same_timed_ovh += r.power_overhead_same_work_timed_percent();
    sum_timed_ovh += r.power_overhead_timed_percent();
    sum_power_ratio += r.taxonn.power_timed_mw / r.taxonn.power_mw;
    sum_ratio += r.taxonn.transitions_ratio;
    glitch_rows += fmt::format(
        "| {} | {:.3f} / {:.3f} | {:.3f} / {:.3f} | {:.3f} / {:.3f} | {:.2f} / {:.2f} | {:+.1f}% / **{:+.1f}%** | "
        "{:+.1f}% / {:+.1f}% |\n",
        r.width, r.base.power_mw, r.base.power_timed_mw, r.taxonn.infer_power_mw, r.taxonn.infer_power_timed_mw,
        r.taxonn.power_mw, r.taxonn.power_timed_mw, r.base.transitions_ratio, r.taxonn.transitions_ratio,
        r.power_overhead_same_work_percent(), r.power_overhead_same_work_timed_percent(), r.power_overhead_percent(),
        r.power_overhead_timed_percent());
  }
  return fmt::format(
        "\n## Glitch-aware power (timed gate-level simulation)\n\n"
        "The same netlists and workloads, every cycle simulated event by event with the liberty's cell delays "
        "(cell_rise / cell_fall at each input's slew and each net's load; clock-to-Q for the flip-flops; inertial: "
        "a pulse shorter than a gate's delay does not pass it), every transition priced, glitches included; each "
        "cycle must settle where the zero-delay simulation does (docs/power.md, \"Glitches\"). Each pair: zero "
        "delay / timed.\n\n"
        "| W | baseline mW (inference) | TaxoNN mW (inference) | TaxoNN mW (training) | transitions, timed per "
        "zero-delay (baseline / TaxoNN training) | power overhead, same work | training vs inference |\n"
        "| --- | --- | --- | --- | --- | --- | --- |\n{}"
        "\nAverage: the TaxoNN PE training draws {:.2f}x its zero-delay power with {:.2f}x the transitions; "
        "overhead at the same work **{:+.1f}%** timed ({:+.1f}% zero delay), training against inference {:+.1f}% "
        "({:+.1f}%).\n",
        glitch_rows, sum_power_ratio / n, sum_ratio / n, sum_same_timed_ovh / n, sum_same_ovh / n, sum_timed_ovh / n,
        sum_power_ovh / n);
}

// sweep.{json,csv,dat} and the Markdown table beside the paper's numbers.
std::string sweep_tables(const SweepOptions& so, const std::vector<SynthReport>& reports, const fs::path& out) {
  const int n = static_cast<int>(reports.size());
  const bool timed = !reports.front().generic;
  nlohmann::json all = nlohmann::json::array();
  std::string csv = "width,format,base_area,taxonn_area,area_overhead_percent,paper_base_area,paper_taxonn_area,"
                    "base_power_mw,taxonn_power_mw,power_overhead_percent,paper_base_power_mw,paper_taxonn_power_mw,"
                    "base_fmax_mhz,taxonn_fmax_mhz,taxonn_inference_power_mw,power_overhead_same_work_percent,"
                    "base_opensta_power_mw,taxonn_opensta_power_mw,opensta_power_overhead_percent,"
                    "base_power_timed_mw,taxonn_power_timed_mw,taxonn_inference_power_timed_mw,"
                    "power_overhead_same_work_timed_percent,power_overhead_timed_percent,"
                    "base_transitions_ratio,taxonn_transitions_ratio\n";
  std::string dat;
  double sum_area_ovh = 0, sum_power_ovh = 0, sum_paper_area_ovh = 0, sum_paper_power_ovh = 0, sum_same_ovh = 0,
         sum_sta_ovh = 0;
  std::string rows;
  for (const auto& r : reports) {
    all.push_back(nlohmann::json::parse(report_json(r)));
    const auto pp = paper_tables().count(r.width) ? paper_tables().at(r.width) : PaperPoint{0, 0, 0, 0};
    const double pa = pp.base_area ? 100 * (pp.taxonn_area / pp.base_area - 1) : 0;
    const double pw = pp.base_power ? 100 * (pp.taxonn_power / pp.base_power - 1) : 0;
    sum_area_ovh += r.overhead_percent();
    sum_paper_area_ovh += pa;
    if (timed) {
      sum_power_ovh += r.power_overhead_percent();
      sum_same_ovh += r.power_overhead_same_work_percent();
      sum_sta_ovh += r.sta_power_overhead_percent();
      sum_paper_power_ovh += pw;
    }
    csv += fmt::format("{},\"{}\",{:.1f},{:.1f},{:.2f},{:.0f},{:.0f},{:.4f},{:.4f},{:.2f},{:.2f},{:.2f},{:.0f},{:.0f},"
                       "{:.4f},{:.2f},{:.4f},{:.4f},{:.2f},{:.4f},{:.4f},{:.4f},{:.2f},{:.2f},{:.3f},{:.3f}\n",
                       r.width, r.format, r.base.area, r.taxonn.area, r.overhead_percent(), pp.base_area * 1000,
                       pp.taxonn_area * 1000, r.base.power_mw, r.taxonn.power_mw, timed ? r.power_overhead_percent() : 0,
                       pp.base_power, pp.taxonn_power, r.base.fmax_mhz, r.taxonn.fmax_mhz, r.taxonn.infer_power_mw,
                       timed ? r.power_overhead_same_work_percent() : 0, r.base.sta_power_mw, r.taxonn.sta_power_mw,
                       timed ? r.sta_power_overhead_percent() : 0, r.base.power_timed_mw, r.taxonn.power_timed_mw,
                       r.taxonn.infer_power_timed_mw, timed ? r.power_overhead_same_work_timed_percent() : 0,
                       timed ? r.power_overhead_timed_percent() : 0, r.base.transitions_ratio,
                       r.taxonn.transitions_ratio);
    dat += fmt::format("{} {:.1f} {:.1f} {:.0f} {:.0f} {:.4f} {:.4f} {:.2f} {:.2f} {:.4f}\n", r.width, r.base.area,
                       r.taxonn.area, pp.base_area * 1000, pp.taxonn_area * 1000, r.base.power_mw, r.taxonn.power_mw,
                       pp.base_power, pp.taxonn_power, r.taxonn.infer_power_mw);
    rows += fmt::format("| {} | {:.0f} ({:+.0f}%) | {:.0f} | {:.0f} | {:.0f} | {:+.1f}% | {:.1f}% |", r.width, r.base.area,
                        pp.base_area ? 100 * (r.base.area / (pp.base_area * 1000) - 1) : 0, pp.base_area * 1000,
                        r.taxonn.area, pp.taxonn_area * 1000, r.overhead_percent(), pa);
    if (timed)
      rows += fmt::format(" {:.3f} | {:.2f} | {:.3f} | {:.3f} | {:.2f} | **{:+.1f}%** | {:+.1f}% | {:.1f}% | {:+.1f}% | "
                          "{:.0f} / {:.0f} |",
                          r.base.power_mw, pp.base_power, r.taxonn.infer_power_mw, r.taxonn.power_mw, pp.taxonn_power,
                          r.power_overhead_same_work_percent(), r.power_overhead_percent(), pw,
                          r.sta_power_overhead_percent(), r.base.fmax_mhz, r.taxonn.fmax_mhz);
    rows += "\n";
  }
  const auto& r0 = reports.front();
  std::string md = fmt::format(
      "# Tables II and III, measured: PE area, power and Fmax against W\n\n"
      "Both PEs of layer '{}' of config '{}' at Q({},W-{}), scratchpad {} words{}{}, liberty {}{}. "
      "Paper: Synopsys Design Compiler, 45 nm (its Tables II and III).\n"
      "Regenerate: `make synth-sweep` (`taxonn synth --sweep {}:{}{} ...`). The scratchpad depth is chosen so that the "
      "baseline's area {}matches the paper's baseline (docs/results.md).\n\n",
      r0.layer, r0.config, so.int_bits, so.int_bits, r0.depth,
      r0.clock_gating ? fmt::format(" on gated clocks (a {} per word, docs/power.md)", r0.clock_gate_cell) : "",
      r0.sram.empty() ? "" : fmt::format(" in SRAM (at W = {}: {}; docs/memory.md)", r0.width, r0.sram), r0.liberty,
      timed ? fmt::format("; timing (OpenSTA) and power at {:.1f} ns ({:.0f} MHz), power from a gate-level "
                          "simulation of each PE's own workload (docs/power.md)",
                          r0.clock_ns, 1000 / r0.clock_ns)
            : "",
      so.from, so.to, r0.clock_gating ? " --clock-gating on" : r0.sram.empty() ? "" : " --memory sram --sram DIR",
      r0.clock_gating || !r0.sram.empty() ? "with flip-flops and no clock gating " : "");
  md += fmt::format("| W | baseline ({}, vs paper) | paper baseline | TaxoNN | paper TaxoNN | area overhead | paper |", r0.generic ? "transistors" : "um^2");
  if (timed)
    md += " baseline mW (inference) | paper | TaxoNN mW (inference) | TaxoNN mW (training) | paper TaxoNN | power "
          "overhead, same work | training vs inference | paper | OpenSTA vectorless | Fmax MHz base / TaxoNN |";
  md += "\n|";
  for (int k = 0; k < (timed ? 17 : 7); ++k) md += " --- |";
  md += "\n" + rows;
  md += fmt::format("\nAverage TaxoNN overhead: area {:+.1f}% (paper {:+.1f}%)", sum_area_ovh / n, sum_paper_area_ovh / n);
  if (timed)
    md += fmt::format(", power at the same work **{:+.1f}%** (paper {:+.1f}%); the TaxoNN PE training against the "
                      "baseline inferring {:+.1f}%; OpenSTA's vectorless figure {:+.1f}%",
                      sum_same_ovh / n, sum_paper_power_ovh / n, sum_power_ovh / n, sum_sta_ovh / n);
  md += ".\n";
  if (timed)
    md += "\nPower is from a zero-delay simulation of the mapped netlist, its outputs checked against the golden "
          "twin every cycle, priced event by event with the liberty's internal-power, capacitance and leakage "
          "tables (docs/power.md), back-to-back samples after the weights are loaded. \"Same work\": both PEs "
          "inferring, the cost of carrying the training hardware, the comparison at one switching activity a "
          "synthesis table like the paper's makes. \"Training vs inference\": each PE on its own workload, the "
          "TaxoNN PE training (forward, f', steps 1-5), the baseline inferring (it cannot train). "
          "\"OpenSTA vectorless\": Debian's OpenSTA with one global toggle rate (each "
          "workload's measured mean), which sums rise and fall energies per transition and propagates no "
          "per-net rates, for reference. The zero-delay figures are lower bounds: below, the same workloads "
          "simulated with the liberty's delays, glitches included.\n";
  if (timed) md += glitch_section(reports);
  write_atomic(out / "sweep.json", all.dump(2) + "\n");
  write_atomic(out / "sweep.csv", csv);
  write_atomic(out / "sweep.dat", dat);
  return md;
}

// Where the overhead is, at the middle width: area (and power) by block.
std::string sweep_breakdown(const SynthReport& mid) {
  std::string md;
  if (!mid.taxonn.breakdown.empty()) {
    const bool pw = !mid.taxonn.power_breakdown.empty();
    md += fmt::format("\n## Where the overhead is (W = {}, per-module areas{} from hierarchical synthesis)\n\n"
                      "| block | baseline | TaxoNN | added |{}\n| --- | --- | --- | --- |{}\n",
                      mid.width, pw ? " and gate-level power" : "",
                      pw ? " baseline mW (inference) | TaxoNN mW (inference) | TaxoNN mW (training) | added (training) | "
                           "baseline mW, timed | TaxoNN mW (training), timed |"
                         : "",
                      pw ? " --- | --- | --- | --- | --- | --- |" : "");
    for (const auto& b : breakdown_rows(mid)) {
      md += fmt::format("| {} | {:.0f} | {:.0f} | {:+.0f} |", b.block, b.base_area, b.taxonn_area, b.taxonn_area - b.base_area);
      if (pw)
        md += fmt::format(" {:.3f} | {:.3f} | {:.3f} | {:+.3f} | {:.3f} | {:.3f} |", b.base_mw, b.taxonn_infer_mw,
                          b.taxonn_mw, b.taxonn_mw - b.base_mw, b.base_timed_mw, b.taxonn_timed_mw);
      md += "\n";
    }
  }
  return md;
}

// The area and power plots (gnuplot), as SVG for the docs and PNG where gnuplot has it.
void sweep_plot(const SynthReport& r0, const fs::path& out) {
  const bool timed = !r0.generic;
  std::string plots = fmt::format(
      "set title \"PE area\"\nset ylabel \"{}\"\n"
      "plot \"sweep.dat\" using 1:2 with linespoints lw 2 title \"baseline (ours)\", "
      "\"\" using 1:3 with linespoints lw 2 title \"TaxoNN (ours)\", "
      "\"\" using 1:4 with linespoints dt 2 title \"baseline (paper)\", \"\" using 1:5 with linespoints dt 2 title \"TaxoNN (paper)\"\n",
      r0.generic ? "transistors" : "um^2");
  if (timed)
    plots += "set title \"PE power\"\nset ylabel \"mW\"\n"
             "plot \"sweep.dat\" using 1:6 with linespoints lw 2 title \"baseline inferring (ours)\", "
             "\"\" using 1:7 with linespoints lw 2 title \"TaxoNN training (ours)\", "
             "\"\" using 1:10 with linespoints lw 1 title \"TaxoNN inferring (ours)\", "
             "\"\" using 1:8 with linespoints dt 2 title \"baseline (paper)\", "
             "\"\" using 1:9 with linespoints dt 2 title \"TaxoNN (paper)\"\n";
  const int panels = timed ? 2 : 1;
  const std::string gp = fmt::format(
      "set grid\nset xlabel \"W (bits)\"\nset key top left\n"
      "set terminal svg size 1000,420 font \"sans,12\"\nset output \"area_power.svg\"\n"
      "set multiplot layout 1,{0}\n{1}unset multiplot\n"
      "if (strstrt(GPVAL_TERMINALS, \" png \") > 0) {{\n  set terminal png size 1000,420\n  set output \"area_power.png\"\n"
      "  set multiplot layout 1,{0}\n{1}  unset multiplot\n}}\n",
      panels, plots);
  write_atomic(out / "area_power.gp", gp);
  if (std::system(fmt::format("cd {} && gnuplot area_power.gp >/dev/null 2>&1", shell_quote(out.string())).c_str()) != 0)
    fmt::print(stderr, "synth sweep: gnuplot not available or failed: area_power.gp written, no SVG\n");
}

}  // namespace

// One width of another sweep (--compare): what the comparison reads.
struct OtherPoint {
  double base_area = 0, taxonn_area = 0, base_mw = 0, taxonn_mw = 0, taxonn_infer_mw = 0, taxonn_fmax = 0;
  std::string variant;  // variant_label()
};

// How a sweep's scratchpad and registers are built, for the comparison's words.
std::string variant_label(bool gated, const std::string& memory) {
  if (memory == "sram") return "SRAM scratchpad";
  return gated ? "flip-flops on gated clocks" : "flip-flops, no clock gating";
}

// The widths FROM..TO of another sweep's sweep.json, every figure the
// comparison reads checked here, before any synthesis: a one-line error
// naming the file and the fix when it cannot be read, is not a sweep.json
// with power, or lacks one of the widths.
std::map<int, OtherPoint> read_other_sweep(const std::string& path, int from, int to) {
  const auto bad = [&](const std::string& why) {
    return UsageError(fmt::format("--compare {}: {}; give the sweep.json of an earlier --sweep over the same widths, "
                                  "made with a liberty", path, why));
  };
  std::ifstream in(path);
  if (!in) throw bad("cannot be read");
  std::map<int, OtherPoint> by_w;
  try {
    nlohmann::json j;
    in >> j;
    if (!j.is_array()) throw std::runtime_error("not a list of widths");
    for (const auto& r : j) {
      const int w = r.at("width").get<int>();
      const auto& b = r.at("baseline");
      const auto& t = r.at("taxonn");
      by_w[w] = {b.at("area").get<double>(),          t.at("area").get<double>(),
                 b.at("power_mw").at("total").get<double>(), t.at("power_mw").at("total").get<double>(),
                 t.at("inference_power_mw").get<double>(), t.at("fmax_mhz").get<double>(),
                 variant_label(r.value("clock_gating", false), r.value("memory", std::string("flops")))};
    }
  } catch (const std::exception& e) {
    throw bad(fmt::format("not a sweep.json with power ({})", e.what()));
  }
  for (int w = from; w <= to; ++w)
    if (!by_w.count(w)) throw bad(fmt::format("no W = {}", w));
  return by_w;
}

// This sweep against another (--compare: e.g. the same PEs without clock
// gating, or with flip-flop scratchpads): each W's areas, powers and
// overheads side by side.
std::string compare_section(const std::vector<SynthReport>& reports, const std::string& path,
                            const std::map<int, OtherPoint>& other) {
  std::string md = fmt::format(
      "\n## Against {} ({})\n\nEach pair: this sweep ({}) / that one; the change in parentheses.\n\n"
      "| W | baseline um^2 | TaxoNN um^2 | baseline mW (inference) | TaxoNN mW (training) | TaxoNN mW (inference) | "
      "area overhead | power overhead, same work | Fmax MHz TaxoNN |\n| --- | --- | --- | --- | --- | --- | --- | --- | --- |\n",
      path, other.begin()->second.variant, variant_label(reports.front().clock_gating, reports.front().memory));
  auto pair = [](double a, double b, int digits) {
    return fmt::format("{:.{}f} / {:.{}f} ({:+.1f}%)", a, digits, b, digits, 100.0 * (a - b) / b);
  };
  double d_base_area = 0, d_taxonn_area = 0, d_base_mw = 0, d_taxonn_mw = 0;
  for (const auto& r : reports) {
    const OtherPoint& o = other.at(r.width);
    md += fmt::format("| {} | {} | {} | {} | {} | {} | {:+.1f}% / {:+.1f}% | {:+.1f}% / {:+.1f}% | {:.0f} / {:.0f} |\n",
                      r.width, pair(r.base.area, o.base_area, 0), pair(r.taxonn.area, o.taxonn_area, 0),
                      pair(r.base.power_mw, o.base_mw, 3), pair(r.taxonn.power_mw, o.taxonn_mw, 3),
                      pair(r.taxonn.infer_power_mw, o.taxonn_infer_mw, 3), r.overhead_percent(),
                      100.0 * (o.taxonn_area - o.base_area) / o.base_area, r.power_overhead_same_work_percent(),
                      100.0 * (o.taxonn_infer_mw - o.base_mw) / o.base_mw, r.taxonn.fmax_mhz, o.taxonn_fmax);
    d_base_area += (r.base.area - o.base_area) / o.base_area;
    d_taxonn_area += (r.taxonn.area - o.taxonn_area) / o.taxonn_area;
    d_base_mw += (r.base.power_mw - o.base_mw) / o.base_mw;
    d_taxonn_mw += (r.taxonn.power_mw - o.taxonn_mw) / o.taxonn_mw;
  }
  const double n = static_cast<double>(reports.size());
  md += fmt::format("\nAverage change: baseline area {:+.1f}%, TaxoNN area {:+.1f}%, baseline power (inference) "
                    "{:+.1f}%, TaxoNN power (training) {:+.1f}%.\n",
                    100 * d_base_area / n, 100 * d_taxonn_area / n, 100 * d_base_mw / n, 100 * d_taxonn_mw / n);
  return md;
}

std::vector<SynthReport> run_sweep(const SweepOptions& so) {
  const Config c = load_config(so.base.config_path, so.base.memory, so.base.clock_gating);
  const std::size_t idx = pick_layer(c, so.base.layer, so.base.config_path);
  if (so.from > so.to || so.from - so.int_bits < 1)
    throw ConfigError(fmt::format("--sweep {}:{}: use FROM:TO with FROM <= TO and FROM > --int-bits ({})", so.from,
                                  so.to, so.int_bits));
  // Every width's format is checked here, before any job: a bad one is the
  // user's input, not a failed synthesis.
  // With SRAM scratchpads, the macros and every width's cover too.
  const std::vector<mem::Macro> catalog = sram_catalog(c, !so.base.liberty.empty(), so.base.sram);
  for (int w = so.from; w <= so.to; ++w) {
    const Config cw = with_format(c, idx, so.int_bits, w - so.int_bits, fmt::format("{} at W = {}", so.base.config_path, w));
    const PeParams pp = pe_params(cw, idx);
    if (!catalog.empty()) sram_map(pp.depth, pp.width(), catalog, fmt::format("the PEs' scratchpad at W = {}", w));
  }
  if (!so.compare.empty() && so.base.liberty.empty())
    throw UsageError("--compare: the comparison is of power too; give --liberty");
  const auto other = so.compare.empty() ? std::map<int, OtherPoint>{} : read_other_sweep(so.compare, so.from, so.to);
  const auto ex = batch::make_executor(so.batch);  // a bad backend fails before any synthesis or output
  // Fail early, not into out: a bad liberty, or a gated config it cannot map.
  check_clock_gating(c, so.base.liberty.empty() ? "" : prepare_liberty(so.base.liberty, so.base.work_dir));
  const fs::path out = fs::absolute(so.out_dir);
  fs::create_directories(out);
  const std::vector<SynthReport> reports = synth_points(so, *ex, catalog);
  std::string md = sweep_tables(so, reports, out);
  if (!so.compare.empty()) md += compare_section(reports, so.compare, other);
  md += sweep_breakdown(reports[reports.size() / 2]);
  md += "\n![area and power against W](area_power.svg)\n";
  sweep_plot(reports.front(), out);
  write_atomic(out / "table.md", md);
  fmt::print("{}", md);
  return reports;
}

}  // namespace taxonn
