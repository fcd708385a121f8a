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

namespace taxonn {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;
using nlohmann::json;

double since(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }

// Run a shell command with its output into `log`; the exit code.
int run_logged(const std::string& cmd, const fs::path& log) {
  const int st = std::system(fmt::format("{} > {} 2>&1", cmd, shell_quote(log.string())).c_str());
  return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + (WIFSIGNALED(st) ? WTERMSIG(st) : 0);
}

// ---- the simulation kit ----

struct Kit {
  fs::path file;
  std::string cxx, verilator, verilator_root, tb_dir, verilator_version;
  std::vector<std::string> verilator_args, cxxflags, opt_fast, opt_slow, ldflags;
  std::map<std::string, std::vector<std::string>> libs;  // "pe", "net": in link order
};

std::vector<std::string> strings(const json& j, const std::string& key) {
  return j.at(key).get<std::vector<std::string>>();
}

Kit load_kit(const std::string& path) {
  Kit k;
  k.file = path.empty() ? fs::path(TAXONN_SIM_KIT_FILE) : fs::path(path);
  std::ifstream in(k.file);
  if (!in)
    throw SimInputError(fmt::format("simulation kit {} not found: build the project first (make build), or give "
                                    "--kit BUILD/sim_kit.json",
                                    k.file.string()));
  try {
    const json j = json::parse(in);
    k.cxx = j.at("cxx").get<std::string>();
    k.verilator = j.at("verilator").get<std::string>();
    k.verilator_root = j.at("verilator_root").get<std::string>();
    k.tb_dir = j.at("tb_dir").get<std::string>();
    k.verilator_args = strings(j, "verilator_args");
    k.cxxflags = strings(j, "cxxflags");
    k.opt_fast = strings(j, "opt_fast");
    k.opt_slow = strings(j, "opt_slow");
    k.ldflags = strings(j, "ldflags");
    for (const char* kind : {"pe", "net"}) k.libs[kind] = j.at("libs").at(kind).get<std::vector<std::string>>();
  } catch (const json::exception& e) {
    throw SimInputError(fmt::format("{}: not a simulation kit ({}); rebuild the project (make build)", k.file.string(),
                                    e.what()));
  }
  for (const auto& [kind, libs] : k.libs)
    for (const auto& l : libs)
      if (l.rfind("-", 0) != 0 && !fs::exists(l))
        throw SimInputError(fmt::format("{}: {} library {} is missing; rebuild the project (make build)",
                                        k.file.string(), kind, l));
  FILE* p = popen(fmt::format("{} --version 2>&1", shell_quote(k.verilator)).c_str(), "r");
  char buf[256] = {0};
  if (p && std::fgets(buf, sizeof buf, p)) k.verilator_version = buf;
  const int st = p ? pclose(p) : -1;
  if (st != 0 || k.verilator_version.rfind("Verilator", 0) != 0)
    throw SimInputError(fmt::format("{} does not run: install Verilator (apt-get install verilator, or make deps)",
                                    k.verilator));
  while (!k.verilator_version.empty() && std::isspace(static_cast<unsigned char>(k.verilator_version.back())))
    k.verilator_version.pop_back();
  return k;
}

std::string join(const std::vector<std::string>& v, bool quoted = true) {
  std::string s;
  for (const auto& x : v) s += (s.empty() ? "" : " ") + (quoted ? shell_quote(x) : x);
  return s;
}

// ---- the cache ----

enum class StageKind { kVerilate, kCompileModel, kGlue, kLink };

struct Stage {
  StageKind kind;
  std::string name;
  double seconds;
};

struct Built {
  fs::path binary;
  bool cached = false;  // nothing was built
  std::string model_key, bin_key;
  std::vector<Stage> stages;
  double seconds = 0;
  double stage_seconds(StageKind k) const {
    double s = 0;
    for (const auto& x : stages) s += x.kind == k ? x.seconds : 0;
    return s;
  }
};

// What one testbench is built from.
struct TbSpec {
  std::string kind;    // "pe" or "net": the kit's library set
  std::string label;   // for progress lines and the report
  std::string top;     // Verilog top module
  std::string prefix;  // Verilated class
  GeneratedFile glue;  // tb::glue_file
  std::vector<GeneratedFile> files;  // rtl/*.v, rtl/*.vh and the harness
};

// A folder of the cache's tmp/ belongs to a process; one whose process is
// gone was left by a killed build and is removed.
void sweep_tmp(const fs::path& tmp) {
  std::error_code ec;
  if (!fs::is_directory(tmp, ec)) return;
  for (const auto& e : fs::directory_iterator(tmp, ec)) {
    const std::string n = e.path().filename().string();
    const long pid = std::strtol(n.c_str(), nullptr, 10);
    if (pid > 0 && ::kill(static_cast<pid_t>(pid), 0) != 0 && errno == ESRCH) fs::remove_all(e.path(), ec);
  }
}

fs::path new_tmp(const fs::path& cache, const std::string& what) {
  static std::atomic<unsigned> serial{0};
  const fs::path t = cache / "tmp" / fmt::format("{}-{}-{}", ::getpid(), serial.fetch_add(1), what);
  fs::create_directories(t);
  return t;
}

// Publish a finished folder as cache entry `dst`. Another process may have
// published the same key first: its entry is as good as ours.
void publish(const fs::path& tmp, const fs::path& dst) {
  fs::create_directories(dst.parent_path());
  std::error_code ec;
  fs::rename(tmp, dst, ec);
  if (ec) {
    std::error_code ignored;
    fs::remove_all(tmp, ignored);
    if (!fs::is_directory(dst)) throw std::runtime_error(fmt::format("cannot publish {} ({})", dst.string(), ec.message()));
  }
}

void say(const std::string& label, const std::string& what) {
  fmt::print("sim: [{}] {}\n", label, what);
  std::fflush(stdout);
}

class Builder {
 public:
  Builder(const Kit& kit, fs::path cache, int jobs) : kit_(kit), cache_(std::move(cache)), jobs_(jobs) {}

  Built build(const TbSpec& s) {
    Built b;
    const auto t0 = Clock::now();
    ContentKey mk;
    mk.add("taxonn-sim-model-1").add(kit_.verilator_version).add(join(kit_.verilator_args)).add(kit_.cxx);
    mk.add(join(kit_.cxxflags)).add(join(kit_.opt_fast)).add(join(kit_.opt_slow));
    mk.add(s.top).add(s.prefix).add(s.glue.content);
    for (const char* h : {"dut.hpp", "dut_glue.hpp", "bitvec.hpp"}) mk.add_file(fs::path(kit_.tb_dir) / h);
    for (const auto& f : s.files) mk.add(f.path).add(f.content);
    b.model_key = mk.hex();
    ContentKey bk;
    bk.add("taxonn-sim-bin-1").add(b.model_key).add(join(kit_.ldflags));
    for (const auto& l : kit_.libs.at(s.kind))
      if (l.rfind("-", 0) == 0) bk.add(l);
      else bk.add_file(l);
    b.bin_key = bk.hex();

    const fs::path model = cache_ / "model" / b.model_key, bin = cache_ / "bin" / b.bin_key;
    b.binary = bin / "tb";
    if (fs::exists(b.binary)) {
      b.cached = true;
      say(s.label, fmt::format("cached: {} (model {}), no build", b.binary.string(), b.model_key.substr(0, 12)));
      return b;
    }
    if (!fs::exists(model / "glue.o")) build_model(s, model, b);
    else say(s.label, fmt::format("model {} cached; linking with the current kit", b.model_key.substr(0, 12)));
    const fs::path tmp = new_tmp(cache_, "bin");
    std::vector<std::string> cmd = {kit_.cxx, "-o", (tmp / "tb").string(), (model / "glue.o").string(),
                                    (model / (s.prefix + "__ALL.a")).string()};
    for (const auto& l : kit_.libs.at(s.kind)) cmd.push_back(l);
    for (const auto& f : kit_.ldflags) cmd.push_back(f);
    step(s, StageKind::kLink, "link", cmd, tmp / "link.log", b);
    publish(tmp, bin);
    b.seconds = since(t0);
    return b;
  }

 private:
  // Runs one build stage; a failure's first line says what failed (the
  // tool's first error, else its log's first line), then the log's tail.
  void step(const TbSpec& s, StageKind kind, const std::string& name, const std::vector<std::string>& cmd,
            const fs::path& log, Built& b) const {
    const auto t = Clock::now();
    const int rc = run_logged(join(cmd), log);
    if (rc != 0) {
      const std::string text = read_text(log);
      std::string first;
      std::istringstream in(text);
      for (std::string l; std::getline(in, l);) {
        if (first.empty() && !l.empty()) first = l;
        if (l.find("%Error") != std::string::npos || l.find("error:") != std::string::npos) {
          first = l;
          break;
        }
      }
      throw std::runtime_error(fmt::format("building the {} testbench failed at '{}' (exit {}): {}\n  last lines of {}:\n{}",
                                           s.label, name, rc, first, log.string(), last_lines(text, 15)));
    }
    b.stages.push_back({kind, name, since(t)});
    say(s.label, fmt::format("{}: {:.1f} s", name, b.stages.back().seconds));
  }

  void build_model(const TbSpec& s, const fs::path& model, Built& b) {
    say(s.label, fmt::format("building the testbench of {} (model {}): not in the cache", s.top, b.model_key.substr(0, 12)));
    const fs::path tmp = new_tmp(cache_, "model");
    const fs::path src = tmp / "src", obj = tmp / "obj";
    std::vector<std::string> sources;
    for (const auto& f : s.files) {
      const fs::path p = src / fs::path(f.path).filename();
      write_atomic(p, f.content);
      if (p.extension() == ".v") sources.push_back(p.string());
    }
    std::sort(sources.begin(), sources.end());
    std::vector<std::string> vl = {kit_.verilator, "--cc"};
    vl.insert(vl.end(), kit_.verilator_args.begin(), kit_.verilator_args.end());
    vl.insert(vl.end(), {"--top-module", s.top, "--prefix", s.prefix, "--Mdir", obj.string(), "-I" + src.string()});
    vl.insert(vl.end(), sources.begin(), sources.end());
    step(s, StageKind::kVerilate, fmt::format("verilate ({} files)", sources.size()), vl, tmp / "verilate.log", b);

    // Verilator's own makefile, for the model's archive only (the runtime is the kit's).
    const std::vector<std::string> make = {
        "make", "-C", obj.string(), "-f", s.prefix + ".mk", fmt::format("-j{}", jobs_), s.prefix + "__ALL.a",
        "CXX=" + kit_.cxx, "OPT_FAST=" + join(kit_.opt_fast, false), "OPT_SLOW=" + join(kit_.opt_slow, false),
        "OPT_GLOBAL=" + join(kit_.opt_fast, false), "VM_PARALLEL_BUILDS=1"};
    step(s, StageKind::kCompileModel, fmt::format("compile the model ({} jobs)", jobs_), make, tmp / "compile.log", b);

    write_atomic(obj / "glue.cpp", s.glue.content);
    std::vector<std::string> cc = {kit_.cxx};
    cc.insert(cc.end(), kit_.cxxflags.begin(), kit_.cxxflags.end());
    cc.insert(cc.end(), kit_.opt_fast.begin(), kit_.opt_fast.end());
    for (const auto& i : {obj.string(), kit_.tb_dir, kit_.verilator_root + "/include",
                          kit_.verilator_root + "/include/vltstd"})
      cc.push_back("-I" + i);
    cc.insert(cc.end(), {"-c", (obj / "glue.cpp").string(), "-o", (tmp / "glue.o").string()});
    step(s, StageKind::kGlue, "compile the glue", cc, tmp / "glue.log", b);

    // Keep what linking needs and the logs; the sources and objects go.
    fs::rename(obj / (s.prefix + "__ALL.a"), tmp / (s.prefix + "__ALL.a"));
    std::error_code ec;
    fs::remove_all(obj, ec);
    fs::remove_all(src, ec);
    publish(tmp, model);
  }

  const Kit& kit_;
  fs::path cache_;
  int jobs_;
};

// The testbench specs of a config: its PE harness, and its network top.
TbSpec pe_spec(const Config& c, const std::vector<GeneratedFile>& design) {
  TbSpec s{"pe", "pe", "tb_pe_" + c.name, "Vtb_pe_" + c.name, tb::glue_file("Vtb_pe_" + c.name, c.name, tb::GlueKind::kFlat), {}};
  for (const auto& f : design)
    if (f.path.rfind("rtl/", 0) == 0) s.files.push_back(f);
  s.files.push_back({"harness/tb_pe_" + c.name + ".v", tb::pe_harness(c)});
  return s;
}

TbSpec net_spec(const Config& c, const std::vector<GeneratedFile>& design) {
  TbSpec s{"net", "network", net_module_name(c), "Vnet_" + c.name, tb::glue_file("Vnet_" + c.name, c.name, tb::GlueKind::kNet), {}};
  for (const auto& f : design)
    if (f.path.rfind("rtl/", 0) == 0) s.files.push_back(f);
  return s;
}

json built_json(const Built& b) {
  json st = json::array();
  for (const auto& s : b.stages) st.push_back({{"stage", s.name}, {"seconds", s.seconds}});
  return {{"binary", b.binary.string()}, {"cached", b.cached}, {"model_key", b.model_key},
          {"bin_key", b.bin_key},        {"stages", st},       {"seconds", b.seconds}};
}

fs::path default_cache(const Kit& kit) {
  if (const char* env = std::getenv("TAXONN_SIM_CACHE"); env && *env) return env;
  return kit.file.parent_path() / "cache" / "sim";
}

// ---- running a testbench ----

struct TbRun {
  int rc = 0;
  std::string first_mismatch, summary;
};

// Run testbench `name` (tb_pe, tb_net), its output echoed (progress lines
// too, unless quiet) and kept in `log`. Its summary is the last line it
// prints under its own name (its result, or its one-line error); the first
// MISMATCH line is kept for the summary too.
TbRun run_tb(const std::string& name, const fs::path& binary, const std::vector<std::string>& args,
             const fs::path& log, bool quiet) {
  TbRun r;
  std::vector<std::string> cmd = {binary.string()};
  cmd.insert(cmd.end(), args.begin(), args.end());
  FILE* p = popen((join(cmd) + " 2>&1").c_str(), "r");
  if (!p) throw std::runtime_error(fmt::format("cannot start {}", binary.string()));
  std::ofstream out(log);
  char buf[4096];
  while (std::fgets(buf, sizeof buf, p)) {
    std::string line(buf);
    out << line;
    if (!quiet || line.rfind("  step ", 0) != 0) {
      std::fputs(buf, stdout);
      std::fflush(stdout);
    }
    while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.pop_back();
    if (line.rfind(name + ": ", 0) == 0) r.summary = line;
    if (r.first_mismatch.empty() && line.rfind("MISMATCH ", 0) == 0) r.first_mismatch = line.substr(9);
  }
  const int st = pclose(p);
  r.rc = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + (WIFSIGNALED(st) ? WTERMSIG(st) : 0);
  return r;
}

// One check: run the testbench, then its entry of the report (its own
// --json result embedded; a stale one never stands for this run).
json run_check(const std::string& check, const std::string& tb_name, const Built& b, std::vector<std::string> args,
               const fs::path& out, const std::string& stem, bool quiet) {
  const fs::path result = out / (stem + ".json"), log = out / (stem + ".txt");
  std::error_code ec;
  fs::remove(result, ec);
  args.insert(args.end(), {"--json", result.string()});
  const TbRun r = run_tb(tb_name, b.binary, args, log, quiet);
  json chk = {{"check", check}, {"status", r.rc == 0 ? "pass" : "fail"}, {"exit_code", r.rc},
              {"summary", r.summary}, {"log", log.string()}, {"build", built_json(b)}};
  if (!r.first_mismatch.empty()) chk["first_mismatch"] = r.first_mismatch;
  if (fs::exists(result)) chk["result"] = json::parse(read_text(result));
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
};

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

Plan plan_sim(const SimOptions& o) {
  Plan p{load_config(o.config), "", "", false, false, "", "", {}, {}};
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
  } catch (const std::runtime_error& e) {
    throw SimInputError(e.what());
  }
}

std::vector<std::string> pe_args(const SimOptions& o, const Plan& p) {
  if (p.replay_kind == "pe") return {"--config", o.config, "--replay", o.replay};
  return {"--config", o.config, "--seed", std::to_string(o.seed), "--iters", std::to_string(o.iters),
          "--repro-dir", p.out.string()};
}

std::vector<std::string> net_args(const SimOptions& o, const Plan& p) {
  std::vector<std::string> a = {"--config", o.config, "--repro-dir", p.out.string()};
  if (p.replay_kind == "net") {
    a.insert(a.end(), {"--replay", o.replay});
  } else {
    a.insert(a.end(), {"--seed", std::to_string(o.seed), "--steps", std::to_string(o.steps), "--dataset", p.dataset,
                       "--check-every", std::to_string(o.check_every)});
    if (!o.data_dir.empty()) a.insert(a.end(), {"--data-dir", o.data_dir});
    if (o.eval > 0) a.insert(a.end(), {"--eval", std::to_string(o.eval)});
  }
  if (!o.save_weights.empty()) a.insert(a.end(), {"--save-weights", o.save_weights});
  if (!o.curve.empty()) a.insert(a.end(), {"--curve", o.curve});
  if (o.quiet) a.push_back("--quiet");
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

int run_sim(const SimOptions& o) {
  // Everything that can be wrong with the input is found before any build.
  const Plan p = plan_sim(o);
  const Config& c = p.config;
  const Kit kit = load_kit(o.kit);
  const fs::path cache = o.cache_dir.empty() ? default_cache(kit) : fs::path(o.cache_dir);
  check_outputs(o, p, cache);
  fs::create_directories(p.out);
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
    } catch (const std::exception& e) {
      say(s.label, e.what());
      checks.push_back({{"check", check}, {"status", "error"}, {"error", e.what()}});
    }
  };
  if (p.run_pe) build(pe_spec(c, design), pe_b, "pe");
  if (p.run_net) build(net_spec(c, design), net_b, "network");
  const double build_s = since(t_build);

  if (!o.build_only && pe_b) {
    fmt::print("sim: [pe] both PEs of every layer against the golden model{}\n",
               p.replay_kind == "pe" ? ", replaying " + o.replay : fmt::format(", {} cycles, seed {}", o.iters, o.seed));
    checks.push_back(run_check("pe", "tb_pe", *pe_b, pe_args(o, p), p.out, "pe", o.quiet));
  }
  if (!o.build_only && net_b) {
    fmt::print("sim: [network] the network RTL trains beside the golden model{}\n",
               p.replay_kind == "net" ? ", replaying " + o.replay
                                      : fmt::format(", {} SGD steps on {}, seed {}", o.steps, p.dataset, o.seed));
    checks.push_back(run_check("network", "tb_net", *net_b, net_args(o, p), p.out, "net", o.quiet));
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

// ---- the build benchmark ----

namespace {

// build_times.md, from build_times.json's content.
std::string build_times_md(const json& j) {
  std::string md = fmt::format(
      "# Build times of `taxonn sim` testbenches\n\nWritten by `make bench-sim` (taxonn bench-sim) from "
      "build_times.json beside it: each config's PE and network testbenches built from an empty cache with {} "
      "compile jobs on a machine of {} cores, {}. The kit (testbench code, golden model, Verilator runtime) is "
      "built once by `make`, so a config's build is: verilate, compile the model, compile the glue, link.\n\n"
      "| config | testbench | verilate (s) | compile the model (s) | glue (s) | link (s) | total (s) |\n"
      "| --- | --- | ---: | ---: | ---: | ---: | ---: |\n",
      j.at("jobs").get<int>(), j.at("cores").get<int>(), j.at("verilator").get<std::string>());
  for (const auto& r : j.at("rows"))
    md += fmt::format("| {} | {} | {:.1f} | {:.1f} | {:.1f} | {:.1f} | {:.1f} |\n", r["config"].get<std::string>(),
                      r["testbench"].get<std::string>(), r["verilate_s"].get<double>(), r["compile_model_s"].get<double>(),
                      r["glue_s"].get<double>(), r["link_s"].get<double>(), r["total_s"].get<double>());
  if (j.contains("opt_compare")) {
    const json& c = j["opt_compare"];
    auto speeds = [](const json& v) {
      std::string s;
      for (const auto& x : v) s += fmt::format("{}{:.1f}", s.empty() ? "" : ", ", x.get<double>());
      return s;
    };
    md += fmt::format(
        "\n## The model's optimization level\n\n`taxonn sim` compiles a model's fast code at {} and its "
        "construction code at {} (sim_kit.json's opt_fast, opt_slow). Against -O3 for both, on {}'s network "
        "testbench: each binary built from an empty cache, then both run {} SGD steps on {} (weights compared "
        "after the last step only), alternately, {} times.\n\n"
        "| flags | compile the model (s) | RTL samples/s, each run |\n| --- | ---: | --- |\n"
        "| {} / {} | {:.1f} | {} |\n| -O3 / -O3 | {:.1f} | {} |\n",
        c["opt_fast"].get<std::string>(), c["opt_slow"].get<std::string>(), c["config"].get<std::string>(),
        c["steps"].get<int>(), c["dataset"].get<std::string>(), c["rounds"].get<int>(),
        c["opt_fast"].get<std::string>(), c["opt_slow"].get<std::string>(), c["kit"]["compile_model_s"].get<double>(),
        speeds(c["kit"]["samples_per_s"]), c["o3"]["compile_model_s"].get<double>(), speeds(c["o3"]["samples_per_s"]));
  }
  return md;
}

// RTL samples/s of a network testbench, from its --json result.
double net_speed(const fs::path& tb, const std::string& config, const std::string& dataset, int steps, const fs::path& work) {
  const fs::path res = work / "speed.json";
  std::error_code ec;
  fs::remove(res, ec);
  const TbRun r = run_tb("tb_net", tb,
                         {"--config", config, "--steps", std::to_string(steps), "--dataset", dataset, "--check-every",
                          "1000000000", "--quiet", "--repro-dir", work.string(), "--json", res.string()},
                         work / "speed.txt", true);
  if (r.rc != 0 || !fs::exists(res))
    throw std::runtime_error(fmt::format("{}: speed run failed (exit {}): {}", tb.string(), r.rc, r.summary));
  return json::parse(read_text(res)).at("rtl_samples_per_s").get<double>();
}

}  // namespace

void bench_sim_builds(const std::vector<std::string>& configs, const std::string& out_dir, int jobs,
                      const std::string& kit_path, const std::string& compare_config) {
  const Kit kit = load_kit(kit_path);
  check_writable(out_dir, "--out", true);
  const fs::path cache = kit.file.parent_path() / "cache" / "bench-sim";  // emptied before every build
  std::error_code ec;
  json rows = json::array();
  for (const auto& path : configs) {
    const Config c = load_config(path);
    const auto design = generate_design(c);
    std::vector<TbSpec> specs = {pe_spec(c, design)};
    if (net_supported(c, nullptr)) specs.push_back(net_spec(c, design));
    for (const auto& s : specs) {
      fs::remove_all(cache, ec);
      const Built r = Builder(kit, cache, jobs).build(s);
      rows.push_back({{"config", c.name},
                      {"testbench", s.label},
                      {"verilate_s", r.stage_seconds(StageKind::kVerilate)},
                      {"compile_model_s", r.stage_seconds(StageKind::kCompileModel)},
                      {"glue_s", r.stage_seconds(StageKind::kGlue)},
                      {"link_s", r.stage_seconds(StageKind::kLink)},
                      {"total_s", r.seconds}});
    }
  }
  json j = {{"verilator", kit.verilator_version},
            {"jobs", jobs},
            {"cores", std::thread::hardware_concurrency()},
            {"rows", rows}};
  if (!compare_config.empty()) {
    // The kit's flags against -O3 everywhere, on one network testbench.
    const Config c = load_config(compare_config);
    const auto spec = net_spec(c, generate_design(c));
    Kit o3 = kit;
    o3.opt_fast = o3.opt_slow = {"-O3"};
    std::string note;
    const std::string dataset = choose_net_dataset("", c.layers.front().in_shape.size(), &note);
    constexpr int kSteps = 300, kRounds = 2;
    json cmp = {{"config", c.name}, {"steps", kSteps}, {"rounds", kRounds}, {"dataset", dataset},
                {"opt_fast", join(kit.opt_fast, false)}, {"opt_slow", join(kit.opt_slow, false)}};
    std::vector<fs::path> bins;
    for (const Kit* k : std::initializer_list<const Kit*>{&kit, &o3}) {
      fs::remove_all(cache / (k == &kit ? "kit" : "o3"), ec);
      const Built b = Builder(*k, cache / (k == &kit ? "kit" : "o3"), jobs).build(spec);
      cmp[k == &kit ? "kit" : "o3"] = {{"compile_model_s", b.stage_seconds(StageKind::kCompileModel)},
                                       {"samples_per_s", json::array()}};
      bins.push_back(b.binary);
    }
    const fs::path work = cache / "speed";
    fs::create_directories(work);
    for (int round = 0; round < kRounds; ++round)
      for (std::size_t i = 0; i < bins.size(); ++i) {
        const double sps = net_speed(bins[i], compare_config, dataset, kSteps, work);
        fmt::print("sim: [bench] {} {}: {:.1f} RTL samples/s\n", c.name, i == 0 ? "kit flags" : "-O3", sps);
        cmp[i == 0 ? "kit" : "o3"]["samples_per_s"].push_back(sps);
      }
    j["opt_compare"] = cmp;
  }
  fs::remove_all(cache, ec);
  write_atomic(fs::path(out_dir) / "build_times.json", j.dump(2) + "\n");
  const std::string md = build_times_md(json::parse(read_text(fs::path(out_dir) / "build_times.json")));
  write_atomic(fs::path(out_dir) / "build_times.md", md);
  fmt::print("{}", md);
}

}  // namespace taxonn
