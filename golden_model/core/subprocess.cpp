// run_command (subprocess.hpp).
#include "subprocess.hpp"

#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <csignal>
#include <thread>

#include "io_util.hpp"

namespace taxonn {

int run_command(const std::string& cmd) {
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
    ::execl("/bin/sh", "sh", "-c", cmd.c_str(), static_cast<char*>(nullptr));
    ::_exit(127);
  }
  ::setpgid(pid, pid);  // also here: the group exists before any kill below
  using Clock = std::chrono::steady_clock;
  Clock::time_point killed{};
  bool term_sent = false, kill_sent = false;
  for (;;) {
    int status = 0;
    const pid_t r = ::waitpid(pid, &status, WNOHANG);
    if (r == pid) {
      // The shell is gone; its group may not be (a tool it started).
      if (term_sent) ::kill(-pid, SIGKILL);
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
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

}  // namespace taxonn
