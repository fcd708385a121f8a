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

struct Stage {
  std::string name;
  double seconds;
};

struct Built {
  fs::path binary;
  bool cached = false;  // nothing was built
  std::string model_key, bin_key;
  std::vector<Stage> stages;
  double seconds = 0;
};

// What one testbench is built from.
struct TbSpec {
  std::string kind;    // "pe" or "net": the kit's library set
  std::string label;   // for progress lines
  std::string top;     // Verilog top module
  std::string prefix;  // Verilated class
  std::string dut_name;
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

class Builder {
 public:
  Builder(const Kit& kit, fs::path cache, int jobs, bool quiet) : kit_(kit), cache_(std::move(cache)), jobs_(jobs), quiet_(quiet) {}

  Built build(const TbSpec& s) {
    Built b;
    const auto t0 = Clock::now();
    const std::string glue = fmt::format("#include \"{0}.h\"\n#include \"dut_glue.hpp\"\nTAXONN_{1}_DUT({0}, \"{2}\")\n",
                                         s.prefix, s.kind == "net" ? "NET" : "FLAT", s.dut_name);
    ContentKey mk;
    mk.add("taxonn-sim-model-1").add(kit_.verilator_version).add(join(kit_.verilator_args)).add(kit_.cxx);
    mk.add(join(kit_.cxxflags)).add(join(kit_.opt_fast)).add(join(kit_.opt_slow));
    mk.add(s.top).add(s.prefix).add(glue);
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
      say(s, fmt::format("cached: {} (model {}), no build", b.binary.string(), b.model_key.substr(0, 12)));
      return b;
    }
    if (!fs::exists(model / "glue.o")) build_model(s, glue, model, b);
    else say(s, fmt::format("model {} cached; linking with the current kit", b.model_key.substr(0, 12)));
    const fs::path tmp = new_tmp(cache_, "bin");
    const auto t = Clock::now();
    std::vector<std::string> cmd = {kit_.cxx, "-o", (tmp / "tb").string(), (model / "glue.o").string(),
                                    (model / (s.prefix + "__ALL.a")).string()};
    for (const auto& l : kit_.libs.at(s.kind)) cmd.push_back(l);
    for (const auto& f : kit_.ldflags) cmd.push_back(f);
    step(s, "link", join(cmd), tmp / "link.log", t, b);
    publish(tmp, bin);
    b.seconds = since(t0);
    return b;
  }

 private:
  void say(const TbSpec& s, const std::string& what) const {
    fmt::print("sim: [{}] {}\n", s.label, what);
    std::fflush(stdout);
  }

  void step(const TbSpec& s, const std::string& name, const std::string& cmd, const fs::path& log,
            Clock::time_point t, Built& b) const {
    const int rc = run_logged(cmd, log);
    if (rc != 0) {
      // The first line says what failed: the tool's first error, else its last line.
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
    b.stages.push_back({name, since(t)});
    say(s, fmt::format("{}: {:.1f} s", name, since(t)));
  }

  void build_model(const TbSpec& s, const std::string& glue, const fs::path& model, Built& b) {
    say(s, fmt::format("building the testbench of {} (model {}): not in the cache", s.dut_name, b.model_key.substr(0, 12)));
    const fs::path tmp = new_tmp(cache_, "model");
    const fs::path src = tmp / "src", obj = tmp / "obj";
    std::vector<std::string> sources;
    for (const auto& f : s.files) {
      const fs::path p = src / fs::path(f.path).filename();
      write_atomic(p, f.content);
      if (p.extension() == ".v") sources.push_back(p.string());
    }
    std::sort(sources.begin(), sources.end());
    auto t = Clock::now();
    std::vector<std::string> vl = {kit_.verilator, "--cc"};
    for (const auto& a : kit_.verilator_args) vl.push_back(a);
    for (const auto& a : {std::string("--top-module"), s.top, std::string("--prefix"), s.prefix, std::string("--Mdir"),
                          obj.string(), "-I" + src.string()})
      vl.push_back(a);
    for (const auto& f : sources) vl.push_back(f);
    step(s, fmt::format("verilate ({} files)", sources.size()), join(vl), tmp / "verilate.log", t, b);

    t = Clock::now();
    const std::string make = fmt::format(
        "make -C {} -f {}.mk -j{} {}__ALL.a CXX={} OPT_FAST={} OPT_SLOW={} OPT_GLOBAL={} VM_PARALLEL_BUILDS=1",
        shell_quote(obj.string()), s.prefix, jobs_, s.prefix, shell_quote(kit_.cxx), shell_quote(join(kit_.opt_fast, false)),
        shell_quote(join(kit_.opt_slow, false)), shell_quote(join(kit_.opt_fast, false)));
    step(s, fmt::format("compile the model ({} jobs)", jobs_), make, tmp / "compile.log", t, b);

    t = Clock::now();
    write_atomic(obj / "glue.cpp", glue);
    std::vector<std::string> cc = {kit_.cxx};
    for (const auto& f : kit_.cxxflags) cc.push_back(f);
    for (const auto& f : kit_.opt_fast) cc.push_back(f);
    for (const auto& i : {obj.string(), kit_.tb_dir, kit_.verilator_root + "/include",
                          kit_.verilator_root + "/include/vltstd"})
      cc.push_back("-I" + i);
    for (const std::string& f : {std::string("-c"), (obj / "glue.cpp").string(), std::string("-o"), (tmp / "glue.o").string()})
      cc.push_back(f);
    step(s, "compile the glue", join(cc), tmp / "glue.log", t, b);

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
  bool quiet_;
};

// ---- running a testbench ----

struct TbRun {
  int rc = 0;
  std::string first_mismatch, last_line;
};

// Run a testbench, its output echoed (progress lines too, unless quiet) and
// kept in `log`; the first MISMATCH line is kept for the summary.
TbRun run_tb(const fs::path& binary, const std::vector<std::string>& args, const fs::path& log, bool quiet) {
  TbRun r;
  std::vector<std::string> cmd = {binary.string()};
  cmd.insert(cmd.end(), args.begin(), args.end());
  FILE* p = popen((join(cmd) + " 2>&1").c_str(), "r");
  if (!p) throw std::runtime_error(fmt::format("cannot start {}", binary.string()));
  std::ofstream out(log);
  char buf[4096];
  while (std::fgets(buf, sizeof buf, p)) {
    const std::string line(buf);
    out << line;
    const bool progress = line.rfind("  step ", 0) == 0;
    if (!quiet || !progress) {
      std::fputs(buf, stdout);
      std::fflush(stdout);
    }
    std::string trimmed = line;
    while (!trimmed.empty() && (trimmed.back() == '\n' || trimmed.back() == '\r')) trimmed.pop_back();
    if (!trimmed.empty()) r.last_line = trimmed;
    if (r.first_mismatch.empty() && trimmed.rfind("MISMATCH ", 0) == 0) r.first_mismatch = trimmed.substr(9);
  }
  const int st = pclose(p);
  r.rc = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + (WIFSIGNALED(st) ? WTERMSIG(st) : 0);
  return r;
}

// ---- the dataset of the network check ----

// The dataset a config's network trains on when none is named: the one its
// input size fits; seeded random samples when no dataset has that size.
std::string pick_dataset(const Config& c, std::string* note) {
  const int in = c.layers.front().in_shape.size();
  auto have = [](const std::string& n) { return fs::is_directory(default_dataset_dir(n)); };
  if (in == 28 * 28) {
    if (have("mnist")) return "mnist";
    if (have("fashion-mnist")) {
      *note = fmt::format("MNIST not found in {}: training on Fashion-MNIST ({}); --dataset/--data-dir choose",
                          default_dataset_dir("mnist"), default_dataset_dir("fashion-mnist"));
      return "fashion-mnist";
    }
    throw SimInputError(fmt::format("config '{}' takes 28x28 images but neither {} nor {} exists: give --dataset and "
                                    "--data-dir, or --dataset random",
                                    c.name, default_dataset_dir("mnist"), default_dataset_dir("fashion-mnist")));
  }
  if (in == 3 * 32 * 32) {
    if (have("cifar10")) return "cifar10";
    throw SimInputError(fmt::format("config '{}' takes 32x32x3 images but {} does not exist: give --data-dir, or "
                                    "--dataset random",
                                    c.name, default_dataset_dir("cifar10")));
  }
  *note = fmt::format("no dataset has images of {} values (config '{}'): training on seeded random samples "
                      "(--dataset random)",
                      in, c.name);
  return "random";
}

// Loads a named dataset once before any build, so a missing or mismatched
// one fails in a second, not after the build.
void check_dataset(const Config& c, const std::string& name, const std::string& dir) {
  if (name == "random") return;
  const auto& names = dataset_names();
  if (std::find(names.begin(), names.end(), name) == names.end())
    throw SimInputError(fmt::format("--dataset '{}': not a dataset; use mnist, fashion-mnist, cifar10 or random", name));
  const DatasetPair d = load_dataset(name, dir);  // DatasetError names the file
  const std::size_t want = static_cast<std::size_t>(c.layers.front().in_shape.size());
  if (d.train.image_size() != want)
    throw SimInputError(fmt::format("{}: images of {} values, but config '{}' takes {}; pick a matching dataset or config",
                                    d.source, d.train.image_size(), c.name, want));
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

// The testbench specs of a config: its PE harness and, when covered, its network top.
TbSpec pe_spec(const Config& c, const std::vector<GeneratedFile>& design) {
  TbSpec s{"pe", "pe", "tb_pe_" + c.name, "Vtb_pe_" + c.name, c.name, {}};
  for (const auto& f : design)
    if (f.path.rfind("rtl/", 0) == 0) s.files.push_back(f);
  s.files.push_back({"harness/tb_pe_" + c.name + ".v", tb::pe_harness(c)});
  return s;
}

TbSpec net_spec(const Config& c, const std::vector<GeneratedFile>& design) {
  TbSpec s{"net", "network", net_module_name(c), "Vnet_" + c.name, c.name, {}};
  for (const auto& f : design)
    if (f.path.rfind("rtl/", 0) == 0) s.files.push_back(f);
  return s;
}

}  // namespace

int run_sim(const SimOptions& o) {
  // Everything that can be wrong with the input is found before any build.
  const Config c = load_config(o.config);
  if (!o.templates.empty()) use_template_dir(o.templates);
  std::string why;
  const bool net_ok = net_supported(c, &why);
  const bool want_net = !o.pe_only;
  if (want_net && !net_ok && o.replay.empty())
    throw SimInputError(fmt::format("{}: the network RTL does not cover config '{}' ({}); fix that field, or run the "
                                    "PE co-simulation alone with --pe-only",
                                    o.config, c.name, why));
  if (o.jobs < 1) throw SimInputError(fmt::format("--jobs {}: give at least 1", o.jobs));
  std::string replay_kind;
  if (!o.replay.empty()) {
    std::ifstream in(o.replay);
    if (!in) throw SimInputError(fmt::format("--replay {}: cannot open the reproducer", o.replay));
    json j;
    try {
      j = json::parse(in);
    } catch (const json::exception& e) {
      throw SimInputError(fmt::format("--replay {}: not a JSON reproducer ({})", o.replay, e.what()));
    }
    if (j.is_object() && j.value("testbench", "") == "tb_net") replay_kind = "net";
    else if (j.is_object() && j.contains("module")) replay_kind = "pe";
    else throw SimInputError(fmt::format("--replay {}: not a reproducer of tb_pe or tb_net", o.replay));
    if (j.value("config", "") != c.name)
      throw SimInputError(fmt::format("--replay {}: a reproducer of config '{}', not '{}'; give its --config",
                                      o.replay, j.value("config", "?"), c.name));
    if (replay_kind == "net" && !net_ok)
      throw SimInputError(fmt::format("--replay {}: the network RTL does not cover config '{}' ({})", o.replay, c.name, why));
  }
  const bool run_pe = o.replay.empty() || replay_kind == "pe";
  const bool run_net = net_ok && want_net && (o.replay.empty() || replay_kind == "net");
  std::string dataset = o.dataset, dataset_note;
  if (run_net && o.replay.empty() && !o.build_only) {
    if (dataset.empty()) dataset = pick_dataset(c, &dataset_note);
    check_dataset(c, dataset, o.data_dir);
  }
  const Kit kit = load_kit(o.kit);
  const fs::path cache = o.cache_dir.empty() ? default_cache(kit) : fs::path(o.cache_dir);
  const fs::path out = o.out_dir.empty() ? fs::path("build/sim") / c.name : fs::path(o.out_dir);
  const fs::path report = o.json_out.empty() ? out / "sim.json" : fs::path(o.json_out);
  const bool had_out = fs::exists(out);
  try {
    check_writable_dir(cache, "--cache");
    check_writable_dir(out, "--out");
    check_writable(report, "--json");
    if (!o.save_weights.empty()) check_writable(o.save_weights, "--save-weights");
    if (!o.curve.empty()) check_writable(o.curve + ".csv", "--curve");
  } catch (const std::runtime_error& e) {
    std::error_code ec;
    if (!had_out) fs::remove(out, ec);  // no output from a run that did not start (only if still empty)
    throw SimInputError(e.what());
  }
  sweep_tmp(cache / "tmp");

  fmt::print("sim: config '{}' ({}), {}{}\n", c.name, o.config,
             run_pe ? "PE co-simulation" : "", run_net ? (run_pe ? " and network training" : "network training") : "");
  if (!net_ok && o.pe_only) fmt::print("sim: no network check: the network RTL does not cover this config ({})\n", why);
  if (!dataset_note.empty()) fmt::print("sim: {}\n", dataset_note);
  const auto design = generate_design(c);
  Builder builder(kit, cache, o.jobs, o.quiet);
  const auto t_build = Clock::now();
  std::optional<Built> pe_b, net_b;
  json checks = json::array();
  bool ok = true;
  auto build = [&](const TbSpec& s, std::optional<Built>& dst, const char* check) {
    try {
      dst = builder.build(s);
      return true;
    } catch (const std::exception& e) {
      fmt::print("sim: [{}] {}\n", s.label, e.what());
      checks.push_back({{"check", check}, {"status", "error"}, {"error", e.what()}});
      ok = false;
      return false;
    }
  };
  if (run_pe) build(pe_spec(c, design), pe_b, "pe");
  if (run_net) build(net_spec(c, design), net_b, "network");
  const double build_s = since(t_build);

  if (!o.build_only) {
    if (pe_b) {
      std::vector<std::string> args = {"--config", o.config, "--seed", std::to_string(o.seed), "--iters",
                                       std::to_string(o.iters), "--repro-dir", out.string(), "--json",
                                       (out / "pe.json").string()};
      if (replay_kind == "pe") args = {"--config", o.config, "--replay", o.replay, "--json", (out / "pe.json").string()};
      fmt::print("sim: [pe] both PEs of every layer against the golden model{}\n",
                 replay_kind == "pe" ? ", replaying " + o.replay : fmt::format(", {} cycles, seed {}", o.iters, o.seed));
      std::error_code ec;
      fs::remove(out / "pe.json", ec);  // a stale result never stands for this run
      const TbRun r = run_tb(pe_b->binary, args, out / "pe.txt", o.quiet);
      json chk = {{"check", "pe"}, {"status", r.rc == 0 ? "pass" : "fail"}, {"exit_code", r.rc},
                  {"summary", r.last_line}, {"log", (out / "pe.txt").string()}, {"build", built_json(*pe_b)}};
      if (!r.first_mismatch.empty()) chk["first_mismatch"] = r.first_mismatch;
      if (fs::exists(out / "pe.json")) chk["result"] = json::parse(read_text(out / "pe.json"));
      checks.push_back(chk);
      ok &= r.rc == 0;
    }
    if (net_b) {
      std::vector<std::string> args = {"--config", o.config, "--repro-dir", out.string(), "--json",
                                       (out / "net.json").string()};
      if (replay_kind == "net") {
        args.insert(args.end(), {"--replay", o.replay});
      } else {
        args.insert(args.end(), {"--seed", std::to_string(o.seed), "--steps", std::to_string(o.steps), "--dataset",
                                 dataset, "--check-every", std::to_string(o.check_every)});
        if (!o.data_dir.empty()) args.insert(args.end(), {"--data-dir", o.data_dir});
        if (o.eval > 0) args.insert(args.end(), {"--eval", std::to_string(o.eval)});
      }
      if (!o.save_weights.empty()) args.insert(args.end(), {"--save-weights", o.save_weights});
      if (!o.curve.empty()) args.insert(args.end(), {"--curve", o.curve});
      if (o.quiet) args.push_back("--quiet");
      fmt::print("sim: [network] the network RTL trains beside the golden model{}\n",
                 replay_kind == "net" ? ", replaying " + o.replay
                                      : fmt::format(", {} SGD steps on {}, seed {}", o.steps, dataset, o.seed));
      std::error_code ec;
      fs::remove(out / "net.json", ec);
      const TbRun r = run_tb(net_b->binary, args, out / "net.txt", o.quiet);
      json chk = {{"check", "network"}, {"status", r.rc == 0 ? "pass" : "fail"}, {"exit_code", r.rc},
                  {"summary", r.last_line}, {"log", (out / "net.txt").string()}, {"build", built_json(*net_b)}};
      if (!r.first_mismatch.empty()) chk["first_mismatch"] = r.first_mismatch;
      if (fs::exists(out / "net.json")) chk["result"] = json::parse(read_text(out / "net.json"));
      // tb_net's summary is its "tb_net: N steps, 0 mismatches ..." line, not the speed line after it.
      std::istringstream lines(read_text(out / "net.txt"));
      for (std::string l; std::getline(lines, l);)
        if (l.rfind("tb_net: ", 0) == 0 && l.find(" steps, ") != std::string::npos) chk["summary"] = l;
      checks.push_back(chk);
      ok &= r.rc == 0;
    }
  }
  if (!net_ok && o.pe_only) checks.push_back({{"check", "network"}, {"status", "not covered"}, {"why", why}});

  // The summary: every check, what it did and how it ended (also <out>/summary.txt).
  std::string summary;
  for (const auto& k : checks) {
    const std::string status = k.at("status").get<std::string>();
    std::string detail;
    if (k.contains("first_mismatch")) detail = "first divergence: " + k["first_mismatch"].get<std::string>();
    else if (k.contains("error")) detail = k["error"].get<std::string>().substr(0, k["error"].get<std::string>().find('\n'));
    else if (k.contains("why")) detail = k["why"].get<std::string>();
    else if (k.contains("summary")) detail = k["summary"].get<std::string>();
    summary += fmt::format("{:<8} {:<11} {}\n", k.at("check").get<std::string>(),
                           status == "pass" ? "PASS" : status == "fail" ? "FAIL" : status, detail);
  }
  if (o.build_only) {
    if (pe_b) summary += fmt::format("{:<8} {:<11} {}\n", "pe", "built", pe_b->binary.string());
    if (net_b) summary += fmt::format("{:<8} {:<11} {}\n", "network", "built", net_b->binary.string());
  }
  const bool all_cached = (pe_b || net_b) && (!pe_b || pe_b->cached) && (!net_b || net_b->cached);
  summary += fmt::format("{:<8} {:.1f} s ({}), report {}\n", "build", build_s,
                         all_cached ? "all from the cache, no build" : "built now", report.string());
  fmt::print("\n== taxonn sim: {}: {}\n", c.name, ok ? "all checks passed" : "FAILED");
  std::istringstream sl(summary);
  for (std::string l; std::getline(sl, l);) fmt::print("  {}\n", l);
  write_atomic(out / "summary.txt", summary);
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
  write_atomic(report, rep.dump(2) + "\n");
  return ok ? 0 : 1;
}

void bench_sim_builds(const std::vector<std::string>& configs, const std::string& out_dir, int jobs,
                      const std::string& kit_path) {
  const Kit kit = load_kit(kit_path);
  check_writable_dir(out_dir, "--out");
  json rows = json::array();
  std::string md = fmt::format(
      "# Build times of `taxonn sim` testbenches\n\nWritten by `make bench-sim` (taxonn bench-sim) from "
      "build_times.json: each config's PE and network testbenches built from an empty cache with {} compile jobs "
      "on this machine ({} cores), {}. The kit (testbench code, golden model, Verilator runtime) is built once by "
      "`make`, so a config's build is: verilate, compile the model, compile the glue, link.\n\n"
      "| config | testbench | verilate (s) | compile the model (s) | glue (s) | link (s) | total (s) |\n"
      "| --- | --- | ---: | ---: | ---: | ---: | ---: |\n",
      jobs, std::thread::hardware_concurrency(), kit.verilator_version);
  for (const auto& path : configs) {
    const Config c = load_config(path);
    const fs::path cache = kit.file.parent_path() / "cache" / "bench-sim";  // empty for every config
    std::error_code ec;
    fs::remove_all(cache, ec);
    Builder b(kit, cache, jobs, false);
    const auto design = generate_design(c);
    std::vector<TbSpec> specs = {pe_spec(c, design)};
    if (net_supported(c, nullptr)) specs.push_back(net_spec(c, design));
    for (const auto& s : specs) {
      const Built r = b.build(s);
      double st[4] = {0, 0, 0, 0};
      for (const auto& x : r.stages) {
        const int i = x.name.rfind("verilate", 0) == 0 ? 0 : x.name.rfind("compile the model", 0) == 0 ? 1
                      : x.name == "compile the glue" ? 2 : 3;
        st[i] += x.seconds;
      }
      rows.push_back({{"config", c.name}, {"testbench", s.label}, {"verilate_s", st[0]}, {"compile_model_s", st[1]},
                      {"glue_s", st[2]}, {"link_s", st[3]}, {"total_s", r.seconds}, {"jobs", jobs}});
    }
    fs::remove_all(cache, ec);
  }
  for (const auto& r : rows)
    md += fmt::format("| {} | {} | {:.1f} | {:.1f} | {:.1f} | {:.1f} | {:.1f} |\n", r["config"].get<std::string>(),
                      r["testbench"].get<std::string>(), r["verilate_s"].get<double>(), r["compile_model_s"].get<double>(),
                      r["glue_s"].get<double>(), r["link_s"].get<double>(), r["total_s"].get<double>());
  write_atomic(fs::path(out_dir) / "build_times.json",
               json({{"verilator", kit.verilator_version}, {"jobs", jobs}, {"rows", rows}}).dump(2) + "\n");
  write_atomic(fs::path(out_dir) / "build_times.md", md);
  fmt::print("{}", md);
}

}  // namespace taxonn
