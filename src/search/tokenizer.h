#pragma once
// Tokenizer for the derived, in-memory statistics of the search index (LSA embeddings and
// per-paper keywords). Xapian tokenizes for the keyword index itself; this one produces the
// same kind of terms (lower-cased, English-stemmed words) cheaply and deterministically.

#include <string>
#include <string_view>
#include <vector>

#include <xapian.h>

namespace coolpapers::search {

struct Token {
  std::string surface;  // lower-cased word as written, e.g. "networks"
  std::string stem;     // English stem, e.g. "network"
};

// Splits `text` into words: runs of ASCII letters/digits (with inner '-' and '\'' dropped as
// separators) and non-ASCII UTF-8 sequences. Drops English stop words, tokens shorter than 2
// bytes, pure numbers and TeX control words (\alpha). Not thread-safe per instance (the Xapian
// stemmer it owns is not); create one per thread.
class Tokenizer {
 public:
  Tokenizer();
  std::vector<Token> Tokenize(std::string_view text);
  // Only the stems, in text order.
  std::vector<std::string> Stems(std::string_view text);

 private:
  Xapian::Stem stem_;
};

// True for a common English stop word (lower-case input).
bool IsStopWord(std::string_view word);

}  // namespace coolpapers::search
