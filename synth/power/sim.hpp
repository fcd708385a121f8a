// The gate-level simulator's state (power.cpp, docs/power.md): a flattened
// netlist levelized (flip-flops first, then topological order), its nets'
// loads and slews, and the zero-delay evaluation, settling and clock edge
// that simulate_power runs every cycle. Clock gating: an integrated
// clock-gating cell on the clock port drives a gated clock; the flip-flops on
// it take their next state (and see a clock pulse) only in the cycles whose
// enable has settled at 1 before the edge. SRAM macros (lib::MemoryPins)
// are sources like flip-flops: their words and read register are state.
// Internal to synth/power.
#pragma once

#include <algorithm>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "power.hpp"

namespace taxonn::gate::detail {

// An output pin's internal energy for one transition (rise or fall) at
// `load`: the mean over the arcs whose related pin `slew` accepts (it
// returns that pin's slew, or a negative number to skip the arc) and whose
// `when` holds on the pin values `st`; when no such arc's `when` holds, the
// mean over every accepted arc. 0 when no arc is accepted.
template <class SlewOf>
double arc_energy(const lib::Pin& pin, const std::vector<char>& st, bool rise, double load, SlewOf slew) {
  double sum = 0;
  int count = 0;
  for (int pass = 0; pass < 2 && count == 0; ++pass)
    for (const auto& ip : pin.power) {
      if (ip.related_pin < 0) continue;
      if (pass == 0 && !ip.when.empty() && !ip.when.eval(st)) continue;
      const double s = slew(ip.related_pin);
      if (s < 0) continue;
      sum += (rise ? ip.rise : ip.fall).lookup(s, load);
      ++count;
    }
  return count ? sum / count : 0.0;
}

struct Sim {
  const Netlist& n;
  const lib::Library& lib;
  int clock = -1;
  std::vector<char> net;                      // settled values
  std::vector<std::vector<char>> state;       // per instance: its pins' values
  std::vector<int> order;                     // evaluation order (flip-flops first)
  std::vector<int> clock_pin;                 // per instance: the pin on the clock net, or -1
  std::vector<double> load_cap;               // per net (F)
  std::vector<double> slew_rise, slew_fall;   // per net (s)
  std::vector<char> is_output_port;
  // Clock gating: per net, 1 for a clock-gating cell's output (a gated
  // clock); per instance, the clock-gating cell a flip-flop's clock comes
  // from, or -1; the gated clock's CK-to-GCK delay per net (s).
  std::vector<char> gclk_net;
  std::vector<int> gate_of;
  std::vector<double> gclk_delay;
  // SRAM macros: per instance its index in `mems`, or -1. No reset, like
  // the macro: words and read register start at 0, as the golden twin's.
  struct MemState {
    std::size_t inst = 0;
    std::vector<std::vector<char>> words;
    std::vector<char> rd;
  };
  std::vector<int> mem_of;
  std::vector<MemState> mems;

  Sim(const Netlist& nl, const std::string& clk) : n(nl), lib(*nl.library) {
    clock = n.port(clk).bits.at(0);
    net.assign(static_cast<std::size_t>(n.nets), 0);
    net[1] = 1;
    state.resize(n.insts.size());
    for (std::size_t i = 0; i < n.insts.size(); ++i) state[i].assign(n.insts[i].cell->pins.size(), 0);
    levelize();
    clock_gates();
    loads_and_slews();
    mem_of.assign(n.insts.size(), -1);
    for (std::size_t i = 0; i < n.insts.size(); ++i) {
      const lib::Cell& c = *n.insts[i].cell;
      if (!c.memory) continue;
      if (clock_pin[i] != c.mem.clk)
        throw lib::LibertyError(fmt::format("netlist {}: SRAM macro {} is not clocked by the clock port on its clk pin",
                                            n.top, n.insts[i].name));
      mem_of[i] = static_cast<int>(mems.size());
      mems.push_back({i, std::vector<std::vector<char>>(static_cast<std::size_t>(c.mem.words),
                                                     std::vector<char>(static_cast<std::size_t>(c.mem.bits), 0)),
                      std::vector<char>(static_cast<std::size_t>(c.mem.bits), 0)});
    }
  }

  // Whether clock-gating cell g passes this cycle's pulse: its enable as
  // settled before the edge (the cell's latch holds it through the pulse).
  bool gate_open(int g) const {
    const auto& in = n.insts[static_cast<std::size_t>(g)];
    const int e = in.pin_net[static_cast<std::size_t>(in.cell->icg_enable)];
    return e >= 0 && net[static_cast<std::size_t>(e)] != 0;
  }
  // Whether instance i's clock pin sees this cycle's pulse.
  bool clocked(std::size_t i) const { return gate_of[i] < 0 || gate_open(gate_of[i]); }

  // One level of gating of the clock port: each clock-gating cell's clock
  // on the clock port, its output read by flip-flops' clock pins only.
  void clock_gates() {
    const auto nets = static_cast<std::size_t>(n.nets);
    gclk_net.assign(nets, 0);
    gclk_delay.assign(nets, 0);
    gate_of.assign(n.insts.size(), -1);
    std::vector<int> gate_of_net(nets, -1);
    for (std::size_t i = 0; i < n.insts.size(); ++i) {
      const auto& in = n.insts[i];
      if (!in.cell->is_icg()) continue;
      if (in.pin_net[static_cast<std::size_t>(in.cell->icg_clock)] != clock)
        throw lib::LibertyError(fmt::format("netlist {}: clock gate {} is not clocked by the clock port; the power "
                                            "simulation models one level of gating of the clock port",
                                            n.top, in.name));
      const int g = in.pin_net[static_cast<std::size_t>(in.cell->icg_out)];
      if (g < 2) continue;
      gclk_net[static_cast<std::size_t>(g)] = 1;
      gate_of_net[static_cast<std::size_t>(g)] = static_cast<int>(i);
    }
    for (std::size_t i = 0; i < n.insts.size(); ++i) {
      const auto& in = n.insts[i];
      for (std::size_t p = 0; p < in.pin_net.size(); ++p) {
        const int x = in.pin_net[p];
        if (x < 2 || !in.cell->pins[p].input || !gclk_net[static_cast<std::size_t>(x)]) continue;
        const auto clk_pins = in.cell->has_ff ? in.cell->ff.clocked_on.inputs() : std::vector<int>{};
        if (std::find(clk_pins.begin(), clk_pins.end(), static_cast<int>(p)) == clk_pins.end())
          throw lib::LibertyError(fmt::format("netlist {}: gated clock {} reaches {} pin {}, which is not a "
                                              "flip-flop's clock; the power simulation does not model that",
                                              n.top, n.net_names[static_cast<std::size_t>(x)], in.name,
                                              in.cell->pins[p].name));
        gate_of[i] = gate_of_net[static_cast<std::size_t>(x)];
      }
    }
  }

  // Which instance drives each net; flip-flops are sources (their outputs are
  // functions of the state pins), then memories (their read registers), the
  // rest in topological order.
  std::vector<int> driver;  // per net: the instance driving it, or -1

  void levelize() {
    driver.assign(static_cast<std::size_t>(n.nets), -1);
    for (std::size_t i = 0; i < n.insts.size(); ++i) {
      const auto& in = n.insts[i];
      for (std::size_t p = 0; p < in.pin_net.size(); ++p)
        if (in.pin_net[p] >= 0 && in.cell->pins[p].output) {
          if (driver[static_cast<std::size_t>(in.pin_net[p])] >= 0 || in.pin_net[p] < 2)
            throw lib::LibertyError(fmt::format("netlist {}: net {} has more than one driver", n.top,
                                           n.net_names[static_cast<std::size_t>(in.pin_net[p])]));
          driver[static_cast<std::size_t>(in.pin_net[p])] = static_cast<int>(i);
        }
    }
    std::vector<int> pending(n.insts.size(), 0);
    std::vector<std::vector<int>> users(n.insts.size());
    for (std::size_t i = 0; i < n.insts.size(); ++i) {
      const auto& in = n.insts[i];
      if (in.cell->memory) continue;
      if (in.cell->has_ff) {
        for (std::size_t p = 0; p < in.pin_net.size(); ++p)
          if (in.cell->pins[p].output)
            for (int k : in.cell->pins[p].function.inputs())
              if (k != in.cell->ff.iq && k != in.cell->ff.iqn)
                throw lib::LibertyError(fmt::format("cell {}: an output that is not a function of the state is not simulated",
                                               in.cell->name));
        continue;
      }
      for (std::size_t p = 0; p < in.pin_net.size(); ++p) {
        if (in.pin_net[p] < 0 || !in.cell->pins[p].input) continue;
        const int d = driver[static_cast<std::size_t>(in.pin_net[p])];
        if (d >= 0 && !n.insts[static_cast<std::size_t>(d)].cell->sequential()) {
          ++pending[i];
          users[static_cast<std::size_t>(d)].push_back(static_cast<int>(i));
        }
      }
    }
    std::vector<int> ready;
    for (std::size_t i = 0; i < n.insts.size(); ++i)
      if (n.insts[i].cell->has_ff) order.push_back(static_cast<int>(i));
    for (std::size_t i = 0; i < n.insts.size(); ++i)
      if (n.insts[i].cell->memory) order.push_back(static_cast<int>(i));
    for (std::size_t i = 0; i < n.insts.size(); ++i)
      if (!n.insts[i].cell->sequential() && pending[i] == 0) ready.push_back(static_cast<int>(i));
    while (!ready.empty()) {
      const int i = ready.back();
      ready.pop_back();
      order.push_back(i);
      for (int u : users[static_cast<std::size_t>(i)])
        if (--pending[static_cast<std::size_t>(u)] == 0) ready.push_back(u);
    }
    if (order.size() != n.insts.size())
      throw lib::LibertyError(fmt::format("netlist {}: a combinational loop ({} cells not ordered)", n.top,
                                     n.insts.size() - order.size()));
  }

  // Net loads (pins, output ports, the default wire load by fanout) and the
  // slews their drivers' transition tables give, in evaluation order.
  void loads_and_slews() {
    const auto nets = static_cast<std::size_t>(n.nets);
    load_cap.assign(nets, 0);
    clock_pin.assign(n.insts.size(), -1);
    is_output_port.assign(nets, 0);
    std::vector<int> fanout(nets, 0);
    for (std::size_t i = 0; i < n.insts.size(); ++i) {
      const auto& in = n.insts[i];
      for (std::size_t p = 0; p < in.pin_net.size(); ++p) {
        const int x = in.pin_net[p];
        if (x < 0 || !in.cell->pins[p].input) continue;
        if (x == clock || gclk_net[static_cast<std::size_t>(x)]) clock_pin[i] = static_cast<int>(p);
        load_cap[static_cast<std::size_t>(x)] += in.cell->pins[p].cap();
        ++fanout[static_cast<std::size_t>(x)];
      }
    }
    for (const auto& port : n.ports)
      if (!port.input)
        for (int b : port.bits) {
          load_cap[static_cast<std::size_t>(b)] += kPortLoadFf * 1e-15;
          ++fanout[static_cast<std::size_t>(b)];
          is_output_port[static_cast<std::size_t>(b)] = 1;
        }
    if (lib.has_wire_load)
      for (std::size_t x = 2; x < nets; ++x)
        if (fanout[x] > 0) load_cap[x] += lib.wire_load.cap(fanout[x]);
    slew_rise.assign(nets, 0);
    slew_fall.assign(nets, 0);
    for (int i : order) {
      const auto& in = n.insts[static_cast<std::size_t>(i)];
      for (std::size_t p = 0; p < in.pin_net.size(); ++p) {
        const int x = in.pin_net[p];
        if (x < 2 || !in.cell->pins[p].output) continue;
        double r = 0, f = 0;
        for (const auto& arc : in.cell->pins[p].timing) {
          double s = 0;
          if (arc.related_pin >= 0) {
            const int y = in.pin_net[static_cast<std::size_t>(arc.related_pin)];
            if (y >= 0 && y != clock) s = std::max(slew_rise[static_cast<std::size_t>(y)], slew_fall[static_cast<std::size_t>(y)]);
          }
          const double c = load_cap[static_cast<std::size_t>(x)];
          if (arc.rise_transition.present()) r = std::max(r, arc.rise_transition.lookup(s, c));
          if (arc.fall_transition.present()) f = std::max(f, arc.fall_transition.lookup(s, c));
        }
        slew_rise[static_cast<std::size_t>(x)] = r;
        slew_fall[static_cast<std::size_t>(x)] = f;
        if (gclk_net[static_cast<std::size_t>(x)])
          for (const auto& arc : in.cell->pins[p].timing)
            if (arc.cell_rise.present())
              gclk_delay[static_cast<std::size_t>(x)] =
                  std::max(gclk_delay[static_cast<std::size_t>(x)], arc.cell_rise.lookup(0, load_cap[static_cast<std::size_t>(x)]));
      }
    }
  }

  // Gathers an instance's pin values from the nets (state pins keep theirs).
  std::vector<char>& gather(std::size_t i) {
    auto& st = state[i];
    const auto& in = n.insts[i];
    for (std::size_t p = 0; p < in.pin_net.size(); ++p)
      if (in.pin_net[p] >= 0) st[p] = net[static_cast<std::size_t>(in.pin_net[p])];
    return st;
  }

  // Forces cleared/preset flip-flops; true when a state changed.
  bool async_controls() {
    bool changed = false;
    for (int i : order) {
      const auto& in = n.insts[static_cast<std::size_t>(i)];
      if (!in.cell->has_ff) break;
      const auto& ff = in.cell->ff;
      if (ff.clear.empty() && ff.preset.empty()) continue;
      auto& st = gather(static_cast<std::size_t>(i));
      int v = -1;
      if (!ff.clear.empty() && ff.clear.eval(st)) v = 0;
      else if (!ff.preset.empty() && ff.preset.eval(st)) v = 1;
      if (v >= 0 && st[static_cast<std::size_t>(ff.iq)] != v) {
        set_state(st, ff, v);
        changed = true;
      }
    }
    return changed;
  }

  static void set_state(std::vector<char>& st, const lib::FlipFlop& ff, int v) {
    st[static_cast<std::size_t>(ff.iq)] = static_cast<char>(v);
    if (ff.iqn >= 0) st[static_cast<std::size_t>(ff.iqn)] = static_cast<char>(!v);
  }

  void evaluate() {
    for (int i : order) {
      const auto& in = n.insts[static_cast<std::size_t>(i)];
      if (in.cell->memory) {
        const auto& rd = mems[static_cast<std::size_t>(mem_of[static_cast<std::size_t>(i)])].rd;
        for (std::size_t b = 0; b < rd.size(); ++b) {
          const int x = in.pin_net[static_cast<std::size_t>(in.cell->mem.rd[b])];
          if (x >= 2) net[static_cast<std::size_t>(x)] = rd[b];
        }
        continue;
      }
      auto& st = gather(static_cast<std::size_t>(i));
      for (std::size_t p = 0; p < in.pin_net.size(); ++p) {
        const int x = in.pin_net[p];
        if (x < 2 || !in.cell->pins[p].output || in.cell->pins[p].function.empty()) continue;
        net[static_cast<std::size_t>(x)] = in.cell->pins[p].function.eval(st);
      }
    }
  }

  void settle() {
    for (int pass = 0;; ++pass) {
      evaluate();
      if (!async_controls()) return;
      if (pass > 4) throw lib::LibertyError(fmt::format("netlist {}: asynchronous set/reset does not settle", n.top));
    }
  }

  // An SRAM macro's access at the edge (lib::MemoryPins; taxonn_sram_model):
  // with ce_in, a write of wd_in under w_mask_in or a read into rd_out; an
  // address past the words changes nothing.
  void memory_edge(MemState& ms) {
    const lib::MemoryPins& m = n.insts[ms.inst].cell->mem;
    auto& st = gather(ms.inst);
    auto pin = [&](int p) { return st[static_cast<std::size_t>(p)] != 0; };
    if (!pin(m.ce)) return;
    std::size_t addr = 0;
    for (std::size_t b = 0; b < m.addr.size(); ++b) addr |= static_cast<std::size_t>(pin(m.addr[b])) << b;
    if (addr >= ms.words.size()) return;
    auto& word = ms.words[addr];
    for (std::size_t b = 0; b < word.size(); ++b) {
      if (!pin(m.we)) ms.rd[b] = word[b];
      else if (pin(m.mask[b])) word[b] = static_cast<char>(pin(m.wd[b]));
    }
  }

  // The rising clock edge: every flip-flop whose clock pulses takes
  // next_state (async controls win); every memory makes its access.
  void clock_edge() {
    for (MemState& m : mems) memory_edge(m);
    // The enables are nets, which the edge does not change (it sets states).
    for (int i : order) {
      const auto& in = n.insts[static_cast<std::size_t>(i)];
      if (!in.cell->has_ff) break;
      if (!clocked(static_cast<std::size_t>(i))) continue;
      auto& st = gather(static_cast<std::size_t>(i));
      const auto& ff = in.cell->ff;
      int v = ff.next_state.eval(st);
      if (!ff.clear.empty() && ff.clear.eval(st)) v = 0;
      else if (!ff.preset.empty() && ff.preset.eval(st)) v = 1;
      set_state(st, ff, v);
    }
  }
};

}  // namespace taxonn::gate::detail
