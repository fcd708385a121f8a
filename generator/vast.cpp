// Printer of the Verilog tree: lowRISC style, named connections, aligned.
#include "vast.hpp"

#include <algorithm>
#include <sstream>

#include <fmt/format.h>

namespace taxonn::vast {
namespace {



// A parameter list, one per line, names aligned: `line` formats (name,
// name width, value), a module's declarations or an instance's overrides.
void emit_params(std::ostringstream& o, const std::vector<ParamValue>& params, const char* line_fmt) {
  std::size_t pw = 0;
  for (const auto& p : params) pw = std::max(pw, p.name.size());
  for (std::size_t i = 0; i < params.size(); ++i) {
    const auto& p = params[i];
    std::string line = fmt::format(fmt::runtime(line_fmt), p.name, pw, p.value);
    if (i + 1 < params.size()) line += ",";
    if (!p.comment.empty()) line = fmt::format("{:<40}  // {}", line, p.comment);
    o << line << "\n";
  }
}

std::string range(int width, bool is_signed, const std::string& param = "") {
  std::string s = is_signed ? "signed " : "";
  if (!param.empty()) return s + fmt::format("[{}-1:0] ", param);
  if (width > 1 || is_signed) s += fmt::format("[{}:0] ", width - 1);
  return s;
}

void emit_instance(std::ostringstream& o, const Instance& inst, const std::string& indent) {
  o << "\n";
  if (!inst.comment.empty()) o << indent << "// " << inst.comment << "\n";
  o << indent << inst.module;
  if (!inst.params.empty()) {
    o << " #(\n";
    emit_params(o, inst.params, (indent + "  .{:<{}}({})").c_str());
    o << indent << ")";
  }
  o << " " << inst.name << " (\n";
  std::size_t cw = 0;
  for (const auto& c : inst.conns) cw = std::max(cw, c.port.size());
  for (std::size_t i = 0; i < inst.conns.size(); ++i) {
    const auto& c = inst.conns[i];
    o << fmt::format("{}  .{:<{}}({})", indent, c.port, cw, c.expr);
    o << (i + 1 < inst.conns.size() ? ",\n" : "\n");
  }
  o << indent << ");\n";
}

void emit_module(std::ostringstream& o, const Module& m) {
  if (m.blackbox) o << "(* blackbox *)\n";
  o << "module " << m.name;
  if (!m.params.empty()) {
    o << " #(\n";
    emit_params(o, m.params, "  parameter integer {:<{}} = {}");
    o << ")";
  }
  o << " (\n";
  std::size_t name_w = 0, type_w = 0;
  for (const auto& p : m.ports) {
    name_w = std::max(name_w, p.name.size());
    type_w = std::max(type_w, range(p.width, p.is_signed, p.width_param).size());
  }
  for (std::size_t i = 0; i < m.ports.size(); ++i) {
    const Port& p = m.ports[i];
    const std::string dir = p.dir == Dir::kInput ? "input  wire " : "output wire ";
    std::string line = fmt::format("  {}{:<{}}{}", dir, range(p.width, p.is_signed, p.width_param), type_w, p.name);
    if (i + 1 < m.ports.size()) line += ",";
    if (!p.comment.empty())
      line = fmt::format("{:<{}}  // {}", line, 2 + 12 + type_w + name_w + 1, p.comment);
    o << line << "\n";
  }
  o << ");\n";
  if (!m.wires.empty()) o << "\n";
  for (const auto& w : m.wires) {
    o << "  wire " << range(w.width, w.is_signed) << w.name << ";";
    if (!w.comment.empty()) o << "  // " << w.comment;
    o << "\n";
  }
  for (const auto& inst : m.instances) emit_instance(o, inst, "  ");
  // Independent ifs, not an else-if chain: Yosys 0.23 elaborates a labelled
  // else-if chain's last else even when an earlier condition holds.
  std::string none;
  for (const auto& br : m.branches) {
    o << "\n  if (" << br.cond << ") begin : " << br.label << "\n";
    for (const auto& inst : br.instances) emit_instance(o, inst, "    ");
    o << "  end\n";
    none += (none.empty() ? "" : " && ") + fmt::format("!({})", br.cond);
  }
  if (!m.branches.empty())
    o << "\n  if (" << none << ") begin : gen_" << m.no_branch << "\n    " << m.no_branch << " u_" << m.no_branch
      << " ();\n  end\n";
  if (!m.assigns.empty()) o << "\n";
  for (const auto& a : m.assigns) o << "  assign " << a.lhs << " = " << a.rhs << ";\n";
  o << "\nendmodule\n";
}

}  // namespace

std::string File::emit() const {
  std::ostringstream o;
  for (const auto& h : header) o << (h.empty() ? "//" : "// " + h) << "\n";
  if (!guard.empty()) o << "`ifndef " << guard << "\n`define " << guard << "\n";
  if (!includes.empty()) o << "\n";
  for (const auto& inc : includes) o << "`include \"" << inc << "\"\n";
  if (!defines.empty()) {
    std::size_t nw = 0;
    for (const auto& d : defines) nw = std::max(nw, d.name.size());
    for (const auto& d : defines) {
      if (d.name.empty()) {  // a section comment
        o << "\n// " << d.comment << "\n";
        continue;
      }
      std::string line = fmt::format("`define {:<{}} {}", d.name, nw, d.value);
      if (!d.comment.empty()) line = fmt::format("{:<48}  // {}", line, d.comment);
      o << line << "\n";
    }
  }
  for (const auto& m : modules) {
    o << "\n";
    emit_module(o, m);
  }
  if (!guard.empty()) o << "\n`endif  // " << guard << "\n";
  return o.str();
}

std::string dec(int width, unsigned long long v) { return fmt::format("{}'d{}", width, v); }
std::string hex(int width, unsigned long long v) { return fmt::format("{}'h{:X}", width, v); }
std::string slice(const std::string& bus, int offset, int width) {
  return fmt::format("{}[{} +: {}]", bus, offset, width);
}

}  // namespace taxonn::vast
