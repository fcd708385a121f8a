// run_command (subprocess.hpp).
#include "subprocess.hpp"

#include <fcntl.h>
#include <poll.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <csignal>
#include <thread>

#include "io_util.hpp"

namespace taxonn {

namespace {

// The lines of a child's output as they arrive: whole lines to on_line, the
// rest kept until its newline (or the end).
class LineReader {
 public:
  LineReader(int fd, const std::function<void(const std::string&)>& on_line) : fd_(fd), on_line_(on_line) {}
  ~LineReader() {
    if (fd_ >= 0) ::close(fd_);
  }
  LineReader(const LineReader&) = delete;
  LineReader& operator=(const LineReader&) = delete;
  enum class Pumped { kEnd, kNothing, kData };
  // Read what is there, waiting up to `ms`.
  Pumped pump(int ms) {
    if (fd_ < 0) return Pumped::kEnd;
    pollfd p{fd_, POLLIN, 0};
    if (::poll(&p, 1, ms) <= 0) return Pumped::kNothing;
    char buf[4096];
    const ssize_t n = ::read(fd_, buf, sizeof buf);
    if (n < 0 && errno == EINTR) return Pumped::kNothing;
    if (n <= 0) {
      if (!rest_.empty()) on_line_(rest_);
      rest_.clear();
      ::close(fd_);
      fd_ = -1;
      return Pumped::kEnd;
    }
    rest_.append(buf, static_cast<std::size_t>(n));
    for (std::size_t nl; (nl = rest_.find('\n')) != std::string::npos; rest_.erase(0, nl + 1))
      on_line_(rest_.substr(0, nl));
    return Pumped::kData;
  }
  // After the shell exits: what its group left in the pipe. Ends at the end of
  // the output, on a stop, or once the group is gone and the pipe is quiet:
  // a process outside the group that inherited the pipe must not hold us.
  void drain(pid_t group) {
    for (;;) {
      const Pumped r = pump(20);
      if (r == Pumped::kEnd) return;
      if (stop_signal().load()) {
        ::kill(-group, SIGKILL);
        return;
      }
      if (r == Pumped::kNothing && ::kill(-group, 0) != 0 && errno == ESRCH) return;
    }
  }

 private:
  int fd_;
  const std::function<void(const std::string&)>& on_line_;
  std::string rest_;
};

}  // namespace

int run_command(const std::string& cmd, const std::function<void(const std::string&)>& on_line) {
  int out[2] = {-1, -1};
  // Close-on-exec: no other child started meanwhile keeps the pipe open (dup2 clears it on 1 and 2).
  if (on_line && ::pipe2(out, O_CLOEXEC) != 0) return -1;
  const pid_t parent = ::getpid();
  const pid_t pid = ::fork();
  if (pid < 0) return -1;
  if (pid == 0) {
    // Only async-signal-safe calls between fork and exec (threads may run).
    ::setpgid(0, 0);
    ::prctl(PR_SET_PDEATHSIG, SIGTERM);
    if (::getppid() != parent) ::_exit(127);  // the parent died before prctl
    ::signal(SIGINT, SIG_DFL);
    ::signal(SIGTERM, SIG_DFL);
    if (on_line) {
      ::dup2(out[1], 1);
      ::dup2(out[1], 2);
      ::close(out[0]);
      ::close(out[1]);
    }
    ::execl("/bin/sh", "sh", "-c", cmd.c_str(), static_cast<char*>(nullptr));
    ::_exit(127);
  }
  ::setpgid(pid, pid);  // also here: the group exists before any kill below
  if (on_line) ::close(out[1]);
  LineReader lines(out[0], on_line);
  using Clock = std::chrono::steady_clock;
  Clock::time_point killed{};
  bool term_sent = false, kill_sent = false;
  for (;;) {
    int status = 0;
    const pid_t r = ::waitpid(pid, &status, WNOHANG);
    if (r == pid) {
      // The shell is gone; its group may not be (a tool it started).
      if (term_sent) ::kill(-pid, SIGKILL);
      if (!term_sent) lines.drain(pid);
      return status;
    }
    if (r < 0 && errno != EINTR) return -1;
    if (stop_signal().load() && !term_sent) {
      ::kill(-pid, SIGTERM);
      term_sent = true;
      killed = Clock::now();
    }
    if (term_sent && !kill_sent && Clock::now() - killed > std::chrono::seconds(5)) {
      ::kill(-pid, SIGKILL);
      kill_sent = true;
    }
    if (lines.pump(20) == LineReader::Pumped::kEnd) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

}  // namespace taxonn
