// The build-and-run half of `taxonn sim` (docs/sim.md): the simulation kit the
// project's build wrote, and the two-level testbench cache (model/<key>,
// bin/<key>; see sim.cpp's header). Internal to apps/.
#pragma once

#include <chrono>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "config.hpp"
#include "design.hpp"

namespace taxonn::simb {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;
using nlohmann::json;

double since(Clock::time_point t0);
// Run a shell command with its output into `log`; the exit code.
int run_logged(const std::string& cmd, const fs::path& log);
// Words of a command line, shell-quoted unless `quoted` is false.
std::string join(const std::vector<std::string>& v, bool quoted = true);
// A progress line: "sim: [label] what".
void say(const std::string& label, const std::string& what);

// A model's variant: plain, or traced (verilated with --trace-fst, its glue
// compiled with the tracer and the FST writer linked; --trace).
struct KitVariant {
  std::vector<std::string> verilator_args, cxxflags, libs;
};
struct Kit {
  fs::path file;
  std::string cxx, verilator, verilator_root, tb_dir, verilator_version;
  std::vector<std::string> verilator_args, cxxflags, opt_fast, opt_slow, ldflags;
  // Profile-guided builds (--pgo): the compiler's flags that instrument the
  // model and that use the profile; empty when the compiler has none.
  std::vector<std::string> pgo_generate, pgo_use;
  std::map<std::string, std::vector<std::string>> libs;  // "pe", "net": in link order
  KitVariant plain, traced;
  const KitVariant& variant(bool trace) const { return trace ? traced : plain; }
};
// The kit at `path` (empty: the build's); SimInputError when it is missing,
// malformed, or its libraries or Verilator are.
Kit load_kit(const std::string& path);
// The error of --pgo with a kit whose compiler has no profile-guided flags.
std::string pgo_unsupported(const Kit& k);
// Remove the folders of tmp/ whose process is gone (left by a killed build).
void sweep_tmp(const fs::path& tmp);
// The cache folder: $TAXONN_SIM_CACHE, else the kit's build's cache/sim.
fs::path default_cache(const Kit& kit);

enum class StageKind { kVerilate, kCompileModel, kGlue, kLink, kProfile };

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
json built_json(const Built& b);

// What one testbench is built from.
struct TbSpec {
  std::string kind;    // "pe" or "net": the kit's library set
  std::string label;   // for progress lines and the report
  std::string top;     // Verilog top module
  std::string prefix;  // Verilated class
  GeneratedFile glue;  // tb::glue_file
  std::vector<GeneratedFile> files;  // rtl/*.v, rtl/*.vh and the harness
  bool trace = false;                // the traced variant (Kit::traced)
  // Non-empty: a profile-guided build. The model is built instrumented, this
  // testbench run (its arguments) trains the profile, and the model is built
  // again from it (docs/sim.md, "Long runs").
  std::vector<std::string> pgo_train;  // without --config: the cache key holds the design
  std::string pgo_config;              // --config of the training run
};
// The testbench specs of a config: its PE harness, and its network top.
TbSpec pe_spec(const Config& c, const std::vector<GeneratedFile>& design);
TbSpec net_spec(const Config& c, const std::vector<GeneratedFile>& design);

// Builds testbenches into the cache, or finds them there.
class Builder {
 public:
  Builder(const Kit& kit, fs::path cache, int jobs) : kit_(kit), cache_(std::move(cache)), jobs_(jobs) {}
  Built build(const TbSpec& s);

 private:
  void step(const TbSpec& s, StageKind kind, const std::string& name, const std::vector<std::string>& cmd,
            const fs::path& log, Built& b) const;
  void build_model(const TbSpec& s, const fs::path& model, Built& b);
  // Compile the verilated model in `obj` and the glue into `glue_o`, with `extra` flags.
  void compile_model(const TbSpec& s, const fs::path& obj, const fs::path& glue_o, const std::vector<std::string>& extra,
                     const std::string& what, Built& b) const;
  // The kit's libraries a testbench links (the variant's first), and the
  // link command of `out` from a model's glue and archive.
  std::vector<std::string> link_libs(const TbSpec& s) const;
  std::vector<std::string> link_command(const TbSpec& s, const fs::path& out, const fs::path& glue_o,
                                        const fs::path& archive) const;
  // The instrumented build's training run: link, run, keep the profile.
  void train_profile(const TbSpec& s, const fs::path& tmp, const fs::path& obj, Built& b) const;

  const Kit& kit_;
  fs::path cache_;
  int jobs_;
};

struct TbRun {
  int rc = 0;
  std::string first_mismatch, summary;
};
// Run testbench `name` (tb_pe, tb_net), its output echoed (progress lines
// too, unless quiet) and kept in `log`; its summary line and first mismatch.
TbRun run_tb(const std::string& name, const fs::path& binary, const std::vector<std::string>& args,
             const fs::path& log, bool quiet);

}  // namespace taxonn::simb
