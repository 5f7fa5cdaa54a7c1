#include "sources/arxiv/author_list.h"

#include "core/text.h"

namespace coolpapers::sources::arxiv {
namespace {

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

// True when s[i..] starts the separating word " and " (surrounded by whitespace).
bool IsAndWord(std::string_view s, size_t i) {
  if (i == 0 || !IsSpace(s[i - 1])) return false;
  if (s.substr(i, 3) != "and") return false;
  return i + 3 < s.size() && IsSpace(s[i + 3]);
}

void Emit(std::string& current, std::vector<std::string>& out) {
  std::string name = core::CollapseWhitespace(current);
  if (!name.empty()) out.push_back(std::move(name));
  current.clear();
}

}  // namespace

std::vector<std::string> SplitAuthorList(std::string_view s) {
  std::vector<std::string> out;
  std::string current;
  int depth = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (c == '(') {
      ++depth;
    } else if (c == ')') {
      if (depth > 0) --depth;
    } else if (depth > 0) {
      continue;  // inside an affiliation
    } else if (c == ',' || c == ';') {
      Emit(current, out);
    } else if (IsAndWord(s, i)) {
      Emit(current, out);
      i += 2;
    } else {
      current += c;
    }
  }
  Emit(current, out);
  return out;
}

}  // namespace coolpapers::sources::arxiv
