// run_command (golden_model/core/subprocess.hpp): the lines of a tool's
// output, its status, and that a process which inherited the pipe but left
// the tool's group cannot keep the caller waiting.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>

#include <chrono>
#include <string>
#include <vector>

#include "subprocess.hpp"

namespace taxonn {
namespace {

TEST(RunCommand, LinesInOrderAndStatus) {
  std::vector<std::string> lines;
  const int status = run_command("printf 'a\\nb\\n'; printf c >&2; exit 3", [&](const std::string& l) { lines.push_back(l); });
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 3);
  EXPECT_EQ(lines, (std::vector<std::string>{"a", "b", "c"}));
}

TEST(RunCommand, ReturnsWhenAnEscapedProcessHoldsThePipe) {
  // setsid puts the sleep in a session (and group) of its own: it keeps the
  // pipe's write end open long after the shell and its group are gone.
  std::vector<std::string> lines;
  const auto t0 = std::chrono::steady_clock::now();
  const int status = run_command("setsid sleep 300 & echo $!; echo done", [&](const std::string& l) { lines.push_back(l); });
  const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  ASSERT_EQ(lines.size(), 2u);
  ::kill(static_cast<pid_t>(std::stol(lines[0])), SIGKILL);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0);
  EXPECT_EQ(lines[1], "done");
  EXPECT_LT(s, 60.0) << "run_command waited for a process outside the command's group";
}

}  // namespace
}  // namespace taxonn
