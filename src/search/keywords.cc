#include "search/keywords.h"

#include <algorithm>
#include <cmath>
#include <string_view>
#include <unordered_map>

namespace coolpapers::search {

std::vector<std::string> TopKeywords(Tokenizer& tok, const TermStats& stats,
                                     const std::string& title, const std::string& abstract,
                                     int n, int64_t min_df) {
  return TopKeywords(stats, tok.Tokenize(title), tok.Tokenize(abstract), n, min_df);
}

std::vector<std::string> TopKeywords(const TermStats& stats, const std::vector<Token>& title,
                                     const std::vector<Token>& abstract, int n,
                                     int64_t min_df) {
  // Per stem: its weighted count and the written forms with their counts (few per stem, so a
  // vector beats a map). Views point into the caller's tokens.
  struct Entry {
    const std::string* stem = nullptr;
    double tf = 0;
    std::vector<std::pair<std::string_view, int>> forms;
  };
  std::unordered_map<std::string_view, Entry> terms;
  terms.reserve(title.size() + abstract.size());
  auto add = [&](const std::vector<Token>& tokens, double weight) {
    for (const Token& t : tokens) {
      Entry& e = terms[t.stem];
      e.stem = &t.stem;
      e.tf += weight;
      auto form = std::find_if(e.forms.begin(), e.forms.end(),
                               [&](const auto& f) { return f.first == t.surface; });
      if (form == e.forms.end()) {
        e.forms.emplace_back(t.surface, 1);
      } else {
        ++form->second;
      }
    }
  };
  add(title, 2.0);
  add(abstract, 1.0);
  std::vector<std::pair<double, std::string_view>> scored;
  for (auto& [stem, e] : terms) {
    if (stem.size() < 3 || stats.df(*e.stem) < min_df) continue;
    double score = (1.0 + std::log(e.tf)) * stats.Idf(*e.stem);
    // The most frequent form; among equally frequent ones the alphabetically first.
    auto best = std::min_element(e.forms.begin(), e.forms.end(), [](const auto& a, const auto& b) {
      return a.second != b.second ? a.second > b.second : a.first < b.first;
    });
    scored.emplace_back(score, best->first);
  }
  std::sort(scored.begin(), scored.end(), [](const auto& a, const auto& b) {
    return a.first != b.first ? a.first > b.first : a.second < b.second;
  });
  std::vector<std::string> out;
  for (const auto& [score, word] : scored) {
    if (static_cast<int>(out.size()) >= n) break;
    out.emplace_back(word);
  }
  return out;
}

}  // namespace coolpapers::search
