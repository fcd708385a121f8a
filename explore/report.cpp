// The explore study's files (study.hpp): points.{json,csv} after every
// batch, and at the end the front, its configs' table, the report and the
// plot.
#include <algorithm>
#include <cmath>
#include <cstdlib>

#include <fmt/format.h>

#include "io_util.hpp"
#include "pareto.hpp"
#include "study.hpp"

namespace taxonn::explore::detail {

json Study::point_json(const Point& p) const {
  json f = json::object(), pe = json::object();
  for (std::size_t k = 0; k < weighted_.size(); ++k) {
    f[s_.config.layers[weighted_[k]].name] = {p.formats[k].first, p.formats[k].second};
    pe[s_.config.layers[weighted_[k]].name] = p.pes[k];
  }
  json j = {{"id", p.id}, {"label", p.label}, {"origin", p.origin}, {"formats", f}, {"pes", pe}};
  if (p.screened) j["screen_accuracy"] = {{"mean", mean(p.screen_accs)}, {"seeds", p.screen_accs}};
  if (p.measured) j["accuracy"] = {{"mean", mean(p.accs)}, {"seeds", p.accs}};
  if (p.costed) {
    j["area"] = p.area;
    j["cycles_per_step"] = p.cycles;
    if (!lib_.empty()) {
      j["power_mw"] = p.power_mw;
      j["energy_nj_per_sample"] = p.energy_nj;
      j["fmax_mhz"] = p.fmax;
    }
    json u = json::object();
    for (const auto& [t, a] : p.unit_area) u[t] = a;
    j["unit_area"] = u;
  }
  j["feasible"] = p.feasible;
  j["front"] = p.front;
  if (!p.verify.empty()) j["rtl_check"] = p.verify;
  if (!p.error.empty()) j["error"] = p.error;
  if (!p.config_file.empty()) j["config"] = p.config_file.lexically_relative(fs::absolute(out_)).string();
  return j;
}

// points.{json,csv}, written whole after every batch (atomically: a killed
// run leaves the last complete state); at the end also the front, its
// configs, the plot and the report.
void Study::write_results(bool final) {
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0_).count();
  std::size_t unit_run = 0, unit_reused = 0;
  for (const auto& [k, r] : unit_reused_) (r ? unit_reused : unit_run) += 1;
  json objs = json::array();
  for (Objective o : objectives_) objs.push_back(to_string(o));
  auto job_seconds = [&] {
    json js = {{"synthesis", 0.0}, {"training", 0.0}, {"rtl_check", 0.0}};
    for (const auto& [k, v] : job_seconds_) js[v.first] = js[v.first].get<double>() + v.second;
    return js;
  };
  json all = {{"study", s_.name},
              {"description", s_.description},
              {"generated_by", provenance(s_.config)},
              {"spec", fs::path(s_.source).filename().string()},
              {"dataset", s_.dataset},
              {"liberty", liberty_shown_.empty() ? "(none: Yosys generic cells)" : fs::path(liberty_shown_).filename().string()},
              {"memory", s_.sram.empty() ? "flops" : "sram: " + s_.sram.filename().string()},
              {"area_unit", lib_.empty() ? "transistors" : "um^2"},
              {"clock_ns", s_.clock_ns},
              {"objectives", objs},
              {"search_cost", cost_},
              {"max_accuracy_drop", s_.max_accuracy_drop},
              {"float_accuracy", {{"screen", float_screen_}, {"accuracy", float_acc_}}},
              {"syntheses", {{"unit_instances", unit_instances_}, {"unique_units", unit_reused_.size()},
                             {"run", unit_run}, {"reused", unit_reused}}},
              {"trainings", {{"run", trains_run_}, {"reused", trains_reused_}}},
              {"wall_seconds", secs},
              {"wall_seconds_total", earlier_wall_ + secs},
              {"job_seconds", job_seconds()},
              {"finished", final},
              {"log", log_}};
  if (!note_.empty()) all["note"] = note_;
  json pj = json::array();
  std::string csv = "id,label,origin,screen_accuracy,accuracy,area,energy_nj_per_sample,power_mw,cycles_per_step,"
                    "fmax_mhz,feasible,front,rtl_check,error\n";
  for (const Point& p : pts_) {
    pj.push_back(point_json(p));
    auto num = [](bool have, double v, const char* f) { return have ? fmt::format(fmt::runtime(f), v) : std::string(); };
    csv += fmt::format("{},\"{}\",\"{}\",{},{},{},{},{},{},{},{},{},\"{}\",\"{}\"\n", p.id, p.label, p.origin,
                       num(p.screened, mean(p.screen_accs), "{:.3f}"), num(p.measured, mean(p.accs), "{:.3f}"),
                       num(p.costed, p.area, "{:.1f}"), num(p.costed && !lib_.empty(), p.energy_nj, "{:.3f}"),
                       num(p.costed && !lib_.empty(), p.power_mw, "{:.3f}"), p.costed ? std::to_string(p.cycles) : "",
                       num(p.costed && !lib_.empty(), p.fmax, "{:.1f}"), p.feasible ? 1 : 0, p.front ? 1 : 0, p.verify,
                       p.error);
  }
  all["points"] = pj;
  write_atomic(out_ / "points.json", all.dump(1) + "\n");
  write_atomic(out_ / "points.csv", csv);
  if (!final) return;
  std::string fcsv = "id,label,screen_accuracy,accuracy,area,energy_nj_per_sample,cycles_per_step,fmax_mhz,feasible,rtl_check,config\n";
  for (std::size_t i : front_) {
    const Point& p = pts_[i];
    fcsv += fmt::format("{},\"{}\",{:.3f},{},{:.1f},{},{},{},{},\"{}\",{}\n", p.id, p.label, search_acc(p),
                        p.measured ? fmt::format("{:.3f}", mean(p.accs)) : "", p.area,
                        lib_.empty() ? "" : fmt::format("{:.3f}", p.energy_nj), p.cycles,
                        lib_.empty() ? "" : fmt::format("{:.1f}", p.fmax), p.feasible ? 1 : 0, p.verify,
                        p.config_file.lexically_relative(fs::absolute(out_)).string());
  }
  write_atomic(out_ / "front.csv", fcsv);
  write_atomic(out_ / "report.md", report_md(all));
  plot();
}


// The config's own formats against the front: the smallest and the
// lowest-energy feasible front points at least as accurate, or within 0.2
// points.
std::string Study::against_config() const {
  const bool mm2 = !lib_.empty();
  auto area = [&](double a) { return mm2 ? fmt::format("{:.3f}", a * 1e-6) : fmt::format("{:.0f}", a); };
  std::string s;
  // Against the config's formats: the cheapest feasible front points whose
  // accuracy is within 0.2 points of it.
  const auto paper = std::find_if(pts_.begin(), pts_.end(), [](const Point& p) { return p.origin.find("paper") != std::string::npos; });
  if (paper != pts_.end() && usable(*paper)) {
    auto fin = [&](const Point& p) { return p.measured ? mean(p.accs) : search_acc(p); };
    const Point* best_area = nullptr;
    const Point* best_energy = nullptr;
    for (std::size_t i : front_) {
      const Point& p = pts_[i];
      if (!p.feasible || fin(p) < fin(*paper) - 0.2) continue;
      if (!best_area || p.area < best_area->area) best_area = &p;
      if (!best_energy || p.energy_nj < best_energy->energy_nj) best_energy = &p;
    }
    s += fmt::format("\n## Against the config's own formats {}\n\nThe config's formats: accuracy {:.2f}%, area {}, "
                     "{}{} cycles per step.\n",
                     paper->label, fin(*paper), area(paper->area),
                     mm2 ? fmt::format("{:.1f} nJ per training sample, ", paper->energy_nj) : "", paper->cycles);
    // "12.3% less area" or "4.5% more energy": against the config's formats.
    auto change = [](double now, double then, const char* what) {
      const double pct = 100.0 * (1 - now / then);
      return fmt::format("{:.1f}% {} {}", std::abs(pct), pct >= 0 ? "less" : "more", what);
    };
    if (!best_area) {
      s += "No feasible front point is as accurate as it, or within 0.2 points.\n";
    } else {
      s += fmt::format("Of the feasible front points at least as accurate as it, or within 0.2 points, the smallest is "
                       "{} ({}): {:.2f}%, {}",
                       best_area->id, best_area->label, fin(*best_area), change(best_area->area, paper->area, "area"));
      if (mm2) s += ", " + change(best_area->energy_nj, paper->energy_nj, "energy");
      s += ".\n";
      if (mm2)
        s += fmt::format("The lowest-energy one is {} ({}): {:.2f}%, {}, {}.\n", best_energy->id, best_energy->label,
                         fin(*best_energy), change(best_energy->energy_nj, paper->energy_nj, "energy"),
                         change(best_energy->area, paper->area, "area"));
    }
  }
  return s;
}

std::string Study::report_md(const json& all) const {
  const bool mm2 = !lib_.empty();
  auto area = [&](double a) { return mm2 ? fmt::format("{:.3f}", a * 1e-6) : fmt::format("{:.0f}", a); };
  auto acc = [](const Point& p, bool screen) {
    const auto& v = screen ? p.screen_accs : p.accs;
    if (v.empty()) return std::string("");
    return v.size() > 1 ? fmt::format("{:.2f} ({} seeds)", mean(v), v.size()) : fmt::format("{:.2f}", mean(v));
  };
  auto measure = [](const Measure& m) {
    return fmt::format("{} epoch{}, seeds {}, {} training / {} test images", m.epochs, m.epochs > 1 ? "s" : "",
                       fmt::join(m.seeds, " "), m.train_limit ? std::to_string(m.train_limit) : "all",
                       m.test_limit ? std::to_string(m.test_limit) : "all");
  };
  std::string s = fmt::format("# Explore: {}\n\n{}\n\nWritten by `taxonn explore --spec {}` from this folder's "
                              "points.json. Config `{}`, dataset {}, {}, {}, clock {} ns.\n\n",
                              s_.name, s_.description, all.at("spec").get<std::string>(), s_.config.name, s_.dataset,
                              lib_.empty() ? "Yosys generic cells (area in transistors)"
                                           : "liberty " + all.at("liberty").get<std::string>(),
                              s_.sram.empty() ? "flip-flop memories"
                                              : "SRAM memories (macros of " + s_.sram.filename().string() + ")",
                              s_.clock_ns);
  if (!note_.empty()) s += fmt::format("**Note:** {}.\n\n", note_);
  std::string objs;
  for (Objective o : objectives_) objs += fmt::format("{}{} ({})", objs.empty() ? "" : ", ", to_string(o), maximized(o) ? "max" : "min");
  s += fmt::format("- Objectives: {}. Feasible: accuracy >= float - {:.2f} points (float: {:.2f}%{}).\n", objs,
                   s_.max_accuracy_drop, search_float(),
                   s_.screen ? fmt::format(" screened, {:.2f}% in full", mean(float_acc_)) : "");
  if (s_.screen) s += fmt::format("- Screen (the search's measurement): {}.\n", measure(*s_.screen));
  s += fmt::format("- Accuracy (the report's measurement{}): {}.\n", s_.screen ? ", of the feasible front and the anchors" : "",
                   measure(s_.accuracy));
  s += fmt::format("- Search: {} (cost {}, {} fraction bit{} per move), {} random points, seed {}; budget {} format "
                   "points, {} PE-count variants.\n",
                   s_.strategy, cost_, s_.step, s_.step > 1 ? "s" : "", s_.random_points, s_.seed, s_.points, s_.pe_points);
  const json& sy = all.at("syntheses");
  const json& js = all.at("job_seconds");
  s += fmt::format("- Work: {} points ({} format points trained); trainings {} run, {} reused; unit syntheses: {} "
                   "instances over all points, {} unique: {} run in this run, {} reused from earlier runs.\n",
                   pts_.size(), trained_formats(), trains_run_, trains_reused_, sy.at("unit_instances").get<int>(),
                   sy.at("unique_units").get<std::size_t>(), sy.at("run").get<std::size_t>(),
                   sy.at("reused").get<std::size_t>());
  s += fmt::format("- Time: the study's distinct jobs took {:.0f} s of synthesis, {:.0f} s of training and {:.0f} s of "
                   "RTL checks (each job once, as long as it took when it ran); wall time {:.0f} s over the runs that "
                   "wrote this folder, {:.0f} s of it in the last.\n\n",
                   js.at("synthesis").get<double>(), js.at("training").get<double>(), js.at("rtl_check").get<double>(),
                   all.at("wall_seconds_total").get<double>(), all.at("wall_seconds").get<double>());
  std::string fmts;
  for (std::size_t i : weighted_) fmts += fmt::format("{}{}", fmts.empty() ? "" : " ", s_.config.layers[i].name);
  const bool scr = s_.screen.has_value();
  auto header = [&] {
    return fmt::format("| id | formats ({}) | origin |{} accuracy (%) | area ({}) | energy (nJ/sample) | "
                       "cycles/step | Fmax (MHz) | feasible | RTL check |\n| --- | --- | --- |{} ---: | ---: | ---: | "
                       "---: | ---: | --- | --- |\n",
                       fmts, scr ? " screen acc. (%) |" : "", mm2 ? "mm^2" : "transistors", scr ? " ---: |" : "");
  };
  auto row = [&](const Point& p) {
    return fmt::format("| {} | {} | {} |{} {} | {} | {} | {} | {} | {} | {} |\n",
                       p.config_file.empty() ? p.id : fmt::format("[{}](front/{})", p.id, p.config_file.filename().string()),
                       p.label, p.origin, scr ? fmt::format(" {} |", acc(p, true)) : "", acc(p, false),
                       p.costed ? area(p.area) : "", p.costed && mm2 ? fmt::format("{:.1f}", p.energy_nj) : "",
                       p.costed ? std::to_string(p.cycles) : "", p.costed && mm2 ? fmt::format("{:.0f}", p.fmax) : "",
                       p.feasible ? "yes" : "no", p.verify.empty() ? "" : p.verify);
  };
  s += "## The front\n\nNo evaluated point is better in every objective than these (by the search's measurement); "
       "each links its config." +
       std::string(scr ? " `screen acc.` is the search's measurement, `accuracy` the full one (feasible points)." : "") +
       "\n\n" + header();
  for (std::size_t i : front_) s += row(pts_[i]);
  s += against_config();
  s += "\n## Anchors\n\n" + header();
  for (const Point& p : pts_)
    if (p.origin.find("paper") != std::string::npos || p.origin.find("uniform") != std::string::npos) s += row(p);
  if (s_.screen) {
    std::vector<double> a, b;
    for (const Point& p : pts_)
      if (p.screened && p.measured) a.push_back(mean(p.screen_accs)), b.push_back(mean(p.accs));
    const double rho = spearman(a, b);
    s += fmt::format("\n## How well the screen ranks points\n\nOver the {} points measured both ways, Spearman's rank "
                     "correlation of the screen's accuracy with the full measurement is {}.\n",
                     a.size(), std::isnan(rho) ? std::string("undefined (too few points or no spread)") : fmt::format("{:.2f}", rho));
  }
  std::string errors;
  for (const Point& p : pts_)
    if (!p.error.empty()) errors += fmt::format("- {} ({}): {}\n", p.label, p.origin, p.error);
  if (!errors.empty()) s += "\n## Points that could not be measured\n\n" + errors;
  s += "\n## The search\n\n";
  for (const auto& l : log_) s += "- " + l + "\n";
  s += "\n## Plot\n\n![accuracy against area and energy](explore.svg)\n\nEvery point is in points.csv and points.json; "
       "the front in front.csv.\n";
  return s;
}

void Study::plot() const {
  const bool mm2 = !lib_.empty();
  // Only the sets that have points are plotted (gnuplot 5.4 crashes on an empty labels set).
  auto dat = [&](auto pred) {
    std::vector<const Point*> v;
    for (const Point& p : pts_)
      if (usable(p) && pred(p)) v.push_back(&p);
    std::sort(v.begin(), v.end(), [](auto* a, auto* b) { return a->area < b->area; });
    std::string t;
    for (const Point* p : v)
      t += fmt::format("{:.6f} {:.4f} {:.4f} \"{}\"\n", mm2 ? p->area * 1e-6 : p->area, p->energy_nj, search_acc(*p),
                       p->origin.find("uniform") != std::string::npos ? p->origin.substr(p->origin.find("W =") + 4) : p->label);
    return t;
  };
  const std::vector<std::pair<std::string, std::string>> sets = {
      {"all", dat([](const Point&) { return true; })},
      {"front", dat([](const Point& p) { return p.front; })},
      {"uniform", dat([](const Point& p) { return p.origin.find("uniform") != std::string::npos; })},
      {"paper", dat([](const Point& p) { return p.origin.find("paper") != std::string::npos; })}};
  const std::string acc_label = s_.screen ? "test accuracy, screened (%)" : "test accuracy (%)";
  auto panel = [&](int xcol, const std::string& xlabel) {
    std::vector<std::string> parts;
    for (const auto& [name, text] : sets) {
      if (text.empty()) continue;
      if (name == "all") parts.push_back(fmt::format("'all.dat' using {}:3 with points pt 7 ps 0.5 lc rgb '#999999' title 'evaluated'", xcol));
      if (name == "front") parts.push_back(fmt::format("'front.dat' using {}:3 with points pt 7 ps 1.1 lc rgb '#cc2222' title 'front'", xcol));
      if (name == "uniform") {
        parts.push_back(fmt::format("'uniform.dat' using {}:3 with points pt 9 ps 1.2 lc rgb '#2255cc' title 'uniform W'", xcol));
        parts.push_back(fmt::format("'uniform.dat' using {}:3:4 with labels offset 0,-1 font ',8' notitle", xcol));
      }
      if (name == "paper")
        parts.push_back(fmt::format("'paper.dat' using {}:3 with points pt 3 ps 2 lw 2 lc rgb '#000000' title 'the config''s formats'", xcol));
    }
    return fmt::format("set xlabel '{}'\nset ylabel '{}'\nplot {}\n", xlabel, acc_label, fmt::join(parts, ", \\\n     "));
  };
  for (const auto& [name, text] : sets) write_atomic(out_ / (name + ".dat"), text);
  if (sets.front().second.empty()) {
    fmt::print(stderr, "explore: no point was measured: no plot\n");
    return;
  }
  std::string gp = fmt::format("# explore study '{}': accuracy against area{} (written by taxonn explore)\n"
                               "set terminal svg size {},450 dynamic background '#ffffff'\nset output 'explore.svg'\n"
                               "set grid\nset key bottom right\nset multiplot layout 1,{} title 'explore: {}' noenhanced\n",
                               s_.name, mm2 ? " and energy" : "", mm2 ? 1100 : 600, mm2 ? 2 : 1, s_.name);
  gp += panel(1, mm2 ? "accelerator area (mm^2)" : "accelerator area (transistors, generic cells)");
  if (mm2) gp += panel(2, "energy per training sample (nJ)");
  gp += "unset multiplot\n";
  write_atomic(out_ / "explore.gp", gp);
  if (std::system("command -v gnuplot >/dev/null 2>&1") != 0 ||
      std::system(fmt::format("cd {} && gnuplot explore.gp >/dev/null 2>&1", shell_quote(out_.string())).c_str()) != 0)
    fmt::print(stderr, "explore: gnuplot not available or failed: explore.gp is written, no SVG\n");
}


}  // namespace taxonn::explore::detail
