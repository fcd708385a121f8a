// The glitch-aware (timed) gate-level simulation (docs/power.md,
// "Glitches"): simulate_power's `timed` mode, on top of the zero-delay
// simulator's state (sim.hpp). Internal to synth/power.
#pragma once

#include <algorithm>
#include <functional>
#include <queue>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "sim.hpp"

namespace taxonn::gate::detail {

// The glitch-aware simulation of one cycle (simulate_power's `timed`):
// from the last cycle's settled values to this cycle's, event by event.
// Sources: the input ports at the edge (t = 0) and the flip-flops' and
// memories' outputs at their clock-to-Q (clk -> rd_out) delay; a
// combinational cell re-evaluates when an input changes and schedules each
// output change at the delay of the arc from that input (inertial: a later evaluation that restores the value
// cancels the pending change, one that agrees with it keeps its time).
// Every transition is priced as it happens: 1/2 C V^2 on the net, the
// driver's internal energy on the arc from the input that caused it (the
// clock for a flip-flop; `when` read at that moment), and the input-pin
// energy of every pin the net reaches.
struct Timed {
  const Netlist& n;
  Sim& s;
  double v2;
  std::vector<char> val;                                // the nets' values now
  std::vector<std::vector<std::pair<int, int>>> reads;  // per net: (instance, pin) of the inputs on it
  std::vector<std::pair<int, int>> drives;              // per net: (instance, pin) of its driver, or (-1, -1)
  struct Pending {
    double t = 0;
    long seq = -1;  // -1: none
    char v = 0;
    int cause = -1;  // the driver's pin whose change scheduled it
  };
  std::vector<Pending> pending;
  struct Event {
    double t;
    long seq;
    int net;
    bool operator>(const Event& o) const { return t != o.t ? t > o.t : seq > o.seq; }
  };
  std::priority_queue<Event, std::vector<Event>, std::greater<Event>> queue;
  long seq = 0;
  std::vector<char> st;  // scratch: one instance's pin values
  double e_internal = 0, e_switching = 0;
  std::vector<double> e_inst;  // per instance: its outputs' switching, its pins' internal energy
  double e_inputs = 0;         // the switching of the nets the input ports drive
  long transitions = 0;

  Timed(const Netlist& nl, Sim& sim, double v) : n(nl), s(sim), v2(v) {
    const auto nets = static_cast<std::size_t>(n.nets);
    e_inst.assign(n.insts.size(), 0);
    reads.resize(nets);
    drives.assign(nets, {-1, -1});
    pending.resize(nets);
    for (std::size_t i = 0; i < n.insts.size(); ++i)
      for (std::size_t p = 0; p < n.insts[i].pin_net.size(); ++p) {
        const int x = n.insts[i].pin_net[p];
        if (x < 2) continue;
        if (n.insts[i].cell->pins[p].input) reads[static_cast<std::size_t>(x)].emplace_back(static_cast<int>(i), static_cast<int>(p));
        if (n.insts[i].cell->pins[p].output) drives[static_cast<std::size_t>(x)] = {static_cast<int>(i), static_cast<int>(p)};
      }
  }

  // Instance i's pins on the nets' present values (state pins: the zero-delay
  // simulation's, this cycle's).
  const std::vector<char>& pins_now(std::size_t i) {
    const auto& in = n.insts[i];
    st = s.state[i];
    for (std::size_t p = 0; p < in.pin_net.size(); ++p)
      if (in.pin_net[p] >= 0) st[p] = val[static_cast<std::size_t>(in.pin_net[p])];
    return st;
  }
  double slew_of(int x, bool rise) const {
    return rise ? s.slew_rise[static_cast<std::size_t>(x)] : s.slew_fall[static_cast<std::size_t>(x)];
  }
  // The delay of the arc from `from` to output pin `out` of instance i for
  // an output change to `rise` (the slowest arc when none is from `from`).
  double delay(std::size_t i, int from, int out, bool rise) const {
    const auto& in = n.insts[i];
    const lib::Pin& pin = in.cell->pins[static_cast<std::size_t>(out)];
    const double load = s.load_cap[static_cast<std::size_t>(in.pin_net[static_cast<std::size_t>(out)])];
    double any = 0;
    for (const auto& arc : pin.timing) {
      const lib::Table& t = rise ? arc.cell_rise : arc.cell_fall;
      if (!t.present()) continue;
      const int y = arc.related_pin >= 0 ? in.pin_net[static_cast<std::size_t>(arc.related_pin)] : -1;
      const double slew = y >= 2 && y != s.clock ? slew_of(y, val[static_cast<std::size_t>(y)] != 0) : 0.0;
      const double d = t.lookup(slew, load);
      if (arc.related_pin == from) return d;
      any = std::max(any, d);
    }
    return any;
  }
  void schedule(int x, char v, double t, int cause) {
    Pending& pd = pending[static_cast<std::size_t>(x)];
    if (pd.seq >= 0) {
      if (pd.v == v) return;
      pd.seq = -1;
    }
    if (v == val[static_cast<std::size_t>(x)]) return;
    pd = {t, ++seq, v, cause};
    queue.push({t, pd.seq, x});
  }
  // The energy of net x's transition to `rise`, caused by its driver's pin `cause`.
  void price(int x, bool rise, int cause) {
    const auto ux = static_cast<std::size_t>(x);
    const double sw = 0.5 * s.load_cap[ux] * v2;
    e_switching += sw;
    const auto [d, out] = drives[ux];
    (d >= 0 ? e_inst[static_cast<std::size_t>(d)] : e_inputs) += sw;
    if (d >= 0 && cause >= 0) {
      const auto& in = n.insts[static_cast<std::size_t>(d)];
      const lib::Pin& pin = in.cell->pins[static_cast<std::size_t>(out)];
      const auto& now = pins_now(static_cast<std::size_t>(d));
      const int y = in.pin_net[static_cast<std::size_t>(cause)];
      const double slew = y >= 2 && y != s.clock ? slew_of(y, now[static_cast<std::size_t>(cause)] != 0) : 0.0;
      const double e = arc_energy(pin, now, rise, s.load_cap[ux], [&](int related) { return related == cause ? slew : -1.0; });
      e_internal += e;
      e_inst[static_cast<std::size_t>(d)] += e;
    }
    for (const auto& [i, p] : reads[ux]) {
      const auto& now = pins_now(static_cast<std::size_t>(i));
      for (const auto& ip : n.insts[static_cast<std::size_t>(i)].cell->pins[static_cast<std::size_t>(p)].power) {
        if (ip.related_pin >= 0 || (!ip.when.empty() && !ip.when.eval(now))) continue;
        const double e = (rise ? ip.rise : ip.fall).lookup(slew_of(x, rise), 0);
        e_internal += e;
        e_inst[static_cast<std::size_t>(i)] += e;
      }
    }
  }

  // One cycle from `val` (the last cycle's settled values) to s.net (this
  // cycle's), its transitions priced.
  void cycle() {
    for (std::size_t x = 2; x < s.net.size(); ++x) {
      if (s.net[x] == val[x]) continue;
      const int d = drives[x].first;
      if (d < 0) {
        schedule(static_cast<int>(x), s.net[x], 0.0, -1);  // an input port
      } else if (n.insts[static_cast<std::size_t>(d)].cell->sequential()) {
        const int ck = s.clock_pin[static_cast<std::size_t>(d)];
        // On a gated clock the edge arrives after the clock gate's delay.
        const int ck_net = ck >= 0 ? n.insts[static_cast<std::size_t>(d)].pin_net[static_cast<std::size_t>(ck)] : -1;
        const double gate = ck_net >= 2 ? s.gclk_delay[static_cast<std::size_t>(ck_net)] : 0.0;
        schedule(static_cast<int>(x), s.net[x], gate + delay(static_cast<std::size_t>(d), ck, drives[x].second, s.net[x] != 0), ck);
      }
    }
    while (!queue.empty()) {
      const Event e = queue.top();
      queue.pop();
      Pending& pd = pending[static_cast<std::size_t>(e.net)];
      if (pd.seq != e.seq) continue;  // cancelled
      const char v = pd.v;
      const int cause = pd.cause;
      pd.seq = -1;
      val[static_cast<std::size_t>(e.net)] = v;
      ++transitions;
      price(e.net, v != 0, cause);
      for (const auto& [i, p] : reads[static_cast<std::size_t>(e.net)]) {
        const auto ui = static_cast<std::size_t>(i);
        const auto& in = n.insts[ui];
        if (in.cell->sequential()) continue;
        const auto& now = pins_now(ui);
        for (std::size_t q = 0; q < in.pin_net.size(); ++q) {
          const int y = in.pin_net[q];
          if (y < 2 || !in.cell->pins[q].output || in.cell->pins[q].function.empty()) continue;
          const char nv = static_cast<char>(in.cell->pins[q].function.eval(now));
          schedule(y, nv, e.t + delay(ui, p, static_cast<int>(q), nv != 0), p);
        }
      }
    }
    for (std::size_t x = 2; x < s.net.size(); ++x)
      if (val[x] != s.net[x])
        throw lib::LibertyError(fmt::format("netlist {}: the timed simulation settles net {} at {}, the zero-delay one at {}",
                                       n.top, n.net_names[x], int(val[x]), int(s.net[x])));
  }
};

}  // namespace taxonn::gate::detail
