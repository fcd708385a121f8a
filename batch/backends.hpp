// The executor's backends and the helpers they share (internal to batch/).
#pragma once

#include <memory>
#include <string>

#include "executor.hpp"

namespace taxonn::batch {

std::unique_ptr<Executor> make_local(const Options& o);
std::unique_ptr<Executor> make_slurm(const Options& o);

// A job's outcome from its files: its result, or its own error, or else
// `how_it_ended` (killed, exit code, Slurm state).
Outcome collect(const fs::path& work, const std::string& key, const std::string& how_it_ended);
// Whether a job that ended so after `attempts` runs gets another.
bool should_retry(const Options& opt, const Outcome& o, int attempts);
std::string host_name();

}  // namespace taxonn::batch
