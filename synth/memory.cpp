// The SRAM macro catalog and the cheapest cover (memory.hpp).
#include "memory.hpp"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <limits>
#include <regex>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "config.hpp"
#include "vast.hpp"
#include "io_util.hpp"
#include "net_model.hpp"

namespace taxonn::mem {

namespace fs = std::filesystem;

namespace {

// The memory cells of one liberty file: `cell(name) { area : a; ...
// memory() { address_width : n; word_width : w; } ... }`.
std::vector<Macro> macros_in(const fs::path& file) {
  const std::string text = read_text(file);
  std::vector<Macro> out;
  static const std::regex cell_re(R"re(cell\s*\(\s*"?([A-Za-z0-9_]+)"?\s*\)\s*\{)re");
  static const std::regex area_re(R"(\barea\s*:\s*([0-9.eE+-]+)\s*;)");
  static const std::regex aw_re(R"(\baddress_width\s*:\s*([0-9]+)\s*;)");
  static const std::regex ww_re(R"(\bword_width\s*:\s*([0-9]+)\s*;)");
  std::vector<std::pair<std::size_t, std::string>> cells;
  for (auto it = std::sregex_iterator(text.begin(), text.end(), cell_re); it != std::sregex_iterator(); ++it)
    cells.push_back({static_cast<std::size_t>(it->position()), (*it)[1].str()});
  for (std::size_t i = 0; i < cells.size(); ++i) {
    const std::size_t from = cells[i].first, to = i + 1 < cells.size() ? cells[i + 1].first : text.size();
    const std::string body = text.substr(from, to - from);
    if (body.find("memory") == std::string::npos) continue;
    std::smatch a, aw, ww;
    if (!std::regex_search(body, aw, aw_re) || !std::regex_search(body, ww, ww_re)) continue;
    if (!std::regex_search(body, a, area_re))
      throw ConfigError(fmt::format("{}: memory cell {} has no area; is it a complete liberty file?", file.string(),
                                    cells[i].second));
    Macro m;
    m.name = cells[i].second;
    m.file = file.string();
    const int abits = std::stoi(aw[1].str());
    m.bits = std::stoi(ww[1].str());
    m.area = std::stod(a[1].str());
    if (abits < 1 || abits > 24 || m.bits < 1 || !(m.area > 0))
      throw ConfigError(fmt::format("{}: memory cell {} has address_width {}, word_width {}, area {}: not a usable "
                                    "macro",
                                    file.string(), m.name, abits, m.bits, m.area));
    m.words = 1 << abits;
    out.push_back(m);
  }
  return out;
}

}  // namespace

std::vector<Macro> read_catalog(const std::vector<std::string>& paths) {
  std::vector<Macro> all;
  std::vector<fs::path> files;
  for (const auto& p : paths) {
    std::error_code ec;
    if (fs::is_directory(p, ec)) {
      for (const auto& e : fs::directory_iterator(p))
        if (e.path().extension() == ".lib") files.push_back(e.path());
    } else if (fs::is_regular_file(p, ec)) {
      files.emplace_back(p);
    } else {
      throw ConfigError(fmt::format("{}: no such liberty file or folder; give the SRAM macros' liberty files or "
                                    "their folder (e.g. ../shared/pdk/fakeram45)",
                                    p));
    }
  }
  std::sort(files.begin(), files.end());
  for (const auto& f : files) {
    auto m = macros_in(f);
    all.insert(all.end(), m.begin(), m.end());
  }
  if (all.empty())
    throw ConfigError(fmt::format("{}: no SRAM macro (a liberty cell with a memory() group) in {} file(s); give the "
                                  "macros' liberty files (e.g. ../shared/pdk/fakeram45)",
                                  paths.empty() ? std::string("(no path)") : paths.front(), files.size()));
  std::sort(all.begin(), all.end(), [](const Macro& a, const Macro& b) { return a.name < b.name; });
  return all;
}

Cover cover(int depth, int width, const std::vector<Macro>& catalog, const std::string& what, int max_banks) {
  if (depth < 1 || width < 1 || depth > kMaxDepth || width > kMaxWidth)
    throw ConfigError(fmt::format("{}: {} x {} bits is not a memory this tool covers; give 1..{} words of 1..{} bits",
                                  what, depth, width, kMaxDepth, kMaxWidth));
  // best[w]: the cheapest cover of the low w bits of every word.
  struct Best {
    double area = std::numeric_limits<double>::infinity();
    int macros = 0;
    long long unused = 0;
    int pick = -1, from = 0;
  };
  std::vector<Best> best(static_cast<std::size_t>(width) + 1);
  best[0].area = 0;
  auto better = [&](const Best& a, const Best& b, const std::string& an, const std::string& bn) {
    if (a.area != b.area) return a.area < b.area;
    if (a.macros != b.macros) return a.macros < b.macros;
    if (a.unused != b.unused) return a.unused < b.unused;
    return an < bn;
  };
  for (int w = 1; w <= width; ++w) {
    for (std::size_t k = 0; k < catalog.size(); ++k) {
      const Macro& m = catalog[k];
      const int banks = (depth + m.words - 1) / m.words;
      if (banks > max_banks) continue;
      const int from = std::max(0, w - m.bits);
      const Best& prev = best[static_cast<std::size_t>(from)];
      if (!std::isfinite(prev.area)) continue;
      Best cand;
      cand.area = prev.area + banks * m.area;
      cand.macros = prev.macros + banks;
      cand.unused = prev.unused + static_cast<long long>(banks) * m.words * m.bits -
                    static_cast<long long>(depth) * (w - from);
      cand.pick = static_cast<int>(k);
      cand.from = from;
      Best& cur = best[static_cast<std::size_t>(w)];
      if (cur.pick < 0 || better(cand, cur, m.name, catalog[static_cast<std::size_t>(cur.pick)].name)) cur = cand;
    }
  }
  const Best& b = best[static_cast<std::size_t>(width)];
  if (b.pick < 0)
    throw ConfigError(fmt::format("{}: no cover of {} x {} bits within {} banks of the {} macros given (the deepest "
                                  "holds {} words); give a macro set with deeper macros",
                                  what, depth, width, max_banks, catalog.size(),
                                  std::max_element(catalog.begin(), catalog.end(), [](const Macro& x, const Macro& y) {
                                    return x.words < y.words;
                                  })->words));
  Cover c;
  c.depth = depth;
  c.width = width;
  c.area = b.area;
  c.macros = b.macros;
  c.unused_bits = b.unused;
  for (int w = width; w > 0;) {
    const Best& s = best[static_cast<std::size_t>(w)];
    const Macro& m = catalog[static_cast<std::size_t>(s.pick)];
    c.slices.push_back({m, (depth + m.words - 1) / m.words, w - s.from});
    w = s.from;
  }
  std::reverse(c.slices.begin(), c.slices.end());
  return c;
}

}  // namespace taxonn::mem

namespace taxonn::mem {

std::vector<Memory> layer_buffers(const std::vector<NetLayerHw>& hw, std::size_t l) {
  const NetLayerHw& h = hw.at(l);
  if (h.type == LayerType::kFc) return {};  // its Y feeds the loss unit: flip-flops
  const int below = h.weighted() ? static_cast<int>(l) : weighted_below(hw, static_cast<int>(l));
  const int w = hw[static_cast<std::size_t>(below)].pe.width();
  std::vector<Memory> out = {{"Y", h.n, w, 1}};
  if (h.type == LayerType::kPool) out.insert(out.end(), {{"R", h.n, w, 1}, {"argmax", h.n, 2, 1}});
  return out;
}

std::vector<Memory> memories(const std::string& config_path) {
  const Config c = load_config(config_path);
  std::vector<Memory> out;
  const std::vector<NetLayerHw> hw = net_hw(c);
  for (std::size_t l = 0; l < hw.size(); ++l) {
    const NetLayerHw& h = hw[l];
    const LayerConfig& L = c.layers[h.index];
    if (h.weighted()) out.push_back({L.name + " PE scratchpad", h.depth(), L.format.width(), h.pes()});
    for (Memory m : layer_buffers(hw, l)) {
      m.name = L.name + " " + (m.name == "argmax" ? m.name : m.name + " buffer");
      out.push_back(m);
    }
  }
  return out;
}

std::string report(const std::vector<Memory>& mems, const std::vector<Macro>& catalog, int max_banks,
                   const std::string& json_out) {
  nlohmann::json all = {{"macros", nlohmann::json::array()}, {"max_banks", max_banks}, {"memories", nlohmann::json::array()}};
  for (const Macro& m : catalog)
    all["macros"].push_back({{"name", m.name}, {"words", m.words}, {"bits", m.bits}, {"area", m.area}, {"file", m.file}});
  std::string md = fmt::format("| memory | words x bits | copies | macros per copy | area per copy | area in all | unused "
                               "bits per copy |\n| --- | --- | --- | --- | --- | --- | --- |\n");
  double total = 0;
  for (const Memory& m : mems) {
    const Cover c = cover(m.depth, m.width, catalog, m.name, max_banks);
    total += c.area * m.count;
    std::string macros;
    for (const Slice& s : c.slices) macros += fmt::format("{}{} x {}", macros.empty() ? "" : " + ", s.banks, s.macro.name);
    md += fmt::format("| {} | {} x {} | {} | {} | {:.1f} | {:.1f} | {} |\n", m.name, m.depth, m.width, m.count, macros,
                      c.area, c.area * m.count, c.unused_bits);
    nlohmann::json js = nlohmann::json::array();
    for (const Slice& s : c.slices) js.push_back({{"macro", s.macro.name}, {"banks", s.banks}, {"bits", s.bits}});
    all["memories"].push_back({{"name", m.name}, {"depth", m.depth}, {"width", m.width}, {"count", m.count},
                               {"slices", js}, {"area", c.area}, {"macros", c.macros},
                               {"unused_bits", c.unused_bits}});
  }
  md += fmt::format("\nIn all: {:.1f} (the macros' liberty area unit).\n", total);
  all["area"] = total;
  if (!json_out.empty()) write_atomic(json_out, all.dump(2) + "\n");
  return md;
}

}  // namespace taxonn::mem

namespace taxonn::mem {

namespace {

// The module that builds `c` from its macros, named `name`.
vast::Module cover_body(const Cover& c, const std::string& name) {
  const int aw = c.depth > 1 ? clog2(static_cast<std::uint64_t>(c.depth)) : 1;
  vast::Module m;
  m.name = name;
  m.params = {{"BITS", std::to_string(c.width), "this memory's only: the file is written per memory"},
              {"WORDS", std::to_string(c.depth), ""},
              {"AW", std::to_string(aw), "clog2(WORDS)"}};
  m.ports = {{vast::Dir::kInput, "clk", 1, false, ""},
             {vast::Dir::kInput, "ce_in", 1, false, ""},
             {vast::Dir::kInput, "we_in", 1, false, ""},
             {vast::Dir::kInput, "addr_in", aw, false, ""},
             {vast::Dir::kInput, "wd_in", c.width, false, ""},
             {vast::Dir::kInput, "w_mask_in", c.width, false, ""},
             {vast::Dir::kOutput, "rd_out", c.width, false, ""}};
  bool banked = false;
  for (const auto& s : c.slices) banked = banked || s.banks > 1;
  if (banked) {
    m.wires.push_back({"rd_addr_q", aw, false, "the address of the last read: its bank shows"});
    m.instances.push_back({"taxonn_sram_bank_q",
                           "u_bank_q",
                           {{"AW", std::to_string(aw), ""}},
                           {{"clk_i", "clk"}, {"rd_i", "ce_in & ~we_in"}, {"addr_i", "addr_in"}, {"addr_o", "rd_addr_q"}},
                           ""});
  }
  int lo = 0;
  for (std::size_t si = 0; si < c.slices.size(); ++si) {
    const Slice& s = c.slices[si];
    const int maw = clog2(static_cast<std::uint64_t>(s.macro.words));
    const int pad = s.macro.bits - s.bits;
    auto padded = [&](const std::string& bus) {
      const std::string bits = vast::slice(bus, lo, s.bits);
      return pad > 0 ? fmt::format("{{{}, {}}}", vast::dec(pad, 0), bits) : bits;
    };
    // The macro's address: the low bits of ours, zero-extended when the
    // macro is deeper than the memory.
    const int low = std::min(aw, maw);
    const std::string addr = low < maw ? fmt::format("{{{}, {}}}", vast::dec(maw - low, 0), vast::slice("addr_in", 0, low))
                                       : vast::slice("addr_in", 0, low);
    std::string mux;  // bank 0 .. banks-1 by the last read's address, the last bank when no other
    for (int b = 0; b < s.banks; ++b) {
      const std::string rd = fmt::format("s{}_b{}_rd", si, b);
      m.wires.push_back({rd, s.macro.bits, false, pad > 0 ? fmt::format("{} unused bits", pad) : ""});
      std::string ce = "ce_in";
      if (s.banks > 1)
        ce = fmt::format("ce_in & ({} == {})", vast::slice("addr_in", maw, aw - maw),
                         vast::dec(aw - maw, static_cast<unsigned long long>(b)));
      m.instances.push_back({s.macro.name,
                             fmt::format("u_s{}_b{}", si, b),
                             {},
                             {{"clk", "clk"},
                              {"ce_in", ce},
                              {"we_in", "we_in"},
                              {"addr_in", addr},
                              {"wd_in", padded("wd_in")},
                              {"w_mask_in", padded("w_mask_in")},
                              {"rd_out", rd}},
                             fmt::format("slice {} (bits {}..{}), bank {} of {}", si, lo, lo + s.bits - 1, b, s.banks)});
      const std::string word = vast::slice(rd, 0, s.bits);
      mux += b + 1 == s.banks ? word
                              : fmt::format("({} == {}) ? {} : ", vast::slice("rd_addr_q", maw, aw - maw),
                                            vast::dec(aw - maw, static_cast<unsigned long long>(b)), word);
    }
    m.assigns.push_back({vast::slice("rd_out", lo, s.bits), mux});
    lo += s.bits;
  }
  return m;
}

}  // namespace

std::string cover_module(const Cover& c, const std::string& what) {
  vast::File f;
  f.header = {fmt::format("taxonn_sram_model for synthesis: {} ({} words x {} bits) from {} SRAM macro(s),", what,
                          c.depth, c.width, c.macros),
              fmt::format("{:.1f} um^2, {} unused bits (synth/memory.cpp, cover_module). The macros are black",
                          c.area, c.unused_bits),
              "boxes of their liberty; simulation uses rtl_templates/taxonn_sram_model.v (CONTRACT 5)."};
  f.includes = {"taxonn_defs.vh"};
  f.modules.push_back(cover_body(c, "taxonn_sram_model"));
  return f.emit();
}

std::string cover_modules(const std::vector<std::pair<Cover, std::string>>& covers) {
  if (covers.size() == 1) return cover_module(covers[0].first, covers[0].second);
  vast::File f;
  f.header = {"taxonn_sram_model for synthesis: the memories of one unit, each from its SRAM macros",
              "(synth/memory.cpp, cover_modules): the instance's WORDS and BITS pick its cover. The macros",
              "are black boxes of their liberty; simulation uses rtl_templates/taxonn_sram_model.v (CONTRACT 5)."};
  f.includes = {"taxonn_defs.vh"};
  vast::Module top;
  top.name = "taxonn_sram_model";
  // The defaults are the first memory's: Yosys elaborates the module with
  // them too, where no cover would stop it.
  const Cover& c0 = covers[0].first;
  top.params = {{"BITS", std::to_string(c0.width), "the defaults: the first memory's"},
                {"WORDS", std::to_string(c0.depth), ""},
                {"AW", std::to_string(c0.depth > 1 ? clog2(static_cast<std::uint64_t>(c0.depth)) : 1), ""}};
  top.ports = {{vast::Dir::kInput, "clk", 1, false, ""},
               {vast::Dir::kInput, "ce_in", 1, false, ""},
               {vast::Dir::kInput, "we_in", 1, false, ""},
               {vast::Dir::kInput, "addr_in", 1, false, "", "AW"},
               {vast::Dir::kInput, "wd_in", 1, false, "", "BITS"},
               {vast::Dir::kInput, "w_mask_in", 1, false, "", "BITS"},
               {vast::Dir::kOutput, "rd_out", 1, false, "", "BITS"}};
  top.no_branch = "taxonn_sram_model_no_cover";
  for (const auto& [c, what] : covers) {
    const std::string name = fmt::format("taxonn_sram_cover_{}x{}", c.depth, c.width);
    bool seen = false;
    for (const auto& b : top.branches) seen = seen || b.label == "gen_" + name;
    if (seen) continue;  // two memories of one shape share a cover
    vast::Instance inst{name, "u_cover", {}, {}, fmt::format("{} ({} words x {} bits): {} macro(s), {:.1f} um^2, {} unused bits", what, c.depth, c.width, c.macros, c.area, c.unused_bits)};
    for (const char* p : {"clk", "ce_in", "we_in", "addr_in", "wd_in", "w_mask_in", "rd_out"}) inst.conns.push_back({p, p});
    top.branches.push_back({fmt::format("(WORDS == {}) && (BITS == {})", c.depth, c.width), "gen_" + name, {inst}});
    f.modules.push_back(cover_body(c, name));
  }
  f.modules.insert(f.modules.begin(), top);
  return f.emit();
}

}  // namespace taxonn::mem
