// The network top (net_top.hpp; docs/network.md, CONTRACT 3-5): wiring only.
// Every layer instance is written from the one layer interface
// (layer_ports, golden_model/core/net_model.hpp): a port the interface has
// and the wiring does not, or the reverse, is a generator bug and throws.
#include "net_top.hpp"

#include <map>
#include <stdexcept>
#include <string>

#include <fmt/format.h>

#include "design.hpp"

namespace taxonn {
namespace {

// x sign-extended to the host's 32-bit data bus.
std::string sext_host(const std::string& x, int w) {
  if (w == kHostDataBits) return x;
  return fmt::format("{{{{{}{{{}[{}]}}}}, {}}}", kHostDataBits - w, x, w - 1, x);
}

std::string target_is(const std::string& port, const std::string& macro) {
  return fmt::format("({} == `{})", port, macro);
}

std::string zeros(int w) { return fmt::format("{{{}{{1'b0}}}}", w); }

// A taxonn_convert instance; `in_what` and `in_f_what` comment its input's
// width and fractional bits.
vast::Instance convert(const std::string& name, int in_w, int in_f, const std::string& in_what,
                       const std::string& in_f_what, const QFormat& out, const std::string& x, const std::string& rnd,
                       const std::string& q, const std::string& sat, const std::string& comment) {
  return vast::Instance{"taxonn_convert",
                        name,
                        {{"IN_W", std::to_string(in_w), in_what},
                         {"IN_F", std::to_string(in_f), in_f_what},
                         {"OUT_W", std::to_string(out.width()), out.name()},
                         {"OUT_F", std::to_string(out.frac_bits), ""},
                         {"RND", rnd_macro(out.rounding), ""}},
                        {{"x_i", x}, {"rnd_i", rnd}, {"q_o", q}, {"sat_o", sat}},
                        comment};
}

class TopBuilder {
 public:
  TopBuilder(const Config& c, const std::vector<NetLayerHw>& hw)
      : c_(c), hw_(hw), nl_(static_cast<int>(hw.size())), lw_(index_width(nl_)) {}

  vast::Module build() {
    m_.name = net_module_name(c_);
    ports();
    host_regs();
    host_decode();
    controller();
    std::string done_cat, busy_cat;
    for (int i = nl_ - 1; i >= 0; --i) {
      done_cat += (done_cat.empty() ? "" : ", ") + name_of(i) + "_done";
      busy_cat += (busy_cat.empty() ? "" : ", ") + name_of(i) + "_busy";
    }
    rd_mux_ = zeros(kHostDataBits);
    for (int i = 0; i < nl_; ++i) {
      layer_wires(i);
      layer_input(i);
      layer_r1(i);
      m_.instances.push_back(layer_instance(i));
      layer_read(i);
    }
    m_.assigns.push_back({"ctrl_layer_done", "{" + done_cat + "}"});
    m_.assigns.push_back({"ctrl_layer_busy", "{" + busy_cat + "}"});
    m_.assigns.push_back({"rd_data_o", fmt::format("{} ? ctrl_cnt :\n                   {}",
                                                   target_is("rd_target_i", "TAXONN_RD_COUNTER"), rd_mux_)});
    wire("unused_net", 1, false, "outputs nobody reads, host bits past each field's width");
    std::string cat;
    for (const auto& u : unused_) cat += (cat.empty() ? "" : ", ") + u;
    m_.assigns.push_back({"unused_net", "^{" + cat + "}"});
    return m_;
  }

 private:
  const NetLayerHw& hw(int i) const { return hw_[static_cast<std::size_t>(i)]; }
  std::string name_of(int i) const { return c_.layers[hw(i).index].name; }
  // The format values take in and leaving layer i: a pool layer's is the
  // weighted layer's below it.
  int weighted_at(int i) const { return hw(i).weighted() ? i : weighted_below(hw_, i); }
  const QFormat& fmt_of(int i) const { return c_.layers[hw(weighted_at(i)).index].format; }
  const PeParams& pe_of(int i) const { return hw(weighted_at(i)).pe; }
  void wire(const std::string& n, int w, bool sgn, const std::string& cmt = "") { m_.wires.push_back({n, w, sgn, cmt}); }

  // The draw of a conversion into layer i that drops `shift` bits: with
  // stochastic rounding, its own LFSR (salt: layer i's + `unit`), advancing
  // on `en`, one draw per value converted (CONTRACT 3, rule 8); else zeros.
  std::string convert_rnd(int i, const std::string& name, const QFormat& out, int shift, const std::string& en,
                          const char* unit) {
    const int rnd_w = shift > 0 ? shift : 1;
    if (out.rounding != Rounding::kStochastic || shift <= 0) return zeros(rnd_w);
    const LfsrParams& l = c_.lfsr;
    const std::string rnd = name + "_rnd";
    wire(rnd, rnd_w, false, "the conversion's draw");
    m_.instances.push_back(vast::Instance{
        "taxonn_draw",
        "u_" + name + "_draw",
        {{"LW", std::to_string(l.width), ""},
         {"POLY", vast::hex(l.width, l.polynomial), ""},
         {"SEED", vast::hex(l.width, l.seed), ""},
         {"SALT", fmt::format("{} + `{}", layer_salt(i), unit), fmt::format("layer {}'s salt + the unit's", i)},
         {"RND", rnd_macro(out.rounding), ""},
         {"RND_W", std::to_string(rnd_w), "the bits dropped"}},
        {{"clk_i", "clk_i"}, {"rst_ni", "rst_ni"}, {"en_i", en}, {"rnd_o", rnd}},
        "stochastic rounding's draws for " + name});
    return rnd;
  }

  void ports() {
    using vast::Dir;
    const int hb = kHostTargetBits, ib = kHostIndexBits, db = kHostDataBits;
    m_.ports = {
        {Dir::kInput, "clk_i", 1, false, ""},
        {Dir::kInput, "rst_ni", 1, false, "asynchronous, active low"},
        {Dir::kInput, "start_i", 1, false, "while idle: run a step (train_i) or an inference"},
        {Dir::kInput, "train_i", 1, false, "1: one SGD step, 0: forward only"},
        {Dir::kOutput, "busy_o", 1, false, ""},
        {Dir::kOutput, "done_o", 1, false, "the last cycle of the run"},
        {Dir::kInput, "wr_en_i", 1, false, "host write (ignored while busy, but a sample's)"},
        {Dir::kInput, "wr_target_i", hb, false, "`TAXONN_WR_*"},
        {Dir::kInput, "wr_layer_i", lw_, false, "weights and alpha: the layer"},
        {Dir::kInput, "wr_row_i", ib, false, "weights: the PE"},
        {Dir::kInput, "wr_col_i", ib, false, "weights: the word; sample, target: the index"},
        {Dir::kInput, "wr_data_i", db, true, "raw fixed-point value, sign-extended"},
        {Dir::kInput, "rd_target_i", hb, false, "`TAXONN_RD_*"},
        {Dir::kInput, "rd_layer_i", lw_, false, ""},
        {Dir::kInput, "rd_row_i", ib, false, "weights: the PE"},
        {Dir::kInput, "rd_col_i", ib, false, "the word, output or counter"},
        {Dir::kOutput, "rd_data_o", db, true, "sign-extended; a weight's word address from the last edge"},
    };
    unused_ = {"wr_row_q", "wr_col_q", "wr_data_q", "rd_col_q", "rd_row_i", "rd_col_i"};
  }

  // The host's writes, start and weight word address, sampled at the clock
  // (taxonn_host_reg, docs/network.md), each field a `_q` wire. The read
  // selects that only steer the output mux (rd_target_i, rd_layer_i,
  // rd_row_i, and rd_col_i for Y, G and counters) stay combinational.
  void host_regs() {
    const int hb = kHostTargetBits, ib = kHostIndexBits, db = kHostDataBits;
    const std::vector<std::pair<std::string, int>> fields = {
        {"start", 1},   {"train", 1},  {"wr_en", 1},   {"wr_target", hb}, {"wr_layer", lw_},
        {"wr_row", ib}, {"wr_col", ib}, {"wr_data", db}, {"rd_col", ib}};
    int total = 0;
    std::string cat;
    for (const auto& [f, w] : fields) {
      wire(f + "_q", w, false, "");
      cat += (cat.empty() ? "" : ", ") + f + "_i";
      total += w;
    }
    wire("host_q", total, false, "the host fields above, sampled");
    int at = total;
    for (const auto& [f, w] : fields) {
      at -= w;
      m_.assigns.push_back({f + "_q", vast::slice("host_q", at, w)});
    }
    m_.instances.push_back(vast::Instance{"taxonn_host_reg",
                                          "u_host",
                                          {{"W", std::to_string(total), "the host fields' widths, summed"}},
                                          {{"clk_i", "clk_i"}, {"rst_ni", "rst_ni"}, {"d_i", "{" + cat + "}"},
                                           {"q_o", "host_q"}},
                                          "the host's writes, start and weight address, one flip-flop each"});
  }

  void host_decode() {
    wire("ctrl_layer_start", nl_, false, "one start pulse per layer");
    wire("ctrl_cmd", kNetCmdBits, false, "`TAXONN_NET_CMD_*");
    wire("ctrl_layer_done", nl_, false, "");
    wire("ctrl_layer_busy", nl_, false, "");
    wire("ctrl_cnt", kHostDataBits, false, "the counter rd_col_i selects");
    wire("wr_weight", 1, false, "");
    wire("wr_sample", 1, false, "");
    wire("wr_target", 1, false, "");
    wire("wr_alpha", 1, false, "");
    // A host write lands only while the network is idle (a target, weight or
    // alpha written during a step would change the step), but a sample: it
    // goes into the first layer's X buffer the run does not read, and each
    // run's start swaps the two, so the next sample loads during a step.
    wire("wr_ok", 1, false, "a host write while idle");
    wire("run_start", 1, false, "a run starts: the first layer's X buffers swap");
    m_.assigns.push_back({"wr_ok", "wr_en_q & ~busy_o"});
    m_.assigns.push_back({"run_start", "start_q & ~busy_o"});
    m_.assigns.push_back({"wr_weight", "wr_ok & " + target_is("wr_target_q", "TAXONN_WR_WEIGHT")});
    m_.assigns.push_back({"wr_sample", "wr_en_q & " + target_is("wr_target_q", "TAXONN_WR_SAMPLE")});
    m_.assigns.push_back({"wr_target", "wr_ok & " + target_is("wr_target_q", "TAXONN_WR_TARGET")});
    m_.assigns.push_back({"wr_alpha", "wr_ok & " + target_is("wr_target_q", "TAXONN_WR_ALPHA")});
  }

  // The phase table, phase 0 in the low bits: {layer, command} per phase.
  void controller() {
    const std::vector<NetPhase> phases = net_phases(hw_, true);
    const int nph = static_cast<int>(phases.size());
    const int sw = clog2(static_cast<std::uint64_t>(nph + 1));
    std::string table, listing;
    for (int i = nph - 1; i >= 0; --i) {
      const NetPhase& ph = phases[static_cast<std::size_t>(i)];
      table += (table.empty() ? "" : ", ") + fmt::format("{}, {}", vast::dec(lw_, static_cast<unsigned>(ph.layer)),
                                                         vast::dec(kNetCmdBits, static_cast<unsigned>(ph.cmd)));
    }
    for (const NetPhase& ph : phases)
      listing += (listing.empty() ? "" : ", ") + fmt::format("{}.{}", name_of(ph.layer), to_string(ph.cmd));
    m_.instances.push_back(vast::Instance{
        "taxonn_net_ctrl", "u_ctrl",
        {{"NL", std::to_string(nl_), "layers"},
         {"LW", std::to_string(lw_), "clog2(NL), at least 1"},
         {"NPH", std::to_string(nph), "phases of one SGD step"},
         {"NFWD", std::to_string(nl_), "phases of one inference"},
         {"PH_W", std::to_string(lw_ + kNetCmdBits), "LW + `TAXONN_NET_CMD_W"},
         {"PH_TABLE", "{" + table + "}", "from the last phase down to phase 0: " + listing},
         {"CNT_W", std::to_string(kHostDataBits), ""},
         {"SW", std::to_string(sw), "clog2(NPH + 1)"}},
        {{"clk_i", "clk_i"},
         {"rst_ni", "rst_ni"},
         {"start_i", "start_q"},
         {"train_i", "train_q"},
         {"busy_o", "busy_o"},
         {"done_o", "done_o"},
         {"layer_start_o", "ctrl_layer_start"},
         {"cmd_o", "ctrl_cmd"},
         {"layer_done_i", "ctrl_layer_done"},
         {"layer_busy_i", "ctrl_layer_busy"},
         {"cnt_sel_i", vast::slice("rd_col_i", 0, sw)},
         {"cnt_o", "ctrl_cnt"}},
        "the phase sequence of one SGD step (taxonn::net_phases)"});
  }

  void layer_wires(int i) {
    const NetLayerHw& h = hw(i);
    const std::string n = name_of(i);
    const QFormat& q = fmt_of(i);
    const int w = q.width();
    for (const char* sfx : {"_done", "_busy"}) wire(n + sfx, 1, false);
    wire(n + "_x_data", w, true, q.name() + ": the input entering this layer");
    wire(n + "_y_valid", 1, false);
    wire(n + "_y_idx", h.niw, false);
    wire(n + "_y", w, true, q.name() + ": the activation leaving this layer");
    wire(n + "_r1", w, true, q.name() + ": R1 from the layer above");
    wire(n + "_s1_valid", 1, false);
    wire(n + "_s1_idx", h.kiw, false);
    if (!h.weighted()) wire(n + "_s1", w, true, q.name() + ": the gradient routed to the layer below");
    else wire(n + "_s1_sum", h.tree_width, true, fmt::format("step 1's exact sum, {} fractional bits", 2 * q.frac_bits));
    for (const char* sfx : {"_y_rd", "_g_rd"}) wire(n + sfx, w, true);
    if (h.weighted()) wire(n + "_w_rd", w, true);
  }

  // What enters layer i going forward: the sample, converted (CONTRACT 1);
  // the pooled layer's output as it is; or the layer below's, converted.
  void layer_input(int i) {
    const std::string n = name_of(i);
    const QFormat& q = fmt_of(i);
    if (i == 0) {
      const QFormat& fin = c_.input_format;
      wire("input_sat", 1, false, "a sample value clamped entering the first layer");
      unused_.push_back("input_sat");
      const std::string rnd = convert_rnd(i, n + "_x_convert", q, fin.frac_bits - q.frac_bits, "wr_sample", "TAXONN_SALT_X");
      m_.instances.push_back(convert("u_" + n + "_x_convert", fin.width(), fin.frac_bits, "input_format " + fin.name(), "", q,
                                     vast::slice("wr_data_q", 0, fin.width()), rnd, n + "_x_data", "input_sat",
                                     "the sample enters the first layer (CONTRACT 1)"));
      for (const char* sfx : {"_s1_valid", "_s1_idx", "_s1_sum"}) unused_.push_back(n + sfx);
    } else if (!hw(i).weighted()) {
      m_.assigns.push_back({n + "_x_data", name_of(i - 1) + "_y"});  // pooling keeps the format
    } else {
      const QFormat& qb = fmt_of(i - 1);
      wire(n + "_x_sat", 1, false);
      unused_.push_back(n + "_x_sat");
      const std::string rnd = convert_rnd(i, n + "_x_convert", q, qb.frac_bits - q.frac_bits, name_of(i - 1) + "_y_valid",
                                          "TAXONN_SALT_X");
      m_.instances.push_back(convert("u_" + n + "_x_convert", qb.width(), qb.frac_bits, qb.name(), "", q,
                                     name_of(i - 1) + "_y", rnd, n + "_x_data", n + "_x_sat",
                                     fmt::format("{} -> {}: activations going forward", name_of(i - 1), n)));
    }
  }

  // What enters layer i going back: nothing (the output layer), the pool
  // above's routed gradient, or step 1's sum of the layer above, rounded once.
  void layer_r1(int i) {
    const std::string n = name_of(i);
    const int w = fmt_of(i).width();
    if (i == nl_ - 1) {
      for (const char* sfx : {"_y_valid", "_y_idx", "_y"}) unused_.push_back(n + sfx);
      m_.assigns.push_back({n + "_r1", zeros(w)});
    } else if (!hw(i + 1).weighted()) {
      m_.assigns.push_back({n + "_r1", name_of(i + 1) + "_s1"});  // routed by the pool above, same format
    } else {
      const QFormat& qa = fmt_of(i + 1);
      wire(n + "_r1_sat", 1, false);
      unused_.push_back(n + "_r1_sat");
      const std::string rnd = convert_rnd(i, n + "_r1_convert", fmt_of(i), 2 * qa.frac_bits - fmt_of(i).frac_bits,
                                          name_of(i + 1) + "_s1_valid", "TAXONN_SALT_R1");
      m_.instances.push_back(convert("u_" + n + "_r1_convert", hw(i + 1).tree_width, 2 * qa.frac_bits,
                                     "step 1's sum of " + name_of(i + 1), "products of " + qa.name(), fmt_of(i),
                                     name_of(i + 1) + "_s1_sum", rnd,
                                     n + "_r1", n + "_r1_sat",
                                     fmt::format("{} -> {}: R1 going back, rounded once (CONTRACT 3)", name_of(i + 1), n)));
    }
  }

  std::string layer_comment(int i) const {
    const NetLayerHw& h = hw(i);
    const LayerConfig& L = c_.layers[h.index];
    const QFormat& q = fmt_of(i);
    if (h.type == LayerType::kFc)
      return fmt::format("layer '{}': {} -> {} neurons, {} PEs x {} passes, {} {}, rounding {}", L.name, h.k, h.n, h.p,
                         h.t, q.name(), to_string(L.activation), to_string(q.rounding));
    if (h.type == LayerType::kConv)
      return fmt::format("layer '{}': {}x{}x{} -> {}x{}x{}, {}x{} kernels on a {} x {} PE array x {} passes, {} {}, "
                         "rounding {}", L.name, h.ic, h.ih, h.iw, h.oc, h.oh, h.ow, h.kernel, h.kernel, h.rows, h.p, h.t,
                         q.name(), to_string(L.activation), to_string(q.rounding));
    return fmt::format("layer '{}': 2x2 {} pooling, {}x{}x{} -> {}x{}x{}, in {}", L.name,
                       h.pool == PoolKind::kMax ? "max" : "average", h.ic, h.ih, h.iw, h.oc, h.oh, h.ow, q.name());
  }

  // What each port of layer i's template connects to, by name.
  std::map<std::string, std::string> layer_wiring(int i) const {
    const NetLayerHw& h = hw(i);
    const std::string n = name_of(i);
    const int w = fmt_of(i).width();
    const bool last = i == nl_ - 1;
    const std::string prev = i > 0 ? name_of(i - 1) : "", next = last ? "" : name_of(i + 1);
    const std::string lsel = fmt::format("(wr_layer_q == {})", vast::dec(lw_, static_cast<unsigned>(i)));
    std::map<std::string, std::string> to = {
        {"clk_i", "clk_i"},
        {"rst_ni", "rst_ni"},
        {"start_i", nl_ == 1 ? std::string("ctrl_layer_start") : fmt::format("ctrl_layer_start[{}]", i)},
        {"cmd_i", "ctrl_cmd"},
        {"busy_o", n + "_busy"},
        {"done_o", n + "_done"},
        {"x_we_i", i == 0 ? "wr_sample" : prev + "_y_valid"},
        {"x_idx_i", i == 0 ? vast::slice("wr_col_q", 0, h.kiw) : prev + "_y_idx"},
        {"x_data_i", n + "_x_data"},
        {"y_valid_o", n + "_y_valid"},
        {"y_idx_o", n + "_y_idx"},
        {"y_o", n + "_y"},
        {"r1_valid_i", last ? "1'b0" : next + "_s1_valid"},
        {"r1_idx_i", last ? zeros(h.niw) : next + "_s1_idx"},
        {"r1_i", n + "_r1"},
        {"s1_valid_o", n + "_s1_valid"},
        {"s1_idx_o", n + "_s1_idx"},
        {"rd_idx_i", vast::slice("rd_col_i", 0, h.niw)},
        {"y_rd_o", n + "_y_rd"},
        {"g_rd_o", n + "_g_rd"}};
    if (!h.weighted()) {
      to["s1_o"] = n + "_s1";
      return to;
    }
    to["x_swap_i"] = i == 0 ? "run_start" : "1'b0";  // the first layer's X buffers swap
    const int aw = h.pe.addr_width();
    to["s1_sum_o"] = n + "_s1_sum";
    to["w_we_i"] = "wr_weight & " + lsel;
    to["w_pe_i"] = vast::slice("wr_row_q", 0, h.piw);
    to["r_pe_i"] = vast::slice("rd_row_i", 0, h.piw);
    to["w_addr_i"] = fmt::format("wr_en_q ? {} : {}", vast::slice("wr_col_q", 0, aw), vast::slice("rd_col_q", 0, aw));
    to["w_data_i"] = vast::slice("wr_data_q", 0, w);
    to["w_rd_o"] = n + "_w_rd";
    if (h.type == LayerType::kFc) {
      to["t_we_i"] = last ? "wr_target" : "1'b0";
      to["t_idx_i"] = vast::slice("wr_col_q", 0, h.niw);
      to["t_data_i"] = vast::slice("wr_data_q", 0, w);
    }
    to["alpha_we_i"] = "wr_alpha & " + lsel;
    to["neg_alpha_i"] = vast::slice("wr_data_q", 0, w);
    return to;
  }

  // Layer i's template instance, its ports in the interface's order.
  vast::Instance layer_instance(int i) const {
    const NetLayerHw& h = hw(i);
    vast::Instance inst;
    inst.module = layer_module(h);
    inst.name = "u_" + name_of(i);
    inst.comment = layer_comment(i);
    inst.params = render_params(layer_param_values(hw_, static_cast<std::size_t>(i)), pe_of(i));
    if (h.type == LayerType::kPool)
      for (auto& p : inst.params)
        if (p.name == "MEM") p.comment = "its Y buffer: flip-flops or SRAM";  // a pool has no scratchpad
    std::map<std::string, std::string> to = layer_wiring(i);
    for (const LayerPort& p : layer_ports(h.type)) {
      const auto it = to.find(p.name);
      if (it == to.end())
        throw std::logic_error(fmt::format("net_top: port {} of {} is not wired", p.name, inst.module));
      inst.conns.push_back({p.name, it->second});
      to.erase(it);
    }
    if (!to.empty())
      throw std::logic_error(fmt::format("net_top: {} has no port {}", inst.module, to.begin()->first));
    return inst;
  }

  void layer_read(int i) {
    const std::string n = name_of(i);
    const int w = fmt_of(i).width();
    const std::string w_rd = hw(i).weighted() ? sext_host(n + "_w_rd", w) : zeros(kHostDataBits);
    const std::string layer_rd = fmt::format(
        "({} ? {} : {} ? {} : {})", target_is("rd_target_i", "TAXONN_RD_WEIGHT"), w_rd,
        target_is("rd_target_i", "TAXONN_RD_Y"), sext_host(n + "_y_rd", w), sext_host(n + "_g_rd", w));
    rd_mux_ = fmt::format("(rd_layer_i == {}) ? {} :\n                   {}", vast::dec(lw_, static_cast<unsigned>(i)),
                          layer_rd, rd_mux_);
  }

  const Config& c_;
  const std::vector<NetLayerHw>& hw_;
  const int nl_, lw_;
  vast::Module m_;
  std::vector<std::string> unused_;
  std::string rd_mux_;
};

}  // namespace

vast::Module net_top(const Config& c, const std::vector<NetLayerHw>& hw) { return TopBuilder(c, hw).build(); }

}  // namespace taxonn
