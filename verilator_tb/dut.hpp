// The testbenches' view of a Verilated model, as interfaces: a harness with
// two flat buses (tb_prim, tb_pe) or a network top behind its host interface
// (tb_net, docs/network.md). The testbench code is compiled once into
// libraries that every model links; only the glue (dut_glue.hpp, a few lines
// per model) sees the Verilated class. That is what lets `taxonn sim` build a
// new config's testbench by verilating its RTL and linking, with no
// testbench source compiled again.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "bitvec.hpp"

namespace taxonn::tb {

// Waveforms of the model (docs/sim.md, "Waveforms"): an FST file written by
// Verilator's own tracer. Only a model verilated with --trace-fst has them
// (`taxonn sim --trace` builds one; the glue then overrides these); the
// testbench code decides what is dumped when (trace.hpp).
class Traceable {
 public:
  virtual ~Traceable() = default;
  virtual bool can_trace() const { return false; }
  // Opens `path` (a new FST file) with every signal of the model; false when
  // the file cannot be created.
  virtual bool trace_open(const std::string& /*path*/) { return false; }
  // The model's state as of now, at time `t_ns` (increasing).
  virtual void trace_dump(std::uint64_t /*t_ns*/) {}
  virtual void trace_close() {}
};

// A harness: clk_i, rst_ni, in_i (every case's inputs packed), out_o.
class FlatDut : public Traceable {
 public:
  virtual void set_clk(bool v) = 0;
  virtual void set_rst_n(bool v) = 0;
  virtual void set_in(const BitVec& in) = 0;
  virtual void get_out(BitVec& out) = 0;
  // Whether in_i and out_o hold the given widths (and less than a word more):
  // a harness built from another case table fails this.
  virtual bool fits(int in_bits, int out_bits) const = 0;
  virtual void eval() = 0;
  virtual void finish() = 0;
};

// The network top's ports (taxonn_<config>_net).
enum class NetIn { kClk, kRstN, kStart, kTrain, kWrEn, kWrTarget, kWrLayer, kWrRow, kWrCol, kWrData, kRdTarget,
                   kRdLayer, kRdRow, kRdCol };
class NetDutPorts : public Traceable {
 public:
  virtual void set(NetIn port, std::uint32_t v) = 0;
  virtual std::uint32_t rd_data() const = 0;
  virtual bool busy() const = 0;
  virtual bool done() const = 0;
  virtual void eval() = 0;
};

// An asynchronous reset: it fires on a falling edge of rst_ni, so make one
// (Verilator starts rst_ni at 0, which is no edge), then release it.
inline void pulse_reset(FlatDut& top) {
  top.set_rst_n(true);
  top.eval();
  top.set_rst_n(false);
  top.eval();
  top.set_rst_n(true);
  top.eval();
}

// Defined by the glue of the model a testbench binary is linked with: the
// name it was built for (a config or a primitive) and the factory of that
// testbench's kind (a harness glue defines make_flat_dut, a network glue
// make_net_dut; linking a glue of the other kind fails at link time).
const char* dut_name();
std::unique_ptr<FlatDut> make_flat_dut();
std::unique_ptr<NetDutPorts> make_net_dut();

}  // namespace taxonn::tb
