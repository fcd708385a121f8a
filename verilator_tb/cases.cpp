// Case tables of the co-simulation. Widths W <= 8 run exhaustively where the
// inputs allow; W = 13..21 (the paper's Tables II/III) run 100,000 random and
// corner vectors each.
#include "cases.hpp"

#include <map>
#include <stdexcept>

#include <fmt/format.h>

#include "pe.hpp"

namespace taxonn::tb {
namespace {

constexpr int kGuard = 4;  // guard bits of the accumulator-sized cases

std::string rnd_macro_name(int r) { return rnd_macro(static_cast<Rounding>(r)); }
std::string act_macro_name(int a) { return act_macro(static_cast<Activation>(a)); }

Param num(const std::string& n, long long v) { return {n, v, std::to_string(v)}; }

// The formats under test: narrow ones (exhaustive) and W = 13..21 with the
// integer bits of the paper's formats.
struct Fmt {
  int i, f;
};
const std::vector<Fmt>& narrow() {
  static const std::vector<Fmt> v = {{1, 1}, {1, 2}, {2, 2}, {1, 4}, {3, 3}, {2, 5}, {1, 7}, {4, 4}};
  return v;
}
const std::vector<Fmt>& wide() {
  static const std::vector<Fmt> v = {{1, 12}, {2, 12}, {3, 12}, {2, 14}, {4, 13},
                                     {3, 15}, {1, 18}, {4, 16}, {5, 16}};
  return v;
}
std::vector<Fmt> all_formats() {
  std::vector<Fmt> v = narrow();
  v.insert(v.end(), wide().begin(), wide().end());
  v.push_back({8, 24});  // the widest format a config accepts
  return v;
}

// A case of taxonn_<prim> whose words are `w` bits (a memory's: no format).
PrimCase word_case(const std::string& prim, int w) {
  PrimCase c;
  c.prim = prim;
  c.module = "taxonn_" + prim;
  c.w = w;
  return c;
}

PrimCase base_case(const std::string& prim, const Fmt& q) {
  PrimCase c = word_case(prim, q.i + q.f);
  c.i = q.i;
  c.f = q.f;
  return c;
}

}  // namespace

long long PrimCase::get(const std::string& name) const {
  for (const auto& p : params)
    if (p.name == name) return p.value;
  throw std::logic_error("no parameter " + name + " in " + module);
}

std::string PrimCase::describe() const {
  std::string s = module + " #(";
  for (std::size_t k = 0; k < params.size(); ++k)
    s += fmt::format("{}{}={}", k ? " " : "", params[k].name, params[k].verilog);
  return s + fmt::format(") W={} I={} F={}", w, i, f);
}

int PrimCase::in_bits() const {
  int b = 0;
  for (const auto& x : in) b += x.used ? x.width : 0;
  return b;
}

const std::vector<std::string>& prim_names() {
  static const std::vector<std::string> v = {"mul", "sat", "rq", "plan_sigmoid", "act", "act_deriv",
                                             "lfsr", "sat_counter", "acc", "spad", "rounder", "convert", "pool",
                                             "g_unit", "fd_unit", "xbuf", "spad_sram", "reg_en", "bank",
                                             "host_buf"};
  return v;
}

namespace {

std::vector<PrimCase> cases_mul(const std::string& prim) {
  std::vector<PrimCase> out;
  for (const Fmt& q : all_formats()) {
    PrimCase c = base_case(prim, q);
    c.params = {num("W", c.w)};
    c.in = {{"a_i", c.w, true}, {"b_i", c.w, true}};
    c.out = {{"p_o", 2 * c.w, true}};
    out.push_back(c);
  }
  return out;
}

std::vector<PrimCase> cases_sat(const std::string& prim) {
  std::vector<PrimCase> out;
  for (const Fmt& q : all_formats()) {
    for (int extra : {-2, 0, 3, kGuard + q.f}) {  // narrower, equal, and wider inputs
      PrimCase c = base_case(prim, q);
      const int in_w = std::max(1, c.w + extra);
      c.params = {num("IN_W", in_w), num("OUT_W", c.w)};
      c.in = {{"x_i", in_w, true}};
      c.out = {{"q_o", c.w, true}, {"sat_o", 1, false}};
      out.push_back(c);
    }
  }
  return out;
}

std::vector<PrimCase> cases_rq(const std::string& prim) {
  std::vector<PrimCase> out;
  for (const Fmt& q : all_formats()) {
    for (int rnd = 0; rnd < 3; ++rnd) {
      for (int post : {0, 2}) {
        PrimCase c = base_case(prim, q);
        // Exhaustive cases round a product (2W bits); wide ones an accumulator.
        const int in_w = c.w <= 8 ? 2 * c.w : 2 * c.w + kGuard;
        const int round_w = in_w + 1 - q.f;
        c.params = {num("IN_W", in_w), num("SHIFT", q.f), num("OUT_W", c.w),
                    Param{"RND", rnd, rnd_macro_name(rnd)}, num("POST_SHIFT", post)};
        // en_i low: every output 0 (operand isolation), en_i high: rq.
        c.in = {{"x_i", in_w, true}, {"rnd_i", q.f, false, rnd == 2}, {"en_i", 1, false}};
        c.out = {{"q_o", c.w, true}, {"sat_o", 1, false}, {"rounded_o", round_w, true}};
        out.push_back(c);
      }
    }
  }
  return out;
}

std::vector<PrimCase> cases_convert(const std::string& prim) {
  std::vector<PrimCase> out;
  // Into Q(I,F) from: step 1's sum of products (2F fractional bits, wider),
  // a neighbour with 2 more fractional bits, one with fewer (exact widening),
  // and one of the same F with more integer bits (saturation only).
  struct From {
    int w_extra, f_extra;
  };
  for (const Fmt& q : all_formats()) {
    for (const From fr : {From{q.i + q.f + 3, q.f}, From{1, 2}, From{-1, -1}, From{2, 0}}) {
      const int in_f = q.f + fr.f_extra, in_w = q.i + q.f + fr.w_extra;
      if (in_f < 1 || in_w < 2 || in_w > 64) continue;
      for (int rnd = 0; rnd < 3; ++rnd) {
        PrimCase c = base_case(prim, q);
        c.params = {num("IN_W", in_w), num("IN_F", in_f), num("OUT_W", c.w), num("OUT_F", q.f),
                    Param{"RND", rnd, rnd_macro_name(rnd)}};
        const int shift = in_f - q.f;
        c.in = {{"x_i", in_w, true}, {"rnd_i", shift > 0 ? shift : 1, false, rnd == 2 && shift > 0}};
        c.out = {{"q_o", c.w, true}, {"sat_o", 1, false}};
        out.push_back(c);
      }
    }
  }
  return out;
}

std::vector<PrimCase> cases_pool(const std::string& prim) {
  std::vector<PrimCase> out;
  for (const Fmt& q : all_formats()) {
    for (int kind = 0; kind < 2; ++kind) {
      for (int rnd = 0; rnd < (kind == 0 ? 1 : 2); ++rnd) {  // max does not round
        PrimCase c = base_case(prim, q);
        c.params = {num("W", c.w), Param{"KIND", kind, pool_macro(static_cast<PoolKind>(kind))},
                    Param{"RND", rnd, rnd_macro_name(rnd)}};
        c.in = {{"a_i", c.w, true}, {"b_i", c.w, true}, {"c_i", c.w, true}, {"d_i", c.w, true},
                {"g_i", c.w, true}, {"arg_i", 2, false, kind == 0}};
        c.out = {{"y_o", c.w, true}, {"arg_o", 2, false}, {"ga_o", c.w, true},
                 {"gb_o", c.w, true}, {"gc_o", c.w, true}, {"gd_o", c.w, true}};
        out.push_back(c);
      }
    }
  }
  return out;
}

std::vector<PrimCase> cases_g_unit(const std::string& prim) {
  std::vector<PrimCase> out;
  for (const Fmt& q : all_formats()) {
    for (int a = 0; a < kActivationCount; ++a) {
      for (int rnd = 0; rnd < 3; ++rnd) {
        PrimCase c = base_case(prim, q);
        c.params = {num("W", c.w), num("F", q.f), Param{"ACT", a, act_macro_name(a)},
                    Param{"RND", rnd, rnd_macro_name(rnd)}};
        // the draw matters where the unit rounds: sigmoid and tanh, stochastic
        const bool draws = rnd == 2 && (a == static_cast<int>(Activation::kSigmoid) ||
                                        a == static_cast<int>(Activation::kTanh));
        if (prim == "g_unit") {
          c.in = {{"r1_i", c.w, true}, {"fd_i", c.w, true}, {"rnd_i", q.f, false, draws}};
          c.out = {{"g_o", c.w, true}};
        } else {
          c.in = {{"z_i", c.w, true}, {"rnd_i", q.f, false, draws}};
          c.out = {{"fd_o", c.w, true}};
        }
        out.push_back(c);
      }
    }
  }
  return out;
}

std::vector<PrimCase> cases_plan_sigmoid(const std::string& prim) {
  std::vector<PrimCase> out;
  for (const Fmt& q : all_formats()) {
    for (int doubled : {0, 1}) {  // tanh feeds it 2z, one bit wider
      PrimCase c = base_case(prim, q);
      c.params = {num("IN_W", c.w + doubled), num("F", q.f)};
      c.in = {{"x_i", c.w + doubled, true}, {"en_i", 1, false}};  // en_i low: s_o is 0
      c.out = {{"s_o", q.f + 1, false}};
      out.push_back(c);
    }
  }
  return out;
}

std::vector<PrimCase> cases_act(const std::string& prim) {
  std::vector<PrimCase> out;
  for (const Fmt& q : all_formats()) {
    for (int a = 0; a < kActivationCount; ++a) {
      PrimCase c = base_case(prim, q);
      c.params = {num("W", c.w), num("F", q.f), Param{"ACT", a, act_macro_name(a)}};
      c.in = {{"z_i", c.w, true}};
      if (prim == "act_deriv") c.in.push_back({"en_i", 1, false});  // low: a_o, b_o are 0
      if (prim == "act") c.out = {{"y_o", c.w, true}, {"sat_o", 1, false}};
      else c.out = {{"a_o", c.w, true}, {"b_o", c.w, true}, {"mask_o", 1, false}};
      out.push_back(c);
    }
  }
  return out;
}

std::vector<PrimCase> cases_lfsr(const std::string& prim) {
  std::vector<PrimCase> out;
  struct L {
    int w;
    long long poly, seed;
  };
  for (const L& l : {L{2, 0x3, 0x1}, L{4, 0xC, 0x9}, L{8, 0xB8, 0x5A}, L{16, 0xB400, 0xACE1},
                     L{24, 0xE10000, 0xACE1}, L{32, 0xA3000000, 0x12345678}}) {
    PrimCase c;
    c.prim = prim;
    c.module = "taxonn_lfsr";
    c.w = l.w;
    c.params = {num("LW", l.w), Param{"POLY", l.poly, fmt::format("{}'h{:X}", l.w, l.poly)},
                Param{"SEED", l.seed, fmt::format("{}'h{:X}", l.w, l.seed)}};
    c.in = {{"en_i", 1, false}};
    c.out = {{"state_o", l.w, false}};
    c.sequential = true;
    out.push_back(c);
  }
  return out;
}

std::vector<PrimCase> cases_sat_counter(const std::string& prim) {
  std::vector<PrimCase> out;
  for (int cw : {1, 2, 3, 8, 16, 32}) {
    PrimCase c;
    c.prim = prim;
    c.module = "taxonn_sat_counter";
    c.w = cw;
    c.params = {num("CW", cw)};
    c.in = {{"inc_i", 1, false}};
    c.out = {{"count_o", cw, false}};
    c.sequential = true;
    out.push_back(c);
  }
  return out;
}

// The PEs' enabled registers, with a hold multiplexer and on a gated clock
// (clock_gating): random enables and data every cycle, resets mid-run,
// from 1 to 32 bits.
std::vector<PrimCase> cases_reg_en(const std::string& prim) {
  std::vector<PrimCase> out;
  for (int gate : {0, 1})
  for (int w : {1, 5, 16, 32}) {
    PrimCase c = word_case(prim, w);
    c.params = {num("W", w), num("GATE", gate)};
    c.in = {{"en_i", 1, false}, {"d_i", w, false}};
    c.out = {{"q_o", w, false}};
    c.sequential = true;
    out.push_back(c);
  }
  return out;
}

std::vector<PrimCase> cases_acc(const std::string& prim) {
  std::vector<PrimCase> out;
  for (const Fmt& q : all_formats()) {
    for (int has_base : {0, 1}) {
      PrimCase c = base_case(prim, q);
      const int acc_w = 2 * c.w + kGuard;
      c.params = {num("ACC_W", acc_w), num("P_W", 2 * c.w), num("HAS_BASE", has_base)};
      c.in = {{"op_i", kAccOpBits, false}, {"prod_i", 2 * c.w, true}, {"base_i", acc_w, true}};
      c.out = {{"acc_o", acc_w, true}};
      c.sequential = true;
      out.push_back(c);
    }
  }
  return out;
}

// The scratchpads' shapes (both kinds): depths below and at a power of two,
// addresses past DEPTH.
struct SpadShape {
  int w, depth, aw;
};
const SpadShape kSpadShapes[] = {{4, 1, 1}, {8, 5, 3}, {16, 8, 3}, {13, 16, 4}, {21, 7, 3}, {32, 33, 6}};

// Each shape twice: with a write enable, and with every word on a gated
// clock (GATE 1, taxonn_clock_gate): a gate that pulses for the wrong word,
// or lets a late enable through, writes a word the twin does not.
std::vector<PrimCase> cases_spad(const std::string& prim) {
  std::vector<PrimCase> out;
  for (int gate : {0, 1})
  for (const SpadShape& s : kSpadShapes) {
    PrimCase c = word_case(prim, s.w);
    c.params = {num("W", s.w), num("DEPTH", s.depth), num("AW", s.aw)};
    if (gate) c.params.push_back(num("GATE", 1));
    c.in = {{"rd_addr_i", s.aw, false}, {"we_i", 1, false}, {"wr_addr_i", s.aw, false}, {"wr_data_i", s.w, false}};
    c.out = {{"rd_data_o", s.w, false}};
    c.sequential = true;
    c.reset = false;
    c.rst_port = false;
    out.push_back(c);
  }
  return out;
}

// The SRAM scratchpad (taxonn_spad_sram around taxonn_sram_model): random
// read requests and writes on every cycle, so held writes meet reads and
// writes (the port order), on the flip-flop scratchpad's shapes.
std::vector<PrimCase> cases_spad_sram(const std::string& prim) {
  std::vector<PrimCase> out;
  for (const SpadShape& s : kSpadShapes) {
    PrimCase c = word_case(prim, s.w);
    c.params = {num("W", s.w), num("DEPTH", s.depth), num("AW", s.aw)};
    c.in = {{"rd_en_i", 1, false},
            {"rd_addr_i", s.aw, false},
            {"we_i", 1, false},
            {"wr_addr_i", s.aw, false},
            {"wr_data_i", s.w, false}};
    c.out = {{"rd_data_o", s.w, false}};
    c.sequential = true;
    c.reset = false;  // its words keep their values through a reset: reset once, at the start
    out.push_back(c);
  }
  return out;
}

// Single and double buffers, one read port and several (conv rows), N
// below and at a power of two (the reads and writes past N).
std::vector<PrimCase> cases_xbuf(const std::string& prim) {
  std::vector<PrimCase> out;
  struct S {
    int w, n, iw, nrd, db;
  };
  for (const S& s : {S{4, 1, 1, 1, 1}, S{8, 5, 3, 1, 0}, S{8, 5, 3, 1, 1}, S{16, 16, 4, 3, 1}, S{13, 12, 4, 2, 0},
                     S{14, 20, 5, 4, 1}}) {
    PrimCase c = word_case(prim, s.w);
    c.params = {num("W", s.w), num("N", s.n), num("IW", s.iw), num("NRD", s.nrd), num("DB", s.db)};
    c.in = {{"swap_i", 1, false},
            {"we_i", 1, false},
            {"wr_idx_i", s.iw, false},
            {"wr_data_i", s.w, false},
            {"rd_idx_i", s.nrd * s.iw, false}};
    c.out = {{"rd_data_o", s.nrd * s.w, false}};
    c.sequential = true;
    c.reset = false;  // its words keep their values through a reset: reset once, at the start
    out.push_back(c);
  }
  return out;
}

// Conv layer banks: depths below and at a power of two, one to four read
// ports (the G bank's 1 + KS), and a LeNet-5 conv1 z bank (784 words).
std::vector<PrimCase> cases_bank(const std::string& prim) {
  std::vector<PrimCase> out;
  struct S {
    int w, depth, aw, nrd;
  };
  for (const S& s : {S{4, 1, 1, 1}, S{8, 5, 3, 2}, S{16, 8, 3, 1}, S{13, 16, 4, 3}, S{21, 7, 3, 4}, S{32, 33, 6, 2},
                     S{14, 784, 10, 1}}) {
    PrimCase c = word_case(prim, s.w);
    c.params = {num("W", s.w), num("DEPTH", s.depth), num("AW", s.aw), num("NRD", s.nrd)};
    c.in = {{"we_i", 1, false},
            {"wr_addr_i", s.aw, false, true, s.depth},
            {"wr_data_i", s.w, false},
            {"rd_addr_i", s.nrd * s.aw, false, true, s.depth, s.aw}};
    c.out = {{"rd_data_o", s.nrd * s.w, false}};
    c.sequential = true;
    c.reset = false;
    c.rst_port = false;
    out.push_back(c);
  }
  return out;
}

// Output buffers, flip-flops and SRAM: depths below and at a power of two
// and LeNet-5's conv1 Y (3,456 words), writes on random cycles, a read
// index every cycle. Flip-flop reads stay below DEPTH (no range check, as
// taxonn_bank); SRAM reads also go past it (the macro model ignores them).
std::vector<PrimCase> cases_host_buf(const std::string& prim) {
  std::vector<PrimCase> out;
  struct S {
    int w, depth, aw;
  };
  for (int mem : {static_cast<int>(Memory::kFlops), static_cast<int>(Memory::kSram)}) {
    for (const S& s : {S{4, 1, 1}, S{8, 5, 3}, S{16, 8, 3}, S{13, 33, 6}, S{14, 3456, 12}}) {
      PrimCase c = word_case(prim, s.w);
      c.params = {num("W", s.w), num("DEPTH", s.depth), num("AW", s.aw),
                  Param{"MEM", mem, mem_macro(static_cast<Memory>(mem))}};
      const bool sram = mem == static_cast<int>(Memory::kSram);
      c.in = {{"we_i", 1, false},
              {"wr_addr_i", s.aw, false, true, s.depth},
              {"wr_data_i", s.w, false},
              {"rd_addr_i", s.aw, false, true, sram ? 0 : s.depth}};
      c.out = {{"rd_data_o", s.w, false}};
      c.sequential = true;
      c.reset = false;
      c.rst_port = false;
      out.push_back(c);
    }
  }
  return out;
}

std::vector<PrimCase> cases_rounder(const std::string& prim) {
  std::vector<PrimCase> out;
  // A 32-bit LFSR, so that every F up to 24 has its random bits.
  constexpr long long kPoly = 0xA3000000, kSeed = 0x12345678;
  for (const Fmt& q : all_formats()) {
    for (int rnd = 0; rnd < 3; ++rnd) {
      PrimCase c = base_case(prim, q);
      const int in_w = 2 * c.w + kGuard;
      c.params = {num("IN_W", in_w), num("F", q.f), num("OUT_W", c.w), Param{"RND", rnd, rnd_macro_name(rnd)},
                  num("LFSR_W", 32), Param{"LFSR_POLY", kPoly, "32'hA3000000"},
                  Param{"LFSR_SEED", kSeed, "32'h12345678"}};
      c.in = {{"use_i", 1, false}, {"x_i", in_w, true}};
      c.out = {{"q_o", c.w, true}, {"sat_o", 1, false}, {"rounded_o", in_w + 1 - q.f, true}};
      c.sequential = true;
      out.push_back(c);
    }
  }
  return out;
}

}  // namespace

std::vector<PrimCase> prim_cases(const std::string& prim) {
  using Builder = std::vector<PrimCase> (*)(const std::string&);
  static const std::map<std::string, Builder> builders = {
      {"mul", cases_mul},
      {"sat", cases_sat},
      {"rq", cases_rq},
      {"convert", cases_convert},
      {"pool", cases_pool},
      {"g_unit", cases_g_unit},
      {"fd_unit", cases_g_unit},
      {"plan_sigmoid", cases_plan_sigmoid},
      {"act", cases_act},
      {"act_deriv", cases_act},
      {"lfsr", cases_lfsr},
      {"sat_counter", cases_sat_counter},
      {"acc", cases_acc},
      {"spad", cases_spad},
      {"reg_en", cases_reg_en},
      {"xbuf", cases_xbuf},
      {"spad_sram", cases_spad_sram},
      {"bank", cases_bank},
      {"host_buf", cases_host_buf},
      {"rounder", cases_rounder},
  };
  const auto it = builders.find(prim);
  if (it == builders.end()) throw std::invalid_argument("unknown primitive '" + prim + "'");
  return it->second(prim);
}

Layout layout(const std::vector<PrimCase>& cases) {
  Layout l;
  for (const auto& c : cases) {
    std::vector<int> in, o;
    for (const auto& f : c.in) {
      in.push_back(l.in_total);
      l.in_total += f.width;
    }
    for (const auto& f : c.out) {
      o.push_back(l.out_total);
      l.out_total += f.width;
    }
    l.in_off.push_back(in);
    l.out_off.push_back(o);
  }
  return l;
}

std::vector<PeCase> pe_cases(const Config& c) {
  std::vector<PeCase> v;
  for (std::size_t i = 0; i < c.layers.size(); ++i) {
    if (!c.layers[i].weighted()) continue;
    for (PeKind k : {PeKind::kBase, PeKind::kTaxonn}) {
      PeCase pc;
      pc.params = pe_params(c, i);
      pc.kind = k;
      pc.ports = pe_ports(pc.params, k);
      pc.module = pe_module_name(pc.params.layer, k);
      v.push_back(pc);
    }
  }
  return v;
}

Layout pe_layout(const std::vector<PeCase>& cases) {
  Layout l;
  for (const auto& c : cases) {
    std::vector<int> in, o;
    for (const auto& p : c.ports) {
      if (p.input) {
        in.push_back(l.in_total);
        o.push_back(-1);
        l.in_total += p.width;
      } else {
        in.push_back(-1);
        o.push_back(l.out_total);
        l.out_total += p.width;
      }
    }
    l.in_off.push_back(in);
    l.out_off.push_back(o);
  }
  return l;
}

}  // namespace taxonn::tb
