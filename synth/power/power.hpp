// Gate-level power of a mapped netlist from a simulated workload
// (docs/power.md): the netlist Yosys wrote (JSON) is simulated cycle by
// cycle with zero delay under a stimulus (a real training step, or
// inference), its outputs checked against expected values every cycle; every
// net's rises and falls and every cell's state then price the liberty's
// tables event by event: internal energy per pin transition (with its `when`
// condition and the related input's slew and the net's load), switching
// energy 1/2 C V^2 per net transition, and state-dependent leakage.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "liberty.hpp"

namespace taxonn::gate {

// OpenSTA's `set_load` and ABC's constraint put this on every output port
// (a neighbour's input); the power model charges the same.
constexpr double kPortLoadFf = 2.0;

struct Netlist {
  struct Port {
    std::string name;
    bool input = false;
    std::vector<int> bits;  // net ids, LSB first
  };
  struct Inst {
    std::string name;
    const lib::Cell* cell = nullptr;
    std::vector<int> pin_net;  // per cell pin: a net id, or -1 (unconnected, or a state pin)
  };
  std::string top;
  int nets = 2;  // net 0 is constant 0, net 1 constant 1
  std::vector<Port> ports;
  std::vector<Inst> insts;
  std::vector<std::string> net_names;  // a readable name per net
  std::map<std::string, std::string> instance_module;  // submodule instance paths ("u_pe.u_mul") -> module
  std::shared_ptr<const lib::Library> library;
  const Port& port(const std::string& name) const;
};

// Reads Yosys's `write_json` of a flattened, mapped design. Throws
// lib::LibertyError naming the cell or file when a cell is not in the library.
Netlist read_netlist(const std::string& json_path, const std::string& top,
                     std::shared_ptr<const lib::Library> library);

// One cycle of stimulus: a value per input port (missing ports hold their
// value), whether the cycle counts toward the power figure, and the output
// values expected once the cycle's inputs have settled (after the previous
// rising edge), as port -> value.
struct StimCycle {
  std::map<std::string, std::uint64_t> in;
  std::map<std::string, std::uint64_t> expect;
  bool measured = true;
  std::string what;  // named in a mismatch ("step 2 update")
};

struct PowerResult {
  double internal_w = 0, switching_w = 0, leakage_w = 0;
  double total_w() const { return internal_w + switching_w + leakage_w; }
  double clock_internal_w = 0;  // of internal_w: the flip-flops' clock pins, the clock gates' pins and pulses
  double clock_net_w = 0;       // of switching_w: the clock net and the gated clocks (pins and wire load; no tree)
  double flop_w = 0;            // flip-flops in all (clock, data, outputs, leakage)
  long cycles = 0;              // measured cycles
  double toggle_rate = 0;       // mean transitions per net per measured cycle
  // By (the instance path a cell is in, "" for the top; is it a flip-flop).
  std::map<std::pair<std::string, bool>, double> by_instance_w;
  double inputs_switching_w = 0;  // the nets the input ports drive (their loads are in this netlist)
  std::map<std::string, std::string> instance_module;  // as Netlist::instance_module
  std::vector<std::string> mismatches;  // the first differences from `expect`
  long checked = 0, mismatched = 0;     // output values compared, and how many differed
  // Net transitions in the measured cycles: the zero-delay simulation's (at
  // most one per net and cycle).
  long transitions = 0;
  // The glitch-aware figure (simulate_power with `timed`): the same cycles
  // simulated event by event with the liberty's delays, every transition
  // priced, glitches included; the clock's pins and net and the leakage as
  // above (a clock does not glitch, leakage is per state).
  bool timed = false;
  double timed_internal_w = 0, timed_switching_w = 0;
  long timed_transitions = 0;
  std::map<std::pair<std::string, bool>, double> timed_by_instance_w;  // as by_instance_w
  double timed_inputs_switching_w = 0;                                 // as inputs_switching_w
  double timed_total_w() const { return timed_internal_w + timed_switching_w + leakage_w; }
};

// How simulate_power runs. `timed` adds the glitch-aware figure
// (docs/power.md, "Glitches"): every cycle again from the last one's
// settled values, events scheduled at the liberty's delays (cell_rise / cell_fall at the input's slew and the net's
// load; clock-to-Q for flip-flops, inputs at the edge), inertial: a pending
// change that a later evaluation takes back never happens. Each cycle must
// settle to the zero-delay values (a LibertyError otherwise).
// `max_mismatches`: how many output mismatches PowerResult lists (all are
// counted).
struct SimOptions {
  bool timed = false;
  std::size_t max_mismatches = 10;
};

// Simulates `stim` on the netlist with `clock` the clock port (rising edge
// at the end of every cycle) and prices the measured cycles at period_s.
PowerResult simulate_power(const Netlist& n, const std::string& clock, const std::vector<StimCycle>& stim,
                           double period_s, const SimOptions& opt = {});

}  // namespace taxonn::gate
