// The co-simulation harnesses of the primitives and of a config's PEs
// (harness.cpp); the case tables they wire are in cases.hpp.
#pragma once

#include <string>

#include "config.hpp"
#include "design.hpp"

namespace taxonn::tb {

// tb_<prim>.v: every case of primitive `prim` side by side.
std::string prim_harness(const std::string& prim);
// tb_pe_<config>.v: both PE kinds of every weighted layer of `c`.
std::string pe_harness(const Config& c);

// The glue of Verilated model `prefix` (dut_glue.hpp): glue/<prefix>_glue.cpp,
// naming the config or primitive `name` it was built for. The shipped
// testbenches and `taxonn sim` compile this same text.
enum class GlueKind { kFlat, kNet };
GeneratedFile glue_file(const std::string& prefix, const std::string& name, GlueKind kind);

}  // namespace taxonn::tb
