// The Slurm backend (executor.hpp; docs/cluster.md): the pending jobs go
// out as one sbatch job array whose script (work/slurm/<set>.sh, readable,
// resubmittable by hand with `sbatch --array=...`) runs `taxonn job FILE`
// for its task; squeue and scontrol track them; the results come back
// through the work folder, which the cluster's nodes must share with the
// driver. A task that died is resubmitted (same script, its task number) up
// to `retries` times; Ctrl-C cancels this batch's jobs (scancel); a driver
// that was killed finds its still-queued or running jobs in
// work/slurm/submitted/ and tracks them again instead of submitting twice.
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <map>
#include <set>
#include <sstream>
#include <thread>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <nlohmann/json.hpp>

#include "backends.hpp"
#include "content_key.hpp"
#include "io_util.hpp"

namespace taxonn::batch {

namespace {

using nlohmann::json;

struct CmdResult {
  int rc = -1;
  std::string out;  // stdout and stderr
};

CmdResult run_cmd(const std::string& cmd) {
  CmdResult r;
  FILE* f = ::popen((cmd + " 2>&1").c_str(), "r");
  if (!f) return r;
  char buf[4096];
  for (std::size_t n; (n = std::fread(buf, 1, sizeof buf, f)) > 0;) r.out.append(buf, n);
  const int st = ::pclose(f);
  r.rc = WIFEXITED(st) ? WEXITSTATUS(st) : 128;
  return r;
}

std::string first_line(const std::string& s) {
  std::istringstream in(s);
  std::string line;
  while (std::getline(in, line))
    if (!line.empty()) return line;
  return "(no message)";
}

// Slurm's job states that end a job (squeue's %T).
bool terminal_state(const std::string& st) {
  static const std::set<std::string> t = {"COMPLETED", "FAILED",        "CANCELLED", "TIMEOUT",  "NODE_FAIL",
                                          "PREEMPTED", "OUT_OF_MEMORY", "BOOT_FAIL", "DEADLINE", "REVOKED"};
  return t.count(st) > 0;
}

// A printable one-line name for a script comment.
std::string comment_text(std::string s) {
  for (char& c : s)
    if (c < ' ' || c == 127) c = ' ';
  return s;
}

class SlurmExecutor : public Executor {
 public:
  explicit SlurmExecutor(Options o) : Executor(std::move(o)) {}

 private:
  struct Tracked {
    Pending* p;
    std::string script;
    int task = 0;
    bool terminal_seen = false;
    std::chrono::steady_clock::time_point terminal_at;
  };

  fs::path submitted_file(const std::string& key) const { return opt_.work / "slurm" / "submitted" / (key + ".json"); }

  std::string sbatch_directives() const {
    std::string s;
    s += fmt::format("#SBATCH --job-name={}\n", opt_.job_name);
    s += fmt::format("#SBATCH --output={}\n", (opt_.work / "logs" / "slurm-%A_%a.log").string());
    s += fmt::format("#SBATCH --chdir={}\n", fs::current_path().string());
    s += fmt::format("#SBATCH --cpus-per-task={}\n", opt_.cpus);
    s += fmt::format("#SBATCH --mem={}\n", opt_.mem);
    s += fmt::format("#SBATCH --time={}\n", opt_.time_limit);
    if (!opt_.partition.empty()) s += fmt::format("#SBATCH --partition={}\n", opt_.partition);
    if (!opt_.account.empty()) s += fmt::format("#SBATCH --account={}\n", opt_.account);
    return s;
  }

  // The script of a set of jobs: task i runs the set's job i.
  std::string write_script(const std::string& exe, const std::vector<Pending*>& set) {
    ContentKey k;
    for (const Pending* p : set) k.add(p->key);
    const fs::path path = opt_.work / "slurm" / (k.hex() + ".sh");
    std::string s = "#!/bin/bash\n";
    s += fmt::format(
        "# Written by taxonn (batch/slurm.cpp): {} jobs of a batch as a Slurm job array; task i runs job i.\n"
        "# Each job writes its result into {}/results/. Resubmit some by hand with\n"
        "#   sbatch --array=0,2 {}\n",
        set.size(), opt_.work.string(), path.string());
    s += sbatch_directives();
    s += "set -u\ncase \"${SLURM_ARRAY_TASK_ID:-}\" in\n";
    for (std::size_t i = 0; i < set.size(); ++i)
      s += fmt::format("  {}) exec {} job {} ;;  # {}\n", i, shell_quote(exe),
                       shell_quote(job_file(opt_.work, set[i]->key).string()), comment_text(set[i]->name));
    s += "  *) echo \"no task '${SLURM_ARRAY_TASK_ID:-}' in this array: give --array=0-" +
         std::to_string(set.size() - 1) + "\" >&2; exit 2 ;;\nesac\n";
    write_atomic(path, s);
    fs::permissions(path, fs::perms::owner_exec | fs::perms::group_exec | fs::perms::others_exec,
                    fs::perm_options::add);
    return path.string();
  }

  // Submits tasks `tasks` of `script`; returns the array's job id.
  std::string submit(const std::string& script, const std::vector<int>& tasks) {
    std::string arr = fmt::format("{}", fmt::join(tasks, ","));
    if (opt_.jobs > 0) arr += fmt::format("%{}", opt_.jobs);
    const CmdResult r = run_cmd(fmt::format("sbatch --parsable --array={} {}", arr, shell_quote(script)));
    // --parsable prints "id" or "id;cluster"; warnings (stderr, merged) may come before it.
    std::string id;
    std::istringstream in(r.out);
    for (std::string line; std::getline(in, line);) {
      line = line.substr(0, line.find(';'));
      if (!line.empty() && line.find_first_not_of("0123456789") == std::string::npos) id = line;
    }
    if (r.rc != 0 || id.empty())
      throw std::runtime_error(fmt::format("sbatch refused the job array {}: {}", script, first_line(r.out)));
    return id;
  }

  void record(const Tracked& t, const std::string& job_id) {
    const json j = {{"job_id", job_id}, {"script", t.script}, {"task", t.task}, {"attempt", t.p->attempts}};
    write_atomic(submitted_file(t.p->key), j.dump() + "\n");
  }

  // squeue's state of every task of the arrays the given tasks ("J_i") are in.
  std::map<std::string, std::string> states(const std::map<std::string, Tracked>& tasks) {
    std::map<std::string, std::string> st;
    std::set<std::string> arrays;
    for (const auto& [id, t] : tasks) arrays.insert(id.substr(0, id.find('_')));
    if (arrays.empty()) return st;
    const CmdResult r =
        run_cmd(fmt::format("squeue -h -r -t all -o '%i|%T' -j {}", fmt::format("{}", fmt::join(arrays, ","))));
    if (r.rc != 0) {
      if (r.out.find("Invalid job id") != std::string::npos) return st;  // all gone from Slurm's memory
      throw std::runtime_error("squeue failed: " + first_line(r.out));
    }
    std::istringstream in(r.out);
    for (std::string line; std::getline(in, line);) {
      const auto bar = line.find('|');
      if (bar != std::string::npos) st[line.substr(0, bar)] = line.substr(bar + 1);
    }
    return st;
  }

  // How a task that wrote no result ended, from scontrol while Slurm remembers it.
  std::string how_ended(const std::string& id, const std::string& state) {
    std::string how = fmt::format("Slurm job {} ended {}", id, state.empty() ? "(no longer known to Slurm)" : state);
    const CmdResult r = run_cmd(fmt::format("scontrol -o show job {}", id));
    for (const char* field : {"ExitCode=", "Reason="}) {
      const auto at = r.out.find(field);
      if (r.rc == 0 && at != std::string::npos)
        how += fmt::format(", {}", r.out.substr(at, r.out.find(' ', at) - at));
    }
    const auto us = id.find('_');
    return how + fmt::format(" (log: {})",
                             (opt_.work / "logs" / fmt::format("slurm-{}_{}.log", id.substr(0, us), id.substr(us + 1)))
                                 .string());
  }

  void execute(const std::string& exe, std::vector<Pending>& pending,
               const std::function<void(Pending&, Outcome)>& finish) override {
    fs::create_directories(opt_.work / "slurm" / "submitted");
    std::map<std::string, Tracked> tracked;  // "J_i" -> its job
    // A killed driver's jobs that Slurm still runs are tracked, not resubmitted.
    std::vector<Pending*> fresh;
    std::map<std::string, Tracked> old;  // "J_i" -> its job, submitted by an earlier driver
    for (auto& p : pending) {
      const fs::path f = submitted_file(p.key);
      if (fs::exists(f)) {
        try {
          const json j = json::parse(read_text(f));
          p.attempts = j.at("attempt");
          Tracked t{&p, j.at("script"), j.at("task"), false, {}};
          const std::string id = j.at("job_id");
          old.emplace(id, t);
          continue;
        } catch (const std::exception&) {
          // unreadable: submit afresh
        }
      }
      fresh.push_back(&p);
    }
    if (!old.empty()) {
      const auto st = states(old);
      for (auto& [id, t] : old) {
        auto it = st.find(id);
        if (it != st.end() && !terminal_state(it->second)) {
          tracked.emplace(id, t);
          fmt::print(stderr, "batch: {}: Slurm job {} from an earlier driver is {}: tracking it\n", t.p->name, id,
                     it->second);
        } else {
          fresh.push_back(t.p);  // ended without a result (run() saw none): run it again
        }
      }
    }
    auto submit_set = [&](const std::vector<Pending*>& set) {
      if (set.empty()) return;
      const std::string script = write_script(exe, set);
      std::vector<int> tasks(set.size());
      for (std::size_t i = 0; i < set.size(); ++i) tasks[i] = static_cast<int>(i);
      const std::string id = submit(script, tasks);
      for (std::size_t i = 0; i < set.size(); ++i) {
        ++set[i]->attempts;
        Tracked t{set[i], script, static_cast<int>(i), false, {}};
        const std::string tid = fmt::format("{}_{}", id, i);
        record(t, tid);
        tracked.emplace(tid, t);
      }
      fmt::print(stderr, "batch: submitted {} jobs as Slurm array {} ({})\n", set.size(), id, script);
    };
    try {
      submit_set(fresh);
    } catch (...) {
      cancel(tracked);
      throw;
    }
    while (!tracked.empty()) {
      if (stop_signal().load()) {
        cancel(tracked);
        return;
      }
      std::this_thread::sleep_for(std::chrono::duration<double>(opt_.poll_seconds));
      const auto st = states(tracked);
      std::map<std::string, std::vector<Tracked>> again;  // script -> tasks to resubmit
      for (auto it = tracked.begin(); it != tracked.end();) {
        const auto s = st.find(it->first);
        const std::string state = s == st.end() ? "" : s->second;
        if (!state.empty() && !terminal_state(state)) {
          ++it;
          continue;
        }
        Tracked& t = it->second;
        Outcome o = collect(opt_.work, t.p->key, "");
        if (!o.ok && !o.reported && state == "COMPLETED") {
          // A shared filesystem may show the result a little after the job ends.
          const auto now = std::chrono::steady_clock::now();
          if (!t.terminal_seen) t.terminal_seen = true, t.terminal_at = now;
          if (now - t.terminal_at < std::chrono::seconds(60)) {
            ++it;
            continue;
          }
        }
        if (!o.ok && !o.reported) o.error = how_ended(it->first, state);
        if (should_retry(opt_, o, t.p->attempts)) {
          fmt::print(stderr, "batch: {}: {}; submitting it again (attempt {} of {})\n", t.p->name, o.error,
                     t.p->attempts + 1, opt_.retries + 1);
          again[t.script].push_back(t);
        } else {
          std::error_code ec;
          fs::remove(submitted_file(t.p->key), ec);
          finish(*t.p, o);
        }
        it = tracked.erase(it);
      }
      try {
        for (auto& [script, ts] : again) {
          std::vector<int> tasks;
          for (const auto& t : ts) tasks.push_back(t.task);
          const std::string id = submit(script, tasks);
          for (auto& t : ts) {
            ++t.p->attempts;
            t.terminal_seen = false;
            const std::string tid = fmt::format("{}_{}", id, t.task);
            record(t, tid);
            tracked.emplace(tid, t);
          }
        }
      } catch (...) {
        cancel(tracked);
        throw;
      }
    }
  }

  void cancel(std::map<std::string, Tracked>& tracked) {
    if (tracked.empty()) return;
    std::vector<std::string> ids;
    for (const auto& [id, t] : tracked) ids.push_back(id);
    const CmdResult r = run_cmd(fmt::format("scancel {}", fmt::join(ids, " ")));
    fmt::print(stderr, "batch: cancelled this batch's {} unfinished Slurm jobs{}\n", ids.size(),
               r.rc == 0 ? "" : " (scancel: " + first_line(r.out) + ")");
    for (const auto& [id, t] : tracked) {
      std::error_code ec;
      fs::remove(submitted_file(t.p->key), ec);
    }
    tracked.clear();
  }
};

}  // namespace

std::unique_ptr<Executor> make_slurm(const Options& o) {
  for (const char* tool : {"sbatch", "squeue", "scontrol", "scancel"})
    if (run_cmd(fmt::format("command -v {}", tool)).rc != 0)
      throw UsageError(fmt::format("--backend slurm: {} is not on PATH; load the cluster's Slurm module (or install "
                                   "slurm-client) first",
                                   tool));
  if (o.cpus < 1) throw UsageError(fmt::format("--slurm-cpus {}: give 1 or more", o.cpus));
  if (!(o.poll_seconds > 0 && o.poll_seconds <= 3600))
    throw UsageError(fmt::format("--slurm-poll {}: give a number of seconds in (0, 3600]", o.poll_seconds));
  // Slurm judges partition, account, time and memory: ask it before any work.
  std::string test = fmt::format("sbatch --test-only --job-name={} --cpus-per-task={} --mem={} --time={}",
                                 shell_quote(o.job_name), o.cpus, shell_quote(o.mem), shell_quote(o.time_limit));
  if (!o.partition.empty()) test += " --partition=" + shell_quote(o.partition);
  if (!o.account.empty()) test += " --account=" + shell_quote(o.account);
  const CmdResult r = run_cmd(test + " --wrap true");
  if (r.rc != 0) {
    std::string why = first_line(r.out);
    if (why.rfind("sbatch: error: ", 0) == 0) why = why.substr(15);
    throw UsageError(fmt::format("--backend slurm: Slurm rejects this batch's jobs (partition '{}', account '{}', "
                                 "--slurm-time {}, --slurm-mem {}, --slurm-cpus {}): {}; fix that option",
                                 o.partition, o.account, o.time_limit, o.mem, o.cpus, why));
  }
  return std::make_unique<SlurmExecutor>(o);
}

}  // namespace taxonn::batch
