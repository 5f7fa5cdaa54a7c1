#pragma once
// Rank fusion for hybrid search: reciprocal-rank fusion (Cormack, Clarke, Buettcher 2009),
// weighted per list. score(d) = sum over lists L of w_L / (k + rank_L(d)), ranks from 1.

#include <string>
#include <vector>

namespace coolpapers::search {

struct RankedList {
  std::vector<std::string> ids;  // best first
  double weight = 1.0;
};

struct FusedHit {
  std::string id;
  double score = 0;
  std::vector<int> ranks;  // 1-based rank in each input list, 0 = absent
};

// A list of scored candidates (any score scale; larger is better).
struct ScoredList {
  std::vector<std::pair<std::string, double>> items;
  double weight = 1.0;
};

// Linear fusion: each list's scores are divided by that list's largest score, a candidate
// missing from a list scores 0 there, and the weighted sums rank the union (ties by id).
std::vector<FusedHit> LinearFusion(const std::vector<ScoredList>& lists);

// Fuses `lists`; ties broken by the best single rank, then id. `k` is the RRF constant (60 in
// the original paper).
std::vector<FusedHit> ReciprocalRankFusion(const std::vector<RankedList>& lists, double k = 60);

}  // namespace coolpapers::search
