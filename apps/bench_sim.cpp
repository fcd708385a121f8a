// `taxonn bench-sim` (sim.hpp): each config's testbenches built from an
// empty cache, stage by stage, into build_times.{json,md}.
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
#include "sim_build.hpp"

namespace taxonn {

using namespace simb;

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
  json j = {{"taxonn_version", taxonn_version()},
            {"verilator", kit.verilator_version},
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

