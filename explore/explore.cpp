// `taxonn explore` (explore.hpp, docs/explore.md): the search and the
// batches that measure its points (the files: report.cpp). Every measurement is a
// batch job (executor.hpp) keyed by its content, so a rerun or a resumed
// run reuses every finished training and every synthesized unit.
#include "explore.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <map>
#include <memory>
#include <numeric>
#include <set>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "content_key.hpp"
#include "io_util.hpp"
#include "net_model.hpp"
#include "pareto.hpp"
#include "study.hpp"
#include "sim.hpp"
#include "synth.hpp"
#include "trainer.hpp"

namespace taxonn::explore {
namespace detail {

Study::Study(Spec s, const Options& o) : s_(std::move(s)), t0_(std::chrono::steady_clock::now()) {
  out_ = o.out_dir.empty() ? fs::path("build/explore") / s_.name : fs::path(o.out_dir);
  check_writable(out_, "--out", true);
  batch::Options bo = o.batch;
  if (bo.work.empty()) bo.work = out_ / ".batch";
  bo.list_reused = false;
  ex_ = batch::make_executor(bo);
  work_ = fs::absolute(bo.work);
  units_ = work_ / "units";
  // The liberty: --liberty, else the spec's; without one (or when the
  // spec's is not on this machine) Yosys's generic cells, said here and in
  // the report, with the objectives that need timing and power dropped.
  std::string lib = o.liberty.empty() ? s_.liberty.string() : o.liberty;
  if (o.liberty == "none") lib.clear();
  if (!o.liberty.empty() && o.liberty != "none" && !fs::exists(o.liberty))
    throw UsageError(fmt::format("--liberty {}: no such file; pass an existing .lib or .lib.gz, or none", o.liberty));
  if (o.liberty.empty() && s_.liberty_given && !fs::exists(s_.liberty)) {
    note_ = fmt::format("the spec's liberty {} is not on this machine: Yosys's generic cells (area in transistors, "
                        "no energy or Fmax); pass --liberty FILE for a real library",
                        s_.liberty.string());
    lib.clear();
  }
  if (lib.empty() && note_.empty())
    note_ = "no liberty: Yosys's generic cells (area in transistors, no energy or Fmax); pass --liberty FILE";
  if (const std::string flops = fall_back_to_flops(s_, lib); !flops.empty())
    note_ += (note_.empty() ? "" : "; ") + flops;
  if (!s_.sram.empty()) sram_ = {s_.sram.string()};
  sram_catalog(s_.config, !lib.empty(), sram_);
  liberty_shown_ = lib;
  if (!lib.empty()) lib_ = prepare_liberty(lib, fs::absolute(bo.work).string());
  objectives_ = s_.objectives;
  if (lib_.empty()) {
    objectives_.erase(std::remove_if(objectives_.begin(), objectives_.end(),
                                     [](Objective x) { return x == Objective::kEnergy || x == Objective::kFmax; }),
                      objectives_.end());
    if (objectives_.size() < 2) objectives_.push_back(Objective::kArea);
    if (s_.cost == "energy" || s_.cost == "area_energy") cost_ = "area";
  }
  if (!note_.empty()) fmt::print(stderr, "explore: note: {}\n", note_);
  for (std::size_t i = 0; i < s_.config.layers.size(); ++i)
    if (s_.config.layers[i].weighted()) weighted_.push_back(i);
  verify_ = !o.no_verify;
  // A resumed study adds its earlier runs' wall time (they wrote points.json).
  try {
    if (fs::exists(out_ / "points.json")) {
      const json j = json::parse(read_text(out_ / "points.json"));
      if (j.value("study", "") == s_.name) earlier_wall_ = j.value("wall_seconds_total", 0.0);
    }
  } catch (const std::exception&) {
    earlier_wall_ = 0;  // an unreadable earlier file is rewritten whole
  }
}

// The time each distinct job took when it ran (a reused job counts the run
// that made its result), by kind: what the study cost, however many runs.
void Study::count_job(const batch::Job& j, const batch::Outcome& o, const std::string& kind) {
  if (!o.ok) return;
  ContentKey k;
  k.add(j.spec.dump());
  job_seconds_[k.hex()] = {kind, o.seconds};
}

Formats Study::config_formats() const {
  Formats f;
  for (std::size_t i : weighted_) f.push_back({s_.config.layers[i].format.int_bits, s_.config.layers[i].format.frac_bits});
  return f;
}

std::vector<int> Study::config_pes() const {
  std::vector<int> p;
  for (std::size_t i : weighted_) p.push_back(pes_of(s_.config.layers[i]));
  return p;
}

std::size_t Study::add(const Formats& f, const std::vector<int>& pes, const std::string& origin) {
  std::string key = formats_text(f) + " pes";
  for (int n : pes) key += fmt::format(" {}", n);
  if (const auto it = index_.find(key); it != index_.end()) {
    if (pts_[it->second].origin.find(origin) == std::string::npos && origin.rfind("greedy", 0) != 0)
      pts_[it->second].origin += ", " + origin;
    return it->second;
  }
  Point p;
  p.formats = f;
  p.pes = pes;
  p.origin = origin;
  ContentKey k;
  k.add(key);
  p.id = k.hex().substr(0, 8);
  p.label = formats_text(f);
  if (pes != config_pes()) {
    std::string t;
    for (int n : pes) t += fmt::format("{}{}", t.empty() ? "" : ",", n);
    p.label += " pes " + t;
  }
  pts_.push_back(p);
  index_[key] = pts_.size() - 1;
  return pts_.size() - 1;
}

std::size_t Study::trained_formats() const {
  std::set<Formats> f;
  for (const Point& p : pts_)
    if (searched(p) || !p.error.empty()) f.insert(p.formats);
  return f.size();
}

Config Study::point_config(const Point& p) const {
  ConfigOverrides ov;
  for (std::size_t k = 0; k < weighted_.size(); ++k) {
    ov.formats[weighted_[k]] = p.formats[k];
    ov.pes[weighted_[k]] = p.pes[k];
  }
  ov.name = fmt::format("{}_{}", s_.config.name, p.id);
  return apply_overrides(s_.config, ov, s_.config_path.string());
}

// One batch: the trainings the points lack (the search's measurement, or
// the full one) and the float reference, plus the units of every point not
// yet costed; a unit two points share is one job (the executor's key).
void Study::evaluate(const std::vector<std::size_t>& idx_in, bool full, const std::string& what) {
  // A point listed twice (an anchor that is also another anchor) is measured once.
  std::vector<std::size_t> idx;
  for (std::size_t i : idx_in)
    if (std::find(idx.begin(), idx.end(), i) == idx.end()) idx.push_back(i);
  const bool screen = !full && s_.screen.has_value();
  const Measure& m = screen ? *s_.screen : s_.accuracy;
  std::vector<double>& fl = screen ? float_screen_ : float_acc_;
  struct Tag {
    enum { kTrain, kFloat, kUnit } kind;
    std::size_t point = 0, unit = 0;
    std::uint64_t seed = 0;
  };
  std::vector<batch::Job> jobs;
  std::vector<Tag> tags;
  const char* mname = screen ? "screen" : "accuracy";
  auto train = [&](std::optional<std::size_t> point, std::uint64_t seed) {
    TrainOptions t;
    t.config = fs::absolute(s_.config_path).string();
    t.dataset = s_.dataset;
    t.data_dir = s_.data_dir;
    t.arith = point ? "fixed" : "float";
    t.epochs = m.epochs;
    t.seed = seed;
    t.train_limit = m.train_limit;
    t.test_limit = m.test_limit;
    t.quiet = true;
    if (point) t.formats = pts_[*point].formats;
    const std::string name =
        point ? fmt::format("train {} seed {} ({})", pts_[*point].label, seed, mname) : fmt::format("train float seed {} ({})", seed, mname);
    jobs.push_back({name, {{"kind", "train"}, {"options", train_options_json(t)}}, {t.config}});
    tags.push_back({point ? Tag::kTrain : Tag::kFloat, point.value_or(0), 0, seed});
  };
  if (fl.empty())
    for (std::uint64_t seed : m.seeds) train(std::nullopt, seed);
  std::map<std::size_t, std::vector<NetUnit>> units;
  for (std::size_t i : idx) {
    Point& p = pts_[i];
    if (!p.error.empty()) continue;
    if (!(screen ? p.screened : p.measured))
      for (std::uint64_t seed : m.seeds) train(i, seed);
    if (!p.costed) {
      const Config c = point_config(p);
      // A gated config's PEs at gate level, as synth --network prices them.
      units[i] = net_units(c, lib_, s_.clock_ns, units_, sram_, pe_gate_power_choice("", c));
      for (std::size_t u = 0; u < units[i].size(); ++u) {
        batch::Job j = units[i][u].job;
        j.name = fmt::format("synth {} of {}", units[i][u].tag, p.label);
        jobs.push_back(j);
        tags.push_back({Tag::kUnit, i, u, 0});
      }
    }
  }
  if (jobs.empty()) return;
  fmt::print(stderr, "explore: {}: {} points, {} jobs\n", what, idx.size(), jobs.size());
  const auto outs = ex_->run(jobs, [&](std::size_t j, const batch::Outcome& o) {
    if (tags[j].kind == Tag::kUnit) {
      const SynthPoint sp = synth_point_from_json(o.result);
      return fmt::format("area {:.0f}{}", sp.area, sp.timed ? fmt::format(", Fmax {:.0f} MHz", sp.fmax_mhz) : "");
    }
    return fmt::format("test {:.2f}%", train_result_from_json(o.result).final_test_acc());
  });
  for (std::size_t j = 0; j < jobs.size(); ++j)
    if (outs[j].stopped)
      throw Interrupted(stop_signal().load(), "explore: stopped; rerun the same command to resume (finished jobs are kept)");
  for (std::size_t j = 0; j < jobs.size(); ++j)
    count_job(jobs[j], outs[j], tags[j].kind == Tag::kUnit ? "synthesis" : "training");
  std::map<std::size_t, std::vector<double>> accs;
  std::map<std::size_t, std::vector<SynthPoint>> sp;
  for (std::size_t j = 0; j < jobs.size(); ++j) {
    const Tag& t = tags[j];
    const batch::Outcome& o = outs[j];
    if (t.kind == Tag::kFloat) {
      if (!o.ok) throw ToolError(fmt::format("explore: the float reference training failed: {}", o.error));
      fl.push_back(train_result_from_json(o.result).final_test_acc());
      continue;
    }
    if (t.kind == Tag::kTrain) {
      if (o.ok) {
        accs[t.point].push_back(train_result_from_json(o.result).final_test_acc());
        (o.reused ? trains_reused_ : trains_run_) += 1;
      } else {
        pts_[t.point].error = "training failed: " + o.error;
      }
      continue;
    }
    const NetUnit& u = units[t.point][t.unit];
    ++unit_instances_;
    if (!unit_reused_.count(u.key)) unit_reused_[u.key] = o.reused;
    if (!o.ok) pts_[t.point].error = fmt::format("synthesis of {} failed: {}", u.tag, o.error);
    else sp[t.point].push_back(synth_point_from_json(o.result));
  }
  for (auto& [i, v] : accs) {
    Point& p = pts_[i];
    if (!p.error.empty()) continue;
    (screen ? p.screen_accs : p.accs) = v;
    (screen ? p.screened : p.measured) = true;
  }
  for (auto& [i, v] : sp) {
    Point& p = pts_[i];
    if (!p.error.empty() || v.size() != units[i].size()) continue;
    const NetSynthReport r = net_rollup(point_config(p), liberty_shown_, lib_.empty(), s_.clock_ns, units[i], v);
    p.area = r.area;
    p.power_mw = r.power_mw;
    p.energy_nj = r.energy_per_step_nj;  // one training sample per SGD step (batch 1)
    p.fmax = r.fmax_mhz;
    p.cycles = r.cycles_per_step;
    p.unit_area.clear();
    for (const auto& un : r.units) p.unit_area.push_back({un.name, un.point.area * un.instances});
    p.costed = true;
  }
  classify();
  write_results(false);
}

// Feasibility (the constraint) and the front over every usable point.
void Study::classify() {
  const double floor = search_float() - s_.max_accuracy_drop;
  std::vector<std::vector<double>> v;
  std::vector<std::size_t> which;
  for (std::size_t i = 0; i < pts_.size(); ++i) {
    Point& p = pts_[i];
    p.front = false;
    p.feasible = usable(p) && search_acc(p) >= floor;
    if (!usable(p)) continue;
    std::vector<double> o;
    for (Objective ob : objectives_) {
      const double x = ob == Objective::kAccuracy ? search_acc(p)
                       : ob == Objective::kArea   ? p.area
                       : ob == Objective::kEnergy ? p.energy_nj
                       : ob == Objective::kCycles ? static_cast<double>(p.cycles)
                                                  : p.fmax;
      o.push_back(maximized(ob) ? -x : x);
    }
    v.push_back(o);
    which.push_back(i);
  }
  front_.clear();
  for (std::size_t k : pareto_front(v)) {
    pts_[which[k]].front = true;
    front_.push_back(which[k]);
  }
}

// The paper's method, automated: from the widest formats, each round tries
// one step narrower in every layer (fewer fraction bits, or one integer bit
// fewer) and keeps the cheapest candidate that meets the constraint; a move
// that breaks it is not tried again.
void Study::greedy() {
  Formats cur = config_formats();
  for (const LayerSpace& ls : s_.space) {
    const std::size_t k = std::find(weighted_.begin(), weighted_.end(), ls.index) - weighted_.begin();
    cur[k] = {ls.i_hi, ls.f_hi};
  }
  std::size_t at = add(cur, config_pes(), "start (widest)");
  evaluate({at}, false, "start: the widest formats of the space");
  if (!usable(pts_[at])) {
    log_.push_back(fmt::format("the start point {} could not be measured ({}); no descent", pts_[at].label, pts_[at].error));
    return;
  }
  std::set<std::pair<std::size_t, char>> frozen;
  for (int round = 1;; ++round) {
    const std::size_t budget = static_cast<std::size_t>(s_.points);
    if (trained_formats() >= budget) {
      log_.push_back(fmt::format("round {}: the budget of {} points is spent", round, s_.points));
      break;
    }
    // Layers with the most area first: their moves are tried first when the budget runs short.
    std::vector<const LayerSpace*> order;
    for (const LayerSpace& ls : s_.space) order.push_back(&ls);
    auto layer_area = [&](const LayerSpace* ls) {
      double a = 0;
      for (const auto& [tag, area] : pts_[at].unit_area)
        if (tag == ls->layer + "_pe" || tag == ls->layer + "_layer") a += area;
      return a;
    };
    std::stable_sort(order.begin(), order.end(), [&](auto* a, auto* b) { return layer_area(a) > layer_area(b); });
    std::vector<std::pair<std::size_t, std::pair<std::size_t, char>>> cands;  // point, the move
    for (const LayerSpace* ls : order) {
      const std::size_t k = std::find(weighted_.begin(), weighted_.end(), ls->index) - weighted_.begin();
      if (!frozen.count({k, 'F'}) && cur[k].second - s_.step >= ls->f_lo) {
        Formats f = cur;
        f[k].second -= s_.step;
        cands.push_back({add(f, config_pes(), fmt::format("greedy round {}", round)), {k, 'F'}});
      }
      if (!ls->by_width && !frozen.count({k, 'I'}) && cur[k].first - 1 >= ls->i_lo) {
        Formats f = cur;
        f[k].first -= 1;
        cands.push_back({add(f, config_pes(), fmt::format("greedy round {}", round)), {k, 'I'}});
      }
    }
    if (cands.empty()) {
      log_.push_back(fmt::format("round {}: every layer is at its narrowest or frozen", round));
      break;
    }
    const std::size_t left = budget - trained_formats();
    if (cands.size() > left) cands.resize(left);
    std::vector<std::size_t> idx;
    for (const auto& c : cands) idx.push_back(c.first);
    evaluate(idx, false, fmt::format("greedy round {} from {}", round, pts_[at].label));
    std::optional<std::size_t> best;
    std::string tried;
    for (const auto& [i, mv] : cands) {
      const Point& p = pts_[i];
      tried += fmt::format("{}{} {}", tried.empty() ? "" : "; ", p.label,
                           !usable(p) ? "failed" : fmt::format("{:.2f}%{}", search_acc(p), p.feasible ? "" : " (infeasible)"));
      if (!p.feasible) {
        frozen.insert(mv);
        continue;
      }
      if (!best || cost(p) < cost(pts_[*best]) ||
          (cost(p) == cost(pts_[*best]) && search_acc(p) > search_acc(pts_[*best])))
        best = i;
    }
    if (!best) {
      log_.push_back(fmt::format("round {} from {}: tried {}; none meets the constraint: stop", round, pts_[at].label, tried));
      break;
    }
    log_.push_back(fmt::format("round {} from {}: tried {}; kept {}", round, pts_[at].label, tried, pts_[*best].label));
    at = *best;
    cur = pts_[at].formats;
  }
}

void Study::random_points(int n, const std::string& origin) {
  SplitMix64 rng{s_.seed};
  std::vector<std::size_t> idx;
  int tries = 0;
  while (static_cast<int>(idx.size()) < n && trained_formats() + idx.size() < static_cast<std::size_t>(s_.points) &&
         tries++ < 100 * n + 100) {
    Formats f = config_formats();
    for (const LayerSpace& ls : s_.space) {
      const auto all = ls.formats();
      const std::size_t k = std::find(weighted_.begin(), weighted_.end(), ls.index) - weighted_.begin();
      f[k] = all[rng.next() % all.size()];
    }
    const std::size_t before = pts_.size();
    const std::size_t i = add(f, config_pes(), origin);
    if (pts_.size() > before) idx.push_back(i);
  }
  if (!idx.empty()) evaluate(idx, false, fmt::format("{} random points (seed {})", idx.size(), s_.seed));
}

// PE counts trade area for cycles without changing the arithmetic: the
// feasible front's formats with every listed combination, costed only (their
// trainings are the format's own jobs, reused).
void Study::pe_variants() {
  std::vector<std::vector<int>> combos = {config_pes()};
  bool any = false;
  for (const LayerSpace& ls : s_.space) {
    if (ls.pes.empty()) continue;
    any = true;
    const std::size_t k = std::find(weighted_.begin(), weighted_.end(), ls.index) - weighted_.begin();
    std::vector<std::vector<int>> next;
    for (const auto& c : combos)
      for (int n : ls.pes) {
        auto d = c;
        d[k] = n;
        next.push_back(d);
      }
    combos = next;
  }
  if (!any || s_.pe_points == 0) return;
  std::vector<std::size_t> idx;
  std::vector<std::size_t> base;
  for (std::size_t i : front_)
    if (pts_[i].feasible) base.push_back(i);
  std::sort(base.begin(), base.end(), [&](std::size_t a, std::size_t b) { return cost(pts_[a]) < cost(pts_[b]); });
  for (std::size_t b : base)
    for (const auto& c : combos) {
      if (static_cast<int>(idx.size()) >= s_.pe_points) break;
      const std::size_t before = pts_.size();
      const Formats f = pts_[b].formats;
      const std::size_t i = add(f, c, "PE counts of " + pts_[b].label);
      if (pts_.size() > before) idx.push_back(i);
    }
  if (!idx.empty()) evaluate(idx, false, fmt::format("{} PE-count variants of the front", idx.size()));
}

void Study::verify() {
  std::vector<std::size_t> pick;
  for (std::size_t i : front_)
    if (pts_[i].feasible) pick.push_back(i);
  std::sort(pick.begin(), pick.end(), [&](std::size_t a, std::size_t b) { return cost(pts_[a]) < cost(pts_[b]); });
  if (pick.size() > static_cast<std::size_t>(s_.verify_points)) pick.resize(static_cast<std::size_t>(s_.verify_points));
  if (pick.empty()) return;
  std::vector<batch::Job> jobs;
  for (std::size_t i : pick) {
    SimOptions o;
    o.config = pts_[i].config_file.string();
    o.out_dir = (work_ / "verify" / pts_[i].id).string();  // logs and reproducers stay with the batch
    o.steps = s_.verify_steps;
    o.dataset = s_.dataset == "teacher" ? "random" : s_.dataset;  // the RTL's check needs samples, not a task
    o.data_dir = s_.data_dir;
    jobs.push_back({fmt::format("verify {} in RTL ({} SGD steps)", pts_[i].label, s_.verify_steps),
                    {{"kind", "sim"}, {"options", sim_options_json(o)}},
                    {o.config}});
  }
  fmt::print(stderr, "explore: co-simulating {} front points bit for bit ({} SGD steps each)\n", pick.size(),
             s_.verify_steps);
  const auto outs = ex_->run(jobs, [](std::size_t, const batch::Outcome& o) {
    return o.result.at("exit") == 0 ? std::string("bit-exact") : std::string("MISMATCH");
  });
  for (std::size_t k = 0; k < pick.size(); ++k) count_job(jobs[k], outs[k], "rtl_check");
  for (std::size_t k = 0; k < pick.size(); ++k) {
    if (outs[k].stopped) throw Interrupted(stop_signal().load(), "explore: stopped during the RTL checks; rerun to resume");
    Point& p = pts_[pick[k]];
    if (!outs[k].ok) p.verify = "FAIL: " + outs[k].error;
    else if (outs[k].result.at("exit") == 0)
      p.verify = fmt::format("pass ({} steps bit-exact)", s_.verify_steps);
    else
      p.verify = fmt::format("FAIL: see {}", (work_ / "verify" / p.id / "sim.json").string());
  }
}


int Study::run() {
  std::size_t space = 1;
  for (const LayerSpace& ls : s_.space) space *= ls.formats().size();
  fmt::print(stderr, "explore: study '{}': config '{}', {} layers searched ({} format points in the space), budget {} "
             "points, strategy {}, out {}\n", s_.name, s_.config.name, s_.space.size(), space, s_.points, s_.strategy,
             out_.string());
  if (cost_.empty()) cost_ = s_.cost;
  std::vector<std::size_t> anchors;
  if (s_.paper_anchor) anchors.push_back(add(config_formats(), config_pes(), "paper (the config's formats)"));
  if (s_.uniform)
    for (int w = s_.uniform->first; w <= s_.uniform->second; ++w) {
      Formats f = config_formats();
      for (auto& [i, fr] : f) fr = w - i;
      anchors.push_back(add(f, config_pes(), fmt::format("uniform W = {}", w)));
    }
  if (!anchors.empty()) evaluate(anchors, false, "the anchors (the config's formats, uniform widths)");
  if (s_.strategy == "greedy") {
    greedy();
    random_points(s_.random_points, "random");
  } else {
    random_points(s_.points, "random");
  }
  classify();
  pe_variants();
  classify();
  if (s_.screen) {
    std::vector<std::size_t> idx = anchors;
    for (std::size_t i : front_)
      if (pts_[i].feasible) idx.push_back(i);
    evaluate(idx, true, "the feasible front and the anchors, measured in full");
  }
  // Each front point as a ready config (a rerun replaces the folder whole).
  const fs::path front_dir = out_ / "front";
  std::error_code ec;
  fs::remove_all(front_dir, ec);
  for (std::size_t i : front_) {
    Point& p = pts_[i];
    const Config c = point_config(p);
    p.config_file = fs::absolute(front_dir / (c.name + ".json"));
    json j = to_json(c);
    j["description"] = fmt::format("explore study '{}', point {} ({}): {}", s_.name, p.id, p.origin, p.label);
    write_atomic(p.config_file, j.dump(2) + "\n");
  }
  if (verify_) verify();
  write_results(true);
  bool ok = true;
  fmt::print("\nexplore: study '{}': {} points ({} format points trained), {} on the front\n", s_.name, pts_.size(),
             trained_formats(), front_.size());
  for (std::size_t i : front_) {
    const Point& p = pts_[i];
    fmt::print("  {} {:<34} acc {:6.2f}%  area {:10.0f}  {}cycles {:6}{}{}\n", p.id, p.label, search_acc(p), p.area,
               lib_.empty() ? "" : fmt::format("energy {:8.1f} nJ  ", p.energy_nj), p.cycles,
               p.feasible ? "" : "  (infeasible)", p.verify.empty() ? "" : "  RTL: " + p.verify);
    ok &= p.verify.rfind("FAIL", 0) != 0;
  }
  std::size_t run = 0, reused = 0;
  for (const auto& [k, r] : unit_reused_) (r ? reused : run) += 1;
  fmt::print("  syntheses: {} unit instances over all points, {} unique: {} run, {} reused; trainings: {} run, {} "
             "reused; {:.0f} s\n  results: {}/report.md, points.csv, front.csv, explore.svg\n",
             unit_instances_, unit_reused_.size(), run, reused, trains_run_, trains_reused_,
             std::chrono::duration<double>(std::chrono::steady_clock::now() - t0_).count(), out_.string());
  if (!ok) fmt::print("explore: an RTL check FAILED (see the report)\n");
  std::size_t failed = 0;
  for (const Point& p : pts_) failed += !p.error.empty();
  if (failed) fmt::print("explore: {} points could not be measured (their errors are in the report)\n", failed);
  if (front_.empty()) {
    fmt::print("explore: FAILED: no point could be measured, so there is no front\n");
    return 1;
  }
  return ok ? 0 : 1;
}


}  // namespace detail

int run_explore(const Options& o) {
  Spec s = load_spec(o.spec);
  if (o.check_only) {
    std::size_t space = 1;
    fmt::print("explore: spec {} is valid: study '{}', config '{}', dataset {}\n", o.spec, s.name, s.config.name, s.dataset);
    for (const LayerSpace& ls : s.space) {
      space *= ls.formats().size();
      fmt::print("  {}: {} formats, Q({},{}) .. Q({},{}){}\n", ls.layer, ls.formats().size(), ls.formats().front().first,
                 ls.formats().front().second, ls.formats().back().first, ls.formats().back().second,
                 ls.pes.empty() ? "" : fmt::format(", PE counts {}", fmt::join(ls.pes, " ")));
    }
    fmt::print("  {} format points in the space; budget {} points ({} anchors), {} PE-count variants; strategy {}\n",
               space, s.points, (s.paper_anchor ? 1 : 0) + (s.uniform ? s.uniform->second - s.uniform->first + 1 : 0),
               s.pe_points, s.strategy);
    return 0;
  }
  detail::Study st(std::move(s), o);
  return st.run();
}

}  // namespace taxonn::explore
