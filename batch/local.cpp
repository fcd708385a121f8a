// The local backend (executor.hpp): each job a `taxonn job FILE` process on
// this machine, `jobs` at a time. A job's stdout goes to its log; its stderr
// stays the driver's, so a training job's per-epoch lines show as before.
// The children die with the driver (PR_SET_PDEATHSIG), so a killed driver
// leaves nothing running and a rerun resumes from the finished results.
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <fcntl.h>
#include <unistd.h>

#include <chrono>
#include <deque>
#include <map>
#include <thread>

#include <fmt/format.h>

#include "backends.hpp"
#include "io_util.hpp"

namespace taxonn::batch {

namespace {

class LocalExecutor : public Executor {
 public:
  explicit LocalExecutor(Options o) : Executor(std::move(o)) {}

 private:
  struct Running {
    Pending* p;
    std::chrono::steady_clock::time_point t0;
  };

  pid_t launch(const std::string& exe, Pending& p) {
    const std::string file = job_file(opt_.work, p.key).string();
    const std::string log = log_file(opt_.work, p.key, p.attempts).string();
    const pid_t parent = ::getpid();
    const pid_t pid = ::fork();
    if (pid < 0) throw std::runtime_error(fmt::format("cannot start a job process: fork failed ({})", errno));
    if (pid == 0) {
      ::prctl(PR_SET_PDEATHSIG, SIGTERM);
      if (::getppid() != parent) ::_exit(127);  // the driver died between fork and prctl
      const int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      if (fd >= 0) {
        ::dup2(fd, STDOUT_FILENO);
        ::close(fd);
      }
      ::signal(SIGINT, SIG_DFL);
      ::signal(SIGTERM, SIG_DFL);
      ::execl(exe.c_str(), exe.c_str(), "job", file.c_str(), static_cast<char*>(nullptr));
      ::_exit(127);
    }
    return pid;
  }

  void execute(const std::string& exe, std::vector<Pending>& pending,
               const std::function<void(Pending&, Outcome)>& finish) override {
    std::deque<Pending*> queue;
    for (auto& p : pending) queue.push_back(&p);
    std::map<pid_t, Running> running;
    bool stopping = false;
    while (!queue.empty() || !running.empty()) {
      if (stop_signal().load() && !stopping) {
        // Ctrl-C reached the children too (one process group); a SIGTERM to
        // the driver alone must stop them as well.
        stopping = true;
        for (auto& [pid, r] : running) ::kill(pid, SIGTERM);
      }
      while (!stopping && !queue.empty() && static_cast<int>(running.size()) < opt_.jobs) {
        Pending* p = queue.front();
        queue.pop_front();
        ++p->attempts;
        running[launch(exe, *p)] = {p, std::chrono::steady_clock::now()};
      }
      if (running.empty()) break;
      int status = 0;
      const pid_t pid = ::waitpid(-1, &status, WNOHANG);
      if (pid <= 0) {
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
        continue;
      }
      auto it = running.find(pid);
      if (it == running.end()) continue;  // not one of ours
      Pending* p = it->second.p;
      running.erase(it);
      const std::string how =
          WIFSIGNALED(status)
              ? fmt::format("its process was killed by signal {} (log: {})", WTERMSIG(status),
                            log_file(opt_.work, p->key, p->attempts).string())
              : fmt::format("its process exited with code {} without a result (log: {})", WEXITSTATUS(status),
                            log_file(opt_.work, p->key, p->attempts).string());
      Outcome o = collect(opt_.work, p->key, how);
      if ((stopping || stop_signal().load()) && !o.ok) continue;  // stopped, not failed
      if (should_retry(opt_, o, p->attempts)) {
        fmt::print(stderr, "batch: {}: {}; running it again (attempt {} of {})\n", p->name, o.error, p->attempts + 1,
                   opt_.retries + 1);
        queue.push_front(p);
        continue;
      }
      finish(*p, o);
    }
  }
};

}  // namespace

std::unique_ptr<Executor> make_local(const Options& o) { return std::make_unique<LocalExecutor>(o); }

}  // namespace taxonn::batch
