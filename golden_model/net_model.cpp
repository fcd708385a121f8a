// Network hardware shape and cycle model (docs/network.md). The cycle counts
// follow taxonn_fc_layer.v's sequencer, one formula per command:
//   FWD    sum over passes of K + 1 + f' + (neurons of the pass)
//   LOSS   N
//   STEP1  T * (K + 1)
//   UPDATE T * (2K + 2)
#include "net_model.hpp"

#include <algorithm>

#include <fmt/format.h>

namespace taxonn {

const char* to_string(NetCmd c) {
  switch (c) {
    case NetCmd::kFwd: return "fwd";
    case NetCmd::kLoss: return "loss";
    case NetCmd::kStep1: return "backprop";
    case NetCmd::kUpdate: return "update";
  }
  return "?";
}

std::string net_module_name(const Config& c) { return "taxonn_" + c.name + "_net"; }

std::vector<NetLayerHw> net_hw(const Config& c) {
  std::vector<NetLayerHw> hw;
  auto field = [&](std::size_t i, const char* f) { return fmt::format("{}: layers[{}].{}", c.name, i, f); };
  for (std::size_t i = 0; i < c.layers.size(); ++i) {
    const LayerConfig& L = c.layers[i];
    if (L.type != LayerType::kFc)
      throw ConfigError(fmt::format("{}: layer '{}' is {}; the network RTL covers fc layers only (conv and "
                                    "pooling come with issue 6): generate PEs only or use an fc config",
                                    field(i, "type"), L.name, L.type == LayerType::kConv ? "conv" : "pool"));
    if (L.format.rounding == Rounding::kStochastic)
      throw ConfigError(fmt::format("{}: stochastic rounding has no network RTL yet (the per-PE draw order "
                                    "is not defined at network level); use nearest or truncate",
                                    field(i, "format.rounding")));
    NetLayerHw h;
    h.index = i;
    h.n = L.neurons;
    h.k = L.fan_in();
    h.p = L.pes > 0 ? L.pes : L.neurons;
    h.t = (h.n + h.p - 1) / h.p;
    h.p_last = h.n - (h.t - 1) * h.p;
    h.fd_cycles = L.activation == Activation::kSigmoid || L.activation == Activation::kTanh ? 2
                  : L.activation == Activation::kRelu                                     ? 1
                                                                                           : 0;
    if (std::int64_t{h.t} * h.k > Config::kMaxDepth)
      throw ConfigError(fmt::format("{}: {} passes x {} inputs = {} scratchpad words exceed {}; give the layer "
                                    "more PEs",
                                    field(i, "pes"), h.t, h.k, std::int64_t{h.t} * h.k, Config::kMaxDepth));
    h.pe = pe_params(c, i, h.t * h.k);
    h.niw = index_width(h.n);
    h.kiw = index_width(h.k);
    h.piw = index_width(h.p);
    h.tree_width = 2 * h.pe.width() + (h.n > 1 ? clog2(static_cast<std::uint64_t>(h.n)) : 0) + 1;
    hw.push_back(h);
  }
  if (c.input_format.rounding == Rounding::kStochastic)
    throw ConfigError(fmt::format("{}: input_format.rounding: stochastic rounding has no network RTL yet; "
                                  "use nearest or truncate", c.name));
  return hw;
}

int index_width(int n) { return n > 1 ? clog2(static_cast<std::uint64_t>(n)) : 1; }

std::vector<HwParam> fc_layer_param_values(const std::vector<NetLayerHw>& hw, std::size_t l) {
  const NetLayerHw& h = hw.at(l);
  const PeParams& p = h.pe;
  const Wide neg_alpha = (-p.alpha_raw) & ((Wide{1} << p.width()) - 1);
  return {{"W", p.width()},
          {"F", p.fmt.frac_bits},
          {"ACT", static_cast<int>(p.act)},
          {"RND", static_cast<int>(p.fmt.rounding)},
          {"N", h.n},
          {"K", h.k},
          {"P", h.p},
          {"GUARD", p.guard_bits},
          {"SAT_CNT_W", p.sat_cnt_width},
          {"LFSR_W", p.lfsr.width},
          {"LFSR_POLY", p.lfsr.polynomial},
          {"LFSR_SEED", p.lfsr.seed},
          {"NEG_ALPHA", static_cast<long long>(neg_alpha)},
          {"HAS_LOSS", l + 1 == hw.size() ? 1 : 0},
          {"HAS_STEP1", l > 0 ? 1 : 0},
          {"T", h.t},
          {"DEPTH", h.depth()},
          {"AW", p.addr_width()},
          {"NIW", h.niw},
          {"KIW", h.kiw},
          {"PIW", h.piw},
          {"TREE_W", h.tree_width}};
}

bool net_supported(const Config& c, std::string* why) {
  try {
    net_hw(c);
    return true;
  } catch (const ConfigError& e) {
    if (why) *why = e.what();
    return false;
  }
}

std::string NetPhase::name() const { return fmt::format("{}.{}", layer, to_string(cmd)); }

std::vector<NetPhase> net_phases(const std::vector<NetLayerHw>& hw, bool train) {
  std::vector<NetPhase> ph;
  const int nl = static_cast<int>(hw.size());
  auto cycles = [&](int l, NetCmd cmd) -> std::int64_t {
    const NetLayerHw& h = hw[static_cast<std::size_t>(l)];
    switch (cmd) {
      case NetCmd::kFwd: return std::int64_t{h.t} * (h.k + 1 + h.fd_cycles) + h.n;
      case NetCmd::kLoss: return h.n;
      case NetCmd::kStep1: return std::int64_t{h.t} * (h.k + 1);
      case NetCmd::kUpdate: return std::int64_t{h.t} * (2 * h.k + 2);
    }
    return 0;
  };
  auto add = [&](int l, NetCmd cmd) { ph.push_back(NetPhase{l, cmd, cycles(l, cmd)}); };
  for (int l = 0; l < nl; ++l) add(l, NetCmd::kFwd);
  if (!train) return ph;
  add(nl - 1, NetCmd::kLoss);
  for (int l = nl - 1; l >= 0; --l) {
    if (l > 0) add(l, NetCmd::kStep1);
    add(l, NetCmd::kUpdate);
  }
  return ph;
}

std::int64_t net_cycles(const std::vector<NetPhase>& phases) {
  std::int64_t s = 0;
  for (const auto& p : phases) s += p.cycles;
  return s;
}

}  // namespace taxonn
