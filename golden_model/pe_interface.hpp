// The ports of the PEs (CONTRACT 5): names and widths derived from a layer's
// PeParams. The generator's wrappers, the testbench harnesses and the
// testbench's bus packing all take widths from here, so none is typed twice.
#pragma once

#include <string>
#include <vector>

#include "config.hpp"

namespace taxonn {

enum class PeKind { kBase, kTaxonn };

// One port, without clk_i/rst_ni, in the template's order.
struct PortSpec {
  std::string name;
  bool input;
  int width;
  bool is_signed;
  std::string comment;
};
std::vector<PortSpec> pe_ports(const PeParams& p, PeKind kind);

std::vector<HwParam> pe_param_values(const PeParams& p, PeKind kind);
std::string pe_module_name(const std::string& layer, PeKind kind);
std::string act_module_name(const std::string& layer);

struct PeCycle;
// The value a cycle of stimulus puts on the PE input port `port`.
Wide pe_input_value(const std::string& port, const PeCycle& c);

}  // namespace taxonn
