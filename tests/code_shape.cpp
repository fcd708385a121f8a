// The code's shape, checked (docs/contributing.md): no C++ source file over
// kMaxFileLines lines and no function over kMaxFunctionLines, so that a
// newcomer can read any unit in one sitting. A function is a brace block at
// file level (namespace, class and struct bodies are see-through) whose
// header ends in a parameter list; lambdas count toward their function.
// Usage: taxonn_code_shape ROOT DIR... (every .cpp/.hpp under ROOT/DIR).
#include <algorithm>
#include <cctype>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

namespace {

constexpr int kMaxFileLines = 600;
constexpr int kMaxFunctionLines = 120;

// The file's code with comments, strings and character literals blanked,
// line structure kept.
std::vector<std::string> code_lines(const std::filesystem::path& p) {
  std::ifstream in(p);
  std::vector<std::string> out;
  std::string line;
  bool block = false;
  while (std::getline(in, line)) {
    std::string code;
    for (std::size_t i = 0; i < line.size(); ++i) {
      const char c = line[i];
      if (block) {
        if (c == '*' && i + 1 < line.size() && line[i + 1] == '/') block = false, ++i;
        continue;
      }
      if (c == '/' && i + 1 < line.size() && line[i + 1] == '/') break;
      if (c == '/' && i + 1 < line.size() && line[i + 1] == '*') {
        block = true;
        ++i;
        continue;
      }
      if (c == '"' && i > 0 && line[i - 1] == 'R') {  // raw string R"x(...)x": to its end on this line
        const std::size_t open = line.find('(', i);
        const std::string delim = ")" + line.substr(i + 1, open - i - 1) + "\"";
        const std::size_t end = open == std::string::npos ? std::string::npos : line.find(delim, open);
        i = end == std::string::npos ? line.size() : end + delim.size() - 1;
        code += "\"\"";
        continue;
      }
      if (c == '"' || c == '\'') {
        std::size_t j = i + 1;
        while (j < line.size() && line[j] != c) j += line[j] == '\\' ? 2 : 1;
        i = j;
        code += "\"\"";
        continue;
      }
      code += c;
    }
    out.push_back(code);
  }
  return out;
}

bool starts_with_word(const std::string& s, const char* w) {
  const std::size_t b = s.find_first_not_of(" \t\n");
  if (b == std::string::npos) return false;
  const std::string t = s.substr(b);
  const std::string word = w;
  return t.compare(0, word.size(), word) == 0 &&
         (t.size() == word.size() || !(std::isalnum(static_cast<unsigned char>(t[word.size()])) || t[word.size()] == '_'));
}

bool is_function_header(std::string h) {
  while (!h.empty() && std::isspace(static_cast<unsigned char>(h.back()))) h.pop_back();
  for (const char* tail : {"const", "override", "noexcept", "final", "mutable"}) {
    const std::string t = tail;
    if (h.size() > t.size() && h.compare(h.size() - t.size(), t.size(), t) == 0) {
      h.resize(h.size() - t.size());
      while (!h.empty() && std::isspace(static_cast<unsigned char>(h.back()))) h.pop_back();
    }
  }
  return !h.empty() && h.back() == ')';
}

int check_file(const std::filesystem::path& p, const std::string& shown) {
  const std::vector<std::string> lines = code_lines(p);
  int bad = 0;
  if (static_cast<int>(lines.size()) > kMaxFileLines) {
    std::printf("%s: %zu lines (at most %d): split it by responsibility\n", shown.c_str(), lines.size(), kMaxFileLines);
    ++bad;
  }
  // Brace stack: for each open brace, whether it is see-through (namespace,
  // class, ...) and, for a function, its first line.
  struct Open {
    bool transparent;
    int function_line;  // -1: not a function
  };
  std::vector<Open> stack;
  std::string header;  // code since the last ; { or } at file level
  int header_line = 0;
  auto in_function = [&] {
    for (const Open& o : stack)
      if (!o.transparent) return true;
    return false;
  };
  for (std::size_t n = 0; n < lines.size(); ++n) {
    const std::string& l = lines[n];
    if (!l.empty() && l.find_first_not_of(" \t") != std::string::npos && l[l.find_first_not_of(" \t")] == '#') continue;
    for (const char c : l) {
      if (c == '{') {
        if (in_function()) {
          stack.push_back({false, -1});
        } else {
          const bool scope = starts_with_word(header, "namespace") || starts_with_word(header, "extern") ||
                             starts_with_word(header, "class") || starts_with_word(header, "struct") ||
                             starts_with_word(header, "union") ||
                             (header.find("template") != std::string::npos &&
                              (header.find("class ") != std::string::npos || header.find("struct ") != std::string::npos) &&
                              !is_function_header(header));
          stack.push_back({scope, is_function_header(header) ? header_line : -1});
        }
        header.clear();
        header_line = static_cast<int>(n) + 1;
      } else if (c == '}') {
        if (!stack.empty()) {
          const Open o = stack.back();
          stack.pop_back();
          if (o.function_line >= 0 && !in_function()) {
            const int len = static_cast<int>(n) + 1 - o.function_line + 1;
            if (len > kMaxFunctionLines) {
              std::printf("%s:%d: a function of %d lines (at most %d): split it\n", shown.c_str(), o.function_line, len,
                          kMaxFunctionLines);
              ++bad;
            }
          }
        }
        header.clear();
        header_line = static_cast<int>(n) + 1;
      } else if (c == ';') {
        if (!in_function()) header.clear(), header_line = static_cast<int>(n) + 1;
      } else {
        if (!in_function()) {
          if (header.find_first_not_of(" \t\n") == std::string::npos && !std::isspace(static_cast<unsigned char>(c)))
            header_line = static_cast<int>(n) + 1;
          header += c;
        }
      }
    }
    if (!in_function()) header += '\n';
  }
  return bad;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: taxonn_code_shape ROOT DIR...: checks every .cpp/.hpp under ROOT/DIR\n");
    return 2;
  }
  const std::filesystem::path root = argv[1];
  int bad = 0, files = 0;
  for (int a = 2; a < argc; ++a) {
    const std::filesystem::path dir = root / argv[a];
    if (!std::filesystem::is_directory(dir)) {
      std::fprintf(stderr, "taxonn_code_shape: %s is not a folder; pass folders of the source tree\n", dir.c_str());
      return 2;
    }
    std::vector<std::filesystem::path> paths;
    for (const auto& e : std::filesystem::recursive_directory_iterator(dir))
      if (e.is_regular_file() && (e.path().extension() == ".cpp" || e.path().extension() == ".hpp")) paths.push_back(e.path());
    std::sort(paths.begin(), paths.end());
    for (const auto& p : paths) {
      bad += check_file(p, std::filesystem::relative(p, root).string());
      ++files;
    }
  }
  std::printf("code shape: %d files, %d over the limits (file %d lines, function %d lines)\n", files, bad, kMaxFileLines,
              kMaxFunctionLines);
  return bad == 0 && files > 0 ? 0 : 1;
}
