// Yosys flow for the PE area comparison.
#include "synth.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <mutex>
#include <random>
#include <regex>
#include <set>
#include <sstream>
#include <thread>

#include <sys/wait.h>

#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <zlib.h>

#include "content_key.hpp"
#include "design.hpp"
#include "net_model.hpp"
#include "io_util.hpp"
#include "pe.hpp"
#include "pe_power.hpp"

namespace taxonn {
namespace fs = std::filesystem;

namespace {

std::string read_file(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string last_lines(const std::string& text, int n) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string l; std::getline(in, l);) lines.push_back(l);
  std::string out;
  for (std::size_t i = lines.size() > static_cast<std::size_t>(n) ? lines.size() - n : 0; i < lines.size(); ++i)
    out += "    " + lines[i] + "\n";
  return out;
}

std::string quote(const std::string& s) {
  std::string q = "'";
  for (char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return q + "'";
}

// What a Yosys run depends on: its script (top, parameters, clock), the RTL
// in work/rtl and the other files it reads (`inputs`: the liberty, ABC's
// constraints), by content: an expanded liberty keeps its path whatever
// library it came from.
std::string yosys_key(const fs::path& work, const std::string& script, const std::vector<fs::path>& inputs) {
  ContentKey key;
  key.add(script);
  std::vector<fs::path> files;
  if (fs::is_directory(work / "rtl"))
    for (const auto& e : fs::directory_iterator(work / "rtl")) files.push_back(e.path());
  std::sort(files.begin(), files.end());
  files.insert(files.end(), inputs.begin(), inputs.end());
  for (const auto& f : files) key.add_file(f);
  return key.hex();
}

// Run a tool on a script in `work`; on failure the error names the tool, the
// step and shows the log's last lines. A Yosys run whose key (yosys_key) is
// unchanged since it last succeeded reuses its netlist and log: a network
// synthesis rerun after one unit failed, or for OpenSTA, does not map the
// big units again.
std::string run_tool(const fs::path& work, const std::string& tool, const std::string& step,
                     const std::string& script_name, const std::string& script,
                     const std::vector<fs::path>& inputs = {}) {
  const std::string log = script_name + ".log";
  const fs::path stamp = work / (script_name + ".ok");
  const std::string key = tool == "yosys" ? yosys_key(work, script, inputs) : "";
  if (!key.empty() && fs::exists(stamp) && fs::exists(work / log) && read_file(stamp) == key) return read_file(work / log);
  write_atomic(work / script_name, script);
  const std::string cmd =
      tool == "yosys"
          ? fmt::format("cd {} && yosys -q -l {} -s {} >/dev/null 2>&1", quote(work.string()), quote(log), quote(script_name))
          : fmt::format("cd {} && timeout 600 sta -no_splash -exit {} > {} 2>&1", quote(work.string()), quote(script_name),
                        quote(log));
  const int status = std::system(cmd.c_str());
  const int rc = WIFEXITED(status) ? WEXITSTATUS(status) : status;
  const std::string text = read_file(work / log);
  const bool sta_error = tool == "sta" && text.find("Error") != std::string::npos;
  if (rc != 0 || sta_error)
    throw ToolError(fmt::format("{} failed at step '{}' (exit {}); last lines of {}:\n{}", tool, step, rc,
                                (work / log).string(), last_lines(text, 12)));
  if (!key.empty()) write_atomic(stamp, key);
  return text;
}

// ABC maps to the liberty with the clock as its delay target. The constraint
// file (a BUF_X1 driving every input, OpenSTA's 2 fF on every output) makes
// Yosys run ABC's buffering and gate sizing too (its ABC_COMMAND_CTR script);
// without it a wide scratchpad's address lines stay unbuffered and one gate
// can show tens of nanoseconds.
// A liberty without a BUF_X1 (not Nangate-like) gets the delay target only.
std::string abc_map(const fs::path& work, const std::string& liberty, double clock_ns) {
  static const std::regex buf_re(R"(cell\s*\(\s*"?BUF_X1"?\s*\))");
  if (!std::regex_search(read_file(liberty), buf_re))
    return fmt::format("abc -D {:.0f} -liberty {}\n", clock_ns * 1000, liberty);
  write_atomic(work / "abc.constr", fmt::format("set_driving_cell BUF_X1\nset_load {:.1f}\n", gate::kPortLoadFf));
  return fmt::format("abc -D {:.0f} -constr abc.constr -liberty {}\n", clock_ns * 1000, liberty);
}

// One Yosys run: `top` (with parameter values, when given) mapped, flattened
// or with its hierarchy kept; `blackboxes` (modules of rtl/) are read as
// black boxes, so that their instances stay cells to be rolled up from their
// own run. Writes the area, the cell count and, with a liberty,
// `tag`.netlist.v for OpenSTA (plus the black box's port list in
// `tag`.stubs.v); returns the log.
struct YosysRun {
  std::string top, tag, script, what;
  std::vector<HwParam> params;
  std::vector<std::string> blackboxes;
  bool json = false;     // also `tag`.netlist.json, for gate-level power
  bool flatten = true;   // false: every module mapped on its own (the PEs)
};

std::string yosys_map(const fs::path& work, const std::vector<std::string>& files, const YosysRun& r,
                      const std::string& liberty, double clock_ns, SynthPoint& p) {
  std::string s = fmt::format("# Generated by `taxonn synth` (synth/synth.cpp): {}.\n", r.what);
  std::set<std::string> bbs;
  for (const auto& b : r.blackboxes) bbs.insert("rtl/" + b + ".v");
  const bool bb = !bbs.empty();
  for (const auto& b : bbs) s += fmt::format("read_verilog -I rtl -lib {}\n", b);
  for (const auto& f : files)
    if (!bbs.count(f)) s += fmt::format("read_verilog -I rtl {}\n", f);
  s += fmt::format("hierarchy -check -top {}", r.top);
  for (const auto& [k, v] : r.params) s += fmt::format(" -chparam {} {}", k, v);
  s += fmt::format("\nsynth {}-top {}\n", r.flatten ? "-flatten " : "", r.top);
  if (!liberty.empty()) {
    s += fmt::format("dfflibmap -liberty {}\n", liberty);
    s += abc_map(work, liberty, clock_ns);
    // Nangate's tie cells are dont_use: undefined bits become constant 0.
    s += "setundef -zero\n";
    // Yosys leaves multi-bit assigns of concatenations (around black boxes
    // and submodules, and between internal buses it merged), which OpenSTA
    // does not read: split them into single bits (ports too around black
    // boxes). A kept hierarchy is flattened for OpenSTA only, after the
    // statistics and the JSON: the same cells, timed across the boundaries.
    s += "splitnets\nopt_clean -purge\n";
    s += fmt::format("stat -liberty {}\n", liberty);
    if (r.json) s += fmt::format("write_json {}.netlist.json\n", r.tag);
    if (!r.flatten) s += "flatten\nsplitnets\nopt_clean -purge\n";
    if (bb) s += "splitnets -ports\nopt_clean -purge\n";
    s += fmt::format("write_verilog -noattr -noexpr {}.netlist.v\n", r.tag);
    if (bb) s += fmt::format("write_verilog -noattr -noexpr -blackboxes {}.stubs.v\n", r.tag);
  } else {
    s += "opt_clean -purge\nstat -tech cmos\n";
  }
  std::vector<fs::path> inputs;
  if (!liberty.empty()) inputs.push_back(liberty);
  if (fs::exists(work / "abc.constr")) inputs.push_back(work / "abc.constr");
  const std::string text = run_tool(work, "yosys", r.what, r.script, s, inputs);
  const fs::path log = work / (r.script + ".log");
  p.module = r.top;
  // The last figures printed are the whole design's (a hierarchy's totals).
  const std::regex area_re(liberty.empty() ? R"(Estimated number of transistors:\s+([0-9.]+))"
                                           : R"(Chip area for (?:top )?module '\\?[^']+':\s+([0-9.]+))");
  const std::regex cells_re(R"(Number of cells:\s+([0-9]+))");
  std::smatch m;
  bool found = false;
  for (auto from = text.cbegin(); std::regex_search(from, text.cend(), m, area_re); from = m.suffix().first) {
    p.area = std::stod(m[1].str());
    found = true;
  }
  if (!found) throw ToolError(fmt::format("yosys printed no area ({})", log.string()));
  for (auto from = text.cbegin(); std::regex_search(from, text.cend(), m, cells_re); from = m.suffix().first)
    p.cells = std::stol(m[1].str());
  return text;
}

// Runs job(i) for i in 0..n-1 on `jobs` threads and prints a progress line
// after each (`label(i, error)`); returns each job's error ("" when none).
std::vector<std::string> run_jobs(std::size_t n, int jobs, const std::function<void(std::size_t)>& job,
                                  const std::function<std::string(std::size_t, const std::string&)>& label) {
  std::vector<std::string> errors(n);
  std::atomic<std::size_t> next{0}, done{0};
  std::mutex mu;
  const auto t0 = std::chrono::steady_clock::now();
  auto worker = [&] {
    for (std::size_t i; (i = next++) < n;) {
      try {
        job(i);
      } catch (const std::exception& e) {
        errors[i] = e.what();
      }
      std::lock_guard<std::mutex> lock(mu);
      const double el = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
      fmt::print(stderr, "[{}/{} done, {:.0f} s] {}\n", ++done, n, el, label(i, errors[i]));
    }
  };
  std::vector<std::thread> pool;
  for (int j = 0; j < std::max(1, jobs); ++j) pool.emplace_back(worker);
  for (auto& t : pool) t.join();
  return errors;
}

// OpenSTA: the worst path at the clock, and power with the measured activity.
// `stem` names the netlist (stem.netlist.v, black-box stubs in stem.stubs.v)
// and, with `script`, the script and its log.
void opensta(const fs::path& work, const std::string& top, const std::string& liberty, double clock_ns,
             const Activity& act, SynthPoint& p, const std::string& script_in = "", const std::string& stem_in = "") {
  const std::string stem = stem_in.empty() ? (script_in.empty() ? top : script_in) : stem_in;
  const std::string script = script_in.empty() ? stem : script_in;
  std::string s = "# Generated by `taxonn synth` (synth/synth.cpp): timing and power.\n";
  s += fmt::format("read_liberty {}\n", liberty);
  if (fs::exists(work / (stem + ".stubs.v"))) s += fmt::format("read_verilog {}.stubs.v\n", stem);
  s += fmt::format("read_verilog {}.netlist.v\nlink_design {}\n", stem, top);
  s += fmt::format("create_clock -name clk -period {} [get_ports clk_i]\n", clock_ns);
  s += "set_input_delay 0 -clock clk [delete_from_list [all_inputs] [get_ports clk_i]]\n";
  s += "set_output_delay 0 -clock clk [all_outputs]\n";
  // 2 fF (the liberty's capacitance unit) on every output: a neighbour's input.
  s += fmt::format("set_load {:.1f} [all_outputs]\n", gate::kPortLoadFf);
  // OpenSTA 2.0.17 takes activity for input ports and a global default (its
  // -pins option fails): inputs per bit as measured, the rest at the
  // measured mean toggle rate of the registers.
  s += fmt::format("set_power_activity -global -activity {:.6f}\n", act.registers);
  for (const auto& [bit, a] : act.input_bits)
    s += fmt::format("set_power_activity -input_ports [get_ports {{{}}}] -activity {:.6f}\n", bit, a);
  s += "report_checks -path_delay max -digits 4\nreport_power -digits 6\n";
  const std::string text = run_tool(work, "sta", "timing and power of " + script, script + ".sta.tcl", s);
  const fs::path log = work / (script + ".sta.tcl.log");
  // The worst slack of all the paths reported (one per path group).
  const std::regex slack_re(R"(([-0-9.]+)\s+slack \((MET|VIOLATED)\))");
  bool any = false;
  for (auto it = std::sregex_iterator(text.begin(), text.end(), slack_re); it != std::sregex_iterator(); ++it) {
    const double v = std::stod((*it)[1].str());
    p.slack_ns = any ? std::min(p.slack_ns, v) : v;
    any = true;
  }
  if (!any) throw ToolError(fmt::format("sta printed no slack ({})", log.string()));
  p.critical_ns = clock_ns - p.slack_ns;
  p.fmax_mhz = 1000.0 / p.critical_ns;
  std::smatch m;
  if (!std::regex_search(text, m, std::regex(R"(\nTotal\s+([-0-9.e+]+)\s+([-0-9.e+]+)\s+([-0-9.e+]+)\s+([-0-9.e+]+))")))
    throw ToolError(fmt::format("sta printed no power report ({})", log.string()));
  p.internal_mw = std::stod(m[1].str()) * 1e3;  // W -> mW
  p.switching_mw = std::stod(m[2].str()) * 1e3;
  p.leakage_mw = std::stod(m[3].str()) * 1e3;
  p.power_mw = p.sta_power_mw = std::stod(m[4].str()) * 1e3;
  p.power_source = "OpenSTA, vectorless at one global toggle rate";
  p.toggle_rate = act.registers;
  p.timed = true;
}

// Liberty cell areas, to split a module's area into flops and logic.
std::map<std::string, double> cell_areas(const std::string& liberty) {
  // The first `area :` after each `cell (NAME)` (groups nested before it are skipped).
  std::map<std::string, double> a;
  const std::string text = read_file(liberty);
  const std::regex cell_re(R"re(cell\s*\(\s*"?([A-Za-z0-9_]+)"?\s*\))re");
  const std::regex area_re(R"(area\s*:\s*([0-9.]+))");
  for (auto it = std::sregex_iterator(text.begin(), text.end(), cell_re); it != std::sregex_iterator(); ++it) {
    std::smatch m;
    const auto from = text.cbegin() + it->position() + it->length();
    if (std::regex_search(from, text.cend(), m, area_re)) a[(*it)[1].str()] = std::stod(m[1].str());
  }
  return a;
}

// The block a module is, for the breakdown.
std::string block_of(const std::string& module) {
  static const std::vector<std::pair<std::string, std::string>> names = {
      {"taxonn_spad", "scratchpad"},          {"taxonn_mul", "multiplier"},
      {"taxonn_acc", "accumulator (+MUX3)"},  {"taxonn_sat_counter", "saturation counter"},
      {"taxonn_rq", "rounder"},               {"taxonn_sat", "rounder"},
      {"taxonn_rounder", "rounder"},
      {"taxonn_lfsr", "LFSR"},                {"taxonn_act_deriv", "derivative unit"},
      {"taxonn_plan_sigmoid", "derivative unit"}};
  for (const auto& [m, b] : names)
    if (module == m) return b;
  return "";
}

// "taxonn_mul" of a Yosys module name ("$paramod$...\\taxonn_mul\\W=16").
std::string module_base_name(const std::string& m) {
  const auto at = m.find("taxonn_");
  if (at == std::string::npos) return m;
  return m.substr(at, m.find_first_of("\\ ", at) - at);
}

// The breakdown's row for the nets the PE's input ports drive (the
// neighbour's wires; their loads are this PE's pins).
constexpr const char* kInputWires = "input wires";
// And for the clock net (an ideal clock: its pins and wire load, no tree).
constexpr const char* kClockNet = "clock net";

// The block a cell of a hierarchical PE netlist is in: the innermost
// instance around it that is a block, else the PE's own registers or logic
// (the training registers and MUX1/MUX2 live there).
std::string block_of_cell(const gate::PowerResult& r, const std::string& path, bool flop) {
  for (std::string p = path; !p.empty();) {
    const auto it = r.instance_module.find(p);
    const std::string b = it == r.instance_module.end() ? "" : block_of(module_base_name(it->second));
    if (!b.empty()) return b;
    const auto dot = p.rfind('.');
    p = dot == std::string::npos ? "" : p.substr(0, dot);
  }
  return flop ? "PE registers" : "PE muxes and control";
}

// The area by block of a hierarchical run's log: every module's own area
// times its instance count; the PE module's own cells split into registers
// and logic (the training register and MUX1/MUX2 live there).
std::vector<std::pair<std::string, double>> area_breakdown(const std::string& full, const std::string& liberty) {
  // `synth` prints statistics of its own; ours (with the liberty) come last.
  const auto last_stat = full.rfind("Printing statistics");
  const std::string text = last_stat == std::string::npos ? full : full.substr(last_stat);
  // Each module's section: its own area and cell counts.
  std::map<std::string, double> own;
  std::map<std::string, std::map<std::string, long>> cells;
  const std::regex sect(R"(=== (.+?) ===)");
  std::vector<std::pair<std::size_t, std::string>> heads;
  for (auto it = std::sregex_iterator(text.begin(), text.end(), sect); it != std::sregex_iterator(); ++it)
    heads.emplace_back(static_cast<std::size_t>(it->position()), (*it)[1].str());
  std::map<std::string, long> count;
  for (std::size_t h = 0; h < heads.size(); ++h) {
    const std::string body = text.substr(heads[h].first, (h + 1 < heads.size() ? heads[h + 1].first : text.size()) - heads[h].first);
    const std::string name = heads[h].second;
    if (name == "design hierarchy") {  // instance counts
      const std::regex line(R"(\n\s+(\S+)\s+([0-9]+)(?=\n))");
      for (auto it = std::sregex_iterator(body.begin(), body.end(), line); it != std::sregex_iterator(); ++it)
        count[module_base_name((*it)[1].str())] += std::stol((*it)[2].str());
      continue;
    }
    std::smatch m;
    const std::regex area_re(liberty.empty() ? R"(Estimated number of transistors:\s+([0-9.]+))"
                                             : R"(Chip area for module '.*':\s+([0-9.]+))");
    if (std::regex_search(body, m, area_re)) own[module_base_name(name)] = std::stod(m[1].str());
    const std::regex cell_re(R"(\n\s+(\S+)\s+([0-9]+)(?=\n))");
    for (auto it = std::sregex_iterator(body.begin(), body.end(), cell_re); it != std::sregex_iterator(); ++it)
      cells[module_base_name(name)][(*it)[1].str()] += std::stol((*it)[2].str());
  }
  const auto lib_areas = liberty.empty() ? std::map<std::string, double>{} : cell_areas(liberty);
  std::map<std::string, double> by_block;
  for (const auto& [mod, area] : own) {
    const long n = count.count(mod) ? count[mod] : 1;
    const std::string b = block_of(mod);
    if (!b.empty()) {
      by_block[b] += n * area;
    } else if (mod == "taxonn_pe" || mod == "taxonn_pe_base") {  // the PE inside its wrapper
      double flops = 0;
      for (const auto& [cell, k] : cells[mod])
        if (cell.rfind("DFF", 0) == 0 && lib_areas.count(cell)) flops += k * lib_areas.at(cell);
      by_block["PE registers"] += n * flops;
      by_block["PE muxes and control"] += n * (area - flops);
    }
  }
  std::vector<std::pair<std::string, double>> v(by_block.begin(), by_block.end());
  return v;
}

}  // namespace

std::string prepare_liberty(const std::string& path, const std::string& work_dir) {
  if (!fs::exists(path))
    throw ToolError(fmt::format("liberty '{}' does not exist; pass an existing file with --liberty", path));
  if (path.size() < 3 || path.substr(path.size() - 3) != ".gz") {
    std::ifstream probe(path);
    if (!probe) throw ToolError(fmt::format("liberty '{}' is not readable; check its permissions", path));
    return fs::absolute(path).string();
  }
  fs::create_directories(fs::absolute(work_dir));
  const fs::path out = fs::absolute(work_dir) / fs::path(path).stem();
  gzFile in = gzopen(path.c_str(), "rb");
  if (!in) throw ToolError(fmt::format("liberty '{}' cannot be opened as gzip", path));
  bool bad = false;
  {
    std::ofstream o(out, std::ios::binary);
    char buf[1 << 16];
    int n = 0;
    while ((n = gzread(in, buf, sizeof buf)) > 0) o.write(buf, n);
    bad = n < 0;
    if (!o) throw ToolError(fmt::format("{}: cannot write the expanded liberty", out.string()));
  }
  gzclose(in);
  if (bad) throw ToolError(fmt::format("liberty '{}' is a damaged gzip file", path));
  const std::string head = read_file(out).substr(0, 4096);
  if (head.find("library") == std::string::npos)
    throw ToolError(fmt::format("'{}' does not look like a liberty file (no 'library' group)", path));
  return out.string();
}

Activity measure_activity(const PeParams& p, PeKind kind) {
  // One training step of one neuron with a full scratchpad of trained-size
  // values, 8 back-propagated terms.
  std::mt19937_64 rng(1);
  auto small = [&] { return from_bits(rng(), std::max(1, p.fmt.frac_bits - 1)); };
  NeuronData d;
  for (int i = 0; i < p.depth; ++i) {
    d.w.push_back(small());
    d.x.push_back(small());
  }
  for (int i = 0; i < 8; ++i) {
    d.g_next.push_back(small());
    d.w_next.push_back(small());
  }
  std::vector<PeCycle> cyc = pe_load_schedule(p, d.w);
  const auto t = pe_train_schedule(p, d);
  cyc.insert(cyc.end(), t.begin(), t.end());
  const auto ports = pe_ports(p, kind);
  Pe pe(p);
  PeBase base(p);
  std::map<std::string, std::uint64_t> toggles;
  std::uint64_t reg_toggles = 0, reg_bits = 0;
  std::map<std::string, unsigned __int128> prev_in;
  PeOut prev_out;
  std::vector<Wide> prev_spad(static_cast<std::size_t>(p.depth), 0);
  auto flips = [](unsigned __int128 a, unsigned __int128 b) {
    int n = 0;
    for (unsigned __int128 x = a ^ b; x; x &= x - 1) ++n;
    return n;
  };
  for (const auto& c : cyc) {
    for (const auto& ps : ports) {
      if (!ps.input) continue;
      const Wide v = pe_input_value(ps.name, c);
      const auto bits = to_bits(v, ps.width);
      for (int b = 0; b < ps.width; ++b) {
        const std::string name = ps.width > 1 ? fmt::format("{}[{}]", ps.name, b) : ps.name;
        toggles[name] += ((bits ^ prev_in[ps.name]) >> b) & 1;
      }
      prev_in[ps.name] = bits;
    }
    if (kind == PeKind::kTaxonn) pe.step(c.ctrl, c.in);
    else base.step(c.ctrl, c.in);
    const PeOut o = kind == PeKind::kTaxonn ? pe.outputs(PeCtrl{}, PeIn{}) : base.outputs(PeCtrl{}, PeIn{});
    const int w = p.width(), aw = p.acc_width();
    reg_toggles += flips(to_bits(o.x_fwd, w), to_bits(prev_out.x_fwd, w)) + flips(to_bits(o.sum, w), to_bits(prev_out.sum, w)) +
                   flips(to_bits(o.acc, aw), to_bits(prev_out.acc, aw)) +
                   flips(static_cast<unsigned __int128>(o.sat_cnt), static_cast<unsigned __int128>(prev_out.sat_cnt));
    reg_bits += 3 * w + aw + p.sat_cnt_width;
    if (kind == PeKind::kTaxonn) {
      reg_toggles += flips(to_bits(o.g, w), to_bits(prev_out.g, w));
      reg_bits += w;
    }
    for (int i = 0; i < p.depth; ++i) {
      const Wide v = kind == PeKind::kTaxonn ? pe.spad(i) : base.spad(i);
      reg_toggles += flips(to_bits(v, w), to_bits(prev_spad[static_cast<std::size_t>(i)], w));
      prev_spad[static_cast<std::size_t>(i)] = v;
    }
    reg_bits += static_cast<std::uint64_t>(p.depth) * w;
    prev_out = o;
  }
  Activity a;
  double sum = 0;
  for (const auto& [name, n] : toggles) {
    a.input_bits[name] = static_cast<double>(n) / cyc.size();
    sum += a.input_bits[name];
  }
  a.inputs_mean = toggles.empty() ? 0 : sum / toggles.size();
  a.registers = reg_bits ? static_cast<double>(reg_toggles) / reg_bits : 0;
  return a;
}

namespace {

// Both PEs of one layer of a (possibly format-overridden) config.
// The config's generated RTL in `work`; returns its Verilog files (relative).
std::vector<std::string> write_design(const Config& c, const fs::path& work) {
  const auto files = generate_design(c);
  write_files(work.string(), files);
  std::vector<std::string> verilog;
  for (const auto& f : files)
    if (f.path.size() > 2 && f.path.substr(f.path.size() - 2) == ".v") verilog.push_back(f.path);
  return verilog;
}

SynthReport synth_layer(const Config& c, std::size_t idx, const SynthOptions& o) {
  const fs::path work = fs::absolute(o.work_dir);
  fs::create_directories(work);
  const std::vector<std::string> verilog = write_design(c, work);
  SynthReport r;
  r.config = c.name;
  r.layer = c.layers[idx].name;
  r.format = c.layers[idx].format.name();
  r.width = c.layers[idx].format.width();
  r.depth = c.scratchpad_depth;
  r.generic = o.liberty.empty();
  r.clock_ns = o.clock_ns;
  const std::string lib = r.generic ? "" : prepare_liberty(o.liberty, work.string());
  r.liberty = r.generic ? "(none: Yosys generic cells)" : o.liberty;
  r.unit = r.generic ? "transistors (yosys stat -tech cmos)" : "um^2";
  const PeParams params = pe_params(c, idx);
  for (PeKind kind : {PeKind::kBase, PeKind::kTaxonn}) {
    SynthPoint& p = kind == PeKind::kBase ? r.base : r.taxonn;
    p.module = pe_module_name(r.layer, kind);
    // The hierarchy is kept (as Design Compiler keeps it by default): the
    // blocks both PEs share then map to the same cells, and the overhead is
    // the added logic's, not the mapper's noise on a flattened design (which
    // moved the same RTL by +-3%).
    YosysRun run{p.module, p.module, p.module + ".ys", "synthesis of " + p.module + ", hierarchy kept", {}, {}};
    run.json = !r.generic;
    run.flatten = false;
    const std::string log = yosys_map(work, verilog, run, lib, o.clock_ns, p);
    if (o.breakdown) p.breakdown = area_breakdown(log, lib);
    if (r.generic) continue;
    // Power from the gate-level simulation of each PE's own workload (the
    // baseline can only infer), and the TaxoNN PE inferring too; OpenSTA
    // times the netlist and gives its vectorless figure at the workload's
    // mean toggle rate for reference.
    const std::string json = (work / (p.module + ".netlist.json")).string();
    auto by_block = [&](const gate::PowerResult& g) {
      std::map<std::string, double> b;
      for (const auto& [where, pw] : g.by_instance_w) b[block_of_cell(g, where.first, where.second)] += pw * 1e3;
      b[kInputWires] += g.inputs_switching_w * 1e3;
      b[kClockNet] += g.clock_net_w * 1e3;
      return std::vector<std::pair<std::string, double>>(b.begin(), b.end());
    };
    const PeWorkload own = kind == PeKind::kBase ? PeWorkload::kInfer : PeWorkload::kTrain;
    const gate::PowerResult g = pe_gate_power(json, p.module, lib, params, kind, own, o.clock_ns);
    Activity act;
    act.registers = g.toggle_rate;
    opensta(work, p.module, lib, o.clock_ns, act, p);
    p.power_source = "gate-level simulation";
    p.workload = to_string(own);
    p.power_mw = g.total_w() * 1e3;
    p.internal_mw = g.internal_w * 1e3;
    p.switching_mw = g.switching_w * 1e3;
    p.leakage_mw = g.leakage_w * 1e3;
    p.clock_mw = g.clock_internal_w * 1e3;
    p.clock_net_mw = g.clock_net_w * 1e3;
    p.flop_mw = g.flop_w * 1e3;
    p.gate_checked = g.checked;
    if (o.breakdown) p.power_breakdown = by_block(g);
    if (kind == PeKind::kTaxonn) {
      const gate::PowerResult gi = pe_gate_power(json, p.module, lib, params, kind, PeWorkload::kInfer, o.clock_ns);
      p.infer_power_mw = gi.total_w() * 1e3;
      if (o.breakdown) p.infer_power_breakdown = by_block(gi);
    }
  }
  return r;
}

std::size_t pick_layer(const Config& c, const std::string& layer, const std::string& path) {
  for (std::size_t i = 0; i < c.layers.size(); ++i)
    if (c.layers[i].weighted() && (layer.empty() || c.layers[i].name == layer)) return i;
  throw ConfigError(fmt::format("--layer '{}': no weighted layer of that name in {}; pick one of its fc/conv layers",
                                layer, path));
}

Config with_format(const Config& c, std::size_t idx, int i, int f, const std::string& what) {
  ConfigOverrides o;
  o.formats[idx] = {i, f};
  return apply_overrides(c, o, what);
}

}  // namespace

SynthReport run_synth(const SynthOptions& o) {
  Config c = load_config(o.config_path);
  const std::size_t idx = pick_layer(c, o.layer, o.config_path);
  if (o.format)
    c = with_format(c, idx, o.format->first, o.format->second,
                    fmt::format("{} with --format {},{}", o.config_path, o.format->first, o.format->second));
  if (!o.liberty.empty()) prepare_liberty(o.liberty, fs::absolute(o.work_dir).string());  // fail early
  return synth_layer(c, idx, o);
}

namespace {

// One block of the per-module breakdown, both PEs.
struct BreakdownRow {
  std::string block;
  double base_area = 0, taxonn_area = 0, base_mw = 0, taxonn_mw = 0, taxonn_infer_mw = 0;
};

std::vector<BreakdownRow> breakdown_rows(const SynthReport& r) {
  std::map<std::string, BreakdownRow> rows;
  for (const auto& [b, a] : r.base.breakdown) rows[b].base_area = a;
  for (const auto& [b, a] : r.taxonn.breakdown) rows[b].taxonn_area = a;
  for (const auto& [b, w] : r.base.power_breakdown) rows[b].base_mw = w;
  for (const auto& [b, w] : r.taxonn.power_breakdown) rows[b].taxonn_mw = w;
  for (const auto& [b, w] : r.taxonn.infer_power_breakdown) rows[b].taxonn_infer_mw = w;
  std::vector<BreakdownRow> v;
  for (auto& [b, row] : rows) {
    row.block = b;
    v.push_back(row);
  }
  return v;
}

}  // namespace

std::string format_report(const SynthReport& r) {
  std::string s;
  if (r.generic)
    s += "note: no liberty given: mapped to Yosys's generic cells; area is a transistor estimate, not um^2, and "
         "there is no timing or power (pass --liberty FILE for a real library)\n";
  s += fmt::format("PE area{}, config '{}', layer '{}', {}, scratchpad {} words, liberty {}\n",
                   r.generic ? "" : fmt::format(", timing and power at {:.2f} ns ({:.0f} MHz)", r.clock_ns, 1000 / r.clock_ns),
                   r.config, r.layer, r.format, r.depth, r.liberty);
  s += fmt::format("  {:<30} {:>14} {:>8}", "PE", r.generic ? "transistors" : "area (um^2)", "cells");
  if (!r.generic)
    s += fmt::format(" {:>10} {:>10} {:>10} {:>10} {:>10}  {}", "Fmax (MHz)", "power (mW)", "clock (mW)", "leak (mW)",
                     "OpenSTA", "workload (gate-level, outputs checked)");
  s += "\n";
  for (const SynthPoint* p : {&r.base, &r.taxonn}) {
    s += fmt::format("  {:<30} {:>14.1f} {:>8}", p->module, p->area, p->cells);
    if (p->timed)
      s += fmt::format(" {:>10.0f} {:>10.3f} {:>10.3f} {:>10.4f} {:>10.3f}  {} ({} values)", p->fmax_mhz, p->power_mw,
                       p->clock_mw, p->leakage_mw, p->sta_power_mw, p->workload, p->gate_checked);
    s += "\n";
  }
  if (!r.generic)
    s += fmt::format("  {:<30} {:>14} {:>8} {:>10} {:>10.3f} {:>10} {:>10} {:>10}  inference\n", r.taxonn.module, "",
                     "", "", r.taxonn.infer_power_mw, "", "", "");
  s += fmt::format("  TaxoNN overhead: area {:+.1f}%", r.overhead_percent());
  if (!r.generic)
    s += fmt::format(", power {:+.1f}% training vs inference, {:+.1f}% both inferring (gate-level; OpenSTA "
                     "vectorless {:+.1f}%)",
                     r.power_overhead_percent(), r.power_overhead_same_work_percent(), r.sta_power_overhead_percent());
  s += "\n";
  if (!r.taxonn.breakdown.empty()) {
    const bool pw = !r.taxonn.power_breakdown.empty();
    s += fmt::format("  where the area{} is ({}{}):\n  {:<24} {:>12} {:>12} {:>12}", pw ? " and power" : "",
                     r.generic ? "transistors" : "um^2", pw ? "; gate-level mW" : "", "block",
                     "baseline", "TaxoNN", "added");
    if (pw) s += fmt::format(" {:>10} {:>10} {:>10} {:>10}", "base infer", "TaxoNN inf", "TaxoNN trn", "added");
    s += "\n";
    for (const auto& b : breakdown_rows(r)) {
      s += fmt::format("  {:<24} {:>12.1f} {:>12.1f} {:>+12.1f}", b.block, b.base_area, b.taxonn_area,
                       b.taxonn_area - b.base_area);
      if (pw)
        s += fmt::format(" {:>10.3f} {:>10.3f} {:>10.3f} {:>+10.3f}", b.base_mw, b.taxonn_infer_mw, b.taxonn_mw,
                         b.taxonn_mw - b.base_mw);
      s += "\n";
    }
  }
  return s;
}

namespace {

nlohmann::json point_json(const SynthPoint& p) {
  nlohmann::json j = {{"module", p.module}, {"area", p.area}, {"cells", p.cells}};
  if (p.timed) {
    j["critical_path_ns"] = p.critical_ns;
    j["fmax_mhz"] = p.fmax_mhz;
    j["slack_ns"] = p.slack_ns;
    j["power_mw"] = {{"total", p.power_mw}, {"internal", p.internal_mw}, {"switching", p.switching_mw}, {"leakage", p.leakage_mw}};
    j["power_source"] = p.power_source;
    j["toggle_rate"] = p.toggle_rate;
    j["opensta_power_mw"] = p.sta_power_mw;
    if (!p.workload.empty()) {
      j["workload"] = p.workload;
      j["power_mw"]["clock_pins"] = p.clock_mw;
      j["power_mw"]["clock_net"] = p.clock_net_mw;
      j["power_mw"]["flip_flops"] = p.flop_mw;
      j["gate_level_values_checked"] = p.gate_checked;
    }
  }
  for (const auto& [b, a] : p.breakdown) j["breakdown"][b] = a;
  for (const auto& [b, w] : p.power_breakdown) j["power_breakdown_mw"][b] = w;
  for (const auto& [b, w] : p.infer_power_breakdown) j["inference_power_breakdown_mw"][b] = w;
  return j;
}

}  // namespace

std::string report_json(const SynthReport& r) {
  nlohmann::json j;
  j["config"] = r.config;
  j["layer"] = r.layer;
  j["format"] = r.format;
  j["width"] = r.width;
  j["scratchpad_depth"] = r.depth;
  j["liberty"] = r.liberty;
  j["generic_cells"] = r.generic;
  j["unit"] = r.unit;
  if (!r.generic) j["clock_ns"] = r.clock_ns;
  j["baseline"] = point_json(r.base);
  j["taxonn"] = point_json(r.taxonn);
  j["overhead_percent"] = r.overhead_percent();
  if (!r.generic) {
    j["power_overhead_percent"] = r.power_overhead_percent();
    j["taxonn"]["inference_power_mw"] = r.taxonn.infer_power_mw;
    j["power_overhead_same_work_percent"] = r.power_overhead_same_work_percent();
    j["opensta_power_overhead_percent"] = r.sta_power_overhead_percent();
  }
  return j.dump(2) + "\n";
}

// The paper's Tables II (area, um^2 x 1e3) and III (power, mW), by W.
struct PaperPoint {
  double base_area, taxonn_area, base_power, taxonn_power;
};
const std::map<int, PaperPoint>& paper_tables() {
  static const std::map<int, PaperPoint> t = {
      {21, {14.3, 15.5, 4.54, 4.84}}, {20, {13.1, 14.3, 4.48, 4.78}}, {19, {11.8, 12.9, 4.42, 4.70}},
      {18, {11.1, 12.1, 4.31, 4.65}}, {17, {10.6, 11.7, 4.22, 4.49}}, {16, {10.1, 11.2, 4.10, 4.31}},
      {15, {9.7, 10.6, 3.98, 4.15}},  {14, {9.0, 9.9, 3.88, 4.13}},   {13, {8.1, 9.0, 3.75, 4.04}}};
  return t;
}

std::vector<SynthReport> run_sweep(const SweepOptions& so) {
  const Config c = load_config(so.base.config_path);
  const std::size_t idx = pick_layer(c, so.base.layer, so.base.config_path);
  if (so.from > so.to || so.from - so.int_bits < 1)
    throw ConfigError(fmt::format("--sweep {}:{}: use FROM:TO with FROM <= TO and FROM > --int-bits ({})", so.from,
                                  so.to, so.int_bits));
  const fs::path out = fs::absolute(so.out_dir);
  fs::create_directories(out);
  if (!so.base.liberty.empty()) prepare_liberty(so.base.liberty, so.base.work_dir);  // fail early, not into out
  const int n = so.to - so.from + 1;
  std::vector<SynthReport> reports(static_cast<std::size_t>(n));
  fmt::print(stderr, "synth sweep: W = {}..{} (Q({},W-{})), both PEs, {} parallel jobs\n", so.from, so.to, so.int_bits,
             so.int_bits, so.jobs);
  const auto errors = run_jobs(
      static_cast<std::size_t>(n), so.jobs,
      [&](std::size_t k) {
        const int w = so.from + static_cast<int>(k);
        SynthOptions o = so.base;
        o.work_dir = (fs::path(so.base.work_dir) / fmt::format("sweep_w{}", w)).string();
        const Config cw = with_format(c, idx, so.int_bits, w - so.int_bits, fmt::format("{} at W = {}", so.base.config_path, w));
        reports[k] = synth_layer(cw, idx, o);
      },
      [&](std::size_t k, const std::string& err) {
        const auto& r = reports[k];
        return fmt::format("W = {}: {}", so.from + static_cast<int>(k),
                           err.empty() ? fmt::format("baseline {:.0f}, TaxoNN {:.0f} ({:+.1f}%)", r.base.area,
                                                     r.taxonn.area, r.overhead_percent())
                                       : "FAILED: " + err);
      });
  for (int k = 0; k < n; ++k)
    if (!errors[static_cast<std::size_t>(k)].empty())
      throw ToolError(fmt::format("synth sweep: W = {} failed: {}", so.from + k, errors[static_cast<std::size_t>(k)]));

  // Results: JSON, CSV, Markdown beside the paper, and a plot.
  const bool timed = !reports.front().generic;
  nlohmann::json all = nlohmann::json::array();
  std::string csv = "width,format,base_area,taxonn_area,area_overhead_percent,paper_base_area,paper_taxonn_area,"
                    "base_power_mw,taxonn_power_mw,power_overhead_percent,paper_base_power_mw,paper_taxonn_power_mw,"
                    "base_fmax_mhz,taxonn_fmax_mhz,taxonn_inference_power_mw,power_overhead_same_work_percent,"
                    "base_opensta_power_mw,taxonn_opensta_power_mw,opensta_power_overhead_percent\n";
  std::string dat;
  double sum_area_ovh = 0, sum_power_ovh = 0, sum_paper_area_ovh = 0, sum_paper_power_ovh = 0, sum_same_ovh = 0,
         sum_sta_ovh = 0;
  std::string rows;
  for (const auto& r : reports) {
    all.push_back(nlohmann::json::parse(report_json(r)));
    const auto pp = paper_tables().count(r.width) ? paper_tables().at(r.width) : PaperPoint{0, 0, 0, 0};
    const double pa = pp.base_area ? 100 * (pp.taxonn_area / pp.base_area - 1) : 0;
    const double pw = pp.base_power ? 100 * (pp.taxonn_power / pp.base_power - 1) : 0;
    sum_area_ovh += r.overhead_percent();
    sum_paper_area_ovh += pa;
    if (timed) {
      sum_power_ovh += r.power_overhead_percent();
      sum_same_ovh += r.power_overhead_same_work_percent();
      sum_sta_ovh += r.sta_power_overhead_percent();
      sum_paper_power_ovh += pw;
    }
    csv += fmt::format("{},\"{}\",{:.1f},{:.1f},{:.2f},{:.0f},{:.0f},{:.4f},{:.4f},{:.2f},{:.2f},{:.2f},{:.0f},{:.0f},"
                       "{:.4f},{:.2f},{:.4f},{:.4f},{:.2f}\n",
                       r.width, r.format, r.base.area, r.taxonn.area, r.overhead_percent(), pp.base_area * 1000,
                       pp.taxonn_area * 1000, r.base.power_mw, r.taxonn.power_mw, timed ? r.power_overhead_percent() : 0,
                       pp.base_power, pp.taxonn_power, r.base.fmax_mhz, r.taxonn.fmax_mhz, r.taxonn.infer_power_mw,
                       timed ? r.power_overhead_same_work_percent() : 0, r.base.sta_power_mw, r.taxonn.sta_power_mw,
                       timed ? r.sta_power_overhead_percent() : 0);
    dat += fmt::format("{} {:.1f} {:.1f} {:.0f} {:.0f} {:.4f} {:.4f} {:.2f} {:.2f} {:.4f}\n", r.width, r.base.area,
                       r.taxonn.area, pp.base_area * 1000, pp.taxonn_area * 1000, r.base.power_mw, r.taxonn.power_mw,
                       pp.base_power, pp.taxonn_power, r.taxonn.infer_power_mw);
    rows += fmt::format("| {} | {:.0f} ({:+.0f}%) | {:.0f} | {:.0f} | {:.0f} | {:+.1f}% | {:.1f}% |", r.width, r.base.area,
                        pp.base_area ? 100 * (r.base.area / (pp.base_area * 1000) - 1) : 0, pp.base_area * 1000,
                        r.taxonn.area, pp.taxonn_area * 1000, r.overhead_percent(), pa);
    if (timed)
      rows += fmt::format(" {:.3f} | {:.2f} | {:.3f} | {:.3f} | {:.2f} | **{:+.1f}%** | {:+.1f}% | {:.1f}% | {:+.1f}% | "
                          "{:.0f} / {:.0f} |",
                          r.base.power_mw, pp.base_power, r.taxonn.infer_power_mw, r.taxonn.power_mw, pp.taxonn_power,
                          r.power_overhead_same_work_percent(), r.power_overhead_percent(), pw,
                          r.sta_power_overhead_percent(), r.base.fmax_mhz, r.taxonn.fmax_mhz);
    rows += "\n";
  }
  const auto& r0 = reports.front();
  std::string md = fmt::format(
      "# Tables II and III, measured: PE area, power and Fmax against W\n\n"
      "Both PEs of layer '{}' of config '{}' at Q({},W-{}), scratchpad {} words, liberty {}{}. "
      "Paper: Synopsys Design Compiler, 45 nm (its Tables II and III).\n"
      "Regenerate: `make synth-sweep` (`taxonn synth --sweep {}:{} ...`). The scratchpad depth is chosen so that the "
      "baseline's area matches the paper's baseline (docs/results.md).\n\n",
      r0.layer, r0.config, so.int_bits, so.int_bits, r0.depth, r0.liberty,
      timed ? fmt::format("; timing (OpenSTA) and power at {:.1f} ns ({:.0f} MHz), power from a gate-level "
                          "simulation of each PE's own workload (docs/power.md)",
                          r0.clock_ns, 1000 / r0.clock_ns)
            : "",
      so.from, so.to);
  md += fmt::format("| W | baseline ({}, vs paper) | paper baseline | TaxoNN | paper TaxoNN | area overhead | paper |", r0.generic ? "transistors" : "um^2");
  if (timed)
    md += " baseline mW (inference) | paper | TaxoNN mW (inference) | TaxoNN mW (training) | paper TaxoNN | power "
          "overhead, same work | training vs inference | paper | OpenSTA vectorless | Fmax MHz base / TaxoNN |";
  md += "\n|";
  for (int k = 0; k < (timed ? 17 : 7); ++k) md += " --- |";
  md += "\n" + rows;
  md += fmt::format("\nAverage TaxoNN overhead: area {:+.1f}% (paper {:+.1f}%)", sum_area_ovh / n, sum_paper_area_ovh / n);
  if (timed)
    md += fmt::format(", power at the same work **{:+.1f}%** (paper {:+.1f}%); the TaxoNN PE training against the "
                      "baseline inferring {:+.1f}%; OpenSTA's vectorless figure {:+.1f}%",
                      sum_same_ovh / n, sum_paper_power_ovh / n, sum_power_ovh / n, sum_sta_ovh / n);
  md += ".\n";
  if (timed)
    md += "\nPower is from a zero-delay simulation of the mapped netlist, its outputs checked against the golden "
          "twin every cycle, priced event by event with the liberty's internal-power, capacitance and leakage "
          "tables (docs/power.md), back-to-back samples after the weights are loaded. \"Same work\": both PEs "
          "inferring, the cost of carrying the training hardware, the comparison at one switching activity a "
          "synthesis table like the paper's makes. \"Training vs inference\": each PE on its own workload, the "
          "TaxoNN PE training (forward, f', steps 1-5), the baseline inferring (it cannot train). "
          "\"OpenSTA vectorless\": Debian's OpenSTA with one global toggle rate (each "
          "workload's measured mean), which sums rise and fall energies per transition and propagates no "
          "per-net rates, for reference.\n";
  // Where the overhead is, at the middle width.
  const auto& mid = reports[static_cast<std::size_t>(n / 2)];
  if (!mid.taxonn.breakdown.empty()) {
    const bool pw = !mid.taxonn.power_breakdown.empty();
    md += fmt::format("\n## Where the overhead is (W = {}, per-module areas{} from hierarchical synthesis)\n\n"
                      "| block | baseline | TaxoNN | added |{}\n| --- | --- | --- | --- |{}\n",
                      mid.width, pw ? " and gate-level power" : "",
                      pw ? " baseline mW (inference) | TaxoNN mW (inference) | TaxoNN mW (training) | added (training) |" : "",
                      pw ? " --- | --- | --- | --- |" : "");
    for (const auto& b : breakdown_rows(mid)) {
      md += fmt::format("| {} | {:.0f} | {:.0f} | {:+.0f} |", b.block, b.base_area, b.taxonn_area, b.taxonn_area - b.base_area);
      if (pw)
        md += fmt::format(" {:.3f} | {:.3f} | {:.3f} | {:+.3f} |", b.base_mw, b.taxonn_infer_mw, b.taxonn_mw,
                          b.taxonn_mw - b.base_mw);
      md += "\n";
    }
  }
  md += "\n![area and power against W](area_power.svg)\n";
  write_atomic(out / "sweep.json", all.dump(2) + "\n");
  write_atomic(out / "sweep.csv", csv);
  write_atomic(out / "sweep.dat", dat);
  // The plots once, rendered as SVG (docs) and PNG (quick looks) where gnuplot has it.
  std::string plots = fmt::format(
      "set title \"PE area\"\nset ylabel \"{}\"\n"
      "plot \"sweep.dat\" using 1:2 with linespoints lw 2 title \"baseline (ours)\", "
      "\"\" using 1:3 with linespoints lw 2 title \"TaxoNN (ours)\", "
      "\"\" using 1:4 with linespoints dt 2 title \"baseline (paper)\", \"\" using 1:5 with linespoints dt 2 title \"TaxoNN (paper)\"\n",
      r0.generic ? "transistors" : "um^2");
  if (timed)
    plots += "set title \"PE power\"\nset ylabel \"mW\"\n"
             "plot \"sweep.dat\" using 1:6 with linespoints lw 2 title \"baseline inferring (ours)\", "
             "\"\" using 1:7 with linespoints lw 2 title \"TaxoNN training (ours)\", "
             "\"\" using 1:10 with linespoints lw 1 title \"TaxoNN inferring (ours)\", "
             "\"\" using 1:8 with linespoints dt 2 title \"baseline (paper)\", "
             "\"\" using 1:9 with linespoints dt 2 title \"TaxoNN (paper)\"\n";
  const int panels = timed ? 2 : 1;
  const std::string gp = fmt::format(
      "set grid\nset xlabel \"W (bits)\"\nset key top left\n"
      "set terminal svg size 1000,420 font \"sans,12\"\nset output \"area_power.svg\"\n"
      "set multiplot layout 1,{0}\n{1}unset multiplot\n"
      "if (strstrt(GPVAL_TERMINALS, \" png \") > 0) {{\n  set terminal png size 1000,420\n  set output \"area_power.png\"\n"
      "  set multiplot layout 1,{0}\n{1}  unset multiplot\n}}\n",
      panels, plots);
  write_atomic(out / "area_power.gp", gp);
  if (std::system(fmt::format("cd {} && gnuplot area_power.gp >/dev/null 2>&1", quote(out.string())).c_str()) != 0)
    fmt::print(stderr, "synth sweep: gnuplot not available or failed: area_power.gp written, no SVG\n");
  write_atomic(out / "table.md", md);
  fmt::print("{}", md);
  return reports;
}



// ---------------------------------------------------------------------------
// The whole accelerator (`taxonn synth --network`): each unique module once,
// rolled up by instance count.

namespace {

// One unit of the accelerator: a Yosys run, how many instances it stands
// for, and the toggle rates its power is taken at.
struct Unit {
  YosysRun run;
  int instances = 1;
  Activity activity;
};

// OpenSTA's Verilog reader takes no parameter lists: drop them from the
// black-box instances of a mapped netlist (its only "#(" are those).
void strip_instance_params(const fs::path& netlist) {
  const std::string text = read_file(netlist);
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size();) {
    if (text.compare(i, 2, "#(") == 0) {
      int depth = 0;
      std::size_t j = i + 1;
      for (; j < text.size(); ++j) {
        if (text[j] == '(') ++depth;
        if (text[j] == ')' && --depth == 0) break;
      }
      i = j + 1;
      continue;
    }
    out += text[i++];
  }
  write_atomic(netlist, out);
}

}  // namespace

NetSynthReport run_net_synth(const SynthOptions& o) {
  const Config c = load_config(o.config_path);
  const std::vector<NetLayerHw> hw = net_hw(c);  // names the field when the config has no network RTL
  const fs::path work = fs::absolute(o.work_dir);
  fs::create_directories(work);
  const std::string lib = o.liberty.empty() ? "" : prepare_liberty(o.liberty, work.string());
  const std::vector<std::string> verilog = write_design(c, work);

  NetSynthReport r;
  r.config = c.name;
  r.generic = lib.empty();
  r.liberty = r.generic ? "(none: Yosys generic cells)" : o.liberty;
  r.unit = r.generic ? "transistors (yosys stat -tech cmos)" : "um^2";
  r.clock_ns = o.clock_ns;
  r.cycles_per_step = net_cycles(net_phases(hw, true));

  std::vector<Unit> units;
  Activity first_pe;
  std::vector<std::string> layer_modules;
  for (std::size_t l = 0; l < hw.size(); ++l) {
    const NetLayerHw& h = hw[l];
    const std::string& name = c.layers[h.index].name;
    if (std::find(layer_modules.begin(), layer_modules.end(), layer_module(h)) == layer_modules.end())
      layer_modules.push_back(layer_module(h));
    Unit layer;
    if (h.weighted()) {
      // A conv layer's PEs leave z and f' to their column (taxonn_conv_layer).
      PeParams pp = h.pe;
      if (h.type == LayerType::kConv) pp.act = Activation::kIdentity;
      Unit pe;
      pe.run = {"taxonn_pe", name + "_pe", name + "_pe.ys", fmt::format("the TaxoNN PE of {} ({} words)", name, h.depth()),
                pe_param_values(pp, PeKind::kTaxonn), {}};
      pe.instances = h.pes();
      pe.activity = measure_activity(pp, PeKind::kTaxonn);
      if (first_pe.registers == 0) first_pe = pe.activity;
      units.push_back(pe);
      layer.run = {layer_module(h), name + "_layer", name + "_layer.ys",
                   fmt::format("layer {} without its PEs (buffers, G unit, adders, sequencer)", name),
                   layer_param_values(hw, l), {"taxonn_pe"}};
      // Buffers and sequencer see the layer's data: the PE's register rate.
      layer.activity.registers = pe.activity.registers;
    } else {
      layer.run = {layer_module(h), name + "_layer", name + "_layer.ys",
                   fmt::format("pooling layer {} (buffers, pooling unit, sequencer)", name), layer_param_values(hw, l),
                   {}};
      layer.activity.registers = first_pe.registers;
    }
    units.push_back(layer);
  }
  Unit top;
  top.run = {net_module_name(c), "net_top", "net_top.ys", "the controller, boundary conversions and host interface", {},
             layer_modules};
  top.activity.registers = first_pe.registers;
  units.push_back(top);

  // Units run in parallel jobs, as the sweep does.
  std::vector<SynthPoint> pts(units.size());
  const auto errors = run_jobs(
      units.size(), o.jobs,
      [&](std::size_t i) {
        const YosysRun& r = units[i].run;
        yosys_map(work, verilog, r, lib, o.clock_ns, pts[i]);
        if (lib.empty()) return;
        if (!r.blackboxes.empty()) strip_instance_params(work / (r.tag + ".netlist.v"));
        opensta(work, r.top, lib, o.clock_ns, units[i].activity, pts[i], r.tag);
      },
      [&](std::size_t i, const std::string& err) { return units[i].run.what + (err.empty() ? "" : ": FAILED"); });
  for (const auto& e : errors)
    if (!e.empty()) throw ToolError(e);

  double fmax = 0;
  for (std::size_t i = 0; i < units.size(); ++i) {
    NetSynthUnit u;
    u.name = units[i].run.tag;
    u.what = units[i].run.what;
    u.instances = units[i].instances;
    u.point = pts[i];
    r.area += u.point.area * u.instances;
    if (u.point.timed) {
      r.power_mw += u.point.power_mw * u.instances;
      fmax = fmax == 0 ? u.point.fmax_mhz : std::min(fmax, u.point.fmax_mhz);
    }
    r.units.push_back(u);
  }
  r.fmax_mhz = fmax;
  // Energy per SGD step at the power clock: P * cycles * T.
  r.energy_per_step_nj = r.power_mw * static_cast<double>(r.cycles_per_step) * o.clock_ns * 1e-3;  // mW * ns = pJ
  return r;
}

std::string format_net_report(const NetSynthReport& r) {
  std::string s;
  if (r.generic)
    s += "note: no liberty given: mapped to Yosys's generic cells; area is a transistor estimate, not um^2, and "
         "there is no timing or power (pass --liberty FILE for a real library)\n";
  s += fmt::format("Network accelerator '{}', liberty {}{}\n", r.config, r.liberty,
                   r.generic ? "" : fmt::format(", power at {:.2f} ns ({:.0f} MHz)", r.clock_ns, 1000 / r.clock_ns));
  s += fmt::format("  {:<14} {:<58} {:>5} {:>14} {:>14}", "unit", "what", "x", r.generic ? "transistors" : "area (um^2)",
                   "total");
  if (!r.generic) s += fmt::format(" {:>10} {:>11}", "Fmax (MHz)", "power (mW)");
  s += "\n";
  for (const auto& u : r.units) {
    s += fmt::format("  {:<14} {:<58} {:>5} {:>14.1f} {:>14.1f}", u.name, u.what, u.instances, u.point.area,
                     u.point.area * u.instances);
    if (u.point.timed) s += fmt::format(" {:>10.0f} {:>11.3f}", u.point.fmax_mhz, u.point.power_mw * u.instances);
    s += "\n";
  }
  s += fmt::format("  total area {:.0f} {}", r.area, r.generic ? "transistors" : "um^2");
  if (!r.generic)
    s += fmt::format(" ({:.3f} mm^2), Fmax {:.0f} MHz (slowest unit), power {:.1f} mW; one SGD step {} cycles: "
                     "{:.1f} nJ at {:.0f} MHz",
                     r.area * 1e-6, r.fmax_mhz, r.power_mw, r.cycles_per_step, r.energy_per_step_nj, 1000 / r.clock_ns);
  s += "\n";
  return s;
}

std::string net_report_json(const NetSynthReport& r) {
  nlohmann::json j = {{"config", r.config},     {"liberty", r.liberty},   {"generic_cells", r.generic},
                      {"unit", r.unit},         {"area", r.area},         {"cycles_per_step", r.cycles_per_step}};
  if (!r.generic) {
    j["clock_ns"] = r.clock_ns;
    j["fmax_mhz"] = r.fmax_mhz;
    j["power_mw"] = r.power_mw;
    j["energy_per_step_nj"] = r.energy_per_step_nj;
  }
  for (const auto& u : r.units) {
    nlohmann::json p = point_json(u.point);
    p["unit"] = u.name;
    p["what"] = u.what;
    p["instances"] = u.instances;
    j["units"].push_back(p);
  }
  return j.dump(2) + "\n";
}

}  // namespace taxonn
