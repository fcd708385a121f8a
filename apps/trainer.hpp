// `taxonn train`: SGD (batch 1, as the hardware) of a config's network on a
// dataset, in fixed point or float from the same code (network.hpp). Seeded
// and reproducible; per-epoch CSV and JSON; weights saved and loaded in the
// documented JSON format (docs/weights.md).
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <utility>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "config.hpp"

namespace taxonn {

struct TrainOptions {
  std::string config;
  std::string dataset = "fashion-mnist";
  std::string data_dir;  // empty: the dataset's default place
  std::string arith = "fixed";  // fixed | float
  int epochs = 1;
  std::uint64_t seed = 1;
  std::size_t train_limit = 0;  // 0: the whole set
  std::size_t test_limit = 0;
  std::string out_dir;          // train.csv, train.json; empty: none
  std::string save, load;       // weights files
  bool bias = false;
  std::optional<double> alpha;  // override every layer's alpha (finite, > 0)
  // A learning-rate schedule: epoch e trains with every layer's alpha x
  // alpha_scale[min(e, size) - 1] (the host rewrites the alpha registers
  // between epochs); empty: x 1 throughout.
  std::vector<double> alpha_scale;
  // Augmentation: each training image moved by dy, dx drawn uniformly from
  // -shift..shift (its own seeded stream; zeros moved in); 0: none. Test
  // images are never moved.
  int shift = 0;
  bool quiet = false;
  // Per-layer formats (I, F) for the weighted layers in order, replacing the
  // config's; empty: the config's own.
  std::vector<std::pair<int, int>> formats;
  std::size_t curve_every = 1000;  // a loss-curve point per this many images
  std::function<void(const struct EpochStats&)> on_epoch;  // called after each epoch
};

struct LayerStats {
  std::string name;
  std::uint64_t roundings = 0, saturations = 0, underflows = 0;
};

struct EpochStats {
  int epoch = 0;
  double loss = 0, train_acc = 0, test_acc = 0, seconds = 0, images_per_second = 0;
  double alpha_scale = 1;  // this epoch's step of the schedule
  std::vector<LayerStats> layers;
};

struct TrainResult {
  std::vector<EpochStats> epochs;
  std::vector<std::pair<std::size_t, double>> curve;  // (images seen, mean loss of the last curve_every)
  std::string dataset_source;
  double final_test_acc() const { return epochs.empty() ? 0.0 : epochs.back().test_acc; }
};

// The options checked and the config they train resolved (overrides,
// formats, the schedule's alphas), before any data is read; UsageError or
// ConfigError when they are bad input. run_train starts with it; an
// experiment checks every run with it before training any.
Config resolve_train_config(const TrainOptions& o);
TrainResult run_train(const TrainOptions& o);

// A training run as a batch job (batch/executor.hpp, kind "train"): the
// options that make a run (not its outputs or callbacks) and its result,
// losslessly (a diverged float run's inf and nan included).
nlohmann::json train_options_json(const TrainOptions& o);
TrainOptions train_options_from_json(const nlohmann::json& j);
nlohmann::json train_result_json(const TrainResult& r);
TrainResult train_result_from_json(const nlohmann::json& j);

// Parse "2,12 2,12 1,12" into formats; throws ConfigError naming the flag.
std::vector<std::pair<int, int>> parse_formats(const std::string& text, const std::string& flag);

}  // namespace taxonn
