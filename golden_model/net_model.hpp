// The network accelerator's golden twin at the level the RTL exposes between
// steps (docs/network.md, CONTRACT 3-5): the hardware shape of every fc layer
// (PEs, passes, scratchpad words, widths), where each weight lives, the phase
// order of taxonn_net_ctrl and the analytical cycle model that predicts every
// phase's cycles exactly. The values themselves are taxonn::Network's.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "config.hpp"
#include "pe_interface.hpp"

namespace taxonn {

// The layer command of taxonn_fc_layer.v (emitted into taxonn_defs.vh).
enum class NetCmd : int { kFwd = 0, kLoss = 1, kStep1 = 2, kUpdate = 3 };
constexpr int kNetCmdBits = 2;
const char* to_string(NetCmd c);

// The host interface of the network top (docs/network.md): what a write or
// a read addresses. Data is 32 bits, two's complement, sign-extended.
enum class HostWrite : int { kWeight = 0, kSample = 1, kTarget = 2, kAlpha = 3 };
enum class HostRead : int { kWeight = 0, kY = 1, kG = 2, kCounter = 3 };
constexpr int kHostTargetBits = 2;
constexpr int kHostIndexBits = 16;  // wr_row_i, wr_col_i, rd_row_i, rd_col_i
constexpr int kHostDataBits = 32;
std::string net_module_name(const Config& c);

// One fc layer of the network RTL, derived from the config alone.
struct NetLayerHw {
  std::size_t index = 0;  // in Config::layers
  int n = 0, k = 0;       // neurons, inputs
  int p = 0, t = 0;       // PEs, passes = ceil(n / p)
  int p_last = 0;         // neurons of the last pass
  int fd_cycles = 0;      // f': 2 sigmoid/tanh, 1 ReLU, 0 identity
  int tree_width = 0;     // step 1's exact sum: 2W + clog2(n) + 1
  int niw = 1, kiw = 1, piw = 1;  // index widths of neurons, inputs, PEs (clog2, at least 1)
  PeParams pe;            // depth t * k, guard bits for that depth
  int depth() const { return pe.depth; }
  // Where the host finds weight W[j, kk]: PE j mod P, word (j div P) * K + kk.
  int pe_of(int j) const { return j % p; }
  int addr_of(int j, int kk) const { return (j / p) * k + kk; }
};

// taxonn_fc_layer's parameters for layer `l` of `hw`, in the template's
// order (NEG_ALPHA as its W-bit two's complement).
std::vector<HwParam> fc_layer_param_values(const std::vector<NetLayerHw>& hw, std::size_t l);
// An index of n values: clog2(n) bits, at least 1.
int index_width(int n);

// Throws ConfigError (field named) for configs the network RTL does not
// cover: conv or pooling layers, stochastic rounding, too deep a scratchpad.
std::vector<NetLayerHw> net_hw(const Config& c);
bool net_supported(const Config& c, std::string* why = nullptr);

struct NetPhase {
  int layer = 0;  // index into net_hw()
  NetCmd cmd = NetCmd::kFwd;
  std::int64_t cycles = 0;
  std::string name() const;  // e.g. "fc1.fwd"
};
// The phases of one SGD step (train) or one inference, in the controller's
// order, with the cycles the RTL takes for each; a step takes their sum.
std::vector<NetPhase> net_phases(const std::vector<NetLayerHw>& hw, bool train);
std::int64_t net_cycles(const std::vector<NetPhase>& phases);

}  // namespace taxonn
