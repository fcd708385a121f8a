// The executor's common part (executor.hpp): job keys and files, reuse of
// finished results, progress, the backend choice and its checks, and the
// job runner behind `taxonn job`.
#include "executor.hpp"

#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <map>
#include <mutex>

#include <fcntl.h>
#include <fmt/format.h>

#include "backends.hpp"
#include "config.hpp"
#include "content_key.hpp"
#include "io_util.hpp"

namespace taxonn::batch {

using nlohmann::json;

fs::path job_file(const fs::path& work, const std::string& key) { return work / "jobs" / (key + ".json"); }
fs::path result_file(const fs::path& work, const std::string& key) { return work / "results" / (key + ".json"); }
fs::path error_file(const fs::path& work, const std::string& key) { return work / "results" / (key + ".error"); }
fs::path log_file(const fs::path& work, const std::string& key, int attempt) {
  return work / "logs" / fmt::format("{}.{}.log", key, attempt);
}

std::string self_executable() {
  std::error_code ec;
  const fs::path p = fs::read_symlink("/proc/self/exe", ec);
  if (ec) throw std::runtime_error("cannot find the running taxonn executable (/proc/self/exe): " + ec.message());
  return p.string();
}

std::string host_name() {
  char h[256] = {0};
  if (::gethostname(h, sizeof h - 1) != 0) return "?";
  return h;
}

namespace {

// The executable's content hash, once per path (a rebuilt taxonn is a new key).
std::string executable_key(const std::string& exe) {
  static std::mutex mu;
  static std::map<std::string, std::string> keys;
  std::lock_guard<std::mutex> lock(mu);
  auto it = keys.find(exe);
  if (it != keys.end()) return it->second;
  ContentKey k;
  k.add_file(exe);
  return keys[exe] = k.hex();
}

std::string job_key(const Job& j, const std::string& exe_key) {
  ContentKey k;
  k.add("taxonn batch job v1").add(exe_key).add(j.spec.dump());
  for (const auto& f : j.inputs) k.add_file(f);
  return k.hex();
}

}  // namespace

Outcome collect(const fs::path& work, const std::string& key, const std::string& how_it_ended) {
  Outcome o;
  const fs::path res = result_file(work, key), err = error_file(work, key);
  std::error_code ec;
  if (fs::exists(res, ec)) {
    try {
      const json j = json::parse(read_text(res));
      o.ok = true;
      o.result = j.at("result");
      o.host = j.value("host", "");
      o.seconds = j.value("seconds", 0.0);
      return o;
    } catch (const std::exception& e) {
      o.error = fmt::format("its result {} is not readable ({}); delete it to rerun the job", res.string(), e.what());
      o.reported = true;
      return o;
    }
  }
  if (fs::exists(err, ec)) {
    o.error = read_text(err);
    while (!o.error.empty() && (o.error.back() == '\n' || o.error.back() == '\r')) o.error.pop_back();
    o.reported = true;
    return o;
  }
  o.error = how_it_ended;
  return o;
}

bool should_retry(const Options& opt, const Outcome& o, int attempts) {
  return !o.ok && !o.reported && attempts <= opt.retries && !stop_signal().load();
}

std::vector<Outcome> Executor::run(const std::vector<Job>& jobs,
                                   const std::function<std::string(std::size_t, const Outcome&)>& describe) {
  const fs::path work = opt_.work;
  for (const char* d : {"jobs", "results", "logs"}) fs::create_directories(work / d);
  const std::string exe = self_executable();
  const std::string exe_key = executable_key(exe);
  std::vector<Outcome> out(jobs.size());
  std::vector<bool> finished(jobs.size(), false);
  std::vector<Pending> pending;
  std::size_t reused = 0;
  std::map<std::string, std::size_t> first_with;  // key -> its first job: a job twice in a batch runs once
  std::vector<std::pair<std::size_t, std::size_t>> same;  // (job, the earlier job it equals)
  for (std::size_t i = 0; i < jobs.size(); ++i) {
    const std::string key = job_key(jobs[i], exe_key);
    if (const auto [it, fresh] = first_with.emplace(key, i); !fresh) {
      same.push_back({i, it->second});
      continue;
    }
    if (fs::exists(result_file(work, key))) {
      Outcome o = collect(work, key, "");
      if (o.ok) {
        o.reused = true;
        out[i] = o;
        finished[i] = true;
        ++reused;
        continue;
      }
    }
    std::error_code ec;
    fs::remove(error_file(work, key), ec);  // an old error is rerun: its cause may be outside the key (a dataset)
    const json file = {{"key", key}, {"name", jobs[i].name}, {"spec", jobs[i].spec}, {"executable", exe}};
    write_atomic(job_file(work, key), file.dump(2) + "\n");
    pending.push_back({i, key, jobs[i].name, 0});
  }
  Progress progress(jobs.size() - same.size(), reused);
  fmt::print(stderr, "batch ({} backend, work {}): {} jobs, {} reused from earlier runs, {} the same as another, {} to "
             "run\n", opt_.backend, work.string(), jobs.size(), reused, same.size(), pending.size());
  for (std::size_t i = 0; i < jobs.size() && opt_.list_reused; ++i)
    if (finished[i]) fmt::print(stderr, "  reused: {}: {}\n", jobs[i].name, describe ? describe(i, out[i]) : "done");
  if (!pending.empty())
    execute(exe, pending, [&](Pending& p, Outcome o) {
      o.attempts = p.attempts;
      out[p.index] = o;
      finished[p.index] = true;
      const std::string what =
          o.ok ? (describe ? describe(p.index, o) : "done")
               : "FAILED" + (p.attempts > 1 ? fmt::format(" after {} attempts", p.attempts) : std::string{}) + ": " +
                     o.error;
      fmt::print(stderr, "{} {}: {}{}\n", progress.line(), jobs[p.index].name, what,
                 o.ok && !o.host.empty() ? fmt::format(" ({}, {:.0f} s{})", o.host, o.seconds,
                                                       p.attempts > 1 ? fmt::format(", attempt {}", p.attempts) : "")
                                         : "");
    });
  for (const auto& [i, earlier] : same) {
    out[i] = out[earlier];
    finished[i] = finished[earlier];
  }
  for (std::size_t i = 0; i < jobs.size(); ++i)
    if (!finished[i]) {
      out[i].stopped = true;
      out[i].error = "not finished: the batch was interrupted";
    }
  return out;
}

Progress::Progress(std::size_t n, std::size_t reused)
    : n_(n), done_(reused), reused_(reused), t0_(std::chrono::steady_clock::now()) {}

std::string Progress::line() {
  ++done_;
  const double el = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0_).count();
  const std::size_t ran = done_ - reused_;
  const double eta = ran ? el / static_cast<double>(ran) * static_cast<double>(n_ - done_) : 0;
  return fmt::format("[{}/{} done, {:.0f} s{}]", done_, n_, el,
                     done_ < n_ ? fmt::format(", ETA {:.0f} s", eta) : std::string{});
}

std::unique_ptr<Executor> make_executor(const Options& o) {
  if (o.backend != "local" && o.backend != "slurm")
    throw UsageError(fmt::format("--backend '{}': unknown backend; use local or slurm", o.backend));
  if (o.work.empty()) throw UsageError("--batch-work: give the batch's work folder");
  if (o.retries < 0) throw UsageError(fmt::format("--retries {}: give 0 or more", o.retries));
  if (o.jobs < 0) throw UsageError(fmt::format("--jobs {}: give 1 or more (slurm: 0 for no limit)", o.jobs));
  if (o.backend == "local" && o.jobs < 1) throw UsageError(fmt::format("--jobs {}: give 1 or more", o.jobs));
  check_writable(o.work, "--batch-work", true);
  if (o.backend == "local") return make_local(o);
  return make_slurm(o);
}

int run_job_file(const fs::path& file, const std::function<json(const json& spec, const std::string& name)>& runner) {
  json job;
  try {
    job = json::parse(read_text(file));
    (void)job.at("key").get<std::string>();
    (void)job.at("spec").at("kind").get<std::string>();
  } catch (const std::exception& e) {
    throw UsageError(fmt::format("{}: not a taxonn job file ({}); the executor writes them, see docs/cluster.md",
                                 file.string(), json_reason(e)));
  }
  const fs::path work = fs::absolute(file).parent_path().parent_path();
  const std::string key = job.at("key"), name = job.value("name", key);
  {
    // One line per start, appended whole (O_APPEND), for counting attempts.
    const std::string line = fmt::format("{} {} {} {}\n", key, host_name(), ::getpid(), name);
    const int fd = ::open((work / "starts.log").c_str(), O_WRONLY | O_APPEND | O_CREAT, 0644);
    if (fd >= 0) {
      [[maybe_unused]] const auto n = ::write(fd, line.data(), line.size());
      ::close(fd);
    }
  }
  const auto t0 = std::chrono::steady_clock::now();
  try {
    json result = runner(job.at("spec"), name);
    const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    const json out = {{"name", name}, {"host", host_name()}, {"seconds", s}, {"result", std::move(result)}};
    write_atomic(result_file(work, key), out.dump(1) + "\n");
    return 0;
  } catch (const Interrupted& e) {
    fmt::print(stderr, "taxonn job: {}: interrupted ({})\n", name, e.what());
    return 128 + e.signal();
  } catch (const std::exception& e) {
    write_atomic(error_file(work, key), std::string(e.what()) + "\n");
    fmt::print(stderr, "taxonn job: {}: {}\n", name, e.what());
    return 3;
  }
}

}  // namespace taxonn::batch
