// Q(I,F) helpers (CONTRACT section 1).
#include "fixed_format.hpp"

#include <cmath>

#include <fmt/format.h>

namespace taxonn {

std::string_view to_string(Rounding r) {
  switch (r) {
    case Rounding::kNearest: return "nearest";
    case Rounding::kTruncate: return "truncate";
    case Rounding::kStochastic: return "stochastic";
  }
  return "?";
}

std::string_view to_string(Activation a) {
  switch (a) {
    case Activation::kIdentity: return "identity";
    case Activation::kRelu: return "relu";
    case Activation::kSigmoid: return "sigmoid";
    case Activation::kTanh: return "tanh";
    case Activation::kReluClip: return "relu_clip";
  }
  return "?";
}

bool parse_rounding(std::string_view s, Rounding& out) {
  for (Rounding r : {Rounding::kNearest, Rounding::kTruncate, Rounding::kStochastic}) {
    if (s == to_string(r)) {
      out = r;
      return true;
    }
  }
  return false;
}

bool parse_activation(std::string_view s, Activation& out) {
  for (Activation a :
       {Activation::kIdentity, Activation::kRelu, Activation::kSigmoid, Activation::kTanh, Activation::kReluClip}) {
    if (s == to_string(a)) {
      out = a;
      return true;
    }
  }
  return false;
}

double QFormat::lsb() const { return std::ldexp(1.0, -frac_bits); }
double QFormat::to_real(Wide raw) const { return static_cast<double>(raw) * lsb(); }
std::string QFormat::name() const { return fmt::format("Q({},{})", int_bits, frac_bits); }

unsigned __int128 to_bits(Wide v, int bits) {
  const auto u = static_cast<unsigned __int128>(v);
  if (bits >= 128) return u;
  return u & ((static_cast<unsigned __int128>(1) << bits) - 1);
}

Wide from_bits(unsigned __int128 u, int bits) {
  if (bits >= 128) return static_cast<Wide>(u);
  const unsigned __int128 mask = (static_cast<unsigned __int128>(1) << bits) - 1;
  u &= mask;
  const unsigned __int128 sign = static_cast<unsigned __int128>(1) << (bits - 1);
  return (u & sign) ? static_cast<Wide>(u) - (Wide{1} << bits) : static_cast<Wide>(u);
}

double real_to_raw(double real, int frac_bits) { return std::nearbyint(real * std::ldexp(1.0, frac_bits)); }

Wide wrap(Wide v, int bits) { return from_bits(static_cast<unsigned __int128>(v), bits); }

Wide asr(Wide v, int s) {
  if (s <= 0) return v;
  // Floor division by 2^s; well defined for negative values (no UB shifts).
  const Wide d = Wide{1} << s;
  Wide q = v / d;
  if ((v % d) != 0 && v < 0) q -= 1;
  return q;
}

bool fits_signed(Wide v, int bits) {
  return v >= -(Wide{1} << (bits - 1)) && v <= (Wide{1} << (bits - 1)) - 1;
}

int clog2(std::uint64_t n) {
  int b = 0;
  while ((std::uint64_t{1} << b) < n) ++b;
  return b;
}

std::string to_string_wide(Wide v) {
  if (v == 0) return "0";
  const bool neg = v < 0;
  unsigned __int128 u = neg ? static_cast<unsigned __int128>(-(v + 1)) + 1
                            : static_cast<unsigned __int128>(v);
  std::string s;
  while (u != 0) {
    s.insert(s.begin(), static_cast<char>('0' + static_cast<int>(u % 10)));
    u /= 10;
  }
  return neg ? "-" + s : s;
}

}  // namespace taxonn
