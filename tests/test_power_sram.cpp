// The gate-level power model's SRAM macros (synth/power; docs/power.md,
// "SRAM macros"): a liberty `memory()` cell with buses, read and merged with
// a cell library; simulated with fakeram45's protocol (writes under a mask
// that leave the read register, reads a cycle late, no access without
// ce_in) against expected outputs, and its energies checked against a sum
// worked out by hand.
#include <gtest/gtest.h>

#include <fmt/format.h>

#include "liberty.hpp"
#include "netlist_json.hpp"
#include "power.hpp"

using namespace taxonn;
using namespace taxonn::test;

namespace {

// A buffer library (1 V, no wire load) and, apart, a 2-word x 2-bit macro
// with fakeram45's pins: clk 2 fF and 4 fJ per edge, ce_in / we_in /
// addr_in 1 fF and 0.5 fJ per transition, wd_in 1 fF and 1.0 fJ (0.2 while
// reading), w_mask_in 1 fF, rd_out registered (0.3 ns), 100 nW leakage.
// wd_in's type counts up ([0:1]), the others down.
const char* kBufLib = R"LIB(
library (bufs) {
  time_unit : "1ns"; leakage_power_unit : "1nW"; voltage_unit : "1V";
  capacitive_load_unit (1,ff); nom_voltage : 1.0;
  cell (BUF) {
    area : 1.0;
    pin (A) { direction : input; capacitance : 1.0; }
    pin (Y) { direction : output; function : "A"; }
  }
}
)LIB";

std::string ram_lib_text(const std::string& cell, double volt, const std::string& we = "we_in") {
  return fmt::format(R"LIB(
library ({0}) {{
  time_unit : "1ns"; leakage_power_unit : "1nW"; voltage_unit : "1V";
  capacitive_load_unit (1,ff); nom_voltage : {1};
  type (ADDR) {{ base_type : array; data_type : bit; bit_width : 1; bit_from : 0; bit_to : 0; downto : true; }}
  type (DATA) {{ base_type : array; data_type : bit; bit_width : 2; bit_from : 1; bit_to : 0; downto : true; }}
  type (DATA_UP) {{ base_type : array; data_type : bit; bit_width : 2; bit_from : 0; bit_to : 1; downto : false; }}
  cell ({0}) {{
    area : 50.0;
    memory () {{ type : ram; address_width : 1; word_width : 2; }}
    pin (clk) {{ direction : input; capacitance : 2.0; clock : true;
      internal_power () {{ rise_power (scalar) {{ values ("4.0"); }} fall_power (scalar) {{ values ("4.0"); }} }} }}
    bus (rd_out) {{ bus_type : DATA; direction : output;
      timing () {{ related_pin : "clk"; timing_type : rising_edge;
        cell_rise (scalar) {{ values ("0.3"); }} cell_fall (scalar) {{ values ("0.3"); }}
        rise_transition (scalar) {{ values ("0.1"); }} fall_transition (scalar) {{ values ("0.1"); }} }} }}
    pin ({2}) {{ direction : input; capacitance : 1.0;
      internal_power () {{ rise_power (scalar) {{ values ("0.5"); }} fall_power (scalar) {{ values ("0.5"); }} }} }}
    pin (ce_in) {{ direction : input; capacitance : 1.0;
      internal_power () {{ rise_power (scalar) {{ values ("0.5"); }} fall_power (scalar) {{ values ("0.5"); }} }} }}
    bus (addr_in) {{ bus_type : ADDR; direction : input; capacitance : 1.0;
      internal_power () {{ rise_power (scalar) {{ values ("0.5"); }} fall_power (scalar) {{ values ("0.5"); }} }} }}
    bus (wd_in) {{ bus_type : DATA_UP; direction : input; capacitance : 1.0;
      internal_power () {{ when : "{2}"; rise_power (scalar) {{ values ("1.0"); }} fall_power (scalar) {{ values ("1.0"); }} }}
      internal_power () {{ when : "!{2}"; rise_power (scalar) {{ values ("0.2"); }} fall_power (scalar) {{ values ("0.2"); }} }} }}
    bus (w_mask_in) {{ bus_type : DATA; direction : input; capacitance : 1.0; }}
    cell_leakage_power : 100;
  }}
}}
)LIB",
                     cell, volt, we);
}

std::shared_ptr<const lib::Library> read_text(const std::string& name, const std::string& text) {
  return lib::read_liberty(temp_file(name, text).string());
}

std::shared_ptr<const lib::Library> bufs_and_ram() {
  static const auto lib = lib::with_cells(*read_text("bufs.lib", kBufLib), {read_text("ram.lib", ram_lib_text("RAM2X2", 1.0))});
  return lib;
}

// clk(2) ce(3) we(4) addr(5) wd(6,7) mask(8,9) -> RAM2X2 -> rd(10,11)
std::string ram_netlist(const std::string& cell) {
  JsonModule m;
  m.port("clk", "input", {2});
  m.port("ce", "input", {3});
  m.port("we", "input", {4});
  m.port("addr", "input", {5});
  m.port("wd", "input", {6, 7});
  m.port("mask", "input", {8, 9});
  m.port("rd", "output", {10, 11});
  m.cell("u_ram", cell, {{"clk", 2}, {"ce_in", 3}, {"we_in", 4}, {"addr_in", 5}, {"wd_in", nlohmann::json({6, 7})},
                         {"w_mask_in", nlohmann::json({8, 9})}, {"rd_out", nlohmann::json({10, 11})}});
  return write_netlist(cell + ".json", {{"top", m}});
}

gate::StimCycle acc(int ce, int we, int addr, int wd, int mask, int rd, bool measured = true) {
  gate::StimCycle s;
  s.in = {{"ce", ce}, {"we", we}, {"addr", addr}, {"wd", wd}, {"mask", mask}};
  s.expect["rd"] = static_cast<std::uint64_t>(rd);
  s.measured = measured;
  s.what = "ram";
  return s;
}

// Word 0 written 01, word 1 10; a read of word 0; a write of 1x under mask
// 10 (word 0 becomes 11, rd_out keeps 01); a write of 00 to word 1 without
// ce_in (no access); reads of both words; a read without ce_in (rd_out
// keeps word 1).
std::vector<gate::StimCycle> ram_stimulus() {
  return {acc(1, 1, 0, 0b01, 0b11, 0b00, false), acc(1, 1, 1, 0b10, 0b11, 0b00), acc(1, 0, 0, 0b10, 0b11, 0b00),
          acc(1, 1, 0, 0b10, 0b10, 0b01),        acc(0, 1, 1, 0b00, 0b11, 0b01), acc(1, 0, 0, 0b00, 0b11, 0b01),
          acc(1, 0, 1, 0b01, 0b11, 0b11),        acc(0, 0, 0, 0b01, 0b11, 0b10), acc(0, 0, 0, 0b01, 0b11, 0b10)};
}

}  // namespace

TEST(SramLiberty, ReadsBusesAndTheMemoryPins) {
  const auto lib = bufs_and_ram();
  const lib::Cell& c = lib->cell("RAM2X2");
  ASSERT_TRUE(c.memory);
  EXPECT_TRUE(c.mem.unsupported.empty()) << c.mem.unsupported;
  EXPECT_EQ(c.mem.words, 2);
  EXPECT_EQ(c.mem.bits, 2);
  auto names = [&](const std::vector<int>& v) {
    std::vector<std::string> out;
    for (int p : v) out.push_back(c.pins[static_cast<std::size_t>(p)].name);
    return out;
  };
  // LSB first: bit_to, then toward bit_from.
  EXPECT_EQ(names(c.mem.rd), (std::vector<std::string>{"rd_out[0]", "rd_out[1]"}));
  EXPECT_EQ(names(c.mem.wd), (std::vector<std::string>{"wd_in[1]", "wd_in[0]"}));
  EXPECT_TRUE(c.pins[static_cast<std::size_t>(c.mem.rd[1])].output);
  EXPECT_DOUBLE_EQ(c.pins[static_cast<std::size_t>(c.mem.mask[0])].cap(), 1e-15);
  EXPECT_DOUBLE_EQ(c.leakage, 100e-9);
  EXPECT_TRUE(lib->cells.count("BUF"));
}

TEST(SramLiberty, MergingRefusesAClashOrASecondSupply) {
  const auto bufs = read_text("bufs.lib", kBufLib);
  const auto ram = read_text("ram.lib", ram_lib_text("RAM2X2", 1.0));
  EXPECT_THROW(lib::with_cells(*bufs, {ram, ram}), lib::LibertyError);
  try {
    lib::with_cells(*bufs, {read_text("ram_hv.lib", ram_lib_text("RAM2X2", 1.1))});
    FAIL() << "a second supply voltage was merged";
  } catch (const lib::LibertyError& e) {
    EXPECT_NE(std::string(e.what()).find("one supply"), std::string::npos) << e.what();
  }
}

TEST(SramPower, SimulatesTheProtocol) {
  const auto n = gate::read_netlist(ram_netlist("RAM2X2"), "top", bufs_and_ram());
  const gate::PowerResult r = gate::simulate_power(n, "clk", ram_stimulus(), 10e-9, {/*timed=*/true});
  EXPECT_EQ(r.checked, 9);
  EXPECT_TRUE(r.mismatches.empty()) << r.mismatches.front();
  // A read register a write would change, a mask not honoured, or an access
  // without ce_in each changes one of these expectations.
  auto wrong = ram_stimulus();
  wrong[3].expect["rd"] = 0b10;
  EXPECT_EQ(gate::simulate_power(n, "clk", wrong, 10e-9).mismatched, 1);
}

TEST(SramPower, EnergiesMatchAHandSum) {
  const auto n = gate::read_netlist(ram_netlist("RAM2X2"), "top", bufs_and_ram());
  const gate::PowerResult r = gate::simulate_power(n, "clk", ram_stimulus(), 10e-9, {/*timed=*/true});
  ASSERT_EQ(r.cycles, 8);
  const double t = 80e-9;
  // Switching (1/2 C V^2): 18 input-net transitions of 1 fF (9 fJ), rd_out's
  // three of 2 fF (the port's load; 3 fJ), the clock's 2 fF charged every
  // cycle (16 fJ).
  EXPECT_NEAR(r.switching_w, 28e-15 / t, 1e-12);
  EXPECT_NEAR(r.clock_net_w, 16e-15 / t, 1e-12);
  // Internal: clk 8 x 8 fJ; ce_in 3, we_in 3 and addr_in 6 transitions of
  // 0.5; wd_in three with we_in high (1.0) and one with it low (0.2).
  EXPECT_NEAR(r.clock_internal_w, 64e-15 / t, 1e-12);
  EXPECT_NEAR(r.internal_w, (64 + 1.5 + 1.5 + 3.0 + 3.2) * 1e-15 / t, 1e-12);
  EXPECT_NEAR(r.leakage_w, 100e-9, 1e-15);
  EXPECT_EQ(r.flop_w, 0.0);
  // The read register changes at its clk-to-rd_out delay, with nothing
  // behind it to glitch: the timed figure is the zero-delay one.
  EXPECT_EQ(r.timed_transitions, r.transitions);
  EXPECT_NEAR(r.timed_total_w(), r.total_w(), 1e-12);
}

TEST(SramPower, RefusesMacrosItDoesNotModel) {
  // A write enable named wr_en: not fakeram45's protocol.
  const auto lib = lib::with_cells(*read_text("bufs.lib", kBufLib), {read_text("ram_nowe.lib", ram_lib_text("RAM2X2", 1.0, "wr_en"))});
  try {
    gate::read_netlist(ram_netlist("RAM2X2"), "top", lib);
    FAIL() << "a macro without we_in was simulated";
  } catch (const lib::LibertyError& e) {
    EXPECT_NE(std::string(e.what()).find("we_in"), std::string::npos) << e.what();
  }
  // A macro clocked by a data input: the simulation clocks memories by the
  // clock port only.
  {
    JsonModule d;
    d.port("clk", "input", {2});
    d.port("ck2", "input", {3});
    d.port("rd", "output", {10, 11});
    d.cell("u_ram", "RAM2X2", {{"clk", 3}, {"rd_out", nlohmann::json({10, 11})}});
    const auto n = gate::read_netlist(write_netlist("ram_dclk.json", {{"top", d}}), "top", bufs_and_ram());
    try {
      gate::simulate_power(n, "clk", {gate::StimCycle{}}, 10e-9);
      FAIL() << "a macro off the clock port was simulated";
    } catch (const lib::LibertyError& e) {
      EXPECT_NE(std::string(e.what()).find("not clocked by the clock port"), std::string::npos) << e.what();
    }
  }
  // A bus connected with the wrong width.
  JsonModule m;
  m.port("clk", "input", {2});
  m.port("rd", "output", {10, 11, 12});
  m.cell("u_ram", "RAM2X2", {{"clk", 2}, {"rd_out", nlohmann::json({10, 11, 12})}});
  EXPECT_THROW(gate::read_netlist(write_netlist("ram_wide.json", {{"top", m}}), "top", bufs_and_ram()), lib::LibertyError);
}
