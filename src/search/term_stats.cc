#include "search/term_stats.h"

#include <cmath>
#include <fstream>
#include <unordered_set>

#include "search/file_util.h"

namespace coolpapers::search {

void TermStats::AddDocument(const std::vector<std::string>& stems) {
  std::unordered_set<std::string_view> seen;
  for (const std::string& s : stems) {
    if (seen.insert(s).second) ++df_[s];
  }
  ++docs_;
}

void TermStats::Merge(const TermStats& other) {
  for (const auto& [stem, d] : other.df_) df_[stem] += d;
  docs_ += other.docs_;
}

int64_t TermStats::df(const std::string& stem) const {
  auto it = df_.find(stem);
  return it == df_.end() ? 0 : it->second;
}

double TermStats::Idf(const std::string& stem) const {
  int64_t d = std::max<int64_t>(1, df(stem));
  return std::log((static_cast<double>(docs_) + 1.0) / (static_cast<double>(d) + 0.5));
}

Status TermStats::Save(const std::string& path, int64_t min_df) const {
  std::string text = std::to_string(docs_) + "\n";
  for (const auto& [term, d] : df_) {
    if (d < min_df) continue;
    text += term;
    text += '\t';
    text += std::to_string(d);
    text += '\n';
  }
  return WriteFileAtomically(path, text);
}

Result<TermStats> TermStats::Load(const std::string& path) {
  std::ifstream in(path);
  if (!in) return Err(Status::NotFound("term statistics " + path + " are missing"));
  TermStats s;
  std::string line;
  if (!std::getline(in, line)) return Err(Status::Corruption(path + " is empty"));
  s.docs_ = std::atoll(line.c_str());
  while (std::getline(in, line)) {
    size_t tab = line.find('\t');
    if (tab == std::string::npos) continue;
    s.df_[line.substr(0, tab)] = std::atoll(line.c_str() + tab + 1);
  }
  return s;
}

}  // namespace coolpapers::search
