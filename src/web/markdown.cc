#include "web/markdown.h"

#include <algorithm>
#include <cctype>
#include <string>
#include <vector>

#include "core/text.h"

namespace coolpapers::web {
namespace {

constexpr int kMaxDepth = 6;             // nesting of emphasis/links/blockquotes rendered
constexpr size_t kMaxSpanSearch = 2000;  // how far a closing delimiter is looked for
constexpr size_t kMaxVerbatim = 20000;   // longest \(...\), \[...\] or $$...$$ span kept
// Characters the delimiter searches of one inline text may scan, per input byte (plus a floor):
// ordinary answers use a small fraction; a hostile run of openers that never close ("[[[[...",
// "*a *a *a ...") exhausts it and the rest of the text is rendered literally, so rendering stays
// linear in the input.
constexpr size_t kScanBudgetPerByte = 64;
constexpr size_t kScanBudgetFloor = size_t{1} << 16;

using Lines = std::vector<std::string>;

bool IsSpaceChar(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }
bool IsAlnum(char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0; }
bool IsPunct(char c) { return std::ispunct(static_cast<unsigned char>(c)) != 0; }

size_t Indent(std::string_view line) {
  size_t n = 0;
  for (char c : line) {
    if (c == ' ') {
      ++n;
    } else if (c == '\t') {
      n += 4;
    } else {
      break;
    }
  }
  return n;
}

bool SafeUrl(std::string_view url) {
  std::string lower = core::ToLower(url.substr(0, 8));
  if (!core::StartsWith(lower, "http://") && !core::StartsWith(lower, "https://")) return false;
  return std::none_of(url.begin(), url.end(), [](char c) {
    return static_cast<unsigned char>(c) <= 0x20 || c == '"' || c == '\'' || c == '<' ||
           c == '>' || c == '`' || c == '\\';
  });
}

void AppendLink(std::string& out, std::string_view url, const std::string& text_html) {
  out += "<a href=\"";
  core::AppendHtmlEscaped(out, url);
  out += "\" rel=\"nofollow noopener noreferrer\" target=\"_blank\">";
  out += text_html;
  out += "</a>";
}

// Remembers where the next occurrence of a closing delimiter is, so that a run of openers
// sharing one closer (or none: 200,000 '<') costs one scan instead of one scan each.
class NextOccurrence {
 public:
  explicit NextOccurrence(std::string_view needle) : needle_(needle) {}
  size_t size() const { return needle_.size(); }

  // s.find(needle, from), answered from the previous search when it still holds; *scanned is
  // the number of characters this call had to look at.
  size_t Find(std::string_view s, size_t from, size_t* scanned) {
    *scanned = 0;
    bool same_text = s.data() == data_ && s.size() == size_;
    if (!same_text || from < from_ || (pos_ != std::string_view::npos && pos_ < from)) {
      data_ = s.data();
      size_ = s.size();
      pos_ = s.find(needle_, from);
      *scanned = (pos_ == std::string_view::npos ? s.size() : pos_) - std::min(from, s.size());
    }
    from_ = from;
    return pos_;
  }

 private:
  std::string_view needle_;
  const char* data_ = nullptr;
  size_t size_ = 0;
  size_t from_ = 0;
  size_t pos_ = std::string_view::npos;
};

// What the searches of one inline text share: the scan budget and the closer positions.
struct InlineScan {
  explicit InlineScan(size_t text_size)
      : budget(text_size * kScanBudgetPerByte + kScanBudgetFloor) {}
  // Charges `n` scanned characters; false once the budget is spent.
  bool Charge(size_t n) {
    if (n > budget) {
      budget = 0;
      return false;
    }
    budget -= n;
    return true;
  }
  // The next `closer` in s from `from` (npos also when the budget is spent).
  size_t Next(NextOccurrence& closer, std::string_view s, size_t from) {
    size_t scanned = 0;
    size_t pos = closer.Find(s, from, &scanned);
    return Charge(scanned) ? pos : std::string_view::npos;
  }
  size_t budget;
  NextOccurrence paren_close{"\\)"}, bracket_close{"\\]"}, dollars{"$$"}, angle{">"};
};

class InlineRenderer {
 public:
  InlineRenderer(std::string& out, InlineScan& scan) : out_(out), scan_(scan) {}

  void Render(std::string_view s, int depth) {
    size_t i = 0;
    while (i < s.size()) {
      size_t used = 0;
      char c = s[i];
      if (depth < kMaxDepth && scan_.budget > 0) {
        switch (c) {
          case '\\': used = Backslash(s, i); break;
          case '`': used = CodeSpan(s, i); break;
          case '$': used = DollarMath(s, i); break;
          case '*':
          case '_': used = Emphasis(s, i, depth); break;
          case '~': used = Strike(s, i, depth); break;
          case '!':
          case '[': used = Link(s, i, depth); break;
          case '<': used = AutoLink(s, i); break;
          default: break;
        }
      }
      if (used == 0) {
        // Runs of '*', '_' and '`' that did not open anything stay literal as a whole.
        size_t run = 1;
        if (c == '*' || c == '_' || c == '`' || c == '~') {
          while (i + run < s.size() && s[i + run] == c) ++run;
        }
        core::AppendHtmlEscaped(out_, s.substr(i, run));
        used = run;
      }
      i += used;
    }
  }

 private:
  // Math kept verbatim (escaped) from s[i] to the end of `close` found after `open_len`.
  size_t Verbatim(std::string_view s, size_t i, size_t open_len, NextOccurrence& close) {
    size_t end = scan_.Next(close, s, i + open_len);
    if (end == std::string_view::npos || end - i > kMaxVerbatim) return 0;
    core::AppendHtmlEscaped(out_, s.substr(i, end + close.size() - i));
    return end + close.size() - i;
  }

  size_t Backslash(std::string_view s, size_t i) {
    if (i + 1 >= s.size()) return 0;
    char n = s[i + 1];
    if (n == '(') return Verbatim(s, i, 2, scan_.paren_close);
    if (n == '[') return Verbatim(s, i, 2, scan_.bracket_close);
    if (IsPunct(n) && n != '\\') {
      // \* \_ \` \[ ... : the character itself, literally. (\\ stays as is for LaTeX.)
      core::AppendHtmlEscaped(out_, s.substr(i + 1, 1));
      return 2;
    }
    return 0;
  }

  size_t CodeSpan(std::string_view s, size_t i) {
    size_t run = 0;
    while (i + run < s.size() && s[i + run] == '`') ++run;
    for (size_t j = i + run; j < s.size();) {
      size_t k = s.find('`', j);
      if (!scan_.Charge((k == std::string_view::npos ? s.size() : k) - j + 1)) return 0;
      if (k == std::string_view::npos) return 0;
      size_t close = 0;
      while (k + close < s.size() && s[k + close] == '`') ++close;
      if (close == run) {
        std::string_view code = s.substr(i + run, k - i - run);
        if (code.size() >= 2 && code.front() == ' ' && code.back() == ' ') {
          code = code.substr(1, code.size() - 2);
        }
        out_ += "<code>";
        core::AppendHtmlEscaped(out_, code);
        out_ += "</code>";
        return k + close - i;
      }
      j = k + close;
    }
    return 0;
  }

  size_t DollarMath(std::string_view s, size_t i) {
    if (i + 1 < s.size() && s[i + 1] == '$') return Verbatim(s, i, 2, scan_.dollars);
    if (i + 1 >= s.size() || IsSpaceChar(s[i + 1])) return 0;
    for (size_t j = i + 1; j < s.size() && j - i < kMaxSpanSearch; ++j) {
      if (!scan_.Charge(1)) return 0;
      if (s[j] == '\\') {
        ++j;
        continue;
      }
      if (s[j] != '$') continue;
      if (IsSpaceChar(s[j - 1])) return 0;
      if (j + 1 < s.size() && std::isdigit(static_cast<unsigned char>(s[j + 1]))) return 0;
      core::AppendHtmlEscaped(out_, s.substr(i, j + 1 - i));
      return j + 1 - i;
    }
    return 0;
  }

  // Finds a closing run of exactly `run` `c`s after `from`, not preceded by whitespace (and,
  // for '_', not followed by a letter or digit). npos if none within the search window.
  size_t FindCloser(std::string_view s, size_t from, char c, size_t run) {
    size_t limit = std::min(s.size(), from + kMaxSpanSearch);
    for (size_t j = from; j < limit;) {
      if (!scan_.Charge(1)) return std::string_view::npos;
      if (s[j] == '`') {  // skip code spans: delimiters inside them do not count
        size_t k = s.find('`', j + 1);
        j = (k == std::string_view::npos) ? j + 1 : k + 1;
        continue;
      }
      if (s[j] != c) {
        ++j;
        continue;
      }
      size_t len = 0;
      while (j + len < s.size() && s[j + len] == c) ++len;
      bool ok = len == run && !IsSpaceChar(s[j - 1]) &&
                !(c == '_' && j + len < s.size() && IsAlnum(s[j + len]));
      if (ok) return j;
      j += len;
    }
    return std::string_view::npos;
  }

  size_t Emphasis(std::string_view s, size_t i, int depth) {
    char c = s[i];
    size_t run = 0;
    while (i + run < s.size() && s[i + run] == c) ++run;
    if (run > 3 || i + run >= s.size() || IsSpaceChar(s[i + run])) return 0;
    if (c == '_' && i > 0 && IsAlnum(s[i - 1])) return 0;  // snake_case stays literal
    size_t close = FindCloser(s, i + run + 1, c, run);
    if (close == std::string_view::npos) return 0;
    static const char* kOpen[] = {"", "<em>", "<strong>", "<strong><em>"};
    static const char* kClose[] = {"", "</em>", "</strong>", "</em></strong>"};
    out_ += kOpen[run];
    Render(s.substr(i + run, close - i - run), depth + 1);
    out_ += kClose[run];
    return close + run - i;
  }

  size_t Strike(std::string_view s, size_t i, int depth) {
    if (s.substr(i, 2) != "~~" || (i + 2 < s.size() && s[i + 2] == '~')) return 0;
    if (i + 2 >= s.size() || IsSpaceChar(s[i + 2])) return 0;
    size_t close = FindCloser(s, i + 3, '~', 2);
    if (close == std::string_view::npos) return 0;
    out_ += "<del>";
    Render(s.substr(i + 2, close - i - 2), depth + 1);
    out_ += "</del>";
    return close + 2 - i;
  }

  // [text](url) and ![alt](url).
  size_t Link(std::string_view s, size_t i, int depth) {
    size_t open = i;
    if (s[i] == '!') {
      if (i + 1 >= s.size() || s[i + 1] != '[') return 0;
      open = i + 1;
    }
    int nest = 0;
    size_t close = std::string_view::npos;
    for (size_t j = open; j < s.size() && j - open < kMaxSpanSearch; ++j) {
      if (!scan_.Charge(1)) return 0;
      if (s[j] == '\\') {
        ++j;
      } else if (s[j] == '[') {
        ++nest;
      } else if (s[j] == ']' && --nest == 0) {
        close = j;
        break;
      }
    }
    if (close == std::string_view::npos || close + 1 >= s.size() || s[close + 1] != '(') return 0;
    size_t url_start = close + 2, parens = 1, end = url_start;
    for (; end < s.size() && end - url_start < kMaxSpanSearch; ++end) {
      if (!scan_.Charge(1)) return 0;
      if (s[end] == '(') ++parens;
      if (s[end] == ')' && --parens == 0) break;
      if (s[end] == '\n') return 0;
    }
    if (end >= s.size() || s[end] != ')') return 0;
    std::string_view target = core::Trim(s.substr(url_start, end - url_start));
    if (size_t sp = target.find_first_of(" \t"); sp != std::string_view::npos) {
      target = target.substr(0, sp);  // drop an optional "title"
    }
    if (target.size() >= 2 && target.front() == '<' && target.back() == '>') {
      target = target.substr(1, target.size() - 2);
    }
    std::string text_html;
    InlineRenderer inner(text_html, scan_);
    inner.Render(s.substr(open + 1, close - open - 1), depth + 1);
    if (SafeUrl(target)) {
      AppendLink(out_, target, text_html);
    } else {
      out_ += text_html;  // unsafe scheme: keep the words, drop the link
    }
    return end + 1 - i;
  }

  size_t AutoLink(std::string_view s, size_t i) {
    size_t end = scan_.Next(scan_.angle, s, i);
    if (end == std::string_view::npos || end - i > kMaxSpanSearch) return 0;
    std::string_view url = s.substr(i + 1, end - i - 1);
    if (!SafeUrl(url)) return 0;
    AppendLink(out_, url, core::HtmlEscape(url));
    return end + 1 - i;
  }

  std::string& out_;
  InlineScan& scan_;
};

void RenderInline(std::string& out, std::string_view text) {
  text = core::Trim(text);
  InlineScan scan(text.size());
  InlineRenderer(out, scan).Render(text, 0);
}

// ---- blocks ----

bool IsFence(std::string_view line) {
  std::string_view t = core::Trim(line);
  return core::StartsWith(t, "```") || core::StartsWith(t, "~~~");
}

int HeadingLevel(std::string_view line) {
  if (Indent(line) > 3) return 0;
  std::string_view t = core::Trim(line);
  int n = 0;
  while (n < static_cast<int>(t.size()) && t[n] == '#') ++n;
  if (n == 0 || n > 6) return 0;
  if (n < static_cast<int>(t.size()) && t[n] != ' ' && t[n] != '\t') return 0;
  return n;
}

bool IsRule(std::string_view line) {
  std::string_view t = core::Trim(line);
  if (t.size() < 3 || (t[0] != '-' && t[0] != '*' && t[0] != '_')) return false;
  int count = 0;
  for (char c : t) {
    if (c == t[0]) {
      ++count;
    } else if (c != ' ') {
      return false;
    }
  }
  return count >= 3;
}

// A list item marker: "- ", "* ", "+ ", "1. ", "1) ". Sets the item text and kind.
bool ListMarker(std::string_view line, bool* ordered, int* number, std::string_view* text) {
  std::string_view t = line.substr(std::min(line.size(), line.find_first_not_of(" \t")));
  if (t.size() >= 2 && (t[0] == '-' || t[0] == '*' || t[0] == '+') && (t[1] == ' ' || t[1] == '\t')) {
    *ordered = false;
    *text = core::Trim(t.substr(2));
    return true;
  }
  size_t d = 0;
  while (d < t.size() && d < 9 && std::isdigit(static_cast<unsigned char>(t[d]))) ++d;
  if (d == 0 || d + 1 >= t.size() || (t[d] != '.' && t[d] != ')') ||
      (t[d + 1] != ' ' && t[d + 1] != '\t')) {
    return false;
  }
  *ordered = true;
  *number = std::stoi(std::string(t.substr(0, d)));
  *text = core::Trim(t.substr(d + 2));
  return true;
}

bool IsListItem(std::string_view line) {
  bool o;
  int n;
  std::string_view t;
  return !IsRule(line) && ListMarker(line, &o, &n, &t);
}

bool IsTableSeparator(std::string_view line) {
  std::string_view t = core::Trim(line);
  if (t.find('-') == std::string_view::npos) return false;
  bool pipe = t.find('|') != std::string_view::npos;
  if (!pipe && t.find("---") == std::string_view::npos) return false;
  return pipe && t.find_first_not_of("|:- \t") == std::string_view::npos;
}

std::vector<std::string> TableCells(std::string_view line) {
  std::string_view t = core::Trim(line);
  if (!t.empty() && t.front() == '|') t.remove_prefix(1);
  if (!t.empty() && t.back() == '|') t.remove_suffix(1);
  std::vector<std::string> cells;
  std::string cell;
  for (size_t i = 0; i < t.size(); ++i) {
    if (t[i] == '\\' && i + 1 < t.size() && t[i + 1] == '|') {
      cell += '|';
      ++i;
    } else if (t[i] == '|') {
      cells.push_back(cell);
      cell.clear();
    } else {
      cell += t[i];
    }
  }
  cells.push_back(cell);
  return cells;
}

bool StartsDisplayMath(std::string_view line) {
  std::string_view t = core::Trim(line);
  return core::StartsWith(t, "$$") || core::StartsWith(t, "\\[");
}

class BlockRenderer {
 public:
  BlockRenderer(const Lines& lines, std::string& out, int depth)
      : lines_(lines), out_(out), depth_(depth) {}

  void Render() {
    while (i_ < lines_.size()) {
      const std::string& line = lines_[i_];
      if (core::Trim(line).empty()) {
        ++i_;
      } else if (IsFence(line)) {
        Fence();
      } else if (StartsDisplayMath(line)) {
        DisplayMath();
      } else if (int level = HeadingLevel(line)) {
        Heading(level);
      } else if (IsRule(line)) {
        out_ += "<hr>\n";
        ++i_;
      } else if (core::StartsWith(core::Trim(line), ">")) {
        Blockquote();
      } else if (IsListItem(line)) {
        List();
      } else if (line.find('|') != std::string::npos && i_ + 1 < lines_.size() &&
                 IsTableSeparator(lines_[i_ + 1])) {
        Table();
      } else {
        Paragraph();
      }
    }
  }

 private:
  bool StartsBlock(const std::string& line) const {
    return IsFence(line) || HeadingLevel(line) > 0 || IsRule(line) || StartsDisplayMath(line) ||
           core::StartsWith(core::Trim(line), ">") || IsListItem(line);
  }

  void Fence() {
    std::string_view open = core::Trim(lines_[i_]);
    std::string marker(open.substr(0, 3));
    std::string lang(core::Trim(open.substr(3)));
    bool lang_ok = !lang.empty() && lang.size() < 32 &&
                   std::all_of(lang.begin(), lang.end(), [](char c) {
                     return IsAlnum(c) || c == '_' || c == '+' || c == '-';
                   });
    ++i_;
    std::string code;
    while (i_ < lines_.size() && !core::StartsWith(core::Trim(lines_[i_]), marker)) {
      code += lines_[i_++];
      code += '\n';
    }
    if (i_ < lines_.size()) ++i_;  // closing fence
    out_ += lang_ok ? "<pre><code class=\"language-" + lang + "\">" : "<pre><code>";
    core::AppendHtmlEscaped(out_, code);
    out_ += "</code></pre>\n";
  }

  void DisplayMath() {
    std::string_view first = core::Trim(lines_[i_]);
    std::string close = core::StartsWith(first, "$$") ? "$$" : "\\]";
    std::string math(first);
    ++i_;
    bool closed = math.size() >= 4 && core::EndsWith(math, close);
    while (!closed && i_ < lines_.size()) {
      math += '\n';
      math += lines_[i_];
      closed = lines_[i_++].find(close) != std::string::npos;
    }
    out_ += "<div class=\"faq-math\">";
    core::AppendHtmlEscaped(out_, math);
    out_ += "</div>\n";
  }

  void Heading(int level) {
    std::string_view t = core::Trim(lines_[i_++]);
    t = core::Trim(t.substr(static_cast<size_t>(level)));
    while (!t.empty() && t.back() == '#') t.remove_suffix(1);
    std::string tag = "h" + std::to_string(std::min(6, level + 2));
    out_ += "<" + tag + ">";
    RenderInline(out_, t);
    out_ += "</" + tag + ">\n";
  }

  void Blockquote() {
    Lines inner;
    while (i_ < lines_.size() && core::StartsWith(core::Trim(lines_[i_]), ">")) {
      std::string_view t = core::Trim(lines_[i_++]).substr(1);
      if (!t.empty() && t.front() == ' ') t.remove_prefix(1);
      inner.emplace_back(t);
    }
    out_ += "<blockquote>\n";
    if (depth_ < kMaxDepth) {
      BlockRenderer(inner, out_, depth_ + 1).Render();
    } else {
      out_ += "<p>";
      core::AppendHtmlEscaped(out_, core::Join(inner, "\n"));
      out_ += "</p>\n";
    }
    out_ += "</blockquote>\n";
  }

  void Paragraph() {
    std::string text = lines_[i_++];
    while (i_ < lines_.size() && !core::Trim(lines_[i_]).empty() && !StartsBlock(lines_[i_])) {
      text += '\n';
      text += core::Trim(lines_[i_++]);
    }
    out_ += "<p>";
    RenderInline(out_, text);
    out_ += "</p>\n";
  }

  void Table() {
    std::vector<std::string> head = TableCells(lines_[i_]);
    i_ += 2;
    out_ += "<table>\n<thead><tr>";
    for (const std::string& c : head) {
      out_ += "<th>";
      RenderInline(out_, c);
      out_ += "</th>";
    }
    out_ += "</tr></thead>\n<tbody>\n";
    while (i_ < lines_.size() && lines_[i_].find('|') != std::string::npos &&
           !core::Trim(lines_[i_]).empty()) {
      std::vector<std::string> cells = TableCells(lines_[i_++]);
      cells.resize(head.size());
      out_ += "<tr>";
      for (const std::string& c : cells) {
        out_ += "<td>";
        RenderInline(out_, c);
        out_ += "</td>";
      }
      out_ += "</tr>\n";
    }
    out_ += "</tbody>\n</table>\n";
  }

  // Lists nest by indentation: an item indented 2+ columns deeper than the open list's items
  // starts a sub-list inside the current item.
  void List() {
    struct Level {
      size_t indent;
      bool ordered;
    };
    std::vector<Level> stack;
    std::string item;  // text of the open item, rendered when it closes
    bool item_open = false;
    auto flush_item = [&] {
      if (!item.empty()) RenderInline(out_, item);
      item.clear();
    };
    auto close_item = [&] {
      flush_item();
      if (item_open) out_ += "</li>\n";
      item_open = false;
    };
    auto close_list = [&] {
      close_item();
      out_ += stack.back().ordered ? "</ol>\n" : "</ul>\n";
      stack.pop_back();
      item_open = !stack.empty();  // back inside the parent's item
    };
    while (i_ < lines_.size()) {
      const std::string& line = lines_[i_];
      bool ordered = false;
      int number = 1;
      std::string_view text;
      if (core::Trim(line).empty()) {
        // A blank line continues the list only if more of it follows.
        size_t next = i_ + 1;
        while (next < lines_.size() && core::Trim(lines_[next]).empty()) ++next;
        if (next >= lines_.size() || (!IsListItem(lines_[next]) && Indent(lines_[next]) < 2)) {
          break;
        }
        i_ = next;
        continue;
      }
      if (!IsRule(line) && ListMarker(line, &ordered, &number, &text)) {
        size_t indent = Indent(line);
        while (!stack.empty() && indent + 1 < stack.back().indent) close_list();
        if (stack.empty() || indent >= stack.back().indent + 2) {
          if (stack.size() >= static_cast<size_t>(kMaxDepth)) {
            item += ' ';
            item.append(text);
            ++i_;
            continue;
          }
          flush_item();
          if (ordered) {
            out_ += number == 1 ? "<ol>\n" : "<ol start=\"" + std::to_string(number) + "\">\n";
          } else {
            out_ += "<ul>\n";
          }
          stack.push_back({indent, ordered});
        } else {
          close_item();
          if (stack.back().ordered != ordered) {
            close_list();
            out_ += ordered ? "<ol>\n" : "<ul>\n";
            stack.push_back({indent, ordered});
          }
        }
        out_ += "<li>";
        item_open = true;
        item.assign(text);
        ++i_;
        continue;
      }
      // A non-item line: continuation of the open item unless it starts another block at the
      // left margin (or is a code fence, which is rendered as its own block).
      if (IsFence(line) || StartsDisplayMath(line) ||
          (Indent(line) < 2 && StartsBlock(line))) {
        break;
      }
      if (Indent(line) < 2 && i_ > 0 && core::Trim(lines_[i_ - 1]).empty()) break;
      item += '\n';
      item.append(core::Trim(line));
      ++i_;
    }
    while (!stack.empty()) close_list();
  }

  const Lines& lines_;
  std::string& out_;
  int depth_;
  size_t i_ = 0;
};

}  // namespace

std::string RenderMarkdown(std::string_view markdown) {
  std::string clean = core::SanitizeUtf8(markdown);
  Lines lines;
  for (std::string& l : core::Split(clean, '\n', false)) {
    if (!l.empty() && l.back() == '\r') l.pop_back();
    lines.push_back(std::move(l));
  }
  std::string out;
  out.reserve(clean.size() + clean.size() / 4);
  BlockRenderer(lines, out, 0).Render();
  return out;
}

}  // namespace coolpapers::web
