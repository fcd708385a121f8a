// `taxonn experiment`: a sweep of training runs from a spec file (e.g.
// configs/experiments/table1.json, the paper's Table I and Fig. 5), run as batch jobs (locally or on Slurm)
// with progress, written as results.json, results.csv, table.md, curves.csv
// and, with gnuplot, one loss-curve SVG per study.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "executor.hpp"

namespace taxonn {

struct ExperimentOptions {
  std::string spec;
  std::string out_dir;
  batch::Options batch;        // how the runs go (executor.hpp); work defaults to <out_dir>/.batch
  int epochs = 0;              // > 0: override the spec's
  std::size_t train_limit = 0;  // > 0: a quick run on a subset
  std::size_t test_limit = 0;
  bool skip_missing = false;   // run the studies whose data is here; without it a missing dataset is an error
  std::vector<std::uint64_t> seeds;  // non-empty: override the spec's "seeds"
};

// Returns the number of runs that failed (0: all done).
int run_experiment(const ExperimentOptions& o);

}  // namespace taxonn
