// Store::FaqStandIns: the FAQ reuse rule across a venue paper <-> arXiv link (store.h).
#include "store/store.h"

namespace coolpapers::store {

Result<std::vector<std::pair<std::string, int>>> Store::FaqStandIns(const std::string& paper_id,
                                                                    int version) {
  Result<std::vector<PaperLink>> links = LinksOf(std::span<const std::string>(&paper_id, 1));
  if (!links) return Err(links.error());
  std::vector<std::pair<std::string, int>> out;
  for (const PaperLink& l : *links) {
    if (l.arxiv_version <= 0) continue;
    if (l.venue_id == paper_id && version == 1) {
      out.emplace_back(l.arxiv_id, l.arxiv_version);
    } else if (l.arxiv_id == paper_id && l.arxiv_version == version) {
      out.emplace_back(l.venue_id, 1);
    }
  }
  return out;
}

}  // namespace coolpapers::store
