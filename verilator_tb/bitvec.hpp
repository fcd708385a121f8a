// A little-endian bit vector the size of a harness bus, and its copy to and
// from a Verilator port. Kept free of the golden model's headers: the
// per-model glue (dut_glue.hpp) includes it, and that glue is compiled for
// every model `taxonn sim` builds.
#pragma once

#include <algorithm>
#include <cstdint>
#include <type_traits>
#include <vector>

namespace taxonn::tb {

using U128 = unsigned __int128;

// A little-endian bit vector the size of a harness bus.
class BitVec {
 public:
  explicit BitVec(int bits) : w_(static_cast<std::size_t>((bits + 31) / 32), 0u) {}
  void set(int off, int width, U128 v) {
    while (width > 0) {  // a word-aligned chunk at a time
      const std::size_t i = static_cast<std::size_t>(off / 32);
      const int sh = off % 32, n = std::min(32 - sh, width);
      const std::uint32_t m = (n == 32 ? 0xFFFFFFFFu : ((1u << n) - 1)) << sh;
      w_[i] = (w_[i] & ~m) | ((static_cast<std::uint32_t>(v) << sh) & m);
      v >>= n;
      off += n;
      width -= n;
    }
  }
  U128 get(int off, int width) const {
    U128 v = 0;
    int got = 0;
    while (got < width) {
      const std::size_t i = static_cast<std::size_t>(off / 32);
      const int sh = off % 32, n = std::min(32 - sh, width - got);
      const std::uint32_t chunk = (w_[i] >> sh) & (n == 32 ? 0xFFFFFFFFu : ((1u << n) - 1));
      v |= static_cast<U128>(chunk) << got;
      got += n;
      off += n;
    }
    return v;
  }
  // Copy to / from a Verilator signal: an integer up to 64 bits or a VlWide.
  template <class T>
  void to(T& sig) const {
    if constexpr (std::is_integral_v<T>) {
      std::uint64_t v = w_[0];
      if (w_.size() > 1) v |= static_cast<std::uint64_t>(w_[1]) << 32;
      sig = static_cast<T>(v);
    } else {
      for (std::size_t i = 0; i < w_.size(); ++i) sig[i] = w_[i];
    }
  }
  template <class T>
  void from(const T& sig) {
    if constexpr (std::is_integral_v<T>) {
      const auto v = static_cast<std::uint64_t>(sig);
      w_[0] = static_cast<std::uint32_t>(v);
      if (w_.size() > 1) w_[1] = static_cast<std::uint32_t>(v >> 32);
    } else {
      for (std::size_t i = 0; i < w_.size(); ++i) w_[i] = sig[i];
    }
  }
  int words() const { return static_cast<int>(w_.size()); }

 private:
  std::vector<std::uint32_t> w_;
};

}  // namespace taxonn::tb
