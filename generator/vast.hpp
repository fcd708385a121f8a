// A small tree of Verilog-2005 text (after XLS's VAST): files, modules, ports,
// wires, assigns and instances, printed in one fixed style. The generator
// emits wiring and configuration only; datapaths live in rtl_templates/.
#pragma once

#include <string>
#include <vector>

namespace taxonn::vast {

enum class Dir { kInput, kOutput };

struct Port {
  Dir dir = Dir::kInput;
  std::string name;
  int width = 1;
  bool is_signed = false;
  std::string comment;
  std::string width_param = {};  // non-empty: the width is this parameter, `[NAME-1:0]`
};

struct Wire {
  std::string name;
  int width = 1;
  bool is_signed = false;
  std::string comment;
};

struct Assign {
  std::string lhs;
  std::string rhs;
};

struct Connection {
  std::string port;
  std::string expr;  // empty: left open
};

struct ParamValue {
  std::string name;
  std::string value;  // a Verilog constant expression
  std::string comment;
};

struct Instance {
  std::string module;
  std::string name;
  std::vector<ParamValue> params;
  std::vector<Connection> conns;
  std::string comment;
};

struct Define {
  std::string name;
  std::string value;
  std::string comment;
};

struct Module {
  std::string name;
  std::vector<ParamValue> params;  // `parameter integer NAME = value`, in this order
  std::vector<Port> ports;
  std::vector<Wire> wires;
  std::vector<Instance> instances;
  std::vector<Assign> assigns;
  // Generate blocks after the instances, one `if` per branch (conditions
  // that exclude each other): a branch whose condition holds elaborates its
  // instances; when none does, an instance of the undefined module
  // `no_branch` stops elaboration (a clear error in every tool).
  struct Branch {
    std::string cond, label;
    std::vector<Instance> instances;
  };
  std::vector<Branch> branches;
  std::string no_branch;
  // A black box (a liberty cell's port list for Yosys): `(* blackbox *)`,
  // ports only.
  bool blackbox = false;
};

// One source file: a header comment, includes or defines, then modules.
struct File {
  std::vector<std::string> header;  // comment lines, without "// "
  std::string guard;                // include guard for a header of defines
  std::vector<std::string> includes;
  std::vector<Define> defines;
  std::vector<Module> modules;
  std::string emit() const;
};

// Verilog sized literals: 8'd5, 16'hB400.
std::string dec(int width, unsigned long long v);
std::string hex(int width, unsigned long long v);
// A slice expression: bus[offset +: width].
std::string slice(const std::string& bus, int offset, int width);

}  // namespace taxonn::vast
