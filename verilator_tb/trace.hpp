// Waveforms on demand (--trace FILE.fst; docs/sim.md, "Waveforms"): which
// clock cycles of a run go into the model's FST file, and the file written
// whole or not at all.
//
// The time axis: cycle c of a run spans [10c, 10c+10) ns. Registers change at
// 10c (the rising edge that ends cycle c-1); the testbench applies cycle c's
// inputs at 10c+5 (the falling edge), where they are dumped settled, with
// the combinational outputs the golden model is compared with.
#pragma once

#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>

#include <fmt/format.h>

#include "dut.hpp"
#include "io_util.hpp"

namespace taxonn::tb {

struct TraceOptions {
  static constexpr std::uint64_t kDefaultCycles = 10000;  // a few MB of FST for a network
  std::string path;                                        // "": no trace
  std::uint64_t start = 0;                                 // first cycle traced
  std::uint64_t cycles = kDefaultCycles;                   // how many
  std::optional<std::uint64_t> step;                       // tb_net: start at this SGD step's first cycle
  bool window_given = false;                               // --trace-start/-cycles/-step seen
  bool on() const { return !path.empty(); }
};

// Takes a trace option (--trace-step only where `steps`); false for any
// other. `val` and `num` read the option's value (the testbench's own
// parsers, which report a missing or bad value).
template <class Val, class Num>
bool parse_trace_arg(const std::string& k, Val val, Num num, TraceOptions& t, bool steps) {
  if (k == "--trace") t.path = val();
  else if (k == "--trace-start") t.start = num();
  else if (k == "--trace-cycles") t.cycles = num();
  else if (steps && k == "--trace-step") t.step = num();
  else return false;
  if (k != "--trace") t.window_given = true;
  return true;
}

// The options together: "" when they make sense, else what is wrong.
inline std::string trace_args_problem(const TraceOptions& t) {
  if (t.window_given && !t.on()) return "--trace-start, --trace-cycles and --trace-step need --trace FILE.fst";
  if (t.on() && t.cycles == 0) return "--trace-cycles 0: give at least one cycle";
  if (t.step && t.start != 0) return "--trace-step and --trace-start both say where the window starts: give one";
  return "";
}

// The trace options' usage line and parsing, shared by tb_pe and tb_net.
constexpr const char* kTraceUsage =
    "[--trace FILE.fst [--trace-start CYCLE] [--trace-cycles N]]";
constexpr const char* kTraceHelp =
    "--trace FILE.fst writes the waveform of cycles CYCLE .. CYCLE+N-1 (default 0 and 10000; a model verilated\n"
    "with --trace-fst only: `taxonn sim --trace` builds one); 10 ns per cycle, inputs change at the falling edge\n";

class Tracer {
 public:
  Tracer() = default;  // no trace
  // Refuses a model without tracing and an unwritable path, before any cycle runs.
  Tracer(Traceable& dut, const TraceOptions& o, const char* prog)
      : dut_(&dut), o_(o), first_(o.step ? kNever : o.start) {
    if (!dut.can_trace())
      throw UsageError(fmt::format("--trace {}: {} was built without waveform support; `taxonn sim --config CFG "
                                   "--trace {}` builds a traced testbench of the config and runs it",
                                   o.path, prog, o.path));
    check_writable(o.path, "--trace");
    std::error_code ec;
    if (const auto dir = std::filesystem::path(o.path).parent_path(); !dir.empty())
      std::filesystem::create_directories(dir, ec);
    tmp_ = fmt::format("{}.tmp-{}", o.path, ::getpid());
    if (!dut.trace_open(tmp_)) throw UsageError(fmt::format("--trace {}: cannot create the file", o.path));
    open_ = true;
  }
  Tracer(const Tracer&) = delete;
  Tracer& operator=(const Tracer&) = delete;
  // A run cut short by an error leaves no partial file.
  ~Tracer() {
    if (open_) {
      dut_->trace_close();
      std::error_code ec;
      std::filesystem::remove(tmp_, ec);
    }
  }

  bool in_window(std::uint64_t cycle) const { return open_ && cycle >= first_ && cycle - first_ < o_.cycles; }
  // tb_net --trace-step: the window opens at this cycle.
  void start_at(std::uint64_t cycle) {
    if (first_ == kNever) first_ = cycle;
  }
  void before_edge(std::uint64_t cycle) {
    if (in_window(cycle)) dump(10 * cycle + 5);
  }
  void after_edge(std::uint64_t cycle) {
    if (in_window(cycle)) dump(10 * cycle + 10);
  }

  // Publishes the file; the line saying what it holds. A window the run
  // never reached is an error (the options asked for what is not there).
  std::string finish(std::uint64_t run_cycles) {
    if (!open_) return "";
    dut_->trace_close();
    open_ = false;
    std::error_code ec;
    if (dumps_ == 0) {
      std::filesystem::remove(tmp_, ec);
      throw UsageError(first_ == kNever
                           ? fmt::format("--trace-step {}: the run has fewer steps; no trace written", *o_.step)
                           : fmt::format("--trace-start {}: the run has only {} cycles; no trace written", first_,
                                         run_cycles));
    }
    std::filesystem::rename(tmp_, o_.path);
    const std::uint64_t last = (o_.cycles > run_cycles - first_ ? run_cycles : first_ + o_.cycles) - 1;
    return fmt::format("trace: cycles {}..{} of {} ({} ns to {} ns) written to {} ({:.1f} MB)", first_, last, run_cycles,
                       10 * first_ + 5, 10 * last + 10, o_.path,
                       static_cast<double>(std::filesystem::file_size(o_.path)) / 1e6);
  }

 private:
  static constexpr std::uint64_t kNever = ~std::uint64_t{0};
  void dump(std::uint64_t t) {
    dut_->trace_dump(t);
    ++dumps_;
  }
  Traceable* dut_ = nullptr;
  TraceOptions o_;
  std::uint64_t first_ = 0;
  std::string tmp_;
  bool open_ = false;
  std::uint64_t dumps_ = 0;
};

}  // namespace taxonn::tb
