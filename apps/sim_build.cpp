// The build half of `taxonn sim` (sim_build.hpp): the kit, the cache and the
// build stages (verilate, compile the model, the glue, link).
#include "sim_build.hpp"

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
#include "subprocess.hpp"

#ifndef TAXONN_SIM_KIT_FILE
#error "TAXONN_SIM_KIT_FILE (the build's sim_kit.json) must be defined by the build"
#endif

namespace taxonn::simb {

double since(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }

// Run a shell command with its output into `log`; the exit code.
int run_logged(const std::string& cmd, const fs::path& log) {
  const int st = run_command(fmt::format("{} > {} 2>&1", cmd, shell_quote(log.string())));
  if (const int sig = stop_signal().load())
    throw Interrupted(sig, fmt::format("stopped (signal {}) while running: {}; its processes are killed", sig, cmd), false);
  return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + (WIFSIGNALED(st) ? WTERMSIG(st) : 0);
}

// ---- the simulation kit ----


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
    k.pgo_generate = strings(j.at("pgo"), "generate");
    k.pgo_use = strings(j.at("pgo"), "use");
    for (const char* kind : {"pe", "net"}) k.libs[kind] = j.at("libs").at(kind).get<std::vector<std::string>>();
    for (auto [name, v] : {std::pair{"plain", &k.plain}, std::pair{"traced", &k.traced}}) {
      const json& jv = j.at("variants").at(name);
      *v = KitVariant{strings(jv, "verilator_args"), strings(jv, "cxxflags"), strings(jv, "libs")};
    }
  } catch (const json::exception& e) {
    throw SimInputError(fmt::format("{}: not a simulation kit ({}); rebuild the project (make build)", k.file.string(),
                                    e.what()));
  }
  auto all_libs = k.libs;
  all_libs["trace"] = k.traced.libs;
  for (const auto& [kind, libs] : all_libs)
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

std::string join(const std::vector<std::string>& v, bool quoted) {
  std::string s;
  for (const auto& x : v) s += (s.empty() ? "" : " ") + (quoted ? shell_quote(x) : x);
  return s;
}

std::string pgo_unsupported(const Kit& k) {
  return fmt::format("--pgo: the kit's compiler {} has no profile-guided build flags (the kit lists them for GCC); "
                     "drop --pgo, or build the project with GCC",
                     k.cxx);
}

// ---- the cache ----





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

Built Builder::build(const TbSpec& s) {
  Built b;
  const auto t0 = Clock::now();
  const KitVariant& var = kit_.variant(s.trace);
  ContentKey mk;
  mk.add("taxonn-sim-model-2").add(kit_.verilator_version).add(join(kit_.verilator_args)).add(kit_.cxx);
  mk.add(join(kit_.cxxflags)).add(join(kit_.opt_fast)).add(join(kit_.opt_slow));
  mk.add(join(var.verilator_args)).add(join(var.cxxflags));
  mk.add(s.top).add(s.prefix).add(s.glue.content);
  if (!s.pgo_train.empty()) mk.add("pgo").add(join(kit_.pgo_generate)).add(join(kit_.pgo_use)).add(join(s.pgo_train));
  for (const char* h : {"dut.hpp", "dut_glue.hpp", "bitvec.hpp"}) mk.add_file(fs::path(kit_.tb_dir) / h);
  for (const auto& f : s.files) mk.add(f.path).add(f.content);
  b.model_key = mk.hex();
  ContentKey bk;
  bk.add("taxonn-sim-bin-2").add(b.model_key).add(join(kit_.ldflags));
  for (const auto& l : link_libs(s))
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
  step(s, StageKind::kLink, "link", link_command(s, tmp / "tb", model / "glue.o", model / (s.prefix + "__ALL.a")),
       tmp / "link.log", b);
  publish(tmp, bin);
  b.seconds = since(t0);
  return b;
}


void Builder::step(const TbSpec& s, StageKind kind, const std::string& name, const std::vector<std::string>& cmd,
                   const fs::path& log, Built& b) const {
  const auto t = Clock::now();
  const int rc = run_logged(join(cmd), log);
  if (rc != 0) {
    const std::string text = read_text(log);
    std::string first;
    std::istringstream in(text);
    for (std::string l; std::getline(in, l);) {
      if (first.empty() && !l.empty()) first = l;
      if (l.find("%Error") != std::string::npos || l.find("error:") != std::string::npos ||
          l.rfind("MISMATCH", 0) == 0) {  // a failed profile run (--pgo)
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


void Builder::build_model(const TbSpec& s, const fs::path& model, Built& b) {
  say(s.label, fmt::format("building the {}testbench of {} (model {}): not in the cache", s.trace ? "traced " : "", s.top,
                           b.model_key.substr(0, 12)));
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
  const KitVariant& var = kit_.variant(s.trace);
  vl.insert(vl.end(), kit_.verilator_args.begin(), kit_.verilator_args.end());
  vl.insert(vl.end(), var.verilator_args.begin(), var.verilator_args.end());
  vl.insert(vl.end(), {"--top-module", s.top, "--prefix", s.prefix, "--Mdir", obj.string(), "-I" + src.string()});
  vl.insert(vl.end(), sources.begin(), sources.end());
  step(s, StageKind::kVerilate, fmt::format("verilate ({} files)", sources.size()), vl, tmp / "verilate.log", b);

  const fs::path glue_o = tmp / "glue.o";
  write_atomic(obj / "glue.cpp", s.glue.content);
  if (s.pgo_train.empty()) {
    compile_model(s, obj, glue_o, {}, "", b);
  } else {
    if (kit_.pgo_generate.empty()) throw SimInputError(pgo_unsupported(kit_));
    compile_model(s, obj, glue_o, kit_.pgo_generate, " instrumented", b);
    train_profile(s, tmp, obj, b);
    // The same object paths again: GCC finds each object's profile beside it.
    std::vector<fs::path> built;
    for (const auto& e : fs::directory_iterator(obj))
      if (e.path().extension() == ".o" || e.path().extension() == ".a") built.push_back(e.path());
    for (const auto& f : built) fs::remove(f);
    fs::remove(glue_o);
    compile_model(s, obj, glue_o, kit_.pgo_use, " from the profile", b);
    fs::remove(tmp / "glue.gcda");  // the glue's profile (the model's go with obj/)
  }

  // Keep what linking needs and the logs; the sources and objects go.
  fs::rename(obj / (s.prefix + "__ALL.a"), tmp / (s.prefix + "__ALL.a"));
  std::error_code ec;
  fs::remove_all(obj, ec);
  fs::remove_all(src, ec);
  publish(tmp, model);
}


void Builder::compile_model(const TbSpec& s, const fs::path& obj, const fs::path& glue_o,
                            const std::vector<std::string>& extra, const std::string& what, Built& b) const {
  const KitVariant& var = kit_.variant(s.trace);
  std::vector<std::string> fast = kit_.opt_fast;
  fast.insert(fast.end(), extra.begin(), extra.end());
  // Verilator's own makefile, for the model's archive only (the runtime is the kit's).
  const std::vector<std::string> make = {
      "make", "-C", obj.string(), "-f", s.prefix + ".mk", fmt::format("-j{}", jobs_), s.prefix + "__ALL.a",
      "CXX=" + kit_.cxx, "OPT_FAST=" + join(fast, false), "OPT_SLOW=" + join(kit_.opt_slow, false),
      "OPT_GLOBAL=" + join(kit_.opt_fast, false), "VM_PARALLEL_BUILDS=1"};
  step(s, StageKind::kCompileModel, fmt::format("compile the model{} ({} jobs)", what, jobs_), make,
       obj.parent_path() / "compile.log", b);

  std::vector<std::string> cc = {kit_.cxx};
  cc.insert(cc.end(), kit_.cxxflags.begin(), kit_.cxxflags.end());
  cc.insert(cc.end(), var.cxxflags.begin(), var.cxxflags.end());
  cc.insert(cc.end(), fast.begin(), fast.end());
  for (const auto& i : {obj.string(), kit_.tb_dir, kit_.verilator_root + "/include",
                        kit_.verilator_root + "/include/vltstd"})
    cc.push_back("-I" + i);
  cc.insert(cc.end(), {"-c", (obj / "glue.cpp").string(), "-o", glue_o.string()});
  step(s, StageKind::kGlue, "compile the glue" + what, cc, obj.parent_path() / "glue.log", b);
}

std::vector<std::string> Builder::link_libs(const TbSpec& s) const {
  std::vector<std::string> libs = kit_.variant(s.trace).libs;  // before the kit's: they use its runtime
  libs.insert(libs.end(), kit_.libs.at(s.kind).begin(), kit_.libs.at(s.kind).end());
  return libs;
}

std::vector<std::string> Builder::link_command(const TbSpec& s, const fs::path& out, const fs::path& glue_o,
                                               const fs::path& archive) const {
  std::vector<std::string> cmd = {kit_.cxx, "-o", out.string(), glue_o.string(), archive.string()};
  for (const auto& l : link_libs(s)) cmd.push_back(l);
  cmd.insert(cmd.end(), kit_.ldflags.begin(), kit_.ldflags.end());
  return cmd;
}

void Builder::train_profile(const TbSpec& s, const fs::path& tmp, const fs::path& obj, Built& b) const {
  const fs::path tb = tmp / "profile_tb";
  std::vector<std::string> cmd = link_command(s, tb, tmp / "glue.o", obj / (s.prefix + "__ALL.a"));
  cmd.insert(cmd.end(), kit_.pgo_generate.begin(), kit_.pgo_generate.end());
  step(s, StageKind::kLink, "link instrumented", cmd, tmp / "profile_link.log", b);
  std::vector<std::string> run = {tb.string(), "--config", s.pgo_config};
  run.insert(run.end(), s.pgo_train.begin(), s.pgo_train.end());
  run.insert(run.end(), {"--repro-dir", tmp.string()});
  step(s, StageKind::kProfile, "profile run (" + join(s.pgo_train, false) + ")", run, tmp / "profile_run.log", b);
  fs::remove(tb);
}

// The testbench specs of a config: its PE harness, and its network top.
TbSpec pe_spec(const Config& c, const std::vector<GeneratedFile>& design) {
  TbSpec s{"pe", "pe", "tb_pe_" + c.name, "Vtb_pe_" + c.name, tb::glue_file("Vtb_pe_" + c.name, c.name, tb::GlueKind::kFlat), {}, false, {}, {}};
  for (const auto& f : design)
    if (f.path.rfind("rtl/", 0) == 0) s.files.push_back(f);
  s.files.push_back({"harness/tb_pe_" + c.name + ".v", tb::pe_harness(c)});
  return s;
}

TbSpec net_spec(const Config& c, const std::vector<GeneratedFile>& design) {
  TbSpec s{"net", "network", net_module_name(c), "Vnet_" + c.name, tb::glue_file("Vnet_" + c.name, c.name, tb::GlueKind::kNet), {}, false, {}, {}};
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

// Run testbench `name` (tb_pe, tb_net), its output echoed (progress lines
// too, unless quiet) and kept in `log`. Its summary is the last line it
// prints under its own name (its result, or its one-line error); the first
// MISMATCH line is kept for the summary too.
TbRun run_tb(const std::string& name, const fs::path& binary, const std::vector<std::string>& args,
             const fs::path& log, bool quiet) {
  TbRun r;
  std::vector<std::string> cmd = {binary.string()};
  cmd.insert(cmd.end(), args.begin(), args.end());
  std::ofstream out(log);
  // run_command: a stop (Ctrl-C, SIGTERM) kills the testbench with this process.
  const int st = run_command("exec " + join(cmd), [&](const std::string& line) {
    out << line << '\n';
    if (!quiet || line.rfind("  step ", 0) != 0) {
      std::fputs((line + "\n").c_str(), stdout);
      std::fflush(stdout);
    }
    if (line.rfind(name + ": ", 0) == 0) r.summary = line;
    if (r.first_mismatch.empty() && line.rfind("MISMATCH ", 0) == 0) r.first_mismatch = line.substr(9);
  });
  if (const int sig = stop_signal().load())
    throw Interrupted(sig, fmt::format("stopped (signal {}) while {} ran; it is killed", sig, name), false);
  if (st == -1) throw std::runtime_error(fmt::format("cannot start {}", binary.string()));
  r.rc = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + (WIFSIGNALED(st) ? WTERMSIG(st) : 0);
  return r;
}


}  // namespace taxonn::simb
