// How a batch of independent jobs runs (docs/cluster.md): one interface,
// two backends. `local` (the default) runs the jobs as processes on this
// machine, `jobs` at a time; `slurm` submits them as sbatch job arrays and
// tracks them with squeue/scontrol. Every batch of the project goes through
// it: `experiment` runs, `synth --sweep` widths, `synth --network` units.
//
// A job is a JSON description of one piece of work ({"kind": ...}) that the
// `taxonn job FILE` subcommand runs; the executor writes it to the work
// folder under its content key (the description, the input files it names
// and the taxonn executable), and the job writes its result there, so that
// - a job whose result exists is never run again (a killed driver resumes,
//   a rerun reuses), and a changed input or executable is a new key;
// - both backends run the very same command, so their results are identical.
// A job that reports an error of its own (bad input: a `.error` file) is not
// retried; one that died (killed, out of memory, a node failure) is, up to
// `retries` more times.
#pragma once

#include <chrono>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace taxonn::batch {

namespace fs = std::filesystem;

struct Job {
  std::string name;        // for progress lines and errors, e.g. "table1 / fixed seed 2"
  nlohmann::json spec;     // {"kind": ..., ...}: what `taxonn job` runs
  std::vector<fs::path> inputs;  // files the result depends on (their content is in the key)
};

struct Outcome {
  bool ok = false;
  bool reused = false;     // the result was there before this batch
  bool stopped = false;    // not finished because the driver was interrupted
  int attempts = 0;        // runs in this batch (0 when reused)
  std::string error;       // when !ok: the job's own message, or how it died
  bool reported = false;   // the job reported the error itself (bad input): not retried
  nlohmann::json result;   // when ok
  std::string host;        // where it ran (its last attempt)
  double seconds = 0;      // its last attempt's wall time
};

struct Options {
  std::string backend = "local";  // local | slurm
  int jobs = 2;                   // local: processes at a time; slurm: array throttle (0: no limit)
  fs::path work;                  // jobs, results, logs, job scripts (shared with the nodes for slurm)
  int retries = 1;                // more attempts for a job that died
  // slurm: per-job resources and where to run (empty: the cluster's default).
  std::string partition, account, time_limit = "4:00:00", mem = "4G";
  int cpus = 1;
  double poll_seconds = 2.0;      // how often squeue is asked
  std::string job_name = "taxonn";
  bool list_reused = true;        // a line per reused job (a search that reuses hundreds says only how many)
};

class Executor {
 public:
  virtual ~Executor() = default;
  // Runs every job whose result is not in the work folder, with a progress
  // line per finished job (`describe(i, o)` says what a job's result is).
  // Returns when all are done or failed, or after a stop signal (the rest:
  // `stopped`).
  std::vector<Outcome> run(const std::vector<Job>& jobs,
                           const std::function<std::string(std::size_t, const Outcome&)>& describe = {});
  const Options& options() const { return opt_; }

 protected:
  explicit Executor(Options o) : opt_(std::move(o)) {}
  struct Pending {
    std::size_t index;  // into the batch
    std::string key, name;
    int attempts = 0;
  };
  // Run the pending jobs (their job files written) with `exe job FILE`,
  // retrying as should_retry() says, and call finish() once for each that
  // ends; on a stop signal stop (and cancel) the rest and return.
  virtual void execute(const std::string& exe, std::vector<Pending>& pending,
                       const std::function<void(Pending&, Outcome)>& finish) = 0;
  Options opt_;
};

// The backend the options name, checked before any work: an unknown backend,
// a work folder that cannot be written, sbatch missing, a partition or
// account Slurm rejects are one-line errors (UsageError).
std::unique_ptr<Executor> make_executor(const Options& o);

// The work folder's layout (both backends and the job runner agree on it).
fs::path job_file(const fs::path& work, const std::string& key);     // jobs/<key>.json
fs::path result_file(const fs::path& work, const std::string& key);  // results/<key>.json
fs::path error_file(const fs::path& work, const std::string& key);   // results/<key>.error
fs::path log_file(const fs::path& work, const std::string& key, int attempt);  // logs/<key>.<attempt>.log

// `taxonn job FILE`: run one job file with `runner` (kind -> result), write
// its result (or its error) atomically beside it; the exit code says which
// (0 done, 3 the job's own error, other: died). `starts.log` in the work
// folder gets a line per start (host, pid), so a test can count attempts.
int run_job_file(const fs::path& file,
                 const std::function<nlohmann::json(const nlohmann::json& spec, const std::string& name)>& runner);

// The head of a finished job's progress line: "[k/n done, t s, ETA s]"
// (the ETA from the jobs run so far in this batch, not the reused ones).
class Progress {
 public:
  Progress(std::size_t n, std::size_t reused);
  std::string line();

 private:
  std::size_t n_, done_ = 0, reused_ = 0;
  std::chrono::steady_clock::time_point t0_;
};

// The executable a job runs: the running taxonn (/proc/self/exe).
std::string self_executable();

}  // namespace taxonn::batch
