// Clock gating in synthesis (clock_gate.hpp).
#include "clock_gate.hpp"

#include <fmt/format.h>

#include "io_util.hpp"
#include "liberty.hpp"
#include "vast.hpp"

namespace taxonn::flow {

ClockGateCell clock_gate_cell(const std::string& liberty) {
  std::shared_ptr<const lib::Library> l;
  try {
    l = lib::read_liberty(liberty);
  } catch (const lib::LibertyError& e) {
    throw UsageError(fmt::format("--liberty {}: {}", liberty, e.what()));
  }
  const lib::Cell* best = nullptr;
  for (const auto& [name, c] : l->cells)
    if (c.icg == "latch_posedge" && !c.dont_use && (!best || c.area < best->area)) best = &c;
  if (!best)
    throw UsageError(fmt::format("--liberty {}: no integrated clock-gating cell (clock_gating_integrated_cell: "
                                 "latch_posedge) for clock_gating; use a liberty that has one (e.g. Nangate45's "
                                 "CLKGATE_X1) or set clock_gating false",
                                 liberty));
  auto pin = [&](int k) { return best->pins[static_cast<std::size_t>(k)].name; };
  return {best->name, pin(best->icg_clock), pin(best->icg_enable), pin(best->icg_out), best->area};
}

std::string clock_gate_verilog(const ClockGateCell& cell, const std::string& liberty_shown) {
  vast::Module stub;
  stub.name = cell.name;
  stub.blackbox = true;
  stub.ports = {{vast::Dir::kInput, cell.clock, 1, false, "clock"},
                {vast::Dir::kInput, cell.enable, 1, false, "enable, latched while the clock is low"},
                {vast::Dir::kOutput, cell.out, 1, false, "gated clock"}};
  vast::Module m;
  m.name = "taxonn_clock_gate";
  m.ports = {{vast::Dir::kInput, "clk_i", 1, false, ""},
             {vast::Dir::kInput, "en_i", 1, false, ""},
             {vast::Dir::kOutput, "gclk_o", 1, false, ""}};
  m.instances.push_back({cell.name, "u_icg", {}, {{cell.clock, "clk_i"}, {cell.enable, "en_i"}, {cell.out, "gclk_o"}}, ""});
  vast::File f;
  f.header = {"taxonn_clock_gate for synthesis (synth/clock_gate.cpp): one integrated clock-gating cell,",
              fmt::format("{} of {} ({:.3f} area units); simulation uses rtl_templates/taxonn_clock_gate.v.",
                          cell.name, liberty_shown, cell.area)};
  f.modules = {stub, m};
  return f.emit();
}

ClockGateCell check_clock_gating(const Config& c, const std::string& liberty) {
  if (!c.clock_gating) return {};
  if (liberty.empty())
    throw UsageError(fmt::format("{}: clock_gating needs --liberty with an integrated clock-gating cell (Yosys's "
                                 "generic cells have none); give one, or set clock_gating false",
                                 c.name));
  return clock_gate_cell(liberty);
}

void map_clock_gates(std::vector<GeneratedFile>& files, const ClockGateCell& cell, const std::string& liberty_shown) {
  if (cell.name.empty()) return;
  for (auto& f : files)
    if (f.path == "rtl/taxonn_clock_gate.v") {
      f.content = clock_gate_verilog(cell, liberty_shown);
      return;
    }
  throw std::logic_error("generate_design wrote no rtl/taxonn_clock_gate.v");
}

}  // namespace taxonn::flow
