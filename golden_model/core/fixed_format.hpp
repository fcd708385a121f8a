// The one fixed-point format type of taxonn (CONTRACT section 1).
// Read by the golden model, the generator and the testbenches alike: no width
// is typed twice. Values are carried as raw two's-complement integers in a
// wide host type; every narrowing goes through a named step (wrap/saturate).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace taxonn {

// Wide enough for every exact intermediate: a 32x32 product plus guard bits.
using Wide = __int128;

enum class Rounding : int { kNearest = 0, kTruncate = 1, kStochastic = 2 };
enum class Overflow : int { kSaturate = 0, kWrap = 1 };
// kReluClip: ReLU whose derivative is also 0 where z sits at the format's
// maximum (where rq clamped it), so a saturated output stops pulling its
// weights further (CONTRACT 2).
enum class Activation : int { kIdentity = 0, kRelu = 1, kSigmoid = 2, kTanh = 3, kReluClip = 4 };
// The activations are 0 .. kActivationCount - 1 (the testbenches sweep them all).
constexpr int kActivationCount = static_cast<int>(Activation::kReluClip) + 1;
// ReLU forward, with either derivative.
constexpr bool is_relu(Activation a) { return a == Activation::kRelu || a == Activation::kReluClip; }

std::string_view to_string(Rounding r);
std::string_view to_string(Activation a);
// Return false when the name is unknown; the caller reports the field.
bool parse_rounding(std::string_view s, Rounding& out);
bool parse_activation(std::string_view s, Activation& out);

// Q(I,F): signed, W = I + F, I counts the sign bit (CONTRACT 1).
struct QFormat {
  int int_bits = 1;
  int frac_bits = 0;
  Rounding rounding = Rounding::kNearest;
  Overflow overflow = Overflow::kSaturate;

  static constexpr int kMinWidth = 2;
  static constexpr int kMaxWidth = 32;

  constexpr int width() const { return int_bits + frac_bits; }
  Wide max_raw() const { return (Wide{1} << (width() - 1)) - 1; }
  Wide min_raw() const { return -(Wide{1} << (width() - 1)); }
  double lsb() const;
  double to_real(Wide raw) const;
  std::string name() const;  // "Q(2,12)"
  bool operator==(const QFormat& o) const {
    return int_bits == o.int_bits && frac_bits == o.frac_bits && rounding == o.rounding &&
           overflow == o.overflow;
  }
};

// Two's-complement wrap of v to `bits` bits (what a register of that width holds).
Wide wrap(Wide v, int bits);
// Raw bits of v in the low `bits` (unsigned view, for bit-for-bit comparison).
unsigned __int128 to_bits(Wide v, int bits);
// Sign-extend the low `bits` of an unsigned bit pattern.
Wide from_bits(unsigned __int128 u, int bits);
// Arithmetic shift right (floor division by 2^s), exact on Wide.
Wide asr(Wide v, int s);
// Does v fit in a signed field of `bits` bits?
bool fits_signed(Wide v, int bits);
// Ceil(log2(n)) for n >= 1, as Verilog's $clog2.
int clog2(std::uint64_t n);
std::string to_string_wide(Wide v);
// A real constant (alpha) as a raw value with `frac_bits` fractional bits:
// round to nearest, ties to even (std::nearbyint in the default mode). The
// result is a double so that callers can range-check it before narrowing.
double real_to_raw(double real, int frac_bits);

}  // namespace taxonn
