// `taxonn sim`: the bit-exact co-simulation of any config, on demand
// (docs/sim.md). It generates the config's RTL, builds its PE and network
// testbenches from the simulation kit (the testbench code, the golden model
// and the Verilator runtime, compiled once by the project's build and listed
// in build/sim_kit.json), caches them by content, runs them against the
// golden model and reports what ran and how it ended.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "executor.hpp"
#include "trace.hpp"  // tb::TraceOptions: the testbenches' window defaults

namespace taxonn {

// Bad input to `taxonn sim` (exit 2): the message names the input and the fix.
class SimInputError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct SimOptions {
  std::string config;        // the user's config (JSON)
  std::string memory;        // non-empty: the config's memory, overridden (flops, sram)
  std::string clock_gating;  // non-empty: the config's clock_gating, overridden (on, off)
  std::string out_dir;       // logs, results, reproducers (default build/sim/<config name>)
  std::string json_out;      // the report (default <out>/sim.json)
  std::string cache_dir;     // default: <build>/cache/sim beside the kit, or $TAXONN_SIM_CACHE
  std::string kit;           // default: the kit of the build this taxonn came from
  std::string templates;     // build from these templates instead of the embedded ones
  std::string replay;        // run one reproducer instead of the checks
  std::string dataset, data_dir, save_weights;
  std::string curve;         // tb_net --curve: loss and accuracy curve, PREFIX.csv/.svg
  std::string trace;         // waveforms (FST) of each check: builds the traced testbenches
  std::uint64_t trace_start = 0, trace_cycles = tb::TraceOptions::kDefaultCycles;
  std::int64_t trace_step = -1;  // the network check's window starts at this SGD step (-1: at trace_start)
  bool trace_window_given = false;  // --trace-start, --trace-cycles or --trace-step on the command line
  std::uint64_t seed = 1;
  std::uint64_t iters = 20000;  // PE cosim cycles
  std::uint64_t steps = 200;    // network SGD steps
  std::uint64_t eval = 0;       // test images the RTL-trained weights are evaluated on
  std::uint64_t check_every = 1;
  std::uint64_t infer_every = 10;
  int jobs = 2;                 // compile jobs
  bool pe_only = false;         // run the PE cosim only (a config the network RTL does not cover)
  bool build_only = false;      // build (or find) the testbenches, run nothing
  bool quiet = false;           // no testbench progress lines
  bool pgo = false;             // the network testbench built profile-guided (docs/sim.md, "Long runs")
};

// Runs the checks; returns the exit status (0 all passed, 1 a check failed
// or could not run). Bad input throws SimInputError or taxonn::ConfigError
// before anything is built or written.
int run_sim(const SimOptions& o);

// `taxonn sim --seeds A B ...`: the testbenches built once, then one batch
// job per seed (executor.hpp: this machine or a Slurm cluster), each run's
// report in <out>/seed_<s>/, a table of them in <out>/seeds.{md,json};
// returns 0 when every seed passed. run_sim_job is the job (kind "sim").
int run_sim_seeds(const SimOptions& base, const std::vector<std::uint64_t>& seeds, batch::Options bo);
nlohmann::json run_sim_job(const nlohmann::json& spec);
// A sim job's options (paths made absolute): {"kind": "sim", "options": this}.
nlohmann::json sim_options_json(const SimOptions& o);

// The build benchmark (make bench-sim): each config's testbenches built from
// an empty cache, stage by stage, into <out>/build_times.json and the table
// written from it, build_times.md; with `compare_config`, that config's
// network testbench also built with -O3 and both timed on the same steps.
void bench_sim_builds(const std::vector<std::string>& configs, const std::string& out_dir, int jobs,
                      const std::string& kit, const std::string& compare_config);

}  // namespace taxonn
