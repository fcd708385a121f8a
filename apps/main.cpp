// The taxonn command line: generate RTL from a config, synthesize the PEs.
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <memory>
#include <utility>
#include <sstream>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "config.hpp"
#include "accel_table.hpp"
#include "cycle_report.hpp"
#include "design.hpp"
#include "net_model.hpp"
#include "dataset.hpp"
#include "executor.hpp"
#include "experiment.hpp"
#include "explore.hpp"
#include "io_util.hpp"
#include "memory.hpp"
#include "sim.hpp"
#include "synth.hpp"
#include "trainer.hpp"

namespace {

int cmd_generate(const std::string& config, const std::string& out, const std::string& clock_gating) {
  const taxonn::Config c = taxonn::load_config(config, "", clock_gating);  // throws before anything is written
  const auto files = taxonn::generate_design(c);
  taxonn::write_files(out, files);
  std::size_t modules = 0;
  for (const auto& f : files) modules += f.path.size() > 2 && f.path.substr(f.path.size() - 2) == ".v";
  fmt::print("taxonn: generated config '{}' ({} layers, {} Verilog files) into {}\n", c.name,
             c.layers.size(), modules, out);
  std::string why;
  if (taxonn::net_supported(c, &why))
    fmt::print("taxonn: network accelerator: rtl/{}.v (docs/network.md)\n", taxonn::net_module_name(c));
  else
    fmt::print("taxonn: PEs only, no network top: {}\n", why);
  return 0;
}

int cmd_synth(const taxonn::SynthOptions& o) {
  const taxonn::SynthReport r = taxonn::run_synth(o);
  fmt::print("{}", taxonn::format_report(r));
  if (!o.json_out.empty()) taxonn::write_atomic(o.json_out, taxonn::report_json(r));
  return 0;
}

// How a command's batch of jobs runs (batch/executor.hpp, docs/cluster.md):
// the same options on every command that runs one; `--jobs` is the
// command's own (local: processes at a time; slurm: the array's throttle).
void add_batch_options(CLI::App* app, taxonn::batch::Options& b, const std::string& work_default) {
  app->add_option("--backend", b.backend, "where the jobs run: local (this machine) or slurm (a cluster; docs/cluster.md)")
      ->default_val("local");
  app->add_option("--batch-work", b.work,
                  "the batch's folder: job files, results (a rerun reuses them), logs, Slurm scripts; on a cluster a "
                  "folder every node shares (default " + work_default + ")");
  app->add_option("--retries", b.retries, "more attempts for a job that died (killed, node failure); a job that reports "
                                           "bad input is not retried")->default_val(1);
  app->add_option("--slurm-partition", b.partition, "slurm: partition (default: the cluster's)");
  app->add_option("--slurm-account", b.account, "slurm: account to charge");
  app->add_option("--slurm-time", b.time_limit, "slurm: time limit per job")->default_val("4:00:00");
  app->add_option("--slurm-mem", b.mem, "slurm: memory per job")->default_val("4G");
  app->add_option("--slurm-cpus", b.cpus, "slurm: CPUs per job")->default_val(1);
  app->add_option("--slurm-poll", b.poll_seconds, "slurm: seconds between squeue polls")->default_val(2.0);
}

// The first batch option given on the command line ("" when none): a
// command that runs no batch refuses them rather than ignore them.
std::string batch_option_given(const CLI::App* app) {
  for (const char* o : {"--backend", "--batch-work", "--retries", "--slurm-partition", "--slurm-account",
                        "--slurm-time", "--slurm-mem", "--slurm-cpus", "--slurm-poll"})
    if (app->count(o) > 0) return o;
  return "";
}

// `taxonn job FILE`: one job of a batch, as the executor runs it (hidden).
nlohmann::json run_job_spec(const nlohmann::json& spec, const std::string& name) {
  const std::string kind = spec.at("kind");
  if (kind == "train") {
    taxonn::TrainOptions o = taxonn::train_options_from_json(spec.at("options"));
    o.on_epoch = [&](const taxonn::EpochStats& e) {
      fmt::print(stderr, "  {}: epoch {}/{} loss {:.4f} test {:.2f}% ({:.0f} img/s on its thread)\n", name, e.epoch,
                 o.epochs, e.loss, e.test_acc, e.images_per_second);
    };
    return taxonn::train_result_json(taxonn::run_train(o));
  }
  if (kind.rfind("synth-", 0) == 0) {
    // The executor's SIGTERM stops the job's Yosys and OpenSTA with it (the
    // tool runs poll it); the other kinds die at once, as by default.
    taxonn::install_stop_on_signal();
    return taxonn::run_synth_job(spec);
  }
  if (kind == "sim") return taxonn::run_sim_job(spec);
  throw taxonn::UsageError(fmt::format("job kind '{}' is unknown to this taxonn; run the batch with the taxonn that "
                                       "wrote it", kind));
}

// A subcommand: its options are parsed into state the handler owns.
struct Command {
  CLI::App* app = nullptr;
  std::function<int()> run;
};

Command add_generate(CLI::App& app) {
  struct State {
    std::string config, out, clock_gating;
  };
  auto st = std::make_shared<State>();
  auto* gen = app.add_subcommand("generate", "write the RTL of a config: rtl/*.v, filelist.f, config.resolved.json");
  gen->add_option("--config", st->config, "JSON config (see docs/config.md)")->required();
  gen->add_option("--out", st->out, "output folder")->required();
  gen->add_option("--clock-gating", st->clock_gating, "override the config's clock_gating: on or off (docs/config.md)");
  return {gen, [st] { return cmd_generate(st->config, st->out, st->clock_gating); }};
}

Command add_synth(CLI::App& app) {
  struct State {
    taxonn::SynthOptions so;
    taxonn::SweepOptions sw;
    std::string format, sweep;
    bool no_breakdown = false, network = false;
  };
  auto st = std::make_shared<State>();
  taxonn::SynthOptions& so = st->so;
  taxonn::SweepOptions& sw = st->sw;
  auto* syn = app.add_subcommand("synth", "Yosys area of the baseline and the TaxoNN PE of one layer");
  syn->add_option("--config", so.config_path, "JSON config")->required();
  syn->add_option("--layer", so.layer, "layer name (default: the first fc/conv layer)");
  syn->add_option("--format", st->format, "override the layer's format, I,F (e.g. 2,14)");
  syn->add_option("--liberty", so.liberty, "liberty file (.lib or .lib.gz); default: Yosys generic cells");
  syn->add_option("--work", so.work_dir, "folder for RTL, scripts and logs")->default_val("build/synth");
  syn->add_option("--json", so.json_out, "write the report as JSON too");
  syn->add_option("--clock-ns", so.clock_ns, "clock period: ABC's delay target and the power clock")->default_val(5.0);
  syn->add_flag("--network", st->network, "the whole accelerator of a config (fc, conv, pooling), unit by unit, rolled up");
  syn->add_option("--memory", so.memory, "override the config's memory: flops or sram (docs/config.md)");
  syn->add_option("--clock-gating", so.clock_gating, "override the config's clock_gating: on or off (docs/config.md)");
  syn->add_option("--pe-power", so.pe_power,
                  "--network: the PEs' power from gate (gate-level simulation of each PE's training workload) or "
                  "opensta (vectorless); default gate for a gated config (docs/power.md)");
  syn->add_option("--sram", so.sram, "memory: sram: SRAM macro liberties (files or folders, e.g. ../shared/pdk/fakeram45)");
  syn->add_flag("--no-breakdown", st->no_breakdown, "skip the per-module area breakdown");
  syn->add_option("--sweep", st->sweep, "FROM:TO: both PEs at every W in FROM..TO (Tables II/III), into --out");
  syn->add_option("--int-bits", sw.int_bits, "integer bits of the swept format Q(I, W-I)")->default_val(4);
  syn->add_option("--jobs", sw.batch.jobs, "sweep points or units at a time (slurm: 0 for no limit)")->default_val(2);
  add_batch_options(syn, sw.batch, "<out>/.batch for --sweep, <work>/batch for --network");
  syn->add_option("--out", sw.out_dir, "sweep results folder")->default_val("build/synth_sweep");
  syn->add_option("--compare", sw.compare, "--sweep: another sweep's sweep.json (e.g. without clock gating), compared W by W");

  return {syn, [st, syn] {
    taxonn::SynthOptions& so = st->so;
    taxonn::SweepOptions& sw = st->sw;
    const std::string& format = st->format;
    const std::string& sweep = st->sweep;
    if (!format.empty()) {
      int i = 0, f = 0;
      char comma = 0;
      std::istringstream in(format);
      if (!(in >> i >> comma >> f) || comma != ',' || !in.eof())
        throw taxonn::ConfigError(fmt::format("--format '{}': expected I,F such as 2,14", format));
      so.format = std::make_pair(i, f);
    }
    so.breakdown = !st->no_breakdown;
    // Outputs checked before hours of synthesis, not after.
    if (!so.json_out.empty()) taxonn::check_writable(so.json_out, "--json");
    if (!sweep.empty()) taxonn::check_writable(sw.out_dir, "--out", true);
    if (!(so.clock_ns > 0 && std::isfinite(so.clock_ns)))
      throw taxonn::UsageError(fmt::format("--clock-ns {}: the clock period must be a finite number of ns > 0", so.clock_ns));
    if (!so.sram.empty() && so.memory != "sram" &&
        (so.memory == "flops" || taxonn::load_config(so.config_path).memory != taxonn::Memory::kSram))
      throw taxonn::UsageError(fmt::format("--sram: {} has flip-flop scratchpads; set \"memory\": \"sram\" in it (or "
                                           "add --memory sram) to map them to SRAM macros", so.config_path));
    if (!so.pe_power.empty() && !st->network)
      throw taxonn::UsageError(fmt::format("--pe-power {}: it prices a network's PE units; add --network", so.pe_power));
    if (st->network) {
      so.batch = sw.batch;
      if (so.batch.work.empty()) so.batch.work = std::filesystem::path(so.work_dir) / "batch";
      taxonn::install_stop_on_signal();
      const auto r = taxonn::run_net_synth(so);
      fmt::print("{}", taxonn::format_net_report(r));
      if (!so.json_out.empty()) taxonn::write_atomic(so.json_out, taxonn::net_report_json(r));
      return 0;
    }
    if (!sweep.empty()) {
      char colon = 0;
      std::istringstream in(sweep);
      if (!(in >> sw.from >> colon >> sw.to) || colon != ':' || !in.eof())
        throw taxonn::ConfigError(fmt::format("--sweep '{}': expected FROM:TO such as 13:21", sweep));
      sw.base = so;
      if (sw.batch.work.empty()) sw.batch.work = std::filesystem::path(sw.out_dir) / ".batch";
      taxonn::install_stop_on_signal();  // Ctrl-C: the batch stops (and cancels its Slurm jobs)
      taxonn::run_sweep(sw);
      return 0;
    }
    if (const std::string b = batch_option_given(syn); !b.empty())
      throw taxonn::UsageError(fmt::format("{} is for a batch: give --sweep FROM:TO or --network (one synth is one run)", b));
    taxonn::install_stop_on_signal();  // Ctrl-C or SIGTERM: Yosys and OpenSTA are killed with it
    return cmd_synth(so);
  }};
}

Command add_train(CLI::App& app) {
  struct State {
    taxonn::TrainOptions to;
    std::string formats;
  };
  auto st = std::make_shared<State>();
  taxonn::TrainOptions& to = st->to;
  auto* trn = app.add_subcommand("train", "train a config's network on a dataset (golden model, fixed or float)");
  trn->add_option("--config", to.config, "JSON config")->required();
  trn->add_option("--dataset", to.dataset, "mnist, fashion-mnist, cifar10, or teacher (synthetic, any input size)")->default_val("fashion-mnist");
  trn->add_option("--data-dir", to.data_dir,
                  fmt::format("dataset folder (default: $TAXONN_DATA_DIR/<dataset> if set, else {} for mnist, {} "
                              "for fashion-mnist, {} for cifar10)",
                              taxonn::default_dataset_dir("mnist"), taxonn::default_dataset_dir("fashion-mnist"),
                              taxonn::default_dataset_dir("cifar10")));
  trn->add_option("--arith", to.arith, "fixed (bit-exact, the config's formats) or float")->default_val("fixed");
  trn->add_option("--epochs", to.epochs, "epochs")->default_val(1);
  trn->add_option("--seed", to.seed, "seed of the weights and the shuffling")->default_val(1);
  trn->add_option("--train-limit", to.train_limit, "train on the first N shuffled images of each epoch (0: all)");
  trn->add_option("--test-limit", to.test_limit, "evaluate on the first N test images (0: all)");
  trn->add_option_function<double>(
      "--alpha", [st](double v) { st->to.alpha = v; }, "override every layer's learning rate (a finite number > 0)");
  trn->add_option("--alpha-scale", to.alpha_scale,
                  "learning-rate schedule: epoch e uses every layer's alpha x the e-th value (the last one after "
                  "the list ends), e.g. --alpha-scale 1 1 0.5 0.25");
  trn->add_option("--shift", to.shift,
                  "augmentation: move each training image by up to N pixels in y and x (uniform, seeded; 0: none)")
      ->default_val(0);
  trn->add_flag("--bias", to.bias, "give every fc/conv layer a bias (as \"bias\": true in the config)");
  trn->add_option("--out", to.out_dir, "write train.csv and train.json here");
  trn->add_option("--save", to.save, "write the trained weights (docs/weights.md)");
  trn->add_option("--load", to.load, "start from these weights");
  trn->add_flag("--quiet", to.quiet, "no progress output");
  trn->add_option("--formats", st->formats, "per-layer formats of the fc/conv layers, e.g. \"2,12 2,12 2,12 1,12 3,10\"");

  return {trn, [st] {
    // Ctrl-C writes the epochs so far, marked as cut short, then exits 128 + signal.
    taxonn::install_stop_on_signal();
    taxonn::TrainOptions& to = st->to;
    const std::string& formats = st->formats;
    if (!formats.empty()) to.formats = taxonn::parse_formats(formats, "--formats");
    const auto r = taxonn::run_train(to);
    const auto& last = r.epochs.back();
    fmt::print("taxonn train: {} epochs, final loss {:.4f}, train {:.2f}%, test {:.2f}%, {:.0f} images/s\n",
               r.epochs.size(), last.loss, last.train_acc, last.test_acc, last.images_per_second);
    return 0;
  }};
}

Command add_experiment(CLI::App& app) {
  auto st = std::make_shared<taxonn::ExperimentOptions>();
  taxonn::ExperimentOptions& eo = *st;
  auto* exp = app.add_subcommand("experiment", "a sweep of training runs from a spec (configs/experiments/table1.json)");
  exp->add_option("--spec", eo.spec, "experiment spec (JSON)")->required();
  exp->add_option("--out", eo.out_dir, "results folder")->required();
  exp->add_option("--jobs", eo.batch.jobs, "runs at a time (slurm: 0 for no limit)")->default_val(2);
  add_batch_options(exp, eo.batch, "<out>/.batch");
  exp->add_option("--epochs", eo.epochs, "override the spec's epochs");
  exp->add_option("--train-limit", eo.train_limit, "images per epoch (quick runs)");
  exp->add_option("--test-limit", eo.test_limit, "test images");
  exp->add_flag("--skip-missing", eo.skip_missing, "skip (and list) the studies whose dataset is not on this machine");
  exp->add_option("--seeds", eo.seeds, "override the spec's seeds: each run once per seed (e.g. --seeds 1 2 3)")
      ->check(CLI::Range(std::uint64_t{0}, std::uint64_t{1} << 62));

  return {exp, [st] {
    // Ctrl-C: the finished runs are tabulated, marked as cut short, then exit 128 + signal.
    taxonn::install_stop_on_signal();
    return taxonn::run_experiment(*st) == 0 ? 0 : 1;
  }};
}

Command add_explore(CLI::App& app) {
  auto st = std::make_shared<taxonn::explore::Options>();
  taxonn::explore::Options& eo = *st;
  auto* ex = app.add_subcommand("explore", "search per-layer formats (and PE counts) for the front of accuracy, area, "
                                           "energy, cycles (docs/explore.md)");
  ex->add_option("--spec", eo.spec, "explore spec (JSON, docs/explore.md)")->required();
  ex->add_option("--out", eo.out_dir, "the study's folder (default build/explore/<name>)");
  ex->add_option("--liberty", eo.liberty, "liberty for synthesis, instead of the spec's (none: Yosys generic cells)");
  ex->add_option("--jobs", eo.batch.jobs, "jobs at a time (slurm: 0 for no limit)")->default_val(2);
  add_batch_options(ex, eo.batch, "<out>/.batch");
  ex->add_flag("--no-verify", eo.no_verify, "skip co-simulating the best front points in RTL");
  ex->add_flag("--check", eo.check_only, "check the spec and print its space and budget; run nothing");
  return {ex, [st] {
    // Ctrl-C: every finished job is kept; rerunning resumes.
    taxonn::install_stop_on_signal();
    return taxonn::explore::run_explore(*st);
  }};
}

// A subcommand that reads a list of files (option `in`) and writes `--out`.
Command files_to_out(CLI::App& app, const char* name, const char* what, const char* in, const char* in_help,
                     const char* out_help, void (*run)(const std::vector<std::string>&, const std::string&)) {
  auto st = std::make_shared<std::pair<std::vector<std::string>, std::string>>();
  auto* sc = app.add_subcommand(name, what);
  sc->add_option(in, st->first, in_help)->required();
  sc->add_option("--out", st->second, out_help)->required();
  return {sc, [st, run] {
    run(st->first, st->second);
    return 0;
  }};
}

Command add_cycles(CLI::App& app) {
  return files_to_out(app, "cycles", "the cycle table: tb_net's measured cycles beside the paper's formulas",
                      "--measured", "tb_net --json files", "folder for cycles.md and cycles.csv", taxonn::write_cycle_report);
}

Command add_accel_table(CLI::App& app) {
  return files_to_out(app, "accel-table", "one table of whole-accelerator reports (synth --network --json)", "--json",
                      "the reports, one per network", "the Markdown table to write", taxonn::write_accel_table);
}

Command add_sim(CLI::App& app) {
  auto st = std::make_shared<taxonn::SimOptions>();
  taxonn::SimOptions& sim = *st;
  auto* sm = app.add_subcommand("sim", "co-simulate a config's RTL against the golden model: both PEs of every layer, "
                                       "then the network training (builds its testbenches on demand, cached)");
  sm->add_option("--config", sim.config, "JSON config (see docs/config.md)")->required();
  sm->add_option("--memory", sim.memory, "override the config's scratchpads: flops or sram (docs/config.md)");
  sm->add_option("--clock-gating", sim.clock_gating, "override the config's clock_gating: on or off (docs/config.md)");
  sm->add_option("--out", sim.out_dir, "logs, results and reproducers (default build/sim/<config name>)");
  sm->add_option("--json", sim.json_out, "the report (default <out>/sim.json)");
  sm->add_option("--iters", sim.iters, "PE co-simulation cycles")->default_val(20000)->check(CLI::Range(1ULL, 1ULL << 40));
  sm->add_option("--steps", sim.steps, "network SGD steps")->default_val(200)->check(CLI::Range(1ULL, 1ULL << 40));
  sm->add_option("--seed", sim.seed, "seed of the stimulus, the weights and the sample order")->default_val(1);
  auto seeds = std::make_shared<std::vector<std::uint64_t>>();
  auto bo = std::make_shared<taxonn::batch::Options>();
  sm->add_option("--seeds", *seeds, "several seeds: the testbenches built once, then one batch job per seed (locally "
                                    "or on Slurm), a table in <out>/seeds.md")
      ->check(CLI::Range(std::uint64_t{0}, std::uint64_t{1} << 62));
  sm->add_option("--seed-jobs", bo->jobs, "--seeds: runs at a time (slurm: 0 for no limit)")->default_val(2);
  add_batch_options(sm, *bo, "<out>/.batch");
  sm->add_option("--dataset", sim.dataset, "mnist, fashion-mnist, cifar10 or random (default: the one the input size "
                                           "fits; random samples when none does)");
  sm->add_option("--data-dir", sim.data_dir, "dataset folder (default: as for train)");
  sm->add_option("--eval", sim.eval, "evaluate the RTL-trained weights on N test images");
  sm->add_option("--check-every", sim.check_every, "compare every weight every N steps (Y, G, cycles: every step)")
      ->default_val(1)->check(CLI::Range(1ULL, 1ULL << 40));
  sm->add_option("--infer-every", sim.infer_every, "run a checked inference on a test image every N steps")
      ->default_val(10)->check(CLI::Range(1ULL, 1ULL << 40));
  sm->add_option("--save-weights", sim.save_weights, "write the weights the RTL trained (docs/weights.md)");
  sm->add_option("--curve", sim.curve, "the network run's loss and test-accuracy curve: PREFIX.csv, .gp, .svg");
  sm->add_option("--replay", sim.replay, "run a reproducer written by a failed run instead of the checks");
  sm->add_option("--trace", sim.trace, "waveforms (FST) of a window of cycles: FILE.fst for the one check that runs, "
                                       "FILE.pe.fst and FILE.net.fst for both (builds traced testbenches, cached)");
  sm->add_option("--trace-start", sim.trace_start, "first cycle of the waveform window")
      ->default_val(0)->check(CLI::Range(0ULL, 1ULL << 50));
  sm->add_option("--trace-cycles", sim.trace_cycles, "cycles in the waveform window")
      ->default_val(taxonn::tb::TraceOptions::kDefaultCycles)->check(CLI::Range(1ULL, 1ULL << 40));
  sm->add_option("--trace-step", sim.trace_step, "the network check's window starts at this SGD step (from 0)")
      ->check(CLI::Range(std::int64_t{0}, std::int64_t{1} << 40));
  sm->add_option("--templates", sim.templates, "build from the templates in this folder instead of the built-in ones");
  sm->add_option("--cache", sim.cache_dir, "testbench cache (default <build>/cache/sim, or $TAXONN_SIM_CACHE)");
  sm->add_option("--kit", sim.kit, "simulation kit (default: the build's sim_kit.json)");
  sm->add_option("--jobs", sim.jobs, "compile jobs")->default_val(2);
  sm->add_flag("--pe-only", sim.pe_only, "PE co-simulation only (for a config the network RTL does not cover)");
  sm->add_flag("--build-only", sim.build_only, "build (or find in the cache) the testbenches; run nothing");
  sm->add_flag("--quiet", sim.quiet, "no per-step progress lines");
  sm->add_flag("--pgo", sim.pgo, "build the network testbench profile-guided (about twice the build, a faster "
                                 "simulation: for long runs, docs/sim.md)");

  return {sm, [st, sm, seeds, bo] {
    st->trace_window_given = sm->count("--trace-start") + sm->count("--trace-cycles") + sm->count("--trace-step") > 0;
    if (!seeds->empty()) {
      if (sm->count("--seed") > 0) throw taxonn::SimInputError("--seed and --seeds: give one of them");
      taxonn::install_stop_on_signal();  // Ctrl-C: the batch stops (and cancels its Slurm jobs)
      return taxonn::run_sim_seeds(*st, *seeds, *bo);
    }
    if (const std::string b = batch_option_given(sm); !b.empty())
      throw taxonn::SimInputError(b + " is for a batch: give --seeds A B ...");
    if (sm->count("--seed-jobs") > 0) throw taxonn::SimInputError("--seed-jobs is for a batch: give --seeds A B ...");
    taxonn::install_stop_on_signal();  // Ctrl-C or SIGTERM: the builds and testbenches are killed with it
    return taxonn::run_sim(*st);
  }};
}

Command add_macros(CLI::App& app) {
  struct State {
    std::vector<std::string> sram, memories;
    std::string config, json, verilog;
    int max_banks = taxonn::mem::kDefaultMaxBanks;
  };
  auto st = std::make_shared<State>();
  auto* mc = app.add_subcommand("macros", "the cheapest cover of memories by SRAM macros (docs/memory.md)");
  mc->add_option("--sram", st->sram, "the macros' liberty files or folders (e.g. ../shared/pdk/fakeram45)")->required();
  mc->add_option("--memory", st->memories, "a memory as WORDSxBITS (e.g. 784x13); repeatable");
  mc->add_option("--config", st->config, "every memory of this config's network that memory: sram maps (PE scratchpads, conv and pool Y buffers)");
  mc->add_option("--max-banks", st->max_banks, "most macros stacked in depth per slice")
      ->default_val(taxonn::mem::kDefaultMaxBanks)->check(CLI::Range(1, 4096));
  mc->add_option("--json", st->json, "write the covers as JSON too");
  mc->add_option("--verilog", st->verilog,
                 "for synthesis: each memory's taxonn_sram_model built from its macros, into DIR/WORDSxBITS/");
  return {mc, [st] {
    if (st->memories.empty() && st->config.empty())
      throw taxonn::UsageError("macros: give --memory WORDSxBITS or --config FILE");
    if (!st->json.empty()) taxonn::check_writable(st->json, "--json");
    if (!st->verilog.empty()) taxonn::check_writable(st->verilog, "--verilog", true);
    std::vector<taxonn::mem::Memory> mems;
    if (!st->config.empty()) mems = taxonn::mem::memories(st->config);
    for (const auto& m : st->memories) {
      int d = 0, w = 0;
      char x = 0;
      std::istringstream in(m);
      if (!(in >> d >> x >> w) || x != 'x' || !in.eof())
        throw taxonn::UsageError(fmt::format("--memory '{}': expected WORDSxBITS such as 784x13", m));
      mems.push_back({m, d, w, 1});
    }
    const auto catalog = taxonn::mem::read_catalog(st->sram);
    const std::string table = taxonn::mem::report(mems, catalog, st->max_banks, st->json);
    for (const auto& m : mems) {
      if (st->verilog.empty()) break;
      const auto cv = taxonn::mem::cover(m.depth, m.width, catalog, m.name, st->max_banks);
      taxonn::write_atomic(std::filesystem::path(st->verilog) / fmt::format("{}x{}", m.depth, m.width) /
                               "taxonn_sram_model.v",
                           taxonn::mem::cover_module(cv, m.name));
    }
    fmt::print("{}", table);
    return 0;
  }};
}

Command add_job(CLI::App& app) {
  auto file = std::make_shared<std::string>();
  auto* jb = app.add_subcommand("job", "run one job file of a batch (the executor runs this; docs/cluster.md)");
  jb->group("");  // internal: not in --help's list
  jb->add_option("file", *file, "the job file (<work>/jobs/<key>.json)")->required();
  return {jb, [file] { return taxonn::batch::run_job_file(*file, run_job_spec); }};
}

Command add_bench_sim(CLI::App& app) {
  struct State {
    std::vector<std::string> configs;
    std::string out, kit, compare;
    int jobs = 2;
  };
  auto st = std::make_shared<State>();
  auto* bs = app.add_subcommand("bench-sim", "benchmark: build each config's testbenches from an empty cache, stage by stage");
  bs->add_option("--config", st->configs, "configs")->required();
  bs->add_option("--out", st->out, "folder for build_times.{json,md}")->required();
  bs->add_option("--jobs", st->jobs, "compile jobs")->default_val(2);
  bs->add_option("--kit", st->kit, "simulation kit (default: the build's sim_kit.json)");
  bs->add_option("--compare-opt", st->compare, "also build this config's network testbench at -O3 and time both");
  return {bs, [st] {
    taxonn::bench_sim_builds(st->configs, st->out, st->jobs, st->kit, st->compare);
    return 0;
  }};
}

}  // namespace

int main(int argc, char** argv) {
  taxonn::install_cleanup_on_signal();  // an interrupted run leaves no temporary folder
  CLI::App app{"taxonn: low-bitwidth DNN training accelerator generator (TaxoNN, ISCAS 2020)"};
  app.require_subcommand(1);
  app.set_version_flag("--version", std::string("taxonn ") + TAXONN_VERSION);
  const std::vector<Command> commands = {add_generate(app), add_synth(app),   add_train(app),    add_experiment(app), add_explore(app),
                                         add_cycles(app),   add_accel_table(app), add_sim(app),     add_bench_sim(app),
                                         add_macros(app), add_job(app)};
  try {
    app.parse(argc, argv);
  } catch (const CLI::Success& e) {  // --help, --version
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    // Bad input on the command line: one line, exit 2 (README, exit codes).
    fmt::print(stderr, "taxonn: {}; see taxonn{} --help\n", e.what(),
               app.get_subcommands().empty() ? "" : " " + app.get_subcommands().front()->get_name());
    return 2;
  }
  try {
    for (const Command& c : commands)
      if (c.app->parsed()) return c.run();
  } catch (const taxonn::Interrupted& e) {
    fmt::print(stderr, "taxonn: interrupted: {}; {}\n", e.what(),
               e.wrote() ? "the results so far are written, marked as cut short" : "nothing was written");
    return 128 + e.signal();
  } catch (const taxonn::UsageError& e) {
    fmt::print(stderr, "taxonn: {}\n", e.what());
    return 2;
  } catch (const taxonn::SimInputError& e) {
    fmt::print(stderr, "taxonn sim: {}\n", e.what());
    return 2;
  } catch (const taxonn::DatasetError& e) {
    fmt::print(stderr, "taxonn: dataset error: {}\n", e.what());
    return 2;
  } catch (const taxonn::ConfigError& e) {
    fmt::print(stderr, "taxonn: config error: {}\n", e.what());
    return 2;
  } catch (const std::exception& e) {
    fmt::print(stderr, "taxonn: error: {}\n", e.what());
    return 1;
  }
  return 0;
}
