// The gate-level power model (synth/liberty, synth/power; docs/power.md):
// liberty expressions, tables and parsing; simulation of a netlist against
// expected outputs; energies priced event by event, checked against sums
// worked out by hand on a small library; hierarchical netlists; random
// netlists against a direct evaluation.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <random>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "liberty.hpp"
#include "netlist_json.hpp"
#include "power.hpp"

namespace fs = std::filesystem;
using namespace taxonn;
using namespace taxonn::test;

namespace {

// A small library with round numbers (V = 1, so 1/2 C V^2 = C / 2):
// INV (state-dependent leakage, a 2-D internal-power table, 0.1 ns delay),
// NAND2 (0.2 ns), and DFFR (clear, clock-pin power, D-pin power under
// `when`, clock-to-Q power; no delay).
const char* kTinyLib = R"LIB(
/* a comment */
library (tiny) {
  time_unit : "1ns";
  leakage_power_unit : "1nW";
  voltage_unit : "1V";
  capacitive_load_unit (1,ff);
  nom_voltage : 1.0;
  default_wire_load : "wl";
  wire_load ("wl") {
    capacitance : 0.5;
    slope : 1.0;
    fanout_length (1, 2.0);
    fanout_length (3, 4.0);
  }
  power_lut_template (p_in) { variable_1 : input_transition_time; index_1 ("0.0, 1.0"); }
  power_lut_template (p_out) {
    variable_1 : input_transition_time;
    variable_2 : total_output_net_capacitance;
    index_1 ("0.0, 1.0");
    index_2 ("0.0, 10.0");
  }
  lu_table_template (t_out) {
    variable_1 : input_net_transition;
    variable_2 : total_output_net_capacitance;
    index_1 ("0.0, 1.0");
    index_2 ("0.0, 10.0");
  }
  cell (INV) {
    area : 1.0;
    cell_leakage_power : 10;
    leakage_power () { when : "A"; value : 12; }
    leakage_power () { when : "!A"; value : 8; }
    pin (A) { direction : input; capacitance : 1.0; }
    pin (Y) {
      direction : output;
      function : "!A";
      timing () {
        related_pin : "A";
        rise_transition (t_out) { values ("0.1, 1.1", \
                                          "0.2, 1.2"); }
        fall_transition (t_out) { values ("0.1, 1.1", "0.2, 1.2"); }
        cell_rise (scalar) { values ("0.1"); }
        cell_fall (scalar) { values ("0.1"); }
      }
      internal_power () {
        related_pin : "A";
        rise_power (p_out) { values ("1.0, 2.0", "3.0, 4.0"); }
        fall_power (p_out) { values ("0.5, 0.5", "0.5, 0.5"); }
      }
    }
  }
  cell (NAND2) {
    area : 2.0;
    cell_leakage_power : 5;
    pin (A) { direction : input; capacitance : 1.0; }
    pin (B) { direction : input; capacitance : 1.0; }
    pin (Y) {
      direction : output;
      function : "!(A B)";
      timing () { related_pin : "A"; cell_rise (scalar) { values ("0.2"); } cell_fall (scalar) { values ("0.2"); } }
      timing () { related_pin : "B"; cell_rise (scalar) { values ("0.2"); } cell_fall (scalar) { values ("0.2"); } }
    }
  }
  cell (DFFR) {
    area : 5.0;
    cell_leakage_power : 20;
    ff (IQ, IQN) { next_state : "D"; clocked_on : "CK"; clear : "!RN"; }
    pin (D) {
      direction : input;
      capacitance : 1.0;
      internal_power () {
        when : "Q";
        rise_power (p_in) { values ("1.0, 2.0"); }
        fall_power (p_in) { values ("0.5, 1.5"); }
      }
    }
    pin (CK) {
      direction : input;
      clock : true;
      capacitance : 2.0;
      internal_power () {
        rise_power (p_in) { values ("3.0, 3.0"); }
        fall_power (p_in) { values ("1.0, 1.0"); }
      }
    }
    pin (RN) { direction : input; capacitance : 1.0; }
    pin (Q) {
      direction : output;
      function : "IQ";
      internal_power () {
        related_pin : "CK";
        rise_power (scalar) { values ("2.0"); }
        fall_power (scalar) { values ("2.0"); }
      }
    }
  }
}
)LIB";

// A clock-gating cell (the tiny library's last): CK's energy depends on E,
// the gated clock's arcs from CK are 1 + 1 fJ open, 0.3 fJ closed.
const char* kTinyIcg = R"LIB(
  cell (ICG) {
    area : 3.0;
    cell_leakage_power : 4;
    clock_gating_integrated_cell : latch_posedge;
    statetable ("CK E", "IQ") {
      table : "L L : - : L ,\
               L H : - : H ,\
               H - : - : N ";
    }
    pin (IQ) { direction : internal; internal_node : IQ; }
    pin (CK) {
      direction : input;
      clock_gate_clock_pin : true;
      capacitance : 1.0;
      internal_power () { when : "!E & !GCK"; rise_power (p_in) { values ("0.4, 0.4"); } fall_power (p_in) { values ("0.2, 0.2"); } }
      internal_power () { when : "E & !GCK"; rise_power (p_in) { values ("0.0, 0.0"); } fall_power (p_in) { values ("0.2, 0.2"); } }
    }
    pin (E) { direction : input; clock_gate_enable_pin : true; capacitance : 1.0; }
    pin (GCK) {
      direction : output;
      clock_gate_out_pin : true;
      state_function : "(CK & IQ)";
      timing () { related_pin : "CK"; cell_rise (scalar) { values ("0.05"); } cell_fall (scalar) { values ("0.05"); } }
      internal_power () { related_pin : "CK"; when : "E"; rise_power (scalar) { values ("1.0"); } fall_power (scalar) { values ("1.0"); } }
      internal_power () { related_pin : "CK"; when : "!E"; rise_power (scalar) { values ("0.0"); } fall_power (scalar) { values ("0.3"); } }
    }
  }
)LIB";

std::shared_ptr<const lib::Library> tiny_lib() {
  static const auto lib = [] {
    std::string text = kTinyLib;
    text.insert(text.rfind('}'), kTinyIcg);
    return lib::read_liberty(temp_file("tiny.lib", text).string());
  }();
  return lib;
}

// clk(2) rn(3) a(4) -> INV -> n1(6) -> DFFR -> q(5)
std::string inv_ff_netlist() {
  JsonModule m;
  m.port("clk", "input", {2});
  m.port("rn", "input", {3});
  m.port("a", "input", {4});
  m.port("q", "output", {5});
  m.cell("u_inv", "INV", {{"A", 4}, {"Y", 6}});
  m.cell("u_ff", "DFFR", {{"D", 6}, {"CK", 2}, {"RN", 3}, {"Q", 5}});
  return write_netlist("inv_ff.json", {{"top", m}});
}

// y = NAND(a, a through `stages` inverters): 1 at rest whatever a is (for
// an odd count), but when a rises the NAND sees a = 1 and the chain's old 1
// for stages x 0.1 ns: a static hazard, zero-delay blind to it.
std::string hazard_netlist(int stages) {
  JsonModule m;
  m.port("clk", "input", {2});
  m.port("a", "input", {3});
  m.port("y", "output", {4});
  int prev = 3;
  for (int k = 0; k < stages; ++k) {
    m.cell(fmt::format("u_inv{}", k), "INV", {{"A", prev}, {"Y", 10 + k}});
    prev = 10 + k;
  }
  m.cell("u_nand", "NAND2", {{"A", 3}, {"B", prev}, {"Y", 4}});
  return write_netlist(fmt::format("hazard{}.json", stages), {{"top", m}});
}

// clk(2) -> ICG (E = en(3)) -> gclk(6) -> DFFR (D = a(4), RN = 1) -> q(5)
std::string gated_ff_netlist() {
  JsonModule m;
  m.port("clk", "input", {2});
  m.port("en", "input", {3});
  m.port("a", "input", {4});
  m.port("q", "output", {5});
  m.cell("u_icg", "ICG", {{"CK", 2}, {"E", 3}, {"GCK", 6}});
  m.cell("u_ff", "DFFR", {{"D", 4}, {"CK", 6}, {"RN", "1"}, {"Q", 5}});
  return write_netlist("gated_ff.json", {{"top", m}});
}

gate::StimCycle gcyc(std::uint64_t en, std::uint64_t a, std::uint64_t q, bool measured = true) {
  gate::StimCycle s;
  s.in = {{"en", en}, {"a", a}};
  s.expect["q"] = q;
  s.measured = measured;
  s.what = "g";
  return s;
}

gate::StimCycle cyc(std::uint64_t rn, std::uint64_t a, std::optional<std::uint64_t> q, bool measured = true) {
  gate::StimCycle s;
  s.in = {{"rn", rn}, {"a", a}};
  if (q) s.expect["q"] = *q;
  s.measured = measured;
  s.what = "t";
  return s;
}

}  // namespace

TEST(LibertyExpr, PrecedenceAndForms) {
  const std::map<std::string, int> pins = {{"A", 0}, {"B", 1}, {"C", 2}};
  for (int v = 0; v < 8; ++v) {
    const std::vector<char> st = {static_cast<char>(v & 1), static_cast<char>(v >> 1 & 1), static_cast<char>(v >> 2 & 1)};
    const bool a = st[0], b = st[1], c = st[2];
    EXPECT_EQ(lib::Expr::parse("A+B&C", pins).eval(st), a || (b && c)) << v;
    EXPECT_EQ(lib::Expr::parse("A | B * C", pins).eval(st), a || (b && c)) << v;
    EXPECT_EQ(lib::Expr::parse("A B'", pins).eval(st), a && !b) << v;
    EXPECT_EQ(lib::Expr::parse("!(A^B) C", pins).eval(st), !(a != b) && c) << v;
    EXPECT_EQ(lib::Expr::parse("A^B&C", pins).eval(st), (a != b) && c) << v;  // xor binds tighter than and
    EXPECT_EQ(lib::Expr::parse("(A+B)'", pins).eval(st), !(a || b)) << v;
    EXPECT_EQ(lib::Expr::parse("!A & 1 | 0", pins).eval(st), !a) << v;
  }
  EXPECT_EQ(lib::Expr::parse("!(A B) + C", pins).inputs(), (std::vector<int>{0, 1, 2}));
  EXPECT_THROW(lib::Expr::parse("A &", pins), lib::LibertyError);
  EXPECT_THROW(lib::Expr::parse("A & D", pins), lib::LibertyError);
  EXPECT_THROW(lib::Expr::parse("(A B", pins), lib::LibertyError);
}

TEST(LibertyTable, InterpolatesAndExtrapolates) {
  lib::Table t;
  t.var1 = lib::Table::Var::kSlew;
  t.var2 = lib::Table::Var::kLoad;
  t.index1 = {0, 1, 3};
  t.index2 = {0, 10};
  t.values = {0, 10, 1, 11, 5, 15};  // f(slew) + load, f = 0, 1, 5 at slew 0, 1, 3
  EXPECT_DOUBLE_EQ(t.lookup(0, 0), 0);
  EXPECT_DOUBLE_EQ(t.lookup(0.5, 5), 5.5);
  EXPECT_DOUBLE_EQ(t.lookup(2, 10), 13);
  EXPECT_DOUBLE_EQ(t.lookup(4, 0), 7);     // past the last slew: the last segment's slope
  EXPECT_DOUBLE_EQ(t.lookup(-1, 20), 19);  // before the first, and past the last load
  lib::Table one;
  one.values = {2.5};
  EXPECT_DOUBLE_EQ(one.lookup(7, 7), 2.5);
}

TEST(Liberty, ReadsUnitsCellsAndTables) {
  const auto lib = tiny_lib();
  EXPECT_EQ(lib->name, "tiny");
  EXPECT_DOUBLE_EQ(lib->voltage, 1.0);
  ASSERT_TRUE(lib->has_wire_load);
  EXPECT_NEAR(lib->wire_load.cap(1), 1e-15, 1e-27);
  EXPECT_NEAR(lib->wire_load.cap(2), 1.5e-15, 1e-27);  // interpolated
  EXPECT_NEAR(lib->wire_load.cap(5), 3e-15, 1e-27);    // the slope past the last entry
  const lib::Cell& inv = lib->cell("INV");
  EXPECT_DOUBLE_EQ(inv.area, 1.0);
  EXPECT_NEAR(inv.leakage, 10e-9, 1e-21);
  ASSERT_EQ(inv.leakage_when.size(), 2u);
  const lib::Pin& y = inv.pins[static_cast<std::size_t>(inv.find_pin("Y"))];
  ASSERT_EQ(y.power.size(), 1u);
  EXPECT_NEAR(y.power[0].rise.lookup(0, 2e-15), 1.2e-15, 1e-27);  // fJ, at 0 ns and 2 fF
  EXPECT_NEAR(y.timing[0].rise_transition.lookup(0.5e-9, 5e-15), 0.65e-9, 1e-18);
  EXPECT_NEAR(inv.pins[static_cast<std::size_t>(inv.find_pin("A"))].cap(), 1e-15, 1e-27);
  const lib::Cell& ff = lib->cell("DFFR");
  EXPECT_TRUE(ff.has_ff);
  EXPECT_FALSE(ff.ff.clear.empty());
  EXPECT_THROW(lib->cell("NOR9"), lib::LibertyError);
}

TEST(Liberty, MalformedFilesNameTheLine) {
  const auto bad = temp_file("bad.lib", "library (x) {\n  time_unit : \"1ns\";\n  cell (A) {\n    area : 1;\n");
  try {
    lib::read_liberty(bad.string());
    FAIL() << "an unclosed group was accepted";
  } catch (const lib::LibertyError& e) {
    EXPECT_NE(std::string(e.what()).find("is not closed"), std::string::npos) << e.what();
  }
  const auto badnum = temp_file("badnum.lib", "library (x) {\n nom_voltage : 1;\n cell (A) {\n area : big;\n }\n}\n");
  try {
    lib::read_liberty(badnum.string());
    FAIL() << "a non-number area was accepted";
  } catch (const lib::LibertyError& e) {
    EXPECT_NE(std::string(e.what()).find(":4:"), std::string::npos) << e.what();
  }
  EXPECT_THROW(lib::read_liberty("/nonexistent/x.lib"), lib::LibertyError);
  EXPECT_THROW(lib::read_liberty(temp_file("notlib.lib", "cell (A) { }").string()), lib::LibertyError);
}

// Every energy of four measured cycles, worked out by hand (V = 1, 10 ns).
// Nets: a (INV.A 1 fF + wire 1 fF), n1 (DFFR.D 1 + wire 1), q (port 2 + wire
// 1), rn (RN 1 + wire 1); n1's slew is INV's transition at 2 fF: 0.3 ns.
TEST(GatePower, EnergiesMatchAHandSum) {
  const auto n = gate::read_netlist(inv_ff_netlist(), "top", tiny_lib());
  // a:     0   0   1   1   0      (c0 resets, unmeasured)
  // q:     0   0   1   0   0
  const std::vector<gate::StimCycle> stim = {cyc(0, 0, 0, false), cyc(1, 0, 0), cyc(1, 1, 1), cyc(1, 1, 0), cyc(1, 0, 0)};
  const gate::PowerResult r = gate::simulate_power(n, "clk", stim, 10e-9);
  EXPECT_TRUE(r.mismatches.empty()) << r.mismatches.front();
  EXPECT_EQ(r.checked, 5);
  EXPECT_EQ(r.cycles, 4);
  // Switching: rn 1 x 1 fJ, a 2 x 1, n1 2 x 1, q 2 x 1.5 = 8 fJ; the clock
  // net (CK 2 fF + wire 1 fF) rises and falls every cycle: 4 x 3 fJ.
  const double t = 40e-9;
  EXPECT_NEAR(r.clock_net_w, 12e-15 / t, 1e-12);
  EXPECT_NEAR(r.switching_w, 20e-15 / t, 1e-12);
  // Internal: clock 4 x (3 + 1); Q 2 x 2; D falls once while Q = 1
  // (0.5 + 0.3 = 0.8; its rise comes with Q = 0); INV: fall 0.5, rise at 0 ns
  // and 2 fF 1.2.
  EXPECT_NEAR(r.clock_internal_w, 16e-15 / t, 1e-12);
  EXPECT_NEAR(r.internal_w, (16 + 4 + 0.8 + 1.7) * 1e-15 / t, 1e-12);
  // Leakage: INV 8, 12, 12, 8 nW by its input; DFFR 20 nW.
  EXPECT_NEAR(r.leakage_w, 30e-9, 1e-15);
  EXPECT_NEAR(r.total_w(), r.internal_w + r.switching_w + r.leakage_w, 1e-18);
  // The flip-flop: its clock, D and Q pins, q's switching, its leakage.
  EXPECT_NEAR(r.flop_w, (16 + 4 + 0.8 + 3) * 1e-15 / t + 20e-9, 1e-12);
}

TEST(GatePower, MismatchNamesCyclePortAndValues) {
  const auto n = gate::read_netlist(inv_ff_netlist(), "top", tiny_lib());
  const std::vector<gate::StimCycle> stim = {cyc(0, 0, 0, false), cyc(1, 0, 0), cyc(1, 1, 0)};
  const gate::PowerResult r = gate::simulate_power(n, "clk", stim, 10e-9);
  ASSERT_EQ(r.mismatched, 1);
  EXPECT_NE(r.mismatches[0].find("cycle 2"), std::string::npos) << r.mismatches[0];
  EXPECT_NE(r.mismatches[0].find("q = 0x1, expected 0x0"), std::string::npos) << r.mismatches[0];
}

TEST(GatePower, ClearHoldsTheFlipFlop) {
  const auto n = gate::read_netlist(inv_ff_netlist(), "top", tiny_lib());
  // With rn = 0 the clock does not load D (= 1): q stays 0.
  const std::vector<gate::StimCycle> stim = {cyc(0, 0, 0), cyc(0, 0, 0), cyc(0, 1, 0), cyc(1, 0, 0), cyc(1, 0, 1)};
  const gate::PowerResult r = gate::simulate_power(n, "clk", stim, 10e-9);
  EXPECT_EQ(r.mismatched, 0) << (r.mismatches.empty() ? "" : r.mismatches.front());
}

// A submodule wires a port through (o = i) and ties another to 1: both
// reach the top's nets.
TEST(GatePower, FlattensHierarchyWithWiresAndConstants) {
  JsonModule sub;
  sub.port("i", "input", {2});
  sub.ports["o"] = {{"direction", "output"}, {"bits", {2}}};
  sub.ports["one"] = {{"direction", "output"}, {"bits", {"1"}}};
  sub.port("inv", "output", {3});
  sub.cell("g", "INV", {{"A", 2}, {"Y", 3}});
  JsonModule top;
  top.port("clk", "input", {2});
  top.port("a", "input", {3});
  top.port("y", "output", {4});
  top.port("k", "output", {5});
  top.port("z", "output", {6});
  top.cell("u_sub", "sub", {{"i", nlohmann::json::array({3})}, {"o", nlohmann::json::array({7})},
                            {"one", nlohmann::json::array({5})}, {"inv", nlohmann::json::array({6})}});
  top.cell("u_buf", "INV", {{"A", 7}, {"Y", 8}});
  top.cell("u_buf2", "INV", {{"A", 8}, {"Y", 4}});
  const auto n = gate::read_netlist(write_netlist("hier.json", {{"top", top}, {"sub", sub}}), "top", tiny_lib());
  EXPECT_EQ(n.insts.size(), 3u);
  EXPECT_EQ(n.instance_module.at("u_sub"), "sub");
  std::vector<gate::StimCycle> stim;
  for (std::uint64_t a : {0, 1, 1, 0}) {
    gate::StimCycle s;
    s.in["a"] = a;
    s.expect = {{"y", a}, {"k", 1}, {"z", !a}};
    stim.push_back(s);
  }
  const gate::PowerResult r = gate::simulate_power(n, "clk", stim, 10e-9);
  EXPECT_EQ(r.mismatched, 0) << (r.mismatches.empty() ? "" : r.mismatches.front());
  EXPECT_GT(r.by_instance_w.at({"u_sub", false}), 0);
}

// Seeded random netlists of NAND2 and INV gates, simulated, against the
// same DAG evaluated directly.
TEST(GatePower, RandomNetlistsMatchDirectEvaluation) {
  int glitchy = 0;
  for (std::uint64_t seed : {1u, 2u, 3u}) {
    std::mt19937_64 rng(seed);
    SCOPED_TRACE(fmt::format("seed {}", seed));
    constexpr int kInputs = 6, kGates = 60;
    JsonModule m;
    m.port("clk", "input", {2});
    std::vector<int> in_bits;
    for (int i = 0; i < kInputs; ++i) in_bits.push_back(3 + i);
    m.port("x", "input", in_bits);
    struct G {
      bool nand;
      int a, b;
    };
    std::vector<G> gates;
    int next = 3 + kInputs;
    std::vector<int> nets = in_bits;
    for (int g = 0; g < kGates; ++g) {
      G x{rng() % 2 == 0, nets[rng() % nets.size()], nets[rng() % nets.size()]};
      gates.push_back(x);
      if (x.nand) m.cell(fmt::format("g{}", g), "NAND2", {{"A", x.a}, {"B", x.b}, {"Y", next}});
      else m.cell(fmt::format("g{}", g), "INV", {{"A", x.a}, {"Y", next}});
      nets.push_back(next++);
    }
    std::vector<int> outs(nets.end() - 8, nets.end());
    m.port("y", "output", outs);
    const auto n = gate::read_netlist(write_netlist(fmt::format("rand{}.json", seed), {{"top", m}}), "top", tiny_lib());
    std::vector<gate::StimCycle> stim;
    for (int c = 0; c < 50; ++c) {
      const std::uint64_t x = rng() % (1u << kInputs);
      std::map<int, bool> v;
      for (int i = 0; i < kInputs; ++i) v[in_bits[static_cast<std::size_t>(i)]] = (x >> i) & 1;
      for (int g = 0; g < kGates; ++g) {
        const G& gg = gates[static_cast<std::size_t>(g)];
        v[3 + kInputs + g] = gg.nand ? !(v[gg.a] && v[gg.b]) : !v[gg.a];
      }
      std::uint64_t y = 0;
      for (std::size_t k = 0; k < outs.size(); ++k) y |= static_cast<std::uint64_t>(v[outs[k]]) << k;
      gate::StimCycle s;
      s.in["x"] = x;
      s.expect["y"] = y;
      stim.push_back(s);
    }
    // Timed too: every cycle must settle where zero delay does (simulate_power
    // throws otherwise); a glitch is a pair of transitions, and these
    // reconvergent netlists have some.
    const gate::PowerResult r = gate::simulate_power(n, "clk", stim, 5e-9, gate::SimOptions{true});
    EXPECT_EQ(r.mismatched, 0) << (r.mismatches.empty() ? "" : r.mismatches.front());
    EXPECT_EQ(r.checked, 50);
    EXPECT_GT(r.switching_w, 0);
    EXPECT_GE(r.timed_transitions, r.transitions);
    EXPECT_EQ((r.timed_transitions - r.transitions) % 2, 0);
    glitchy += r.timed_transitions > r.transitions;
    EXPECT_GE(r.timed_switching_w, r.switching_w);
  }
  EXPECT_GT(glitchy, 0);
}

TEST(GatePower, RefusesUnknownCellsAndLoops) {
  JsonModule m;
  m.port("clk", "input", {2});
  m.cell("g", "NOR9", {{"A", 2}});
  EXPECT_THROW(gate::read_netlist(write_netlist("unknown.json", {{"top", m}}), "top", tiny_lib()), lib::LibertyError);
  JsonModule loop;
  loop.port("clk", "input", {2});
  loop.cell("g1", "INV", {{"A", 3}, {"Y", 4}});
  loop.cell("g2", "INV", {{"A", 4}, {"Y", 3}});
  const auto n = gate::read_netlist(write_netlist("loop.json", {{"top", loop}}), "top", tiny_lib());
  EXPECT_THROW(gate::simulate_power(n, "clk", {}, 1e-9), lib::LibertyError);
  EXPECT_THROW(gate::read_netlist(write_netlist("loop.json", {{"top", loop}}), "nosuch", tiny_lib()), lib::LibertyError);
}

// Without reconvergent paths the timed simulation sees what zero delay sees:
// the same transitions and, since every cell here has one input switching
// at a time, the same energies.
TEST(GatePower, TimedAgreesWithZeroDelayWithoutGlitches) {
  const auto n = gate::read_netlist(inv_ff_netlist(), "top", tiny_lib());
  const std::vector<gate::StimCycle> stim = {cyc(0, 0, 0, false), cyc(1, 0, 0), cyc(1, 1, 1), cyc(1, 1, 0), cyc(1, 0, 0)};
  const gate::PowerResult r = gate::simulate_power(n, "clk", stim, 10e-9, gate::SimOptions{true});
  ASSERT_TRUE(r.timed);
  EXPECT_EQ(r.transitions, 7);  // rn 1, a 2, n1 2, q 2
  EXPECT_EQ(r.timed_transitions, r.transitions);
  EXPECT_NEAR(r.timed_switching_w, r.switching_w, 1e-12);
  EXPECT_NEAR(r.timed_internal_w, r.internal_w, 1e-12);
  EXPECT_NEAR(r.timed_total_w(), r.total_w(), 1e-12);
  const gate::PowerResult z = gate::simulate_power(n, "clk", stim, 10e-9);
  EXPECT_FALSE(z.timed);
  EXPECT_EQ(z.timed_transitions, 0);
}

// The hazard: each rise of a makes y fall at 0.2 ns and rise again at the
// chain's delay + 0.2 ns, two transitions of y (port 2 fF + wire 1 fF:
// 2 x 1.5 fJ) that zero delay never sees; a chain of one inverter makes a
// 0.1 ns pulse, shorter than the NAND's 0.2 ns, and the NAND filters it
// (inertial delay). a falling makes no glitch.
TEST(GatePower, TimedCountsAStaticHazardAndFiltersShortPulses) {
  gate::StimCycle lo, hi;
  lo.in = {{"a", 0}};
  lo.expect = {{"y", 1}};
  hi.in = {{"a", 1}};
  hi.expect = {{"y", 1}};
  lo.what = hi.what = "hazard";
  std::vector<gate::StimCycle> stim = {lo};
  for (int k = 0; k < 4; ++k) {
    stim.push_back(hi);
    stim.push_back(lo);
  }
  for (int stages : {3, 1}) {
    const auto n = gate::read_netlist(hazard_netlist(stages), "top", tiny_lib());
    const gate::PowerResult r = gate::simulate_power(n, "clk", stim, 10e-9, gate::SimOptions{true});
    EXPECT_EQ(r.mismatched, 0) << stages;
    EXPECT_EQ(r.cycles, 8);
    // Zero delay: a and every inverter output, once per cycle.
    EXPECT_EQ(r.transitions, 8 * (1 + stages)) << stages;
    const int glitches = stages == 3 ? 4 * 2 : 0;
    EXPECT_EQ(r.timed_transitions, r.transitions + glitches) << stages;
    EXPECT_NEAR(r.timed_switching_w - r.switching_w, glitches * 1.5e-15 / 80e-9, 1e-12) << stages;
  }
}

// Clock gating: the flip-flop loads only at the edge of a cycle whose enable
// settled at 1, and only then do its clock pin and the gated net pulse; the
// gate's own clock pin and its closed-gate energy are paid every cycle.
TEST(GatePower, ClockGateLoadsOnlyWhenOpenAndPricesThePulses) {
  EXPECT_TRUE(tiny_lib()->cell("ICG").is_icg());
  const auto n = gate::read_netlist(gated_ff_netlist(), "top", tiny_lib());
  // en:    1   0   1   0   0      (c0 unmeasured; its open gate loads a = 0)
  // a:     0   1   1   0   0
  // q:     0   0   0   1   1      (c1's closed gate ignores a = 1; c3's holds q)
  const std::vector<gate::StimCycle> stim = {gcyc(1, 0, 0, false), gcyc(0, 1, 0), gcyc(1, 1, 0), gcyc(0, 0, 1),
                                             gcyc(0, 0, 1)};
  for (bool timed : {false, true}) {
    const gate::PowerResult r = gate::simulate_power(n, "clk", stim, 10e-9, gate::SimOptions{timed});
    ASSERT_EQ(r.mismatched, 0) << r.mismatches.front();
    EXPECT_EQ(r.cycles, 4);
    const double t = 40e-9;
    // Clock nets: clk (ICG CK 1 fF + wire 1 fF) 4 x 2 fJ; gclk (CK 2 fF +
    // wire 1 fF) pulses once: 3 fJ.
    EXPECT_NEAR(r.clock_net_w, 11e-15 / t, 1e-12);
    // Switching: en 3 x 1 fJ, a 2 x 1, q 1 x 1.5 (port 2 fF + wire 1 fF).
    EXPECT_NEAR(r.switching_w, (11 + 3 + 2 + 1.5) * 1e-15 / t, 1e-12);
    // Clock internal: the ICG's CK 0.6 closed, 0.2 open (2.0); its GCK 0.3
    // closed, 2 open (2.9); the flip-flop's CK once, 3 + 1.
    EXPECT_NEAR(r.clock_internal_w, 8.9e-15 / t, 1e-12);
    // Plus D's fall while Q = 1 (0.5) and Q's rise (2).
    EXPECT_NEAR(r.internal_w, 11.4e-15 / t, 1e-12);
    EXPECT_NEAR(r.leakage_w, 24e-9, 1e-15);
    EXPECT_NEAR(r.flop_w, 8e-15 / t + 20e-9, 1e-12);
    if (timed) {
      // No glitches, and the same events but one: a falls at the edge while
      // Q is still 0 (it rises after the gate's 0.05 ns), so D's `when Q`
      // fall energy (0.5 fJ) is not charged.
      EXPECT_EQ(r.timed_transitions, r.transitions);
      EXPECT_NEAR(r.timed_total_w(), r.total_w() - 0.5e-15 / t, 1e-12);
    }
  }
}

TEST(GatePower, RefusesGatedClocksItDoesNotModel) {
  // A gate clocked by a data input; a gated clock read as data.
  const std::vector<std::tuple<int, std::string, std::string>> cases = {
      {3, "CK", "u_icg is not clocked by the clock port"}, {2, "D", "which is not a flip-flop's clock"}};
  for (const auto& [icg_clock, gclk_pin, why] : cases) {
    JsonModule m;
    m.port("clk", "input", {2});
    m.port("en", "input", {3});
    m.port("q", "output", {5});
    m.cell("u_icg", "ICG", {{"CK", icg_clock}, {"E", 3}, {"GCK", 6}});
    m.cell("u_ff", "DFFR", {{"D", gclk_pin == "D" ? 6 : 3}, {"CK", gclk_pin == "CK" ? 6 : 2}, {"RN", "1"}, {"Q", 5}});
    const auto n = gate::read_netlist(write_netlist("gate_bad.json", {{"top", m}}), "top", tiny_lib());
    try {
      gate::simulate_power(n, "clk", {gcyc(0, 0, 0)}, 10e-9);
      ADD_FAILURE() << "simulated: " << why;
    } catch (const lib::LibertyError& e) {
      EXPECT_NE(std::string(e.what()).find(why), std::string::npos) << e.what();
    }
  }
}
