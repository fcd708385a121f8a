// `taxonn accel-table`: the whole-accelerator results of several configs
// (`taxonn synth --network --json`) as one Markdown table, and where each
// network's area goes, unit by unit (docs/accel/summary.md, cited by
// docs/results.md).
#pragma once

#include <string>
#include <vector>

namespace taxonn {

void write_accel_table(const std::vector<std::string>& json_files, const std::string& out_md);

}  // namespace taxonn
