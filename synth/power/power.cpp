// Gate-level power from a simulated workload (power.hpp, docs/power.md).
#include "power.hpp"

#include "sim.hpp"
#include "timed.hpp"

#include <algorithm>
#include <fstream>

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
      // A liberty cell is a cell even when the file has its black-box stub
      // (the clock-gating cell's, synth/clock_gate.cpp).
      if (modules.contains(type) && !n.library->cells.count(type)) {
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
      if (it->second.memory && !it->second.mem.unsupported.empty())
        throw LibertyError(fmt::format("netlist '{}': cell {} is a memory ({}) without fakeram45's pins ({} missing), "
                                       "which the power simulation does not model",
                                       path, name, type, it->second.mem.unsupported));
      Netlist::Inst inst;
      inst.name = prefix + name;
      inst.cell = &it->second;
      inst.pin_net.assign(inst.cell->pins.size(), -1);
      for (const auto& [pin, bits] : c["connections"].items()) {
        const auto bus = inst.cell->buses.find(pin);
        if (bus != inst.cell->buses.end()) {
          if (bits.size() != bus->second.size())
            throw LibertyError(fmt::format("netlist '{}': bus {}.{} has {} bits, {} has {}", path, name, pin, bits.size(),
                                           type, bus->second.size()));
          for (std::size_t b = 0; b < bits.size(); ++b) inst.pin_net[static_cast<std::size_t>(bus->second[b])] = net(bits[b]);
          continue;
        }
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

using detail::Sim;
using detail::Timed;

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
// leakage power in this state. A clock-gating cell's output is a clock: its
// pulse (the arcs from the cell's clock, as `when` says for an open or a
// closed gate) is clock energy, its net's charge (`gclk_net`) clock-net
// energy, both only in the cycles the gate is open but for the closed gate's
// own internal energy.
struct InstEnergy {
  double internal = 0, clock = 0, leakage_w = 0, gclk_net = 0;
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
    const bool is_clock = x == s.clock || s.gclk_net[ux];
    if (pin.input && is_clock) {
      // The clock pin: a fall and a rise every cycle its clock pulses.
      if (!s.clocked(i)) continue;
      for (const auto& ip : pin.power) {
        if (ip.related_pin >= 0 || (!ip.when.empty() && !ip.when.eval(st))) continue;
        e_clk += ip.rise.lookup(0, 0) + ip.fall.lookup(0, 0);
      }
      continue;
    }
    if (pin.output && s.gclk_net[ux]) {
      for (const auto& ip : pin.power) {
        if (ip.related_pin != cell.icg_clock || (!ip.when.empty() && !ip.when.eval(st))) continue;
        e_clk += ip.rise.lookup(0, s.load_cap[ux]) + ip.fall.lookup(0, s.load_cap[ux]);
      }
      if (s.gate_open(static_cast<int>(i))) r.gclk_net += s.load_cap[ux] * v2;
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
      e += detail::arc_energy(pin, st, rise, s.load_cap[ux], [&](int related) {
        const int y = in.pin_net[static_cast<std::size_t>(related)];
        if (y < 0) return -1.0;
        const auto uy = static_cast<std::size_t>(y);
        if (y == s.clock || (y >= 2 && s.gclk_net[uy])) return 0.0;  // an ideal clock
        if (y < 2 || !toggled[uy]) return -1.0;
        return st[static_cast<std::size_t>(related)] ? s.slew_rise[uy] : s.slew_fall[uy];
      });
      if (cell.has_ff) e_flop += 0.5 * s.load_cap[ux] * v2;
    }
  }
  // Leakage in this state (a flip-flop's clock is high half the cycle).
  double leak = cell.leakage;
  if (!cell.leakage_when.empty()) {
    double sum = 0;
    const int clk_pin = s.clock_pin[i];
    const bool pulse = s.clocked(i);  // a closed gate's flip-flops see a low clock all cycle
    const int gck = cell.is_icg() ? cell.icg_out : -1;
    for (int half = 0; half < (clk_pin >= 0 ? 2 : 1); ++half) {
      if (clk_pin >= 0) st[static_cast<std::size_t>(clk_pin)] = static_cast<char>(pulse && half);
      if (gck >= 0) st[static_cast<std::size_t>(gck)] = static_cast<char>(half && st[static_cast<std::size_t>(cell.icg_enable)]);
      for (const auto& [when, w] : cell.leakage_when)
        if (when.eval(st)) {
          sum += w;
          break;
        }
    }
    if (gck >= 0) st[static_cast<std::size_t>(gck)] = 0;
    if (clk_pin >= 0) {
      st[static_cast<std::size_t>(clk_pin)] = 0;
      sum /= 2;
    }
    if (sum > 0) leak = sum;
  }
  r.leakage_w = leak;
  return r;
}

}  // namespace

PowerResult simulate_power(const Netlist& n, const std::string& clock, const std::vector<StimCycle>& stim,
                           double period_s, const SimOptions& opt) {
  const bool timed = opt.timed;
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
      if (r.mismatched++ < static_cast<long>(opt.max_mismatches))
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
        e_clock_net += ie.gclk_net;
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
