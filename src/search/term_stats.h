#pragma once
// TermStats: document frequencies of stemmed terms over the indexed corpus, kept with the
// index. They weight the LSA embedder's TF-IDF input and pick each paper's top keywords.

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/status.h"

namespace coolpapers::search {

class TermStats {
 public:
  // Counts each distinct stem of one document once.
  void AddDocument(const std::vector<std::string>& stems);
  // Adds the counts of `other` (statistics gathered on another part of the corpus).
  void Merge(const TermStats& other);
  int64_t doc_count() const { return docs_; }
  int64_t df(const std::string& stem) const;
  // Inverse document frequency, log((N + 1) / (df + 0.5)); unseen terms count as df 1.
  double Idf(const std::string& stem) const;
  const std::unordered_map<std::string, int64_t>& table() const { return df_; }

  // Writes "N\n" then "stem\tdf\n" lines for terms with df >= min_df (atomic: tmp + rename).
  Status Save(const std::string& path, int64_t min_df = 2) const;
  static Result<TermStats> Load(const std::string& path);

 private:
  std::unordered_map<std::string, int64_t> df_;
  int64_t docs_ = 0;
};

}  // namespace coolpapers::search
