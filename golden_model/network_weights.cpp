// The network model's weights files (docs/weights.md): writing the
// weights and biases as JSON, and loading them back with every value checked
// against its layer's format.
#include <string>

#include <fmt/format.h>

#include "network.hpp"

namespace taxonn {

template <class A>
nlohmann::json Network<A>::weights_json() const {
  nlohmann::json j;
  j["format"] = "taxonn-weights-1";
  j["config"] = cfg_.name;
  j["arith"] = A::kName;
  j["layers"] = nlohmann::json::array();
  for (const Layer& L : layers_) {
    if (!L.cfg->weighted()) continue;
    nlohmann::json l;
    l["name"] = L.cfg->name;
    l["q"] = L.cfg->format.name();
    l["shape"] = L.cfg->type == LayerType::kFc
                     ? nlohmann::json::array({L.cfg->neurons, L.cfg->in_shape.size()})
                     : nlohmann::json::array({L.cfg->out_channels, L.cfg->in_shape.channels, L.cfg->kernel, L.cfg->kernel});
    l["weights"] = L.w;
    l["bias"] = L.b;
    j["layers"].push_back(l);
  }
  return j;
}

namespace {

// The values of a weights file's array as the layer's raw values: every
// entry a number (fixed point: an integer within the layer's format, whatever
// its size in the file, so nothing wraps); "" or what is wrong.
template <class V>
std::string read_values(const nlohmann::json& a, const QFormat* q, std::vector<V>& out) {
  if (!a.is_array()) return "is not an array";
  out.clear();
  for (const auto& x : a) {
    if (q == nullptr) {
      if (!x.is_number()) return "holds a value that is not a number";
      out.push_back(x.get<V>());
      continue;
    }
    if (!x.is_number_integer()) return fmt::format("holds {}, not a raw integer of {}", x.dump(), q->name());
    const bool neg = x.is_number_unsigned() ? false : x.get<std::int64_t>() < 0;
    const Wide v = neg ? Wide{x.get<std::int64_t>()} : Wide{x.get<std::uint64_t>()};
    if (v < q->min_raw() || v > q->max_raw())
      return fmt::format("holds raw value {}, outside {}", x.dump(), q->name());
    out.push_back(static_cast<V>(v));
  }
  return "";
}

}  // namespace

template <class A>
void Network<A>::load_weights(const nlohmann::json& j, const std::string& source) {
  auto bad = [&](const std::string& what) {
    throw ConfigError(fmt::format("{}: {}; save weights with `taxonn train --save` for this config", source, what));
  };
  if (!j.is_object() || j.value("format", "") != "taxonn-weights-1")
    bad("not a taxonn weights file (format taxonn-weights-1)");
  if (j.value("config", "") != cfg_.name) bad(fmt::format("weights of config '{}', not '{}'", j.value("config", ""), cfg_.name));
  if (j.value("arith", "") != A::kName) bad(fmt::format("{} weights, not {}", j.value("arith", ""), A::kName));
  if (!j.contains("layers") || !j.at("layers").is_array()) bad("no \"layers\" array");
  const auto& layers = j.at("layers");
  std::size_t li = 0;
  for (Layer& L : layers_) {
    if (!L.cfg->weighted()) continue;
    if (li >= layers.size()) bad("fewer layers than the config");
    const auto& l = layers[li++];
    if (!l.is_object()) bad(fmt::format("layers[{}] is not an object", li - 1));
    if (l.value("name", "") != L.cfg->name) bad(fmt::format("layer '{}' where '{}' was expected", l.value("name", ""), L.cfg->name));
    const QFormat* q = nullptr;
    if constexpr (A::kFixed) {
      // Raw values are values of the layer's format, as a scratchpad holds
      // them; the file's format must be the layer's (the same raw value means
      // another number in another format).
      q = &L.cfg->format;
      if (l.value("q", "") != q->name())
        bad(fmt::format("layer '{}' was saved in {}, but the config's layer is {}", L.cfg->name, l.value("q", "?"),
                        q->name()));
    }
    std::vector<V> w, b;
    for (const auto& [key, vec] : {std::pair<const char*, std::vector<V>*>{"weights", &w}, {"bias", &b}}) {
      if (!l.contains(key)) bad(fmt::format("layer '{}' has no \"{}\"", L.cfg->name, key));
      const std::string why = read_values(l.at(key), q, *vec);
      if (!why.empty()) bad(fmt::format("layer '{}' {} {}", L.cfg->name, key, why));
    }
    if (w.size() != L.w.size() || b.size() != L.b.size()) bad(fmt::format("layer '{}' has the wrong number of weights", L.cfg->name));
    // The config says which layers have a bias: weights trained with one
    // would compute other outputs without it.
    if (!L.cfg->bias && std::any_of(b.begin(), b.end(), [](V v) { return v != V{0}; }))
      throw ConfigError(fmt::format("{}: layer '{}' was trained with a bias, but the config's layer has none; set "
                                    "\"bias\": true on it (or pass --bias)", source, L.cfg->name));
    L.w = std::move(w);
    L.b = std::move(b);
  }
  if (li != layers.size()) bad(fmt::format("{} layers where the config has {} weighted layers", layers.size(), li));
}

template nlohmann::json Network<FixedArith>::weights_json() const;
template nlohmann::json Network<FixedArithFast>::weights_json() const;
template nlohmann::json Network<FloatArith>::weights_json() const;
template nlohmann::json Network<FloatArithT<double>>::weights_json() const;
template void Network<FixedArith>::load_weights(const nlohmann::json&, const std::string&);
template void Network<FixedArithFast>::load_weights(const nlohmann::json&, const std::string&);
template void Network<FloatArith>::load_weights(const nlohmann::json&, const std::string&);
template void Network<FloatArithT<double>>::load_weights(const nlohmann::json&, const std::string&);

}  // namespace taxonn
