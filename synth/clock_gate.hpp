// Clock gating in synthesis (config `clock_gating`, CONTRACT 5 "Clock
// gating", docs/power.md): rtl_templates/taxonn_clock_gate.v is a
// simulation model (a latch and an AND); synthesis maps each instance to the
// liberty's integrated clock-gating cell instead, so that no mapper builds a
// glitching gate of its own.
#pragma once

#include <string>
#include <vector>

#include "design.hpp"

namespace taxonn::flow {

// The liberty's integrated clock-gating cell for a positive-edge clock: the
// smallest-area cell with `clock_gating_integrated_cell : latch_posedge`
// (Nangate45: CLKGATE_X1), not dont_use, and its pins.
struct ClockGateCell {
  std::string name, clock, enable, out;
  double area = 0;
};
// Throws UsageError naming the liberty when it has no such cell.
ClockGateCell clock_gate_cell(const std::string& liberty);

// taxonn_clock_gate as one instance of `cell`, with the cell's black-box
// stub (the liberty gives Yosys its area and OpenSTA its timing).
std::string clock_gate_verilog(const ClockGateCell& cell, const std::string& liberty_shown);

// Refuses a config with clock_gating when `liberty` (prepared: uncompressed)
// is empty (Yosys's generic cells have no clock gate) or has no clock-gating
// cell: a UsageError naming the fix. Returns the cell (empty name: no gating).
ClockGateCell check_clock_gating(const Config& c, const std::string& liberty);

// `files` (generate_design's) with rtl/taxonn_clock_gate.v mapped to `cell`
// (check_clock_gating's); unchanged when the cell is empty (no gating).
void map_clock_gates(std::vector<GeneratedFile>& files, const ClockGateCell& cell, const std::string& liberty_shown);

}  // namespace taxonn::flow
