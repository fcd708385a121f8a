// The explore study's internals (explore.hpp is the interface): a point of
// the search, and the study that measures points in batches (explore.cpp)
// and writes what it found (report.cpp).
#pragma once

#include <chrono>
#include <cmath>
#include <map>
#include <memory>
#include <numeric>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "executor.hpp"
#include "explore.hpp"
#include "splitmix.hpp"

namespace taxonn::explore::detail {

using nlohmann::json;

using Formats = std::vector<std::pair<int, int>>;  // per weighted layer of the config, in order

inline double mean(const std::vector<double>& v) {
  return v.empty() ? std::nan("") : std::accumulate(v.begin(), v.end(), 0.0) / static_cast<double>(v.size());
}

inline std::string formats_text(const Formats& f) {
  std::string s;
  for (const auto& [i, fr] : f) s += fmt::format("({},{})", i, fr);
  return s;
}

struct Point {
  Formats formats;
  std::vector<int> pes;  // per weighted layer
  std::string origin, id, label;
  std::vector<double> screen_accs, accs;  // per seed: the screen's, the accuracy measurement's
  bool screened = false, measured = false, costed = false;
  std::string error;  // a training or synthesis that failed
  double area = 0, power_mw = 0, energy_nj = 0, fmax = 0;
  std::int64_t cycles = 0;
  std::vector<std::pair<std::string, double>> unit_area;  // unit tag -> area x instances
  bool feasible = false, front = false;
  std::string verify;  // "" not verified, "pass", "FAIL ..."
  fs::path config_file;
};

class Study {
 public:
  Study(Spec s, const Options& o);

  int run();

 private:
  // The search's accuracy of a point: the screen's when there is one.
  double search_acc(const Point& p) const { return mean(s_.screen ? p.screen_accs : p.accs); }
  double search_float() const { return mean(s_.screen ? float_screen_ : float_acc_); }
  bool searched(const Point& p) const { return s_.screen ? p.screened : p.measured; }
  bool usable(const Point& p) const { return p.error.empty() && p.costed && searched(p); }
  double cost(const Point& p) const {
    if (cost_ == "area") return p.area;
    if (cost_ == "energy") return p.energy_nj;
    if (cost_ == "cycles") return static_cast<double>(p.cycles);
    return p.area * p.energy_nj;
  }
  std::size_t add(const Formats& f, const std::vector<int>& pes, const std::string& origin);
  std::size_t trained_formats() const;
  void evaluate(const std::vector<std::size_t>& idx, bool full, const std::string& what);
  void classify();
  Formats config_formats() const;
  std::vector<int> config_pes() const;
  int pes_of(const LayerConfig& L) const { return L.type == LayerType::kConv ? L.array_cols : L.pes; }
  Config point_config(const Point& p) const;
  void greedy();
  void random_points(int n, const std::string& origin);
  void pe_variants();
  void verify();
  void write_results(bool final);
  std::string report_md(const json& all) const;
  std::string against_config() const;
  void plot() const;
  json point_json(const Point& p) const;

  Spec s_;
  std::chrono::steady_clock::time_point t0_;
  double earlier_wall_ = 0;  // wall time of the earlier runs that wrote this folder (a resumed study)
  std::map<std::string, std::pair<std::string, double>> job_seconds_;  // job spec hash -> (kind, seconds it took)
  void count_job(const batch::Job& j, const batch::Outcome& o, const std::string& kind);
  fs::path out_, work_, units_;
  std::string lib_, liberty_shown_, note_, cost_ = "";
  std::vector<std::string> sram_;  // memory sram: the spec's macros (synth.sram)
  std::vector<Objective> objectives_;
  std::unique_ptr<batch::Executor> ex_;
  std::vector<Point> pts_;
  std::map<std::string, std::size_t> index_;
  std::vector<std::size_t> weighted_;
  std::map<std::string, bool> unit_reused_;  // unit content key -> reused from an earlier run
  int unit_instances_ = 0, trains_run_ = 0, trains_reused_ = 0;
  std::vector<double> float_screen_, float_acc_;
  std::vector<std::string> log_;  // the search's steps, for the report
  std::vector<std::size_t> front_;
  bool verify_ = true;
};


}  // namespace taxonn::explore::detail
