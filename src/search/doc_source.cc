#include "search/doc_source.h"

#include <algorithm>
#include <string>
#include <unordered_map>

#include "store/store.h"

namespace coolpapers::search {
namespace {

// The edition of each venue paper among `ids` (the venue: filter needs it). An error when the
// store fails to say: indexing such a paper without its edition would hide it from venue:
// searches until it changes again. A store that keeps no venue papers has no editions.
Result<std::unordered_map<std::string, std::string>> EditionsOf(
    store::Store& store, const std::vector<std::string>& ids) {
  std::unordered_map<std::string, std::string> out;
  std::vector<std::string> venue_ids;
  for (const std::string& id : ids) {
    if (IsVenueId(id)) venue_ids.push_back(id);
  }
  if (venue_ids.empty()) return out;
  auto papers = store.GetVenuePapers(venue_ids);
  if (!papers && papers.error().code() == StatusCode::kUnavailable) return out;
  if (!papers) return Err(papers.error());
  for (core::VenuePaper& v : *papers) out.emplace(std::move(v.id), std::move(v.venue));
  return out;
}

}  // namespace

Status VectorDocSource::Next(std::vector<IndexDoc>& batch) {
  batch.clear();
  size_t end = std::min(docs_.size(), pos_ + batch_);
  for (; pos_ < end; ++pos_) batch.push_back(docs_[pos_]);
  return Status::Ok();
}

Status StoreDocSource::Rewind() {
  pos_seq_ = start_seq_;
  if (size_hint_ == 0 && start_seq_ == 0) {
    auto stats = store_.Stats();
    if (stats) size_hint_ = stats->papers;
  }
  return Status::Ok();
}

Status StoreDocSource::Next(std::vector<IndexDoc>& batch) {
  batch.clear();
  auto changed = store_.ChangedSince(pos_seq_, batch_);
  if (!changed) return changed.error();
  if (changed->empty()) return Status::Ok();
  std::vector<std::string> ids;
  ids.reserve(changed->size());
  for (const auto& [seq, paper] : *changed) ids.push_back(paper.id);
  auto clicks = store_.GetClicks(ids);
  // FAQ text is searchable; when it cannot be read the papers are indexed without it.
  auto faqs = store_.FaqTexts(ids);
  Result<std::unordered_map<std::string, std::string>> venues = EditionsOf(store_, ids);
  if (!venues) return venues.error();
  for (auto& [seq, paper] : *changed) {
    int64_t stars = 0;
    if (clicks) {
      auto it = clicks->find(paper.id);
      if (it != clicks->end()) stars = it->second.total();
    }
    batch.push_back(FromPaper(paper, stars));
    if (faqs) {
      auto it = faqs->find(paper.id);
      if (it != faqs->end()) batch.back().extra_text = std::move(it->second);
    }
    if (auto it = venues->find(paper.id); it != venues->end()) batch.back().venue = it->second;
    pos_seq_ = std::max(pos_seq_, seq);
  }
  seq_ = std::max(seq_, pos_seq_);
  return Status::Ok();
}

}  // namespace coolpapers::search
