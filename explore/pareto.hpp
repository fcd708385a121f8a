// The front of a multi-objective search (`taxonn explore`, docs/explore.md):
// which points no other point dominates, and how well one measurement ranks
// points against another (Spearman's rank correlation). Pure functions, so
// the tests can check them against brute force.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <numeric>
#include <vector>

namespace taxonn::explore {

// `a` dominates `b` when it is no worse in every objective and better in at
// least one; every objective is oriented so that smaller is better (a
// maximized objective is negated by the caller).
inline bool dominates(const std::vector<double>& a, const std::vector<double>& b) {
  bool better = false;
  for (std::size_t k = 0; k < a.size(); ++k) {
    if (a[k] > b[k]) return false;
    better |= a[k] < b[k];
  }
  return better;
}

// The indices (ascending) of the points no other point dominates. Points
// with equal objectives do not dominate each other: both are on the front.
inline std::vector<std::size_t> pareto_front(const std::vector<std::vector<double>>& v) {
  std::vector<std::size_t> front;
  for (std::size_t i = 0; i < v.size(); ++i) {
    bool dominated = false;
    for (std::size_t j = 0; j < v.size() && !dominated; ++j) dominated = j != i && dominates(v[j], v[i]);
    if (!dominated) front.push_back(i);
  }
  return front;
}

// Ranks from 1, ties given their mean rank.
inline std::vector<double> ranks(const std::vector<double>& x) {
  std::vector<std::size_t> order(x.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return x[a] < x[b]; });
  std::vector<double> r(x.size());
  for (std::size_t i = 0; i < order.size();) {
    std::size_t j = i;
    while (j + 1 < order.size() && x[order[j + 1]] == x[order[i]]) ++j;
    const double mean = (static_cast<double>(i) + static_cast<double>(j)) / 2.0 + 1.0;
    for (std::size_t k = i; k <= j; ++k) r[order[k]] = mean;
    i = j + 1;
  }
  return r;
}

// Spearman's rho: the Pearson correlation of the ranks; NaN with fewer than
// two points or when either side is constant (no ranking to compare).
inline double spearman(const std::vector<double>& a, const std::vector<double>& b) {
  if (a.size() != b.size() || a.size() < 2) return std::nan("");
  const std::vector<double> ra = ranks(a), rb = ranks(b);
  const double n = static_cast<double>(a.size());
  const double ma = std::accumulate(ra.begin(), ra.end(), 0.0) / n, mb = std::accumulate(rb.begin(), rb.end(), 0.0) / n;
  double sab = 0, saa = 0, sbb = 0;
  for (std::size_t i = 0; i < ra.size(); ++i) {
    sab += (ra[i] - ma) * (rb[i] - mb);
    saa += (ra[i] - ma) * (ra[i] - ma);
    sbb += (rb[i] - mb) * (rb[i] - mb);
  }
  if (saa == 0 || sbb == 0) return std::nan("");
  return sab / std::sqrt(saa * sbb);
}

}  // namespace taxonn::explore
