// PE workloads for gate-level power (pe_power.hpp).
#include "pe_power.hpp"

#include <memory>
#include <mutex>
#include <random>
#include <stdexcept>

#include <fmt/format.h>

#include "pe.hpp"
#include "io_util.hpp"

namespace taxonn {

const char* to_string(PeWorkload w) { return w == PeWorkload::kTrain ? "training" : "inference"; }

namespace {

// Back-propagated terms per SGD step (step 1's fan-in), as a hidden layer
// of a small network has.
constexpr int kBackpropTerms = 8;

std::uint64_t bits64(Wide v, int width) { return static_cast<std::uint64_t>(to_bits(v, width)); }

}  // namespace

std::vector<gate::StimCycle> pe_stimulus(const PeParams& p, PeKind kind, PeWorkload w, int samples, std::uint64_t seed) {
  if (kind == PeKind::kBase && w == PeWorkload::kTrain)
    throw std::invalid_argument("the baseline PE cannot train: give it the inference workload");
  std::mt19937_64 rng(seed);
  // Trained-size values: |v| < 2^(F-1) LSBs (below 0.5), every low bit random.
  auto value = [&] { return from_bits(rng(), std::max(1, p.fmt.frac_bits - 1)); };
  const int k = p.depth;
  std::vector<Wide> weights;
  for (int i = 0; i < k; ++i) weights.push_back(value());

  std::vector<gate::StimCycle> stim;
  Pe pe(p);
  PeBase base(p);
  const auto ports = pe_ports(p, kind);
  auto push = [&](const PeCycle& c, bool measured, const std::string& what) {
    gate::StimCycle s;
    s.measured = measured;
    s.what = what;
    s.in["rst_ni"] = 1;
    for (const auto& ps : ports)
      if (ps.input) s.in[ps.name] = bits64(pe_input_value(ps.name, c), ps.width);
    // The registers after the previous edge, and the read at this cycle's address.
    const PeOut o = kind == PeKind::kTaxonn ? pe.outputs(c.ctrl, c.in) : base.outputs(c.ctrl, c.in);
    const int wd = p.width();
    s.expect = {{"x_fwd_o", bits64(o.x_fwd, wd)}, {"sum_o", bits64(o.sum, wd)},
                {"spad_rd_o", bits64(o.spad_rd, wd)}, {"acc_o", bits64(o.acc, p.acc_width())},
                {"sat_cnt_o", o.sat_cnt}};
    if (kind == PeKind::kTaxonn) s.expect["g_o"] = bits64(o.g, wd);
    // While the load writes the words, the read port shows words not yet
    // written: flip-flops without a reset, whose power-up value the golden
    // twin's 0 does not describe (a netlist that stores a word through QN
    // powers up reading ones).
    if (what == "load") s.expect.erase("spad_rd_o");
    stim.push_back(std::move(s));
    if (kind == PeKind::kTaxonn) pe.step(c.ctrl, c.in);
    else base.step(c.ctrl, c.in);
  };
  {
    gate::StimCycle reset;
    reset.in["rst_ni"] = 0;
    for (const auto& ps : ports)
      if (ps.input) reset.in[ps.name] = 0;
    reset.measured = false;
    reset.what = "reset";
    stim.push_back(reset);
  }
  // An SRAM scratchpad reads a cycle ahead: the schedules rewritten for it
  // (CONTRACT 4), as the PE co-simulation runs them.
  auto schedule = [&](const std::vector<PeCycle>& v) { return p.memory == Memory::kSram ? sram_schedule(v) : v; };
  for (const auto& c : schedule(pe_load_schedule(p, weights))) push(c, false, "load");
  for (int s = 0; s < samples; ++s) {
    std::vector<Wide> x;
    for (int i = 0; i < k; ++i) x.push_back(value());
    std::vector<PeCycle> cycles;
    if (w == PeWorkload::kInfer) {
      cycles = pe_forward_schedule(p, x);
    } else {
      NeuronData d;
      d.x = x;
      for (int i = 0; i < kBackpropTerms; ++i) {
        d.g_next.push_back(value());
        d.w_next.push_back(value());
      }
      cycles = pe_train_schedule(p, d);
    }
    for (const auto& c : schedule(cycles)) push(c, true, fmt::format("sample {} {}", s, c.phase));
  }
  push(PeCycle{}, false, "idle (checks the last sample)");
  return stim;
}

namespace {

// One parsed library per liberty and macro set for the whole run (sweep
// points share it): the cell liberty with the SRAM macros' cells added.
std::shared_ptr<const lib::Library> cached_liberty(const std::string& path, const std::vector<std::string>& macros) {
  static std::mutex mu;
  static std::map<std::vector<std::string>, std::shared_ptr<const lib::Library>> cache;
  std::lock_guard<std::mutex> lock(mu);
  std::vector<std::string> key = {path};
  key.insert(key.end(), macros.begin(), macros.end());
  auto& slot = cache[key];
  if (slot) return slot;
  auto read = [&](const std::string& f) {
    auto& one = cache[{f}];
    if (!one) one = lib::read_liberty(f);
    return one;
  };
  std::vector<std::shared_ptr<const lib::Library>> extra;
  for (const auto& m : macros) extra.push_back(read(m));
  const auto base = read(path);
  slot = macros.empty() ? base : lib::with_cells(*base, extra);
  return slot;
}

// Samples per workload: several, so that the figure is a steady state and
// not one sample's data.
constexpr int kSamples = 6;
constexpr std::uint64_t kSeed = 1;

}  // namespace

gate::PowerResult pe_gate_power(const std::string& netlist_json, const std::string& top, const std::string& liberty,
                                const std::vector<std::string>& macro_libs, const PeParams& p, PeKind kind,
                                PeWorkload w, double clock_ns) {
  try {
    const gate::Netlist n = gate::read_netlist(netlist_json, top, cached_liberty(liberty, macro_libs));
    gate::PowerResult r = gate::simulate_power(n, "clk_i", pe_stimulus(p, kind, w, kSamples, kSeed), clock_ns * 1e-9,
                                               gate::SimOptions{/*timed=*/true});
    if (!r.mismatches.empty()) {
      std::string list;
      for (const auto& m : r.mismatches) list += "\n    " + m;
      throw ToolError(fmt::format("gate-level simulation of {} ({}) differs from its golden twin ({} of {} output "
                                  "values checked):{}",
                                  top, to_string(w), r.mismatched, r.checked, list));
    }
    return r;
  } catch (const lib::LibertyError& e) {
    throw ToolError(fmt::format("gate-level power of {}: {}", top, e.what()));
  }
}

Activity measure_activity(const PeParams& p, PeKind kind) {
  // One training step of one neuron with a full scratchpad of trained-size
  // values, 8 back-propagated terms.
  std::mt19937_64 rng(1);
  auto small = [&] { return from_bits(rng(), std::max(1, p.fmt.frac_bits - 1)); };
  NeuronData d;
  for (int i = 0; i < p.depth; ++i) {
    d.w.push_back(small());
    d.x.push_back(small());
  }
  for (int i = 0; i < 8; ++i) {
    d.g_next.push_back(small());
    d.w_next.push_back(small());
  }
  std::vector<PeCycle> cyc = pe_load_schedule(p, d.w);
  const auto t = pe_train_schedule(p, d);
  cyc.insert(cyc.end(), t.begin(), t.end());
  const auto ports = pe_ports(p, kind);
  Pe pe(p);
  PeBase base(p);
  std::map<std::string, std::uint64_t> toggles;
  std::uint64_t reg_toggles = 0, reg_bits = 0;
  std::map<std::string, unsigned __int128> prev_in;
  PeOut prev_out;
  std::vector<Wide> prev_spad(static_cast<std::size_t>(p.depth), 0);
  auto flips = [](unsigned __int128 a, unsigned __int128 b) {
    int n = 0;
    for (unsigned __int128 x = a ^ b; x; x &= x - 1) ++n;
    return n;
  };
  for (const auto& c : cyc) {
    for (const auto& ps : ports) {
      if (!ps.input) continue;
      const Wide v = pe_input_value(ps.name, c);
      const auto bits = to_bits(v, ps.width);
      for (int b = 0; b < ps.width; ++b) {
        const std::string name = ps.width > 1 ? fmt::format("{}[{}]", ps.name, b) : ps.name;
        toggles[name] += ((bits ^ prev_in[ps.name]) >> b) & 1;
      }
      prev_in[ps.name] = bits;
    }
    if (kind == PeKind::kTaxonn) pe.step(c.ctrl, c.in);
    else base.step(c.ctrl, c.in);
    const PeOut o = kind == PeKind::kTaxonn ? pe.outputs(PeCtrl{}, PeIn{}) : base.outputs(PeCtrl{}, PeIn{});
    const int w = p.width(), aw = p.acc_width();
    reg_toggles += flips(to_bits(o.x_fwd, w), to_bits(prev_out.x_fwd, w)) + flips(to_bits(o.sum, w), to_bits(prev_out.sum, w)) +
                   flips(to_bits(o.acc, aw), to_bits(prev_out.acc, aw)) +
                   flips(static_cast<unsigned __int128>(o.sat_cnt), static_cast<unsigned __int128>(prev_out.sat_cnt));
    reg_bits += 3 * w + aw + p.sat_cnt_width;
    if (kind == PeKind::kTaxonn) {
      reg_toggles += flips(to_bits(o.g, w), to_bits(prev_out.g, w));
      reg_bits += w;
    }
    for (int i = 0; i < p.depth; ++i) {
      const Wide v = kind == PeKind::kTaxonn ? pe.spad(i) : base.spad(i);
      reg_toggles += flips(to_bits(v, w), to_bits(prev_spad[static_cast<std::size_t>(i)], w));
      prev_spad[static_cast<std::size_t>(i)] = v;
    }
    reg_bits += static_cast<std::uint64_t>(p.depth) * w;
    prev_out = o;
  }
  Activity a;
  double sum = 0;
  for (const auto& [name, n] : toggles) {
    a.input_bits[name] = static_cast<double>(n) / cyc.size();
    sum += a.input_bits[name];
  }
  a.inputs_mean = toggles.empty() ? 0 : sum / toggles.size();
  a.registers = reg_bits ? static_cast<double>(reg_toggles) / reg_bits : 0;
  return a;
}

}  // namespace taxonn
