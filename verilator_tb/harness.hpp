// The co-simulation harnesses of the primitives and of a config's PEs
// (harness.cpp); the case tables they wire are in cases.hpp.
#pragma once

#include <string>

#include "config.hpp"

namespace taxonn::tb {

// tb_<prim>.v: every case of primitive `prim` side by side.
std::string prim_harness(const std::string& prim);
// tb_pe_<config>.v: both PE kinds of every weighted layer of `c`.
std::string pe_harness(const Config& c);

}  // namespace taxonn::tb
