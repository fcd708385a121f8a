// The cycle table (docs/cycles.md): measured RTL cycles beside the paper's formulas.
#include "cycle_report.hpp"

#include <filesystem>
#include <fstream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "config.hpp"
#include "io_util.hpp"

namespace taxonn {

namespace {

struct Row {
  std::string net, what, paper_formula;
  std::int64_t measured = 0, model = 0, paper = 0;
};

std::string ratio(std::int64_t a, std::int64_t b) { return b > 0 ? fmt::format("{:.2f}", double(a) / double(b)) : ""; }

// The rows of one network: tb_net's --json output `f`.
void add_rows(const std::string& f, std::vector<Row>& rows) {
  std::ifstream in(f);
  if (!in) throw ConfigError(fmt::format("{}: cannot open; run `make cycles` (tb_net --json) first", f));
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(in);
  } catch (const nlohmann::json::exception&) {
    throw ConfigError(fmt::format("{}: not JSON; it should be tb_net's --json output", f));
  }
  if (!j.contains("phases") || !j.contains("config") || !j.contains("cycles_per_step_measured"))
    throw ConfigError(fmt::format("{}: no 'phases'/'config'/'cycles_per_step_measured'; it should be tb_net's "
                                  "--json output (rerun `make cycles`)", f));
  const std::string net = j["config"].get<std::string>();
  // Measured and modelled cycles per kind of phase, and the paper's terms.
  struct Sum {
    std::int64_t measured = 0, model = 0;
  };
  Sum fwd, bp, upd;
  std::int64_t fwd_p = 0, sum_n = 0, n_last = 0, last_update = 0;
  bool has_conv = false;
  for (const auto& p : j["phases"]) {
    const std::string layer = p["layer"], phase = p["phase"], type = p.value("type", "fc");
    const std::int64_t m = p["measured"], model = p["model"], k = p["inputs"], n = p["neurons"], pes = p["pes"];
    Sum& sum = phase == "fwd" ? fwd : phase == "update" ? upd : bp;
    last_update = phase == "update" ? model : 0;  // the step's last phase: the first layer's update
    sum.measured += m;
    sum.model += model;
    if (type == "conv" || type == "pool") {
      const auto is = p.at("in_shape"), os = p.at("out_shape");
      const std::int64_t d = is[0], h = is[1], w = is[2], ks = p.value("kernel", 1);
      const std::string shape = fmt::format("{}x{}x{} -> {}x{}x{}", d, h, w, os[0].get<int>(), os[1].get<int>(),
                                            os[2].get<int>());
      if (type == "conv" && phase == "fwd") {
        // The paper's conv count: k * d * (w - k) * (h - k), the MACs of one
        // filter row per PE with all filters in parallel. The drain (y,
        // f' of the n outputs, one per cycle) runs beside the MACs.
        const std::int64_t paper = ks * d * (w - ks) * (h - ks);
        rows.push_back({net,
                        fmt::format("{} forward (conv {}, {}x{}, {} PEs; the drain of {} outputs beside)", layer,
                                    shape, ks, ks, pes, n),
                        "k d (w - k)(h - k)", m, model, paper});
        fwd_p += paper;
        has_conv = true;
      } else {
        rows.push_back({net, fmt::format("{} {} ({} {})", layer, phase, type, shape), "", m, model, 0});
      }
      continue;
    }
    if (phase == "fwd") {
      rows.push_back({net, fmt::format("{} forward ({} -> {}, {} PEs)", layer, k, n, pes), "N_{i-1} + N_i", m, model,
                      k + n});
      fwd_p += k + n;
      sum_n += n;
      n_last = n;
    }
  }
  const std::int64_t bp_paper = n_last + sum_n;
  rows.push_back({net, "forward, all layers", "sum_i (N_{i-1} + N_i)", fwd.measured, fwd.model, fwd_p});
  rows.push_back({net, "loss + back-propagation (G of every layer)",
                  has_conv ? "N_n + sum_i N_i (fc layers only)" : "N_n + sum_i N_i", bp.measured, bp.model, bp_paper});
  rows.push_back({net, "weight update (steps 3-5)", "(overlapped in the paper)", upd.measured, upd.model, 0});
  // The step: the updates run in the background (CONTRACT 4), so less than the sum of the rows above.
  const std::int64_t step_m = j["cycles_per_step_measured"].get<std::int64_t>();
  const std::int64_t step_model = j["cycles_per_step"].get<std::int64_t>();
  rows.push_back({net, "one SGD step", "forward + N_n + sum_i N_i", step_m, step_model, fwd_p + bp_paper});
  // Nothing overlaps the first layer's update (the step's last phase):
  // the paper's count plus that update is the floor of this PE schedule.
  if (last_update > 0)
    rows.push_back({net, "one SGD step, against the paper's plus the first layer's update",
                    "forward + N_n + sum_i N_i + UPDATE_1", step_m, step_model,
                    fwd_p + bp_paper + last_update});
}

}  // namespace

void write_cycle_report(const std::vector<std::string>& files, const std::string& out_dir) {
  std::vector<Row> rows;
  for (const auto& f : files) add_rows(f, rows);
  std::string md =
      "# Cycles per phase: the RTL against the paper's formulas\n\n"
      "Measured by the co-simulation (`make cycles`: tb_net reads the network's\n"
      "per-phase cycle counters after an SGD step; every step of every tb_net run\n"
      "also checks them against the cycle model, CONTRACT 4). Paper formulas\n"
      "(section IV): FC forward `N_{i-1} + N_i` with N_i PEs, one\n"
      "back-propagation `N_n + sum_i N_i`, convolution `k d (w - k)(h - k)` (k the\n"
      "kernel, d the input channels, w x h the input). The ratio is measured / paper.\n"
      "Conv and pool rows without a paper formula are phases the paper does not count.\n\n"
      "| network | phase | measured | cycle model | paper formula | paper | ratio |\n"
      "| --- | --- | ---: | ---: | --- | ---: | ---: |\n";
  std::string csv = "network,phase,measured,model,paper_formula,paper,ratio\n";
  for (const auto& r : rows) {
    md += fmt::format("| {} | {} | {} | {} | `{}` | {} | {} |\n", r.net, r.what, r.measured, r.model, r.paper_formula,
                      r.paper ? std::to_string(r.paper) : "", ratio(r.measured, r.paper));
    csv += fmt::format("{},\"{}\",{},{},\"{}\",{},{}\n", r.net, r.what, r.measured, r.model, r.paper_formula, r.paper,
                       ratio(r.measured, r.paper));
  }
  md += "\nReading the table (docs/network.md):\n"
        "- Forward: each pass adds 1 cycle to round z and 1-2 cycles for f' (computed\n"
        "  in the PE, TDM) to the paper's K + N; a folded layer (P < N) repeats the\n"
        "  K MACs once per pass, so its forward grows with N / P.\n"
        "- Back-propagation (LOSS, then STEP1 of every layer but the first): G of\n"
        "  layer i comes out of layer i+1's step 1 in N_i + 1 cycles per pass, and\n"
        "  the first layer needs no step 1, so an unfolded network is at or below\n"
        "  the paper's N_n + sum_i N_i.\n"
        "- The weight update takes 2K + 2 cycles per pass (two multiplier slots per\n"
        "  weight: D = rq(G X), then W = rq(W 2^F - alpha D)) and dominates a step.\n"
        "  The paper's count leaves it out (overlapped with producing G). Here an\n"
        "  UPDATE runs in the background: the next phase (step 1 or the update of\n"
        "  the layer below, on other PEs) starts one cycle after it, so a step takes\n"
        "  less than the sum of its rows (CONTRACT 4).\n"
        "- The last row of a network sets the step beside the paper's count plus\n"
        "  the first layer's update (UPDATE_1: fc T (2K + 2 + B), conv as in\n"
        "  CONTRACT 4), which no phase overlaps: the floor of a schedule with one\n"
        "  multiplier per PE.\n"
        "- Convolution (taxonn_conv_layer, docs/network.md): the array computes one\n"
        "  output pixel of every filter in IC * k cycles (row u of the k x P array\n"
        "  holds filter row u), so its MACs take (h-k+1)(w-k+1) IC k per pass: the\n"
        "  paper's formula with the valid output size (9-31% more for LeNet-5),\n"
        "  plus one tail cycle. The drain (y = act(z), f'(z), one output per\n"
        "  cycle) runs beside the MACs: forward ends one cycle after the last tail\n"
        "  when a pixel's P outputs fit its IC * k cycles (LeNet-5's conv2), else\n"
        "  the drain sets the pace (conv1: 6 outputs per 5-cycle pixel). A pooling\n"
        "  layer pools beside the drain below (its forward is the last window's 2\n"
        "  cycles) and routes one window (max) or one input (average) per cycle\n"
        "  back. Step 1 takes k cycles per input position, the update OH*OW + 2\n"
        "  cycles per weight column (the weight gradient sums every output\n"
        "  position): with G one output per cycle, these are what remains serial.\n";
  std::filesystem::create_directories(out_dir);
  write_atomic(std::filesystem::path(out_dir) / "cycles.csv", csv);
  write_atomic(std::filesystem::path(out_dir) / "cycles.md", md);
  fmt::print("{}", md);
}

}  // namespace taxonn
