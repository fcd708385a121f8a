// Gate-level power of the two PEs on their workloads (docs/power.md): the
// stimulus of a PE loading its weights and then running samples back to
// back, with the outputs its golden twin expects every cycle (CONTRACT 4
// and 5), and the mapped netlist's power under it.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "config.hpp"
#include "pe_interface.hpp"
#include "power.hpp"

namespace taxonn {

// What a PE does per sample: an SGD step (forward, f', steps 1-5; the
// TaxoNN PE only), or an inference (the forward pass).
enum class PeWorkload { kTrain, kInfer };
const char* to_string(PeWorkload w);

// Reset, the weights' load (neither is measured), then `samples` samples of
// fresh data in a row (measured), then one idle cycle that checks the last.
std::vector<gate::StimCycle> pe_stimulus(const PeParams& p, PeKind kind, PeWorkload w, int samples, std::uint64_t seed);

// What the gate-level PE figures are (a synth-layer job's key names it, so
// a result of an older model is never reused).
constexpr const char* kGatePowerModel = "zero-delay and timed (glitch-aware), gated clocks";

// The PE's netlist (Yosys JSON of module `top`) simulated on the workload,
// zero-delay and timed (gate::simulate_power), its cells from `liberty` and
// its SRAM macros' from `macro_libs` (memory sram); throws ToolError when an
// output differs from the golden twin.
gate::PowerResult pe_gate_power(const std::string& netlist_json, const std::string& top,
                                const std::string& liberty, const std::vector<std::string>& macro_libs,
                                const PeParams& p, PeKind kind, PeWorkload w, double clock_ns);

// Toggle rates of a PE running one training step (load, forward, f', steps
// 1-5) on its golden twin, which the co-simulation shows equal to the RTL bit
// for bit: per input bit, and the mean over register and scratchpad bits.
struct Activity {
  std::map<std::string, double> input_bits;  // "x_i[3]" -> toggles per cycle
  double registers = 0;
  double inputs_mean = 0;
};
Activity measure_activity(const PeParams& p, PeKind kind);

}  // namespace taxonn
