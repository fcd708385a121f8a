// The network accelerator's top module (docs/network.md), internal to the
// generator: the controller, one layer template instance per layer, the
// format conversions at every boundary and the host interface, wired from the
// config's layer list (NetLayerHw) and the layer interface (layer_ports).
#pragma once

#include <vector>

#include "config.hpp"
#include "net_model.hpp"
#include "vast.hpp"

namespace taxonn {

vast::Module net_top(const Config& c, const std::vector<NetLayerHw>& hw);

// A module's parameter values as Verilog (design.cpp): encodings as their
// macros, LFSR words and -alpha in hex, the rest decimal.
std::vector<vast::ParamValue> render_params(const std::vector<HwParam>& values, const PeParams& p);

}  // namespace taxonn
