// The gate-level simulator's state (power.cpp, docs/power.md): a flattened
// netlist levelized (flip-flops first, then topological order), its nets'
// loads and slews, and the zero-delay evaluation, settling and clock edge
// that simulate_power runs every cycle. Internal to synth/power.
#pragma once

#include <algorithm>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "power.hpp"

namespace taxonn::gate::detail {

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

  Sim(const Netlist& nl, const std::string& clk) : n(nl), lib(*nl.library) {
    clock = n.port(clk).bits.at(0);
    net.assign(static_cast<std::size_t>(n.nets), 0);
    net[1] = 1;
    state.resize(n.insts.size());
    for (std::size_t i = 0; i < n.insts.size(); ++i) state[i].assign(n.insts[i].cell->pins.size(), 0);
    levelize();
    loads_and_slews();
  }

  // Which instance drives each net; flip-flops are sources (their outputs are
  // functions of the state pins), the rest in topological order.
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
        if (d >= 0 && !n.insts[static_cast<std::size_t>(d)].cell->has_ff) {
          ++pending[i];
          users[static_cast<std::size_t>(d)].push_back(static_cast<int>(i));
        }
      }
    }
    std::vector<int> ready;
    for (std::size_t i = 0; i < n.insts.size(); ++i)
      if (n.insts[i].cell->has_ff) order.push_back(static_cast<int>(i));
    for (std::size_t i = 0; i < n.insts.size(); ++i)
      if (!n.insts[i].cell->has_ff && pending[i] == 0) ready.push_back(static_cast<int>(i));
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
        if (x == clock) clock_pin[i] = static_cast<int>(p);
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

  // The rising clock edge: every flip-flop takes next_state (async
  // controls win).
  void clock_edge() {
    for (int i : order) {
      const auto& in = n.insts[static_cast<std::size_t>(i)];
      if (!in.cell->has_ff) break;
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
