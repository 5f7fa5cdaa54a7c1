#include "search/fusion.h"

#include <algorithm>
#include <unordered_map>

namespace coolpapers::search {

std::vector<FusedHit> ReciprocalRankFusion(const std::vector<RankedList>& lists, double k) {
  std::unordered_map<std::string, size_t> pos;
  std::vector<FusedHit> out;
  for (size_t l = 0; l < lists.size(); ++l) {
    const RankedList& list = lists[l];
    for (size_t r = 0; r < list.ids.size(); ++r) {
      auto [it, inserted] = pos.emplace(list.ids[r], out.size());
      if (inserted) {
        out.push_back(FusedHit{list.ids[r], 0.0, std::vector<int>(lists.size(), 0)});
      }
      FusedHit& h = out[it->second];
      if (h.ranks[l] != 0) continue;  // a duplicate within one list counts once
      h.ranks[l] = static_cast<int>(r) + 1;
      h.score += list.weight / (k + static_cast<double>(r + 1));
    }
  }
  auto best_rank = [](const FusedHit& h) {
    int best = 0;
    for (int r : h.ranks) {
      if (r > 0 && (best == 0 || r < best)) best = r;
    }
    return best;
  };
  std::sort(out.begin(), out.end(), [&](const FusedHit& a, const FusedHit& b) {
    if (a.score != b.score) return a.score > b.score;
    int ra = best_rank(a), rb = best_rank(b);
    if (ra != rb) return ra < rb;
    return a.id < b.id;
  });
  return out;
}

std::vector<FusedHit> LinearFusion(const std::vector<ScoredList>& lists) {
  std::unordered_map<std::string, size_t> pos;
  std::vector<FusedHit> out;
  for (size_t l = 0; l < lists.size(); ++l) {
    double max = 0;
    for (const auto& [id, score] : lists[l].items) max = std::max(max, score);
    for (size_t r = 0; r < lists[l].items.size(); ++r) {
      const auto& [id, score] = lists[l].items[r];
      auto [it, inserted] = pos.emplace(id, out.size());
      if (inserted) out.push_back(FusedHit{id, 0.0, std::vector<int>(lists.size(), 0)});
      FusedHit& h = out[it->second];
      if (h.ranks[l] != 0) continue;
      h.ranks[l] = static_cast<int>(r) + 1;
      if (max > 0) h.score += lists[l].weight * std::max(0.0, score) / max;
    }
  }
  std::sort(out.begin(), out.end(), [](const FusedHit& a, const FusedHit& b) {
    return a.score != b.score ? a.score > b.score : a.id < b.id;
  });
  return out;
}

}  // namespace coolpapers::search
