// The network model: forward pass, MSE output error, back-propagation with
// pre-update weights and the fused SGD update (docs/CONTRACT.md 3), for fc,
// conv (valid, stride 1, multi-channel) and 2x2 max/avg pooling. One code
// path, two arithmetics: Network<FixedArith> is bit-exact fixed point per the
// contract, Network<FloatArith> the float32 baseline. Batch 1, as the
// hardware trains.
#pragma once

#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "arith.hpp"
#include "config.hpp"

namespace taxonn {

template <class A>
class Network {
 public:
  using V = typename A::V;
  using Acc = typename A::Acc;

  struct Layer {
    const LayerConfig* cfg = nullptr;
    int arith = -1;                 // index into arith_ (pool: the layer below's)
    std::vector<V> w, b;            // fc: [out][in]; conv: [oc][ic][k][k]; b per output channel
    std::vector<V> x, z, y;         // stored input (in this layer's format), pre-activation, output
    std::vector<V> g;               // G of the last train_step (before pooling's routing)
    std::vector<std::uint8_t> arg;  // max pooling: which of the 4 won
    std::vector<V> cols;            // conv: the input as patches, [c*k*k][oh*ow] (im2col)
    // A stochastic layer (its own format, or a pool's below): each rounder's
    // LFSR, drawn in the network RTL's order (CONTRACT 3, rule 8), and f'
    // as the forward pass rounded it.
    struct Rng {
      std::vector<Lfsr> pe;    // fc: PE p; conv: PE u * P + c
      std::vector<Lfsr> zcol;  // conv: column c's z rounder
      std::vector<Lfsr> unit;  // the G unit, the f' unit, the input's and R1's conversions (kUnit*)
    };
    Rng rng;
    int cols_p = 1;             // fc PEs or conv array columns, P
    std::vector<V> fd;
    // The order in which the layer's outputs leave for the layer above
    // (CONTRACT 3, rule 8; fixed point): conv, its drain's, pass by pass,
    // pixel by pixel, column by column (also the f' unit's draws); pool
    // over a conv, as each window's last input arrives. Empty: index order.
    std::vector<std::uint32_t> drain;
  };
  enum : std::size_t { kUnitG = 0, kUnitFd = 1, kUnitX = 2, kUnitR1 = 3 };

  // The memory the model of `c` holds, in bytes (weights, bias, stored
  // activations, gradients, im2col patches), computed before allocating.
  static std::uint64_t memory_bytes(const Config& c);

  // Weights drawn from `seed` (He-uniform for ReLU, Glorot otherwise), the
  // same real values for both arithmetics. Biases start at 0 and are used
  // in the layers whose config says `bias`.
  Network(const Config& c, std::uint64_t seed);

  const Config& config() const { return cfg_; }
  std::vector<Layer>& layers() { return layers_; }
  const std::vector<Layer>& layers() const { return layers_; }
  A& arith(std::size_t i) { return arith_.at(i); }
  std::size_t arith_count() const { return arith_.size(); }

  // Forward one image (CHW bytes, 0..255 scaled to [0, 1]); returns the class.
  int forward(const std::uint8_t* image);
  // One SGD step on (image, label): forward, E = Y - T, back-propagation and
  // update. Returns sum_j E_j^2 in real units.
  double train_step(const std::uint8_t* image, int label);
  // Every weighted layer's learning rate set to its config alpha x `scale`
  // (a schedule's step: the host rewrites the alpha registers).
  void scale_alpha(double scale);
  const std::vector<V>& output() const { return layers_.back().y; }

  nlohmann::json weights_json() const;
  void load_weights(const nlohmann::json& j, const std::string& source);

 private:
  void fc_forward(Layer& L, A& a);
  void conv_forward(Layer& L, A& a);
  void pool_forward(Layer& L, const std::vector<V>& in);
  // Gradient w.r.t. this layer's input, in the arithmetic `low` of the layer below.
  std::vector<V> fc_input_grad(const Layer& L, const std::vector<V>& g, A& a, A& low);
  std::vector<V> conv_input_grad(const Layer& L, const std::vector<V>& g, A& a, A& low);
  void fc_update(Layer& L, const std::vector<V>& g, A& a);
  void conv_update(Layer& L, const std::vector<V>& g, A& a);
  std::vector<V> pool_backward(const Layer& L, const std::vector<V>& g, A& a);
  // Max pooling: the input that won each window in the last forward pass,
  // in window (output index) order.
  std::vector<std::size_t> pool_winners(const Layer& L) const;

  void make_rngs();
  // A stochastic layer's unit LFSR (kUnit*), or nullptr.
  static Lfsr* unit_rng(Layer& L, std::size_t unit) { return L.rng.unit.empty() ? nullptr : &L.rng.unit[unit]; }

  Config cfg_;
  A input_;  // the sample's format (Config::input_format)
  std::vector<A> arith_;
  std::vector<Layer> layers_;
  std::vector<Acc> plane_, rows_, sums_;  // scratch accumulators
};

extern template class Network<FixedArith>;
extern template class Network<FixedArithFast>;
extern template class Network<FloatArith>;
extern template class Network<FloatArithT<double>>;

// Exactness guard of FixedArith: 2W + guard bits must fit 63 bits.
void check_fixed_trainable(const Config& c);
// May the fixed-point model keep its sums in double (FixedArithFast)? Yes
// when every product and sum of every layer stays below 2^53.
bool fixed_fits_double(const Config& c);

}  // namespace taxonn
