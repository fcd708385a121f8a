// SRAM macros for the accelerator's memories (issue 17; docs/memory.md): a
// catalog read from liberty files (a cell with a `memory()` group: its
// `address_width`, `word_width` and `area`; no size is typed into the code)
// and the cheapest cover of a depth x width memory by them.
//
// A cover splits the word into slices; each slice is one macro type,
// stacked `banks` deep (ceil(depth / words)) and `bits` wide (the slice's
// share of the word, at most the macro's). The cheapest cover by area is
// found exactly over all such covers (a knapsack over the width); ties go to
// fewer macros, then fewer unused bits, then the macro names. A slice deeper
// than `max_banks` macros is not considered (the bank decoder and read mux
// across more macros than that would dominate); a memory no cover fits is
// an error naming the memory and the fix.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "net_model.hpp"

namespace taxonn::mem {

struct Macro {
  std::string name, file;
  int words = 0, bits = 0;  // 2^address_width words of word_width bits
  double area = 0;          // the liberty's area (um^2 for fakeram45)
};

// Every macro of the given liberty files or folders (their *.lib files),
// sorted by name. Throws ConfigError when a path is missing or none of the
// files holds a memory cell.
std::vector<Macro> read_catalog(const std::vector<std::string>& paths);

struct Slice {
  Macro macro;
  int banks = 0;  // macros stacked in depth
  int bits = 0;   // bits of the word this slice stores (<= macro.bits)
};

struct Cover {
  int depth = 0, width = 0;
  std::vector<Slice> slices;  // from the word's low bits up
  double area = 0;
  int macros = 0;
  long long unused_bits = 0;  // macro bits that store nothing
};

constexpr int kDefaultMaxBanks = 16;
// The largest memory cover() takes (words, bits): far beyond any accelerator
// buffer, small enough that no size arithmetic can overflow.
constexpr int kMaxDepth = 1 << 28, kMaxWidth = 1 << 16;

// The cheapest cover of depth x width; ConfigError (naming `what`) when no
// cover fits within `max_banks` or the sizes are not positive.
Cover cover(int depth, int width, const std::vector<Macro>& catalog, const std::string& what,
            int max_banks = kDefaultMaxBanks);

}  // namespace taxonn::mem

namespace taxonn::mem {

// For synthesis: a Verilog file whose module taxonn_sram_model (the
// behavioural model's name, parameters and pins: rtl_templates/
// taxonn_sram_model.v) builds the memory of `c` from its macros, black boxes
// of their liberty: each slice's banks share the address's low bits, the
// high bits enable one bank, and the read data comes from the bank of the
// last read (taxonn_sram_bank_q); a slice's unused macro bits are written 0
// under a 0 mask and left unread. `what` names the memory in the header.
std::string cover_module(const Cover& c, const std::string& what);
// The same for a unit with several memories (each cover and what it is): a
// taxonn_sram_model whose WORDS and BITS select one cover module per shape
// (taxonn_sram_cover_<words>x<bits>); one memory gives cover_module's file.
std::string cover_modules(const std::vector<std::pair<Cover, std::string>>& covers);

// One memory of a design and how many copies it has.
struct Memory {
  std::string name;
  int depth = 0, width = 0, count = 1;
};
// The buffers of layer `l` that memory: sram puts on macros (none for an fc
// layer): a conv or pool layer's Y (outputs x W, a pool in the format of the
// weighted layer below), a pool's R (outputs x W) and argmax (outputs x 2),
// named "Y", "R", "argmax". The one list synthesis and `taxonn macros` read.
std::vector<Memory> layer_buffers(const std::vector<NetLayerHw>& hw, std::size_t l);
// The memories of a config's network that memory: sram puts on macros: the
// PE scratchpads (one per PE of each fc/conv layer: its depth x the layer's
// W), the conv and pool layers' Y buffers (outputs x W) and a pool's R
// (outputs x W) and argmax (outputs x 2).
std::vector<Memory> memories(const std::string& config_path);
// `taxonn macros`: each memory's cheapest cover as a Markdown table (and,
// with `json_out`, JSON): macros, area per copy and in all, unused bits.
std::string report(const std::vector<Memory>& mems, const std::vector<Macro>& catalog, int max_banks,
                   const std::string& json_out);

}  // namespace taxonn::mem
