// Gate-level power from a simulated workload (power.hpp, docs/power.md).
#include "power.hpp"

#include <algorithm>
#include <fstream>
#include <functional>
#include <queue>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace taxonn::gate {

using lib::LibertyError;

const Netlist::Port& Netlist::port(const std::string& name) const {
  for (const Port& p : ports)
    if (p.name == name) return p;
  throw LibertyError(fmt::format("netlist {}: no port '{}'", top, name));
}

namespace {

// Flattens module `mod` of a Yosys JSON into `n`: `outer` maps the module's
// port bits to nets of the instance above (empty for the top); instances of
// other modules of the file are expanded with their path as a name prefix.
struct Flattener {
  const nlohmann::json& modules;
  const std::string& path;
  Netlist& n;

  std::vector<int> parent = {0, 1};  // union-find over nets: a port wired through or tied to a constant

  int fresh(const std::string& name) {
    n.net_names.push_back(name);
    parent.push_back(n.nets);
    return n.nets++;
  }
  int find(int x) {
    while (parent[static_cast<std::size_t>(x)] != x) x = parent[static_cast<std::size_t>(x)] = parent[static_cast<std::size_t>(parent[static_cast<std::size_t>(x)])];
    return x;
  }
  void join(int a, int b, const std::string& where) {
    a = find(a);
    b = find(b);
    if (a == b) return;
    if (a < 2 && b < 2) throw LibertyError(fmt::format("netlist '{}': {} ties constant 0 to constant 1", path, where));
    if (b < a) std::swap(a, b);  // a constant stays the representative
    parent[static_cast<std::size_t>(b)] = a;
  }
  // Every pin and port on its net's representative, the ids compacted.
  void resolve() {
    std::vector<int> id(static_cast<std::size_t>(n.nets), -1);
    std::vector<std::string> names;
    int next = 0;
    for (int x = 0; x < n.nets; ++x) {
      const int r = find(x);
      if (id[static_cast<std::size_t>(r)] < 0) {
        id[static_cast<std::size_t>(r)] = next++;
        names.push_back(n.net_names[static_cast<std::size_t>(r)]);
      }
      const auto& nm = n.net_names[static_cast<std::size_t>(x)];
      auto& kept = names[static_cast<std::size_t>(id[static_cast<std::size_t>(r)])];
      if (r >= 2 && kept.find('$') != std::string::npos && nm.find('$') == std::string::npos) kept = nm;
    }
    auto map = [&](int& x) {
      if (x >= 0) x = id[static_cast<std::size_t>(find(x))];
    };
    for (auto& p : n.ports)
      for (int& b : p.bits) map(b);
    for (auto& in : n.insts)
      for (int& x : in.pin_net) map(x);
    n.nets = next;
    n.net_names = names;
  }

  void expand(const std::string& mod, const std::string& prefix, const std::map<long, int>& outer, int depth) {
    if (depth > 32) throw LibertyError(fmt::format("netlist '{}': module hierarchy deeper than 32 (recursive?)", path));
    const auto& m = modules.at(mod);
    std::map<long, int> ids = outer;
    auto net = [&](const nlohmann::json& bit) -> int {
      if (bit.is_string()) return bit.get<std::string>() == "1" ? 1 : 0;  // "0", "x", "z": 0
      const long b = bit.get<long>();
      const auto it = ids.find(b);
      if (it != ids.end()) return it->second;
      return ids[b] = fresh(fmt::format("{}${}", prefix, b));
    };
    if (prefix.empty())
      for (const auto& [name, p] : m["ports"].items()) {
        Netlist::Port port;
        port.name = name;
        port.input = p["direction"] == "input";
        for (const auto& b : p["bits"]) port.bits.push_back(net(b));
        n.ports.push_back(port);
      }
    for (const auto& [name, c] : m["cells"].items()) {
      const std::string type = c["type"];
      if (modules.contains(type)) {
        // A submodule: its port bits are our nets at its connections.
        std::map<long, int> inner;
        const auto& sub = modules.at(type);
        for (const auto& [pname, bits] : c["connections"].items()) {
          if (!sub["ports"].contains(pname))
            throw LibertyError(fmt::format("netlist '{}': {} has no port {}", path, type, pname));
          const auto& sbits = sub["ports"][pname]["bits"];
          const std::string where = fmt::format("{}{}.{}", prefix, name, pname);
          for (std::size_t k = 0; k < bits.size() && k < sbits.size(); ++k) {
            const int outer_net = net(bits[k]);
            if (sbits[k].is_string()) {
              join(outer_net, sbits[k].get<std::string>() == "1" ? 1 : 0, where);  // a port tied inside
              continue;
            }
            const auto [it, fresh_bit] = inner.emplace(sbits[k].get<long>(), outer_net);
            if (!fresh_bit) join(it->second, outer_net, where);  // one bit on two ports: wired through
          }
        }
        n.instance_module[prefix + name] = type;
        expand(type, prefix + name + ".", inner, depth + 1);
        continue;
      }
      const auto it = n.library->cells.find(type);
      if (it == n.library->cells.end())
        throw LibertyError(fmt::format("netlist '{}': cell {} is a '{}', which {} does not have", path, name, type,
                                       n.library->path));
      if (it->second.latch)
        throw LibertyError(fmt::format("netlist '{}': cell {} is a latch ({}), which the power simulation does not model",
                                       path, name, type));
      Netlist::Inst inst;
      inst.name = prefix + name;
      inst.cell = &it->second;
      inst.pin_net.assign(inst.cell->pins.size(), -1);
      for (const auto& [pin, bits] : c["connections"].items()) {
        const int k = inst.cell->find_pin(pin);
        if (k < 0) throw LibertyError(fmt::format("netlist '{}': cell {} ({}) has no pin {}", path, name, type, pin));
        if (bits.size() != 1) throw LibertyError(fmt::format("netlist '{}': pin {}.{} is not one bit", path, name, pin));
        inst.pin_net[static_cast<std::size_t>(k)] = net(bits[0]);
      }
      n.insts.push_back(std::move(inst));
    }
    // Readable names: the public net names (hide_name 0) Yosys kept.
    for (const auto& [name, nn] : m["netnames"].items()) {
      if (nn.value("hide_name", 0) != 0) continue;
      const auto& bits = nn["bits"];
      for (std::size_t i = 0; i < bits.size(); ++i) {
        if (bits[i].is_string()) continue;
        const auto it = ids.find(bits[i].get<long>());
        if (it == ids.end()) continue;
        std::string& s = n.net_names[static_cast<std::size_t>(it->second)];
        const std::string full = prefix + (bits.size() > 1 ? fmt::format("{}[{}]", name, i) : name);
        if (s.find('$') != std::string::npos || full.size() < s.size()) s = full;
      }
    }
  }
};

}  // namespace

Netlist read_netlist(const std::string& json_path, const std::string& top, std::shared_ptr<const lib::Library> library) {
  std::ifstream in(json_path);
  if (!in) throw LibertyError(fmt::format("netlist '{}' cannot be read", json_path));
  nlohmann::json j;
  try {
    in >> j;
  } catch (const std::exception& e) {
    throw LibertyError(fmt::format("netlist '{}' is not JSON: {}", json_path, e.what()));
  }
  if (!j.contains("modules") || !j["modules"].contains(top))
    throw LibertyError(fmt::format("netlist '{}' has no module '{}'", json_path, top));
  Netlist n;
  n.top = top;
  n.library = std::move(library);
  n.net_names = {"1'b0", "1'b1"};
  Flattener f{j["modules"], json_path, n};
  f.expand(top, "", {}, 0);
  f.resolve();
  return n;
}

namespace {

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
            throw LibertyError(fmt::format("netlist {}: net {} has more than one driver", n.top,
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
                throw LibertyError(fmt::format("cell {}: an output that is not a function of the state is not simulated",
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
      throw LibertyError(fmt::format("netlist {}: a combinational loop ({} cells not ordered)", n.top,
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
      if (pass > 4) throw LibertyError(fmt::format("netlist {}: asynchronous set/reset does not settle", n.top));
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

std::uint64_t port_value(const Sim& s, const Netlist::Port& p) {
  std::uint64_t v = 0;
  for (std::size_t b = 0; b < p.bits.size() && b < 64; ++b)
    v |= static_cast<std::uint64_t>(s.net[static_cast<std::size_t>(p.bits[b])]) << b;
  return v;
}

// One instance's energy in a measured cycle: the internal energy of its
// toggled pins (input pins by their slew; output pins by the arcs from the
// inputs that switched, the clock for a flip-flop), its clock pin's, the
// switching of a flip-flop's outputs (added to `e_flop` pin by pin), and its
// leakage power in this state.
struct InstEnergy {
  double internal = 0, clock = 0, leakage_w = 0;
};
InstEnergy instance_energy(const Netlist& n, Sim& s, std::size_t i, const std::vector<char>& toggled, double v2,
                           double& e_flop) {
  InstEnergy r;
  const auto& in = n.insts[i];
  const lib::Cell& cell = *in.cell;
  auto& st = s.gather(i);
  double& e = r.internal;
  double& e_clk = r.clock;
  for (std::size_t p = 0; p < in.pin_net.size(); ++p) {
    const int x = in.pin_net[p];
    if (x < 0) continue;
    const auto ux = static_cast<std::size_t>(x);
    const lib::Pin& pin = cell.pins[p];
    const bool is_clock = x == s.clock;
    if (pin.input && is_clock) {
      // The clock pin: a fall and a rise every cycle.
      for (const auto& ip : pin.power) {
        if (ip.related_pin >= 0 || (!ip.when.empty() && !ip.when.eval(st))) continue;
        e_clk += ip.rise.lookup(0, 0) + ip.fall.lookup(0, 0);
      }
      continue;
    }
    if (!toggled[ux] || x < 2) continue;
    const bool rise = st[p] != 0;
    if (pin.input) {
      const double slew = rise ? s.slew_rise[ux] : s.slew_fall[ux];
      for (const auto& ip : pin.power) {
        if (ip.related_pin >= 0 || (!ip.when.empty() && !ip.when.eval(st))) continue;
        e += (rise ? ip.rise : ip.fall).lookup(slew, 0);
      }
    } else if (pin.output) {
      // The arcs from the inputs that switched this cycle (the clock
      // for a flip-flop), averaged; `when` read on the new state.
      double sum = 0;
      int count = 0;
      for (int pass = 0; pass < 2 && count == 0; ++pass)
        for (const auto& ip : pin.power) {
          if (ip.related_pin < 0) continue;
          const int y = in.pin_net[static_cast<std::size_t>(ip.related_pin)];
          if (y < 0) continue;
          const bool from_switched = y == s.clock || (y >= 2 && toggled[static_cast<std::size_t>(y)]);
          if (!from_switched) continue;
          if (pass == 0 && !ip.when.empty() && !ip.when.eval(st)) continue;
          const auto uy = static_cast<std::size_t>(y);
          const double slew = y == s.clock ? 0.0 : (st[static_cast<std::size_t>(ip.related_pin)] ? s.slew_rise[uy] : s.slew_fall[uy]);
          sum += (rise ? ip.rise : ip.fall).lookup(slew, s.load_cap[ux]);
          ++count;
        }
      if (count) e += sum / count;
      if (cell.has_ff) e_flop += 0.5 * s.load_cap[ux] * v2;
    }
  }
  // Leakage in this state (a flip-flop's clock is high half the cycle).
  double leak = cell.leakage;
  if (!cell.leakage_when.empty()) {
    double sum = 0;
    const int clk_pin = s.clock_pin[i];
    for (int half = 0; half < (clk_pin >= 0 ? 2 : 1); ++half) {
      if (clk_pin >= 0) st[static_cast<std::size_t>(clk_pin)] = static_cast<char>(half);
      for (const auto& [when, w] : cell.leakage_when)
        if (when.eval(st)) {
          sum += w;
          break;
        }
    }
    if (clk_pin >= 0) {
      st[static_cast<std::size_t>(clk_pin)] = 0;
      sum /= 2;
    }
    if (sum > 0) leak = sum;
  }
  r.leakage_w = leak;
  return r;
}

// The glitch-aware simulation of one cycle (simulate_power's `timed`):
// from the last cycle's settled values to this cycle's, event by event.
// Sources: the input ports at the edge (t = 0) and the flip-flops' outputs
// at their clock-to-Q delay; a combinational cell re-evaluates when an
// input changes and schedules each output change at the delay of the arc
// from that input (inertial: a later evaluation that restores the value
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
      double sum = 0;
      int count = 0;
      for (int pass = 0; pass < 2 && count == 0; ++pass)
        for (const auto& ip : pin.power) {
          if (ip.related_pin != cause || (pass == 0 && !ip.when.empty() && !ip.when.eval(now))) continue;
          sum += (rise ? ip.rise : ip.fall).lookup(slew, s.load_cap[ux]);
          ++count;
        }
      if (count) {
        e_internal += sum / count;
        e_inst[static_cast<std::size_t>(d)] += sum / count;
      }
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
      } else if (n.insts[static_cast<std::size_t>(d)].cell->has_ff) {
        const int ck = s.clock_pin[static_cast<std::size_t>(d)];
        schedule(static_cast<int>(x), s.net[x], delay(static_cast<std::size_t>(d), ck, drives[x].second, s.net[x] != 0), ck);
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
        if (in.cell->has_ff) continue;
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
        throw LibertyError(fmt::format("netlist {}: the timed simulation settles net {} at {}, the zero-delay one at {}",
                                       n.top, n.net_names[x], int(val[x]), int(s.net[x])));
  }
};

}  // namespace

PowerResult simulate_power(const Netlist& n, const std::string& clock, const std::vector<StimCycle>& stim,
                           double period_s, std::size_t max_mismatches, bool timed) {
  Sim s(n, clock);
  const double v2 = n.library->voltage * n.library->voltage;
  std::unique_ptr<Timed> tsim = timed ? std::make_unique<Timed>(n, s, v2) : nullptr;
  std::map<std::string, const Netlist::Port*> inputs, outputs;
  for (const auto& p : n.ports) {
    if (p.bits.size() > 64) throw LibertyError(fmt::format("netlist {}: port {} is wider than 64 bits", n.top, p.name));
    (p.input ? inputs : outputs)[p.name] = &p;
  }
  PowerResult r;
  r.instance_module = n.instance_module;
  double e_internal = 0, e_switching = 0, e_leak_s = 0, e_clock = 0, e_flop = 0;  // J, and W*cycles for leakage
  std::vector<char> prev;
  std::vector<char> toggled(static_cast<std::size_t>(n.nets), 0);
  std::vector<double> e_inst(n.insts.size(), 0);  // J: internal, switching of its outputs, leakage
  std::vector<double> e_inst_clock_leak(n.insts.size(), 0);  // J: of that, its clock pin and leakage (timed: the same)
  double e_inputs = 0;                             // J: switching of the nets input ports drive
  double e_clock_net = 0;                          // J: the clock net's
  long transitions = 0;
  const std::size_t clock_net = static_cast<std::size_t>(s.clock);
  for (std::size_t c = 0; c < stim.size(); ++c) {
    const StimCycle& sc = stim[c];
    for (const auto& [name, v] : sc.in) {
      const auto it = inputs.find(name);
      if (it == inputs.end()) throw LibertyError(fmt::format("netlist {}: no input port '{}'", n.top, name));
      for (std::size_t b = 0; b < it->second->bits.size(); ++b) {
        const int x = it->second->bits[b];
        if (x >= 2 && x != s.clock) s.net[static_cast<std::size_t>(x)] = static_cast<char>((v >> b) & 1);
      }
    }
    s.net[clock_net] = 0;
    s.settle();
    for (const auto& [name, want] : sc.expect) {
      const auto it = outputs.find(name);
      if (it == outputs.end()) throw LibertyError(fmt::format("netlist {}: no output port '{}'", n.top, name));
      const std::uint64_t mask = it->second->bits.size() >= 64 ? ~0ULL : (1ULL << it->second->bits.size()) - 1;
      const std::uint64_t got = port_value(s, *it->second);
      ++r.checked;
      if (got == (want & mask)) continue;
      if (r.mismatched++ < static_cast<long>(max_mismatches))
        r.mismatches.push_back(fmt::format("cycle {} ({}): {} = 0x{:x}, expected 0x{:x}", c, sc.what, name, got, want & mask));
    }
    if (tsim) {
      if (sc.measured && !prev.empty()) tsim->cycle();
      else tsim->val = s.net;  // not priced: only where it settles matters
    }
    if (sc.measured && !prev.empty()) {
      ++r.cycles;
      // The clock net charges and discharges its pins and wire every cycle.
      e_clock_net += s.load_cap[clock_net] * v2;
      for (std::size_t x = 2; x < s.net.size(); ++x) {
        toggled[x] = s.net[x] != prev[x];
        if (!toggled[x]) continue;
        ++transitions;
        e_switching += 0.5 * s.load_cap[x] * v2;
        if (s.driver[x] >= 0) e_inst[static_cast<std::size_t>(s.driver[x])] += 0.5 * s.load_cap[x] * v2;
        else e_inputs += 0.5 * s.load_cap[x] * v2;
      }
      // Per instance: internal energy of its toggled pins, its leakage.
      for (std::size_t i = 0; i < n.insts.size(); ++i) {
        const InstEnergy ie = instance_energy(n, s, i, toggled, v2, e_flop);
        const double e = ie.internal, e_clk = ie.clock, leak = ie.leakage_w;
        const bool ff = n.insts[i].cell->has_ff;
        e_internal += e + e_clk;
        e_leak_s += leak;
        e_inst[i] += e + e_clk + leak * period_s;
        e_inst_clock_leak[i] += e_clk + leak * period_s;
        e_clock += e_clk;
        if (ff) e_flop += e + e_clk + leak * period_s;
      }
    }
    prev = s.net;
    s.clock_edge();
  }
  if (r.cycles > 0) {
    const double t = static_cast<double>(r.cycles) * period_s;
    r.internal_w = e_internal / t;
    r.switching_w = (e_switching + e_clock_net) / t;
    r.clock_net_w = e_clock_net / t;
    r.leakage_w = e_leak_s / static_cast<double>(r.cycles);
    r.clock_internal_w = e_clock / t;
    r.flop_w = e_flop / t;
    r.toggle_rate = static_cast<double>(transitions) / static_cast<double>(r.cycles) / std::max(1, n.nets - 2);
    r.transitions = transitions;
    if (tsim) {
      r.timed = true;
      r.timed_internal_w = (tsim->e_internal + e_clock) / t;
      r.timed_switching_w = (tsim->e_switching + e_clock_net) / t;
      r.timed_transitions = tsim->transitions;
      r.timed_inputs_switching_w = tsim->e_inputs / t;
    }
    for (std::size_t i = 0; i < n.insts.size(); ++i) {
      const std::string& name = n.insts[i].name;
      const auto dot = name.rfind('.');
      const std::pair<std::string, bool> where = {dot == std::string::npos ? "" : name.substr(0, dot), n.insts[i].cell->has_ff};
      r.by_instance_w[where] += e_inst[i] / t;
      if (tsim) r.timed_by_instance_w[where] += (tsim->e_inst[i] + e_inst_clock_leak[i]) / t;
    }
    r.inputs_switching_w = e_inputs / t;
  }
  return r;
}

}  // namespace taxonn::gate
