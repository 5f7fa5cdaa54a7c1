#include "sources/bibtex.h"

#include <cctype>

#include "core/text.h"

namespace coolpapers::sources::bibtex {
namespace {

bool IsNameChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == ':' ||
         c == '.' || c == '+' || c == '/' || c == '\'';
}

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// Reads a .bib text entry by entry; keeps @string macros for later values.
class Reader {
 public:
  Reader(std::string_view text, const std::string& source, File& out)
      : text_(text), source_(source), out_(out) {
    static constexpr const char* kMonths[] = {"jan", "feb", "mar", "apr", "may", "jun",
                                              "jul", "aug", "sep", "oct", "nov", "dec"};
    static constexpr const char* kMonthNames[] = {
        "January", "February", "March",     "April",   "May",      "June",
        "July",    "August",   "September", "October", "November", "December"};
    for (int i = 0; i < 12; ++i) macros_[kMonths[i]] = kMonthNames[i];
  }

  void Run() {
    while (true) {
      size_t at = text_.find('@', pos_);
      if (at == std::string_view::npos) return;
      pos_ = at + 1;
      std::string why;
      if (!ReadEntry(at, why)) {
        out_.skipped.push_back(source_ + ":" + std::to_string(LineOf(at)) + ": " + why);
        pos_ = NextEntryStart(at + 1);
      }
    }
  }

 private:
  // The next '@' that starts a line after `from` (where a broken entry's successor begins).
  size_t NextEntryStart(size_t from) const {
    size_t p = text_.find("\n@", from);
    return p == std::string_view::npos ? text_.size() : p + 1;
  }

  size_t LineOf(size_t offset) {
    if (offset < line_offset_) line_offset_ = 0, line_ = 1;
    for (; line_offset_ < offset; ++line_offset_) {
      if (text_[line_offset_] == '\n') ++line_;
    }
    return line_;
  }

  void SkipSpace() {
    while (pos_ < text_.size() && std::isspace(static_cast<unsigned char>(text_[pos_]))) ++pos_;
  }

  std::string ReadName() {
    size_t start = pos_;
    while (pos_ < text_.size() && IsNameChar(text_[pos_])) ++pos_;
    return std::string(text_.substr(start, pos_ - start));
  }

  // After an opening '{': the text up to its matching '}' (nested braces kept).
  bool ReadBraced(std::string& out) {
    int depth = 1;
    size_t start = pos_;
    for (; pos_ < text_.size(); ++pos_) {
      char c = text_[pos_];
      if (c == '\\' && pos_ + 1 < text_.size()) {
        ++pos_;
      } else if (c == '\n' && pos_ + 1 < text_.size() && text_[pos_ + 1] == '@') {
        return false;  // a new entry starts: this value was never closed
      } else if (c == '{') {
        ++depth;
      } else if (c == '}' && --depth == 0) {
        out.append(text_.substr(start, pos_ - start));
        ++pos_;
        return true;
      }
    }
    return false;
  }

  // After an opening '"': the text up to the closing '"' outside braces.
  bool ReadQuoted(std::string& out) {
    int depth = 0;
    size_t start = pos_;
    for (; pos_ < text_.size(); ++pos_) {
      char c = text_[pos_];
      if (c == '\n' && pos_ + 1 < text_.size() && text_[pos_ + 1] == '@') return false;
      if (c == '{') ++depth;
      if (c == '}') --depth;
      if (c == '"' && depth == 0 && text_[pos_ - 1] != '\\') {
        out.append(text_.substr(start, pos_ - start));
        ++pos_;
        return true;
      }
    }
    return false;
  }

  // value ('#' value)*
  bool ReadValue(std::string& out, std::string& why) {
    while (true) {
      SkipSpace();
      if (pos_ >= text_.size()) return why = "the file ends inside a value", false;
      char c = text_[pos_];
      if (c == '{') {
        ++pos_;
        if (!ReadBraced(out)) return why = "unbalanced braces in a value", false;
      } else if (c == '"') {
        ++pos_;
        if (!ReadQuoted(out)) return why = "a quoted value is never closed", false;
      } else if (IsNameChar(c)) {
        std::string word = ReadName();
        auto m = macros_.find(Lower(word));
        out += m != macros_.end() ? m->second : word;  // numbers and unknown macros as written
      } else {
        return why = std::string("unexpected '") + c + "' where a value should start", false;
      }
      SkipSpace();
      if (pos_ < text_.size() && text_[pos_] == '#') {
        ++pos_;
        continue;
      }
      return true;
    }
  }

  // name = value, ... up to `close`.
  bool ReadFields(char close, Entry& e, std::string& why) {
    while (true) {
      SkipSpace();
      if (pos_ < text_.size() && text_[pos_] == close) return ++pos_, true;
      std::string name = Lower(ReadName());
      if (name.empty()) {
        return why = "entry @" + e.type + "{" + e.key + ": a field name is missing or the " +
                     "entry is not closed", false;
      }
      SkipSpace();
      if (pos_ >= text_.size() || text_[pos_] != '=') {
        return why = "entry @" + e.type + "{" + e.key + ": no '=' after field " + name, false;
      }
      ++pos_;
      std::string value;
      if (!ReadValue(value, why)) return why = "entry @" + e.type + "{" + e.key + ": " + why, false;
      e.fields[name] = std::move(value);
      SkipSpace();
      if (pos_ < text_.size() && text_[pos_] == ',') ++pos_;
    }
  }

  bool ReadEntry(size_t at, std::string& why) {
    Entry e;
    e.line = LineOf(at);
    SkipSpace();
    e.type = Lower(ReadName());
    SkipSpace();
    if (e.type.empty() || pos_ >= text_.size() || (text_[pos_] != '{' && text_[pos_] != '(')) {
      return why = "'@' is not followed by an entry type and '{'", false;
    }
    char close = text_[pos_] == '{' ? '}' : ')';
    ++pos_;
    if (e.type == "comment" || e.type == "preamble") {
      std::string ignored;
      return ReadBraced(ignored) || (why = "unbalanced braces in @" + e.type, false);
    }
    if (e.type == "string") return ReadMacro(close, why);
    SkipSpace();
    size_t key_start = pos_;
    while (pos_ < text_.size() && text_[pos_] != ',' && text_[pos_] != close &&
           !std::isspace(static_cast<unsigned char>(text_[pos_]))) {
      ++pos_;
    }
    e.key = std::string(text_.substr(key_start, pos_ - key_start));
    if (e.key.empty()) return why = "entry @" + e.type + " has no key", false;
    SkipSpace();
    if (pos_ < text_.size() && text_[pos_] == ',') ++pos_;
    if (!ReadFields(close, e, why)) return false;
    out_.entries.push_back(std::move(e));
    return true;
  }

  bool ReadMacro(char close, std::string& why) {
    SkipSpace();
    std::string name = Lower(ReadName());
    SkipSpace();
    if (name.empty() || pos_ >= text_.size() || text_[pos_] != '=') {
      return why = "@string without 'name = value'", false;
    }
    ++pos_;
    std::string value;
    if (!ReadValue(value, why)) return why = "@string{" + name + ": " + why, false;
    SkipSpace();
    if (pos_ >= text_.size() || text_[pos_] != close) return why = "@string{" + name + " is not closed", false;
    ++pos_;
    macros_[name] = std::move(value);
    return true;
  }

  std::string_view text_;
  const std::string& source_;
  File& out_;
  size_t pos_ = 0;
  size_t line_ = 1, line_offset_ = 0;
  std::map<std::string, std::string> macros_;
};

}  // namespace

const std::string& Entry::Get(const std::string& name) const {
  static const std::string kEmpty;
  auto it = fields.find(name);
  return it == fields.end() ? kEmpty : it->second;
}

File Parse(std::string_view text, const std::string& source) {
  File out;
  Reader(text, source, out).Run();
  return out;
}

}  // namespace coolpapers::sources::bibtex
