// A JSON object reader for the project's input files (configs, explore
// specs): it knows its path in the file, rejects unknown fields and checks
// ranges, and every error is one ConfigError line: the file, the field, what
// is wrong, and the fix.
#pragma once

#include <set>
#include <string>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "config.hpp"

namespace taxonn::json_obj {

using nlohmann::json;

[[noreturn]] inline void fail(const std::string& source, const std::string& field,
                       const std::string& what, const std::string& fix) {
  throw ConfigError(fmt::format("{}: {}: {}; {}", source, field, what, fix));
}

// A JSON object reader that knows its path and rejects unknown fields.
class Obj {
 public:
  // `doc` is where a missing field is documented.
  Obj(const json& j, std::string path, const std::string& source, const char* doc = "docs/config.md")
      : j_(j), path_(std::move(path)), source_(source), doc_(doc) {
    if (!j_.is_object()) fail(source_, path_or_root(), "is not an object", "write it as {...}");
  }
  std::string field(const std::string& k) const { return path_.empty() ? k : path_ + "." + k; }
  bool has(const std::string& k) const { return j_.contains(k); }
  const json& get(const std::string& k) const {
    if (!j_.contains(k)) fail(source_, field(k), "missing", fmt::format("add the field (see {})", doc_));
    return j_.at(k);
  }
  long long integer(const std::string& k, long long lo, long long hi, const std::string& fix) const {
    const json& v = get(k);
    if (!v.is_number_integer())
      fail(source_, field(k), fmt::format("must be an integer, got {}", v.dump()), fix);
    const long long x = v.get<long long>();
    if (x < lo || x > hi)
      fail(source_, field(k), fmt::format("= {} is out of range [{}, {}]", x, lo, hi), fix);
    return x;
  }
  long long integer_or(const std::string& k, long long dflt, long long lo, long long hi,
                       const std::string& fix) const {
    return has(k) ? integer(k, lo, hi, fix) : dflt;
  }
  std::string string(const std::string& k) const {
    const json& v = get(k);
    if (!v.is_string()) fail(source_, field(k), "must be a string", "quote it");
    return v.get<std::string>();
  }
  double number(const std::string& k) const {
    const json& v = get(k);
    if (!v.is_number()) fail(source_, field(k), "must be a number", "write a number, e.g. 0.01");
    return v.get<double>();
  }
  bool boolean_or(const std::string& k, bool dflt) const {
    if (!has(k)) return dflt;
    const json& v = get(k);
    if (!v.is_boolean()) fail(source_, field(k), fmt::format("must be true or false, got {}", v.dump()), "write true or false");
    return v.get<bool>();
  }
  // Integers may be written as JSON numbers or as "0x..." strings.
  std::uint64_t hex_or_int(const std::string& k) const {
    const json& v = get(k);
    if (v.is_number_unsigned() || (v.is_number_integer() && v.get<long long>() >= 0))
      return v.get<std::uint64_t>();
    if (v.is_string()) {
      const std::string s = v.get<std::string>();
      try {
        std::size_t pos = 0;
        const unsigned long long x = std::stoull(s, &pos, 0);
        if (pos == s.size()) return x;
      } catch (const std::exception&) {
      }
    }
    fail(source_, field(k), fmt::format("= {} is not a non-negative integer", v.dump()),
         "write e.g. \"0xB400\" or 46080");
  }
  std::string path() const { return path_; }
  void only(const std::set<std::string>& known) const {
    for (auto it = j_.begin(); it != j_.end(); ++it) {
      if (!known.count(it.key())) {
        std::string list;
        for (const auto& k : known) list += (list.empty() ? "" : ", ") + k;
        fail(source_, field(it.key()), "unknown field", "use one of: " + list);
      }
    }
  }
  const std::string& source() const { return source_; }

 private:
  std::string path_or_root() const { return path_.empty() ? "(top level)" : path_; }
  const json& j_;
  std::string path_;
  const std::string& source_;
  const char* doc_;
};

}  // namespace taxonn::json_obj
