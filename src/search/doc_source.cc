#include "search/doc_source.h"

#include <algorithm>

#include "store/store.h"

namespace coolpapers::search {

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
    pos_seq_ = std::max(pos_seq_, seq);
  }
  seq_ = std::max(seq_, pos_seq_);
  return Status::Ok();
}

}  // namespace coolpapers::search
