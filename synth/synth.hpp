// `taxonn synth`: Yosys area of the baseline PE and the TaxoNN PE of one layer
// (CONTRACT 5; paper Table II). With a liberty the PEs are mapped to its cells
// and the area is in um^2; without one Yosys's generic cells are used and the
// figure is Yosys's CMOS transistor estimate, and the report says so.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "config.hpp"

namespace taxonn {

struct SynthOptions {
  std::string config_path;
  std::string layer;                // empty: the first weighted layer
  std::optional<std::pair<int, int>> format;  // (I, F) override
  std::string liberty;              // empty: generic cells
  std::string work_dir;             // where RTL, scripts and logs go
  std::string json_out;             // optional machine-readable report
};

struct SynthPoint {
  std::string module;
  double area = 0.0;  // um^2 with a liberty; transistors without
  long cells = 0;
};

struct SynthReport {
  std::string config, layer, format, liberty, unit;
  int depth = 0;
  bool generic = true;
  SynthPoint base, taxonn;
  double overhead_percent() const { return 100.0 * (taxonn.area - base.area) / base.area; }
};

// A failing tool: the message names the tool, the step and its last lines.
class ToolError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

SynthReport run_synth(const SynthOptions& o);
std::string format_report(const SynthReport& r);
std::string report_json(const SynthReport& r);

// A liberty usable by Yosys and ABC: a .gz is expanded into work_dir.
std::string prepare_liberty(const std::string& path, const std::string& work_dir);

}  // namespace taxonn
