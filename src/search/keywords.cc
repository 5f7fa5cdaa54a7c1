#include "search/keywords.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <unordered_map>

namespace coolpapers::search {

std::vector<std::string> TopKeywords(Tokenizer& tok, const TermStats& stats,
                                     const std::string& title, const std::string& abstract,
                                     int n, int64_t min_df) {
  struct Entry {
    double tf = 0;
    std::map<std::string, int> forms;
  };
  std::unordered_map<std::string, Entry> terms;
  auto add = [&](const std::string& text, double weight) {
    for (Token& t : tok.Tokenize(text)) {
      Entry& e = terms[t.stem];
      e.tf += weight;
      ++e.forms[t.surface];
    }
  };
  add(title, 2.0);
  add(abstract, 1.0);
  std::vector<std::pair<double, std::string>> scored;
  for (auto& [stem, e] : terms) {
    if (stem.size() < 3 || stats.df(stem) < min_df) continue;
    double score = (1.0 + std::log(e.tf)) * stats.Idf(stem);
    auto best = std::max_element(e.forms.begin(), e.forms.end(), [](const auto& a, const auto& b) {
      return a.second < b.second;
    });
    scored.emplace_back(score, best->first);
  }
  std::sort(scored.begin(), scored.end(), [](const auto& a, const auto& b) {
    return a.first != b.first ? a.first > b.first : a.second < b.second;
  });
  std::vector<std::string> out;
  for (const auto& [score, word] : scored) {
    if (static_cast<int>(out.size()) >= n) break;
    out.push_back(word);
  }
  return out;
}

}  // namespace coolpapers::search
