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
#include <optional>
#include <random>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "config.hpp"
#include "dataset.hpp"
#include "io_util.hpp"
#include "net_model.hpp"
#include "network.hpp"
#include "dut.hpp"
#include "net_args.hpp"
#include "net_dut.hpp"
#include "side_thread.hpp"
#include "trace.hpp"

namespace taxonn::tb {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

std::string real_str(std::int64_t raw, int frac) { return fmt::format("{:.6g}", std::ldexp(static_cast<double>(raw), -frac)); }

// The run: the RTL and taxonn::Network<FixedArith> side by side, one SGD step at a time (ibex's
// cosim: step() advances both and returns what differs, in a readable error list whose first
// entry names the layer, neuron or weight, step, phase and both values).
class NetCosim {
 public:
  // --curve: the mean loss over every kCurveEvery steps, test accuracy every ten of them.
  static constexpr std::uint64_t kCurveEvery = 100;

  NetCosim(const NetArgs& a, const Config& cfg, const std::vector<NetLayerHw>& hw, const DatasetPair& data,
           const std::string& dataset)
      : a_(a), cfg_(cfg), hw_(hw), data_(data), dataset_(dataset), nl_(static_cast<int>(hw.size())),
        first_(cfg.layers[hw.front().index]), out_(cfg.layers[hw.back().index]), gold_(cfg, a.seed),
        in_arith_(cfg.input_format, Activation::kIdentity, 0.0, cfg.lfsr),
        out_arith_(out_.format, out_.activation, out_.alpha, cfg.lfsr), dut_(hw), phases_(net_phases(hw, true)),
        infer_(net_phases(hw, false)), want_total_(net_cycles(phases_)), want_infer_(net_cycles(infer_)),
        order_(data.train.size()), rng_(a.seed), poke_rng_(a.seed * 7919 + 1),
        measured_(phases_.size() + 1, 0) {
    std::iota(order_.begin(), order_.end(), std::size_t{0});
    std::shuffle(order_.begin(), order_.end(), rng_);
    if (a.trace.on()) {
      tracer_.emplace(dut_.traceable(), a.trace, "tb_net");
      dut_.set_tracer(&*tracer_);
    }
  }

  // --trace: the file published and the line saying what it holds; after a
  // mismatch a window the run never reached is said, not an error.
  std::string finish_trace(bool after_mismatch) {
    if (!tracer_) return "";
    try {
      return tracer_->finish(dut_.cycles()) + "\n";
    } catch (const UsageError& e) {
      if (!after_mismatch) throw;
      return fmt::format("trace: {} (the run stopped at the mismatch)\n", e.what());
    }
  }

  // The golden model's starting weights into the RTL, through the host.
  void load_weights() {
    const auto t = Clock::now();
    for (int l = 0; l < nl_; ++l) {
      const auto& L = gold_.layers()[hw(l).index];
      for (std::size_t f = 0; f < hw(l).weights(); ++f) dut_.set_weight(l, f, L.w[f]);
      for (std::size_t o = 0; o < hw(l).biases(); ++o) dut_.set_bias(l, o, L.b[o]);
    }
    load_s_ = since(t);
    // The starting weights, to say how many the run changed (a run that moves
    // no weight would check nothing).
    for (const auto& h : hw_) w0_.push_back(gold_.layers()[h.index].w);
  }

  // One SGD step on both, then every check of that step; the errors, empty
  // when the RTL agrees bit for bit and cycle for cycle.
  std::vector<std::string> step(std::uint64_t s) {
    if (tracer_ && a_.trace.step == s) tracer_->start_at(dut_.cycles());
    const std::size_t idx = order_[s % order_.size()];
    sample_ = idx;
    const std::uint8_t* img = data_.train.image(idx);
    const int label = data_.train.labels[idx];
    // The host loads the sample in input_format (unless it loaded during the
    // last step) and the targets in the output format; during the step it
    // loads the next step's sample (the first layer's other X buffer).
    const auto t0 = Clock::now();
    if (preloaded_ != idx) load_sample(img);
    for (int j = 0; j < out_.neurons; ++j)
      dut_.write(HostWrite::kTarget, nl_ - 1, 0, j, out_arith_.from_real(j == label ? 1.0 : 0.0));
    const std::vector<std::int32_t> next = preload_next(s);
    // The golden model trains on the same sample on a second thread while the RTL
    // simulates (they share nothing; the checks wait for both): a step costs the RTL's time.
    double gold_step_s = 0, loss = 0;
    SideThread::Pending gold = side_.start([&] {
      const auto tg = Clock::now();
      loss = gold_.train_step(img, label);  // the RTL's too: its Y and weights are checked equal
      gold_step_s = since(tg);
    });
    const auto t_run = Clock::now();
    const std::uint64_t busy = dut_.run(true, static_cast<std::uint64_t>(want_total_) * 2 + 100, poke_rng_, next);
    const auto t1 = Clock::now();
    run_s_ += std::chrono::duration<double>(t1 - t_run).count();
    rtl_s_ += std::chrono::duration<double>(t1 - t0).count();
    gold.wait();  // after it: loss and gold_step_s are written
    gold_s_ += gold_step_s;
    loss_window_ += loss;
    rtl_cycles_ += busy;

    // Cycles, then values in the order they are made: Y (forward), G
    // (loss and backprop, from the top), W (update).
    std::string e = cycle_mismatch(phases_, busy, &measured_);
    if (e.empty()) e = buffer_mismatch(HostRead::kY, false, [](int) { return "fwd"; });
    if (e.empty()) e = buffer_mismatch(HostRead::kG, true, [&](int l) { return l == nl_ - 1 ? "loss" : "backprop"; });
    const bool last = s + 1 == a_.steps;
    if (e.empty() && (s % a_.check_every == 0 || last)) e = weight_mismatch();
    // Inference every infer_every steps (10) and after the last.
    if (e.empty() && (s % a_.infer_every == a_.infer_every - 1 || last)) e = inference_mismatch(s);
    if (!e.empty()) return {e};
    curve_point(s);
    return {};
  }

  std::size_t sample() const { return sample_; }
  double rtl_seconds() const { return rtl_s_; }
  std::int64_t cycles_per_step() const { return want_total_; }

  // The closing lines: what was checked, what training changed, the speeds.
  void print_summary() const {
    std::int64_t checked = 0, biases = 0;
    for (const auto& h : hw_) {
      checked += static_cast<std::int64_t>(h.weights() + h.biases());
      biases += static_cast<std::int64_t>(h.biases());
    }
    const char* what = biases > 0 ? "weights and biases" : "weights";
    fmt::print("tb_net: {} steps, 0 mismatches in cycles, Y, G{} {} ({} {} checked every {} step(s)); "
               "{} cycles per step; {} inferences ({} cycles each) matched\n",
               a_.steps, biases > 0 ? "," : " and", what, checked, what, a_.check_every, want_total_, inferences_,
               want_infer_);
    std::int64_t total_w = 0;
    std::string per_layer;
    for (std::size_t l = 0; l < hw_.size(); ++l) {
      const std::size_t n = gold_.layers()[hw_[l].index].w.size();
      total_w += static_cast<std::int64_t>(n);
      if (n > 0)
        per_layer += fmt::format("{}{} {}/{}", per_layer.empty() ? "" : ", ", cfg_.layers[hw_[l].index].name,
                                 weights_moved(l), n);
    }
    const std::int64_t moved = weights_moved();
    fmt::print("training moved {} of {} weights ({:.1f}%): {}\n", moved, total_w, 100.0 * moved / total_w, per_layer);
    // Biases start at 0: the ones not 0 now are the ones training moved.
    if (biases > 0) fmt::print("training moved {} of {} biases\n", biases_moved(), biases);
    const double rtl_sps = a_.steps / rtl_s_, gold_sps = a_.steps / gold_s_;
    fmt::print("speed: RTL simulation {:.1f} samples/s with the host's sample loads, {:.3g} cycles/s while busy; "
               "golden model {:.0f} samples/s ({:.3g} modelled cycles/s); golden/RTL {:.0f}x; weight load {:.2f} s, "
               "weight checks {:.1f} s\n",
               rtl_sps, rtl_cycles_ / run_s_, gold_sps, gold_sps * want_total_, gold_sps / rtl_sps, load_s_, check_s_);
  }

  // The --json result: the run, and the counters the RTL reported on the last
  // step beside the cycle model and the layer sizes the paper's formulas take
  // (`taxonn cycles`).
  nlohmann::json result() const {
    nlohmann::json res = {{"config", cfg_.name},
                          {"generated_by", provenance(cfg_)},
                          {"dataset", dataset_},
                          {"data_source", data_.source},
                          {"seed", a_.seed},
                          {"steps", a_.steps},
                          {"mismatches", 0},
                          {"weights_moved", weights_moved()},
                          {"biases_moved", biases_moved()},
                          {"cycles_per_step", want_total_},
                          {"cycles_per_step_measured", measured_.back()},
                          {"rtl_samples_per_s", a_.steps / rtl_s_},
                          {"rtl_cycles_per_s", rtl_cycles_ / run_s_},
                          {"golden_samples_per_s", a_.steps / gold_s_}};
    nlohmann::json ph = nlohmann::json::array();
    for (std::size_t p = 0; p < phases_.size(); ++p) {
      const NetLayerHw& h = hw(phases_[p].layer);
      ph.push_back({{"layer", cfg_.layers[h.index].name},
                    {"type", h.type == LayerType::kFc ? "fc" : h.type == LayerType::kConv ? "conv" : "pool"},
                    {"phase", to_string(phases_[p].cmd)},
                    {"measured", measured_[p]},
                    {"model", phases_[p].cycles},
                    {"inputs", h.k},
                    {"neurons", h.n},
                    {"pes", h.pes()},
                    {"in_shape", {h.ic, h.ih, h.iw}},
                    {"out_shape", {h.oc, h.oh, h.ow}},
                    {"kernel", h.kernel}});
    }
    res["phases"] = ph;
    return res;
  }

  // --save-weights and --eval: the weights the RTL trained, read back
  // through the host interface, saved and evaluated by the golden model
  // beside the golden model's own.
  void rtl_weights(nlohmann::json& res) {
    if (a_.eval == 0 && a_.save_weights.empty()) return;
    Network<FixedArith> rtl_net(cfg_, a_.seed);
    for (int l = 0; l < nl_; ++l) {
      auto& L = rtl_net.layers()[hw(l).index];
      const std::vector<std::int32_t> w = dut_.weights(l), b = dut_.biases(l);
      for (std::size_t f = 0; f < w.size(); ++f) L.w[f] = w[f];
      for (std::size_t o = 0; o < b.size(); ++o) L.b[o] = b[o];
    }
    if (!a_.save_weights.empty()) write_atomic(a_.save_weights, rtl_net.weights_json().dump() + "\n");
    if (a_.eval == 0) return;
    const std::size_t n = std::min<std::size_t>(a_.eval, data_.test.size());
    std::size_t ok_rtl = 0, ok_gold = 0;
    for (std::size_t i = 0; i < n; ++i) {
      ok_rtl += rtl_net.forward(data_.test.image(i)) == data_.test.labels[i];
      ok_gold += gold_.forward(data_.test.image(i)) == data_.test.labels[i];
    }
    const double acc_rtl = 100.0 * ok_rtl / n, acc_gold = 100.0 * ok_gold / n;
    fmt::print("test accuracy on {} {} test images: RTL-trained weights {:.2f}%, golden model {:.2f}%\n", n, dataset_,
               acc_rtl, acc_gold);
    res["test_images"] = n;
    res["test_accuracy_rtl_weights"] = acc_rtl;
    res["test_accuracy_golden"] = acc_gold;
  }

  // --curve PREFIX: PREFIX.csv, a gnuplot script and its SVG.
  void write_curve() const {
    const fs::path prefix(a_.curve);
    const std::string stem = prefix.filename().string();
    write_atomic(a_.curve + ".csv", curve_);
    const std::string gp = fmt::format(
        "set title \"{0}: RTL training on {1} (loss = golden model's, checked bit-exact every step)\" noenhanced\n"
        "set datafile separator \",\"\nset xlabel \"SGD steps\"\nset ylabel \"sum of squared output errors "
        "(mean over {2} steps)\"\nset y2label \"test accuracy, 1,000 images (%)\"\nset ytics nomirror\n"
        "set y2tics\nset y2range [0:100]\nset grid\nset key center right\n"
        "set terminal svg size 800,480 font \"sans,12\"\nset output \"{3}.svg\"\n"
        "plot \"{3}.csv\" using 1:2 every ::1 with lines lw 2 title \"loss\", "
        "\"{3}.csv\" using 1:3 every ::1 axes x1y2 with linespoints lw 2 title \"test accuracy\"\n",
        cfg_.name, dataset_, kCurveEvery, stem);
    write_atomic(a_.curve + ".gp", gp);
    const std::string dir = prefix.parent_path().empty() ? "." : prefix.parent_path().string();
    if (std::system(fmt::format("cd '{}' && gnuplot '{}.gp' 2>/dev/null", dir, stem).c_str()) != 0)
      fmt::print("tb_net: gnuplot not available or failed: {}.gp written, no SVG\n", a_.curve);
  }

 private:
  static double since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }
  const NetLayerHw& hw(int l) const { return hw_[static_cast<std::size_t>(l)]; }

  // How many weights training changed: of layer l, or of all layers.
  std::int64_t weights_moved(std::size_t l) const {
    const auto& w = gold_.layers()[hw_[l].index].w;
    std::int64_t m = 0;
    for (std::size_t k = 0; k < w.size(); ++k) m += w[k] != w0_[l][k];
    return m;
  }
  std::int64_t biases_moved() const {
    std::int64_t m = 0;
    for (const auto& h : hw_)
      if (h.biases() > 0)
        for (const auto v : gold_.layers()[h.index].b) m += v != 0;
    return m;
  }
  std::int64_t weights_moved() const {
    std::int64_t m = 0;
    for (std::size_t l = 0; l < hw_.size(); ++l) m += weights_moved(l);
    return m;
  }

  // A sample's words in input_format, and the host loading them.
  std::vector<std::int32_t> sample_words(const std::uint8_t* img) {
    std::vector<std::int32_t> w(static_cast<std::size_t>(first_.in_shape.size()));
    for (std::size_t i = 0; i < w.size(); ++i) w[i] = static_cast<std::int32_t>(in_arith_.from_real(img[i] / 255.0));
    return w;
  }
  // The next step's sample, for the host to load while this run goes (into
  // the first layer's other X buffer); none after the last step.
  std::vector<std::int32_t> preload_next(std::uint64_t s) {
    preloaded_ = s + 1 < a_.steps ? order_[(s + 1) % order_.size()] : kNone;
    return preloaded_ == kNone ? std::vector<std::int32_t>{} : sample_words(data_.train.image(preloaded_));
  }
  void load_sample(const std::uint8_t* img) {
    const std::vector<std::int32_t> w = sample_words(img);
    for (std::size_t i = 0; i < w.size(); ++i) dut_.write(HostWrite::kSample, 0, 0, static_cast<int>(i), w[i]);
    preloaded_ = kNone;
  }

  // Each phase's counter, the total counter and the busy cycles the host saw,
  // against the cycle model; "" when they agree.
  std::string cycle_mismatch(const std::vector<NetPhase>& ph, std::uint64_t busy, std::vector<std::uint32_t>* keep) {
    const int total_counter = static_cast<int>(phases_.size());  // taxonn_net_ctrl: the phases, then the total
    for (std::size_t p = 0; p < ph.size(); ++p) {
      const auto got = static_cast<std::uint32_t>(dut_.read(HostRead::kCounter, 0, 0, static_cast<int>(p)));
      if (keep) (*keep)[p] = got;
      if (got != ph[p].cycles)
        return fmt::format("phase {} ({}.{}): rtl {} cycles, cycle model {}", p, cfg_.layers[hw(ph[p].layer).index].name,
                           to_string(ph[p].cmd), got, ph[p].cycles);
    }
    const std::int64_t want = net_cycles(ph);
    const auto total = static_cast<std::uint32_t>(dut_.read(HostRead::kCounter, 0, 0, total_counter));
    if (keep) keep->back() = total;
    if (total != want || busy != static_cast<std::uint64_t>(want))
      return fmt::format("run cycles: rtl counter {}, busy {} cycles, cycle model {}", total, busy, want);
    return "";
  }

  // A pool layer's values are in the format of the weighted layer below it.
  const QFormat& format_of(int l) const {
    const int w = hw(l).weighted() ? l : weighted_below(hw_, l);
    return cfg_.layers[hw(w).index].format;
  }

  // Where an output j, a weight `flat` or the bias of output j is, in the layer's own terms.
  enum class Value { kOutput, kWeight, kBias };
  std::string where_text(int l, std::size_t j, Value v) const {
    const NetLayerHw& h = hw(l);
    const int i = static_cast<int>(j);
    const bool weight = v == Value::kWeight;
    if (v == Value::kBias) return fmt::format("{} {} bias", h.type == LayerType::kFc ? "neuron" : "out channel", i);
    if (h.type == LayerType::kFc)
      return weight ? fmt::format("neuron {} weight {}", i / h.k, i % h.k) : fmt::format("neuron {}", i);
    if (!weight)
      return fmt::format("output {} (channel {}, y {}, x {})", i, i / (h.oh * h.ow), i / h.ow % h.oh, i % h.ow);
    const int k = h.kernel;
    return fmt::format("weight [{}][{}][{}][{}] (out channel, in channel, row, column)", i / (k * k * h.ic),
                       i / (k * k) % h.ic, i / k % k, i % k);
  }

  std::string value_text(int l, const char* phase, const char* what, std::size_t j, Value v, std::int64_t got,
                         std::int64_t want) const {
    const QFormat& q = format_of(l);
    return fmt::format("layer '{}' {} phase {}: {} rtl {} ({}) golden {} ({}), {}", cfg_.layers[hw(l).index].name,
                       where_text(l, j, v), phase, what, got, real_str(got, q.frac_bits), want,
                       real_str(want, q.frac_bits), q.name());
  }

  // Every layer's Y or G buffer against the golden model's; "" when equal.
  std::string buffer_mismatch(HostRead what, bool top_down, const std::function<const char*(int)>& phase) {
    for (int n = 0; n < nl_; ++n) {
      const int l = top_down ? nl_ - 1 - n : n;
      const auto& L = gold_.layers()[hw(l).index];
      const auto& want = what == HostRead::kY ? L.y : L.g;
      const std::vector<std::int32_t> buf = dut_.buffer(what, l);
      for (int j = 0; j < hw(l).n; ++j) {
        const std::int32_t got = buf[static_cast<std::size_t>(j)];
        if (got != want[static_cast<std::size_t>(j)])
          return value_text(l, phase(l), what == HostRead::kY ? "Y" : "G", static_cast<std::size_t>(j), Value::kOutput, got,
                            want[static_cast<std::size_t>(j)]);
      }
    }
    return "";
  }

  // Every weight of every layer, from the top.
  std::string weight_mismatch() {
    const auto tc = Clock::now();
    for (int l = nl_ - 1; l >= 0; --l) {
      const auto& G = gold_.layers()[hw(l).index];
      const std::vector<std::int32_t> w = dut_.weights(l), b = dut_.biases(l);
      for (std::size_t f = 0; f < w.size(); ++f)
        if (w[f] != G.w[f]) return value_text(l, "update", "W", f, Value::kWeight, w[f], G.w[f]);
      for (std::size_t o = 0; o < b.size(); ++o)
        if (b[o] != G.b[o]) return value_text(l, "update", "B", o, Value::kBias, b[o], G.b[o]);
    }
    check_s_ += since(tc);
    return "";
  }

  // Inference mode (train_i = 0) on a test image: the FWD phases' counters,
  // the total, and every layer's Y.
  std::string inference_mismatch(std::uint64_t s) {
    const std::size_t ti = s % data_.test.size();
    load_sample(data_.test.image(ti));
    // The next step's sample loads during the inference too.
    const std::uint64_t ibusy =
        dut_.run(false, static_cast<std::uint64_t>(want_infer_) * 2 + 100, poke_rng_, preload_next(s));
    gold_.forward(data_.test.image(ti));
    std::string e = cycle_mismatch(infer_, ibusy, nullptr);
    if (e.empty()) e = buffer_mismatch(HostRead::kY, false, [](int) { return "inference"; });
    if (!e.empty()) return fmt::format("inference of test image {}: {}", ti, e);
    ++inferences_;
    return "";
  }

  // The curve, after the step's checks (forward passes on test images
  // overwrite the golden model's stored activations).
  void curve_point(std::uint64_t s) {
    if (!a_.curve.empty() && (s + 1) % kCurveEvery == 0) {
      curve_ += fmt::format("{},{:.6f},", s + 1, loss_window_ / kCurveEvery);
      if ((s + 1) % (10 * kCurveEvery) == 0) {
        // Test accuracy of the weights so far on the first 1,000 test images.
        const std::size_t n = std::min<std::size_t>(1000, data_.test.size());
        std::size_t ok = 0;
        for (std::size_t i = 0; i < n; ++i) ok += gold_.forward(data_.test.image(i)) == data_.test.labels[i];
        curve_ += fmt::format("{:.2f}", 100.0 * ok / n);
      }
      curve_ += "\n";
    }
    if ((s + 1) % kCurveEvery == 0) loss_window_ = 0;
  }

  const NetArgs& a_;
  const Config& cfg_;
  const std::vector<NetLayerHw>& hw_;
  const DatasetPair& data_;
  const std::string dataset_;
  const int nl_;
  const LayerConfig &first_, &out_;
  Network<FixedArith> gold_;
  SideThread side_;  // the golden step beside the RTL run
  FixedArith in_arith_, out_arith_;
  NetDut dut_;
  const std::vector<NetPhase> phases_, infer_;
  const std::int64_t want_total_, want_infer_;
  std::vector<std::size_t> order_;
  std::mt19937_64 rng_, poke_rng_;  // the sample order; host writes attempted while busy
  static constexpr std::size_t kNone = ~std::size_t{0};
  std::size_t preloaded_ = kNone;  // the training sample loaded during the last step, if any
  std::vector<std::uint32_t> measured_;  // the last step's counters
  std::vector<std::vector<std::int32_t>> w0_;
  std::size_t sample_ = 0;
  std::uint64_t inferences_ = 0, rtl_cycles_ = 0;
  double rtl_s_ = 0, run_s_ = 0, gold_s_ = 0, check_s_ = 0, load_s_ = 0, loss_window_ = 0;
  std::string curve_ = "step,mean_loss,test_accuracy_1000\n";
  std::optional<Tracer> tracer_;  // last: closed before dut_'s model goes
};

// The first divergence: printed, written as a one-file reproducer and, with
// --json, as the result.
int report_mismatch(const NetArgs& a, const Config& cfg, const std::string& dataset, std::uint64_t step,
                    std::size_t sample, const std::string& what) {
  fmt::print("MISMATCH step {} (sample {}): {}\n", step, sample, what);
  nlohmann::json r = {{"testbench", "tb_net"}, {"config", cfg.name}, {"seed", a.seed}, {"dataset", dataset},
                      {"data_dir", a.data_dir}, {"steps", step + 1}, {"infer_every", a.infer_every},
                      {"first_mismatch", what}};
  const std::string path =
      (fs::path(a.repro_dir) / fmt::format("repro_net_{}_seed{}_step{}.json", cfg.name, a.seed, step)).string();
  write_atomic(path, r.dump(1) + "\n");
  fmt::print("reproducer written: {} (replay: taxonn sim --config {} --replay {})\n", path, a.config, path);
  if (!a.json_out.empty())
    write_atomic(a.json_out, nlohmann::json({{"testbench", "tb_net"}, {"config", cfg.name}, {"seed", a.seed},
                                             {"dataset", dataset}, {"steps", a.steps}, {"mismatches", 1},
                                             {"failed_step", step}, {"first_mismatch", what},
                                             {"reproducer", path}}).dump(2) + "\n");
  return 1;
}

int run(const NetArgs& a) {
  const Config cfg = load_config(a.config);
  const std::vector<NetLayerHw> hw = net_hw(cfg);
  // The RTL is compiled in: a different config would drive the wrong network.
  if (cfg.name != dut_name())
    throw ConfigError(fmt::format("{}: this testbench runs config '{}', not '{}'; use `taxonn sim --config {}`",
                                  a.config, dut_name(), cfg.name, a.config));
  const LayerConfig& first = cfg.layers[hw.front().index];
  const LayerConfig& out = cfg.layers[hw.back().index];
  std::string note;
  const std::string dataset = choose_net_dataset(a.dataset, first.in_shape.size(), &note);
  if (!note.empty() && !a.quiet) fmt::print("tb_net: {}\n", note);
  const DatasetPair data = dataset == "random" ? random_dataset(first.in_shape.size(), out.neurons, a.seed)
                                               : load_dataset(dataset, a.data_dir);
  check_dataset_fits(data, first.in_shape.size(), out.neurons, cfg.name);

  if (a.trace.step && *a.trace.step >= a.steps)
    throw UsageError(fmt::format("--trace-step {}: the run has {} steps (0..{})", *a.trace.step, a.steps, a.steps - 1));
  fmt::print("tb_net: config {} ({} layers), {} steps on {} ({}), seed {}\n", cfg.name, hw.size(), a.steps, dataset,
             data.source, a.seed);
  NetCosim cosim(a, cfg, hw, data, dataset);
  cosim.load_weights();
  auto t_progress = Clock::now();
  for (std::uint64_t s = 0; s < a.steps; ++s) {
    const std::vector<std::string> errors = cosim.step(s);
    if (!errors.empty()) {
      fmt::print("{}", cosim.finish_trace(true));
      return report_mismatch(a, cfg, dataset, s, cosim.sample(), errors.front());
    }
    if (!a.quiet && (std::chrono::duration<double>(Clock::now() - t_progress).count() > 10 || s + 1 == a.steps)) {
      t_progress = Clock::now();
      fmt::print("  step {}/{}: 0 mismatches, {} cycles per step, {:.1f} steps/s (RTL)\n", s + 1, a.steps,
                 cosim.cycles_per_step(), (s + 1) / cosim.rtl_seconds());
      std::fflush(stdout);
    }
  }
  cosim.print_summary();
  fmt::print("{}", cosim.finish_trace(false));
  nlohmann::json res = cosim.result();
  cosim.rtl_weights(res);
  if (!a.json_out.empty()) write_atomic(a.json_out, res.dump(2) + "\n");
  if (!a.curve.empty()) cosim.write_curve();
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
        a.infer_every = j.value("infer_every", a.infer_every);
      } catch (const nlohmann::json::exception& e) {
        tb::usage_error(a.replay + ": not a tb_net reproducer: " + e.what());
      }
      tb::check_counts(a, a.replay);
    }
    if (a.config.empty()) tb::usage_error("--config is required");
    // Outputs are checked before the run, not lost after it.
    if (!a.json_out.empty()) check_writable(a.json_out, "--json");
    if (!a.save_weights.empty()) check_writable(a.save_weights, "--save-weights");
    if (!a.curve.empty()) check_writable(a.curve + ".csv", "--curve");
    check_writable(a.repro_dir, "--repro-dir", true);
    return tb::run(a);
  } catch (const std::exception& e) {  // ConfigError, DatasetError, UsageError, a failed write
    std::cerr << "tb_net: " << e.what() << "\n";
  }
  return 2;
}
