// Network hardware shape and cycle model (docs/network.md). The cycle counts
// follow the layer templates' sequencers, one formula per command:
//   fc   FWD    sum over passes of K + 1 + B + f' + (neurons of the pass)
//        LOSS   N;  STEP1  T * (K + 1);  UPDATE T * (2K + 2 + B), T * (2K + 2 + 2B)
//               with SRAM scratchpads (config memory)
//   conv FWD    T passes of B + OH*OW * IC*k + 1 cycles, the drain beside
//               them; FWD ends with the drain's last output (conv_fwd_cycles)
//        STEP1  T * (IC*IH*IW * k + 1);  UPDATE T * (IC*k * (OH*OW + 2) + 1 + B)
// with B = 1 for a layer with a bias (its load in FWD, its update in UPDATE).
//   pool FWD    2 (it pools beside the drain below); STEP1 one window (max) or input (avg) per cycle,
//               + 1 with memory sram (the lead cycle)
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
  auto fd_cycles = [](Activation a) {
    return a == Activation::kSigmoid || a == Activation::kTanh ? 2 : is_relu(a) ? 1 : 0;
  };
  for (std::size_t i = 0; i < c.layers.size(); ++i) {
    const LayerConfig& L = c.layers[i];
    NetLayerHw h;
    h.index = i;
    h.type = L.type;
    h.n = L.out_shape.size();
    h.k = L.in_shape.size();
    h.ic = L.in_shape.channels;
    h.ih = L.in_shape.height;
    h.iw = L.in_shape.width;
    h.oc = L.out_shape.channels;
    h.oh = L.out_shape.height;
    h.ow = L.out_shape.width;
    h.niw = index_width(h.n);
    h.kiw = index_width(h.k);
    // An fc layer's Y feeds its loss unit: only conv and pool Y is the host's alone.
    h.y_mem = L.type == LayerType::kFc ? Memory::kFlops : c.memory;
    if (L.type == LayerType::kPool) {
      h.pool = L.pool;
      // Average pooling rounds in the layer below's mode; its stochastic
      // draws have no order in the network RTL yet.
      std::size_t b = i;
      while (b > 0 && !c.layers[b - 1].weighted()) --b;
      if (L.pool == PoolKind::kAvg && b > 0 && c.layers[b - 1].format.rounding == Rounding::kStochastic)
        throw ConfigError(fmt::format("{}: average pooling over the stochastic layer '{}' has no network RTL yet; "
                                      "use max pooling or round that layer to nearest or truncate",
                                      field(i, "kind"), c.layers[b - 1].name));
      hw.push_back(h);
      continue;
    }
    std::int64_t words = 0;
    h.bias = L.bias ? 1 : 0;
    if (L.type == LayerType::kFc) {
      h.p = L.pes > 0 ? L.pes : L.neurons;
      h.t = (h.n + h.p - 1) / h.p;
      h.p_last = h.n - (h.t - 1) * h.p;
      h.fd_cycles = fd_cycles(L.activation);
      words = std::int64_t{h.t} * (h.k + h.bias);
      h.tree_width = 2 * L.format.width() + (h.n > 1 ? clog2(static_cast<std::uint64_t>(h.n)) : 0) + 1;
    } else {
      h.kernel = L.kernel;
      h.rows = L.array_rows > 0 ? L.array_rows : L.kernel;
      h.p = L.array_cols > 0 ? L.array_cols : L.out_channels;
      h.t = (h.oc + h.p - 1) / h.p;
      h.p_last = h.oc - (h.t - 1) * h.p;
      words = std::int64_t{h.t} * (h.ic * h.kernel + h.bias);
      h.tree_width = 2 * L.format.width() + clog2(static_cast<std::uint64_t>(h.kernel * h.kernel * h.oc)) + 1;
    }
    if (words > Config::kMaxDepth)
      throw ConfigError(fmt::format("{}: {} scratchpad words per PE exceed {}; give the layer more PEs", field(i, L.type == LayerType::kFc ? "pes" : "array.cols"), words, Config::kMaxDepth));
    h.pe = pe_params(c, i, static_cast<int>(words));
    h.piw = index_width(h.pes());
    hw.push_back(h);
  }
  if (c.layers.back().type != LayerType::kFc)
    throw ConfigError(fmt::format("{}: the network RTL's loss unit sits in an fc output layer; end the network "
                                  "with an fc layer", field(c.layers.size() - 1, "type")));
  // (input_format's rounding mode rounds nothing: the sample's quantization
  // is CONTRACT 3 rule 2's formula, and its conversion the first layer's.)
  return hw;
}

NetLayerHw::Loc NetLayerHw::loc(std::size_t flat) const {
  const int f = static_cast<int>(flat);
  if (type == LayerType::kFc) return {(f / k) % p, ((f / k) / p) * pass_words() + f % k};
  const int v = f % kernel, u = (f / kernel) % kernel, c = (f / (kernel * kernel)) % ic;
  const int o = f / (kernel * kernel * ic);
  return {u * p + o % p, (o / p) * pass_words() + c * kernel + v};
}

NetLayerHw::Loc NetLayerHw::bias_loc(std::size_t o) const {
  const int j = static_cast<int>(o);
  return {j % p, (j / p) * pass_words() + pass_words() - 1};
}

std::size_t NetLayerHw::biases() const {
  if (bias == 0 || !weighted()) return 0;
  return static_cast<std::size_t>(type == LayerType::kFc ? n : oc);
}

std::size_t NetLayerHw::weights() const {
  if (type == LayerType::kFc) return static_cast<std::size_t>(n) * static_cast<std::size_t>(k);
  if (type == LayerType::kConv) return static_cast<std::size_t>(oc * ic * kernel * kernel);
  return 0;
}

std::uint32_t layer_salt(int l) { return static_cast<std::uint32_t>(l + 1) * kSaltLayer; }

int index_width(int n) { return n > 1 ? clog2(static_cast<std::uint64_t>(n)) : 1; }

int weighted_below(const std::vector<NetLayerHw>& hw, int l) {
  for (int b = l - 1; b >= 0; --b)
    if (hw[static_cast<std::size_t>(b)].weighted()) return b;
  return -1;
}

const char* layer_module(const NetLayerHw& h) {
  switch (h.type) {
    case LayerType::kFc: return "taxonn_fc_layer";
    case LayerType::kConv: return "taxonn_conv_layer";
    case LayerType::kPool: return "taxonn_pool_layer";
  }
  return "?";
}

std::vector<HwParam> layer_param_values(const std::vector<NetLayerHw>& hw, std::size_t l) {
  const NetLayerHw& h = hw.at(l);
  const bool step1 = weighted_below(hw, static_cast<int>(l)) >= 0;
  if (h.type == LayerType::kPool) {
    const NetLayerHw& b = hw.at(static_cast<std::size_t>(weighted_below(hw, static_cast<int>(l))));
    return {{"W", b.pe.width()},
            {"KIND", static_cast<int>(h.pool)},
            {"RND", static_cast<int>(b.pe.fmt.rounding)},
            {"C", h.ic},
            {"IH", h.ih},
            {"IW", h.iw},
            {"MEM", static_cast<int>(h.y_mem)},
            {"NIW", h.niw},
            {"KIW", h.kiw}};
  }
  const PeParams& p = h.pe;
  const Wide neg_alpha = (-p.alpha_raw) & ((Wide{1} << p.width()) - 1);
  std::vector<HwParam> v = {{"W", p.width()},
                            {"F", p.fmt.frac_bits},
                            {"ACT", static_cast<int>(p.act)},
                            {"RND", static_cast<int>(p.fmt.rounding)}};
  if (h.type == LayerType::kFc) {
    v.insert(v.end(), {{"N", h.n}, {"K", h.k}, {"P", h.p}});
  } else {
    v.insert(v.end(), {{"IC", h.ic}, {"IH", h.ih}, {"IW", h.iw}, {"OC", h.oc}, {"KS", h.kernel}, {"P", h.p}});
  }
  v.insert(v.end(), {{"GUARD", p.guard_bits},
                     {"SAT_CNT_W", p.sat_cnt_width},
                     {"LFSR_W", p.lfsr.width},
                     {"LFSR_POLY", p.lfsr.polynomial},
                     {"LFSR_SEED", p.lfsr.seed},
                     {"LFSR_SALT", static_cast<long long>(layer_salt(static_cast<int>(l)))},
                     {"NEG_ALPHA", static_cast<long long>(neg_alpha)}});
  if (h.type == LayerType::kFc) v.push_back({"HAS_LOSS", l + 1 == hw.size() ? 1 : 0});
  v.insert(v.end(), {{"HAS_STEP1", step1 ? 1 : 0},
                     {"BIAS", h.bias}});
  v.push_back({"XDB", l == 0 ? 1 : 0});
  if (h.type == LayerType::kConv) {
    const bool max_above = l + 1 < hw.size() && hw[l + 1].type == LayerType::kPool && hw[l + 1].pool == PoolKind::kMax;
    v.push_back({"SPARSE_G", max_above ? 1 : 0});
  }
  v.push_back({"MEM", static_cast<int>(p.memory)});
  if (p.clock_gating) v.push_back({"GATE", 1});  // named only when on: an ungated design keeps its bytes
  v.insert(v.end(), {{"T", h.t},
                     {"DEPTH", h.depth()},
                     {"AW", p.addr_width()},
                     {"NIW", h.niw},
                     {"KIW", h.kiw},
                     {"PIW", h.piw},
                     {"TREE_W", h.tree_width}});
  return v;
}

std::vector<LayerPort> layer_ports(LayerType t) {
  std::vector<LayerPort> v = {
      {"clk_i", true, "", false},          {"rst_ni", true, "", false},
      // the network controller
      {"start_i", true, "", false},        {"cmd_i", true, "`TAXONN_NET_CMD_W", false},
      {"busy_o", false, "", false},        {"done_o", false, "", false},
      // forward: the input stream in, the output stream out
      {"x_we_i", true, "", false},         {"x_idx_i", true, "KIW", false},
      {"x_data_i", true, "W", true},       {"y_valid_o", false, "", false},
      {"y_idx_o", false, "NIW", false},    {"y_o", false, "W", true},
      // backward: R1 in from the layer above, step 1's result out to the one below
      {"r1_valid_i", true, "", false},     {"r1_idx_i", true, "NIW", false},
      {"r1_i", true, "W", true},           {"s1_valid_o", false, "", false},
      {"s1_idx_o", false, "KIW", false}};
  if (t == LayerType::kPool) {
    v.push_back({"s1_o", false, "W", true});
  } else {
    // the first layer's X buffers swap at a run's start (the others tie it off)
    const auto x_we = std::find_if(v.begin(), v.end(), [](const LayerPort& p) { return p.name == "x_we_i"; });
    v.insert(x_we, {"x_swap_i", true, "", false});
    v.insert(v.end(), {{"s1_sum_o", false, "TREE_W", true},
                       // the host: weights, targets (fc), alpha
                       {"w_we_i", true, "", false},
                       {"w_pe_i", true, "PIW", false},
                       {"r_pe_i", true, "PIW", false},
                       {"w_addr_i", true, "AW", false},
                       {"w_data_i", true, "W", true},
                       {"w_rd_o", false, "W", true}});
    if (t == LayerType::kFc)
      v.insert(v.end(), {{"t_we_i", true, "", false}, {"t_idx_i", true, "NIW", false}, {"t_data_i", true, "W", true}});
    v.insert(v.end(), {{"alpha_we_i", true, "", false}, {"neg_alpha_i", true, "W", true}});
  }
  v.insert(v.end(), {{"rd_idx_i", true, "NIW", false}, {"y_rd_o", false, "W", true}, {"g_rd_o", false, "W", true}});
  return v;
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

std::int64_t conv_fwd_cycles(const NetLayerHw& h) {
  // Pass t runs cycles s_t .. s_t + B + M*ICK (its bias fetch, M pixels of
  // ICK MACs, the tail), s_t = 1 + t * (B + M*ICK + 1). The z of pixel p
  // is written in the cycle that starts pixel p + 1 (the tail for the last):
  // s_t + B + (p + 1) * ICK; the drain reads it from the next cycle. The
  // drain takes one output per cycle, in (pass, pixel, column) order, each
  // as soon as its z is there.
  const std::int64_t m = h.plane(), ick = std::int64_t{h.ic} * h.kernel, b = h.bias;
  const std::int64_t p = h.p, t_n = h.t;
  std::int64_t d = 0;
  for (std::int64_t t = 0; t < t_n; ++t) {
    const std::int64_t cols = std::min(p, std::int64_t{h.oc} - t * p);
    const std::int64_t s = 1 + t * (b + m * ick + 1);
    for (std::int64_t px = 0; px < m; ++px) {
      const std::int64_t ready = s + b + (px + 1) * ick + 1;
      d = std::max(d + 1, ready) + cols - 1;
    }
  }
  return d;
}

std::vector<NetPhase> net_phases(const std::vector<NetLayerHw>& hw, bool train) {
  std::vector<NetPhase> ph;
  const int nl = static_cast<int>(hw.size());
  auto cycles = [&](int l, NetCmd cmd) -> std::int64_t {
    const NetLayerHw& h = hw[static_cast<std::size_t>(l)];
    const std::int64_t t = h.t;
    // Pool FWD: its last window pooled and leaving (the windows pool as the
    // drain below delivers them); STEP1: one window (max) or input (avg),
    // after a lead cycle when R and the argmax are SRAM (read a cycle ahead).
    if (h.type == LayerType::kPool)
      return cmd == NetCmd::kFwd ? 2 : (h.pool == PoolKind::kMax ? h.n : h.k) + (h.y_mem == Memory::kSram ? 1 : 0);
    if (h.type == LayerType::kConv) {
      const std::int64_t m = h.plane(), ick = std::int64_t{h.ic} * h.kernel;
      switch (cmd) {
        case NetCmd::kFwd: return conv_fwd_cycles(h);  // bias fetch, MACs, tail per pass; the drain beside
        case NetCmd::kStep1: return t * (std::int64_t{h.k} * h.kernel + 1);  // kernel cycles per input
        case NetCmd::kUpdate: return t * (ick * (m + 2) + 1 + h.bias);  // per weight: m MACs, D, W; bias W
        case NetCmd::kLoss: return 0;
      }
    }
    switch (cmd) {
      case NetCmd::kFwd: return t * (h.k + 1 + h.bias + h.fd_cycles) + h.n;
      case NetCmd::kLoss: return h.n;
      case NetCmd::kStep1: return t * (h.k + 1);
      // SRAM scratchpads: the bias's update one cycle later (its read waits
      // for W[K-2]'s write-back, taxonn_spad_sram), so B counts twice.
      case NetCmd::kUpdate: return t * (2 * h.k + 2 + h.bias * (h.pe.memory == Memory::kSram ? 2 : 1));
    }
    return 0;
  };
  auto add = [&](int l, NetCmd cmd) { ph.push_back(NetPhase{l, cmd, cycles(l, cmd)}); };
  for (int l = 0; l < nl; ++l) add(l, NetCmd::kFwd);
  if (!train) return ph;
  add(nl - 1, NetCmd::kLoss);
  for (int l = nl - 1; l >= 0; --l) {
    const bool below = weighted_below(hw, l) >= 0;
    if (!hw[static_cast<std::size_t>(l)].weighted()) {
      add(l, NetCmd::kStep1);
      continue;
    }
    if (below) add(l, NetCmd::kStep1);
    add(l, NetCmd::kUpdate);
  }
  return ph;
}

std::int64_t net_cycles(const std::vector<NetPhase>& phases) {
  // Phase i is busy in cycles S_i .. E_i = S_i + cycles - 1, S_0 = 1. The
  // next phase starts after E_i, or after S_i when phase i is an UPDATE (it
  // runs in the background: taxonn_net_ctrl). The run ends with the last
  // busy cycle of any phase.
  std::int64_t start = 1, end = 0;
  for (const auto& p : phases) {
    const std::int64_t e = start + p.cycles - 1;
    end = std::max(end, e);
    start = (p.cmd == NetCmd::kUpdate ? start : e) + 1;
  }
  return end;
}

}  // namespace taxonn
