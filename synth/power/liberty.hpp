// The part of a liberty library that gate-level power needs (docs/power.md):
// cell functions and flip-flops (to simulate a mapped netlist), pin
// capacitances, output transition and delay tables, internal-power tables with
// their `when` conditions, state-dependent leakage and the default wire load.
// Values are kept in SI units (s, F, W, J, V) whatever the library's units.
#pragma once

#include <map>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

namespace taxonn::lib {

// A malformed or unusable liberty: the message names the file, line and field.
class LibertyError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// A liberty Boolean expression ("!A1 & A2", "(A B)+C'", "A^B", "IQ") over a
// cell's pin names, compiled to postfix over pin indices.
class Expr {
 public:
  Expr() = default;
  // `pin_index` maps a name to its index in the state vector eval() reads.
  static Expr parse(const std::string& text, const std::map<std::string, int>& pin_index);
  bool empty() const { return code_.empty(); }
  bool eval(const std::vector<char>& state) const;
  // The pin indices the expression reads.
  std::vector<int> inputs() const;
  const std::string& text() const { return text_; }

  enum Op : int { kPin, kZero, kOne, kNot, kAnd, kOr, kXor };
  struct Ins {
    Op op;
    int pin;
  };

 private:
  static constexpr int kMaxDepth = 64;
  std::vector<Ins> code_;
  std::string text_;
};

// A one- or two-dimensional lookup table (NLDM), linear interpolation and
// extrapolation as STA tools do. Axes are input transition (s) and/or
// output load (F).
struct Table {
  enum class Var { kNone, kSlew, kLoad };
  Var var1 = Var::kNone, var2 = Var::kNone;
  std::vector<double> index1, index2, values;  // values row-major [i1][i2]
  bool present() const { return !values.empty(); }
  double lookup(double slew, double load) const;
};

struct InternalPower {
  int related_pin = -1;  // -1: the pin's own transitions (input pins)
  Expr when;             // empty: always
  Table rise, fall;      // energy (J) per rising / falling transition of the pin
};

struct TimingArc {
  int related_pin = -1;
  Table rise_transition, fall_transition;  // output slew (s)
  Table cell_rise, cell_fall;              // delay (s) to the output's rise / fall: the timed simulation's
};

struct Pin {
  std::string name;
  bool input = false, output = false, internal = false;
  double rise_cap = 0, fall_cap = 0;  // F
  Expr function;                      // outputs: in terms of inputs (and IQ/IQN)
  std::vector<InternalPower> power;
  std::vector<TimingArc> timing;      // outputs: combinational and clock-to-Q arcs
  double cap() const { return rise_cap > fall_cap ? rise_cap : fall_cap; }
};

// A flip-flop's `ff (IQ, IQN)` group: the state pins are pins of the cell too.
struct FlipFlop {
  int iq = -1, iqn = -1;
  Expr next_state, clocked_on, clear, preset;
};

// A single-port SRAM macro with fakeram45's pins (a `memory()` group:
// clk, ce_in, we_in, addr_in, wd_in, w_mask_in, rd_out; docs/memory.md):
// one access per rising clock edge with ce_in high, a write storing wd_in
// under w_mask_in (rd_out keeps its value), a read registering the word on
// rd_out. Pin indices; buses LSB first.
struct MemoryPins {
  int words = 0, bits = 0;  // 2^address_width, word_width
  int clk = -1, ce = -1, we = -1;
  std::vector<int> addr, wd, mask, rd;
  // Empty when the pins are fakeram45's; else what is missing.
  std::string unsupported;
};

struct Cell {
  std::string name;
  double area = 0;
  double leakage = 0;                                // cell_leakage_power (W)
  std::vector<std::pair<Expr, double>> leakage_when;  // state-dependent leakage (W)
  std::vector<Pin> pins;                              // in the library's order, state pins last
  std::map<std::string, int> pin_index;
  bool has_ff = false, latch = false, dont_use = false;
  FlipFlop ff;
  // An integrated clock-gating cell (clock_gating_integrated_cell, e.g.
  // "latch_posedge"): its clock, enable and gated-clock pins.
  std::string icg;
  int icg_clock = -1, icg_enable = -1, icg_out = -1;
  bool is_icg() const { return !icg.empty(); }
  // A memory() cell (an SRAM macro): simulated as its port protocol says.
  bool memory = false;
  MemoryPins mem;
  // Buses (`bus (rd_out)` of a `type` group): the pins of each, LSB first
  // ("rd_out[0]", ...), as a netlist connects them.
  std::map<std::string, std::vector<int>> buses;
  // State-holding cells: flip-flops and memories (sources of the netlist).
  bool sequential() const { return has_ff || memory; }
  int find_pin(const std::string& n) const {
    const auto it = pin_index.find(n);
    return it == pin_index.end() ? -1 : it->second;
  }
};

struct WireLoad {
  double cap_per_length = 0;  // F per unit length
  double slope = 0;
  std::vector<std::pair<double, double>> fanout_length;  // sorted by fanout
  // OpenSTA's rule: interpolate; extrapolate with the slope past the ends.
  double cap(int fanout) const;
};

struct Library {
  std::string name, path;
  double voltage = 0;  // nominal supply (V)
  std::map<std::string, Cell> cells;
  bool has_wire_load = false;
  WireLoad wire_load;  // the default_wire_load
  const Cell& cell(const std::string& n) const;
};

// Reads a liberty file (uncompressed). Throws LibertyError.
std::shared_ptr<const Library> read_liberty(const std::string& path);

// `base` with the cells of `extra` (e.g. SRAM macros' liberties) added: one
// library for a netlist that instantiates cells of both. Throws
// LibertyError when a cell is in two of them or a supply voltage differs
// (the power model has one supply).
std::shared_ptr<const Library> with_cells(const Library& base, const std::vector<std::shared_ptr<const Library>>& extra);

}  // namespace taxonn::lib
