// `taxonn sim` (sim.hpp, docs/sim.md): build a config's testbenches on demand
// from the simulation kit and run them against the golden model.
//
// The cache has two levels, each entry keyed by the content of everything
// that determines it and made visible by one atomic rename of a finished
// folder, so concurrent runs never see half an entry (the loser of a race
// drops its own copy):
//   model/<key>: the verilated model (V*__ALL.a) and its glue object; the key
//                covers the RTL, the harness, the glue and dut headers, the
//                Verilator version, arguments and compile flags.
//   bin/<key>:   the linked testbench; the key adds the kit's libraries (the
//                testbench code, the golden model, the Verilator runtime), so
//                a change of the golden model relinks without verilating again.
#include "sim.hpp"

#include "executor.hpp"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <optional>
#include <sstream>
#include <thread>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "config.hpp"
#include "content_key.hpp"
#include "dataset.hpp"
#include "design.hpp"
#include "harness.hpp"
#include "io_util.hpp"
#include "net_model.hpp"

#ifndef TAXONN_SIM_KIT_FILE
#error "TAXONN_SIM_KIT_FILE (the build's sim_kit.json) must be defined by the build"
#endif
#include "sim_build.hpp"

namespace taxonn {
namespace {

// SGD steps of a --pgo build's profile run: every phase of the schedule many
// times over (the profile counts branches, which repeat every step).
constexpr int kPgoTrainSteps = 30;

using namespace simb;


// One check: run the testbench, then its entry of the report (its own
// --json result embedded; a stale one never stands for this run).
json run_check(const std::string& check, const std::string& tb_name, const Built& b, std::vector<std::string> args,
               const fs::path& out, const std::string& stem, bool quiet, const fs::path& trace) {
  const fs::path result = out / (stem + ".json"), log = out / (stem + ".txt");
  std::error_code ec;
  fs::remove(result, ec);
  if (!trace.empty()) fs::remove(trace, ec);
  args.insert(args.end(), {"--json", result.string()});
  const TbRun r = run_tb(tb_name, b.binary, args, log, quiet);
  json chk = {{"check", check}, {"status", r.rc == 0 ? "pass" : "fail"}, {"exit_code", r.rc},
              {"summary", r.summary}, {"log", log.string()}, {"build", built_json(b)}};
  if (!r.first_mismatch.empty()) chk["first_mismatch"] = r.first_mismatch;
  if (fs::exists(result)) chk["result"] = json::parse(read_text(result));
  if (!trace.empty() && fs::exists(trace)) chk["trace"] = trace.string();
  return chk;
}

// ---- what a run does, decided before anything is built ----

struct Plan {
  Config config;
  std::string net_why;       // why the network RTL does not cover the config ("" when it does)
  std::string replay_kind;   // "pe", "net" or "" (no --replay)
  bool run_pe = false, run_net = false;
  std::string dataset, dataset_note;
  fs::path out, report;
  fs::path pe_trace, net_trace;  // --trace: each check's waveform ("" : none)
};

// --trace FILE.fst: FILE.fst for the one check that runs, FILE.pe.fst and
// FILE.net.fst when both do.
void plan_traces(const SimOptions& o, Plan& p) {
  if (o.trace.empty()) {
    if (o.trace_window_given) throw SimInputError("--trace-start, --trace-cycles and --trace-step need --trace FILE.fst");
    return;
  }
  if (o.trace_step >= 0 && o.trace_start != 0)
    throw SimInputError("--trace-step and --trace-start both say where the window starts: give one");
  if (o.trace_step >= 0 && !p.run_net)
    throw SimInputError(fmt::format("--trace-step {}: a network step, and no network check runs here", o.trace_step));
  if (o.trace_step >= 0 && p.replay_kind.empty() && static_cast<std::uint64_t>(o.trace_step) >= o.steps)
    throw SimInputError(fmt::format("--trace-step {}: the run has {} steps (--steps)", o.trace_step, o.steps));
  if (p.run_pe && p.replay_kind.empty() && o.trace_start >= o.iters)
    throw SimInputError(fmt::format("--trace-start {}: the PE check runs {} cycles (--iters)", o.trace_start, o.iters));
  const fs::path t(o.trace);
  if (t.extension() != ".fst")
    throw SimInputError(fmt::format("--trace {}: name an FST file (FILE.fst)", o.trace));
  auto with = [&](const char* what) { return fs::path(t).replace_extension(std::string(".") + what + ".fst"); };
  p.pe_trace = !p.run_pe ? fs::path() : p.run_net ? with("pe") : t;
  p.net_trace = !p.run_net ? fs::path() : p.run_pe ? with("net") : t;
}

// The reproducer of --replay: which testbench it belongs to ("pe" or "net").
std::string replay_kind_of(const std::string& path, const Config& c) {
  std::ifstream in(path);
  if (!in) throw SimInputError(fmt::format("--replay {}: cannot open the reproducer", path));
  try {
    const json j = json::parse(in);
    std::string kind;
    if (j.is_object() && j.value("testbench", "") == "tb_net") kind = "net";
    else if (j.is_object() && j.contains("module")) kind = "pe";
    else throw SimInputError(fmt::format("--replay {}: not a reproducer of tb_pe or tb_net", path));
    if (j.value("config", "") != c.name)
      throw SimInputError(fmt::format("--replay {}: a reproducer of config '{}', not '{}'; give its --config", path,
                                      j.value("config", "?"), c.name));
    return kind;
  } catch (const json::exception& e) {
    throw SimInputError(fmt::format("--replay {}: not a reproducer ({})", path, e.what()));
  }
}

// The config, with --memory and --clock-gating applied.
Config sim_config(const SimOptions& o) { return load_config(o.config, o.memory, o.clock_gating); }

Plan plan_sim(const SimOptions& o) {
  Plan p{sim_config(o), "", "", false, false, "", "", {}, {}, {}, {}};
  const Config& c = p.config;
  if (!o.templates.empty()) use_template_dir(o.templates);
  if (o.jobs < 1) throw SimInputError(fmt::format("--jobs {}: give at least 1", o.jobs));
  const bool net_ok = net_supported(c, &p.net_why);
  if (!o.replay.empty()) p.replay_kind = replay_kind_of(o.replay, c);
  if (!net_ok && (p.replay_kind == "net" || (p.replay_kind.empty() && !o.pe_only)))
    throw SimInputError(fmt::format("{}: the network RTL does not cover config '{}' ({}); fix that field, or run the "
                                    "PE co-simulation alone with --pe-only",
                                    o.config, c.name, p.net_why));
  p.run_pe = p.replay_kind != "net";
  p.run_net = net_ok && !o.pe_only && p.replay_kind != "pe";
  if (o.pgo && !p.run_net)
    throw SimInputError(fmt::format("--pgo builds the network testbench, and this run has none ({}); drop --pgo",
                                    o.pe_only ? "--pe-only" : "a PE reproducer"));
  if (p.run_net && p.replay_kind.empty() && !o.build_only) {
    // Loaded once here, so a missing or mismatched dataset fails in a second,
    // not after the build (the testbench loads it again to train on).
    const LayerConfig& first = c.layers.front();
    p.dataset = choose_net_dataset(o.dataset, first.in_shape.size(), &p.dataset_note);
    if (p.dataset != "random") {
      const auto hw = net_hw(c);
      check_dataset_fits(load_dataset(p.dataset, o.data_dir), first.in_shape.size(),
                         c.layers[hw.back().index].neurons, c.name);
    }
  }
  plan_traces(o, p);
  p.out = o.out_dir.empty() ? fs::path("build/sim") / c.name : fs::path(o.out_dir);
  p.report = o.json_out.empty() ? p.out / "sim.json" : fs::path(o.json_out);
  return p;
}

// The outputs can be written, before a build of minutes.
void check_outputs(const SimOptions& o, const Plan& p, const fs::path& cache) {
  try {
    check_writable(cache, "--cache", true);
    check_writable(p.out, "--out", true);
    check_writable(p.report, "--json");
    if (!o.save_weights.empty()) check_writable(o.save_weights, "--save-weights");
    if (!o.curve.empty()) check_writable(o.curve + ".csv", "--curve");
    for (const fs::path& t : {p.pe_trace, p.net_trace})
      if (!t.empty()) check_writable(t, "--trace");
  } catch (const std::runtime_error& e) {
    throw SimInputError(e.what());
  }
}

// --trace's arguments of a testbench.
void add_trace_args(const SimOptions& o, const fs::path& file, bool net, std::vector<std::string>& a) {
  if (file.empty()) return;
  a.insert(a.end(), {"--trace", file.string(), "--trace-cycles", std::to_string(o.trace_cycles)});
  if (net && o.trace_step >= 0) a.insert(a.end(), {"--trace-step", std::to_string(o.trace_step)});
  else a.insert(a.end(), {"--trace-start", std::to_string(o.trace_start)});
}

std::vector<std::string> pe_args(const SimOptions& o, const Plan& p) {
  std::vector<std::string> a = {"--config", o.config};
  if (p.replay_kind == "pe") a.insert(a.end(), {"--replay", o.replay});
  else a.insert(a.end(), {"--seed", std::to_string(o.seed), "--iters", std::to_string(o.iters), "--repro-dir", p.out.string()});
  add_trace_args(o, p.pe_trace, false, a);
  return a;
}

std::vector<std::string> net_args(const SimOptions& o, const Plan& p) {
  std::vector<std::string> a = {"--config", o.config, "--repro-dir", p.out.string()};
  if (p.replay_kind == "net") {
    a.insert(a.end(), {"--replay", o.replay});
  } else {
    a.insert(a.end(), {"--seed", std::to_string(o.seed), "--steps", std::to_string(o.steps), "--dataset", p.dataset,
                       "--check-every", std::to_string(o.check_every), "--infer-every", std::to_string(o.infer_every)});
    if (!o.data_dir.empty()) a.insert(a.end(), {"--data-dir", o.data_dir});
    if (o.eval > 0) a.insert(a.end(), {"--eval", std::to_string(o.eval)});
  }
  if (!o.save_weights.empty()) a.insert(a.end(), {"--save-weights", o.save_weights});
  if (!o.curve.empty()) a.insert(a.end(), {"--curve", o.curve});
  if (o.quiet) a.push_back("--quiet");
  add_trace_args(o, p.net_trace, true, a);
  return a;
}

// Every check's line: what it did and how it ended.
std::string summary_text(const json& checks, bool build_only, const std::optional<Built>& pe_b,
                         const std::optional<Built>& net_b, double build_s, const fs::path& report) {
  std::string out;
  for (const auto& k : checks) {
    const std::string status = k.at("status").get<std::string>();
    std::string detail;
    if (k.contains("first_mismatch")) detail = "first divergence: " + k["first_mismatch"].get<std::string>();
    else if (k.contains("error")) detail = k["error"].get<std::string>().substr(0, k["error"].get<std::string>().find('\n'));
    else if (k.contains("why")) detail = k["why"].get<std::string>();
    else detail = k.value("summary", "");
    out += fmt::format("{:<8} {:<11} {}\n", k.at("check").get<std::string>(),
                       status == "pass" ? "PASS" : status == "fail" ? "FAIL" : status, detail);
    if (k.contains("trace")) out += fmt::format("{:<8} {:<11} {}\n", "", "waveform", k["trace"].get<std::string>());
  }
  if (build_only) {
    if (pe_b) out += fmt::format("{:<8} {:<11} {}\n", "pe", "built", pe_b->binary.string());
    if (net_b) out += fmt::format("{:<8} {:<11} {}\n", "network", "built", net_b->binary.string());
  }
  const bool all_cached = (pe_b || net_b) && (!pe_b || pe_b->cached) && (!net_b || net_b->cached);
  out += fmt::format("{:<8} {:.1f} s ({}), report {}\n", "build", build_s,
                     all_cached ? "all from the cache, no build" : "built now", report.string());
  return out;
}

}  // namespace

int run_sim(const SimOptions& opts) {
  // Everything that can be wrong with the input is found before any build.
  SimOptions o = opts;
  const Plan p = plan_sim(o);
  const Config& c = p.config;
  const Kit kit = load_kit(o.kit);
  if (o.pgo && kit.pgo_generate.empty()) throw SimInputError(pgo_unsupported(kit));
  const fs::path cache = o.cache_dir.empty() ? default_cache(kit) : fs::path(o.cache_dir);
  check_outputs(o, p, cache);
  fs::create_directories(p.out);
  // The testbenches read a config file: with an override, the overridden one.
  if (!o.memory.empty() || !o.clock_gating.empty()) {
    const fs::path written = p.out / "config.resolved.json";
    write_atomic(written, to_json(c).dump(2) + "\n");
    o.config = written.string();
  }
  sweep_tmp(cache / "tmp");

  fmt::print("sim: config '{}' ({}): {}\n", c.name, o.config,
             p.run_pe && p.run_net ? "PE co-simulation and network training"
                                   : p.run_pe ? "PE co-simulation" : "network training");
  if (!p.net_why.empty()) fmt::print("sim: no network check: the network RTL does not cover this config ({})\n", p.net_why);
  if (!p.dataset_note.empty()) fmt::print("sim: {}\n", p.dataset_note);
  const auto design = generate_design(c);
  Builder builder(kit, cache, o.jobs);
  const auto t_build = Clock::now();
  std::optional<Built> pe_b, net_b;
  json checks = json::array();
  auto build = [&](const TbSpec& s, std::optional<Built>& dst, const char* check) {
    try {
      dst = builder.build(s);
    } catch (const Interrupted&) {
      throw;  // a stop is not a failed build: nothing is reported
    } catch (const std::exception& e) {
      say(s.label, e.what());
      checks.push_back({{"check", check}, {"status", "error"}, {"error", e.what()}});
    }
  };
  // --pgo: the instrumented model trains its profile on random samples, on
  // the design alone (the cache key), so any dataset's run reuses it.
  auto profiled = [&](TbSpec s) {
    if (o.pgo) {
      s.pgo_config = fs::absolute(o.config).string();
      s.pgo_train = {"--steps", std::to_string(kPgoTrainSteps), "--dataset", "random", "--seed", "1",
                     "--check-every", "1000000", "--quiet"};
    }
    return s;
  };
  auto traced = [](TbSpec s, const fs::path& trace) {
    s.trace = !trace.empty();
    return s;
  };
  if (p.run_pe) build(traced(pe_spec(c, design), p.pe_trace), pe_b, "pe");
  if (p.run_net) build(profiled(traced(net_spec(c, design), p.net_trace)), net_b, "network");
  const double build_s = since(t_build);

  if (!o.build_only && pe_b) {
    fmt::print("sim: [pe] both PEs of every layer against the golden model{}\n",
               p.replay_kind == "pe" ? ", replaying " + o.replay : fmt::format(", {} cycles, seed {}", o.iters, o.seed));
    checks.push_back(run_check("pe", "tb_pe", *pe_b, pe_args(o, p), p.out, "pe", o.quiet, p.pe_trace));
  }
  if (!o.build_only && net_b) {
    fmt::print("sim: [network] the network RTL trains beside the golden model{}\n",
               p.replay_kind == "net" ? ", replaying " + o.replay
                                      : fmt::format(", {} SGD steps on {}, seed {}", o.steps, p.dataset, o.seed));
    checks.push_back(run_check("network", "tb_net", *net_b, net_args(o, p), p.out, "net", o.quiet, p.net_trace));
  }
  if (!p.net_why.empty()) checks.push_back({{"check", "network"}, {"status", "not covered"}, {"why", p.net_why}});
  bool ok = true;
  for (const auto& k : checks) ok &= k["status"] == "pass" || k["status"] == "not covered";

  const std::string summary = summary_text(checks, o.build_only, pe_b, net_b, build_s, p.report);
  fmt::print("\n== taxonn sim: {}: {}\n", c.name, ok ? "all checks passed" : "FAILED");
  std::istringstream sl(summary);
  for (std::string l; std::getline(sl, l);) fmt::print("  {}\n", l);
  write_atomic(p.out / "summary.txt", summary);
  json rep = {{"config", c.name},
              {"generated_by", provenance(c)},
              {"config_file", o.config},
              {"templates", o.templates.empty() ? "embedded" : o.templates},
              {"seed", o.seed},
              {"result", ok ? "pass" : "fail"},
              {"build_seconds", build_s},
              {"checks", checks}};
  if (o.build_only) {
    rep["builds"] = json::object();
    if (pe_b) rep["builds"]["pe"] = built_json(*pe_b);
    if (net_b) rep["builds"]["network"] = built_json(*net_b);
  }
  write_atomic(p.report, rep.dump(2) + "\n");
  return ok ? 0 : 1;
}

json sim_options_json(const SimOptions& o) {
  auto abs = [](const std::string& p) { return p.empty() ? p : fs::absolute(p).string(); };
  return {{"config", abs(o.config)},   {"out_dir", abs(o.out_dir)}, {"cache_dir", abs(o.cache_dir)},
          {"kit", abs(o.kit)},         {"templates", abs(o.templates)}, {"dataset", o.dataset},
          {"data_dir", abs(o.data_dir)}, {"seed", o.seed},          {"iters", o.iters},
          {"steps", o.steps},          {"eval", o.eval},            {"check_every", o.check_every},
          {"infer_every", o.infer_every}, {"pe_only", o.pe_only}, {"pgo", o.pgo}};
}

json run_sim_job(const json& spec) {
  const json& j = spec.at("options");
  SimOptions o;
  o.config = j.at("config");
  o.out_dir = j.at("out_dir");
  o.cache_dir = j.at("cache_dir");
  o.kit = j.at("kit");
  o.templates = j.at("templates");
  o.dataset = j.at("dataset");
  o.data_dir = j.at("data_dir");
  o.seed = j.at("seed");
  o.iters = j.at("iters");
  o.steps = j.at("steps");
  o.eval = j.at("eval");
  o.check_every = j.at("check_every");
  o.infer_every = j.value("infer_every", std::uint64_t{10});
  o.pe_only = j.at("pe_only");
  o.pgo = j.value("pgo", false);
  o.quiet = true;
  o.jobs = 1;
  const int rc = run_sim(o);
  const fs::path report = fs::path(o.out_dir) / "sim.json";
  return {{"exit", rc}, {"report", json::parse(read_text(report))}};
}

int run_sim_seeds(const SimOptions& base, const std::vector<std::uint64_t>& seeds, batch::Options bo) {
  if (!base.replay.empty() || !base.trace.empty() || !base.save_weights.empty() || !base.curve.empty() ||
      !base.json_out.empty() || base.build_only)
    throw SimInputError("--seeds runs one job per seed: --replay, --trace, --save-weights, --curve, --json and "
                        "--build-only belong to one run; run that seed alone with --seed");
  for (std::size_t i = 0; i < seeds.size(); ++i)
    for (std::size_t k = 0; k < i; ++k)
      if (seeds[i] == seeds[k]) throw SimInputError(fmt::format("--seeds: seed {} is given twice; give each once", seeds[i]));
  const Config c = load_config(base.config);
  const fs::path out = base.out_dir.empty() ? fs::path("build/sim") / c.name : fs::path(base.out_dir);
  try {
    check_writable(out, "--out", true);
  } catch (const std::runtime_error& e) {
    throw SimInputError(e.what());
  }
  if (bo.work.empty()) bo.work = out / ".batch";
  const auto ex = batch::make_executor(bo);
  // The testbenches are built once, here, into the cache every job reads
  // (on a cluster: a shared folder, --cache); then one job per seed (one
  // SGD run is sequential: a seed is one job).
  SimOptions b = base;
  b.build_only = true;
  b.out_dir = (out / "build").string();
  fmt::print("sim: {} seeds of config '{}': building the testbenches once\n", seeds.size(), c.name);
  if (run_sim(b) != 0) return 1;
  std::vector<batch::Job> jobs;
  for (const std::uint64_t s : seeds) {
    SimOptions o = base;
    o.seed = s;
    o.out_dir = (out / fmt::format("seed_{}", s)).string();
    jobs.push_back({fmt::format("{} seed {}", c.name, s), {{"kind", "sim"}, {"options", sim_options_json(o)}},
                    {base.config}});
  }
  auto checks_text = [](const json& rep) {
    std::string t;
    for (const auto& k : rep.at("checks")) t += fmt::format("{}{} {}", t.empty() ? "" : ", ", k.value("check", "?"), k.value("status", "?"));
    return t;
  };
  const auto outs = ex->run(jobs, [&](std::size_t, const batch::Outcome& oc) {
    return checks_text(oc.result.at("report"));
  });
  json all = {{"config", c.name}, {"generated_by", provenance(c)}, {"runs", json::array()}};
  std::string md = fmt::format("# taxonn sim: config '{}', {} seeds\n\n| seed | result | checks | host |\n| --- | --- | --- | --- |\n",
                               c.name, seeds.size());
  bool ok = true;
  for (std::size_t i = 0; i < seeds.size(); ++i) {
    const auto& oc = outs[i];
    const bool pass = oc.ok && oc.result.at("exit") == 0;
    ok &= pass;
    const std::string status = oc.stopped ? "not run (interrupted)" : !oc.ok ? "error: " + oc.error : pass ? "pass" : "FAIL";
    md += fmt::format("| {} | {} | {} | {} |\n", seeds[i], status, oc.ok ? checks_text(oc.result.at("report")) : "",
                      oc.host);
    json r = {{"seed", seeds[i]}, {"result", pass ? "pass" : oc.stopped ? "not run" : "fail"}, {"error", oc.error},
              {"out", (out / fmt::format("seed_{}", seeds[i])).string()}};
    if (oc.ok) r["report"] = oc.result.at("report");
    all["runs"].push_back(r);
  }
  write_atomic(out / "seeds.json", all.dump(2) + "\n");
  write_atomic(out / "seeds.md", md);
  fmt::print("\n{}\n== taxonn sim: {} seeds of '{}': {}\n", md, seeds.size(), c.name, ok ? "all passed" : "FAILED");
  if (stop_signal().load()) throw Interrupted(stop_signal().load(), "sim --seeds: stopped before every seed was run");
  return ok ? 0 : 1;
}

}  // namespace taxonn
