// "Did you mean": a query's rare words replaced by close, more frequent title words.
#pragma once

#include <xapian.h>

#include <string>
#include <string_view>

namespace coolpapers::search {

// The fewest papers a word must appear in to count as vocabulary rather than a possible typo:
// one paper in 10,000, and at least 10.
Xapian::doccount KnownWordDocs(Xapian::doccount papers);

// Rare words looked up per query at most (the rest are kept as typed): bounds the cost of a
// long query of rare words.
inline constexpr int kMaxSpellingLookups = 16;

// `text` with each of its words that appears in fewer than KnownWordDocs(papers) papers
// replaced by the index's spelling suggestion for it (Xapian's edit-distance search over the
// title words); "" when no word changes. Field prefixes (`ti:`), filters with their values
// (`cat:cs.CL`, `venue:ICLR.2024`, `date:2024`), boolean operators (AND, OR, NOT, XOR, NEAR,
// ADJ), numbers and words under 3 bytes are kept as typed. Common words are
// not looked up at all: a lookup costs up to a millisecond each on a large index, and a word in
// that many papers is not a typo.
std::string SuggestSpelling(const Xapian::Database& db, std::string_view text);

}  // namespace coolpapers::search
