#include "web/markdown.h"

#include <md4c.h>

#include <algorithm>
#include <cctype>
#include <string>
#include <vector>

#include "core/text.h"

namespace coolpapers::web {
namespace {

// ---- TeX shield ----
//
// md4c knows $-math only; \(...\) and \[...\] would be read as Markdown (\\ -> \, \{ -> {,
// a_1*b_2* -> emphasis). Before parsing, each such span, and each display block ($$ or \[ at
// the start of a line, up to its closing delimiter), is replaced by a placeholder md4c passes
// through as plain text: \x01<n>\x02. These bytes cannot occur in the input (SanitizeUtf8 drops
// control characters), so placeholders are unambiguous; the writer turns them back into the
// escaped original wherever md4c put them.

constexpr char kShieldOpen = '\x01';
constexpr char kShieldClose = '\x02';
// A '<' that cannot start an autolink (the next character is no letter or digit) is passed to
// md4c as this byte: md4c 0.4.8 takes "<<https://x>" for an autolink to "<https://x".
constexpr char kLessThan = '\x03';
constexpr size_t kMaxInlineTex = 20000;  // longest \(...\) or \[...\] kept as one span
// Characters the code-span searches of one line may scan, per byte (plus a floor), so a line
// of unclosed backtick runs stays linear; past it, code spans are no longer skipped (harmless:
// a placeholder inside a code span is restored as written).
constexpr size_t kScanBudgetPerByte = 16;
constexpr size_t kScanBudgetFloor = size_t{1} << 16;

struct Shielded {
  std::string text;              // what md4c parses
  std::vector<std::string> tex;  // the original of placeholder n
  std::vector<bool> block;       // placeholder n is a display block (its own paragraph)

  void Add(std::string_view original, bool is_block) {
    text += kShieldOpen;
    text += std::to_string(tex.size());
    text += kShieldClose;
    tex.emplace_back(original);
    block.push_back(is_block);
  }
};

bool IsAsciiPunct(char c) { return c > 0x20 && c < 0x7f && std::ispunct(static_cast<unsigned char>(c)); }

// A fenced code block's opening line (trimmed): its character and run length; 0 if not one.
size_t FenceOpen(std::string_view t, char* ch) {
  if (t.size() < 3 || (t[0] != '`' && t[0] != '~')) return 0;
  size_t n = 0;
  while (n < t.size() && t[n] == t[0]) ++n;
  if (n < 3 || (t[0] == '`' && t.find('`', n) != std::string_view::npos)) return 0;
  *ch = t[0];
  return n;
}

bool FenceCloses(std::string_view t, char ch, size_t len) {
  size_t n = 0;
  while (n < t.size() && t[n] == ch) ++n;
  return n >= len && core::Trim(t.substr(n)).empty();
}

// Shields \(...\) and \[...\] closing on the same line; code spans are skipped.
class InlineShield {
 public:
  InlineShield(std::string_view line, Shielded& out)
      : line_(line), out_(out), budget_(line.size() * kScanBudgetPerByte + kScanBudgetFloor) {}

  void Run() {
    auto special = [](char c) { return c == '`' || c == '\\' || c == '<'; };
    size_t i = std::find_if(line_.begin(), line_.end(), special) - line_.begin();
    out_.text.append(line_.substr(0, i));  // the common case: all of it
    while (i < line_.size()) {
      char c = line_[i];
      size_t used = 0;
      if (c == '`') {
        used = CodeSpan(i);
      } else if (c == '\\' && i + 1 < line_.size()) {
        used = Backslash(i);
      } else if (c == '<' &&
                 (i + 1 == line_.size() || !std::isalnum(static_cast<unsigned char>(line_[i + 1])))) {
        out_.text += kLessThan;
        used = 1;
      }
      if (used == 0) {
        out_.text += c;
        used = 1;
      }
      i += used;
    }
  }

 private:
  size_t CodeSpan(size_t i) {
    size_t run = 0;
    while (i + run < line_.size() && line_[i + run] == '`') ++run;
    for (size_t j = i + run; j < line_.size();) {
      size_t k = line_.find('`', j);
      size_t scanned = (k == std::string_view::npos ? line_.size() : k) - j + 1;
      if (scanned > budget_) break;
      budget_ -= scanned;
      if (k == std::string_view::npos) break;
      size_t close = 0;
      while (k + close < line_.size() && line_[k + close] == '`') ++close;
      if (close == run) {
        out_.text.append(line_.substr(i, k + close - i));
        return k + close - i;
      }
      j = k + close;
    }
    out_.text.append(line_.substr(i, run));  // no closer: the run is literal
    return run;
  }

  size_t Backslash(size_t i) {
    char n = line_[i + 1];
    if (n == '(' || n == '[') {
      size_t& next = n == '(' ? next_paren_close_ : next_bracket_close_;
      // `next` is the first closer at or after some earlier position <= i + 2: still the
      // first one after i + 2 unless it lies before that (then search again). Linear in all.
      if (next == kUnknown || (next != std::string_view::npos && next < i + 2)) {
        next = line_.find(n == '(' ? "\\)" : "\\]", i + 2);
      }
      if (next != std::string_view::npos && next + 2 - i <= kMaxInlineTex) {
        out_.Add(line_.substr(i, next + 2 - i), false);
        return next + 2 - i;
      }
    }
    if (n == '(' || n == '[' || n == ')' || n == ']') {  // unmatched: kept as written
      out_.Add(line_.substr(i, 2), false);
      return 2;
    }
    if (IsAsciiPunct(n)) {  // an escape: its character cannot open anything
      out_.text.append(line_.substr(i, 2));
      return 2;
    }
    return 0;
  }

  static constexpr size_t kUnknown = std::string_view::npos - 1;
  std::string_view line_;
  Shielded& out_;
  size_t budget_;
  size_t next_paren_close_ = kUnknown;
  size_t next_bracket_close_ = kUnknown;
};

class TexShield {
 public:
  explicit TexShield(std::string_view md) {
    for (size_t start = 0; start <= md.size();) {
      size_t end = md.find('\n', start);
      if (end == std::string_view::npos) end = md.size();
      std::string_view line = md.substr(start, end - start);
      if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
      lines_.push_back(line);
      start = end + 1;
    }
    for (size_t i = 0; i < lines_.size(); ++i) {
      if (lines_[i].find("$$") != std::string_view::npos) last_with_dollars_ = i;
      if (lines_[i].find("\\]") != std::string_view::npos) last_with_bracket_ = i;
    }
  }

  Shielded Run() {
    Shielded out;
    out.text.reserve(lines_.empty() ? 0 : lines_.size() * 40);
    char fence = 0;
    size_t fence_len = 0;
    for (size_t i = 0; i < lines_.size(); ++i) {
      std::string_view line = lines_[i];
      std::string_view t = core::Trim(line);
      if (fence != 0) {
        if (FenceCloses(t, fence, fence_len)) fence = 0;
        AppendLine(out, line);
      } else if ((fence_len = FenceOpen(t, &fence)) > 0) {
        AppendLine(out, line);
      } else if (size_t last = DisplayBlockEnd(i); last != kNone) {
        ShieldBlock(out, i, last);
        i = last;
      } else {
        InlineShield(line, out).Run();
        out.text += '\n';
      }
    }
    return out;
  }

 private:
  static constexpr size_t kNone = static_cast<size_t>(-1);

  static void AppendLine(Shielded& out, std::string_view line) {
    out.text.append(line);
    out.text += '\n';
  }

  // When line i starts a display block ($$ or \[ first on the line), the index of its last
  // line: line i itself when the closer ends it, else the first later line holding the
  // closer. kNone when it is no block (no closer, or text after a closer on line i).
  size_t DisplayBlockEnd(size_t i) const {
    std::string_view t = core::Trim(lines_[i]);
    bool dollars = core::StartsWith(t, "$$");
    if (!dollars && !core::StartsWith(t, "\\[")) return kNone;
    std::string_view close = dollars ? "$$" : "\\]";
    size_t at = t.find(close, 2);
    if (at != std::string_view::npos) return at + 2 == t.size() ? i : kNone;
    size_t last = dollars ? last_with_dollars_ : last_with_bracket_;
    if (last == kNone || last <= i) return kNone;
    for (size_t j = i + 1; j <= last; ++j) {
      if (lines_[j].find(close) != std::string_view::npos) return j;
    }
    return kNone;
  }

  // Lines first..last as one placeholder paragraph (blank lines around it, its indentation).
  void ShieldBlock(Shielded& out, size_t first, size_t last) const {
    std::string_view line = lines_[first];
    std::string_view indent = line.substr(0, line.find_first_not_of(" \t"));
    std::string original(core::Trim(line));
    for (size_t j = first + 1; j <= last; ++j) {
      original += '\n';
      original.append(lines_[j]);
    }
    if (!out.text.empty() && !core::EndsWith(out.text, "\n\n")) out.text += '\n';
    out.text.append(indent);
    out.Add(original, true);
    out.text += "\n\n";
  }

  std::vector<std::string_view> lines_;
  size_t last_with_dollars_ = kNone;
  size_t last_with_bracket_ = kNone;
};

constexpr size_t kNotPlaceholder = std::string_view::npos;

// The index of the placeholder `s` is exactly (\x01<n>\x02), or kNotPlaceholder.
size_t PlaceholderIndex(std::string_view s) {
  if (s.size() < 3 || s.size() > 22 || s.front() != kShieldOpen || s.back() != kShieldClose) {
    return kNotPlaceholder;
  }
  size_t n = 0;
  for (char c : s.substr(1, s.size() - 2)) {
    if (c < '0' || c > '9') return kNotPlaceholder;
    n = n * 10 + static_cast<size_t>(c - '0');
  }
  return n;
}

// `s` with each placeholder replaced by its original; escaped when `escape` (the rest of `s`
// is HTML already), raw otherwise.
std::string Unshield(std::string_view s, const Shielded& sh, bool escape) {
  auto is_marker = [](char c) { return c == kShieldOpen || c == kLessThan; };
  size_t first = std::find_if(s.begin(), s.end(), is_marker) - s.begin();
  if (first == s.size()) return std::string(s);
  std::string out(s.substr(0, first));
  out.reserve(s.size() + s.size() / 4);
  for (size_t i = first; i < s.size();) {
    size_t open = std::find_if(s.begin() + i, s.end(), is_marker) - s.begin();
    out.append(s.substr(i, open - i));
    if (open == s.size()) break;
    if (s[open] == kLessThan) {
      out += escape ? "&lt;" : "<";
      i = open + 1;
      continue;
    }
    size_t close = s.find(kShieldClose, open);
    size_t n = close == std::string_view::npos
                   ? kNotPlaceholder
                   : PlaceholderIndex(s.substr(open, close - open + 1));
    if (n < sh.tex.size()) {
      if (escape) {
        core::AppendHtmlEscaped(out, sh.tex[n]);
      } else {
        out.append(sh.tex[n]);
      }
      i = close + 1;
    } else {
      i = open + 1;  // a stray marker (cannot happen): dropped
    }
  }
  return out;
}

// ---- the HTML writer ----

bool SafeUrl(std::string_view url) {
  std::string lower = core::ToLower(url.substr(0, 8));
  if (!core::StartsWith(lower, "http://") && !core::StartsWith(lower, "https://")) return false;
  return std::none_of(url.begin(), url.end(), [](char c) {
    return static_cast<unsigned char>(c) <= 0x20 || c == '"' || c == '\'' || c == '<' ||
           c == '>' || c == '`' || c == '\\';
  });
}

bool SafeLanguage(std::string_view lang) {
  return !lang.empty() && lang.size() < 32 && std::all_of(lang.begin(), lang.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '+' || c == '-';
  });
}

std::string_view AttrText(const MD_ATTRIBUTE& a) {
  return a.text == nullptr ? std::string_view() : std::string_view(a.text, a.size);
}

// Nesting of blockquotes shown: ">>>>>>..." would otherwise make 27 output bytes per input byte.
constexpr int kMaxQuoteDepth = 16;

// md4c callbacks -> whitelisted HTML. Each method appends to `out`; nothing from the input is
// written unescaped.
class HtmlWriter {
 public:
  HtmlWriter(const Shielded& sh, std::string& out) : sh_(sh), out_(out) {}

  void EnterBlock(MD_BLOCKTYPE type, void* detail) {
    blocks_.push_back(type);
    switch (type) {
      case MD_BLOCK_QUOTE:
        if (++quote_depth_ <= kMaxQuoteDepth) out_ += "<blockquote>\n";
        break;
      case MD_BLOCK_UL: out_ += "<ul>\n"; break;
      case MD_BLOCK_OL: {
        unsigned start = static_cast<MD_BLOCK_OL_DETAIL*>(detail)->start;
        out_ += start == 1 ? "<ol>\n" : "<ol start=\"" + std::to_string(start) + "\">\n";
        break;
      }
      case MD_BLOCK_LI:
        out_ += "<li>";
        item_starts_.push_back(out_.size());
        break;
      case MD_BLOCK_HR: out_ += "<hr>\n"; break;
      case MD_BLOCK_H: out_ += "<" + HeadingTag(detail) + ">"; break;
      case MD_BLOCK_CODE: {
        std::string_view lang = core::Trim(AttrText(static_cast<MD_BLOCK_CODE_DETAIL*>(detail)->info));
        out_ += SafeLanguage(lang) ? "<pre><code class=\"language-" + std::string(lang) + "\">"
                                   : "<pre><code>";
        break;
      }
      case MD_BLOCK_P: EnterParagraph(); break;
      case MD_BLOCK_TABLE:
        out_ += "<table>\n";
        table_has_body_ = false;
        break;
      case MD_BLOCK_THEAD:
        out_ += "<thead>";
        in_thead_ = true;
        break;
      case MD_BLOCK_TBODY:
        out_ += "<tbody>\n";
        table_has_body_ = true;
        break;
      case MD_BLOCK_TR: out_ += "<tr>"; break;
      case MD_BLOCK_TH: out_ += "<th>"; break;
      case MD_BLOCK_TD: out_ += "<td>"; break;
      case MD_BLOCK_DOC:
      case MD_BLOCK_HTML: break;  // raw HTML blocks are off (MD_FLAG_NOHTML)
    }
  }

  void LeaveBlock(MD_BLOCKTYPE type, void* detail) {
    blocks_.pop_back();
    switch (type) {
      case MD_BLOCK_QUOTE:
        if (quote_depth_-- <= kMaxQuoteDepth) out_ += "</blockquote>\n";
        break;
      case MD_BLOCK_UL: out_ += "</ul>\n"; break;
      case MD_BLOCK_OL: out_ += "</ol>\n"; break;
      case MD_BLOCK_LI:
        out_ += "</li>\n";
        item_starts_.pop_back();
        break;
      case MD_BLOCK_H: out_ += "</" + HeadingTag(detail) + ">\n"; break;
      case MD_BLOCK_CODE: out_ += "</code></pre>\n"; break;
      case MD_BLOCK_P: LeaveParagraph(); break;
      case MD_BLOCK_TABLE:
        if (!table_has_body_) out_ += "<tbody>\n</tbody>\n";
        out_ += "</table>\n";
        break;
      case MD_BLOCK_THEAD:
        out_ += "</thead>\n";
        in_thead_ = false;
        break;
      case MD_BLOCK_TBODY: out_ += "</tbody>\n"; break;
      case MD_BLOCK_TR: out_ += in_thead_ ? "</tr>" : "</tr>\n"; break;
      case MD_BLOCK_TH: out_ += "</th>"; break;
      case MD_BLOCK_TD: out_ += "</td>"; break;
      case MD_BLOCK_HR:
      case MD_BLOCK_DOC:
      case MD_BLOCK_HTML: break;
    }
  }

  void EnterSpan(MD_SPANTYPE type, void* detail) {
    switch (type) {
      case MD_SPAN_EM: out_ += "<em>"; break;
      case MD_SPAN_STRONG: out_ += "<strong>"; break;
      case MD_SPAN_DEL: out_ += "<del>"; break;
      case MD_SPAN_CODE: out_ += "<code>"; break;
      case MD_SPAN_A: OpenLink(AttrText(static_cast<MD_SPAN_A_DETAIL*>(detail)->href)); break;
      // An image is a link to it, showing its alt text.
      case MD_SPAN_IMG: OpenLink(AttrText(static_cast<MD_SPAN_IMG_DETAIL*>(detail)->src)); break;
      case MD_SPAN_LATEXMATH: out_ += "$"; break;
      case MD_SPAN_LATEXMATH_DISPLAY: out_ += "$$"; break;
      case MD_SPAN_WIKILINK:
      case MD_SPAN_U: break;  // extensions not enabled
    }
  }

  void LeaveSpan(MD_SPANTYPE type) {
    switch (type) {
      case MD_SPAN_EM: out_ += "</em>"; break;
      case MD_SPAN_STRONG: out_ += "</strong>"; break;
      case MD_SPAN_DEL: out_ += "</del>"; break;
      case MD_SPAN_CODE: out_ += "</code>"; break;
      case MD_SPAN_A:
      case MD_SPAN_IMG: CloseLink(); break;
      case MD_SPAN_LATEXMATH: out_ += "$"; break;
      case MD_SPAN_LATEXMATH_DISPLAY: out_ += "$$"; break;
      case MD_SPAN_WIKILINK:
      case MD_SPAN_U: break;
    }
  }

  void Text(MD_TEXTTYPE type, std::string_view text) {
    switch (type) {
      case MD_TEXT_NULLCHAR: out_ += "\xEF\xBF\xBD"; break;
      case MD_TEXT_BR:
      case MD_TEXT_SOFTBR: out_ += '\n'; break;
      // Entities are shown as written; raw HTML (off anyway) as text.
      default: core::AppendHtmlEscaped(out_, text); break;
    }
  }

 private:
  static std::string HeadingTag(void* detail) {
    unsigned level = static_cast<MD_BLOCK_H_DETAIL*>(detail)->level;
    return "h" + std::to_string(std::min(6u, level + 2));
  }

  // Paragraphs of a list item carry no <p>; a second one starts on a new line.
  void EnterParagraph() {
    bool in_item = blocks_.size() >= 2 && blocks_[blocks_.size() - 2] == MD_BLOCK_LI;
    if (in_item) {
      if (out_.size() > item_starts_.back()) out_ += '\n';
      paragraph_tag_ = std::string::npos;
    } else {
      paragraph_tag_ = out_.size();
      out_ += "<p>";
    }
    paragraph_text_ = out_.size();
  }

  // A paragraph that is only a display block becomes div.faq-math.
  void LeaveParagraph() {
    std::string_view inner = std::string_view(out_).substr(paragraph_text_);
    size_t n = PlaceholderIndex(inner);
    if (n < sh_.block.size() && sh_.block[n]) {
      std::string placeholder(inner);
      out_.resize(paragraph_tag_ == std::string::npos ? paragraph_text_ : paragraph_tag_);
      out_ += "<div class=\"faq-math\">" + placeholder + "</div>\n";
    } else if (paragraph_tag_ != std::string::npos) {
      out_ += "</p>\n";
    }
  }

  // Links inside links are not nested: the inner one is just its text.
  void OpenLink(std::string_view href) {
    std::string url = Unshield(href, sh_, false);
    bool open = links_open_ == 0 && SafeUrl(url);
    links_.push_back(open);
    if (!open) return;
    ++links_open_;
    out_ += "<a href=\"";
    core::AppendHtmlEscaped(out_, url);
    out_ += "\" rel=\"nofollow noopener noreferrer\" target=\"_blank\">";
  }

  void CloseLink() {
    if (links_.empty()) return;
    if (links_.back()) {
      out_ += "</a>";
      --links_open_;
    }
    links_.pop_back();
  }

  const Shielded& sh_;
  std::string& out_;
  std::vector<MD_BLOCKTYPE> blocks_;
  std::vector<size_t> item_starts_;  // where each open <li>'s content starts in out_
  size_t paragraph_tag_ = std::string::npos;  // where the open <p> is (npos: none, in an item)
  size_t paragraph_text_ = 0;                 // where the open paragraph's content starts
  bool in_thead_ = false;
  bool table_has_body_ = false;
  int quote_depth_ = 0;  // blockquotes deeper than kMaxQuoteDepth are not marked up again
  std::vector<bool> links_;  // per open A/IMG span: whether it wrote <a>
  int links_open_ = 0;
};

HtmlWriter& Writer(void* userdata) { return *static_cast<HtmlWriter*>(userdata); }

constexpr unsigned kParseFlags = MD_FLAG_NOHTML | MD_FLAG_TABLES | MD_FLAG_STRIKETHROUGH |
                                 MD_FLAG_LATEXMATHSPANS | MD_FLAG_NOINDENTEDCODEBLOCKS;

}  // namespace

std::string RenderMarkdown(std::string_view markdown) {
  Shielded sh = TexShield(core::SanitizeUtf8(markdown)).Run();
  std::string html;
  html.reserve(sh.text.size() + sh.text.size() / 4);
  HtmlWriter writer(sh, html);
  MD_PARSER parser{};
  parser.abi_version = 0;
  parser.flags = kParseFlags;
  parser.enter_block = [](MD_BLOCKTYPE t, void* d, void* u) {
    Writer(u).EnterBlock(t, d);
    return 0;
  };
  parser.leave_block = [](MD_BLOCKTYPE t, void* d, void* u) {
    Writer(u).LeaveBlock(t, d);
    return 0;
  };
  parser.enter_span = [](MD_SPANTYPE t, void* d, void* u) {
    Writer(u).EnterSpan(t, d);
    return 0;
  };
  parser.leave_span = [](MD_SPANTYPE t, void*, void* u) {
    Writer(u).LeaveSpan(t);
    return 0;
  };
  parser.text = [](MD_TEXTTYPE t, const MD_CHAR* text, MD_SIZE size, void* u) {
    Writer(u).Text(t, std::string_view(text, size));
    return 0;
  };
  if (md_parse(sh.text.data(), static_cast<MD_SIZE>(sh.text.size()), &parser, &writer) != 0) {
    // md4c fails only when out of memory: the text, escaped, is still a safe answer.
    html = "<p>";
    core::AppendHtmlEscaped(html, Unshield(sh.text, sh, false));
    html += "</p>\n";
    return html;
  }
  return Unshield(html, sh, true);
}

}  // namespace coolpapers::web
