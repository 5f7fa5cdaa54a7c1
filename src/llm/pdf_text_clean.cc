// CleanPdfText and FitToContext (rules in pdf_text.h).
#include <algorithm>
#include <cctype>
#include <map>
#include <string>
#include <vector>

#include "core/text.h"
#include "llm/pdf_text.h"

namespace coolpapers::llm {
namespace {

constexpr int kEdgeLines = 2;  // lines at the top and bottom of a page that may be header/footer

bool IsLower(char c) { return c >= 'a' && c <= 'z'; }
bool IsAlpha(char c) { return std::isalpha(static_cast<unsigned char>(c)) != 0; }

// Header/footer identity: trimmed, digits folded to '#', spaces collapsed.
std::string EdgeKey(std::string_view line) {
  std::string key;
  for (char c : core::CollapseWhitespace(line)) {
    key.push_back(std::isdigit(static_cast<unsigned char>(c)) ? '#' : c);
  }
  return key;
}

// "12", "- 12 -", "Page 12", "12 of 30", "xii".
bool IsPageNumber(std::string_view line) {
  std::string l = core::ToLower(core::CollapseWhitespace(line));
  if (l.empty() || l.size() > 16) return false;
  if (core::StartsWith(l, "page ")) l = l.substr(5);
  if (size_t of = l.find(" of "); of != std::string::npos) l.replace(of, 4, "/");
  if (l.find_first_not_of("ivxlc") == std::string::npos) return l.size() <= 4;
  return l.find_first_of("0123456789") != std::string::npos &&
         l.find_first_not_of("0123456789 -/") == std::string::npos;
}

// arXiv's vertical side stamp: "arXiv:2304.02623v1 [cs.CL] 5 Apr 2023".
bool IsArxivStamp(std::string_view line) {
  std::string l = core::CollapseWhitespace(line);
  return core::StartsWith(l, "arXiv:") && l.find(" [") != std::string::npos && l.size() < 60;
}

// Letters only, upper-cased ("R EFERENCES" -> "REFERENCES", "7 References" -> "REFERENCES").
std::string HeadingKey(std::string_view line) {
  std::string key;
  for (char c : line) {
    if (IsAlpha(c)) key.push_back(static_cast<char>(std::toupper(static_cast<unsigned char>(c))));
  }
  return key;
}

bool IsReferencesHeading(std::string_view line) {
  std::string_view t = core::Trim(line);
  if (t.empty() || t.size() > 40) return false;
  // Allow section numbering only ("7", "7.", "VII.") before the word.
  std::string key = HeadingKey(t);
  for (const char* word : {"REFERENCES", "BIBLIOGRAPHY", "LITERATURECITED", "REFERENCESANDNOTES"}) {
    if (key == word) return true;
    if (key.size() > std::string_view(word).size() && core::EndsWith(key, word)) {
      std::string prefix = key.substr(0, key.size() - std::string_view(word).size());
      if (prefix.find_first_not_of("IVX") == std::string::npos) return true;  // roman numbering
    }
  }
  return false;
}

bool IsAppendixHeading(std::string_view line) {
  std::string_view t = core::Trim(line);
  if (t.empty() || t.size() > 80) return false;
  std::string key = HeadingKey(t);
  if (core::StartsWith(key, "APPENDIX") || core::StartsWith(key, "APPENDICES") ||
      core::StartsWith(key, "SUPPLEMENTARY")) {
    return HeadingKey(t.substr(0, std::min<size_t>(t.size(), 14))).size() >= 6;
  }
  // "A Proofs", "B  Additional Experiments": one capital letter, spaces, capitalised words.
  if (t.size() < 4 || t[0] < 'A' || t[0] > 'H' || t[1] != ' ') return false;
  std::string_view rest = core::Trim(t.substr(1));
  if (rest.empty() || !std::isupper(static_cast<unsigned char>(rest[0]))) return false;
  return std::all_of(rest.begin(), rest.end(),
                     [](char c) { return IsAlpha(c) || c == ' ' || c == '-'; });
}

// pdftotext often puts an appendix letter on its own line: "A", blank, "Multi-LexSum release".
bool IsSplitAppendixHeading(const std::vector<std::string>& lines, size_t i) {
  std::string_view t = core::Trim(lines[i]);
  if (t.size() != 1 || t[0] < 'A' || t[0] > 'H') return false;
  for (size_t j = i + 1; j < lines.size() && j <= i + 2; ++j) {
    std::string_view next = core::Trim(lines[j]);
    if (next.empty()) continue;
    return next.size() < 80 && std::isupper(static_cast<unsigned char>(next[0])) &&
           next.find_first_of(".,;") == std::string_view::npos;
  }
  return false;
}

std::vector<std::vector<std::string>> SplitPages(std::string_view raw) {
  std::vector<std::vector<std::string>> pages;
  for (const std::string& page : core::Split(raw, '\f', false)) {
    std::vector<std::string> lines;
    for (const std::string& line : core::Split(page, '\n', false)) {
      std::string l = core::SanitizeUtf8(line);
      while (!l.empty() && std::isspace(static_cast<unsigned char>(l.back()))) l.pop_back();
      lines.push_back(std::move(l));
    }
    pages.push_back(std::move(lines));
  }
  while (!pages.empty() && pages.back().size() <= 1 &&
         (pages.back().empty() || pages.back()[0].empty())) {
    pages.pop_back();
  }
  return pages;
}

// Indexes of the first and last kEdgeLines non-blank lines of a page.
std::vector<size_t> EdgeLineIndexes(const std::vector<std::string>& lines) {
  std::vector<size_t> idx;
  int taken = 0;
  for (size_t i = 0; i < lines.size() && taken < kEdgeLines; ++i) {
    if (!core::Trim(lines[i]).empty()) idx.push_back(i), ++taken;
  }
  taken = 0;
  for (size_t i = lines.size(); i-- > 0 && taken < kEdgeLines;) {
    if (!core::Trim(lines[i]).empty()) {
      if (std::find(idx.begin(), idx.end(), i) == idx.end()) idx.push_back(i);
      ++taken;
    }
  }
  return idx;
}

void DropHeadersAndFooters(std::vector<std::vector<std::string>>& pages) {
  std::map<std::string, int> counts;
  for (const auto& lines : pages) {
    std::vector<std::string> seen;
    for (size_t i : EdgeLineIndexes(lines)) {
      std::string key = EdgeKey(lines[i]);
      if (std::find(seen.begin(), seen.end(), key) == seen.end()) seen.push_back(key);
    }
    for (const std::string& k : seen) ++counts[k];
  }
  int threshold = std::max<int>(3, static_cast<int>(pages.size() + 1) / 2);
  for (auto& lines : pages) {
    for (size_t i : EdgeLineIndexes(lines)) {
      std::string key = EdgeKey(lines[i]);
      bool repeated = pages.size() >= 3 && counts[key] >= threshold && key.size() > 0;
      if (repeated || IsPageNumber(lines[i])) lines[i] = std::string(1, '\0');  // mark
    }
    for (std::string& l : lines) {
      if (IsArxivStamp(l)) l = std::string(1, '\0');
    }
    lines.erase(std::remove(lines.begin(), lines.end(), std::string(1, '\0')), lines.end());
  }
}

// Joins the pages, undoes line-end hyphenation and collapses blank-line runs.
std::vector<std::string> JoinLines(const std::vector<std::vector<std::string>>& pages) {
  std::vector<std::string> out;
  bool pending_join = false;  // previous line ended with a word-breaking hyphen
  for (const auto& lines : pages) {
    for (const std::string& raw : lines) {
      std::string_view line = core::Trim(raw);
      if (pending_join && !line.empty() && IsLower(line[0])) {
        out.back().pop_back();  // the hyphen
        out.back().append(line);
      } else if (line.empty()) {
        if (!out.empty() && !out.back().empty()) out.emplace_back();
        pending_join = false;
        continue;
      } else {
        out.emplace_back(line);
      }
      const std::string& last = out.back();
      pending_join = last.size() >= 3 && last.back() == '-' && IsLower(last[last.size() - 2]) &&
                     IsAlpha(last[last.size() - 3]);
    }
  }
  while (!out.empty() && out.back().empty()) out.pop_back();
  return out;
}

std::string JoinRange(const std::vector<std::string>& lines, size_t from, size_t to) {
  std::string s;
  for (size_t i = from; i < to; ++i) {
    s += lines[i];
    s += '\n';
  }
  while (!s.empty() && (s.back() == '\n')) s.pop_back();
  return s;
}

// Largest prefix of `s` of at most `n` bytes ending at a line break (or a UTF-8 boundary).
std::string_view HeadAtLine(std::string_view s, size_t n) {
  if (s.size() <= n) return s;
  size_t cut = s.rfind('\n', n);
  if (cut == std::string_view::npos || cut < n / 2) {
    cut = n;
    while (cut > 0 && (static_cast<unsigned char>(s[cut]) & 0xC0) == 0x80) --cut;
  }
  return s.substr(0, cut);
}

// Largest suffix of `s` of at most `n` bytes starting after a line break (or a UTF-8 boundary).
std::string_view TailAtLine(std::string_view s, size_t n) {
  if (s.size() <= n) return s;
  size_t start = s.size() - n;
  size_t nl = s.find('\n', start);
  if (nl == std::string_view::npos || nl - start > n / 2) {
    while (start < s.size() && (static_cast<unsigned char>(s[start]) & 0xC0) == 0x80) ++start;
    return s.substr(start);
  }
  return s.substr(nl + 1);
}

}  // namespace

PaperTextParts CleanPdfText(std::string_view raw) {
  auto pages = SplitPages(raw);
  DropHeadersAndFooters(pages);
  std::vector<std::string> lines = JoinLines(pages);

  // The last References heading (earlier matches are usually the table of contents or text).
  size_t refs = lines.size();
  for (size_t i = lines.size(); i-- > 0;) {
    if (IsReferencesHeading(lines[i])) {
      refs = i;
      break;
    }
  }
  PaperTextParts parts;
  if (refs == lines.size()) {
    parts.body = JoinRange(lines, 0, lines.size());
    return parts;
  }
  size_t refs_end = lines.size();
  for (size_t i = refs + 1; i < lines.size(); ++i) {
    if (IsAppendixHeading(lines[i]) || IsSplitAppendixHeading(lines, i)) {
      refs_end = i;
      break;
    }
  }
  parts.body = JoinRange(lines, 0, refs);
  std::string after = JoinRange(lines, refs_end, lines.size());
  if (!after.empty()) parts.body += (parts.body.empty() ? "" : "\n\n") + after;
  parts.references = JoinRange(lines, refs, refs_end);
  return parts;
}

std::string FitToContext(const PaperTextParts& parts, size_t max_chars) {
  const std::string& body = parts.body;
  const std::string& refs = parts.references;
  size_t full = body.size() + (refs.empty() ? 0 : 2 + refs.size());
  if (full <= max_chars) return refs.empty() ? body : body + "\n\n" + refs;

  const std::string refs_cut = "\n[References truncated to fit the model's context]";
  const std::string refs_dropped = "\n\n[References omitted to fit the model's context]";
  if (body.size() + 2 + refs_cut.size() + 200 <= max_chars) {
    size_t room = max_chars - body.size() - 2 - refs_cut.size();
    return body + "\n\n" + std::string(HeadAtLine(refs, room)) + refs_cut;
  }
  std::string tail_note = refs.empty() ? "" : refs_dropped;
  if (body.size() + tail_note.size() <= max_chars) return body + tail_note;

  // The middle marker states the omitted size; 80 bytes covers it for any size_t.
  size_t budget = max_chars > tail_note.size() + 80 ? max_chars - tail_note.size() - 80 : 0;
  std::string_view head = HeadAtLine(body, budget * 2 / 3);
  std::string_view tail = TailAtLine(body, budget - head.size());
  size_t omitted = body.size() - head.size() - tail.size();
  std::string out(head);
  out += "\n\n[... " + std::to_string(omitted) + " characters omitted to fit the model's context ...]\n\n";
  out += tail;
  out += tail_note;
  if (out.size() > max_chars) out.resize(HeadAtLine(out, max_chars).size());
  return out;
}

}  // namespace coolpapers::llm
