#pragma once
// Per-paper top keywords: the words of a paper that best tell it apart from the corpus
// (TF-IDF over stems, title words counted twice), shown as the reader's word cloud and used by
// the preference sort.

#include <string>
#include <vector>

#include "search/term_stats.h"
#include "search/tokenizer.h"

namespace coolpapers::search {

// The `n` highest-scoring words of title + abstract, each as its most frequent written form.
// Terms seen in fewer than `min_df` documents (typos, ids) or shorter than 3 bytes are skipped.
std::vector<std::string> TopKeywords(Tokenizer& tok, const TermStats& stats,
                                     const std::string& title, const std::string& abstract,
                                     int n = 8, int64_t min_df = 2);
// The same from the tokens of title and abstract (Tokenizer::Tokenize), already computed.
std::vector<std::string> TopKeywords(const TermStats& stats, const std::vector<Token>& title,
                                     const std::vector<Token>& abstract, int n = 8,
                                     int64_t min_df = 2);

}  // namespace coolpapers::search
