// fst_read FILE [SIGNAL...]: what a waveform (FST) holds, for tests/trace.sh
// to check the --trace window of the testbenches (docs/sim.md, "Waveforms").
// Prints "start T end T vars N", then per SIGNAL (its dotted hierarchical
// name, e.g. TOP.clk_i) one line "SIGNAL T=VALUE T=VALUE ..." of its changes.
// Reads with GTKWave's FST reader, the one Verilator's writer ships with.
#include <cstdio>
#include <cstring>
#include <map>
#include <string>
#include <vector>

#include "gtkwave/fstapi.h"

namespace {

struct Want {
  std::vector<std::string> names;
  std::map<fstHandle, std::vector<std::size_t>> of_handle;  // a handle may carry several aliases
  std::vector<std::string> changes;
};

void on_change(void* user, uint64_t t, fstHandle h, const unsigned char* v) {
  auto* w = static_cast<Want*>(user);
  const auto it = w->of_handle.find(h);
  if (it == w->of_handle.end()) return;
  for (const std::size_t i : it->second)
    w->changes[i] += " " + std::to_string(t) + "=" + reinterpret_cast<const char*>(v);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: fst_read FILE [SIGNAL...]\n");
    return 2;
  }
  void* ctx = fstReaderOpen(argv[1]);
  if (!ctx) {
    std::fprintf(stderr, "fst_read: %s: not an FST file\n", argv[1]);
    return 2;
  }
  Want w;
  for (int i = 2; i < argc; ++i) w.names.push_back(argv[i]);
  w.changes.resize(w.names.size());
  std::vector<std::string> scope;
  std::vector<bool> found(w.names.size(), false);
  while (const fstHier* h = fstReaderIterateHier(ctx)) {
    if (h->htyp == FST_HT_SCOPE) {
      scope.push_back(h->u.scope.name);
    } else if (h->htyp == FST_HT_UPSCOPE) {
      if (!scope.empty()) scope.pop_back();
    } else if (h->htyp == FST_HT_VAR) {
      std::string full;
      for (const auto& s : scope) full += s + ".";
      full += h->u.var.name;
      // Vector names carry their range ("acc_o [31:0]"): match without it.
      if (const auto sp = full.find(' '); sp != std::string::npos) full.resize(sp);
      for (std::size_t i = 0; i < w.names.size(); ++i)
        if (w.names[i] == full) {
          w.of_handle[h->u.var.handle].push_back(i);
          found[i] = true;
        }
    }
  }
  for (std::size_t i = 0; i < w.names.size(); ++i)
    if (!found[i]) {
      std::fprintf(stderr, "fst_read: %s: no signal %s\n", argv[1], w.names[i].c_str());
      fstReaderClose(ctx);
      return 1;
    }
  std::printf("start %llu end %llu vars %llu\n", static_cast<unsigned long long>(fstReaderGetStartTime(ctx)),
              static_cast<unsigned long long>(fstReaderGetEndTime(ctx)),
              static_cast<unsigned long long>(fstReaderGetVarCount(ctx)));
  fstReaderClrFacProcessMaskAll(ctx);
  for (const auto& [h, idx] : w.of_handle) fstReaderSetFacProcessMask(ctx, h);
  fstReaderIterBlocks(ctx, on_change, &w, nullptr);
  for (std::size_t i = 0; i < w.names.size(); ++i) std::printf("%s%s\n", w.names[i].c_str(), w.changes[i].c_str());
  fstReaderClose(ctx);
  return 0;
}
