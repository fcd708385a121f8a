// The glue between a Verilated model and the testbench libraries (dut.hpp):
// one short translation unit per model includes the model's header and this
// file and names the model with TAXONN_FLAT_DUT or TAXONN_NET_DUT.
#pragma once

#include <memory>
#include <string>

#include "dut.hpp"

#if VM_TRACE_FST
#include "verilated_fst_c.h"
#endif

namespace taxonn::tb {

// A Verilator port holds at least `bits` bits and less than a word more.
template <class T>
bool port_fits(int bits) {
  const int have = static_cast<int>(sizeof(T) * 8);
  return have >= bits && (bits > 64 ? have < bits + 32 : true);
}

#if VM_TRACE_FST
// The FST tracer of a model verilated with --trace-fst. Constructed before
// the model: Verilator wants tracing allowed before a model is built.
template <class V>
class FstWaves {
 public:
  FstWaves() { Verilated::traceEverOn(true); }
  bool open(V& m, const std::string& path) {
    fst_ = std::make_unique<VerilatedFstC>();
    fst_->set_time_resolution("1ns");  // the testbenches dump in ns (trace.hpp)
    m.trace(fst_.get(), 99);
    fst_->open(path.c_str());
    return fst_->isOpen();
  }
  void dump(std::uint64_t t) {
    if (fst_) fst_->dump(t);
  }
  void close() {
    if (fst_) fst_->close();
    fst_.reset();
  }

 private:
  std::unique_ptr<VerilatedFstC> fst_;
};
// The overrides of Traceable every glue class has when tracing is compiled in.
#define TAXONN_GLUE_TRACEABLE                                                          \
  bool can_trace() const override { return true; }                                    \
  bool trace_open(const std::string& path) override { return waves_.open(m_, path); } \
  void trace_dump(std::uint64_t t) override { waves_.dump(t); }                       \
  void trace_close() override { waves_.close(); }
#define TAXONN_GLUE_WAVES_MEMBER(V) FstWaves<V> waves_;
#else
#define TAXONN_GLUE_TRACEABLE
#define TAXONN_GLUE_WAVES_MEMBER(V)
#endif

template <class V>
class FlatDutOf final : public FlatDut {
 public:
  void set_clk(bool v) override { m_.clk_i = v; }
  void set_rst_n(bool v) override { m_.rst_ni = v; }
  void set_in(const BitVec& in) override { in.to(m_.in_i); }
  void get_out(BitVec& out) override { out.from(m_.out_o); }
  bool fits(int in_bits, int out_bits) const override {
    return port_fits<decltype(m_.in_i)>(in_bits) && port_fits<decltype(m_.out_o)>(out_bits);
  }
  void eval() override { m_.eval(); }
  void finish() override { m_.final(); }
  TAXONN_GLUE_TRACEABLE
  ~FlatDutOf() override { trace_close(); }

 private:
  TAXONN_GLUE_WAVES_MEMBER(V)  // before the model: built first, closed by hand
  V m_;
};

template <class V>
class NetDutOf final : public NetDutPorts {
 public:
  void set(NetIn port, std::uint32_t v) override {
    switch (port) {
      case NetIn::kClk: m_.clk_i = v; break;
      case NetIn::kRstN: m_.rst_ni = v; break;
      case NetIn::kStart: m_.start_i = v; break;
      case NetIn::kTrain: m_.train_i = v; break;
      case NetIn::kWrEn: m_.wr_en_i = v; break;
      case NetIn::kWrTarget: m_.wr_target_i = v; break;
      case NetIn::kWrLayer: m_.wr_layer_i = v; break;
      case NetIn::kWrRow: m_.wr_row_i = v; break;
      case NetIn::kWrCol: m_.wr_col_i = v; break;
      case NetIn::kWrData: m_.wr_data_i = v; break;
      case NetIn::kRdTarget: m_.rd_target_i = v; break;
      case NetIn::kRdLayer: m_.rd_layer_i = v; break;
      case NetIn::kRdRow: m_.rd_row_i = v; break;
      case NetIn::kRdCol: m_.rd_col_i = v; break;
    }
  }
  std::uint32_t rd_data() const override { return static_cast<std::uint32_t>(m_.rd_data_o); }
  bool busy() const override { return m_.busy_o != 0; }
  bool done() const override { return m_.done_o != 0; }
  void eval() override { m_.eval(); }
  TAXONN_GLUE_TRACEABLE
  ~NetDutOf() override { trace_close(); }

 private:
  TAXONN_GLUE_WAVES_MEMBER(V)  // before the model: built first, closed by hand
  V m_;
};

}  // namespace taxonn::tb

// A harness model, for tb_prim and tb_pe (which call make_flat_dut).
#define TAXONN_FLAT_DUT(V, NAME)                      \
  const char* taxonn::tb::dut_name() { return NAME; } \
  std::unique_ptr<taxonn::tb::FlatDut> taxonn::tb::make_flat_dut() { return std::make_unique<FlatDutOf<V>>(); }

// A network top, for tb_net (which calls make_net_dut).
#define TAXONN_NET_DUT(V, NAME)                       \
  const char* taxonn::tb::dut_name() { return NAME; } \
  std::unique_ptr<taxonn::tb::NetDutPorts> taxonn::tb::make_net_dut() { return std::make_unique<NetDutOf<V>>(); }
