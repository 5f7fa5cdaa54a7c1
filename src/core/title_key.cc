#include "core/title_key.h"

#include <array>
#include <cstdint>

#include "core/text.h"

namespace coolpapers::core {
namespace {

bool IsAsciiLetter(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool IsAsciiAlnum(char c) { return IsAsciiLetter(c) || (c >= '0' && c <= '9'); }

// Base letters of U+00C0..U+017F, lower case; "" for a separator (×, ÷).
constexpr std::array<const char*, 0x180 - 0xC0> kLatinFold = {
    // U+00C0
    "a", "a", "a", "a", "a", "a", "ae", "c", "e", "e", "e", "e", "i", "i", "i", "i",
    // U+00D0
    "d", "n", "o", "o", "o", "o", "o", "", "o", "u", "u", "u", "u", "y", "th", "ss",
    // U+00E0
    "a", "a", "a", "a", "a", "a", "ae", "c", "e", "e", "e", "e", "i", "i", "i", "i",
    // U+00F0
    "d", "n", "o", "o", "o", "o", "o", "", "o", "u", "u", "u", "u", "y", "th", "y",
    // U+0100
    "a", "a", "a", "a", "a", "a", "c", "c", "c", "c", "c", "c", "c", "c", "d", "d",
    // U+0110
    "d", "d", "e", "e", "e", "e", "e", "e", "e", "e", "e", "e", "g", "g", "g", "g",
    // U+0120
    "g", "g", "g", "g", "h", "h", "h", "h", "i", "i", "i", "i", "i", "i", "i", "i",
    // U+0130
    "i", "i", "ij", "ij", "j", "j", "k", "k", "k", "l", "l", "l", "l", "l", "l", "l",
    // U+0140
    "l", "l", "l", "n", "n", "n", "n", "n", "n", "n", "n", "n", "o", "o", "o", "o",
    // U+0150
    "o", "o", "oe", "oe", "r", "r", "r", "r", "r", "r", "s", "s", "s", "s", "s", "s",
    // U+0160
    "s", "s", "t", "t", "t", "t", "t", "t", "u", "u", "u", "u", "u", "u", "u", "u",
    // U+0170
    "u", "u", "u", "u", "w", "w", "y", "y", "y", "z", "z", "z", "z", "z", "z", "s",
};

// Decodes one UTF-8 sequence at s[i]; advances i. Returns U+FFFD (a separator here) on bad
// input, consuming one byte.
char32_t NextCodePoint(std::string_view s, size_t& i) {
  auto b = static_cast<unsigned char>(s[i]);
  int len = b < 0x80 ? 1 : (b >> 5) == 6 ? 2 : (b >> 4) == 14 ? 3 : (b >> 3) == 30 ? 4 : 0;
  if (len == 0 || i + len > s.size()) {
    ++i;
    return 0xFFFD;
  }
  char32_t cp = len == 1 ? b : b & (0x7F >> len);
  for (int k = 1; k < len; ++k) {
    auto c = static_cast<unsigned char>(s[i + k]);
    if ((c & 0xC0) != 0x80) {
      ++i;
      return 0xFFFD;
    }
    cp = (cp << 6) | (c & 0x3F);
  }
  i += len;
  return cp;
}

bool IsSeparator(char32_t cp) {
  return (cp >= 0xA0 && cp <= 0xBF) || (cp >= 0x2000 && cp <= 0x206F) ||
         (cp >= 0x3000 && cp <= 0x303F) || (cp >= 0xFF01 && cp <= 0xFF0F) || cp == 0xFFFD ||
         (cp >= 0x2190 && cp <= 0x22FF);  // arrows and mathematical operators
}

// Letters of TeX commands that stand for a letter.
std::string_view TexLetter(std::string_view name) {
  static constexpr std::array<std::pair<std::string_view, std::string_view>, 14> kLetters = {{
      {"ss", "ss"}, {"ae", "ae"}, {"AE", "ae"}, {"oe", "oe"}, {"OE", "oe"}, {"o", "o"},
      {"O", "o"}, {"l", "l"}, {"L", "l"}, {"aa", "a"}, {"AA", "a"}, {"i", "i"}, {"j", "j"},
      {"dh", "d"},
  }};
  for (const auto& [n, letter] : kLetters) {
    if (n == name) return letter;
  }
  return {};
}

// Step 1: TeX and markup to plain text (accent commands and braces gone, separators as spaces).
std::string StripTexAndMarkup(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size();) {
    char c = s[i];
    if (c == '\\' && i + 1 < s.size()) {
      char n = s[i + 1];
      if (IsAsciiLetter(n)) {
        size_t j = i + 1;
        while (j < s.size() && IsAsciiLetter(s[j])) ++j;
        out += TexLetter(s.substr(i + 1, j - i - 1));  // other commands: name dropped
        i = j;
      } else if (n == '\'' || n == '"' || n == '`' || n == '^' || n == '~' || n == '=' ||
                 n == '.') {
        i += 2;  // an accent: its letter follows
      } else {
        out += ' ';  // \& \% \_ \\ \$ ...
        i += 2;
      }
      continue;
    }
    if (c == '{' || c == '}') {
      ++i;
      continue;
    }
    if (c == '<') {  // a tag without attributes: <fixed-case>, </i>
      size_t j = i + 1;
      if (j < s.size() && s[j] == '/') ++j;
      size_t name = j;
      while (j < s.size() && (IsAsciiAlnum(s[j]) || s[j] == '-' || s[j] == '_')) ++j;
      if (j > name && j < s.size() && s[j] == '>') {
        i = j + 1;
        continue;
      }
    }
    if (c == '&') {  // an entity: &amp; &#8211;
      size_t j = i + 1;
      if (j < s.size() && s[j] == '#') ++j;
      size_t name = j;
      while (j < s.size() && IsAsciiAlnum(s[j])) ++j;
      if (j > name && j < s.size() && s[j] == ';') {
        out += ' ';
        i = j + 1;
        continue;
      }
    }
    out += c;
    ++i;
  }
  return out;
}

// Step 2: fold, lower-case and separate; whitespace collapsed.
std::string FoldAndCollapse(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  bool pending_space = false;
  auto emit = [&](std::string_view text) {
    if (text.empty()) return;
    if (pending_space && !out.empty()) out += ' ';
    pending_space = false;
    out += text;
  };
  for (size_t i = 0; i < s.size();) {
    char32_t cp = NextCodePoint(s, i);
    if (cp < 0x80) {
      char c = static_cast<char>(cp);
      if (IsAsciiAlnum(c)) {
        char lower = c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
        emit(std::string_view(&lower, 1));
      } else {
        pending_space = true;
      }
    } else if (cp >= 0x300 && cp <= 0x36F) {
      // combining mark: dropped, the word goes on
    } else if (cp >= 0xC0 && cp < 0x180) {
      std::string_view base = kLatinFold[cp - 0xC0];
      if (base.empty()) pending_space = true;
      emit(base);
    } else if (cp >= 0x218 && cp <= 0x21B) {
      emit(cp < 0x21A ? "s" : "t");
    } else if (cp >= 0xFB00 && cp <= 0xFB04) {
      static constexpr std::array<std::string_view, 5> kLig = {"ff", "fi", "fl", "ffi", "ffl"};
      emit(kLig[cp - 0xFB00]);
    } else if (IsSeparator(cp)) {
      pending_space = true;
    } else {
      std::string u;
      AppendUtf8(u, cp);
      emit(u);
    }
  }
  return out;
}

bool IsNameSuffix(std::string_view w) {
  return w == "jr" || w == "sr" || w == "ii" || w == "iii" || w == "iv";
}

}  // namespace

std::string NormaliseTitle(std::string_view title) {
  return FoldAndCollapse(StripTexAndMarkup(title));
}

std::string NormalisedSurname(std::string_view author) {
  // "Bläser, Markus" is surname first; "John Smith, Jr." has a suffix after the comma: either
  // way the surname is the last word before the comma.
  std::string_view name = author.substr(0, author.find(','));
  std::string n = NormaliseTitle(name);
  while (!n.empty()) {
    size_t sp = n.rfind(' ');
    std::string_view last = sp == std::string::npos ? std::string_view(n)
                                                    : std::string_view(n).substr(sp + 1);
    if (!IsNameSuffix(last) || sp == std::string::npos) return std::string(last);
    n.resize(sp);
  }
  return "";
}

std::string TitleKey(std::string_view title, const std::vector<std::string>& authors) {
  if (authors.empty()) return "";
  std::string t = NormaliseTitle(title);
  std::string a = NormalisedSurname(authors.front());
  if (t.empty() || a.empty()) return "";
  return t + "|" + a;
}

}  // namespace coolpapers::core
