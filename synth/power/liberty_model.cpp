// The liberty model's evaluation (liberty.hpp): boolean functions and
// `when` conditions (Expr), table lookup by slew and load, wire-load
// capacitance, and cells by name.
#include "liberty.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <fstream>
#include <sstream>

#include <fmt/format.h>

namespace taxonn::lib {

// ---------------------------------------------------------------------------
// Expressions: ! and ' (not), & * and juxtaposition (and), | + (or), ^ (xor);
// precedence not > xor > and > or, as liberty defines it.

namespace {

struct ExprParser {
  const std::string& s;
  const std::map<std::string, int>& pins;
  std::size_t i = 0;
  std::vector<Expr::Ins>& out;

  void skip() {
    while (i < s.size() && std::isspace(static_cast<unsigned char>(s[i]))) ++i;
  }
  [[noreturn]] void fail(const std::string& why) const {
    throw LibertyError(fmt::format("expression \"{}\": {} at character {}", s, why, i + 1));
  }
  bool at_primary() {
    skip();
    if (i >= s.size()) return false;
    const char c = s[i];
    return c == '(' || c == '!' || std::isalnum(static_cast<unsigned char>(c)) || c == '_';
  }
  // or := and { ('|' | '+') and }
  void parse_or() {
    parse_and();
    for (;;) {
      skip();
      if (i < s.size() && (s[i] == '|' || s[i] == '+')) {
        ++i;
        parse_and();
        out.push_back({Expr::kOr, 0});
      } else {
        return;
      }
    }
  }
  // and := xor { ['&' | '*'] xor }
  void parse_and() {
    parse_xor();
    for (;;) {
      skip();
      if (i < s.size() && (s[i] == '&' || s[i] == '*')) {
        ++i;
      } else if (!at_primary()) {
        return;
      }
      parse_xor();
      out.push_back({Expr::kAnd, 0});
    }
  }
  // xor := unary { '^' unary }
  void parse_xor() {
    parse_unary();
    for (;;) {
      skip();
      if (i < s.size() && s[i] == '^') {
        ++i;
        parse_unary();
        out.push_back({Expr::kXor, 0});
      } else {
        return;
      }
    }
  }
  // unary := '!' unary | primary { '\'' }
  void parse_unary() {
    skip();
    if (i < s.size() && s[i] == '!') {
      ++i;
      parse_unary();
      out.push_back({Expr::kNot, 0});
      return;
    }
    parse_primary();
    for (skip(); i < s.size() && s[i] == '\''; skip()) {
      ++i;
      out.push_back({Expr::kNot, 0});
    }
  }
  void parse_primary() {
    skip();
    if (i >= s.size()) fail("an operand is missing");
    if (s[i] == '(') {
      ++i;
      parse_or();
      skip();
      if (i >= s.size() || s[i] != ')') fail("')' expected");
      ++i;
      return;
    }
    std::size_t j = i;
    while (j < s.size() && (std::isalnum(static_cast<unsigned char>(s[j])) || s[j] == '_' || s[j] == '[' ||
                            s[j] == ']' || s[j] == '.'))
      ++j;
    if (j == i) fail(fmt::format("unexpected '{}'", s[i]));
    const std::string name = s.substr(i, j - i);
    i = j;
    if (name == "0") return out.push_back({Expr::kZero, 0});
    if (name == "1") return out.push_back({Expr::kOne, 0});
    const auto it = pins.find(name);
    if (it == pins.end()) fail(fmt::format("'{}' is not a pin of the cell", name));
    out.push_back({Expr::kPin, it->second});
  }
};

}  // namespace

Expr Expr::parse(const std::string& text, const std::map<std::string, int>& pin_index) {
  Expr e;
  ExprParser p{text, pin_index, 0, e.code_};
  p.parse_or();
  p.skip();
  if (p.i != text.size()) p.fail("trailing text");
  int depth = 0, most = 0;  // eval()'s fixed stack
  for (const Ins& in : e.code_) {
    depth += in.op == kPin || in.op == kZero || in.op == kOne ? 1 : in.op == kNot ? 0 : -1;
    most = std::max(most, depth);
  }
  if (most > kMaxDepth) p.fail("nested too deeply");
  e.text_ = text;
  return e;
}

bool Expr::eval(const std::vector<char>& state) const {
  char stack[kMaxDepth];
  int sp = 0;
  for (const Ins& in : code_) {
    switch (in.op) {
      case kPin: stack[sp++] = state[static_cast<std::size_t>(in.pin)]; break;
      case kZero: stack[sp++] = 0; break;
      case kOne: stack[sp++] = 1; break;
      case kNot: stack[sp - 1] = !stack[sp - 1]; break;
      case kAnd: --sp; stack[sp - 1] = stack[sp - 1] && stack[sp]; break;
      case kOr: --sp; stack[sp - 1] = stack[sp - 1] || stack[sp]; break;
      case kXor: --sp; stack[sp - 1] = (stack[sp - 1] != 0) != (stack[sp] != 0); break;
    }
  }
  return sp > 0 && stack[0];
}

std::vector<int> Expr::inputs() const {
  std::vector<int> v;
  for (const Ins& in : code_)
    if (in.op == kPin && std::find(v.begin(), v.end(), in.pin) == v.end()) v.push_back(in.pin);
  return v;
}

// ---------------------------------------------------------------------------
// Tables and wire loads

namespace {

// The segment of `axis` that x falls in (the edge segments extrapolate).
std::size_t segment(const std::vector<double>& axis, double x) {
  if (axis.size() < 2) return 0;
  std::size_t k = 0;
  while (k + 2 < axis.size() && x > axis[k + 1]) ++k;
  return k;
}

double lerp(double x, double x0, double x1, double y0, double y1) {
  return x1 == x0 ? y0 : y0 + (y1 - y0) * (x - x0) / (x1 - x0);
}

}  // namespace

double Table::lookup(double slew, double load) const {
  if (values.empty()) return 0;
  auto axis_value = [&](Var v) { return v == Var::kSlew ? slew : v == Var::kLoad ? load : 0.0; };
  const double x = axis_value(var1), y = axis_value(var2);
  const std::size_t n1 = std::max<std::size_t>(1, index1.size()), n2 = std::max<std::size_t>(1, index2.size());
  auto at = [&](std::size_t a, std::size_t b) { return values[std::min(values.size() - 1, a * n2 + b)]; };
  if (n1 == 1 && n2 == 1) return values[0];
  if (n2 == 1) {
    const std::size_t a = segment(index1, x);
    return lerp(x, index1[a], index1[a + 1], at(a, 0), at(a + 1, 0));
  }
  if (n1 == 1) {
    const std::size_t b = segment(index2, y);
    return lerp(y, index2[b], index2[b + 1], at(0, b), at(0, b + 1));
  }
  const std::size_t a = segment(index1, x), b = segment(index2, y);
  const double lo = lerp(y, index2[b], index2[b + 1], at(a, b), at(a, b + 1));
  const double hi = lerp(y, index2[b], index2[b + 1], at(a + 1, b), at(a + 1, b + 1));
  return lerp(x, index1[a], index1[a + 1], lo, hi);
}

double WireLoad::cap(int fanout) const {
  if (fanout_length.empty()) return 0;
  const double f = fanout;
  double len;
  const auto& fl = fanout_length;
  if (f <= fl.front().first) {
    len = std::max(0.0, fl.front().second - (fl.front().first - f) * slope);
  } else if (f >= fl.back().first) {
    len = fl.back().second + (f - fl.back().first) * slope;
  } else {
    std::size_t k = 0;
    while (k + 1 < fl.size() && f >= fl[k + 1].first) ++k;
    len = lerp(f, fl[k].first, fl[k + 1].first, fl[k].second, fl[k + 1].second);
  }
  return len * cap_per_length;
}

const Cell& Library::cell(const std::string& n) const {
  const auto it = cells.find(n);
  if (it == cells.end())
    throw LibertyError(fmt::format("{}: no cell '{}' (the netlist was mapped to another library?)", path, n));
  return it->second;
}

}  // namespace taxonn::lib
