// Co-simulation of the generated network accelerator (taxonn_<config>_net)
// against the golden model (docs/network.md): the RTL trains on real MNIST
// samples (or Fashion-MNIST, or any IDX folder) through its host interface
// while taxonn::Network<FixedArith> trains beside it. After every SGD step
// the cosim compares each phase's cycle count with taxonn::net_phases, every
// layer's Y and G buffers, and every weight of every layer. The first
// divergence is reported with layer, neuron, weight index, step, phase and
// both values, raw and real, and written as a one-file reproducer.
#include <algorithm>
#include <cstdlib>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <memory>
#include <numeric>
#include <random>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "config.hpp"
#include "dataset.hpp"
#include "io_util.hpp"
#include "net_model.hpp"
#include "network.hpp"
#include "dut.hpp"

namespace taxonn::tb {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

struct NetArgs {
  std::string config, dataset, data_dir, repro_dir = ".", replay, json_out, save_weights, curve;
  std::uint64_t seed = 1, steps = 200, check_every = 1, eval = 0;
  bool quiet = false;
};

constexpr const char* kUsage =
    "usage: tb_net --config FILE [--steps N] [--seed N] [--dataset mnist|fashion-mnist|cifar10|random] [--data-dir DIR]\n"
    "              [--check-every N] [--eval N] [--json FILE] [--save-weights FILE] [--curve PREFIX] [--repro-dir DIR]\n"
    "              [--replay FILE] [--quiet]\n"
    "co-simulates the network RTL against the golden model (docs/network.md)\n";

// Bad input: one line (the usage is --help's).
[[noreturn]] void usage_error(const std::string& msg) {
  std::cerr << "tb_net: " << msg << " (tb_net --help lists the options)\n";
  std::exit(2);
}

NetArgs parse(int argc, char** argv) {
  NetArgs a;
  if (const char* env = std::getenv("TAXONN_SEED"); env && !parse_count(env, 0, &a.seed))
    usage_error(fmt::format("TAXONN_SEED '{}' is not a whole number >= 0", env));
  for (int i = 1; i < argc; ++i) {
    const std::string k = argv[i];
    auto val = [&]() -> std::string {
      if (i + 1 >= argc) usage_error(k + " needs a value");
      return argv[++i];
    };
    auto num = [&]() -> std::uint64_t {
      const std::string v = val();
      std::uint64_t x = 0;
      if (!parse_count(v, 0, &x)) usage_error(fmt::format("{} '{}' is not a whole number >= 0", k, v));
      return x;
    };
    if (k == "--config") a.config = val();
    else if (k == "--steps") a.steps = num();
    else if (k == "--seed") a.seed = num();
    else if (k == "--dataset") a.dataset = val();
    else if (k == "--data-dir") a.data_dir = val();
    else if (k == "--check-every") a.check_every = std::max<std::uint64_t>(1, num());
    else if (k == "--eval") a.eval = num();
    else if (k == "--json") a.json_out = val();
    else if (k == "--save-weights") a.save_weights = val();
    else if (k == "--curve") a.curve = val();
    else if (k == "--repro-dir") a.repro_dir = val();
    else if (k == "--replay") a.replay = val();
    else if (k == "--quiet") a.quiet = true;
    else if (k == "--help" || k == "-h") {
      std::cout << kUsage;
      std::exit(0);
    } else usage_error("unknown option " + k);
  }
  if (a.steps == 0) usage_error("--steps 0: give at least one SGD step");
  return a;
}

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
  void tick() {
    top_->set(NetIn::kClk, 1);
    top_->eval();
    top_->set(NetIn::kClk, 0);
    top_->eval();
    ++cycles_;
  }
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
  // Weight `flat` of the golden model's layout (fc [n][k], conv [oc][ic][u][v]).
  std::int32_t weight(int layer, std::size_t flat) {
    const auto at = hw_[static_cast<std::size_t>(layer)].loc(flat);
    return read(HostRead::kWeight, layer, at.pe, at.addr);
  }
  void set_weight(int layer, std::size_t flat, std::int32_t v) {
    const auto at = hw_[static_cast<std::size_t>(layer)].loc(flat);
    write(HostWrite::kWeight, layer, at.pe, at.addr, v);
  }
  // Start a run and clock until done; returns the cycles the DUT was busy.
  // Host writes of every kind are attempted on some busy cycles (garbage
  // sample, target, alpha and weight words): the network must ignore them.
  std::uint64_t run(bool train, std::uint64_t limit, std::mt19937_64& rng) {
    top_->set(NetIn::kStart, 1);
    top_->set(NetIn::kTrain, train ? 1 : 0);
    tick();
    top_->set(NetIn::kStart, 0);
    std::uint64_t busy = 0;
    while (top_->busy()) {
      ++busy;
      const bool poke = rng() % 64 == 0;
      if (poke) {
        top_->set(NetIn::kWrEn, 1);
        top_->set(NetIn::kWrTarget, static_cast<std::uint32_t>(rng() % 4));
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
    return busy;
  }
  std::uint64_t cycles() const { return cycles_; }

 private:
  const std::vector<NetLayerHw>& hw_;
  std::unique_ptr<NetDutPorts> top_;
  std::uint64_t cycles_ = 0;
};

// Seeded random samples of any size, for configs no dataset fits (mlp_small).
DatasetPair random_data(int size, int classes, std::uint64_t seed) {
  DatasetPair p;
  p.source = fmt::format("random bytes, seed {}", seed);
  std::mt19937_64 rng(seed ^ 0x5A5A5A5AULL);
  for (Dataset* d : {&p.train, &p.test}) {
    const std::size_t n = d == &p.train ? 1000 : 100;
    d->name = "random";
    d->width = size;
    d->height = 1;
    d->classes = classes;
    for (std::size_t i = 0; i < n * static_cast<std::size_t>(size); ++i) d->pixels.push_back(static_cast<std::uint8_t>(rng()));
    for (std::size_t i = 0; i < n; ++i) d->labels.push_back(static_cast<std::uint8_t>(rng() % static_cast<unsigned>(classes)));
  }
  return p;
}

std::string real_str(std::int64_t raw, int frac) { return fmt::format("{:.6g}", std::ldexp(static_cast<double>(raw), -frac)); }

int run(const NetArgs& a) {
  const Config cfg = load_config(a.config);
  const std::vector<NetLayerHw> hw = net_hw(cfg);
  // The RTL is compiled in: a different config would drive the wrong network.
  if (cfg.name != dut_name())
    throw ConfigError(fmt::format("{}: this testbench runs config '{}', not '{}'; use `taxonn sim --config {}`",
                                  a.config, dut_name(), cfg.name, a.config));
  const int nl = static_cast<int>(hw.size());
  const LayerConfig& first = cfg.layers[hw.front().index];
  const LayerConfig& out = cfg.layers[hw.back().index];
  std::string note;
  const std::string dataset = choose_net_dataset(a.dataset, first.in_shape.size(), &note);
  if (!note.empty() && !a.quiet) fmt::print("tb_net: {}\n", note);
  const DatasetPair data = dataset == "random" ? random_data(first.in_shape.size(), out.neurons, a.seed)
                                               : load_dataset(dataset, a.data_dir);
  check_dataset_fits(data, first.in_shape.size(), out.neurons, cfg.name);

  fmt::print("tb_net: config {} ({} layers), {} steps on {} ({}), seed {}\n", cfg.name, nl, a.steps, dataset,
             data.source, a.seed);
  Network<FixedArith> gold(cfg, a.seed);
  FixedArith in_arith(cfg.input_format, Activation::kIdentity, 0.0, cfg.lfsr);
  FixedArith out_arith(out.format, out.activation, out.alpha, cfg.lfsr);
  NetDut dut(hw);

  const auto t_load = Clock::now();
  for (int l = 0; l < nl; ++l) {
    const auto& L = gold.layers()[hw[static_cast<std::size_t>(l)].index];
    for (std::size_t f = 0; f < hw[static_cast<std::size_t>(l)].weights(); ++f) dut.set_weight(l, f, L.w[f]);
  }
  const double load_s = std::chrono::duration<double>(Clock::now() - t_load).count();
  // The starting weights, to say how many the run changed (a run that moves
  // no weight would check nothing).
  std::vector<std::vector<std::int32_t>> w0;
  for (const auto& h : hw) w0.push_back(gold.layers()[h.index].w);

  const std::vector<NetPhase> phases = net_phases(hw, true);
  const std::int64_t want_total = net_cycles(phases);
  const std::vector<NetPhase> infer = net_phases(hw, false);
  const std::int64_t want_infer = net_cycles(infer);
  std::uint64_t inferences = 0;
  // --curve: the mean loss over every kCurveEvery steps, test accuracy every ten of them.
  constexpr std::uint64_t kCurveEvery = 100;
  std::string curve = "step,mean_loss,test_accuracy_1000\n";
  double loss_window = 0;
  std::vector<std::size_t> order(data.train.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::mt19937_64 rng(a.seed);
  std::shuffle(order.begin(), order.end(), rng);
  std::mt19937_64 poke_rng(a.seed * 7919 + 1);  // host writes attempted while busy

  std::vector<std::uint32_t> measured(phases.size() + 1, 0);  // the last step's counters
  double rtl_s = 0, run_s = 0, gold_s = 0, check_s = 0;
  std::uint64_t rtl_cycles = 0;
  auto report = [&](std::uint64_t step, std::size_t sample, const std::string& what) {
    fmt::print("MISMATCH step {} (sample {}): {}\n", step, sample, what);
    nlohmann::json r = {{"testbench", "tb_net"}, {"config", cfg.name}, {"seed", a.seed}, {"dataset", dataset},
                        {"data_dir", a.data_dir}, {"steps", step + 1}, {"first_mismatch", what}};
    const std::string path = (fs::path(a.repro_dir) / fmt::format("repro_net_{}_seed{}_step{}.json", cfg.name, a.seed, step)).string();
    write_atomic(path, r.dump(1) + "\n");
    fmt::print("reproducer written: {} (replay: taxonn sim --config {} --replay {})\n", path, a.config, path);
    if (!a.json_out.empty())
      write_atomic(a.json_out, nlohmann::json({{"testbench", "tb_net"}, {"config", cfg.name}, {"seed", a.seed},
                                               {"dataset", dataset}, {"steps", a.steps}, {"mismatches", 1},
                                               {"failed_step", step}, {"first_mismatch", what},
                                               {"reproducer", path}}).dump(2) + "\n");
    return 1;
  };

  // The host loads a sample in input_format.
  auto load_sample = [&](const std::uint8_t* img) {
    for (int i = 0; i < first.in_shape.size(); ++i)
      dut.write(HostWrite::kSample, 0, 0, i, in_arith.from_real(img[i] / 255.0));
  };
  // Each phase's counter, the total counter and the busy cycles the host saw,
  // against the cycle model; "" when they agree.
  const int total_counter = static_cast<int>(phases.size());  // taxonn_net_ctrl: the phases, then the total
  auto cycle_mismatch = [&](const std::vector<NetPhase>& ph, std::uint64_t busy,
                            std::vector<std::uint32_t>* keep) -> std::string {
    for (std::size_t p = 0; p < ph.size(); ++p) {
      const auto got = static_cast<std::uint32_t>(dut.read(HostRead::kCounter, 0, 0, static_cast<int>(p)));
      if (keep) (*keep)[p] = got;
      if (got != ph[p].cycles)
        return fmt::format("phase {} ({}.{}): rtl {} cycles, cycle model {}", p,
                           cfg.layers[hw[static_cast<std::size_t>(ph[p].layer)].index].name, to_string(ph[p].cmd), got,
                           ph[p].cycles);
    }
    const std::int64_t want = net_cycles(ph);
    const auto total = static_cast<std::uint32_t>(dut.read(HostRead::kCounter, 0, 0, total_counter));
    if (total != want || busy != static_cast<std::uint64_t>(want))
      return fmt::format("run cycles: rtl counter {}, busy {} cycles, cycle model {}", total, busy, want);
    return "";
  };
  // A pool layer's values are in the format of the weighted layer below it.
  auto format_of = [&](int l) -> const QFormat& {
    const int w = hw[static_cast<std::size_t>(l)].weighted() ? l : weighted_below(hw, l);
    return cfg.layers[hw[static_cast<std::size_t>(w)].index].format;
  };
  // Where an output j or a weight `flat` is, in the layer's own terms.
  auto where_text = [&](int l, std::size_t j, bool weight) {
    const NetLayerHw& h = hw[static_cast<std::size_t>(l)];
    const int i = static_cast<int>(j);
    if (h.type == LayerType::kFc)
      return weight ? fmt::format("neuron {} weight {}", i / h.k, i % h.k) : fmt::format("neuron {}", i);
    if (!weight)
      return fmt::format("output {} (channel {}, y {}, x {})", i, i / (h.oh * h.ow), i / h.ow % h.oh, i % h.ow);
    const int k = h.kernel;
    return fmt::format("weight [{}][{}][{}][{}] (out channel, in channel, row, column)", i / (k * k * h.ic),
                       i / (k * k) % h.ic, i / k % k, i % k);
  };
  auto value_text = [&](int l, const char* phase, const char* what, std::size_t j, bool weight, std::int64_t got,
                        std::int64_t want) {
    const LayerConfig& L = cfg.layers[hw[static_cast<std::size_t>(l)].index];
    const QFormat& q = format_of(l);
    return fmt::format("layer '{}' {} phase {}: {} rtl {} ({}) golden {} ({}), {}", L.name, where_text(l, j, weight),
                       phase, what, got, real_str(got, q.frac_bits), want, real_str(want, q.frac_bits), q.name());
  };
  // Every layer's Y or G buffer against the golden model's; "" when equal.
  auto buffer_mismatch = [&](HostRead what, bool top_down, const std::function<const char*(int)>& phase) -> std::string {
    for (int n = 0; n < nl; ++n) {
      const int l = top_down ? nl - 1 - n : n;
      const auto& L = gold.layers()[hw[static_cast<std::size_t>(l)].index];
      const auto& want = what == HostRead::kY ? L.y : L.g;
      for (int j = 0; j < hw[static_cast<std::size_t>(l)].n; ++j) {
        const std::int32_t got = dut.read(what, l, 0, j);
        if (got != want[static_cast<std::size_t>(j)])
          return value_text(l, phase(l), what == HostRead::kY ? "Y" : "G", static_cast<std::size_t>(j), false, got,
                            want[static_cast<std::size_t>(j)]);
      }
    }
    return "";
  };

  auto t_progress = Clock::now();
  for (std::uint64_t s = 0; s < a.steps; ++s) {
    const std::size_t idx = order[s % order.size()];
    const std::uint8_t* img = data.train.image(idx);
    const int label = data.train.labels[idx];
    // The host loads the sample in input_format and the targets in the output format.
    auto t0 = Clock::now();
    load_sample(img);
    for (int j = 0; j < out.neurons; ++j)
      dut.write(HostWrite::kTarget, nl - 1, 0, j, out_arith.from_real(j == label ? 1.0 : 0.0));
    const auto t_run = Clock::now();
    const std::uint64_t busy = dut.run(true, static_cast<std::uint64_t>(want_total) * 2 + 100, poke_rng);
    auto t1 = Clock::now();
    run_s += std::chrono::duration<double>(t1 - t_run).count();
    const double loss = gold.train_step(img, label);  // the RTL's too: its Y and weights are checked equal
    auto t2 = Clock::now();
    loss_window += loss;
    rtl_s += std::chrono::duration<double>(t1 - t0).count();
    gold_s += std::chrono::duration<double>(t2 - t1).count();
    rtl_cycles += busy;

    // Cycles, then values in the order they are made: Y (forward), G
    // (loss and backprop, from the top), W (update).
    if (auto e = cycle_mismatch(phases, busy, &measured); !e.empty()) return report(s, idx, e);
    if (auto e = buffer_mismatch(HostRead::kY, false, [](int) { return "fwd"; }); !e.empty()) return report(s, idx, e);
    if (auto e = buffer_mismatch(HostRead::kG, true, [&](int l) { return l == nl - 1 ? "loss" : "backprop"; }); !e.empty())
      return report(s, idx, e);
    if (s % a.check_every == 0 || s + 1 == a.steps) {
      const auto tc = Clock::now();
      for (int l = nl - 1; l >= 0; --l) {
        const NetLayerHw& h = hw[static_cast<std::size_t>(l)];
        const auto& G = gold.layers()[h.index];
        for (std::size_t f = 0; f < h.weights(); ++f) {
          const std::int32_t w = dut.weight(l, f);
          if (w != G.w[f]) return report(s, idx, value_text(l, "update", "W", f, true, w, G.w[f]));
        }
      }
      check_s += std::chrono::duration<double>(Clock::now() - tc).count();
    }
    // Inference mode (train_i = 0) on a test image every 10 steps and after
    // the last: the FWD phases' counters, the total, and every layer's Y.
    if (s % 10 == 9 || s + 1 == a.steps) {
      const std::size_t ti = s % data.test.size();
      load_sample(data.test.image(ti));
      const std::uint64_t ibusy = dut.run(false, static_cast<std::uint64_t>(want_infer) * 2 + 100, poke_rng);
      gold.forward(data.test.image(ti));
      auto e = cycle_mismatch(infer, ibusy, nullptr);
      if (e.empty()) e = buffer_mismatch(HostRead::kY, false, [](int) { return "inference"; });
      if (!e.empty()) return report(s, idx, fmt::format("inference of test image {}: {}", ti, e));
      ++inferences;
    }
    // The curve, after this step's checks (forward passes on test images
    // overwrite the golden model's stored activations).
    if (!a.curve.empty() && (s + 1) % kCurveEvery == 0) {
      curve += fmt::format("{},{:.6f},", s + 1, loss_window / kCurveEvery);
      if ((s + 1) % (10 * kCurveEvery) == 0) {
        // Test accuracy of the weights so far on the first 1,000 test images.
        const std::size_t n = std::min<std::size_t>(1000, data.test.size());
        std::size_t ok = 0;
        for (std::size_t i = 0; i < n; ++i) ok += gold.forward(data.test.image(i)) == data.test.labels[i];
        curve += fmt::format("{:.2f}", 100.0 * ok / n);
      }
      curve += "\n";
    }
    if ((s + 1) % kCurveEvery == 0) loss_window = 0;
    if (!a.quiet && (std::chrono::duration<double>(Clock::now() - t_progress).count() > 10 || s + 1 == a.steps)) {
      t_progress = Clock::now();
      fmt::print("  step {}/{}: 0 mismatches, {} cycles per step, {:.1f} steps/s (RTL)\n", s + 1, a.steps, want_total,
                 (s + 1) / rtl_s);
      std::fflush(stdout);
    }
  }

  fmt::print("tb_net: {} steps, 0 mismatches in cycles, Y, G and weights ({} weights checked every {} step(s)); "
             "{} cycles per step; {} inferences ({} cycles each) matched\n",
             a.steps, [&] {
               std::int64_t n = 0;
               for (const auto& h : hw) n += static_cast<std::int64_t>(h.weights());
               return n;
             }(), a.check_every, want_total, inferences, want_infer);
  std::int64_t moved = 0, total_w = 0;
  std::string per_layer;
  for (std::size_t l = 0; l < hw.size(); ++l) {
    const auto& w = gold.layers()[hw[l].index].w;
    std::int64_t m = 0;
    for (std::size_t k = 0; k < w.size(); ++k) m += w[k] != w0[l][k];
    moved += m;
    total_w += static_cast<std::int64_t>(w.size());
    if (!w.empty()) per_layer += fmt::format("{}{} {}/{}", per_layer.empty() ? "" : ", ", cfg.layers[hw[l].index].name, m, w.size());
  }
  fmt::print("training moved {} of {} weights ({:.1f}%): {}\n", moved, total_w, 100.0 * moved / total_w, per_layer);
  const double rtl_sps = a.steps / rtl_s, gold_sps = a.steps / gold_s;
  fmt::print("speed: RTL simulation {:.1f} samples/s with the host's sample loads, {:.3g} cycles/s while busy; "
             "golden model {:.0f} samples/s ({:.3g} modelled cycles/s); golden/RTL {:.0f}x; weight load {:.2f} s, "
             "weight checks {:.1f} s\n",
             rtl_sps, rtl_cycles / run_s, gold_sps, gold_sps * want_total, gold_sps / rtl_sps, load_s, check_s);

  nlohmann::json res = {{"config", cfg.name},
                        {"dataset", dataset},
                        {"data_source", data.source},
                        {"seed", a.seed},
                        {"steps", a.steps},
                        {"mismatches", 0},
                        {"weights_moved", moved},
                        {"cycles_per_step", want_total},
                        {"rtl_samples_per_s", rtl_sps},
                        {"rtl_cycles_per_s", rtl_cycles / run_s},
                        {"golden_samples_per_s", gold_sps}};
  // The counters the RTL reported on the last step, beside the cycle model
  // and the layer sizes the paper's formulas take (`taxonn cycles`).
  nlohmann::json ph = nlohmann::json::array();
  for (std::size_t p = 0; p < phases.size(); ++p) {
    const NetLayerHw& h = hw[static_cast<std::size_t>(phases[p].layer)];
    ph.push_back({{"layer", cfg.layers[h.index].name},
                  {"type", h.type == LayerType::kFc ? "fc" : h.type == LayerType::kConv ? "conv" : "pool"},
                  {"phase", to_string(phases[p].cmd)},
                  {"measured", measured[p]},
                  {"model", phases[p].cycles},
                  {"inputs", h.k},
                  {"neurons", h.n},
                  {"pes", h.pes()},
                  {"in_shape", {h.ic, h.ih, h.iw}},
                  {"out_shape", {h.oc, h.oh, h.ow}},
                  {"kernel", h.kernel}});
  }
  res["phases"] = ph;

  // The weights the RTL trained, read back through the host interface.
  Network<FixedArith> rtl_net(cfg, a.seed);
  if (a.eval > 0 || !a.save_weights.empty()) {
    for (int l = 0; l < nl; ++l) {
      const NetLayerHw& h = hw[static_cast<std::size_t>(l)];
      auto& L = rtl_net.layers()[h.index];
      for (std::size_t f = 0; f < h.weights(); ++f) L.w[f] = dut.weight(l, f);
    }
  }
  if (!a.save_weights.empty()) write_atomic(a.save_weights, rtl_net.weights_json().dump() + "\n");
  if (a.eval > 0) {
    // The RTL's weights evaluated by the golden model, beside the golden model's own.
    const std::size_t n = std::min<std::size_t>(a.eval, data.test.size());
    std::size_t ok_rtl = 0, ok_gold = 0;
    for (std::size_t i = 0; i < n; ++i) {
      ok_rtl += rtl_net.forward(data.test.image(i)) == data.test.labels[i];
      ok_gold += gold.forward(data.test.image(i)) == data.test.labels[i];
    }
    const double acc_rtl = 100.0 * ok_rtl / n, acc_gold = 100.0 * ok_gold / n;
    fmt::print("test accuracy on {} {} test images: RTL-trained weights {:.2f}%, golden model {:.2f}%\n", n, dataset,
               acc_rtl, acc_gold);
    res["test_images"] = n;
    res["test_accuracy_rtl_weights"] = acc_rtl;
    res["test_accuracy_golden"] = acc_gold;
  }
  if (!a.json_out.empty()) write_atomic(a.json_out, res.dump(2) + "\n");
  if (!a.curve.empty()) {
    const fs::path prefix(a.curve);
    const std::string stem = prefix.filename().string();
    write_atomic(a.curve + ".csv", curve);
    const std::string gp = fmt::format(
        "set title \"{0}: RTL training on {1} (loss = golden model's, checked bit-exact every step)\" noenhanced\n"
        "set datafile separator \",\"\nset xlabel \"SGD steps\"\nset ylabel \"sum of squared output errors "
        "(mean over {2} steps)\"\nset y2label \"test accuracy, 1,000 images (%)\"\nset ytics nomirror\n"
        "set y2tics\nset y2range [0:100]\nset grid\nset key center right\n"
        "set terminal svg size 800,480 font \"sans,12\"\nset output \"{3}.svg\"\n"
        "plot \"{3}.csv\" using 1:2 every ::1 with lines lw 2 title \"loss\", "
        "\"{3}.csv\" using 1:3 every ::1 axes x1y2 with linespoints lw 2 title \"test accuracy\"\n",
        cfg.name, dataset, kCurveEvery, stem);
    write_atomic(a.curve + ".gp", gp);
    const std::string dir = prefix.parent_path().empty() ? "." : prefix.parent_path().string();
    if (std::system(fmt::format("cd '{}' && gnuplot '{}.gp' 2>/dev/null", dir, stem).c_str()) != 0)
      fmt::print("tb_net: gnuplot not available or failed: {}.gp written, no SVG\n", a.curve);
  }
  return 0;
}

}  // namespace
}  // namespace taxonn::tb

int main(int argc, char** argv) {
  using namespace taxonn;
  tb::NetArgs a = tb::parse(argc, argv);
  try {
    if (!a.replay.empty()) {
      std::ifstream in(a.replay);
      if (!in) tb::usage_error(a.replay + ": cannot open the reproducer");
      try {
        const auto j = nlohmann::json::parse(in);
        if (j.value("testbench", "") != "tb_net") tb::usage_error(a.replay + ": not a tb_net reproducer (no \"testbench\": \"tb_net\")");
        a.seed = j.at("seed").get<std::uint64_t>();
        a.steps = j.at("steps").get<std::uint64_t>();
        a.dataset = j.at("dataset").get<std::string>();
        a.data_dir = j.value("data_dir", "");
      } catch (const nlohmann::json::exception& e) {
        tb::usage_error(a.replay + ": not a tb_net reproducer: " + e.what());
      }
    }
    if (a.config.empty()) tb::usage_error("--config is required");
    // Outputs are checked before the run, not lost after it.
    if (!a.json_out.empty()) check_writable(a.json_out, "--json");
    if (!a.save_weights.empty()) check_writable(a.save_weights, "--save-weights");
    if (!a.curve.empty()) check_writable(a.curve + ".csv", "--curve");
    check_writable(a.repro_dir, "--repro-dir", true);
    return tb::run(a);
  } catch (const ConfigError& e) {
    std::cerr << "tb_net: " << e.what() << "\n";
  } catch (const DatasetError& e) {
    std::cerr << "tb_net: " << e.what() << "\n";
  } catch (const std::exception& e) {
    std::cerr << "tb_net: " << e.what() << "\n";
  }
  return 2;
}
