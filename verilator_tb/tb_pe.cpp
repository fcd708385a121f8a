// Co-simulation of both PEs of every layer of a config (the generator's own
// wrappers, harnessed side by side) against taxonn::PeBase / taxonn::Pe,
// every exposed bit on every cycle. Each instance runs its own stream: the
// weights are loaded, then neurons are trained with the TDM schedule of
// CONTRACT 3 (forward, f', steps 1-5) on fresh data, interleaved with bursts
// of random control words (illegal encodings included).
#include <memory>
#include <optional>

#include "cases.hpp"
#include "pe.hpp"
#include "tb_common.hpp"

namespace taxonn::tb {
namespace {

// A cycle of stimulus with where it came from, for reports.
struct Stim {
  PeCycle cyc;
  std::string phase;
  std::uint64_t neuron = 0;  // which training schedule (0: none yet)
  int step = 0;              // cycle within that schedule
};

// The cosim interface (after ibex's): step() takes the RTL's outputs for
// this cycle's stimulus, checks them against the golden twin and advances it.
class PeCosim {
 public:
  PeCosim(const PeCase& c) : case_(c) {
    if (c.kind == PeKind::kBase) base_ = std::make_unique<PeBase>(c.params);
    else pe_ = std::make_unique<Pe>(c.params);
  }
  void step(const Stim& s, const PeOut& rtl, std::uint64_t cycle, std::uint64_t seed) {
    const PeOut want = pe_ ? pe_->outputs(s.cyc.ctrl, s.cyc.in) : base_->outputs(s.cyc.ctrl, s.cyc.in);
    const int w = case_.params.width();
    const QFormat& q = case_.params.fmt;
    auto check = [&](const char* port, Wide got, Wide exp, int width, int frac) {
      if (to_bits(got, width) == to_bits(exp, width)) return;
      errors_.add(fmt::format(
          "layer '{}' {} PE, neuron {} step {} ({}), cycle {}: {} rtl {} = {} golden {} = {} | ctrl {} | seed {}",
          case_.params.layer, case_.kind == PeKind::kBase ? "baseline" : "TaxoNN", s.neuron, s.step, s.phase, cycle,
          port, hex_bits(to_bits(got, width), width), std::ldexp(static_cast<double>(from_bits(to_bits(got, width), width)), -frac),
          hex_bits(to_bits(exp, width), width), std::ldexp(static_cast<double>(exp), -frac), to_string(s.cyc.ctrl), seed));
    };
    check("x_fwd_o", rtl.x_fwd, want.x_fwd, w, q.frac_bits);
    check("sum_o", rtl.sum, want.sum, w, q.frac_bits);
    check("spad_rd_o", rtl.spad_rd, want.spad_rd, w, q.frac_bits);
    check("acc_o", rtl.acc, want.acc, case_.params.acc_width(), 2 * q.frac_bits);
    check("sat_cnt_o", static_cast<Wide>(rtl.sat_cnt), static_cast<Wide>(want.sat_cnt), case_.params.sat_cnt_width, 0);
    if (pe_) {
      check("g_o", rtl.g, want.g, w, q.frac_bits);
      pe_->step(s.cyc.ctrl, s.cyc.in);
    } else {
      base_->step(s.cyc.ctrl, s.cyc.in);
    }
  }
  const ErrorList& errors() const { return errors_; }

 private:
  const PeCase& case_;
  std::unique_ptr<PeBase> base_;
  std::unique_ptr<Pe> pe_;
  ErrorList errors_;
};

// The stimulus stream of one instance.
class Stream {
 public:
  Stream(const PeParams& p, std::uint64_t seed) : p_(p), rng_(seed) { refill_load_all(); }
  Stim next() {
    if (queue_pos_ == queue_.size()) refill();
    return queue_[queue_pos_++];
  }

 private:
  Wide value(bool small) {
    const QFormat& f = p_.fmt;
    const unsigned pick = static_cast<unsigned>(rng_() % 10);
    if (pick == 0) {
      const Wide c[] = {f.min_raw(), f.max_raw(), 0, 1, -1};
      return c[rng_() % 5];
    }
    // Trained values are mostly small; big ones drive saturation.
    const int bits = small ? std::max(1, std::min(f.frac_bits, f.width() - 1)) : f.width();
    return from_bits(rng_(), bits);
  }
  void push(const std::vector<PeCycle>& v, const std::string& phase_override = "") {
    queue_.clear();
    queue_pos_ = 0;
    int step = 0;
    // SRAM scratchpads read a cycle ahead: schedules give the next cycle's
    // read (random control words draw rd_en like any other field).
    const bool sched = phase_override.empty() && p_.memory == Memory::kSram;
    for (const auto& c : sched ? sram_schedule(v) : v)
      queue_.push_back(Stim{c, phase_override.empty() ? c.phase : phase_override, neuron_, step++});
  }
  void refill_load_all() {
    std::vector<Wide> w;
    for (int i = 0; i < p_.depth; ++i) w.push_back(value(true));
    push(pe_load_schedule(p_, w));
  }
  void refill() {
    if (rng_() % 5 < 3) {
      // Train one neuron on fresh data: load its weights, then the schedule.
      ++neuron_;
      NeuronData d;
      const int k = 1 + static_cast<int>(rng_() % static_cast<unsigned>(p_.depth));
      const int n = 1 + static_cast<int>(rng_() % 8);
      const bool small = rng_() % 4 != 0;
      for (int i = 0; i < k; ++i) {
        d.w.push_back(value(small));
        d.x.push_back(value(small));
      }
      for (int i = 0; i < n; ++i) {
        d.g_next.push_back(value(small));
        d.w_next.push_back(value(small));
      }
      std::vector<PeCycle> v = pe_load_schedule(p_, d.w);
      const auto t = pe_train_schedule(p_, d);
      v.insert(v.end(), t.begin(), t.end());
      push(v);
    } else {
      // Random control words, illegal encodings included.
      std::vector<PeCycle> v;
      const int n = 16 + static_cast<int>(rng_() % 64);
      const unsigned addr_span = 1u << p_.addr_width();
      for (int i = 0; i < n; ++i) {
        PeCycle c;
        c.ctrl.mul_a = static_cast<MulA>(rng_() % (1u << kMulASelBits));
        c.ctrl.mul_b = static_cast<MulB>(rng_() % (1u << kMulBSelBits));
        c.ctrl.acc = static_cast<AccOp>(rng_() % (1u << kAccOpBits));
        c.ctrl.dst = static_cast<Dst>(rng_() % (1u << kDstBits));
        c.ctrl.fwd = rng_() % 2;
        c.ctrl.rd_addr = static_cast<int>(rng_() % addr_span);
        c.ctrl.wr_addr = static_cast<int>(rng_() % addr_span);
        if (p_.memory == Memory::kSram) c.ctrl.rd_en = rng_() % 2;  // flip-flops: the stream of before
        c.in = PeIn{value(false), value(false), -p_.alpha_raw};
        if (rng_() % 4 == 0) c.in.neg_alpha = value(false);
        v.push_back(c);
      }
      push(v, "random control");
    }
  }

  PeParams p_;
  std::mt19937_64 rng_;
  std::vector<Stim> queue_;
  std::size_t queue_pos_ = 0;
  std::uint64_t neuron_ = 0;
};

// Port names to PeOut fields.
PeOut read_outputs(const PeCase& c, const std::vector<int>& out_off, const BitVec& out) {
  PeOut o;
  for (std::size_t p = 0; p < c.ports.size(); ++p) {
    const auto& ps = c.ports[p];
    if (ps.input) continue;
    const U128 raw = out.get(out_off[p], ps.width);
    const Wide v = ps.is_signed ? from_bits(raw, ps.width) : static_cast<Wide>(raw);
    if (ps.name == "x_fwd_o") o.x_fwd = v;
    else if (ps.name == "sum_o") o.sum = v;
    else if (ps.name == "spad_rd_o") o.spad_rd = v;
    else if (ps.name == "acc_o") o.acc = v;
    else if (ps.name == "g_o") o.g = v;
    else if (ps.name == "sat_cnt_o") o.sat_cnt = static_cast<std::uint64_t>(v);
  }
  return o;
}

void drive_inputs(const PeCase& c, const std::vector<int>& in_off, const PeCycle& cyc, BitVec& in) {
  for (std::size_t p = 0; p < c.ports.size(); ++p) {
    const auto& ps = c.ports[p];
    if (!ps.input) continue;
    const Wide v = pe_input_value(ps.name, cyc);
    in.set(in_off[p], ps.width, to_bits(v, ps.width));
  }
}

// A cycle of stimulus as the history keeps it: 24 bytes (W <= 32).
struct Packed {
  std::uint8_t mul_a, mul_b, acc, dst, fwd;
  std::uint16_t rd, wr;
  std::int32_t x, w, neg_alpha;
};
Packed pack(const PeCycle& c) {
  return Packed{static_cast<std::uint8_t>(c.ctrl.mul_a), static_cast<std::uint8_t>(c.ctrl.mul_b),
                static_cast<std::uint8_t>(c.ctrl.acc),   static_cast<std::uint8_t>(c.ctrl.dst),
                static_cast<std::uint8_t>((c.ctrl.fwd ? 1 : 0) | (c.ctrl.rd_en ? 2 : 0)),
                static_cast<std::uint16_t>(c.ctrl.rd_addr),
                static_cast<std::uint16_t>(c.ctrl.wr_addr), static_cast<std::int32_t>(c.in.x),
                static_cast<std::int32_t>(c.in.w),       static_cast<std::int32_t>(c.in.neg_alpha)};
}
PeCycle unpack(const Packed& p) {
  return PeCycle{PeCtrl{static_cast<MulA>(p.mul_a), static_cast<MulB>(p.mul_b), static_cast<AccOp>(p.acc),
                        static_cast<Dst>(p.dst), (p.fwd & 1) != 0, p.rd, p.wr, (p.fwd & 2) != 0},
                 PeIn{p.x, p.w, p.neg_alpha}, ""};
}

nlohmann::json stim_json(const PeCycle& c) {
  return nlohmann::json::array({static_cast<int>(c.ctrl.mul_a), static_cast<int>(c.ctrl.mul_b),
                                static_cast<int>(c.ctrl.acc), static_cast<int>(c.ctrl.dst), c.ctrl.fwd ? 1 : 0,
                                c.ctrl.rd_addr, c.ctrl.wr_addr, wide_str(c.in.x), wide_str(c.in.w),
                                wide_str(c.in.neg_alpha), c.ctrl.rd_en ? 1 : 0});
}

PeCycle stim_from(const nlohmann::json& j) {
  PeCycle c;
  c.ctrl = PeCtrl{static_cast<MulA>(j[0].get<int>()), static_cast<MulB>(j[1].get<int>()),
                  static_cast<AccOp>(j[2].get<int>()), static_cast<Dst>(j[3].get<int>()), j[4].get<int>() != 0,
                  j[5].get<int>(), j[6].get<int>(),
                  j.size() > 10 && j[10].get<int>() != 0};  // rd_en: reproducers of before memory sram have none
  c.in = PeIn{wide_from(j[7]), wide_from(j[8]), wide_from(j[9])};
  return c;
}

// The instance a reproducer names, and its stimulus into `replay`.
std::size_t read_replay(const std::string& path, const std::vector<PeCase>& cases, std::vector<PeCycle>& replay) {
  std::ifstream f(path);
  if (!f) throw UsageError(fmt::format("cannot open reproducer {}", path));
  const nlohmann::json j = nlohmann::json::parse(f);
  std::size_t only = cases.size();
  for (std::size_t k = 0; k < cases.size(); ++k)
    if (cases[k].module == j.at("module").get<std::string>()) only = k;
  if (only == cases.size())
    throw UsageError(fmt::format("{} names module {}, not in this harness", path, j.at("module").dump()));
  for (const auto& s : j.at("cycles")) replay.push_back(stim_from(s));
  return only;
}

int run(const Args& a) {
  if (a.config.empty()) {
    std::cerr << "tb_pe: --config FILE is required (the config the harness was generated from)\n";
    return 2;
  }
  const Config cfg = load_config(a.config);
  if (cfg.name != dut_name()) {
    std::cerr << "tb_pe: this testbench was built for config '" << dut_name() << "', not " << a.config << "\n";
    return 2;
  }
  const auto cases = pe_cases(cfg);
  const Layout lay = pe_layout(cases);
  auto top = make_flat_dut();
  if (!top->fits(lay.in_total, lay.out_total)) {
    std::cerr << "tb_pe: the harness was not generated from " << a.config << ": rebuild it\n";
    return 2;
  }
  // A reproducer replays one instance's recorded stimulus; the others idle.
  std::vector<PeCycle> replay;
  const std::size_t only = a.replay.empty() ? cases.size() : read_replay(a.replay, cases, replay);
  const std::uint64_t cycles = replay.empty() ? a.iters : replay.size();
  // Each instance keeps its stimulus until its first mismatch, for the reproducer.
  if (const std::string no = memory_refusal(
          fmt::format("--iters {}: the reproducer history ({} instances x {} B a cycle)", a.iters, cases.size(), sizeof(Packed)),
          replay.empty() ? static_cast<double>(cycles) * cases.size() * sizeof(Packed) : 0.0, "give fewer --iters");
      !no.empty())
    throw UsageError(no);
  std::cout << fmt::format("tb_pe: config '{}', {} PE instances, {} cycles, seed {}\n", cfg.name, cases.size(), cycles,
                           a.seed);
  std::vector<PeCosim> cosim;
  std::vector<Stream> streams;
  std::vector<std::vector<Packed>> history(cases.size());
  for (std::size_t k = 0; k < cases.size(); ++k) {
    cosim.emplace_back(cases[k]);
    streams.emplace_back(cases[k].params, a.seed * 7919u + k);
  }
  std::optional<Tracer> tracer;  // after `top`: closed before the model goes
  if (a.trace.on() && a.trace.start >= cycles)
    throw UsageError(fmt::format("--trace-start {}: the run has only {} cycles (--iters)", a.trace.start, cycles));
  if (a.trace.on()) tracer.emplace(*top, a.trace, "tb_pe");
  BitVec in(lay.in_total), out(lay.out_total);
  top->set_clk(false);
  pulse_reset(*top);
  std::vector<Stim> cur(cases.size());
  std::vector<std::uint64_t> first_bad(cases.size(), 0);
  std::uint64_t neurons = 0;
  for (std::uint64_t cyc = 0; cyc < cycles; ++cyc) {
    for (std::size_t k = 0; k < cases.size(); ++k) {
      if (only != cases.size()) {
        cur[k] = Stim{k == only ? replay[cyc] : PeCycle{}, "replay", 0, static_cast<int>(cyc)};
      } else {
        cur[k] = streams[k].next();
        neurons = std::max(neurons, cur[k].neuron);
        if (first_bad[k] == 0) history[k].push_back(pack(cur[k].cyc));
      }
      drive_inputs(cases[k], lay.in_off[k], cur[k].cyc, in);
    }
    top->set_in(in);
    top->set_clk(false);
    top->eval();
    if (tracer) tracer->before_edge(cyc);
    top->get_out(out);
    for (std::size_t k = 0; k < cases.size(); ++k) {
      const std::uint64_t before = cosim[k].errors().count();
      cosim[k].step(cur[k], read_outputs(cases[k], lay.out_off[k], out), cyc, a.seed);
      if (before == 0 && cosim[k].errors().count() > 0) first_bad[k] = cyc + 1;
    }
    top->set_clk(true);
    top->eval();
    if (tracer) tracer->after_edge(cyc);
  }
  top->finish();
  if (tracer) std::cout << tracer->finish(cycles) << "\n";
  std::uint64_t bad = 0;
  nlohmann::json failed = nlohmann::json::array();
  for (std::size_t k = 0; k < cases.size(); ++k) {
    bad += cosim[k].errors().count();
    cosim[k].errors().print(std::cout);
    if (cosim[k].errors().count() == 0) continue;
    std::string repro;
    if (a.replay.empty()) {
      nlohmann::json j;
      j["config"] = cfg.name;
      j["module"] = cases[k].module;
      j["seed"] = a.seed;
      j["first_mismatch_cycle"] = first_bad[k] - 1;
      j["cycles"] = nlohmann::json::array();
      for (const auto& c : history[k]) j["cycles"].push_back(stim_json(unpack(c)));
      repro = fmt::format("{}/repro_pe_{}_seed{}.json", a.repro_dir, cases[k].module, a.seed);
      write_reproducer(repro, j);
    }
    failed.push_back({{"module", cases[k].module},
                      {"mismatches", cosim[k].errors().count()},
                      {"first_mismatch", cosim[k].errors().first().front()},
                      {"reproducer", repro}});
  }
  std::cout << fmt::format("tb_pe: {} instances x {} cycles ({} neurons trained per instance at most), {} mismatches (seed {})\n",
                           cases.size(), cycles, neurons, bad, a.seed);
  if (!a.json_out.empty()) {
    nlohmann::json modules = nlohmann::json::array();
    for (const auto& c : cases) modules.push_back(c.module);
    const nlohmann::json res = {{"testbench", "tb_pe"}, {"config", cfg.name}, {"generated_by", provenance(cfg)},     {"seed", a.seed},
                                {"cycles", cycles},     {"instances", cases.size()}, {"modules", modules},
                                {"neurons_per_instance", neurons}, {"mismatches", bad}, {"failed", failed},
                                {"replay", a.replay}};
    write_atomic(a.json_out, res.dump(2) + "\n");
  }
  return bad == 0 ? 0 : 1;
}

}  // namespace
}  // namespace taxonn::tb

int main(int argc, char** argv) {
  const taxonn::tb::Args a = taxonn::tb::parse_args(argc, argv, true);
  try {
    if (!a.json_out.empty()) taxonn::check_writable(a.json_out, "--json");
    return taxonn::tb::run(a);
  } catch (const std::exception& e) {
    // A bad config, an unreadable reproducer or output: one line, no abort.
    std::cerr << "tb_pe: " << e.what() << "\n";
    return 2;
  }
}
