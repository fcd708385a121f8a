// PE port lists (CONTRACT 5).
#include "pe_interface.hpp"

#include <stdexcept>

#include <fmt/format.h>

#include "pe.hpp"

namespace taxonn {

std::string pe_module_name(const std::string& layer, PeKind kind) {
  return fmt::format("taxonn_{}_{}", layer, kind == PeKind::kBase ? "pe_base" : "pe");
}

std::string act_module_name(const std::string& layer) { return fmt::format("taxonn_{}_act", layer); }

std::vector<HwParam> pe_param_values(const PeParams& p, PeKind kind) {
  std::vector<HwParam> v = {{"W", p.width()}, {"F", p.fmt.frac_bits}};
  if (kind == PeKind::kTaxonn) v.push_back({"ACT", static_cast<int>(p.act)});
  v.insert(v.end(), {{"RND", static_cast<int>(p.fmt.rounding)},
                     {"MEM", static_cast<int>(p.memory)}});
  // Named only when on, so that an ungated design keeps its bytes.
  if (p.clock_gating) v.push_back({"GATE", 1});
  v.insert(v.end(), {{"DEPTH", p.depth},
                     {"AW", p.addr_width()},
                     {"GUARD", p.guard_bits},
                     {"SAT_CNT_W", p.sat_cnt_width},
                     {"LFSR_W", p.lfsr.width},
                     {"LFSR_POLY", p.lfsr.polynomial},
                     {"LFSR_SEED", p.lfsr.seed}});
  return v;
}

std::vector<PortSpec> pe_ports(const PeParams& p, PeKind kind) {
    const int w = p.width();
  const std::string q = p.fmt.name();
  std::vector<PortSpec> v;
  if (kind == PeKind::kTaxonn) {
    v.push_back({"mul_a_sel_i", true, kMulASelBits, false, "MUX1 select"});
    v.push_back({"mul_b_sel_i", true, kMulBSelBits, false, "MUX2 select"});
  }
  v.push_back({"acc_op_i", true, kAccOpBits, false, "accumulator op (MUX3)"});
  v.push_back({"dst_i", true, kDstBits, false, "where the rounder's result goes"});
  v.push_back({"fwd_en_i", true, 1, false, "capture x_i for the next PE"});
  v.push_back({"rd_en_i", true, 1, false, "memory sram: the next cycle reads rd_addr_i"});
  v.push_back({"rd_addr_i", true, p.addr_width(), false,
               p.memory == Memory::kSram ? "scratchpad word the next cycle reads" : "scratchpad read address"});
  v.push_back({"wr_addr_i", true, p.addr_width(), false, "scratchpad write address"});
  v.push_back({"x_i", true, w, true, q + ": X, G_{i+1} or X_i"});
  v.push_back({"w_i", true, w, true, q + ": W_{i+1} or a weight to load"});
  if (kind == PeKind::kTaxonn)
    v.push_back({"neg_alpha_i", true, w, true, q + ": -alpha"});
  v.push_back({"x_fwd_o", false, w, true, q + ": forwarded input"});
  v.push_back({"sum_o", false, w, true,
               q + (kind == PeKind::kTaxonn ? ": z = rq(acc), then R1, then D = rq(G X)" : ": z = rq(acc)")});
  v.push_back({"spad_rd_o", false, w, true, q + ": scratchpad[rd_addr_i]"});
  v.push_back({"acc_o", false, p.acc_width(), true,
               fmt::format("2W + {} guard bits, 2F fractional", p.guard_bits)});
  if (kind == PeKind::kTaxonn) {
    v.push_back({"g_o", false, w, true, q + ": f'(z), then G_i"});
  }
  v.push_back({"sat_cnt_o", false, p.sat_cnt_width, false, "saturation events"});
  return v;
}

Wide pe_input_value(const std::string& port, const PeCycle& c) {
  if (port == "mul_a_sel_i") return static_cast<int>(c.ctrl.mul_a);
  if (port == "mul_b_sel_i") return static_cast<int>(c.ctrl.mul_b);
  if (port == "acc_op_i") return static_cast<int>(c.ctrl.acc);
  if (port == "dst_i") return static_cast<int>(c.ctrl.dst);
  if (port == "fwd_en_i") return c.ctrl.fwd;
  if (port == "rd_en_i") return c.ctrl.rd_en ? 1 : 0;
  if (port == "rd_addr_i") return c.ctrl.rd_addr;
  if (port == "wr_addr_i") return c.ctrl.wr_addr;
  if (port == "x_i") return c.in.x;
  if (port == "w_i") return c.in.w;
  if (port == "neg_alpha_i") return c.in.neg_alpha;
  throw std::logic_error("no PE input port " + port);
}

}  // namespace taxonn
