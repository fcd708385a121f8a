// The experiment runner.
#include "experiment.hpp"

#include <atomic>
#include <cmath>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <thread>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <nlohmann/json.hpp>

#include "config.hpp"
#include "io_util.hpp"
#include "json_obj.hpp"
#include "dataset.hpp"
#include "executor.hpp"
#include "trainer.hpp"

namespace taxonn {
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

struct Run {
  std::string study, label, dataset, config, arith, formats;
  std::uint64_t seed = 1;  // initial weights and sample order
  double paper = -1;  // the paper's accuracy for this run, if it has one
  TrainOptions opt;
  TrainResult result;
  std::string error;
  bool done = false;  // finished or failed; not: cut short by SIGINT/SIGTERM, not in the results
};

std::string formats_text(const Run& r, const Config& c) {
  if (r.arith != "fixed") return "float32";
  std::string s;
  if (!r.formats.empty()) {
    for (const auto& [i, f] : parse_formats(r.formats, "formats")) s += fmt::format("({},{})", i, f);
    return s;
  }
  for (const auto& L : c.layers)
    if (L.weighted()) s += fmt::format("({},{})", L.format.int_bits, L.format.frac_bits);
  return s;
}

// The seeds every run is repeated with: --seeds, else the spec's "seeds",
// else its "seed" (default 1).
std::vector<std::uint64_t> spec_seeds(const json& spec, const ExperimentOptions& o) {
  const std::vector<std::uint64_t> s =
      !o.seeds.empty()         ? o.seeds
      : spec.contains("seeds") ? spec.at("seeds").get<std::vector<std::uint64_t>>()
                               : std::vector<std::uint64_t>{spec.value("seed", std::uint64_t{1})};
  if (s.empty()) throw ConfigError("\"seeds\" is empty: give at least one seed");
  // A seed twice would run a row twice and pair its fixed run with either float run.
  for (std::size_t i = 0; i < s.size(); ++i)
    for (std::size_t k = 0; k < i; ++k)
      if (s[i] == s[k]) throw ConfigError(fmt::format("seed {} is given twice: give each seed once", s[i]));
  return s;
}

// Every object of the spec knows its fields: a misspelt one (a run's
// "formts") would otherwise train the default silently.
void check_fields(const json& spec, const std::string& source) {
  constexpr const char* kDoc = "docs/training.md";
  const json_obj::Obj top(spec, "", source, kDoc);
  top.only({"name", "title", "description", "make_target", "epochs", "seeds", "seed", "alpha", "alpha_scale", "shift",
            "bias", "studies"});
  if (!top.get("studies").is_array()) json_obj::fail(source, "studies", "must be a list", "write [{...}, ...]");
  for (std::size_t i = 0; i < spec.at("studies").size(); ++i) {
    const std::string sp = fmt::format("studies[{}]", i);
    const json_obj::Obj st(spec.at("studies")[i], sp, source, kDoc);
    st.only({"name", "dataset", "data_dir", "config", "runs"});
    if (!st.get("runs").is_array()) json_obj::fail(source, sp + ".runs", "must be a list", "write [{...}, ...]");
    for (std::size_t k = 0; k < st.get("runs").size(); ++k)
      json_obj::Obj(st.get("runs")[k], fmt::format("{}.runs[{}]", sp, k), source, kDoc)
          .only({"label", "arith", "formats", "config", "paper"});
  }
}

// The runs of every study whose data is on this machine, once per seed,
// each checked (resolve_train_config); the other studies are listed in
// `skipped` with the reason.
std::vector<Run> plan_runs(const json& spec, const fs::path& base, const ExperimentOptions& o, int epochs,
                           const std::vector<std::uint64_t>& seeds, const std::vector<double>& alpha_scale,
                           int shift, std::vector<std::string>& skipped) {
  std::vector<Run> runs;
  for (const auto& st : spec.at("studies")) {
    const std::string study = st.at("name"), dataset = st.at("dataset");
    DatasetPair data;
    try {  // a study whose data is not here fails the experiment, or with --skip-missing is skipped and said so
      data = load_dataset(dataset, st.value("data_dir", ""));
    } catch (const DatasetError& e) {
      if (!o.skip_missing)
        throw DatasetError(fmt::format("study '{}': {} (or pass --skip-missing to run the other studies)", study,
                                       e.what()));
      skipped.push_back(fmt::format("{}: {}", study, e.what()));
      continue;
    }
    for (const auto& r : st.at("runs"))
      for (const std::uint64_t seed : seeds) {
        Run run;
        run.seed = seed;
        run.study = study;
        run.dataset = dataset;
        run.label = r.at("label");
        // A run may train another config than its study's (e.g. another
        // activation), keeping the study's float run as its paired twin.
        run.config = (base / r.value("config", st.at("config").get<std::string>())).string();
        run.arith = r.value("arith", "fixed");
        run.formats = r.value("formats", "");
        run.paper = r.value("paper", -1.0);
        run.opt.config = run.config;
        run.opt.dataset = dataset;
        run.opt.data_dir = st.value("data_dir", "");
        run.opt.arith = run.arith;
        run.opt.epochs = epochs;
        run.opt.seed = seed;
        if (spec.contains("alpha")) run.opt.alpha = spec.at("alpha").get<double>();
        run.opt.alpha_scale = alpha_scale;
        run.opt.bias = spec.value("bias", false);
        run.opt.shift = shift;
        run.opt.train_limit = o.train_limit;
        run.opt.test_limit = o.test_limit;
        run.opt.quiet = true;
        if (!run.formats.empty()) run.opt.formats = parse_formats(run.formats, run.label + " formats");
        // Bad options (formats, the schedule's alphas) fail the experiment now, not each run later.
        try {
          const Config c = resolve_train_config(run.opt);
          // A config its study's dataset does not fit fails now, not inside every job.
          const Shape& in = c.input_shape;
          check_dataset_fits(data, in.channels * in.height * in.width,
                             static_cast<int>(c.layers.back().out_shape.size()), c.name);
        } catch (const std::exception& e) {
          throw ConfigError(fmt::format("study '{}', run '{}': {}", study, run.label, e.what()));
        }
        runs.push_back(std::move(run));
      }
  }
  return runs;
}

// Every run a batch job (batch/executor.hpp: this machine's processes or a
// Slurm cluster), each printing its epochs as it trains; a run finished by
// an earlier, interrupted experiment is reused, not run again.
void execute(std::vector<Run>& runs, batch::Executor& ex) {
  std::vector<batch::Job> jobs;
  for (const Run& r : runs) {
    TrainOptions o = r.opt;
    o.config = fs::absolute(o.config).string();  // the job may run elsewhere than this folder
    if (!o.data_dir.empty()) o.data_dir = fs::absolute(o.data_dir).string();
    jobs.push_back({fmt::format("{} / {} seed {}", r.study, r.label, r.seed),
                    {{"kind", "train"}, {"options", train_options_json(o)}},
                    {o.config}});
  }
  const auto outs = ex.run(jobs, [](std::size_t, const batch::Outcome& o) {
    return fmt::format("test {:.2f}%", train_result_from_json(o.result).final_test_acc());
  });
  for (std::size_t i = 0; i < runs.size(); ++i) {
    Run& r = runs[i];
    const batch::Outcome& o = outs[i];
    if (o.stopped) continue;  // not done: listed as not run
    r.done = true;
    if (o.ok) r.result = train_result_from_json(o.result);
    else r.error = o.error;
  }
}

// Mean and sample standard deviation (0 for one value).
std::pair<double, double> mean_std(const std::vector<double>& v) {
  double m = 0, q = 0;
  for (double x : v) m += x / static_cast<double>(v.size());
  for (double x : v) q += (x - m) * (x - m);
  return {m, v.size() > 1 ? std::sqrt(q / static_cast<double>(v.size() - 1)) : 0.0};
}

// The float run of the same study and seed: the fixed run's pair.
const Run* float_twin(const std::vector<Run>& runs, const Run& r) {
  for (const Run& q : runs)
    if (q.study == r.study && q.seed == r.seed && q.arith == "float" && q.error.empty()) return &q;
  return nullptr;
}

// Every run: JSON, CSV and loss curves; returns the number of failed runs.
int tabulate(const std::vector<Run>& runs, int epochs, json& all, std::string& csv, std::string& curves) {
  int failed = 0;
  for (const Run& r : runs) {
    const Config c = load_config(r.config);
    const Run* fl = float_twin(runs, r);
    const double float_acc = fl ? fl->result.final_test_acc() : -1;
    const double acc = r.result.final_test_acc();
    const std::string fm = formats_text(r, c);
    if (!r.error.empty()) ++failed;
    const std::string gap = fl && r.arith == "fixed" && r.error.empty() ? fmt::format("{:+.2f}", acc - float_acc) : "";
    csv += fmt::format("{},{},{},{},{},\"{}\",{},{:.3f},{:.3f},{:.6f},{:.3f},{},{},\"{}\"\n", r.study, r.label, r.seed,
                       r.dataset, r.arith, fm, epochs, acc,
                       r.result.epochs.empty() ? 0.0 : r.result.epochs.back().train_acc,
                       r.result.epochs.empty() ? 0.0 : r.result.epochs.back().loss, float_acc, gap,
                       r.paper >= 0 ? fmt::format("{:.1f}", r.paper) : "", r.error);
    json jr = {{"study", r.study}, {"label", r.label}, {"seed", r.seed}, {"dataset", r.dataset}, {"arith", r.arith},
               {"formats", fm}, {"base_config_hash", config_hash(c)},  // before the run's --formats
               {"test_acc", acc}, {"float_test_acc", float_acc}, {"paper_acc", r.paper}, {"error", r.error},
               {"dataset_source", r.result.dataset_source}, {"curve", r.result.curve}};
    for (const auto& e : r.result.epochs) {
      json je = {{"epoch", e.epoch}, {"loss", e.loss}, {"train_acc", e.train_acc}, {"test_acc", e.test_acc},
                 {"images_per_second", e.images_per_second}};
      for (const auto& l : e.layers)
        je["layers"][l.name] = {{"saturations", l.saturations}, {"underflows", l.underflows}, {"roundings", l.roundings}};
      jr["epochs"].push_back(je);
    }
    all["runs"].push_back(jr);
    for (const auto& [n, l] : r.result.curve)
      curves += fmt::format("{},\"{}\",{},{},{:.6f}\n", r.study, r.label, r.seed, n, l);
  }
  return failed;
}

// With more than one epoch: each row's test accuracy after every epoch
// (mean over its seeds), so a peak that the last epoch lost is visible, and
// for fixed point the share of roundings that saturated in that epoch (all
// layers), the usual reason a fixed-point run drifts away from its float twin.
void epoch_rows(const std::vector<Run>& runs, int epochs, const std::string& study, std::string& md) {
  if (epochs < 2) return;
  bool header = false;
  for (std::size_t i = 0; i < runs.size(); ++i) {
    const Run& r = runs[i];
    if (r.study != study || (i > 0 && runs[i - 1].study == r.study && runs[i - 1].label == r.label)) continue;
    if (!header) {
      header = true;
      md += fmt::format("\nAfter each epoch, {}: test accuracy (mean over seeds; fixed point: saturated roundings "
                        "per 10,000 in that epoch)\n\n| run |",
                        r.study);
      for (int e = 1; e <= epochs; ++e) md += fmt::format(" {} |", e);
      md += "\n| --- |";
      for (int e = 1; e <= epochs; ++e) md += " --- |";
      md += "\n";
    }
    md += fmt::format("| {} |", r.label);
    for (int e = 0; e < epochs; ++e) {
      double acc = 0, sat = 0, rnd = 0;
      int n = 0;
      for (const Run& q : runs) {
        if (q.study != r.study || q.label != r.label || !q.error.empty() ||
            q.result.epochs.size() <= static_cast<std::size_t>(e))
          continue;
        const EpochStats& es = q.result.epochs[static_cast<std::size_t>(e)];
        acc += es.test_acc;
        ++n;
        for (const LayerStats& l : es.layers) {
          sat += static_cast<double>(l.saturations);
          rnd += static_cast<double>(l.roundings);
        }
      }
      if (n == 0) md += " |";
      else if (r.arith == "fixed" && rnd > 0) md += fmt::format(" {:.2f}% ({:.1f}) |", acc / n, 1e4 * sat / rnd);
      else md += fmt::format(" {:.2f}% |", acc / n);
    }
    md += "\n";
  }
}

// The table: a row per study and run label over its seeds, the test
// accuracy's mean and standard deviation, and the gap to float as the mean
// and standard deviation of the paired (same seed) differences.
void table_rows(const std::vector<Run>& runs, int epochs, json& all, std::string& md) {
  std::string study;
  for (std::size_t i = 0; i < runs.size(); ++i) {
    const Run& r = runs[i];
    if (i > 0 && runs[i - 1].study == r.study && runs[i - 1].label == r.label) continue;  // one row per label
    if (r.study != study) {
      if (!study.empty()) epoch_rows(runs, epochs, study, md);
      study = r.study;
      md += fmt::format("\n## {} ({})\n\n| run | formats per layer | test accuracy (mean +- std) | seeds | gap to our "
                        "float (paired, mean +- std) | paper |\n| --- | --- | --- | --- | --- | --- |\n",
                        r.study, r.dataset);
    }
    std::vector<double> acc, gap;
    std::vector<std::string> errors;
    for (const Run& q : runs) {
      if (q.study != r.study || q.label != r.label) continue;
      if (!q.error.empty()) {
        errors.push_back(fmt::format("seed {}: {}", q.seed, q.error));
        continue;
      }
      acc.push_back(q.result.final_test_acc());
      if (const Run* fl = float_twin(runs, q); fl && q.arith == "fixed") gap.push_back(acc.back() - fl->result.final_test_acc());
    }
    const auto [am, as] = acc.empty() ? std::pair{0.0, 0.0} : mean_std(acc);
    const auto [gm, gs] = gap.empty() ? std::pair{0.0, 0.0} : mean_std(gap);
    const std::string acc_text = acc.empty() ? "failed" : fmt::format("{:.2f}% +- {:.2f}", am, as);
    const std::string gap_text = gap.empty() ? "" : fmt::format("{:+.2f} +- {:.2f}", gm, gs);
    md += fmt::format("| {} | {} | {}{} | {} | {} | {} |\n", r.label, formats_text(r, load_config(r.config)), acc_text,
                      errors.empty() ? "" : " (failed: " + fmt::format("{}", fmt::join(errors, "; ")) + ")",
                      acc.size(), gap_text, r.paper >= 0 ? fmt::format("{:.1f}%", r.paper) : "");
    json row = {{"study", r.study}, {"label", r.label}, {"arith", r.arith}, {"seeds", acc.size()},
                {"test_acc_mean", am}, {"test_acc_std", as}, {"paper_acc", r.paper}, {"failed", errors}};
    if (!gap.empty()) row.update({{"gap_to_float_mean", gm}, {"gap_to_float_std", gs}});
    all["rows"].push_back(row);
  }
  if (!study.empty()) epoch_rows(runs, epochs, study, md);
}

// One loss-curve plot per study (Fig. 5): the data, a gnuplot script, and
// the SVG when gnuplot is installed; their links go into the table.
void plot_studies(const std::vector<Run>& runs, const std::string& out_dir, std::string& md) {
  std::vector<std::string> studies;
  for (const Run& r : runs)
    if (studies.empty() || studies.back() != r.study) studies.push_back(r.study);
  bool plotted = std::system("command -v gnuplot >/dev/null 2>&1") == 0;
  for (const auto& st : studies) {
    std::string dat, plot;
    int idx = 0;
    for (const Run& r : runs) {
      // One curve per run label: its first seed's (every seed's is in curves.csv).
      if (r.study != st || r.result.curve.empty() || r.seed != runs.front().seed) continue;
      dat += fmt::format("# {}\n", r.label);
      for (const auto& [n, l] : r.result.curve) dat += fmt::format("{} {:.6f}\n", n, l);
      dat += "\n\n";
      std::string title = r.label;  // a gnuplot double-quoted string
      for (std::size_t q = 0; (q = title.find_first_of("\"\\", q)) != std::string::npos; q += 2) title.insert(q, "\\");
      plot += fmt::format("{}\"{}_loss.dat\" index {} with lines lw 2 title \"{}\"", idx ? ", " : "", st, idx, title);
      ++idx;
    }
    if (idx == 0) continue;
    write_atomic(fs::path(out_dir) / (st + "_loss.dat"), dat);
    // The SVG for docs, and a PNG for quick looks where gnuplot has one.
    const std::string gp = fmt::format(
        "set title \"LeNet-5 training loss, {0} (moving mean over 1000 images)\"\nset xlabel \"training images\"\n"
        "set ylabel \"sum of squared output errors\"\nset logscale y\nset grid\nset key bottom left\n"
        "set terminal svg size 800,480 font \"sans,12\"\nset output \"{0}_loss.svg\"\nplot {1}\n"
        "if (strstrt(GPVAL_TERMINALS, \" png \") > 0) {{\n  set terminal png size 800,480\n"
        "  set output \"{0}_loss.png\"\n  replot\n}}\n",
        st, plot);
    write_atomic(fs::path(out_dir) / (st + "_loss.gp"), gp);
    if (plotted)
      plotted = std::system(fmt::format("cd '{}' && gnuplot '{}_loss.gp'", out_dir, st).c_str()) == 0;
    md += fmt::format("\n![{0} loss]({0}_loss.svg)\n", st);
  }
  if (!plotted) fmt::print(stderr, "experiment: gnuplot not available or failed: the .gp scripts are written, no SVG\n");
}

}  // namespace

int run_experiment(const ExperimentOptions& o) {
  std::ifstream in(o.spec);
  if (!in) throw ConfigError(fmt::format("{}: cannot open the experiment spec; check the path", o.spec));
  json spec;
  try {
    spec = json::parse(in);
  } catch (const json::exception&) {
    throw ConfigError(fmt::format("{}: not valid JSON; fix the syntax", o.spec));
  }
  check_writable(o.out_dir, "--out", true);  // before hours of training, not after
  batch::Options bo = o.batch;
  if (bo.work.empty()) bo.work = fs::path(o.out_dir) / ".batch";
  const auto ex = batch::make_executor(bo);  // a bad backend or cluster option fails now
  const fs::path base = fs::path(o.spec).parent_path();
  const int epochs = o.epochs > 0 ? o.epochs : spec.value("epochs", 1);
  std::vector<std::string> skipped;
  std::vector<Run> runs;
  std::vector<std::uint64_t> seeds;
  std::vector<double> alpha_scale;
  int shift = 0;
  std::string make_target;  // the Makefile target that regenerates the committed table, if any
  try {
    check_fields(spec, o.spec);
    seeds = spec_seeds(spec, o);
    make_target = spec.value("make_target", std::string{});
    alpha_scale = spec.value("alpha_scale", std::vector<double>{});
    // A fraction would convert to a whole number silently: refused instead.
    if (spec.contains("shift") && !spec.at("shift").is_number_integer())
      throw ConfigError(fmt::format("{}: \"shift\": {} is not a whole number of pixels; give e.g. 2", o.spec,
                                    spec.at("shift").dump()));
    shift = spec.value("shift", 0);
    runs = plan_runs(spec, base, o, epochs, seeds, alpha_scale, shift, skipped);
  } catch (const json::exception& e) {
    throw ConfigError(fmt::format("{}: not an experiment spec: {}; follow configs/experiments/table1.json", o.spec,
                                  json_reason(e)));
  }
  if (runs.empty())
    throw DatasetError(fmt::format("{}: no study has its data on this machine ({}); pass data_dir in the spec",
                                   o.spec, skipped.empty() ? "no studies" : skipped.front()));
  for (const auto& s : skipped) fmt::print(stderr, "experiment: skipped study {}\n", s);
  fmt::print(stderr, "experiment '{}': {} runs, {} epochs each\n", spec.value("name", "?"), runs.size(), epochs);
  execute(runs, *ex);
  // Interrupted: the runs that finished are the result, marked as cut short.
  const int sig = stop_signal().load();
  std::vector<std::string> not_run;
  std::string stopped;
  if (sig) {
    std::vector<Run> finished;
    for (Run& r : runs) {
      if (r.done) finished.push_back(std::move(r));
      else not_run.push_back(fmt::format("{} / {} seed {}", r.study, r.label, r.seed));
    }
    stopped = fmt::format("signal {}: {} of {} runs finished", sig, finished.size(), finished.size() + not_run.size());
    runs = std::move(finished);
  }

  // Results: JSON, CSV, a Markdown table, loss curves and their plot.
  fs::create_directories(o.out_dir);
  json all;
  all["experiment"] = spec.value("name", "");
  all["taxonn_version"] = taxonn_version();
  all["spec"] = o.spec;
  all["epochs"] = epochs;
  all["train_limit"] = o.train_limit;
  all["skipped"] = skipped;
  all["completed"] = !sig;
  if (sig) {
    all["stopped"] = stopped;
    all["not_run"] = not_run;
  }
  std::string csv =
      "study,label,seed,dataset,arith,formats,epochs,test_acc,train_acc,loss,float_test_acc,gap_to_float,paper_acc,error\n";
  std::string curves = "study,label,seed,images,loss\n";
  all["seeds"] = seeds;
  all["alpha_scale"] = alpha_scale;
  all["bias"] = spec.value("bias", false);
  all["shift"] = shift;
  std::string md = fmt::format("# {}\n\n{}\n\nEach run: {} epochs of SGD (batch 1), once per seed ({}: the seed "
                               "draws the initial weights and the sample order){}{}{}. Regenerate with\n"
                               "`taxonn experiment --spec {}`{}.\n",
                               spec.value("title", "Experiment"), spec.value("description", ""), epochs,
                               fmt::join(seeds, ", "),
                               alpha_scale.empty()
                                   ? ""
                                   : fmt::format(", learning rate x {} in epochs 1, 2, ... (the last after the list)",
                                                 fmt::join(alpha_scale, ", ")),
                               shift ? fmt::format(", each training image moved by up to {} pixels in y and x "
                                                   "(uniform, seeded; the test images as they are)", shift)
                                     : "",
                               o.train_limit ? fmt::format(", {} training images per epoch", o.train_limit) : "",
                               o.spec, make_target.empty() ? "" : fmt::format(" (`make {}`)", make_target));
  if (sig)
    md += fmt::format("\n**Cut short** ({}): the table holds the finished runs; not run: {}.\n", stopped,
                      fmt::join(not_run, "; "));
  const int failed = tabulate(runs, epochs, all, csv, curves);
  table_rows(runs, epochs, all, md);
  if (!skipped.empty()) {
    md += "\nSkipped (data not on this machine):\n\n";
    for (const auto& s : skipped) md += "- " + s + "\n";
  }
  plot_studies(runs, o.out_dir, md);
  write_atomic(fs::path(o.out_dir) / "results.json", all.dump(2) + "\n");
  write_atomic(fs::path(o.out_dir) / "results.csv", csv);
  write_atomic(fs::path(o.out_dir) / "curves.csv", curves);
  write_atomic(fs::path(o.out_dir) / "table.md", md);
  fmt::print("{}", md);
  if (sig) throw Interrupted(sig, fmt::format("experiment {}; the table of those is in {}", stopped, o.out_dir));
  fmt::print(stderr, "experiment: {} runs, {} failed; results in {}\n", runs.size(), failed, o.out_dir);
  return failed;
}

}  // namespace taxonn
