#pragma once
// Title keys: what links a venue paper to its arXiv version when the venue names no arXiv id.
// Two papers have the same key when their titles read the same once case, accents, TeX, markup
// and punctuation are gone, and their first authors have the same surname.
//
// NormaliseTitle contract:
//   - TeX: accent commands (\"{o}, \'e, \c{c}, \v s, ...) keep their letter; \ss \ae \oe \o \l
//     \aa \i become ss ae oe o l a i; every other command name (\emph, \textbf, \alpha) is
//     dropped, its argument kept; braces vanish without a gap ("{B}ERT" is "bert"); $ ~ ^ _
//     and an escaped character (\&) separate words.
//   - markup: tags without attributes (<fixed-case>, </i>) vanish; entities (&amp;) separate.
//   - Unicode: Latin letters with accents fold to their base letter (é -> e, ß -> ss,
//     æ -> ae, ﬁ -> fi; Latin-1 and Latin Extended-A, plus ș ț), combining marks are dropped,
//     other letters (Greek, CJK) are kept as they are.
//   - ASCII letters are lower-cased; every character that is not a letter or digit (ASCII
//     punctuation, Latin-1 punctuation, U+2000-U+206F, CJK punctuation) separates words;
//     whitespace is collapsed to one space and trimmed. Hyphenated and joined spellings stay
//     different ("pre-training" is "pre training", not "pretraining").
//   Invalid UTF-8 bytes separate words.

#include <string>
#include <string_view>
#include <vector>

namespace coolpapers::core {

std::string NormaliseTitle(std::string_view title);

// The normalised surname of an author name: "Bläser, Markus" and "Markus Bläser" -> "blaser";
// "John Smith Jr." -> "smith"; the last word otherwise ("Aina Garí Soler" -> "soler").
// "" when the name has no word.
std::string NormalisedSurname(std::string_view author);

// NormaliseTitle(title) + "|" + NormalisedSurname(first author); "" when the title or the
// first author normalises to nothing (such a paper is never linked by title).
std::string TitleKey(std::string_view title, const std::vector<std::string>& authors);

}  // namespace coolpapers::core
