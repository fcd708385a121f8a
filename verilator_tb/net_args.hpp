// tb_net's command line (docs/network.md, docs/sim.md): the options, their
// checks (bad input is one line and exit 2) and --help.
#pragma once

#include <cstdint>
#include <cstdlib>
#include <iostream>
#include <string>

#include <fmt/format.h>

#include "io_util.hpp"
#include "trace.hpp"

namespace taxonn::tb {

struct NetArgs {
  std::string config, dataset, data_dir, repro_dir = ".", replay, json_out, save_weights, curve;
  std::uint64_t seed = 1, steps = 200, check_every = 1, infer_every = 10, eval = 0;
  bool quiet = false;
  TraceOptions trace;
};

constexpr const char* kUsage =
    "usage: tb_net --config FILE [--steps N] [--seed N] [--dataset mnist|fashion-mnist|cifar10|random] [--data-dir DIR]\n"
    "              [--check-every N] [--infer-every N] [--eval N] [--json FILE] [--save-weights FILE] [--curve PREFIX]\n"
    "              [--repro-dir DIR] [--replay FILE] [--quiet] [--trace FILE.fst [--trace-start CYCLE | --trace-step S] [--trace-cycles N]]\n"
    "co-simulates the network RTL against the golden model (docs/network.md)\n"
    "--check-every N compares every weight every N steps, --infer-every N runs a checked inference every N steps (10)\n"
    "--trace-step S starts the waveform window at the first cycle of SGD step S (counted from 0)\n";

// Bad input: one line (the usage is --help's).
[[noreturn]] inline void usage_error(const std::string& msg) {
  std::cerr << "tb_net: " << msg << " (tb_net --help lists the options)\n";
  std::exit(2);
}

// The counts that must be at least 1, from the command line or (`from`, the
// file's name) a reproducer: 0 would check nothing or divide by zero.
inline void check_counts(const NetArgs& a, const std::string& from) {
  const std::string at = from.empty() ? "--" : from + ": ";
  if (a.steps == 0) usage_error(at + "steps 0: give at least one SGD step");
  if (a.check_every == 0) usage_error(at + (from.empty() ? "check-every" : "check_every") + " 0: give N >= 1");
  if (a.infer_every == 0) usage_error(at + (from.empty() ? "infer-every" : "infer_every") + " 0: give N >= 1");
}

inline NetArgs parse(int argc, char** argv) {
  NetArgs a;
  if (const char* env = std::getenv("TAXONN_SEED"); env && !parse_count(env, 0, &a.seed))
    usage_error(fmt::format("TAXONN_SEED '{}' is not a whole number >= 0", env));
  for (int i = 1; i < argc; ++i) {
    const std::string k = argv[i];
    auto val = [&]() -> std::string {
      if (i + 1 >= argc) usage_error(k + " needs a value");
      return argv[++i];
    };
    auto num = [&]() -> std::uint64_t {
      const std::string v = val();
      std::uint64_t x = 0;
      if (!parse_count(v, 0, &x)) usage_error(fmt::format("{} '{}' is not a whole number >= 0", k, v));
      return x;
    };
    if (k == "--config") a.config = val();
    else if (k == "--steps") a.steps = num();
    else if (k == "--seed") a.seed = num();
    else if (k == "--dataset") a.dataset = val();
    else if (k == "--data-dir") a.data_dir = val();
    else if (k == "--check-every") a.check_every = num();
    else if (k == "--infer-every") a.infer_every = num();
    else if (k == "--eval") a.eval = num();
    else if (k == "--json") a.json_out = val();
    else if (k == "--save-weights") a.save_weights = val();
    else if (k == "--curve") a.curve = val();
    else if (k == "--repro-dir") a.repro_dir = val();
    else if (k == "--replay") a.replay = val();
    else if (k == "--quiet") a.quiet = true;
    else if (parse_trace_arg(k, val, num, a.trace, true)) continue;
    else if (k == "--help" || k == "-h") {
      std::cout << kUsage << kTraceHelp;
      std::exit(0);
    } else usage_error("unknown option " + k);
  }
  check_counts(a, "");
  if (const std::string why = trace_args_problem(a.trace); !why.empty()) usage_error(why);
  return a;
}

}  // namespace taxonn::tb
