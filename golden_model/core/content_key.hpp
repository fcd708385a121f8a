// A key for "has anything this output depends on changed?": the 128-bit
// XXH3 hash (Debian's libxxhash-dev, header-only) of a sequence of named
// pieces. Each piece goes in with its length, so ("ab","c") and ("a","bc")
// differ. Used by the synthesis reuse (synth.cpp) and the `taxonn sim`
// model cache (apps/sim.cpp).
#pragma once

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>

#define XXH_INLINE_ALL
#include <xxhash.h>

#include <fmt/format.h>

namespace taxonn {

class ContentKey {
 public:
  ContentKey() : st_(XXH3_createState()) {
    if (!st_) throw std::bad_alloc();
    XXH3_128bits_reset(st_);
  }
  ~ContentKey() { XXH3_freeState(st_); }
  ContentKey(const ContentKey&) = delete;
  ContentKey& operator=(const ContentKey&) = delete;

  ContentKey& add(const std::string& piece) {
    const std::uint64_t n = piece.size();
    XXH3_128bits_update(st_, &n, sizeof n);
    XXH3_128bits_update(st_, piece.data(), piece.size());
    return *this;
  }
  // A file's name (as given) and content; a missing file is an error, not
  // an empty piece, so a key never stands for something that was not read.
  ContentKey& add_file(const std::filesystem::path& p) {
    std::ifstream in(p, std::ios::binary);
    if (!in) throw std::runtime_error(p.string() + ": cannot read it to key a cache entry");
    std::stringstream ss;
    ss << in.rdbuf();
    return add(p.filename().string()).add(ss.str());
  }
  // 32 hex digits.
  std::string hex() const {
    const XXH128_hash_t h = XXH3_128bits_digest(st_);
    return fmt::format("{:016x}{:016x}", h.high64, h.low64);
  }

 private:
  XXH3_state_t* st_;
};

}  // namespace taxonn
