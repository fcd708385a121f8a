// The training loop of `taxonn train`.
#include "trainer.hpp"

#include <unistd.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <limits>
#include <numeric>
#include <random>
#include <sstream>

#include <fmt/format.h>

#include "dataset.hpp"
#include "io_util.hpp"
#include "network.hpp"

namespace taxonn {
namespace fs = std::filesystem;

namespace {

class Progress {
 public:
  Progress(bool quiet) : quiet_(quiet), tty_(isatty(2) != 0) {}
  void update(const std::string& what, std::size_t done, std::size_t total, double loss, double ips) {
    if (quiet_) return;
    const int pct = total ? static_cast<int>(100 * done / total) : 100;
    const auto now = std::chrono::steady_clock::now();
    const bool due = tty_ ? now - last_ > std::chrono::milliseconds(200) : pct >= next_pct_;
    if (!due && done != total) return;
    last_ = now;
    if (!tty_) next_pct_ = pct / 10 * 10 + 10;
    const int filled = pct / 4;
    fmt::print(stderr, "{}{} [{}{}] {:3}% {}/{} loss {:.4f} {:.0f} img/s{}", tty_ ? "\r" : "", what,
               std::string(static_cast<std::size_t>(filled), '#'), std::string(static_cast<std::size_t>(25 - filled), '.'),
               pct, done, total, loss, ips, tty_ ? "" : "\n");
    if (tty_ && done == total) fmt::print(stderr, "\n");
  }
  void reset() { next_pct_ = 0; }

 private:
  bool quiet_, tty_;
  int next_pct_ = 0;
  std::chrono::steady_clock::time_point last_{};
};

// train.csv, train.json and curve.csv of the run so far, rewritten whole
// (atomically) after each epoch: never half-written. `stopped` says why a
// run was cut short ("" when it was not), so a partial result is marked.
void write_outputs(const TrainOptions& o, const Config& c, const DatasetPair& data, const char* arith,
                   std::size_t n_train, std::size_t n_test, const TrainResult& result, const std::string& stopped) {
  if (o.out_dir.empty()) return;
  std::string csv = "epoch,arith,loss,train_acc,test_acc,seconds,images_per_second";
  for (const auto& L : c.layers)
    if (L.weighted()) csv += fmt::format(",{0}_saturations,{0}_underflows,{0}_roundings", L.name);
  csv += "\n";
  nlohmann::json j;
  j["config"] = c.name;
  j["generated_by"] = provenance(c);
  j["dataset"] = o.dataset;
  j["dataset_source"] = data.source;
  j["arith"] = arith;
  j["seed"] = o.seed;
  j["alpha_scale"] = o.alpha_scale;
  j["shift"] = o.shift;
  j["train_images"] = n_train;
  j["test_images"] = n_test;
  j["epochs"] = nlohmann::json::array();
  for (const auto& ep : result.epochs) {
    csv += fmt::format("{},{},{:.6f},{:.3f},{:.3f},{:.2f},{:.1f}", ep.epoch, arith, ep.loss, ep.train_acc,
                       ep.test_acc, ep.seconds, ep.images_per_second);
    nlohmann::json je = {{"epoch", ep.epoch},         {"loss", ep.loss},       {"train_acc", ep.train_acc},
                         {"test_acc", ep.test_acc},   {"seconds", ep.seconds}, {"images_per_second", ep.images_per_second},
                         {"alpha_scale", ep.alpha_scale}};
    for (const auto& l : ep.layers) {
      csv += fmt::format(",{},{},{}", l.saturations, l.underflows, l.roundings);
      je["layers"][l.name] = {{"saturations", l.saturations}, {"underflows", l.underflows}, {"roundings", l.roundings}};
    }
    csv += "\n";
    j["epochs"].push_back(je);
  }
  j["final_test_acc"] = result.epochs.empty() ? 0.0 : result.epochs.back().test_acc;
  j["completed"] = stopped.empty();
  if (!stopped.empty()) j["stopped"] = stopped;
  j["curve"] = result.curve;
  std::string curve = "images,loss\n";
  for (const auto& [n, l] : result.curve) curve += fmt::format("{},{:.6f}\n", n, l);
  write_atomic(fs::path(o.out_dir) / "curve.csv", curve);
  write_atomic(fs::path(o.out_dir) / "train.csv", csv);
  write_atomic(fs::path(o.out_dir) / "train.json", j.dump(2) + "\n");
}

template <class A>
TrainResult train(const Config& c, const DatasetPair& data, const TrainOptions& o) {
  Network<A> net(c, o.seed);
  if (!o.load.empty()) {
    std::ifstream in(o.load);
    if (!in) throw ConfigError(fmt::format("{}: cannot open the weights file; check the --load path", o.load));
    nlohmann::json j;
    try {
      j = nlohmann::json::parse(in);
    } catch (const nlohmann::json::exception&) {
      throw ConfigError(fmt::format("{}: not valid JSON; pass a file written by --save", o.load));
    }
    try {
      net.load_weights(j, o.load);
    } catch (const nlohmann::json::exception& e) {
      throw ConfigError(fmt::format("{}: not a weights file of this config ({}); pass a file written by --save", o.load,
                                    json_reason(e)));
    }
  }
  const std::size_t n_train = o.train_limit ? std::min(o.train_limit, data.train.size()) : data.train.size();
  const std::size_t n_test = o.test_limit ? std::min(o.test_limit, data.test.size()) : data.test.size();
  std::vector<std::size_t> order(data.train.size());
  std::iota(order.begin(), order.end(), 0);
  std::mt19937_64 rng(o.seed ^ 0x5DEECE66Dull);
  // The moves have their own stream, so the sample order is the unmoved run's.
  std::mt19937_64 move_rng(o.seed ^ 0x3C6EF372FE94F82Bull);
  const auto span = static_cast<std::uint64_t>(2 * o.shift + 1);
  std::vector<std::uint8_t> moved(data.train.image_size());
  TrainResult result;
  result.dataset_source = data.source;
  Progress bar(o.quiet);
  for (int e = 1; e <= o.epochs; ++e) {
    for (std::size_t i = order.size(); i > 1; --i) std::swap(order[i - 1], order[rng() % i]);  // Fisher-Yates
    for (std::size_t a = 0; a < net.arith_count(); ++a) net.arith(a).counters.clear();
    EpochStats s;
    s.epoch = e;
    if (!o.alpha_scale.empty()) {
      s.alpha_scale = o.alpha_scale[std::min(static_cast<std::size_t>(e), o.alpha_scale.size()) - 1];
      net.scale_alpha(s.alpha_scale);
    }
    const auto t0 = std::chrono::steady_clock::now();
    double loss = 0, window = 0;
    std::size_t correct = 0;
    bar.reset();
    for (std::size_t i = 0; i < n_train; ++i) {
      if (const int sig = stop_signal().load()) {
        // Interrupted: the epochs finished so far are the result, marked as cut short.
        const std::string why = fmt::format("signal {} in epoch {} after {} of {} images", sig, e, i, n_train);
        write_outputs(o, c, data, A::kName, n_train, n_test, result, why);
        throw Interrupted(sig, o.save.empty() ? why : why + "; no weights saved");
      }
      const std::size_t idx = order[i];
      const int label = data.train.labels[idx];
      const std::uint8_t* image = data.train.image(idx);
      if (o.shift) {
        const int dy = static_cast<int>(move_rng() % span) - o.shift;
        const int dx = static_cast<int>(move_rng() % span) - o.shift;
        shift_image(data.train, image, dy, dx, moved.data());
        image = moved.data();
      }
      const double l = net.train_step(image, label);
      loss += l;
      window += l;
      if (o.curve_every && (i + 1) % o.curve_every == 0) {
        result.curve.emplace_back((e - 1) * n_train + i + 1, window / o.curve_every);
        window = 0;
      }
      const auto& y = net.output();
      correct += static_cast<int>(std::max_element(y.begin(), y.end()) - y.begin()) == label;
      if ((i & 255) == 255 || i + 1 == n_train) {
        const double dt = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        bar.update(fmt::format("epoch {}/{} {} train", e, o.epochs, A::kName), i + 1, n_train, loss / (i + 1),
                   (i + 1) / std::max(dt, 1e-9));
      }
    }
    s.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    s.images_per_second = n_train / std::max(s.seconds, 1e-9);
    s.loss = n_train ? loss / n_train : 0;
    s.train_acc = n_train ? 100.0 * correct / n_train : 0;
    for (std::size_t i = 0; i < c.layers.size(); ++i) {
      if (!c.layers[i].weighted()) continue;
      const auto& k = net.arith(static_cast<std::size_t>(net.layers()[i].arith)).counters;
      s.layers.push_back({c.layers[i].name, k.roundings, k.saturations, k.underflows});
    }
    std::size_t ok = 0;
    for (std::size_t i = 0; i < n_test; ++i) ok += net.forward(data.test.image(i)) == data.test.labels[i];
    s.test_acc = n_test ? 100.0 * ok / n_test : 0;
    if (!o.quiet)
      fmt::print(stderr, "epoch {}/{} {}: loss {:.4f}, train {:.2f}%, test {:.2f}% ({} images), {:.0f} img/s\n", e,
                 o.epochs, A::kName, s.loss, s.train_acc, s.test_acc, n_test, s.images_per_second);
    result.epochs.push_back(s);
    if (o.on_epoch) o.on_epoch(s);
    if (!o.out_dir.empty()) write_outputs(o, c, data, A::kName, n_train, n_test, result, "");
  }
  if (!o.save.empty()) write_atomic(o.save, net.weights_json().dump() + "\n");
  return result;
}

}  // namespace

std::vector<std::pair<int, int>> parse_formats(const std::string& text, const std::string& flag) {
  std::vector<std::pair<int, int>> v;
  std::istringstream in(text);
  for (std::string tok; in >> tok;) {
    int i = 0, f = 0;
    char comma = 0;
    std::istringstream t(tok);
    if (!(t >> i >> comma >> f) || comma != ',' || !t.eof())
      throw ConfigError(fmt::format("{} '{}': expected I,F pairs such as \"2,12 2,12 1,12\"", flag, text));
    v.emplace_back(i, f);
  }
  return v;
}

namespace {

// Every option checked, and the outputs writable, before any data is read.
void check_options(const TrainOptions& o) {
  if (o.alpha && !(std::isfinite(*o.alpha) && *o.alpha > 0))
    throw UsageError(fmt::format("--alpha {}: the learning rate must be a finite number > 0", *o.alpha));
  if (o.arith != "fixed" && o.arith != "float")
    throw UsageError(fmt::format("--arith '{}': use fixed or float", o.arith));
  if (o.epochs < 1) throw UsageError(fmt::format("--epochs {}: train at least 1 epoch", o.epochs));
  if (o.shift < 0) throw UsageError(fmt::format("--shift {}: give a move of 0 (none) or more pixels", o.shift));
  for (const double a : o.alpha_scale)
    if (!(std::isfinite(a) && a > 0))
      throw UsageError(fmt::format("--alpha-scale {}: every step of the schedule must be a finite number > 0", a));
  if (!o.save.empty()) check_writable(o.save, "--save");
  if (!o.out_dir.empty()) check_writable(o.out_dir, "--out", true);
  if (!o.load.empty() && !fs::is_regular_file(o.load))
    throw UsageError(fmt::format("--load {}: no such weights file; pass a file written by --save", o.load));
}

}  // namespace

Config resolve_train_config(const TrainOptions& o) {
  check_options(o);
  Config c = load_config(o.config);
  if (o.alpha || !o.formats.empty() || o.bias) {
    ConfigOverrides ov;
    ov.alpha = o.alpha.value_or(0.0);
    ov.bias = o.bias;
    std::size_t weighted = 0;
    for (std::size_t i = 0; i < c.layers.size(); ++i) {
      if (!c.layers[i].weighted()) continue;
      if (weighted < o.formats.size()) ov.formats[i] = o.formats[weighted];
      ++weighted;
    }
    if (!o.formats.empty() && o.formats.size() != weighted)
      throw ConfigError(fmt::format("--formats: {} formats for the {} fc/conv layers of {}; give one I,F per layer",
                                    o.formats.size(), weighted, o.config));
    c = apply_overrides(c, ov, fmt::format("{} with the overrides", o.config));
  }
  if (o.arith == "fixed") check_fixed_trainable(c);
  if (const Shape& in = c.input_shape; o.shift >= std::min(in.height, in.width))
    throw UsageError(fmt::format("--shift {}: moves {}'s {}x{} images off themselves; give 0..{} pixels", o.shift,
                                 c.name, in.height, in.width, std::min(in.height, in.width) - 1));
  // Every step of the schedule must be a learning rate the alpha register
  // holds, as the config's alpha must: one that rounds to 0 stops training.
  for (std::size_t k = 0; k < o.alpha_scale.size() && o.arith == "fixed"; ++k)
    for (const LayerConfig& L : c.layers)
      if (const std::string why = L.weighted() ? alpha_problem(L.alpha * o.alpha_scale[k], L.format) : "";
          !why.empty())
        throw UsageError(fmt::format("--alpha-scale {} (step {}): layer '{}''s alpha {} x {} {}; change the step",
                                     o.alpha_scale[k], k + 1, L.name, L.alpha, o.alpha_scale[k], why));
  return c;
}

TrainResult run_train(const TrainOptions& o) {
  const Config c = resolve_train_config(o);
  const Shape& in = c.input_shape;
  // "teacher" is made to the config's shape (dataset.hpp); the rest are read.
  const DatasetPair data =
      o.dataset == "teacher"
          ? teacher_dataset(in.channels, in.height, in.width, static_cast<int>(c.layers.back().out_shape.size()))
          : load_dataset(o.dataset, o.data_dir);
  if (in.channels != data.train.channels || in.height != data.train.height || in.width != data.train.width)
    throw ConfigError(fmt::format("{}: input_shape is {}x{}x{} but {} images are {}x{}x{}; use a config for that dataset",
                                  o.config, in.channels, in.height, in.width, o.dataset, data.train.channels,
                                  data.train.height, data.train.width));
  if (c.layers.back().out_shape.size() != data.train.classes)
    throw ConfigError(fmt::format("{}: the last layer has {} outputs but {} has {} classes", o.config,
                                  c.layers.back().out_shape.size(), o.dataset, data.train.classes));
  if (!o.quiet)
    fmt::print(stderr, "taxonn train: config '{}', {} arithmetic, dataset {} ({}), {} train / {} test images, seed {}\n",
               c.name, o.arith, o.dataset, data.source,
               o.train_limit ? std::min(o.train_limit, data.train.size()) : data.train.size(),
               o.test_limit ? std::min(o.test_limit, data.test.size()) : data.test.size(), o.seed);
  if (o.arith == "float") return train<FloatArith>(c, data, o);
  // The same bits either way; double sums vectorize where they are exact.
  return fixed_fits_double(c) ? train<FixedArithFast>(c, data, o) : train<FixedArith>(c, data, o);
}

}  // namespace taxonn

// ---- a training run as a batch job (batch/executor.hpp) ----
namespace taxonn {
namespace {

using nlohmann::json;

// A double that may be inf or nan (a diverged float run): JSON has neither.
json num(double x) {
  if (std::isfinite(x)) return x;
  return std::isnan(x) ? "nan" : (x > 0 ? "inf" : "-inf");
}
double num_of(const json& j) {
  if (j.is_number()) return j.get<double>();
  const std::string s = j.get<std::string>();
  if (s == "nan") return std::numeric_limits<double>::quiet_NaN();
  if (s == "inf") return std::numeric_limits<double>::infinity();
  if (s == "-inf") return -std::numeric_limits<double>::infinity();
  throw std::runtime_error("not a number: " + s);
}

}  // namespace

nlohmann::json train_options_json(const TrainOptions& o) {
  json j = {{"config", o.config},          {"dataset", o.dataset},         {"data_dir", o.data_dir},
            {"arith", o.arith},            {"epochs", o.epochs},           {"seed", o.seed},
            {"train_limit", o.train_limit}, {"test_limit", o.test_limit},  {"bias", o.bias},
            {"alpha_scale", o.alpha_scale}, {"formats", o.formats},        {"curve_every", o.curve_every}};
  if (o.alpha) j["alpha"] = *o.alpha;
  if (o.shift) j["shift"] = o.shift;  // only when moved: earlier runs' job keys stay
  return j;
}

TrainOptions train_options_from_json(const nlohmann::json& j) {
  TrainOptions o;
  o.config = j.at("config");
  o.dataset = j.at("dataset");
  o.data_dir = j.at("data_dir");
  o.arith = j.at("arith");
  o.epochs = j.at("epochs");
  o.seed = j.at("seed");
  o.train_limit = j.at("train_limit");
  o.test_limit = j.at("test_limit");
  o.bias = j.at("bias");
  o.alpha_scale = j.at("alpha_scale").get<std::vector<double>>();
  o.formats = j.at("formats").get<std::vector<std::pair<int, int>>>();
  o.curve_every = j.at("curve_every");
  if (j.contains("alpha")) o.alpha = j.at("alpha").get<double>();
  o.shift = j.value("shift", 0);
  o.quiet = true;
  return o;
}

nlohmann::json train_result_json(const TrainResult& r) {
  json j = {{"dataset_source", r.dataset_source}, {"epochs", json::array()}, {"curve", json::array()}};
  for (const auto& e : r.epochs) {
    json je = {{"epoch", e.epoch},         {"loss", num(e.loss)},
               {"train_acc", num(e.train_acc)}, {"test_acc", num(e.test_acc)},
               {"seconds", num(e.seconds)}, {"images_per_second", num(e.images_per_second)},
               {"alpha_scale", num(e.alpha_scale)}, {"layers", json::array()}};
    for (const auto& l : e.layers)
      je["layers"].push_back({l.name, l.roundings, l.saturations, l.underflows});
    j["epochs"].push_back(je);
  }
  for (const auto& [n, l] : r.curve) j["curve"].push_back({n, num(l)});
  return j;
}

TrainResult train_result_from_json(const nlohmann::json& j) {
  TrainResult r;
  r.dataset_source = j.at("dataset_source");
  for (const auto& je : j.at("epochs")) {
    EpochStats e;
    e.epoch = je.at("epoch");
    e.loss = num_of(je.at("loss"));
    e.train_acc = num_of(je.at("train_acc"));
    e.test_acc = num_of(je.at("test_acc"));
    e.seconds = num_of(je.at("seconds"));
    e.images_per_second = num_of(je.at("images_per_second"));
    e.alpha_scale = num_of(je.at("alpha_scale"));
    for (const auto& l : je.at("layers"))
      e.layers.push_back({l.at(0).get<std::string>(), l.at(1).get<std::uint64_t>(), l.at(2).get<std::uint64_t>(),
                          l.at(3).get<std::uint64_t>()});
    r.epochs.push_back(std::move(e));
  }
  for (const auto& c : j.at("curve")) r.curve.emplace_back(c.at(0).get<std::size_t>(), num_of(c.at(1)));
  return r;
}

}  // namespace taxonn
