// File helpers shared by the tools: reading a file, quoting for a shell, a
// log's last lines, checking an output is writable before long work, and
// writing result files so that a reader never sees half of one: write a
// temporary beside the file, then rename it over. Each call has its own
// temporary (process id and a counter): parallel synthesis jobs write the
// same small file (abc.constr) and must not rename each other's temporary.
// A failed write or rename leaves no temporary behind.
#pragma once

#include <unistd.h>

#include <atomic>
#include <csignal>
#include <cctype>
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

namespace taxonn {

// Bad input on a command line (an option's value, an output that cannot be
// written): the message names the option and the fix; the tools exit 2.
class UsageError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// A failing tool or an external check (Yosys, OpenSTA, a compiler, a
// gate-level simulation): the message names the tool, the step and its last
// lines.
class ToolError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Temporary folders to remove if the process is interrupted (SIGINT,
// SIGTERM): a writer registers its folder while it works and releases it
// when done; the tools' signal handler (install_cleanup_on_signal) removes
// what is registered, then dies of the signal as it would have.
inline std::vector<std::string>& temp_folders() {
  static std::vector<std::string> v;
  return v;
}
class TempFolder {
 public:
  explicit TempFolder(std::filesystem::path p) : p_(std::move(p)) { temp_folders().push_back(p_.string()); }
  ~TempFolder() {
    std::error_code ec;
    std::filesystem::remove_all(p_, ec);
    auto& v = temp_folders();
    for (auto it = v.begin(); it != v.end(); ++it)
      if (*it == p_.string()) {
        v.erase(it);
        break;
      }
  }
  TempFolder(const TempFolder&) = delete;
  TempFolder& operator=(const TempFolder&) = delete;
  const std::filesystem::path& path() const { return p_; }

 private:
  std::filesystem::path p_;
};
extern "C" inline void taxonn_cleanup_on_signal(int sig) {
  for (const auto& p : temp_folders()) {
    std::error_code ec;
    std::filesystem::remove_all(p, ec);
  }
  std::signal(sig, SIG_DFL);
  std::raise(sig);
}
inline void install_cleanup_on_signal() {
  std::signal(SIGINT, taxonn_cleanup_on_signal);
  std::signal(SIGTERM, taxonn_cleanup_on_signal);
}

// A graceful stop: install_stop_on_signal() makes the first SIGINT or
// SIGTERM set stop_signal() (a long run polls it, writes what it has, marked
// as cut short, and throws Interrupted); a second one kills as usual.
inline std::atomic<int>& stop_signal() {
  static std::atomic<int> s{0};
  return s;
}
extern "C" inline void taxonn_stop_on_signal(int sig) {
  stop_signal().store(sig);
  std::signal(sig, SIG_DFL);
}
inline void install_stop_on_signal() {
  std::signal(SIGINT, taxonn_stop_on_signal);
  std::signal(SIGTERM, taxonn_stop_on_signal);
}
// `wrote`: whether the results so far were written (marked as cut short)
// or nothing was (a stop inside one tool run).
class Interrupted : public std::runtime_error {
 public:
  Interrupted(int sig, const std::string& what, bool wrote = true)
      : std::runtime_error(what), sig_(sig), wrote_(wrote) {}
  int signal() const { return sig_; }
  bool wrote() const { return wrote_; }

 private:
  int sig_;
  bool wrote_;
};

// A JSON library error as a reason a user can read: nlohmann's message
// without its "[json.exception.type_error.302] " prefix.
inline std::string json_reason(const std::exception& e) {
  std::string w = e.what();
  if (w.rfind("[json.exception.", 0) == 0) {
    const auto end = w.find("] ");
    if (end != std::string::npos) w = w.substr(end + 2);
  }
  return w;
}

// A whole file as text ("" when it cannot be read).
inline std::string read_text(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// `s` as one word of a POSIX shell command.
inline std::string shell_quote(const std::string& s) {
  std::string q = "'";
  for (char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return q + "'";
}

// A whole number >= `min` written in decimal (or 0x hex): no sign, nothing
// after it, no overflow. strtoull alone takes "-1" as 2^64-1.
inline bool parse_count(const std::string& v, std::uint64_t min, std::uint64_t* out) {
  char* end = nullptr;
  errno = 0;
  const unsigned long long x = std::strtoull(v.c_str(), &end, 0);
  if (v.empty() || v[0] == '-' || v[0] == '+' || std::isspace(static_cast<unsigned char>(v[0])) || *end || errno != 0 ||
      x < min)
    return false;
  *out = x;
  return true;
}

// The last `n` lines of a tool's log, indented, for an error message.
inline std::string last_lines(const std::string& text, std::size_t n) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string l; std::getline(in, l);) lines.push_back(l);
  std::string out;
  for (std::size_t i = lines.size() > n ? lines.size() - n : 0; i < lines.size(); ++i) out += "    " + lines[i] + "\n";
  return out;
}

inline void write_atomic(const std::filesystem::path& p, const std::string& text) {
  const auto parent = p.parent_path();
  if (!parent.empty()) std::filesystem::create_directories(parent);
  static std::atomic<unsigned long> serial{0};
  const std::filesystem::path tmp =
      p.string() + ".tmp." + std::to_string(::getpid()) + "." + std::to_string(serial.fetch_add(1));
  {
    std::ofstream o(tmp, std::ios::binary);
    o << text;
    o.close();  // a full disk shows at the flush
    if (!o) {
      std::error_code ec;
      std::filesystem::remove(tmp, ec);
      throw std::runtime_error(tmp.string() + ": cannot write");
    }
  }
  std::error_code ec;
  std::filesystem::rename(tmp, p, ec);
  if (ec) {
    std::error_code ignored;
    std::filesystem::remove(tmp, ignored);
    throw std::filesystem::filesystem_error("cannot rename", tmp, p, ec);
  }
}

// Before long work: can a run write its output at `p` (given as option
// `what`), a file or, with `folder`, a folder it will fill? The nearest
// folder that exists on the way to `p` is probed with a temporary file, and
// nothing is created, so a run fails at its start, not after hours, and a
// run that fails here leaves nothing behind.
inline void check_writable(const std::filesystem::path& p, const std::string& what, bool folder = false) {
  namespace fs = std::filesystem;
  std::error_code ec;
  auto fail = [&](const std::string& why) {
    throw UsageError(p.string() + " (" + what + "): " + why + "; choose a writable place");
  };
  if (!folder && fs::is_directory(p, ec)) fail("is a folder, not a file");
  if (folder && fs::exists(p, ec) && !fs::is_directory(p, ec)) fail("is a file, not a folder");
  const fs::path dir = folder ? p : p.parent_path();
  fs::path base = fs::absolute(dir.empty() ? fs::path(".") : dir, ec);
  while (!base.empty() && !fs::exists(base, ec) && base != base.root_path()) base = base.parent_path();
  if (!fs::is_directory(base, ec)) fail(base.string() + " is not a folder");
  const fs::path probe = base / (".taxonn-probe." + std::to_string(::getpid()));
  {
    std::ofstream o(probe, std::ios::binary);
    if (!o) fail("cannot write in " + base.string());
  }
  fs::remove(probe, ec);
}

// Memory a run may take: half of this machine's physical memory (0 when
// unknown). Needs are estimated before allocating and refused with the
// number (`refuse_memory`), not met with std::bad_alloc minutes later.
inline std::uint64_t memory_budget_bytes() {
  const long pages = ::sysconf(_SC_PHYS_PAGES), page = ::sysconf(_SC_PAGE_SIZE);
  return pages > 0 && page > 0 ? static_cast<std::uint64_t>(pages) * static_cast<std::uint64_t>(page) / 2 : 0;
}
// "<what> needs about X GiB, more than half of this machine's Y GiB; <fix>",
// or "" when `need` (bytes; a double, so a product of counts cannot wrap)
// fits.
inline std::string memory_refusal(const std::string& what, double need, const std::string& fix) {
  const std::uint64_t budget = memory_budget_bytes();
  if (budget == 0 || need <= static_cast<double>(budget)) return "";
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.1f GiB, more than half of this machine's %.1f GiB", need / 1073741824.0,
                2.0 * budget / 1073741824.0);
  return what + " needs about " + buf + "; " + fix;
}

}  // namespace taxonn
