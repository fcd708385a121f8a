// `taxonn cycles`: the cycle table of docs/cycles.md (CONTRACT 4). It reads
// the JSON that tb_net writes (the counters the RTL reported per phase, the
// cycle model, the layer sizes) and puts each network's measured cycles
// beside the paper's formulas: FC forward N_{i-1} + N_i per layer, one
// back-propagation N_n + sum_i N_i. Markdown and CSV.
#pragma once

#include <string>
#include <vector>

namespace taxonn {

void write_cycle_report(const std::vector<std::string>& measured_json, const std::string& out_dir);

}  // namespace taxonn
