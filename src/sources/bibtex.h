#pragma once

// BibTeX, as publishers of proceedings write it (PMLR's volume files, CVF's and the ACL
// Anthology's .bib exports): entries `@type{key, field = value, ...}` (or with parentheses),
// values in braces, in quotes, numbers or @string macros, joined with `#`; @comment and
// @preamble skipped; text between entries ignored, as BibTeX does.
//
// DecodeTex turns a field's TeX into the text a reader sees: accents to Unicode
// (`Bl\"{a}ser` -> Bläser, `\c{c}` -> ç, `\ss` -> ß), protective braces dropped (`{CHAI}` ->
// CHAI), `\&` and friends unescaped, `--` to an en dash; math (`$...$`, `\(...\)`) kept verbatim
// for KaTeX.

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace coolpapers::sources::bibtex {

struct Entry {
  std::string type;  // lower case: "inproceedings", "proceedings", "article", ...
  std::string key;   // as written
  std::map<std::string, std::string> fields;  // lower-case names; values raw TeX, braces
                                              // of the outer delimiter removed
  size_t line = 0;   // 1-based line of the '@', for messages

  // The field's raw value, or "" when absent.
  const std::string& Get(const std::string& name) const;
};

struct File {
  std::vector<Entry> entries;        // document order, @string/@comment/@preamble excluded
  std::vector<std::string> skipped;  // "<source>:<line>: entry @misc{x: unbalanced braces ..."
};

// Parses a whole .bib file. Broken entries (unbalanced braces, missing key) are skipped with a
// message naming `source` and the line, and parsing resumes at the next '@' on a later line.
File Parse(std::string_view text, const std::string& source);

// TeX of one field value -> Unicode text, whitespace collapsed (see the header comment).
std::string DecodeTex(std::string_view tex);

// "Last, First and First Last and Last, Jr, First" -> {"First Last", "First Last", "First Last
// Jr"}, each decoded with DecodeTex; split only at " and " outside braces.
std::vector<std::string> SplitAuthors(std::string_view field);

}  // namespace coolpapers::sources::bibtex
