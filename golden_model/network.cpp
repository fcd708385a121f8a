// The network model's layers (docs/CONTRACT.md 3). Loops are ordered so the
// innermost one runs along a row with a scalar weight: the compiler
// vectorizes it for both arithmetics.
#include "network.hpp"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "io_util.hpp"
#include "net_model.hpp"

// The fixed-point inner loops are kernels.cpp's, built for AVX-512, AVX2 and any
// x86-64 (GCC makes no target clones of templates such as these).

namespace taxonn {

void check_fixed_trainable(const Config& c) {
  for (std::size_t i = 0; i < c.layers.size(); ++i) {
    if (!c.layers[i].weighted()) continue;
    const PeParams p = pe_params(c, i);
    if (p.acc_width() > 63)
      throw ConfigError(fmt::format("layers[{}].format: 2W + {} guard bits = {} exceeds the 63 bits the fixed-point "
                                    "trainer computes in; use W <= {}",
                                    i, p.guard_bits, p.acc_width(), (63 - p.guard_bits) / 2));
  }
}

bool fixed_fits_double(const Config& c) {
  for (std::size_t i = 0; i < c.layers.size(); ++i) {
    if (!c.layers[i].weighted()) continue;
    const PeParams p = pe_params(c, i);
    // |product| <= 2^(2W-2); a sum of 2^G of them, plus a base W * 2^F
    // (< 2^(2W-2)), stays below 2^(2W-1+G).
    if (2 * p.width() - 1 + p.guard_bits > 53) return false;
  }
  return true;
}

template <class A>
std::uint64_t Network<A>::memory_bytes(const Config& c) {
  std::uint64_t values = 0;
  for (const LayerConfig& lc : c.layers) {
    const std::uint64_t in = static_cast<std::uint64_t>(lc.in_shape.size());
    const std::uint64_t out = static_cast<std::uint64_t>(lc.out_shape.size());
    std::uint64_t w = 0, cols = 0;
    if (lc.type == LayerType::kFc) w = out * in;
    if (lc.type == LayerType::kConv) {
      w = static_cast<std::uint64_t>(lc.out_channels) * static_cast<std::uint64_t>(lc.fan_in());
      cols = static_cast<std::uint64_t>(lc.fan_in()) * static_cast<std::uint64_t>(lc.out_shape.height) *
             static_cast<std::uint64_t>(lc.out_shape.width);
    }
    values += w + out + in + 3 * out + cols;  // w, b; x; z, y, g; patches
  }
  return values * sizeof(V);
}

template <class A>
Network<A>::Network(const Config& c, std::uint64_t seed)
    : cfg_(c), input_(c.input_format, Activation::kIdentity, 0.0, c.lfsr) {
  if constexpr (A::kFixed) check_fixed_trainable(c);
  // A network in the config's ranges can still need more memory than the
  // machine has: refuse it with the number, not with std::bad_alloc later.
  const std::string refusal = memory_refusal(c.name + ": the model (weights, activations, gradients)", memory_bytes(c),
                                             "make the layers smaller");
  if (!refusal.empty()) throw ConfigError(refusal);
  std::mt19937_64 rng(seed);
  // Uniform in [-1, 1) from raw bits: the same on every platform.
  auto uniform = [&] { return static_cast<double>(rng() >> 11) * std::ldexp(1.0, -52) - 1.0; };
  layers_.resize(c.layers.size());
  int last = -1;
  for (std::size_t i = 0; i < c.layers.size(); ++i) {
    const LayerConfig& lc = c.layers[i];
    Layer& L = layers_[i];
    L.cfg = &cfg_.layers[i];
    if (!lc.weighted()) {
      L.arith = last;
      continue;
    }
    arith_.emplace_back(lc.format, lc.activation, lc.alpha, c.lfsr);
    last = L.arith = static_cast<int>(arith_.size() - 1);
    const int fan_in = lc.fan_in();
    const int fan_out = lc.type == LayerType::kFc ? lc.neurons : lc.out_channels * lc.kernel * lc.kernel;
    const double limit = is_relu(lc.activation) ? std::sqrt(6.0 / fan_in)
                                                             : std::sqrt(6.0 / (fan_in + fan_out));
    const std::size_t n = static_cast<std::size_t>(lc.type == LayerType::kFc ? lc.neurons : lc.out_channels) *
                          static_cast<std::size_t>(fan_in);
    A& a = arith_.back();
    for (std::size_t k = 0; k < n; ++k) L.w.push_back(a.from_real(limit * uniform()));
    const int outs = lc.type == LayerType::kFc ? lc.neurons : lc.out_channels;
    L.b.assign(static_cast<std::size_t>(outs), 0);
    a.counters.clear();
  }
  make_rngs();
}

// Every rounder of a stochastic layer has its own LFSR, started at the
// config's seed salted with the layer's and the rounder's salt (CONTRACT 3,
// rule 8; taxonn_lfsr's SALT), as the network RTL has them.
template <class A>
void Network<A>::make_rngs() {
  if constexpr (!A::kFixed) return;
  const QFormat* below = nullptr;
  for (std::size_t i = 0; i < layers_.size(); ++i) {
    Layer& L = layers_[i];
    const LayerConfig& lc = *L.cfg;
    if (lc.type == LayerType::kConv) {
      // taxonn_conv_layer's drain: output (pass, pixel, column) is channel
      // pass * P + column, the passes' last one partial.
      const std::uint32_t p = static_cast<std::uint32_t>(lc.array_cols > 0 ? lc.array_cols : lc.out_channels);
      const std::uint32_t oc = static_cast<std::uint32_t>(lc.out_shape.channels);
      const std::uint32_t m = static_cast<std::uint32_t>(lc.out_shape.height * lc.out_shape.width);
      L.drain.clear();
      for (std::uint32_t c0 = 0; c0 < oc; c0 += p)
        for (std::uint32_t px = 0; px < m; ++px)
          for (std::uint32_t c = c0; c < std::min(oc, c0 + p); ++c) L.drain.push_back(c * m + px);
    } else if (lc.type == LayerType::kPool && i > 0 && !layers_[i - 1].drain.empty()) {
      // taxonn_pool_layer: a window's output leaves when its bottom-right
      // input arrives (each channel arrives in raster order).
      const std::uint32_t iw = static_cast<std::uint32_t>(lc.in_shape.width);
      const std::uint32_t ow = static_cast<std::uint32_t>(lc.out_shape.width);
      L.drain.clear();
      for (std::uint32_t in : layers_[i - 1].drain) {
        const std::uint32_t row = in / iw, x = in % iw;  // row = channel * IH + y
        if ((row & 1u) && (x & 1u)) L.drain.push_back((row >> 1) * ow + (x >> 1));
      }
    }
    const QFormat* f = lc.weighted() ? &lc.format : below;
    below = f;
    if (f == nullptr || f->rounding != Rounding::kStochastic) continue;
    const std::uint32_t base = layer_salt(static_cast<int>(i));
    auto lfsr = [&](std::uint32_t unit) { return Lfsr(salted(cfg_.lfsr, base + unit)); };
    for (std::uint32_t u : {kSaltG, kSaltFd, kSaltX, kSaltR1}) L.rng.unit.push_back(lfsr(u));
    if (!lc.weighted()) continue;
    L.cols_p = lc.type == LayerType::kFc ? (lc.pes > 0 ? lc.pes : lc.neurons)
                                         : (lc.array_cols > 0 ? lc.array_cols : lc.out_channels);
    const int rows = lc.type == LayerType::kFc ? 1 : lc.kernel;
    for (int p = 0; p < rows * L.cols_p; ++p) L.rng.pe.push_back(lfsr(kSaltPe + static_cast<std::uint32_t>(p)));
    if (lc.type == LayerType::kConv)
      for (int c = 0; c < L.cols_p; ++c) L.rng.zcol.push_back(lfsr(kSaltZCol + static_cast<std::uint32_t>(c)));
  }
}

template <class A>
void Network<A>::fc_forward(Layer& L, A& a) {
  const int in = L.cfg->in_shape.size(), out = L.cfg->neurons;
  L.z.resize(static_cast<std::size_t>(out));
  L.y.resize(static_cast<std::size_t>(out));
  if constexpr (A::kFixed) {
    // Exact integer sums: every neuron's dot product at once, the bias after.
    sums_.resize(static_cast<std::size_t>(out));
    kern::rows_dot(sums_.data(), L.x.data(), L.w.data(), static_cast<std::size_t>(out), static_cast<std::size_t>(in));
    if (L.cfg->bias)
      for (std::size_t o = 0; o < sums_.size(); ++o) sums_[o] += a.base(L.b[o]);
    if (a.draws()) {
      // Neuron j's PE (j mod P) rounds z, then f' (CONTRACT 3, rule 8).
      L.fd.resize(static_cast<std::size_t>(out));
      for (std::size_t o = 0; o < sums_.size(); ++o) {
        a.use(&L.rng.pe[o % static_cast<std::size_t>(L.cols_p)]);
        L.z[o] = a.round(sums_[o]);
        L.fd[o] = a.deriv(L.z[o]);
      }
      a.use(nullptr);
    } else {
      a.round_row(sums_.data(), L.z.data(), out);
    }
    for (std::size_t o = 0; o < sums_.size(); ++o) L.y[o] = a.act(L.z[o]);
  } else {
    for (int j = 0; j < out; ++j) {
      const std::size_t o = static_cast<std::size_t>(j);
      const Acc acc = dot<A>(L.cfg->bias ? a.base(L.b[o]) : Acc{0}, &L.w[o * in], L.x.data(), static_cast<std::size_t>(in));
      L.z[o] = a.round(acc);
      L.y[o] = a.act(L.z[o]);
    }
  }
}

// Convolutions run on patch matrices (im2col): cols[(c,u,v)][(y,x)] =
// x[c][y+u][x+v], so every inner loop runs over the oh*ow output positions.
// Integer sums are exact, so the order of the fixed-point sums is free.
template <class A>
void Network<A>::conv_forward(Layer& L, A& a) {
  const Shape& is = L.cfg->in_shape;
  const Shape& os = L.cfg->out_shape;
  const int k = L.cfg->kernel, oh = os.height, ow = os.width, ih = is.height, iw = is.width;
  const std::size_t plane = static_cast<std::size_t>(oh * ow);
  const std::size_t patch = static_cast<std::size_t>(is.channels * k * k);
  L.cols.resize(patch * plane);
  for (int c = 0; c < is.channels; ++c)
    for (int u = 0; u < k; ++u)
      for (int v = 0; v < k; ++v) {
        V* col = &L.cols[((static_cast<std::size_t>(c) * k + u) * k + v) * plane];
        for (int y = 0; y < oh; ++y)
          std::copy_n(&L.x[(static_cast<std::size_t>(c) * ih + y + u) * iw + v], ow, col + static_cast<std::size_t>(y) * ow);
      }
  L.z.resize(static_cast<std::size_t>(os.size()));
  L.y.resize(L.z.size());
  plane_.resize(plane);
  for (int oc = 0; oc < os.channels; ++oc) {
    std::fill(plane_.begin(), plane_.end(), L.cfg->bias ? a.base(L.b[static_cast<std::size_t>(oc)]) : Acc{0});
    const V* w = &L.w[static_cast<std::size_t>(oc) * patch];
    if constexpr (A::kFixed) {
      kern::scaled_rows_sum(plane_.data(), w, 1, L.cols.data(), patch, plane);
    } else {
      for (std::size_t p = 0; p < patch; ++p) axpy<A>(plane_.data(), w[p], &L.cols[p * plane], plane);
    }
    if (a.draws()) a.use(&L.rng.zcol[static_cast<std::size_t>(oc % L.cols_p)]);  // the column's z rounder
    a.round_row(plane_.data(), &L.z[oc * plane], static_cast<int>(plane));
    a.use(nullptr);
    for (std::size_t o = oc * plane; o < (oc + 1) * plane; ++o) L.y[o] = a.act(L.z[o]);
  }
  if (a.draws()) {
    // The drain's f' unit, one output per cycle in the drain's order.
    L.fd.resize(L.z.size());
    a.use(&L.rng.unit[kUnitFd]);
    for (std::uint32_t o : L.drain) L.fd[o] = a.deriv(L.z[o]);
    a.use(nullptr);
  }
}

template <class A>
void Network<A>::pool_forward(Layer& L, const std::vector<V>& in) {
  const Shape& is = L.cfg->in_shape;
  const Shape& os = L.cfg->out_shape;
  A& a = arith_[static_cast<std::size_t>(L.arith)];
  L.y.resize(static_cast<std::size_t>(os.size()));
  L.arg.resize(L.y.size());
  for (int c = 0; c < os.channels; ++c) {
    for (int y = 0; y < os.height; ++y) {
      for (int x = 0; x < os.width; ++x) {
        const std::size_t o = (static_cast<std::size_t>(c) * os.height + y) * os.width + x;
        const std::size_t i0 = (static_cast<std::size_t>(c) * is.height + 2 * y) * is.width + 2 * x;
        const V v[4] = {in[i0], in[i0 + 1], in[i0 + is.width], in[i0 + is.width + 1]};
        if (L.cfg->pool == PoolKind::kMax) {
          std::uint8_t best = 0;  // the first maximum in scan order
          for (std::uint8_t q = 1; q < 4; ++q)
            if (v[q] > v[best]) best = q;
          L.arg[o] = best;
          L.y[o] = v[best];
        } else {
          Acc s = 0;
          for (V q : v) s += static_cast<Acc>(q);
          L.y[o] = a.avg4(s);
        }
      }
    }
  }
}

template <class A>
int Network<A>::forward(const std::uint8_t* image) {
  const std::vector<V>* prev = nullptr;
  const Layer* prev_layer = nullptr;
  int prev_arith = -1;
  std::vector<V> input;
  for (Layer& L : layers_) {
    if (!L.cfg->weighted()) {
      pool_forward(L, *prev);
      prev = &L.y;
      prev_layer = &L;
      continue;
    }
    A& a = arith_[static_cast<std::size_t>(L.arith)];
    const std::size_t n = static_cast<std::size_t>(L.cfg->in_shape.size());
    L.x.resize(n);
    a.use(unit_rng(L, kUnitX));  // the input's conversion, in the order the values arrive
    if (prev == nullptr) {
      for (std::size_t i = 0; i < n; ++i) L.x[i] = a.convert(input_.from_real(image[i] / 255.0), input_);
    } else {
      A& from = arith_[static_cast<std::size_t>(prev_arith)];
      if (a.holds(from)) std::copy_n(prev->begin(), n, L.x.begin());  // every value exact: convert() is the identity
      else if (!prev_layer->drain.empty())
        for (std::uint32_t i : prev_layer->drain) L.x[i] = a.convert((*prev)[i], from);  // a conv's drain order
      else
        for (std::size_t i = 0; i < n; ++i) L.x[i] = a.convert((*prev)[i], from);
    }
    a.use(nullptr);
    if (L.cfg->type == LayerType::kFc) fc_forward(L, a);
    else conv_forward(L, a);
    prev = &L.y;
    prev_layer = &L;
    prev_arith = L.arith;
  }
  const auto& y = layers_.back().y;
  return static_cast<int>(std::max_element(y.begin(), y.end()) - y.begin());
}

template <class A>
std::vector<typename Network<A>::V> Network<A>::fc_input_grad(const Layer& L, const std::vector<V>& g, A& a, A& low) {
  const int in = L.cfg->in_shape.size(), out = L.cfg->neurons;
  // Step 1 in this layer's format: the exact sum of G[j] * W[j,k] (2F
  // fractional bits), then one conversion into the layer below (CONTRACT 3).
  std::vector<Acc> acc(static_cast<std::size_t>(in), Acc{0});
  if constexpr (A::kFixed) {
    kern::scaled_rows_sum(acc.data(), g.data(), 1, L.w.data(), static_cast<std::size_t>(out), static_cast<std::size_t>(in));
  } else {
    for (int j = 0; j < out; ++j) {
      const V gj = g[static_cast<std::size_t>(j)];
      if (gj == 0) continue;  // adds nothing
      axpy<A>(acc.data(), gj, &L.w[static_cast<std::size_t>(j) * in], static_cast<std::size_t>(in));
    }
  }
  std::vector<V> r(static_cast<std::size_t>(in));
  low.reduce_row(acc.data(), r.data(), in, a);
  return r;
}

template <class A>
std::vector<typename Network<A>::V> Network<A>::conv_input_grad(const Layer& L, const std::vector<V>& g,
                                                                            A& a, A& low) {
  const Shape& is = L.cfg->in_shape;
  const Shape& os = L.cfg->out_shape;
  const int k = L.cfg->kernel, oh = os.height, ow = os.width, iw = is.width;
  const std::size_t plane = static_cast<std::size_t>(oh * ow);
  const std::size_t patch = static_cast<std::size_t>(is.channels * k * k);
  const std::vector<V>& gc = g;
  // The full convolution of G with the flipped kernels: per patch row, the
  // sum over output channels of W * G, then scattered back (col2im).
  std::vector<Acc>& rows = rows_;  // reused: no allocation per step
  rows.assign(patch * plane, Acc{0});
  if constexpr (A::kFixed) {
    // Row p: the sum over output channels oc of W[oc][p] * G[oc] (exact, so
    // summed per row rather than per channel).
    for (std::size_t p = 0; p < patch; ++p)
      kern::scaled_rows_sum(&rows[p * plane], &L.w[p], patch, gc.data(), static_cast<std::size_t>(os.channels), plane);
  } else {
    for (int oc = 0; oc < os.channels; ++oc) {
      const V* gp = &gc[static_cast<std::size_t>(oc) * plane];
      for (std::size_t p = 0; p < patch; ++p) {
        const V wv = L.w[static_cast<std::size_t>(oc) * patch + p];
        if (wv == 0) continue;
        axpy<A>(&rows[p * plane], wv, gp, plane);
      }
    }
  }
  std::vector<Acc> acc(static_cast<std::size_t>(is.size()), Acc{0});
  for (int c = 0; c < is.channels; ++c)
    for (int u = 0; u < k; ++u)
      for (int v = 0; v < k; ++v) {
        const Acc* r = &rows[((static_cast<std::size_t>(c) * k + u) * k + v) * plane];
        for (int y = 0; y < oh; ++y) {
          Acc* ar = &acc[(static_cast<std::size_t>(c) * is.height + y + u) * iw + v];
          const Acc* rr = r + static_cast<std::size_t>(y) * ow;
          for (int x = 0; x < ow; ++x) ar[x] += rr[x];
        }
      }
  std::vector<V> out(acc.size());
  low.reduce_row(acc.data(), out.data(), static_cast<int>(acc.size()), a);
  return out;
}

template <class A>
void Network<A>::fc_update(Layer& L, const std::vector<V>& g, A& a) {
  const int in = L.cfg->in_shape.size(), out = L.cfg->neurons;
  for (int j = 0; j < out; ++j) {
    V* w = &L.w[static_cast<std::size_t>(j) * in];
    const V gj = g[static_cast<std::size_t>(j)];
    // G = 0 gives D = 0 and W = rq(W * 2^F) = W exactly in every mode; only a
    // stochastic rounder must still draw, to keep its sequence.
    if (gj == 0 && !a.draws()) continue;
    if (a.draws()) {
      // Neuron j's PE draws in its schedule's order: D0, D1, W0, D2, W1, ...,
      // W_{K-1}, then the bias (CONTRACT 3, rule 8).
      a.use(&L.rng.pe[static_cast<std::size_t>(j % L.cols_p)]);
      if (gj == 0) {
        a.skip_exact_roundings(2L * in);  // every D is 0 and every W stays: only the draws
      } else {
        a.update_row_pe_order(gj, L.x.data(), w, in);
      }
    } else {
      a.update_row(gj, L.x.data(), w, in);  // step 3, then steps 4-5, per weight
    }
    if (L.cfg->bias) L.b[static_cast<std::size_t>(j)] = a.update(L.b[static_cast<std::size_t>(j)], gj);
    a.use(nullptr);
  }
}

template <class A>
void Network<A>::conv_update(Layer& L, const std::vector<V>& g, A& a) {
  const Shape& is = L.cfg->in_shape;
  const Shape& os = L.cfg->out_shape;
  const int k = L.cfg->kernel;
  const std::size_t plane = static_cast<std::size_t>(os.height * os.width);
  const std::size_t patch = static_cast<std::size_t>(is.channels * k * k);
  for (int oc = 0; oc < os.channels; ++oc) {
    const V* gp = &g[static_cast<std::size_t>(oc) * plane];
    // As in fc_update: a channel whose G is all 0 keeps its weights.
    if (!a.draws() && std::all_of(gp, gp + plane, [](V v) { return v == 0; })) continue;
    V* w = &L.w[static_cast<std::size_t>(oc) * patch];
    if constexpr (A::kFixed) {
      // The weight gradient, the correlation of the stored input with G, for
      // the whole patch at once; then D and the update per weight.
      sums_.resize(patch);
      kern::rows_dot(sums_.data(), gp, L.cols.data(), patch, plane);
      if (a.draws()) {
        // Weight [ic][u][v] is PE (u, oc mod P)'s: D then W, ic and v in order.
        const int kk = L.cfg->kernel, col = oc % L.cols_p;
        for (std::size_t p = 0; p < patch; ++p) {
          const int u = static_cast<int>(p / static_cast<std::size_t>(kk)) % kk;
          a.use(&L.rng.pe[static_cast<std::size_t>(u * L.cols_p + col)]);
          w[p] = a.update(w[p], a.round(sums_[p]));
        }
        a.use(nullptr);
      } else {
        a.update_sums(sums_.data(), w, static_cast<int>(patch));
      }
    } else {
      for (std::size_t p = 0; p < patch; ++p) {
        const Acc acc = dot<A>(Acc{0}, gp, &L.cols[p * plane], plane);
        w[p] = a.update(w[p], a.round(acc));
      }
    }
    if (L.cfg->bias) {
      Acc s = 0;
      for (std::size_t q = 0; q < plane; ++q) s += static_cast<Acc>(gp[q]);
      if (a.draws()) a.use(&L.rng.pe[static_cast<std::size_t>(oc % L.cols_p)]);  // PE (0, oc mod P)
      L.b[static_cast<std::size_t>(oc)] = a.update(L.b[static_cast<std::size_t>(oc)], a.sat_sum(s));
      a.use(nullptr);
    }
  }
}

template <class A>
std::vector<typename Network<A>::V> Network<A>::pool_backward(const Layer& L, const std::vector<V>& g, A& a) {
  const Shape& is = L.cfg->in_shape;
  const Shape& os = L.cfg->out_shape;
  std::vector<V> r(static_cast<std::size_t>(is.size()), V{0});
  if (L.cfg->pool == PoolKind::kMax) {
    const std::vector<std::size_t> won = pool_winners(L);
    for (std::size_t o = 0; o < won.size(); ++o) r[won[o]] = g[o];  // the gradient goes to the maximum
    return r;
  }
  for (int c = 0; c < os.channels; ++c) {
    for (int y = 0; y < os.height; ++y) {
      for (int x = 0; x < os.width; ++x) {
        const std::size_t o = (static_cast<std::size_t>(c) * os.height + y) * os.width + x;
        const std::size_t i0 = (static_cast<std::size_t>(c) * is.height + 2 * y) * is.width + 2 * x;
        const V s = a.spread4(g[o]);  // average pooling spreads it evenly
        for (std::size_t q : {i0, i0 + 1, i0 + is.width, i0 + is.width + 1}) r[q] = s;
      }
    }
  }
  return r;
}

template <class A>
std::vector<std::size_t> Network<A>::pool_winners(const Layer& L) const {
  const Shape& is = L.cfg->in_shape;
  const Shape& os = L.cfg->out_shape;
  std::vector<std::size_t> won;
  won.reserve(static_cast<std::size_t>(os.size()));
  for (int c = 0; c < os.channels; ++c)
    for (int y = 0; y < os.height; ++y)
      for (int x = 0; x < os.width; ++x) {
        const std::size_t o = (static_cast<std::size_t>(c) * os.height + y) * os.width + x;
        const std::size_t i0 = (static_cast<std::size_t>(c) * is.height + 2 * y) * is.width + 2 * x;
        won.push_back(i0 + (L.arg[o] >> 1) * static_cast<std::size_t>(is.width) + (L.arg[o] & 1));
      }
  return won;
}

template <class A>
void Network<A>::scale_alpha(double scale) {
  for (const Layer& L : layers_)
    if (L.cfg->weighted()) arith_[static_cast<std::size_t>(L.arith)].set_alpha(L.cfg->alpha * scale);
}

template <class A>
double Network<A>::train_step(const std::uint8_t* image, int label) {
  forward(image);
  Layer& out = layers_.back();
  A& ao = arith_[static_cast<std::size_t>(out.arith)];
  std::vector<V> r1(out.y.size());
  double loss = 0;
  for (std::size_t j = 0; j < out.y.size(); ++j) {
    const V t = ao.from_real(static_cast<int>(j) == label ? 1.0 : 0.0);
    r1[j] = ao.error(out.y[j], t);  // E = Y - T (the factor 2 of MSE is in alpha)
    const double e = ao.to_real(r1[j]);
    loss += e * e;
  }
  // Back to front: G, then the gradient for the layer below with the
  // weights before their update, then the update.
  for (std::size_t i = layers_.size(); i-- > 0;) {
    Layer& L = layers_[i];
    if (!L.cfg->weighted()) {
      L.g = r1;  // the gradient of the pooled outputs, as the pool layer's R buffer holds it
      r1 = pool_backward(L, r1, arith_[static_cast<std::size_t>(L.arith)]);
      continue;
    }
    A& a = arith_[static_cast<std::size_t>(L.arith)];
    L.g.resize(r1.size());
    if (a.draws()) {
      // The G unit, in index order, with f' as the forward pass rounded it.
      // Under a max pool it gets only each window's winner, in window order
      // (its G is 0 elsewhere: taxonn_conv_layer's SPARSE_G).
      a.use(&L.rng.unit[kUnitG]);
      if (i + 1 < layers_.size() && !layers_[i + 1].cfg->weighted() && layers_[i + 1].cfg->pool == PoolKind::kMax) {
        std::fill(L.g.begin(), L.g.end(), V{0});
        for (std::size_t j : pool_winners(layers_[i + 1])) L.g[j] = a.grad(r1[j], L.fd[j]);
      } else {
        for (std::size_t j = 0; j < r1.size(); ++j) L.g[j] = a.grad(r1[j], L.fd[j]);
      }
      a.use(nullptr);
    } else {
      a.grad_row(r1.data(), L.z.data(), L.g.data(), r1.size());
    }
    const std::vector<V>& g = L.g;
    int below = -1;
    for (std::size_t k = i; k-- > 0;)
      if (layers_[k].cfg->weighted()) {
        below = layers_[k].arith;
        break;
      }
    if (below >= 0) {
      A& low = arith_[static_cast<std::size_t>(below)];
      low.use(unit_rng(layers_[i - 1], kUnitR1));  // R1's conversion into the layer right below
      r1 = L.cfg->type == LayerType::kFc ? fc_input_grad(L, g, a, low) : conv_input_grad(L, g, a, low);
      low.use(nullptr);
    }
    if (L.cfg->type == LayerType::kFc) fc_update(L, g, a);
    else conv_update(L, g, a);
  }
  return loss;
}

template class Network<FixedArith>;
template class Network<FixedArithFast>;
template class Network<FloatArith>;
template class Network<FloatArithT<double>>;

}  // namespace taxonn
