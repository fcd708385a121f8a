// Co-simulation of one primitive's harness (all its parameter sets at once)
// against its golden twin, every output bit on every vector or cycle.
// Compiled once; each primitive's binary links it with its harness model and
// glue (dut_glue.hpp), which names the primitive (verilator_tb/CMakeLists.txt).
#include <algorithm>
#include <memory>

#include "cases.hpp"
#include "pe.hpp"
#include "primitives.hpp"
#include "tb_common.hpp"

namespace taxonn::tb {
namespace {

// The golden twin of one case: eval() gives the outputs visible with the
// given inputs (before the clock edge), clock() takes the edge.
class Model {
 public:
  virtual ~Model() = default;
  virtual std::vector<Wide> eval(const std::vector<Wide>& in) = 0;
  virtual void clock(const std::vector<Wide>&) {}
};

QFormat fmt_of(int width, int frac, Rounding rnd = Rounding::kNearest) {
  QFormat q;
  q.int_bits = width - frac;
  q.frac_bits = frac;
  q.rounding = rnd;
  return q;
}

template <class F>
class Comb : public Model {
 public:
  explicit Comb(F f) : f_(f) {}
  std::vector<Wide> eval(const std::vector<Wide>& in) override { return f_(in); }

 private:
  F f_;
};
template <class F>
std::unique_ptr<Model> comb(F f) {
  return std::make_unique<Comb<F>>(f);
}

class LfsrModel : public Model {
 public:
  explicit LfsrModel(const PrimCase& c)
      : l_(LfsrParams{static_cast<int>(c.get("LW")), static_cast<std::uint32_t>(c.get("POLY")),
                      static_cast<std::uint32_t>(c.get("SEED"))}) {}
  std::vector<Wide> eval(const std::vector<Wide>&) override { return {static_cast<Wide>(l_.state())}; }
  void clock(const std::vector<Wide>& in) override {
    if (in[0]) l_.step();
  }

 private:
  Lfsr l_;
};

class SatCounterModel : public Model {
 public:
  explicit SatCounterModel(const PrimCase& c) : s_(static_cast<int>(c.get("CW"))) {}
  std::vector<Wide> eval(const std::vector<Wide>&) override { return {static_cast<Wide>(s_.count())}; }
  void clock(const std::vector<Wide>& in) override { s_.step(in[0] != 0); }

 private:
  SatCounter s_;
};

class AccModel : public Model {
 public:
  explicit AccModel(const PrimCase& c)
      : w_(static_cast<int>(c.get("ACC_W"))), has_base_(c.get("HAS_BASE") != 0) {}
  std::vector<Wide> eval(const std::vector<Wide>&) override { return {acc_}; }
  void clock(const std::vector<Wide>& in) override {
    acc_ = acc_next(static_cast<AccOp>(in[0]), acc_, in[1], in[2], w_, has_base_);
  }

 private:
  int w_;
  bool has_base_;
  Wide acc_ = 0;
};

class SpadModel : public Model {
 public:
  explicit SpadModel(const PrimCase& c)
      : s_(static_cast<int>(c.get("DEPTH")), static_cast<int>(c.get("W"))) {}
  std::vector<Wide> eval(const std::vector<Wide>& in) override { return {s_.read(static_cast<int>(in[0]))}; }
  void clock(const std::vector<Wide>& in) override {
    if (in[1]) s_.write(static_cast<int>(in[2]), in[3]);
  }

 private:
  Spad s_;
};

// Inputs en_i, d_i: an enabled register (taxonn::Pe's x_fwd, sum and G),
// 0 after reset.
class RegEnModel : public Model {
 public:
  explicit RegEnModel(const PrimCase&) {}
  std::vector<Wide> eval(const std::vector<Wide>&) override { return {q_}; }
  void clock(const std::vector<Wide>& in) override {
    if (in[0]) q_ = in[1];
  }

 private:
  Wide q_ = 0;
};

// Inputs rd_en_i, rd_addr_i, we_i, wr_addr_i, wr_data_i: one clock edge of
// the port (held write, read, write).
class SpadSramModel : public Model {
 public:
  explicit SpadSramModel(const PrimCase& c)
      : s_(static_cast<int>(c.get("DEPTH")), static_cast<int>(c.get("W"))) {}
  std::vector<Wide> eval(const std::vector<Wide>&) override { return {s_.data()}; }
  void clock(const std::vector<Wide>& in) override {
    s_.clock(in[0] != 0, static_cast<int>(in[1]), in[2] != 0, static_cast<int>(in[3]), in[4]);
  }

 private:
  SpadSram s_;
};

// NRD read ports of AW-bit addresses packed in `addrs` (port r at bits
// r*AW), their W-bit words packed the same way (port r at bits r*W).
template <class Read>
U128 read_ports(U128 addrs, int nrd, int aw, int w, Read read) {
  U128 out = 0;
  for (int r = 0; r < nrd; ++r)
    out |= static_cast<U128>(to_bits(read(static_cast<int>((addrs >> (r * aw)) & ((U128{1} << aw) - 1))), w)) << (r * w);
  return out;
}

// Inputs swap_i, we_i, wr_idx_i, wr_data_i, rd_idx_i (NRD packed indices);
// the output packs NRD words.
class XBufModel : public Model {
 public:
  explicit XBufModel(const PrimCase& c)
      : w_(static_cast<int>(c.get("W"))), iw_(static_cast<int>(c.get("IW"))), nrd_(static_cast<int>(c.get("NRD"))),
        b_(static_cast<int>(c.get("N")), w_, c.get("DB") != 0) {}
  std::vector<Wide> eval(const std::vector<Wide>& in) override {
    return {static_cast<Wide>(read_ports(static_cast<U128>(in[4]), nrd_, iw_, w_, [&](int i) { return b_.read(i); }))};
  }
  void clock(const std::vector<Wide>& in) override {
    if (in[1]) b_.write(static_cast<int>(in[2]), in[3]);
    if (in[0]) b_.swap();
  }

 private:
  int w_, iw_, nrd_;
  XBuf b_;
};

// Inputs we_i, wr_addr_i, wr_data_i, rd_addr_i (NRD packed addresses).
class BankModel : public Model {
 public:
  explicit BankModel(const PrimCase& c)
      : w_(static_cast<int>(c.get("W"))), aw_(static_cast<int>(c.get("AW"))), nrd_(static_cast<int>(c.get("NRD"))),
        b_(static_cast<int>(c.get("DEPTH")), w_) {}
  std::vector<Wide> eval(const std::vector<Wide>& in) override {
    return {static_cast<Wide>(read_ports(static_cast<U128>(in[3]), nrd_, aw_, w_, [&](int a) { return b_.read(a); }))};
  }
  void clock(const std::vector<Wide>& in) override {
    if (in[0]) b_.write(static_cast<int>(in[1]), in[2]);
  }

 private:
  int w_, aw_, nrd_;
  Bank b_;
};

// Inputs we_i, wr_addr_i, wr_data_i, rd_addr_i.
class HostBufModel : public Model {
 public:
  explicit HostBufModel(const PrimCase& c)
      : b_(static_cast<int>(c.get("DEPTH")), static_cast<int>(c.get("W")), static_cast<Memory>(c.get("MEM"))) {}
  std::vector<Wide> eval(const std::vector<Wide>& in) override { return {b_.read(static_cast<int>(in[3]))}; }
  void clock(const std::vector<Wide>& in) override {
    b_.clock(in[0] != 0, static_cast<int>(in[1]), in[2], static_cast<int>(in[3]));
  }

 private:
  HostBuf b_;
};

class RounderModel : public Model {
 public:
  explicit RounderModel(const PrimCase& c)
      : r_(fmt_of(static_cast<int>(c.get("OUT_W")), static_cast<int>(c.get("F")), static_cast<Rounding>(c.get("RND"))),
           LfsrParams{static_cast<int>(c.get("LFSR_W")), static_cast<std::uint32_t>(c.get("LFSR_POLY")),
                      static_cast<std::uint32_t>(c.get("LFSR_SEED"))}) {}
  std::vector<Wide> eval(const std::vector<Wide>& in) override {
    if (!in[0]) return {0, 0, 0};  // use_i low: the rounding is not evaluated (taxonn_rq's en_i)
    const SatResult q = r_.round(in[1]);
    return {q.value, q.saturated, r_.rounded(in[1])};
  }
  void clock(const std::vector<Wide>& in) override {
    if (in[0]) r_.use();
  }

 private:
  Rounder r_;
};

std::unique_ptr<Model> make_model(const PrimCase& c) {
  const std::string& p = c.prim;
  if (p == "mul") return comb([](const std::vector<Wide>& in) { return std::vector<Wide>{mul(in[0], in[1])}; });
  if (p == "sat") {
    const int ow = static_cast<int>(c.get("OUT_W"));
    return comb([ow](const std::vector<Wide>& in) {
      const SatResult r = sat(in[0], ow);
      return std::vector<Wide>{r.value, r.saturated};
    });
  }
  if (p == "rq") {
    const int shift = static_cast<int>(c.get("SHIFT")), ow = static_cast<int>(c.get("OUT_W"));
    const int post = static_cast<int>(c.get("POST_SHIFT"));
    const auto mode = static_cast<Rounding>(c.get("RND"));
    const QFormat q = fmt_of(ow, shift);
    return comb([=](const std::vector<Wide>& in) {
      if (in[2] == 0) return std::vector<Wide>{0, 0, 0};  // en_i low
      const auto rnd = static_cast<std::uint64_t>(in[1]);
      const SatResult r = rq(in[0], shift, q, mode, rnd, post);
      return std::vector<Wide>{r.value, r.saturated, rq_round(in[0], shift, mode, rnd)};
    });
  }
  if (p == "pool") {
    const QFormat q = fmt_of(static_cast<int>(c.get("W")), 0, static_cast<Rounding>(c.get("RND")));
    const auto kind = static_cast<PoolKind>(c.get("KIND"));
    return comb([=](const std::vector<Wide>& in) {
      const Wide x[4] = {in[0], in[1], in[2], in[3]};
      const PoolResult r = pool(x, in[4], static_cast<int>(in[5]), kind, q);
      return std::vector<Wide>{r.y, r.arg, r.g[0], r.g[1], r.g[2], r.g[3]};
    });
  }
  if (p == "convert") {
    const int in_f = static_cast<int>(c.get("IN_F"));
    const QFormat q = fmt_of(static_cast<int>(c.get("OUT_W")), static_cast<int>(c.get("OUT_F")),
                             static_cast<Rounding>(c.get("RND")));
    return comb([=](const std::vector<Wide>& in) {
      const SatResult r = convert(in[0], in_f, q, static_cast<std::uint64_t>(in[1]));
      return std::vector<Wide>{r.value, r.saturated};
    });
  }
  if (p == "g_unit" || p == "fd_unit") {
    const QFormat q = fmt_of(static_cast<int>(c.get("W")), static_cast<int>(c.get("F")),
                             static_cast<Rounding>(c.get("RND")));
    const auto a = static_cast<Activation>(c.get("ACT"));
    if (p == "g_unit")
      return comb([=](const std::vector<Wide>& in) {
        return std::vector<Wide>{grad_value(in[0], in[1], q, a, static_cast<std::uint64_t>(in[2])).value};
      });
    return comb([=](const std::vector<Wide>& in) {
      return std::vector<Wide>{act_derivative_value(in[0], q, a, q.rounding, static_cast<std::uint64_t>(in[1])).value};
    });
  }
  if (p == "plan_sigmoid") {
    const int f = static_cast<int>(c.get("F"));
    return comb([f](const std::vector<Wide>& in) { return std::vector<Wide>{in[1] ? plan_sigmoid(in[0], f) : 0}; });
  }
  if (p == "act" || p == "act_deriv") {
    const QFormat q = fmt_of(static_cast<int>(c.get("W")), static_cast<int>(c.get("F")));
    const auto a = static_cast<Activation>(c.get("ACT"));
    if (p == "act")
      return comb([=](const std::vector<Wide>& in) {
        const SatResult r = act(in[0], q, a);
        return std::vector<Wide>{r.value, r.saturated};
      });
    return comb([=](const std::vector<Wide>& in) {
      const DerivOperands d = act_deriv(in[0], q, a);
      if (!in[1]) return std::vector<Wide>{0, 0, d.mask};  // en_i low: the operands are 0, the mask is not gated
      return std::vector<Wide>{d.a, d.b, d.mask};
    });
  }
  if (p == "lfsr") return std::make_unique<LfsrModel>(c);
  if (p == "sat_counter") return std::make_unique<SatCounterModel>(c);
  if (p == "acc") return std::make_unique<AccModel>(c);
  if (p == "spad") return std::make_unique<SpadModel>(c);
  if (p == "xbuf") return std::make_unique<XBufModel>(c);
  if (p == "spad_sram") return std::make_unique<SpadSramModel>(c);
  if (p == "reg_en") return std::make_unique<RegEnModel>(c);
  if (p == "rounder") return std::make_unique<RounderModel>(c);
  if (p == "bank") return std::make_unique<BankModel>(c);
  if (p == "host_buf") return std::make_unique<HostBufModel>(c);
  throw std::logic_error("no golden twin for " + p);
}

// One input field's value: corners of its width (min, max, 0, +-1 LSB,
// max-1, min+1), values near the case's own edges (rounding ties, the
// saturation thresholds, the sigmoid breakpoints), or uniform bits.
Wide field_value(const PrimCase& c, std::size_t k, std::mt19937_64& rng) {
  const Field& f = c.in[k];
  const int b = f.width;
  auto as_field = [&](Wide v) { return f.is_signed ? wrap(v, b) : static_cast<Wide>(to_bits(v, b)); };
  const Wide lo = f.is_signed ? -(Wide{1} << (b - 1)) : 0;
  const Wide hi = f.is_signed ? (Wide{1} << (b - 1)) - 1 : (Wide{1} << b) - 1;
  if (f.limit > 0) {
    // Each slice below the limit: its ends half the time, else uniform.
    const int s = f.slice > 0 ? f.slice : b;
    U128 v = 0;
    for (int off = 0; off + s <= b; off += s) {
      const auto l = static_cast<std::uint64_t>(f.limit);
      const std::uint64_t x = rng() % 2 ? (rng() % 2 ? 0 : l - 1) : rng() % l;
      v |= static_cast<U128>(x) << off;
    }
    return static_cast<Wide>(v);
  }
  const Wide corners[] = {lo, hi, 0, 1, -1, lo + 1, hi - 1};
  const unsigned pick = static_cast<unsigned>(rng() % 8);
  if (pick == 0) return as_field(corners[rng() % 7]);
  if (pick == 1 && !c.sequential && c.f > 0 && f.is_signed) {
    // Near an edge: a multiple of 2^F (the breakpoints, +-1.0, the format's
    // limits scaled by 2^F for rq) plus a small offset or half an LSB (a tie).
    const int s = c.prim == "rq" ? c.f : 0;
    const Wide one = Wide{1} << c.f;
    const Wide bases[] = {one, 2 * one, 5 * one, 19 * one / 8, 0, Wide{1} << (c.w - 1), -(Wide{1} << (c.w - 1))};
    Wide v = bases[rng() % 7] * (rng() % 2 ? 1 : -1);
    v = v * (Wide{1} << s);
    const Wide tie = s > 0 ? (Wide{1} << (s - 1)) : 0;
    const Wide offs[] = {0, 1, -1, tie, -tie, tie + 1, tie - 1};
    return as_field(v + offs[rng() % 7]);
  }
  const U128 r = (static_cast<U128>(rng()) << 64) | rng();
  return f.is_signed ? from_bits(r, b) : static_cast<Wide>(to_bits(static_cast<Wide>(r), b));
}

std::vector<Wide> case_inputs(const PrimCase& c, std::uint64_t iter, std::mt19937_64& rng) {
  std::vector<Wide> in;
  if (c.exhaustive()) {
    // Exhaustive: the iteration number's bits, field by field (an ignored
    // field gets random bits: it must not matter).
    int off = 0;
    for (std::size_t k = 0; k < c.in.size(); ++k) {
      const Field& f = c.in[k];
      if (!f.used) {
        in.push_back(field_value(c, k, rng));
        continue;
      }
      const U128 u = (static_cast<U128>(iter) >> off) & ((static_cast<U128>(1) << f.width) - 1);
      in.push_back(f.is_signed ? from_bits(u, f.width) : static_cast<Wide>(u));
      off += f.width;
    }
    return in;
  }
  for (std::size_t k = 0; k < c.in.size(); ++k) in.push_back(field_value(c, k, rng));
  return in;
}

// Sequential blocks are reset this often, so a reproducer (the inputs since
// the last reset) stays small.
constexpr std::uint64_t kResetPeriod = 1024;

struct Run {
  std::vector<PrimCase> cases;
  Layout lay;
  std::vector<std::unique_ptr<Model>> models;
  ErrorList errors;
  std::vector<std::vector<std::vector<Wide>>> history;  // sequential: inputs since reset
  nlohmann::json repro;
};

std::string input_text(const PrimCase& c, const std::vector<Wide>& in) {
  std::string s;
  for (std::size_t k = 0; k < c.in.size(); ++k)
    s += fmt::format("{}{}={} ({})", k ? " " : "", c.in[k].port, to_string_wide(in[k]),
                     hex_bits(to_bits(in[k], c.in[k].width), c.in[k].width));
  return s;
}

// Compare every output field of case `ci`; on the first mismatch keep a
// reproducer of it.
void compare(Run& r, std::size_t ci, const BitVec& out, const std::vector<Wide>& in, std::uint64_t iter,
             const Args& a) {
  const PrimCase& c = r.cases[ci];
  const std::vector<Wide> want = r.models[ci]->eval(in);
  for (std::size_t k = 0; k < c.out.size(); ++k) {
    const Field& f = c.out[k];
    const U128 got = out.get(r.lay.out_off[ci][k], f.width);
    const U128 exp = to_bits(want[k], f.width);
    if (got == exp) continue;
    r.errors.add(fmt::format("{} case {} [{}] {} {}: inputs {} | {}: rtl {} golden {} | seed {}", dut_name(), ci,
                             c.describe(), c.sequential ? "cycle" : "vector", iter, input_text(c, in), f.port,
                             hex_bits(got, f.width), hex_bits(exp, f.width), a.seed));
    if (r.repro.is_null()) {
      nlohmann::json j;
      j["prim"] = dut_name();
      j["case"] = ci;
      j["describe"] = c.describe();
      j["seed"] = a.seed;
      j["inputs"] = nlohmann::json::array();
      const auto& seq = c.sequential ? r.history[ci] : std::vector<std::vector<Wide>>{in};
      for (const auto& v : seq) {
        nlohmann::json row = nlohmann::json::array();
        for (Wide x : v) row.push_back(wide_str(x));
        j["inputs"].push_back(row);
      }
      r.repro = j;
    }
  }
}

// The reproducer history of a sequential case without a reset grows with
// the run (the others are cut at every reset): estimated before running.
void check_history_memory(const Run& r, const std::vector<std::uint64_t>& planned, const Args& a) {
  double bytes = 0;
  for (std::size_t ci = 0; ci < r.cases.size(); ++ci)
    bytes += static_cast<double>(r.cases[ci].reset ? std::min(planned[ci], kResetPeriod) : planned[ci]) *
             static_cast<double>(sizeof(std::vector<Wide>) + r.cases[ci].in.size() * sizeof(Wide));
  if (const std::string no = memory_refusal(fmt::format("--iters {}: the reproducer history", a.iters), bytes,
                                            "give fewer --iters");
      !no.empty())
    throw UsageError(no);
}

// A reproducer's case and input vectors into replay[only]; false (said on
// stderr) when it cannot be read or belongs to another harness.
bool load_replay(const std::string& path, std::size_t n_cases, std::vector<std::vector<std::vector<Wide>>>& replay,
                 std::size_t& only) {
  std::ifstream f(path);
  if (!f) {
    std::cerr << dut_name() << ": cannot open reproducer " << path << "\n";
    return false;
  }
  const nlohmann::json j = nlohmann::json::parse(f);
  only = j.at("case").get<std::size_t>();
  if (j.at("prim") != dut_name() || only >= n_cases) {
    std::cerr << dut_name() << ": " << path << " is a reproducer of another harness\n";
    return false;
  }
  for (const auto& row : j.at("inputs")) {
    std::vector<Wide> v;
    for (const auto& x : row) v.push_back(wide_from(x));
    replay[only].push_back(v);
  }
  return true;
}

int run(const Args& a) {
  Run r;
  r.cases = prim_cases(dut_name());
  r.lay = layout(r.cases);
  for (const auto& c : r.cases) r.models.push_back(make_model(c));
  r.history.resize(r.cases.size());
  auto top = make_flat_dut();
  if (!top->fits(r.lay.in_total, r.lay.out_total)) {
    std::cerr << dut_name() << ": the harness does not match verilator_tb/cases.cpp: rebuild it\n";
    return 2;
  }
  BitVec in(r.lay.in_total), out(r.lay.out_total);

  // Which cases run, and on what: all of them, or the one of a reproducer.
  std::vector<std::vector<std::vector<Wide>>> replay(r.cases.size());
  std::size_t only = r.cases.size();
  std::uint64_t iters = a.iters;
  bool sequential = r.cases.front().sequential;
  if (!a.replay.empty()) {
    if (!load_replay(a.replay, r.cases.size(), replay, only)) return 2;
    iters = replay[only].size();
    std::cout << dut_name() << ": replaying " << a.replay << " (" << iters << " vectors)\n";
  }
  // Each case runs its own plan; the run lasts as long as the longest.
  std::vector<std::uint64_t> planned(r.cases.size(), iters);
  std::size_t n_exhaustive = 0;
  if (a.replay.empty()) {
    iters = 0;
    for (std::size_t ci = 0; ci < r.cases.size(); ++ci) {
      planned[ci] = r.cases[ci].planned(a.iters);
      iters = std::max(iters, planned[ci]);
      n_exhaustive += r.cases[ci].exhaustive();
    }
  }
  if (sequential && a.replay.empty()) check_history_memory(r, planned, a);
  std::cout << fmt::format("{}: {} cases ({} exhaustive, the others {} random {}), seed {}\n", dut_name(),
                           r.cases.size(), n_exhaustive, a.iters, sequential ? "cycles" : "vectors", a.seed);

  std::vector<std::mt19937_64> rng;
  for (std::size_t ci = 0; ci < r.cases.size(); ++ci) rng.emplace_back(a.seed * 1000003u + ci);
  std::vector<std::vector<Wide>> cur(r.cases.size());
  auto next_inputs = [&](std::uint64_t it) {
    for (std::size_t ci = 0; ci < r.cases.size(); ++ci) {
      if (it >= planned[ci]) continue;  // done: its inputs stay as they were
      if (only != r.cases.size() && ci != only) {
        cur[ci] = std::vector<Wide>(r.cases[ci].in.size(), 0);
      } else if (!replay[ci].empty()) {
        cur[ci] = replay[ci][it];
      } else {
        cur[ci] = case_inputs(r.cases[ci], it, rng[ci]);
      }
      for (std::size_t k = 0; k < r.cases[ci].in.size(); ++k)
        in.set(r.lay.in_off[ci][k], r.cases[ci].in[k].width, to_bits(cur[ci][k], r.cases[ci].in[k].width));
    }
    top->set_in(in);
  };

  std::uint64_t checked = 0;
  if (sequential) {
    top->set_clk(false);
    pulse_reset(*top);
  }
  // Mid-run resets only where a case resets with its twin: a memory's
  // cases (its words keep their values) run from the one reset at the start.
  const bool mid_resets = std::any_of(r.cases.begin(), r.cases.end(), [](const PrimCase& c) { return c.reset; });
  for (std::uint64_t it = 0; it < iters; ++it) {
    if (sequential && mid_resets && a.replay.empty() && it > 0 && it % kResetPeriod == 0) {
      // Reset mid-run (asynchronously, with the clock high): the blocks with
      // a reset start over, and so do their twins and reproducer histories.
      pulse_reset(*top);
      for (std::size_t ci = 0; ci < r.cases.size(); ++ci) {
        if (!r.cases[ci].reset) continue;
        r.models[ci] = make_model(r.cases[ci]);
        r.history[ci].clear();
      }
    }
    next_inputs(it);
    if (sequential) top->set_clk(false);
    top->eval();
    top->get_out(out);
    for (std::size_t ci = 0; ci < r.cases.size(); ++ci) {
      if (only != r.cases.size() && ci != only) continue;
      if (it >= planned[ci]) continue;
      if (sequential) r.history[ci].push_back(cur[ci]);
      compare(r, ci, out, cur[ci], it, a);
      ++checked;
    }
    if (sequential) {
      top->set_clk(true);
      top->eval();
      for (std::size_t ci = 0; ci < r.cases.size(); ++ci) r.models[ci]->clock(cur[ci]);
    }
  }
  top->finish();
  r.errors.print(std::cout);
  if (!r.repro.is_null() && a.replay.empty())
    write_reproducer(fmt::format("{}/repro_{}_seed{}.json", a.repro_dir, dut_name(), a.seed), r.repro);
  std::cout << fmt::format("{}: {} checks, {} mismatches (seed {})\n", dut_name(), checked, r.errors.count(), a.seed);
  if (!a.json_out.empty()) {
    nlohmann::json res = {{"testbench", "tb_prim"}, {"prim", dut_name()},           {"seed", a.seed},
                          {"cases", r.cases.size()}, {"checks", checked},           {"mismatches", r.errors.count()},
                          {"replay", a.replay}};
    if (!r.errors.first().empty()) res["first_mismatch"] = r.errors.first().front();
    write_atomic(a.json_out, res.dump(2) + "\n");
  }
  return r.errors.count() == 0 ? 0 : 1;
}

}  // namespace
}  // namespace taxonn::tb

int main(int argc, char** argv) {
  const taxonn::tb::Args a = taxonn::tb::parse_args(argc, argv);
  try {
    if (!a.json_out.empty()) taxonn::check_writable(a.json_out, "--json");
    return taxonn::tb::run(a);
  } catch (const std::exception& e) {
    // An unreadable or malformed reproducer, an unwritable output: one line, no abort.
    std::cerr << taxonn::tb::dut_name() << ": " << e.what() << "\n";
    return 2;
  }
}
