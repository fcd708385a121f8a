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

namespace taxonn {

// The layer command of taxonn_fc_layer.v (emitted into taxonn_defs.vh).
enum class NetCmd : int { kFwd = 0, kLoss = 1, kStep1 = 2, kUpdate = 3 };
constexpr int kNetCmdBits = 2;
const char* to_string(NetCmd c);

// The salts of the LFSRs of a stochastic layer (CONTRACT 3, rule 8): layer
// l (of net_hw) adds (l + 1) * kSaltLayer to each; a rounder's LFSR starts at
// lfsr_salted_seed(config seed, salt). Emitted into taxonn_defs.vh.
constexpr std::uint32_t kSaltLayer = 1u << 20;
constexpr std::uint32_t kSaltG = 1, kSaltFd = 2, kSaltX = 3, kSaltR1 = 4, kSaltZCol = 16, kSaltPe = 1u << 16;
std::uint32_t layer_salt(int l);

// The host interface of the network top (docs/network.md): what a write or
// a read addresses. Data is 32 bits, two's complement, sign-extended.
enum class HostWrite : int { kWeight = 0, kSample = 1, kTarget = 2, kAlpha = 3 };
enum class HostRead : int { kWeight = 0, kY = 1, kG = 2, kCounter = 3 };
constexpr int kHostTargetBits = 2;
constexpr int kHostIndexBits = 16;  // wr_row_i, wr_col_i, rd_row_i, rd_col_i
constexpr int kHostDataBits = 32;
std::string net_module_name(const Config& c);

// One layer of the network RTL, derived from the config alone. Every layer
// takes a stream of k input values and gives n outputs, in raster (CHW)
// order; pool layers have no PEs.
//   fc    n neurons from k inputs on p PEs, t = ceil(n / p) passes.
//   conv  a rows x p array of PEs (rows = kernel), row u holds filter row u
//         and column c output channel c (+ p per pass): t = ceil(oc / p).
//   pool  2x2 windows, one per cycle, in the format of the layer below.
struct NetLayerHw {
  std::size_t index = 0;  // in Config::layers
  LayerType type = LayerType::kFc;
  int n = 0, k = 0;       // outputs, inputs
  int p = 0, t = 0;       // PE columns, passes
  int rows = 1;           // PE rows: conv the kernel, fc 1
  int p_last = 0;         // fc: neurons of the last pass
  int bias = 0;           // 1: a bias word per output after its weights (CONTRACT 5)
  int fd_cycles = 0;      // fc f': 2 sigmoid/tanh, 1 ReLU, 0 identity
  int tree_width = 0;     // step 1's exact sum (fc: 2W + clog2(n) + 1; conv: 2W + clog2(k^2 oc) + 1)
  int niw = 1, kiw = 1, piw = 1;  // index widths of outputs, inputs, PEs (clog2, at least 1)
  // conv and pool: the shapes
  int ic = 1, ih = 1, iw = 1, oc = 1, oh = 1, ow = 1, kernel = 1;
  PoolKind pool = PoolKind::kMax;
  PeParams pe;            // conv and fc: depth, guard bits for that depth
  // conv and pool: the Y buffer only the host reads (taxonn_host_buf), and
  // a pool's R and argmax: SRAM with config memory sram, where the host sees
  // a Y (a pool's G) word a cycle after its index
  Memory y_mem = Memory::kFlops;
  // Whether the host's read of `what` shows a cycle after its index.
  bool clocked_read(HostRead what) const {
    return y_mem == Memory::kSram && (what == HostRead::kY || (what == HostRead::kG && type == LayerType::kPool));
  }
  bool weighted() const { return type != LayerType::kPool; }
  int depth() const { return pe.depth; }
  int pes() const { return rows * p; }
  int plane() const { return oh * ow; }
  // Where the host finds weight `flat` of the golden model's layout (fc
  // [n][k], conv [oc][ic][u][v]): PE and word. B = bias (0 or 1) words
  // follow each output's weights in a pass:
  //   fc    PE j mod P, word (j div P) * (K + B) + kk
  //   conv  PE u * P + oc mod P, word (oc div P) * (ic * kernel + B) + c * kernel + v
  struct Loc {
    int pe = 0, addr = 0;
  };
  Loc loc(std::size_t flat) const;
  std::size_t weights() const;
  // Output o's bias (fc neuron j: PE j mod P, word (j div P) * (K + 1) + K;
  // conv channel oc: PE oc mod P of row 0, word (oc div P) * (ic * kernel + 1)
  // + ic * kernel; the other rows' bias words stay 0) and how many (0 without).
  Loc bias_loc(std::size_t o) const;
  std::size_t biases() const;
  int pass_words() const { return type == LayerType::kFc ? k + bias : ic * kernel + bias; }
};

// The parameters of layer `l`'s template (taxonn_fc_layer, taxonn_conv_layer
// or taxonn_pool_layer), in the template's order (NEG_ALPHA as its W-bit two's
// complement).
std::vector<HwParam> layer_param_values(const std::vector<NetLayerHw>& hw, std::size_t l);
const char* layer_module(const NetLayerHw& h);
// One port of the layer interface that taxonn_fc_layer, taxonn_conv_layer and
// taxonn_pool_layer share (docs/network.md), in the templates' order: the
// generator writes every layer instance of the network top from this list,
// and a unit test checks each template's port list against it. `width`
// names the template parameter (or macro) that sizes the port, "" for 1 bit.
struct LayerPort {
  std::string name;
  bool input = true;
  std::string width;
  bool is_signed = false;
};
std::vector<LayerPort> layer_ports(LayerType t);

// The weighted layer below layer l (-1: none); pool layers take its format.
int weighted_below(const std::vector<NetLayerHw>& hw, int l);
// An index of n values: clog2(n) bits, at least 1.
int index_width(int n);

// Throws ConfigError (field named) for configs the network RTL does not
// cover: a conv or pool output layer, average pooling over a stochastic
// layer, too deep a scratchpad.
std::vector<NetLayerHw> net_hw(const Config& c);
bool net_supported(const Config& c, std::string* why = nullptr);

// A conv layer's FWD: its passes' MACs with the drain beside them, up to
// the drain's last output (CONTRACT 4).
std::int64_t conv_fwd_cycles(const NetLayerHw& h);

struct NetPhase {
  int layer = 0;  // index into net_hw()
  NetCmd cmd = NetCmd::kFwd;
  std::int64_t cycles = 0;
  std::string name() const;  // e.g. "fc1.fwd"
};
// The phases of one SGD step (train) or one inference, in the controller's
// order, with the cycles the RTL takes for each (net_cycles: a step).
// Training: FWD of every layer bottom-up, LOSS, then top-down per layer
// STEP1 (a weighted layer: its gradient for the layer below, if one is
// weighted; a pool layer: routing its gradient down) and UPDATE.
std::vector<NetPhase> net_phases(const std::vector<NetLayerHw>& hw, bool train);
std::int64_t net_cycles(const std::vector<NetPhase>& phases);

}  // namespace taxonn
