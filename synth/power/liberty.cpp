// Liberty reader for gate-level power (liberty.hpp): a generic group and
// attribute parser, then the fields power and simulation need, in SI units.
#include "liberty.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <fstream>
#include <sstream>

#include <fmt/format.h>

namespace taxonn::lib {

// ---------------------------------------------------------------------------
// The generic parser: groups `name (args) { ... }`, simple attributes
// `name : value ;` and complex attributes `name (args) ;`.

namespace {

struct Node {
  std::string name;
  std::vector<std::string> args;
  std::string value;  // simple attributes
  bool group = false, simple = false;
  int line = 0;
  std::vector<Node> kids;
  const Node* find(const std::string& n) const {
    for (const Node& k : kids)
      if (k.name == n) return &k;
    return nullptr;
  }
};

class Parser {
 public:
  Parser(std::string text, std::string path) : s_(std::move(text)), path_(std::move(path)) {}

  Node parse_file() {
    Node root;
    parse_statements(root, true);
    if (root.kids.empty() || root.kids.front().name != "library" || !root.kids.front().group)
      throw LibertyError(fmt::format("{}: no library group: not a liberty file", path_));
    return root.kids.front();
  }

 private:
  enum class Tok { kEnd, kWord, kString, kPunct };
  struct Token {
    Tok kind = Tok::kEnd;
    std::string text;
    int line = 0;
    bool newline_before = false;
  };

  [[noreturn]] void fail(int line, const std::string& why) const {
    throw LibertyError(fmt::format("{}:{}: {}", path_, line, why));
  }

  Token next() {
    if (have_peek_) {
      have_peek_ = false;
      return peek_;
    }
    Token t;
    bool nl = false;
    for (;;) {
      if (i_ >= s_.size()) {
        t.kind = Tok::kEnd;
        t.line = line_;
        return t;
      }
      const char c = s_[i_];
      if (c == '\n') {
        ++line_;
        nl = true;
        ++i_;
      } else if (c == '\\' && i_ + 1 < s_.size() && (s_[i_ + 1] == '\n' || s_[i_ + 1] == '\r')) {
        ++i_;  // a line continuation
      } else if (std::isspace(static_cast<unsigned char>(c))) {
        ++i_;
      } else if (c == '/' && i_ + 1 < s_.size() && s_[i_ + 1] == '*') {
        const std::size_t end = s_.find("*/", i_ + 2);
        if (end == std::string::npos) fail(line_, "unterminated comment");
        line_ += static_cast<int>(std::count(s_.begin() + static_cast<long>(i_), s_.begin() + static_cast<long>(end), '\n'));
        i_ = end + 2;
      } else {
        break;
      }
    }
    t.line = line_;
    t.newline_before = nl;
    const char c = s_[i_];
    if (c == '"') {
      const std::size_t end = s_.find('"', i_ + 1);
      if (end == std::string::npos) fail(line_, "unterminated string");
      t.kind = Tok::kString;
      for (std::size_t k = i_ + 1; k < end; ++k) {
        if (s_[k] == '\\' && k + 1 < end && (s_[k + 1] == '\n' || s_[k + 1] == '\r')) continue;
        if (s_[k] == '\n') {
          ++line_;
          continue;
        }
        t.text += s_[k];
      }
      i_ = end + 1;
    } else if (std::string("{}():;,").find(c) != std::string::npos) {
      t.kind = Tok::kPunct;
      t.text = std::string(1, c);
      ++i_;
    } else {
      std::size_t j = i_;
      while (j < s_.size() && !std::isspace(static_cast<unsigned char>(s_[j])) &&
             std::string("{}():;,\"").find(s_[j]) == std::string::npos)
        ++j;
      t.kind = Tok::kWord;
      t.text = s_.substr(i_, j - i_);
      i_ = j;
    }
    return t;
  }
  const Token& peek() {
    if (!have_peek_) {
      peek_ = next();
      have_peek_ = true;
    }
    return peek_;
  }
  bool punct(const Token& t, char c) const { return t.kind == Tok::kPunct && t.text.size() == 1 && t.text[0] == c; }

  void parse_statements(Node& parent, bool top) {
    for (;;) {
      Token t = next();
      if (t.kind == Tok::kEnd) {
        if (!top) fail(t.line, fmt::format("group '{}' is not closed", parent.name));
        return;
      }
      if (punct(t, '}')) {
        if (top) fail(t.line, "'}' without a group");
        return;
      }
      if (punct(t, ';')) continue;
      if (t.kind != Tok::kWord) fail(t.line, fmt::format("a name expected, got '{}'", t.text));
      Node n;
      n.name = t.text;
      n.line = t.line;
      Token u = next();
      if (punct(u, ':')) {
        n.simple = true;
        // The value: tokens up to ';' or the end of the line.
        for (;;) {
          const Token& v = peek();
          if (v.kind == Tok::kEnd || punct(v, '}') || (v.newline_before && !n.value.empty())) break;
          Token w = next();
          if (punct(w, ';')) break;
          if (!n.value.empty()) n.value += ' ';
          n.value += w.text;
        }
      } else if (punct(u, '(')) {
        std::string cur;
        bool any = false;
        for (;;) {
          Token a = next();
          if (a.kind == Tok::kEnd) fail(n.line, fmt::format("'(' of '{}' is not closed", n.name));
          if (punct(a, ')')) break;
          if (punct(a, ',')) {
            n.args.push_back(cur);
            cur.clear();
            any = false;
            continue;
          }
          if (any) cur += ' ';
          cur += a.text;
          any = true;
        }
        if (any || !n.args.empty()) n.args.push_back(cur);
        const Token& v = peek();
        if (punct(v, '{')) {
          next();
          n.group = true;
          parse_statements(n, false);
        } else if (punct(v, ';')) {
          next();
        }
      } else {
        fail(u.line, fmt::format("':' or '(' expected after '{}'", n.name));
      }
      parent.kids.push_back(std::move(n));
    }
  }

  std::string s_, path_;
  std::size_t i_ = 0;
  int line_ = 1;
  Token peek_;
  bool have_peek_ = false;
};

// ---------------------------------------------------------------------------
// From the tree to the Library.

std::string unquote(std::string v) {
  if (v.size() >= 2 && v.front() == '"' && v.back() == '"') v = v.substr(1, v.size() - 2);
  return v;
}

double number(const Node& n, const std::string& path) {
  try {
    std::size_t used = 0;
    const std::string v = unquote(n.value);
    const double d = std::stod(v, &used);
    if (used != v.size()) throw std::invalid_argument(v);
    return d;
  } catch (const std::exception&) {
    throw LibertyError(fmt::format("{}:{}: '{}' is not a number ({})", path, n.line, n.value, n.name));
  }
}

std::vector<double> numbers(const std::string& list, const std::string& path, int line) {
  std::vector<double> v;
  std::string item;
  std::istringstream in(list);
  while (std::getline(in, item, ',')) {
    std::istringstream w(item);
    for (std::string tok; w >> tok;) {
      try {
        v.push_back(std::stod(tok));
      } catch (const std::exception&) {
        throw LibertyError(fmt::format("{}:{}: '{}' is not a number in a table", path, line, tok));
      }
    }
  }
  return v;
}

// "1ns" -> 1e-9; "1nW" -> 1e-9; "1V" -> 1.
double unit_scale(const std::string& text, char base, const std::string& path, int line) {
  const std::string t = unquote(text);
  std::size_t k = 0;
  while (k < t.size() && (std::isdigit(static_cast<unsigned char>(t[k])) || t[k] == '.')) ++k;
  const double mult = k ? std::stod(t.substr(0, k)) : 1.0;
  std::string u = t.substr(k);
  while (!u.empty() && std::isspace(static_cast<unsigned char>(u.front()))) u.erase(0, 1);
  if (u.empty() || std::toupper(static_cast<unsigned char>(u.back())) != base)
    throw LibertyError(fmt::format("{}:{}: unit '{}' not understood", path, line, t));
  u.pop_back();
  static const std::map<std::string, double> prefix = {{"", 1},     {"m", 1e-3},  {"u", 1e-6},
                                                       {"n", 1e-9}, {"p", 1e-12}, {"f", 1e-15}};
  const auto it = prefix.find(u);
  if (it == prefix.end()) throw LibertyError(fmt::format("{}:{}: unit '{}' not understood", path, line, t));
  return mult * it->second;
}

struct Template {
  Table::Var var1 = Table::Var::kNone, var2 = Table::Var::kNone;
  std::vector<double> index1, index2;
};

Table::Var table_var(const std::string& v) {
  if (v == "input_transition_time" || v == "input_net_transition") return Table::Var::kSlew;
  if (v == "total_output_net_capacitance") return Table::Var::kLoad;
  return Table::Var::kNone;
}

// A `type` group: a bus's index range (bit_from : bit_to, as Verilog's [from:to]).
struct BusType {
  int from = 0, to = 0;
};

struct Builder {
  std::string path;
  double time = 1e-9, cap = 1e-12, leak = 1e-9, volt = 1;
  std::map<std::string, Template> templates;
  std::map<std::string, BusType> types;

  // The pins a `pin` or `bus` group declares: a bus's bits named "bus[k]",
  // LSB (bit_to) first, as a netlist lists a port's bits.
  std::vector<std::string> group_pins(const Node& k, const std::string& cell) const {
    std::vector<std::string> out;
    if (!k.group) return out;
    if (k.name == "pin")
      for (const auto& a : k.args) out.push_back(unquote(a));
    if (k.name != "bus") return out;
    const Node* bt = k.find("bus_type");
    if (k.args.size() != 1 || !bt)
      throw LibertyError(fmt::format("{}:{}: cell {}: a bus wants one name and a bus_type", path, k.line, cell));
    const auto it = types.find(unquote(bt->value));
    if (it == types.end())
      throw LibertyError(fmt::format("{}:{}: cell {}: bus_type '{}' is not a type of the library", path, k.line, cell,
                                     unquote(bt->value)));
    for (const Node& f : k.kids)
      if (f.group && f.name == "pin")
        throw LibertyError(fmt::format("{}:{}: cell {}: pins inside a bus are not supported", path, f.line, cell));
    const int step = it->second.from >= it->second.to ? 1 : -1;
    for (int b = it->second.to;; b += step) {
      out.push_back(fmt::format("{}[{}]", unquote(k.args.front()), b));
      if (b == it->second.from) break;
    }
    return out;
  }

  // fakeram45's pins of a memory() cell (MemoryPins).
  static void memory_pins(Cell& c, const Node& g, const std::string& path) {
    int aw = 0;
    for (const Node& k : g.kids)
      if (k.group && k.name == "memory") {
        c.memory = true;
        for (const Node& f : k.kids) {
          if (f.simple && f.name == "address_width") aw = static_cast<int>(number(f, path));
          if (f.simple && f.name == "word_width") c.mem.bits = static_cast<int>(number(f, path));
        }
      }
    if (!c.memory) return;
    if (aw < 1 || aw > 24 || c.mem.bits < 1)
      throw LibertyError(fmt::format("{}:{}: memory cell {}: address_width {} and word_width {} are not a memory",
                                     path, g.line, c.name, aw, c.mem.bits));
    c.mem.words = 1 << aw;
    std::vector<std::string> missing;
    auto pin = [&](const char* n, int& at) {
      at = c.find_pin(n);
      if (at < 0) missing.push_back(n);
    };
    auto bus = [&](const char* n, std::vector<int>& at, int width) {
      const auto it = c.buses.find(n);
      if (it == c.buses.end() || static_cast<int>(it->second.size()) != width) missing.push_back(fmt::format("{}[{}]", n, width));
      else at = it->second;
    };
    pin("clk", c.mem.clk);
    pin("ce_in", c.mem.ce);
    pin("we_in", c.mem.we);
    bus("addr_in", c.mem.addr, aw);
    bus("wd_in", c.mem.wd, c.mem.bits);
    bus("w_mask_in", c.mem.mask, c.mem.bits);
    bus("rd_out", c.mem.rd, c.mem.bits);
    for (const auto& m : missing) c.mem.unsupported += (c.mem.unsupported.empty() ? "" : ", ") + m;
  }

  Table table(const Node& g, double value_scale) const {
    Table t;
    const std::string tmpl = g.args.empty() ? "scalar" : g.args.front();
    if (tmpl != "scalar") {
      const auto it = templates.find(tmpl);
      if (it == templates.end()) throw LibertyError(fmt::format("{}:{}: table template '{}' is not defined", path, g.line, tmpl));
      t.var1 = it->second.var1;
      t.var2 = it->second.var2;
      t.index1 = it->second.index1;
      t.index2 = it->second.index2;
    }
    for (const Node& k : g.kids) {
      if (k.name == "index_1" && !k.args.empty()) t.index1 = numbers(k.args.front(), path, k.line);
      if (k.name == "index_2" && !k.args.empty()) t.index2 = numbers(k.args.front(), path, k.line);
      if (k.name == "values")
        for (const auto& a : k.args) {
          const auto v = numbers(a, path, k.line);
          t.values.insert(t.values.end(), v.begin(), v.end());
        }
    }
    auto scale_axis = [&](std::vector<double>& axis, Table::Var v) {
      for (double& x : axis) x *= v == Table::Var::kSlew ? time : v == Table::Var::kLoad ? cap : 1.0;
    };
    scale_axis(t.index1, t.var1);
    scale_axis(t.index2, t.var2);
    for (double& v : t.values) v *= value_scale;
    const std::size_t want = std::max<std::size_t>(1, t.index1.size()) * std::max<std::size_t>(1, t.index2.size());
    if (t.values.size() != want && !(t.values.size() == 1 && tmpl == "scalar"))
      throw LibertyError(fmt::format("{}:{}: table has {} values for {} points", path, g.line, t.values.size(), want));
    return t;
  }

  // A clock-gating cell's pins: clock_gate_clock_pin, _enable_pin, _out_pin.
  static void clock_gate_pins(Cell& c, const Node& g) {
    for (const Node& k : g.kids)
      if (k.group && k.name == "pin")
        for (const auto& a : k.args)
          for (const Node& f : k.kids) {
            if (!f.simple || unquote(f.value) != "true") continue;
            const int idx = c.pin_index.at(unquote(a));
            if (f.name == "clock_gate_clock_pin") c.icg_clock = idx;
            if (f.name == "clock_gate_enable_pin") c.icg_enable = idx;
            if (f.name == "clock_gate_out_pin") c.icg_out = idx;
          }
  }

  Cell cell(const Node& g) const {
    Cell c;
    if (g.args.empty()) throw LibertyError(fmt::format("{}:{}: a cell without a name", path, g.line));
    c.name = unquote(g.args.front());
    // Pins first (their indices), then the state pins of an ff group.
    for (const Node& k : g.kids)
      for (const auto& name : group_pins(k, c.name)) {
        Pin p;
        p.name = name;
        if (k.name == "bus") c.buses[unquote(k.args.front())].push_back(static_cast<int>(c.pins.size()));
        c.pin_index[p.name] = static_cast<int>(c.pins.size());
        c.pins.push_back(p);
      }
    for (const Node& k : g.kids)
      if (k.group && (k.name == "ff" || k.name == "latch")) {
        if (k.args.size() != 2) throw LibertyError(fmt::format("{}:{}: {} group wants (IQ, IQN)", path, k.line, k.name));
        // read_netlist refuses a latch: latches are not simulated.
        (k.name == "ff" ? c.has_ff : c.latch) = true;
        for (int s = 0; s < 2; ++s) {
          Pin p;
          p.name = unquote(k.args[static_cast<std::size_t>(s)]);
          p.internal = true;
          if (k.name == "ff") (s == 0 ? c.ff.iq : c.ff.iqn) = static_cast<int>(c.pins.size());
          c.pin_index[p.name] = static_cast<int>(c.pins.size());
          c.pins.push_back(p);
        }
      }
    auto expr = [&](const Node& n) {
      try {
        return Expr::parse(unquote(n.value), c.pin_index);
      } catch (const LibertyError& e) {
        throw LibertyError(fmt::format("{}:{}: cell {}, {}: {}", path, n.line, c.name, n.name, e.what()));
      }
    };
    for (const Node& k : g.kids) {
      if (k.simple && k.name == "area") c.area = number(k, path);
      if (k.simple && k.name == "cell_leakage_power") c.leakage = number(k, path) * leak;
      if (k.simple && k.name == "dont_use") c.dont_use = unquote(k.value) == "true";
      if (k.simple && k.name == "clock_gating_integrated_cell") c.icg = unquote(k.value);
      if (k.group && k.name == "leakage_power") {
        const Node* when = k.find("when");
        const Node* value = k.find("value");
        if (when && value) c.leakage_when.push_back({expr(*when), number(*value, path) * leak});
      }
      if (k.group && k.name == "ff") {
        for (const Node& f : k.kids) {
          if (f.name == "next_state") c.ff.next_state = expr(f);
          if (f.name == "clocked_on") c.ff.clocked_on = expr(f);
          if (f.name == "clear") c.ff.clear = expr(f);
          if (f.name == "preset") c.ff.preset = expr(f);
        }
        if (c.ff.next_state.empty() || c.ff.clocked_on.empty())
          throw LibertyError(fmt::format("{}:{}: cell {}: ff without next_state or clocked_on", path, k.line, c.name));
      }
      if (k.group && (k.name == "pin" || k.name == "bus")) {
        for (const auto& a : group_pins(k, c.name)) {
          Pin& p = c.pins[static_cast<std::size_t>(c.pin_index.at(a))];
          for (const Node& f : k.kids) {
            if (f.name == "direction") {
              const std::string d = unquote(f.value);
              p.input = d == "input" || d == "inout";
              p.output = d == "output" || d == "inout";
              p.internal = d == "internal";
            }
            if (f.name == "capacitance") p.rise_cap = p.fall_cap = number(f, path) * cap;
            if (f.name == "rise_capacitance") p.rise_cap = number(f, path) * cap;
            if (f.name == "fall_capacitance") p.fall_cap = number(f, path) * cap;
            if (f.name == "function") p.function = expr(f);
            auto related = [&](const Node& grp) {
              const Node* r = grp.find("related_pin");
              if (!r) return -1;
              const int idx = c.find_pin(unquote(r->value));
              if (idx < 0)
                throw LibertyError(fmt::format("{}:{}: cell {}: related_pin '{}' is not a pin", path, r->line, c.name, r->value));
              return idx;
            };
            if (f.group && f.name == "internal_power") {
              InternalPower ip;
              ip.related_pin = related(f);
              if (const Node* w = f.find("when")) ip.when = expr(*w);
              for (const Node& t : f.kids) {
                if (t.group && t.name == "rise_power") ip.rise = table(t, cap * volt * volt);
                if (t.group && t.name == "fall_power") ip.fall = table(t, cap * volt * volt);
              }
              p.power.push_back(std::move(ip));
            }
            if (f.group && f.name == "timing") {
              const Node* type = f.find("timing_type");
              const std::string tt = type ? unquote(type->value) : "combinational";
              // Only the arcs that make an output's transition.
              if (tt != "combinational" && tt != "rising_edge" && tt != "falling_edge" &&
                  tt.rfind("combinational", 0) != 0)
                continue;
              TimingArc arc;
              arc.related_pin = related(f);
              for (const Node& t : f.kids) {
                if (t.group && t.name == "rise_transition") arc.rise_transition = table(t, time);
                if (t.group && t.name == "fall_transition") arc.fall_transition = table(t, time);
                if (t.group && t.name == "cell_rise") arc.cell_rise = table(t, time);
                if (t.group && t.name == "cell_fall") arc.cell_fall = table(t, time);
              }
              p.timing.push_back(std::move(arc));
            }
          }
        }
      }
      if (k.group && k.name == "bundle")
        throw LibertyError(fmt::format("{}:{}: cell {}: bundle pins are not supported", path, k.line, c.name));
    }
    clock_gate_pins(c, g);
    memory_pins(c, g, path);
    if (c.is_icg() && (c.icg_clock < 0 || c.icg_enable < 0 || c.icg_out < 0))
      throw LibertyError(fmt::format("{}:{}: clock-gating cell {} does not name its clock, enable and output pins "
                                     "(clock_gate_clock_pin, clock_gate_enable_pin, clock_gate_out_pin)",
                                     path, g.line, c.name));
    return c;
  }
};

}  // namespace

std::shared_ptr<const Library> read_liberty(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw LibertyError(fmt::format("liberty '{}' cannot be read; pass an existing file with --liberty", path));
  std::stringstream ss;
  ss << in.rdbuf();
  const Node root = Parser(ss.str(), path).parse_file();
  auto lib = std::make_shared<Library>();
  lib->path = path;
  lib->name = root.args.empty() ? "" : unquote(root.args.front());
  Builder b;
  b.path = path;
  std::string default_wire_load, default_op;
  double nom_voltage = 0;
  std::map<std::string, double> op_voltage;
  std::map<std::string, WireLoad> wire_loads;
  for (const Node& k : root.kids) {
    if (k.simple && k.name == "time_unit") b.time = unit_scale(k.value, 'S', path, k.line);
    if (k.simple && k.name == "leakage_power_unit") b.leak = unit_scale(k.value, 'W', path, k.line);
    if (k.simple && k.name == "voltage_unit") b.volt = unit_scale(k.value, 'V', path, k.line);
    if (!k.simple && !k.group && k.name == "capacitive_load_unit" && k.args.size() == 2)
      b.cap = std::stod(k.args[0]) * unit_scale("1" + unquote(k.args[1]).substr(0, 1) + "F", 'F', path, k.line);
    if (k.simple && k.name == "nom_voltage") nom_voltage = number(k, path);
    if (k.simple && k.name == "default_wire_load") default_wire_load = unquote(k.value);
    if (k.simple && k.name == "default_operating_conditions") default_op = unquote(k.value);
    if (k.group && k.name == "operating_conditions" && !k.args.empty())
      if (const Node* v = k.find("voltage")) op_voltage[unquote(k.args.front())] = number(*v, path);
  }
  for (const Node& k : root.kids) {
    if (k.group && (k.name == "lu_table_template" || k.name == "power_lut_template") && !k.args.empty()) {
      Template t;
      for (const Node& f : k.kids) {
        if (f.name == "variable_1") t.var1 = table_var(unquote(f.value));
        if (f.name == "variable_2") t.var2 = table_var(unquote(f.value));
        if (f.name == "index_1" && !f.args.empty()) t.index1 = numbers(f.args.front(), path, f.line);
        if (f.name == "index_2" && !f.args.empty()) t.index2 = numbers(f.args.front(), path, f.line);
      }
      b.templates[unquote(k.args.front())] = t;
    }
    if (k.group && k.name == "type" && !k.args.empty()) {
      BusType t;
      const Node* from = k.find("bit_from");
      const Node* to = k.find("bit_to");
      if (!from || !to) throw LibertyError(fmt::format("{}:{}: type {} has no bit_from / bit_to", path, k.line, k.args.front()));
      t.from = static_cast<int>(number(*from, path));
      t.to = static_cast<int>(number(*to, path));
      if (std::abs(t.from - t.to) > 4095)
        throw LibertyError(fmt::format("{}:{}: type {} is wider than 4096 bits", path, k.line, k.args.front()));
      b.types[unquote(k.args.front())] = t;
    }
    if (k.group && k.name == "wire_load" && !k.args.empty()) {
      WireLoad w;
      for (const Node& f : k.kids) {
        if (f.name == "capacitance") w.cap_per_length = number(f, path) * b.cap;
        if (f.name == "slope") w.slope = number(f, path);
        if (f.name == "fanout_length" && f.args.size() == 2)
          w.fanout_length.push_back({std::stod(f.args[0]), std::stod(f.args[1])});
      }
      std::sort(w.fanout_length.begin(), w.fanout_length.end());
      wire_loads[unquote(k.args.front())] = w;
    }
  }
  lib->voltage = (op_voltage.count(default_op) ? op_voltage[default_op] : nom_voltage) * b.volt;
  if (lib->voltage <= 0) throw LibertyError(fmt::format("{}: no nom_voltage or operating voltage: power needs one", path));
  if (!default_wire_load.empty() && wire_loads.count(default_wire_load)) {
    lib->has_wire_load = true;
    lib->wire_load = wire_loads[default_wire_load];
  }
  for (const Node& k : root.kids)
    if (k.group && k.name == "cell") {
      Cell c = b.cell(k);
      lib->cells[c.name] = std::move(c);
    }
  if (lib->cells.empty()) throw LibertyError(fmt::format("{}: the library has no cells", path));
  return lib;
}

std::shared_ptr<const Library> with_cells(const Library& base, const std::vector<std::shared_ptr<const Library>>& extra) {
  auto lib = std::make_shared<Library>(base);
  for (const auto& x : extra) {
    if (std::abs(x->voltage - base.voltage) > 1e-9)
      throw LibertyError(fmt::format("{} is at {} V, {} at {} V: the power model has one supply; give libraries of "
                                     "one corner", x->path, x->voltage, base.path, base.voltage));
    for (const auto& [name, cell] : x->cells)
      if (!lib->cells.emplace(name, cell).second)
        throw LibertyError(fmt::format("cell {} is in {} and in an earlier library; give each cell once", name, x->path));
    lib->path += " + " + x->path;
  }
  return lib;
}

}  // namespace taxonn::lib
