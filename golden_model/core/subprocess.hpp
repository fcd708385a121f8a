// Running an external tool (Yosys, OpenSTA, Verilator, make) so that it
// never outlives the taxonn process that started it: the command runs under
// /bin/sh in a process group of its own, and the whole group (the tool and
// what it starts, e.g. Yosys's ABC) is killed when this process is asked to
// stop (stop_signal(): a SIGINT or SIGTERM caught by install_stop_on_signal)
// or dies (the shell gets SIGTERM then: PR_SET_PDEATHSIG).
#pragma once

#include <functional>
#include <string>

namespace taxonn {

// Run `cmd` with /bin/sh -c and wait for it; its wait status, as
// std::system gives (-1 when it could not be started). A stop request kills
// the group (SIGTERM, SIGKILL after 5 s) and returns once it has exited;
// the caller checks stop_signal() and reports the stop, not a failure.
// With `on_line`, the command's stdout and stderr come through a pipe, one
// call per line (without its newline; a last line without one too).
int run_command(const std::string& cmd, const std::function<void(const std::string&)>& on_line = {});

}  // namespace taxonn
