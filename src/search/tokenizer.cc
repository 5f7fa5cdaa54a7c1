#include "search/tokenizer.h"

#include <algorithm>
#include <array>
#include <thread>

namespace coolpapers::search {
namespace {

// A short stop list: function words that carry no topic. Sorted for binary search.
constexpr std::array<std::string_view, 136> kStopWords = {
    "a", "about", "above", "after", "again", "against", "all", "also", "am", "an", "and", "any",
    "are", "as", "at", "be", "because", "been", "before", "being", "below", "between", "both",
    "but", "by", "can", "could", "did", "do", "does", "doing", "down", "during", "each", "few",
    "for", "from", "further", "had", "has", "have", "having", "he", "her", "here", "herein",
    "hers", "him", "his", "how", "however", "i", "if", "in", "into", "is", "it", "its", "itself",
    "just", "may", "me", "might", "more", "most", "must", "my", "no", "nor", "not", "now", "of",
    "off", "on", "once", "only", "or", "other", "our", "ours", "out", "over", "own", "same",
    "she", "should", "so", "some", "such", "than", "that", "the", "their", "them", "then",
    "there", "these", "they", "this", "those", "through", "thus", "to", "too", "under", "until",
    "up", "upon", "us", "use", "used", "using", "very", "via", "was", "we", "were", "what",
    "when", "where", "whereas", "whether", "which", "while", "who", "whom", "why", "will", "with",
    "within", "without", "would", "yet", "you", "your", "yours"};

bool IsWordByte(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c >= 0x80;
}

bool AllDigits(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](unsigned char c) { return c >= '0' && c <= '9'; });
}

}  // namespace

bool IsStopWord(std::string_view word) {
  return std::binary_search(kStopWords.begin(), kStopWords.end(), word);
}

namespace {

class CachingStemImplementation : public Xapian::StemImplementation {
 public:
  std::string operator()(const std::string& word) override { return cache_.Stem(word); }
  std::string get_description() const override { return "english (memoized)"; }

 private:
  StemCache cache_;
};

}  // namespace

const std::string& StemCache::Stem(const std::string& word) {
  auto it = memo_.find(word);
  if (it != memo_.end()) return it->second;
  if (memo_.size() >= max_words_) memo_.clear();
  return memo_.emplace(word, stem_(word)).first->second;
}

Xapian::Stem CachedEnglishStemmer() { return Xapian::Stem(new CachingStemImplementation()); }

Tokenizer::Tokenizer() = default;

std::vector<Token> Tokenizer::Tokenize(std::string_view text) {
  std::vector<Token> out;
  size_t i = 0;
  const size_t n = text.size();
  while (i < n) {
    while (i < n && !IsWordByte(static_cast<unsigned char>(text[i]))) ++i;
    size_t start = i;
    while (i < n && IsWordByte(static_cast<unsigned char>(text[i]))) ++i;
    if (i == start) continue;
    bool tex_command = start > 0 && text[start - 1] == '\\';
    std::string word(text.substr(start, i - start));
    if (tex_command || word.size() < 2 || word.size() > 40 || AllDigits(word)) continue;
    for (char& c : word) {
      if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    }
    if (IsStopWord(word)) continue;
    std::string stem = stems_.Stem(word);
    if (stem.empty()) continue;
    out.push_back(Token{std::move(word), std::move(stem)});
  }
  return out;
}

std::vector<std::string> Tokenizer::Stems(std::string_view text) {
  std::vector<std::string> out;
  for (Token& t : Tokenize(text)) out.push_back(std::move(t.stem));
  return out;
}

std::vector<std::vector<std::string>> SampleStems(const std::vector<std::string>& docs,
                                                  size_t max) {
  const size_t stride = std::max<size_t>(1, (docs.size() + max - 1) / std::max<size_t>(1, max));
  std::vector<const std::string*> picked;
  for (size_t i = 0; i < docs.size() && picked.size() < max; i += stride) {
    picked.push_back(&docs[i]);
  }
  std::vector<std::vector<std::string>> stems(picked.size());
  auto run = [&](size_t from, size_t to) {
    Tokenizer tok;
    for (size_t i = from; i < to; ++i) stems[i] = tok.Stems(*picked[i]);
  };
  std::thread other(run, 0, picked.size() / 2);
  run(picked.size() / 2, picked.size());
  other.join();
  return stems;
}

}  // namespace coolpapers::search
