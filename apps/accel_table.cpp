// The whole-accelerator summary table (accel_table.hpp).
#include "accel_table.hpp"

#include <fstream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "config.hpp"
#include "io_util.hpp"

namespace taxonn {

namespace {

nlohmann::json read_report(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw UsageError(fmt::format("--json {}: no such file; run `taxonn synth --network --json` first", path));
  try {
    const nlohmann::json j = nlohmann::json::parse(in);
    (void)j.at("config"), (void)j.at("area"), (void)j.at("units");
    return j;
  } catch (const nlohmann::json::exception& e) {
    throw ConfigError(fmt::format("{}: not a `taxonn synth --network` report ({})", path, json_reason(e)));
  }
}

// The memories and power method of a report, as its row and its section name them.
std::string variant(const nlohmann::json& r) {
  // Reports of before the memory field are flip-flops; of before clock gating, ungated.
  std::string memory = r.value("memory", std::string("flops")) == "sram" ? "SRAM macros" : "flip-flops";
  // A gated network's PEs priced by OpenSTA: every gated clock pulses every cycle.
  const bool gate_power = r.value("pe_power", std::string("opensta")) == "gate-level simulation";
  if (r.value("clock_gating", false)) memory += gate_power ? ", gated clocks" : ", gated clocks (power: an upper bound)";
  if (gate_power) memory += "; PE power gate-level";
  return memory;
}

}  // namespace

void write_accel_table(const std::vector<std::string>& json_files, const std::string& out_md) {
  check_writable(out_md, "--out");
  std::vector<nlohmann::json> reports;
  for (const auto& f : json_files) reports.push_back(read_report(f));
  std::string md = "# The whole accelerator, measured\n\nWritten by `taxonn accel-table` from the `taxonn synth --network` "
                   "reports beside it (`make accel DOCS=1`; `MEMORY=sram` for SRAM scratchpads and conv/pool buffers; `GATING=on` for "
                   "flip-flop memories on gated clocks beside the same network ungated).\n\n"
                   "| network | memories | area (mm^2) | Fmax (MHz) | power (mW) | cycles / step | energy / step (uJ) |\n"
                   "| --- | --- | ---: | ---: | ---: | ---: | ---: |\n";
  for (const auto& r : reports) {
    const bool timed = !r.value("generic_cells", true);
    md += fmt::format("| {} | {} | {:.2f} | {} | {} | {} | {} |\n", r.at("config").get<std::string>(), variant(r),
                      r.at("area").get<double>() / 1e6, timed ? fmt::format("{:.0f}", r.value("fmax_mhz", 0.0)) : "-",
                      timed ? fmt::format("{:.0f}", r.value("power_mw", 0.0)) : "-", r.value("cycles_per_step", 0),
                      timed ? fmt::format("{:.1f}", r.value("energy_per_step_nj", 0.0) / 1000) : "-");
  }
  for (const auto& r : reports) {
    const double total = r.at("area").get<double>();
    md += fmt::format("\n## {} ({}): where the area goes\n\n| unit | what | instances | area (mm^2) | share | Fmax (MHz) |\n"
                      "| --- | --- | ---: | ---: | ---: | ---: |\n",
                      r.at("config").get<std::string>(), variant(r));
    for (const auto& u : r.at("units")) {
      const double a = u.value("area", 0.0) * u.value("instances", 1);
      md += fmt::format("| {} | {} | {} | {:.2f} | {:.0f}% | {} |\n", u.value("unit", "?"), u.value("what", ""),
                        u.value("instances", 1), a / 1e6, 100.0 * a / total,
                        u.contains("fmax_mhz") ? fmt::format("{:.0f}", u.value("fmax_mhz", 0.0)) : "-");
    }
  }
  write_atomic(out_md, md);
  fmt::print("{}", md);
}

}  // namespace taxonn
