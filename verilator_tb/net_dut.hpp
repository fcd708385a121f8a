// The network accelerator's DUT behind its host interface (docs/network.md):
// reset, host writes and reads, weights by the golden model's layout, and a
// run clocked until done with host writes attempted while busy. The network
// testbench's (tb_net.cpp) view of the Verilated model, through dut.hpp.
#pragma once

#include <cstdint>
#include <memory>
#include <random>
#include <vector>

#include "dut.hpp"
#include "net_model.hpp"
#include "trace.hpp"

namespace taxonn::tb {

// The DUT behind its host interface (docs/network.md).
class NetDut {
 public:
  explicit NetDut(const std::vector<NetLayerHw>& hw) : hw_(hw), top_(make_net_dut()) {
    top_->set(NetIn::kClk, 0);
    top_->set(NetIn::kStart, 0);
    top_->set(NetIn::kWrEn, 0);
    top_->set(NetIn::kRstN, 1);
    top_->eval();
    top_->set(NetIn::kRstN, 0);
    top_->eval();
    top_->set(NetIn::kRstN, 1);
    top_->eval();
  }
  // One clock cycle. Traced, the inputs are settled (eval) before the edge:
  // untraced, the rising edge's eval does that anyway.
  void tick() {
    if (tracer_ && tracer_->in_window(cycles_)) {
      top_->eval();
      tracer_->before_edge(cycles_);
    }
    top_->set(NetIn::kClk, 1);
    top_->eval();
    if (tracer_) tracer_->after_edge(cycles_);
    top_->set(NetIn::kClk, 0);
    top_->eval();
    ++cycles_;
  }
  Traceable& traceable() { return *top_; }
  // The tracer must outlive the runs it is set for (NetCosim holds both).
  void set_tracer(Tracer* t) { tracer_ = t; }
  // A host write: sampled at this cycle's edge, it lands at the next one
  // (the next write's, a run's start, or a weight read's cycle).
  void write(HostWrite what, int layer, int row, int col, std::int32_t data) {
    top_->set(NetIn::kWrEn, 1);
    top_->set(NetIn::kWrTarget, static_cast<std::uint32_t>(what));
    top_->set(NetIn::kWrLayer, static_cast<std::uint32_t>(layer));
    top_->set(NetIn::kWrRow, static_cast<std::uint32_t>(row));
    top_->set(NetIn::kWrCol, static_cast<std::uint32_t>(col));
    top_->set(NetIn::kWrData, static_cast<std::uint32_t>(data));
    tick();
    top_->set(NetIn::kWrEn, 0);
  }
  std::int32_t read(HostRead what, int layer, int row, int col) {
    top_->set(NetIn::kRdTarget, static_cast<std::uint32_t>(what));
    top_->set(NetIn::kRdLayer, static_cast<std::uint32_t>(layer));
    top_->set(NetIn::kRdRow, static_cast<std::uint32_t>(row));
    top_->set(NetIn::kRdCol, static_cast<std::uint32_t>(col));
    top_->eval();
    return static_cast<std::int32_t>(top_->rd_data());
  }
  // A layer's whole Y or G buffer, word j at j. A buffer on SRAM
  // (NetLayerHw::clocked_read: conv and pool Y, pool G) shows a word from
  // the clock edge after its index: one idle cycle per word; the others
  // read combinationally.
  std::vector<std::int32_t> buffer(HostRead what, int layer) {
    const NetLayerHw& h = hw_[static_cast<std::size_t>(layer)];
    const bool clocked = h.clocked_read(what);
    std::vector<std::int32_t> v(static_cast<std::size_t>(h.n));
    for (int j = 0; j < h.n; ++j) {
      if (clocked) {
        top_->set(NetIn::kRdCol, static_cast<std::uint32_t>(j));
        tick();
      }
      v[static_cast<std::size_t>(j)] = read(what, layer, 0, j);
    }
    return v;
  }
  // Every weight of a layer in the golden model's layout (fc [n][k], conv
  // [oc][ic][u][v]), and its biases (one per fc neuron or conv channel).
  std::vector<std::int32_t> weights(int layer) {
    const NetLayerHw& h = hw_[static_cast<std::size_t>(layer)];
    std::vector<NetLayerHw::Loc> at(h.weights());
    for (std::size_t f = 0; f < at.size(); ++f) at[f] = h.loc(f);
    return read_words(layer, at);
  }
  std::vector<std::int32_t> biases(int layer) {
    const NetLayerHw& h = hw_[static_cast<std::size_t>(layer)];
    std::vector<NetLayerHw::Loc> at(h.biases());
    for (std::size_t o = 0; o < at.size(); ++o) at[o] = h.bias_loc(o);
    return read_words(layer, at);
  }
  void set_weight(int layer, std::size_t flat, std::int32_t v) {
    const auto at = hw_[static_cast<std::size_t>(layer)].loc(flat);
    write(HostWrite::kWeight, layer, at.pe, at.addr, v);
  }
  void set_bias(int layer, std::size_t o, std::int32_t v) {
    const auto at = hw_[static_cast<std::size_t>(layer)].bias_loc(o);
    write(HostWrite::kWeight, layer, at.pe, at.addr, v);
  }
  // Start a run and clock until done; returns the cycles the DUT was busy.
  // `preload` (the next sample, one word per cycle) is written while busy,
  // into the X buffer the run does not read; what the run leaves is written
  // after it. On other busy cycles garbage target, alpha and weight words
  // are attempted: the network must ignore them.
  std::uint64_t run(bool train, std::uint64_t limit, std::mt19937_64& rng,
                    const std::vector<std::int32_t>& preload = {}) {
    top_->set(NetIn::kStart, 1);
    top_->set(NetIn::kTrain, train ? 1 : 0);
    tick();  // start sampled (and the last host write landed)
    top_->set(NetIn::kStart, 0);
    tick();  // the controller starts: busy from here
    std::uint64_t busy = 0;
    std::size_t next = 0;
    static constexpr HostWrite kIgnored[] = {HostWrite::kWeight, HostWrite::kTarget, HostWrite::kAlpha};
    while (top_->busy()) {
      ++busy;
      // Not in the last cycle: sampled there, a write would land after the run.
      const bool poke = !top_->done() && next == preload.size() && rng() % 64 == 0;
      if (next < preload.size()) {
        top_->set(NetIn::kWrEn, 1);
        top_->set(NetIn::kWrTarget, static_cast<std::uint32_t>(HostWrite::kSample));
        top_->set(NetIn::kWrCol, static_cast<std::uint32_t>(next));
        top_->set(NetIn::kWrData, static_cast<std::uint32_t>(preload[next]));
        ++next;
      } else if (poke) {
        top_->set(NetIn::kWrEn, 1);
        top_->set(NetIn::kWrTarget, static_cast<std::uint32_t>(kIgnored[rng() % 3]));
        top_->set(NetIn::kWrLayer, static_cast<std::uint32_t>(rng() % hw_.size()));
        top_->set(NetIn::kWrRow, 0);
        top_->set(NetIn::kWrCol, static_cast<std::uint32_t>(rng() % 4));
        top_->set(NetIn::kWrData, static_cast<std::uint32_t>(rng()));
      }
      const bool done = top_->done();
      tick();
      top_->set(NetIn::kWrEn, 0);
      if (done) break;
      if (busy > limit) break;
    }
    for (; next < preload.size(); ++next) write(HostWrite::kSample, 0, 0, static_cast<int>(next), preload[next]);
    return busy;
  }
  std::uint64_t cycles() const { return cycles_; }

 private:
  // Scratchpad words of a layer. The top samples a word address at a clock
  // edge (docs/network.md), so word by word: one idle cycle per address
  // (two with SRAM scratchpads), then every PE's word at it through the read mux.
  std::vector<std::int32_t> read_words(int layer, const std::vector<NetLayerHw::Loc>& at) {
    const NetLayerHw& h = hw_[static_cast<std::size_t>(layer)];
    std::vector<std::vector<std::pair<std::size_t, int>>> at_addr(static_cast<std::size_t>(h.depth()));
    for (std::size_t f = 0; f < at.size(); ++f) at_addr[static_cast<std::size_t>(at[f].addr)].push_back({f, at[f].pe});
    std::vector<std::int32_t> w(at.size());
    // An SRAM scratchpad samples the registered word at the next edge
    // (CONTRACT 5): one cycle more.
    const int wait = h.pe.memory == Memory::kSram ? 2 : 1;
    for (std::size_t a = 0; a < at_addr.size(); ++a) {
      if (at_addr[a].empty()) continue;
      top_->set(NetIn::kRdCol, static_cast<std::uint32_t>(a));
      for (int i = 0; i < wait; ++i) tick();
      for (const auto& [f, pe] : at_addr[a]) w[f] = read(HostRead::kWeight, layer, pe, static_cast<int>(a));
    }
    return w;
  }

  const std::vector<NetLayerHw>& hw_;
  std::unique_ptr<NetDutPorts> top_;
  Tracer* tracer_ = nullptr;
  std::uint64_t cycles_ = 0;
};

}  // namespace taxonn::tb
