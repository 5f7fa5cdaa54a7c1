// DecodeTex and SplitAuthors of sources/bibtex.h: the TeX of a BibTeX field as readable text.
#include <array>
#include <cctype>
#include <string>
#include <string_view>

#include "core/text.h"
#include "sources/bibtex.h"

namespace coolpapers::sources::bibtex {
namespace {

struct Accent {
  char command;            // the character after the backslash: '"', '\'', 'c', 'v', ...
  const char* combining;   // the Unicode combining mark, UTF-8
  const char* composed;    // pairs: base letter, then its precomposed UTF-8 form, '|' between
};

// Precomposed forms for the letters names and titles use; others get the combining mark.
constexpr std::array<Accent, 13> kAccents{{
    {'"', "\u0308", "aä|eë|iï|oö|uü|yÿ|AÄ|EË|IÏ|OÖ|UÜ|YŸ"},
    {'\'', "\u0301", "aá|eé|ií|oó|uú|yý|cć|nń|sś|zź|lĺ|rŕ|AÁ|EÉ|IÍ|OÓ|UÚ|YÝ|CĆ|NŃ|SŚ|ZŹ"},
    {'`', "\u0300", "aà|eè|iì|oò|uù|AÀ|EÈ|IÌ|OÒ|UÙ"},
    {'^', "\u0302", "aâ|eê|iî|oô|uû|AÂ|EÊ|IÎ|OÔ|UÛ"},
    {'~', "\u0303", "aã|nñ|oõ|AÃ|NÑ|OÕ"},
    {'=', "\u0304", "aā|eē|iī|oō|uū|AĀ|EĒ|IĪ|OŌ|UŪ"},
    {'.', "\u0307", "zż|ZŻ|eė|EĖ|Iİ"},
    {'u', "\u0306", "aă|gğ|AĂ|GĞ"},
    {'v', "\u030C", "cč|sš|zž|rř|eě|nň|CČ|SŠ|ZŽ|RŘ|EĚ|NŇ"},
    {'H', "\u030B", "oő|uű|OŐ|UŰ"},
    {'c', "\u0327", "cç|sş|tţ|CÇ|SŞ"},
    {'k', "\u0328", "aą|eę|AĄ|EĘ"},
    {'r', "\u030A", "aå|uů|AÅ|UŮ"},
}};

struct Special {
  std::string_view name, text;
};
constexpr std::array<Special, 20> kSpecials{{
    {"ss", "ß"}, {"o", "ø"}, {"O", "Ø"}, {"aa", "å"}, {"AA", "Å"}, {"ae", "æ"}, {"AE", "Æ"},
    {"oe", "œ"}, {"OE", "Œ"}, {"l", "ł"}, {"L", "Ł"}, {"i", "ı"}, {"j", "ȷ"},
    {"textendash", "–"}, {"textemdash", "—"}, {"LaTeX", "LaTeX"}, {"TeX", "TeX"},
    {"dag", "†"}, {"textquoteright", "’"}, {"textquoteleft", "‘"}}};

const Accent* FindAccent(std::string_view command) {
  if (command.size() != 1) return nullptr;
  for (const Accent& a : kAccents) {
    if (a.command == command[0]) return &a;
  }
  return nullptr;
}

std::string Compose(const Accent& a, const std::string& base) {
  if (base.size() == 1) {
    std::string_view pairs = a.composed;
    for (size_t i = 0; i < pairs.size();) {
      size_t bar = pairs.find('|', i);
      if (bar == std::string_view::npos) bar = pairs.size();
      if (pairs[i] == base[0]) return std::string(pairs.substr(i + 1, bar - i - 1));
      i = bar + 1;
    }
  }
  if (base == "ı") return Compose(a, "i");  // \"{\i} is ï
  return base + a.combining;
}

class Decoder {
 public:
  explicit Decoder(std::string_view tex) : in_(tex) {}

  std::string Run() {
    while (pos_ < in_.size()) Step();
    return core::CollapseWhitespace(out_);
  }

 private:
  void Step() {
    char c = in_[pos_];
    if (c == '$' && math_closes_) return CopyMath();
    if (c == '\\') return Command();
    if (c == '{' || c == '}') return void(++pos_);
    if (c == '~') return out_ += ' ', void(++pos_);
    if (c == '-' && in_.substr(pos_, 3) == "---") return out_ += "—", void(pos_ += 3);
    if (c == '-' && in_.substr(pos_, 2) == "--") return out_ += "–", void(pos_ += 2);
    out_ += c;
    ++pos_;
  }

  // $...$ or $$...$$ copied as written; an unclosed '$' is a plain dollar sign.
  void CopyMath() {
    std::string_view delim = in_.substr(pos_, 2) == "$$" ? "$$" : "$";
    size_t end = pos_ + delim.size();
    while (end < in_.size()) {
      if (in_[end] == '\\') {
        end += 2;
        continue;
      }
      if (in_.substr(end, delim.size()) == delim) break;
      ++end;
    }
    if (end >= in_.size()) {  // never closed: so is every later '$'
      math_closes_ = false;
      out_ += '$';
      ++pos_;
      return;
    }
    end += delim.size();
    out_.append(in_.substr(pos_, end - pos_));
    pos_ = end;
  }

  // \( ... \) math, copied with its delimiters.
  bool CopyParenMath() {
    if (!paren_math_closes_) return false;
    size_t end = in_.find("\\)", pos_ + 2);
    if (end == std::string_view::npos) return paren_math_closes_ = false;
    out_.append(in_.substr(pos_, end + 2 - pos_));
    pos_ = end + 2;
    return true;
  }

  // The argument of an accent: {x}, {\i}, or the next character.
  std::string AccentArgument() {
    while (pos_ < in_.size() && in_[pos_] == ' ') ++pos_;
    if (pos_ >= in_.size()) return "";
    if (in_[pos_] != '{') return std::string(1, in_[pos_++]);
    // An accent's argument is a letter or two ({\i}, {o}): look no further than that.
    size_t close = in_.substr(pos_, 8).find('}');
    if (close == std::string_view::npos) return std::string(1, in_[pos_++]);
    close += pos_;
    std::string inner = Decoder(in_.substr(pos_ + 1, close - pos_ - 1)).Run();
    pos_ = close + 1;
    return inner;
  }

  void Command() {
    if (pos_ + 1 >= in_.size()) return void(++pos_);
    char next = in_[pos_ + 1];
    if (next == '(' && CopyParenMath()) return;
    std::string name;
    if (std::isalpha(static_cast<unsigned char>(next))) {
      size_t end = pos_ + 1;
      while (end < in_.size() && std::isalpha(static_cast<unsigned char>(in_[end]))) ++end;
      name = std::string(in_.substr(pos_ + 1, end - pos_ - 1));
      pos_ = end;
    } else {
      name = std::string(1, next);
      pos_ += 2;
    }
    Apply(name);
  }

  void Apply(const std::string& name) {
    if (const Accent* a = FindAccent(name)) {
      std::string base = AccentArgument();
      if (!base.empty()) out_ += Compose(*a, base);
      return;
    }
    for (const Special& s : kSpecials) {
      if (s.name == name) {
        out_ += s.text;
        if (pos_ + 1 < in_.size() && in_.substr(pos_, 2) == "{}") pos_ += 2;
        return;
      }
    }
    if (name.size() == 1 && std::string_view("&%_#${}").find(name[0]) != std::string_view::npos) {
      out_ += name;
      return;
    }
    if (name == "\\" || name == " ") out_ += ' ';
    // Any other command (\emph, \textbf, \url, ...) is dropped and its argument kept.
  }

  std::string_view in_;
  size_t pos_ = 0;
  std::string out_;
  bool math_closes_ = true;  // false once a '$' was found without its closing '$'
  bool paren_math_closes_ = true;  // the same for \( and \)
};

// Splits at " and " (any case, any whitespace) outside braces.
std::vector<std::string_view> SplitAtAnd(std::string_view s) {
  std::vector<std::string_view> parts;
  int depth = 0;
  size_t start = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '{') ++depth;
    if (s[i] == '}') --depth;
    bool space_before = i > 0 && std::isspace(static_cast<unsigned char>(s[i - 1]));
    if (depth == 0 && space_before && i + 4 <= s.size() &&
        (s[i] == 'a' || s[i] == 'A') && (s[i + 1] == 'n' || s[i + 1] == 'N') &&
        (s[i + 2] == 'd' || s[i + 2] == 'D') && std::isspace(static_cast<unsigned char>(s[i + 3]))) {
      parts.push_back(s.substr(start, i - start));
      start = i + 4;
    }
  }
  parts.push_back(s.substr(start));
  return parts;
}

// "Last, First", "Last, Jr, First" or "First Last" (commas outside braces) -> "First Last [Jr]".
std::string NaturalOrder(std::string_view name) {
  std::vector<std::string_view> pieces;
  int depth = 0;
  size_t start = 0;
  for (size_t i = 0; i < name.size(); ++i) {
    if (name[i] == '{') ++depth;
    if (name[i] == '}') --depth;
    if (name[i] == ',' && depth == 0) {
      pieces.push_back(name.substr(start, i - start));
      start = i + 1;
    }
  }
  pieces.push_back(name.substr(start));
  std::string last = DecodeTex(pieces[0]);
  if (pieces.size() == 1) return last;
  std::string first = DecodeTex(pieces.back());
  std::string jr = pieces.size() >= 3 ? DecodeTex(pieces[1]) : "";
  std::string out = first.empty() ? last : first + " " + last;
  if (!jr.empty()) out += " " + jr;
  return out;
}

}  // namespace

std::string DecodeTex(std::string_view tex) { return Decoder(tex).Run(); }

std::vector<std::string> SplitAuthors(std::string_view field) {
  std::vector<std::string> out;
  for (std::string_view part : SplitAtAnd(field)) {
    std::string name = NaturalOrder(core::Trim(part));
    if (!name.empty() && name != "others") out.push_back(std::move(name));
  }
  return out;
}

}  // namespace coolpapers::sources::bibtex
