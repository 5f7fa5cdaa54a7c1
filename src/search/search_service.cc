#include "search/search_service.h"

#include <algorithm>
#include <unordered_map>
#include <unordered_set>

#include <spdlog/spdlog.h>

#include "core/text.h"
#include "search/file_util.h"
#include "search/fusion.h"
#include "search/heads_builder.h"
#include "search/index_generations.h"
#include "search/keywords.h"
#include "search/store_catchup.h"
#include "search/tokenizer.h"
#include "store/store.h"

namespace coolpapers::search {

std::optional<SearchMode> ParseSearchMode(std::string_view s) {
  if (s.empty() || s == "auto") return SearchMode::kAuto;
  if (s == "bm25" || s == "keyword") return SearchMode::kBm25;
  if (s == "semantic" || s == "vector") return SearchMode::kSemantic;
  if (s == "hybrid") return SearchMode::kHybrid;
  return std::nullopt;
}

std::string_view SearchModeName(SearchMode m) {
  switch (m) {
    case SearchMode::kAuto: return "auto";
    case SearchMode::kBm25: return "bm25";
    case SearchMode::kSemantic: return "semantic";
    case SearchMode::kHybrid: return "hybrid";
  }
  return "bm25";
}

namespace {

using Generation = IndexGeneration;
using Lease = SearcherLease;

std::vector<SearchHit> ToHits(std::vector<KeywordHit>& kh) {
  std::vector<SearchHit> out;
  out.reserve(kh.size());
  for (KeywordHit& h : kh) {
    SearchHit s;
    s.id = h.doc.id;
    s.score = h.score;
    s.doc = std::move(h.doc);
    s.snippet_html = std::move(h.snippet_html);
    s.title_html = std::move(h.title_html);
    s.summary_html = std::move(h.summary_html);
    out.push_back(std::move(s));
  }
  return out;
}

KeywordQuery BaseQuery(const SearchRequest& req, const QueryInput& input, Generation& gen) {
  KeywordQuery q;
  q.input = input;
  q.star_overrides = gen.Stars();
  q.heads = gen.Heads();
  q.date_from = req.date_from;
  q.date_to = req.date_to;
  q.categories = req.categories;
  q.branch = req.branch;
  q.venues = req.venues;
  q.default_and = !req.default_or;
  q.sort = req.sort;
  q.highlight = req.highlight;
  return q;
}

struct ScoredDoc {
  std::string id;
  Xapian::docid docid = 0;
  double score = 0;
};

// Semantic candidates (best first) for `vec`, at least `min_similarity`, restricted to the
// request's filters; `ef` is the HNSW search breadth (0 = the index's).
Result<std::vector<ScoredDoc>> SemanticCandidates(Generation& gen, Lease& lease,
                                                  const std::vector<float>& vec, int depth,
                                                  const KeywordQuery& filters_from,
                                                  float min_similarity, int ef = 0) {
  std::vector<ScoredDoc> out;
  for (const VectorHit& h : gen.vectors->Search(vec, depth, ef)) {
    if (h.score < min_similarity) continue;
    auto docid = static_cast<Xapian::docid>(h.label);
    std::string id = gen.IdOf(docid);
    if (!id.empty()) out.push_back(ScoredDoc{std::move(id), docid, h.score});
  }
  const bool filtered = !filters_from.date_from.empty() || !filters_from.date_to.empty() ||
                        !filters_from.categories.empty() || !filters_from.venues.empty() ||
                        !filters_from.input.date_from.empty() ||
                        !filters_from.input.date_to.empty() ||
                        !filters_from.input.categories.empty() ||
                        !filters_from.input.venues.empty() ||
                        filters_from.branch == Branch::kVenue ||
                        (filters_from.branch == Branch::kArxiv && lease->HasVenuePapers());
  if (!filtered || out.empty()) return out;
  KeywordQuery q;
  q.input.date_from = filters_from.input.date_from;
  q.input.date_to = filters_from.input.date_to;
  q.input.categories = filters_from.input.categories;
  q.input.venues = filters_from.input.venues;
  q.date_from = filters_from.date_from;
  q.date_to = filters_from.date_to;
  q.categories = filters_from.categories;
  q.venues = filters_from.venues;
  q.branch = filters_from.branch;
  for (const ScoredDoc& d : out) q.restrict_ids.push_back(d.id);
  q.limit = static_cast<int>(out.size());
  q.snippet_bytes = 0;
  q.fetch_docs = false;
  auto allowed = lease->Search(q);
  if (!allowed) return Err(allowed.error());
  std::unordered_set<Xapian::docid> keep;
  for (const KeywordHit& h : allowed->hits) keep.insert(h.docid);
  std::erase_if(out, [&](const ScoredDoc& d) { return !keep.count(d.docid); });
  return out;
}

std::vector<std::string> IdsOf(const std::vector<ScoredDoc>& docs) {
  std::vector<std::string> ids;
  for (const ScoredDoc& d : docs) ids.push_back(d.id);
  return ids;
}

// Fuses keyword and semantic candidates. Linear fusion scores every candidate in both lists
// (a keyword hit's cosine is computed from its stored vector), so no candidate is scored 0 in
// a list merely for falling outside its top `depth`.
std::vector<FusedHit> Fuse(Generation& gen, const HybridOptions& opts,
                           const std::vector<ScoredDoc>& keyword,
                           const std::vector<ScoredDoc>& semantic,
                           std::vector<float> query_vec) {
  if (opts.fusion == HybridOptions::Fusion::kRrf) {
    return ReciprocalRankFusion({{IdsOf(keyword), 1.0}, {IdsOf(semantic), opts.semantic_weight}},
                                opts.rrf_k);
  }
  Normalize(query_vec);
  ScoredList kw{{}, 1.0 - opts.linear_weight};
  for (const ScoredDoc& d : keyword) kw.items.emplace_back(d.id, d.score);
  ScoredList sem{{}, opts.linear_weight};
  std::unordered_set<Xapian::docid> seen;
  for (const ScoredDoc& d : semantic) {
    sem.items.emplace_back(d.id, d.score);
    seen.insert(d.docid);
  }
  for (const ScoredDoc& d : keyword) {
    if (seen.count(d.docid)) continue;
    if (auto cosine = gen.vectors->Cosine(d.docid, query_vec)) {
      sem.items.emplace_back(d.id, *cosine);
    }
  }
  return LinearFusion({kw, sem});
}

// Loads the page's documents in `ids` order, with snippets/highlights for the words of
// `words` (the request's prepared query, not prepared again).
// `stars` (may be null) freshens the hits' doc.stars. `docids`, when not empty, are the ids'
// documents in the lease's index (found without looking the ids up).
Result<std::vector<SearchHit>> Decorate(Lease& lease, const std::vector<std::string>& ids,
                                        const std::vector<double>& scores,
                                        const QueryInput& words, bool highlight,
                                        std::shared_ptr<const StarOverrides> stars,
                                        const std::vector<Xapian::docid>& docids = {}) {
  if (ids.empty()) return std::vector<SearchHit>{};
  std::vector<Xapian::docid> found = docids;
  std::vector<double> found_scores = scores;
  if (found.size() != ids.size()) {
    found.clear();
    found_scores.clear();
    for (size_t i = 0; i < ids.size(); ++i) {
      auto docid = lease->DocidOf(ids[i]);
      if (!docid) return Err(docid.error());
      if (!*docid) continue;  // removed since the ranking was made
      found.push_back(**docid);
      found_scores.push_back(scores[i]);
    }
  }
  KeywordQuery q;
  q.input = words;
  q.highlight = highlight;
  q.star_overrides = std::move(stars);
  auto res = lease->Load(found, q);
  if (!res) return Err(res.error());
  // The hits are `found` in order, less those gone from the index: each takes its score.
  std::unordered_map<Xapian::docid, double> score_of;
  for (size_t i = 0; i < found.size(); ++i) score_of.emplace(found[i], found_scores[i]);
  for (KeywordHit& h : res->hits) h.score = score_of[h.docid];
  return ToHits(res->hits);
}

// Runs `q`; when the first page has fewer than opts.relax_below matches, an AND of several
// words is retried as OR (kept when it finds more: *relaxed) and "did you mean" is computed
// for the query as `typed` (filters kept).
Result<KeywordResults> RunKeyword(Lease& lease, KeywordQuery q, const SearchServiceOptions& opts,
                                  const std::string& typed, bool* relaxed) {
  auto res = lease->Search(q);
  if (!res) return res;
  const bool few = res->total < opts.relax_below && q.offset == 0;
  if (!few || q.input.term_count == 0) return res;
  if (q.default_and && q.input.term_count > 1) {
    q.default_and = false;
    auto again = lease->Search(q);
    if (!again) return again;
    if (again->total > res->total) {
      res = std::move(again);
      *relaxed = true;
    }
  }
  res->suggestion = lease->Suggest(typed);
  return res;
}

// InvalidArgument for a query with neither words nor filters.
Status CheckNotEmpty(const SearchRequest& req, const QueryInput& input) {
  const bool has_filters = !req.date_from.empty() || !req.date_to.empty() ||
                           !req.categories.empty() || !req.venues.empty() ||
                           !input.date_from.empty() || !input.date_to.empty() ||
                           !input.categories.empty() || !input.venues.empty();
  if (!input.text.empty() || has_filters) return Status::Ok();
  return Status::InvalidArgument(
      "the query is empty; type some words, a phrase in \"quotes\", or a filter such as "
      "cat:cs.CL or venue:ACL.2024");
}

// What runs for `req` on `gen`: auto is hybrid for free text by relevance, else BM25; BM25
// when the generation has no semantic search or the page ends past 1000 (`depth`) for hybrid.
SearchMode ModeFor(const SearchRequest& req, const QueryInput& input, const Generation& gen,
                   int depth) {
  const bool semantic = gen.embedder && gen.vectors && !input.text.empty();
  SearchMode mode = req.mode;
  if (mode == SearchMode::kAuto) {
    mode = semantic && input.free_text && req.sort == SortOrder::kRelevance ? SearchMode::kHybrid
                                                                             : SearchMode::kBm25;
  }
  if (!semantic) mode = SearchMode::kBm25;
  if (mode == SearchMode::kHybrid && depth > 1000) mode = SearchMode::kBm25;
  return mode;
}

// Fills `resp` with the BM25 page [resp.offset, resp.offset + limit) of `q`.
Status KeywordPage(Lease& lease, KeywordQuery q, int limit, const SearchServiceOptions& opts,
                   SearchResponse& resp) {
  q.offset = resp.offset;
  q.limit = limit;
  q.check_at_least = opts.check_at_least;
  auto res = RunKeyword(lease, q, opts, resp.query, &resp.relaxed);
  if (!res) return res.error();
  resp.total = res->total;
  resp.total_exact = res->total_exact;
  resp.suggestion = res->suggestion;
  resp.hits = ToHits(res->hits);
  return Status::Ok();
}

// The first BM25 results of `q` (opts.hybrid.keyword_depth with linear fusion, else depth; at
// least `page_end`) fused with the semantic candidates `sem`; sets resp's total (keyword
// matches plus semantic-only candidates), exactness, suggestion and relaxed; `keyword` gets
// the BM25 candidates.
Result<std::vector<FusedHit>> HybridRanking(Generation& gen, Lease& lease, KeywordQuery q,
                                            int page_end, const std::vector<ScoredDoc>& sem,
                                            const std::vector<float>& vec,
                                            const SearchServiceOptions& opts,
                                            SearchResponse& resp,
                                            std::vector<ScoredDoc>& keyword) {
  const bool linear = opts.hybrid.fusion == HybridOptions::Fusion::kLinear;
  q.offset = 0;
  q.limit = std::max(page_end, linear ? opts.hybrid.keyword_depth : opts.hybrid.depth);
  q.snippet_bytes = 0;
  q.highlight = false;
  q.fetch_docs = false;
  q.check_at_least = opts.check_at_least;
  // With linear fusion every semantic candidate that matches the words gets its BM25 score
  // too (scored with the list, see KeywordQuery::also_score).
  if (linear) {
    for (const ScoredDoc& d : sem) q.also_score.push_back(d.docid);
  }
  auto res = RunKeyword(lease, q, opts, resp.query, &resp.relaxed);
  if (!res) return Err(res.error());
  keyword.clear();
  for (const KeywordHit& h : res->hits) {
    keyword.push_back(ScoredDoc{gen.IdOf(h.docid), h.docid, h.score});
  }
  for (const KeywordHit& h : res->also_scored) {
    keyword.push_back(ScoredDoc{gen.IdOf(h.docid), h.docid, h.score});
  }
  std::vector<FusedHit> fused = Fuse(gen, opts.hybrid, keyword, sem, vec);
  int64_t semantic_only = 0;
  for (const FusedHit& f : fused) semantic_only += f.ranks[0] == 0 ? 1 : 0;
  resp.total = res->total + semantic_only;
  resp.total_exact = res->total_exact;
  resp.suggestion = res->suggestion;
  return fused;
}

// One page of a ranking: ids and their scores, and their docids when known (all or none).
struct Page {
  std::vector<std::string> ids;
  std::vector<double> scores;
  std::vector<Xapian::docid> docids;
};

// Fills page.docids from `known` (docids of the candidates), or leaves it empty when one is
// missing.
void FindDocids(const std::vector<ScoredDoc>& known, Page& page) {
  std::unordered_map<std::string_view, Xapian::docid> by_id;
  for (const ScoredDoc& d : known) by_id.emplace(d.id, d.docid);
  page.docids.clear();
  for (const std::string& id : page.ids) {
    auto it = by_id.find(id);
    if (it == by_id.end()) {
      page.docids.clear();
      return;
    }
    page.docids.push_back(it->second);
  }
}

// Entries [offset, offset + limit) of `ranked` (ScoredDoc or FusedHit: an id and a score).
template <class Ranked>
Page PageOf(const std::vector<Ranked>& ranked, int offset, int limit) {
  Page page;
  for (int i = offset; i < std::min<int>(offset + limit, ranked.size()); ++i) {
    page.ids.push_back(ranked[i].id);
    page.scores.push_back(ranked[i].score);
  }
  return page;
}

}  // namespace

int SemanticDepth(const HybridOptions& opts, int page_end) {
  const int wanted = 3 * std::max(page_end, 0);
  return std::max(std::min(wanted, opts.depth), std::min(opts.min_depth, opts.depth));
}

SearchService::SearchService(SearchServiceOptions options) : options_(std::move(options)) {}

SearchService::~SearchService() {
  StopRefresher();
  if (heads_) heads_->Stop();
}

Result<std::unique_ptr<SearchService>> SearchService::Open(const SearchServiceOptions& options) {
  auto live = LiveGeneration::Open(options.index_dir,
                                   GenerationOptions{options.keyword, options.external_embedder});
  if (!live) return Err(live.error());
  std::unique_ptr<SearchService> s(new SearchService(options));
  s->live_ = std::move(*live);
  s->refresher_ = std::make_unique<PeriodicThread>();
  ImpactHeadsOptions heads = options.heads;
  heads.k1 = options.keyword.bm25_k1;
  heads.b = options.keyword.bm25_b;
  LiveGeneration* live_ptr = s->live_.get();
  s->heads_ = std::make_unique<HeadsBuilder>([live_ptr] { return live_ptr->Current(); }, heads);
  s->RefreshHeads();
  return s;
}

Status SearchService::ReloadIfChanged() {
  auto switched = live_->ReloadIfChanged();
  if (!switched) return switched.error();
  if (*switched) heads_->Notify();
  return Status::Ok();
}

void SearchService::RefreshHeads() {
  if (!options_.build_heads) return;
  auto gen = live_->Current();
  auto lease = Lease::Acquire(gen);
  if (!lease) return;
  (void)(*lease)->Reopen();
  const Xapian::rev revision = (*lease)->db().get_revision();
  auto heads = gen->Heads();
  if (heads && heads->revision() == revision) return;
  heads_->Request(gen->path + "@" + std::to_string(revision));
}

bool SearchService::WaitForHeads(std::chrono::milliseconds timeout) {
  auto current_heads_ready = [this] {
    auto gen = live_->Current();
    auto heads = gen->Heads();
    if (!heads) return false;
    auto lease = Lease::Acquire(gen);
    if (!lease) return false;
    (void)(*lease)->Reopen();
    return heads->revision() == (*lease)->db().get_revision();
  };
  return heads_->Wait(current_heads_ready, timeout);
}

bool SearchService::HasSemantic() {
  auto gen = live_->Current();
  return gen->embedder != nullptr && gen->vectors != nullptr;
}

Status CheckSemanticDepth(int offset, int limit, std::string_view what) {
  int64_t depth = static_cast<int64_t>(std::max(0, offset)) + std::max(0, limit);
  if (depth <= kMaxSemanticDepth) return Status::Ok();
  return Status::InvalidArgument(
      "offset+limit = " + std::to_string(depth) + " is too deep for " + std::string(what) +
      ": it ranks at most the first " + std::to_string(kMaxSemanticDepth) +
      " results; lower offset (or page) so that offset+limit <= " +
      std::to_string(kMaxSemanticDepth) + ", or use mode=bm25 to page further");
}

Result<SearchResponse> SearchService::Search(const SearchRequest& req) {
  if (req.mode == SearchMode::kSemantic) {
    if (Status st = CheckSemanticDepth(req.offset, req.limit, "mode=semantic"); !st.ok()) {
      return Err(st);
    }
  }
  auto input = PrepareQuery(req.query);
  if (!input) return Err(input.error());
  if (Status st = CheckNotEmpty(req, *input); !st.ok()) return Err(st);
  auto gen = live_->Current();
  auto lease = Lease::Acquire(gen);
  if (!lease) return Err(lease.error());
  SearchResponse resp;
  resp.query = req.query;
  resp.offset = std::max(0, req.offset);
  const int limit = std::clamp(req.limit, 0, 1000);
  resp.mode = ModeFor(req, *input, *gen, resp.offset + limit);
  KeywordQuery q = BaseQuery(req, *input, *gen);
  q.exact_boost = options_.exact_boost;
  q.match_threads = options_.match_threads;
  if (resp.mode == SearchMode::kBm25) {
    if (Status st = KeywordPage(*lease, q, limit, options_, resp); !st.ok()) return Err(st);
    return resp;
  }
  auto vec = gen->embedder->Embed(input->text);
  if (!vec) return Err(vec.error());
  // Hybrid fuses the first `depth` results of each list; deeper pages are BM25 order.
  const int depth = std::max(options_.hybrid.depth, resp.offset + limit);
  const bool hybrid = resp.mode != SearchMode::kSemantic;
  const int candidates = hybrid ? SemanticDepth(options_.hybrid, resp.offset + limit) : depth;
  auto sem = SemanticCandidates(*gen, *lease, *vec, candidates, q, options_.hybrid.min_similarity,
                                hybrid ? options_.hybrid.ef : 0);
  if (!sem) return Err(sem.error());
  Page page;
  if (resp.mode == SearchMode::kSemantic) {
    resp.total = static_cast<int64_t>(sem->size());
    page = PageOf(*sem, resp.offset, limit);
  } else {
    std::vector<ScoredDoc> keyword;
    auto fused = HybridRanking(*gen, *lease, q, resp.offset + limit, *sem, *vec, options_, resp,
                               keyword);
    if (!fused) return Err(fused.error());
    page = PageOf(*fused, resp.offset, limit);
    sem->insert(sem->end(), keyword.begin(), keyword.end());
  }
  FindDocids(*sem, page);
  auto hits = Decorate(*lease, page.ids, page.scores, *input, req.highlight,
                       q.star_overrides, page.docids);
  if (!hits) return Err(hits.error());
  resp.hits = std::move(*hits);
  return resp;
}

Result<SearchResponse> SearchService::Similar(std::string_view text, const SearchRequest& req) {
  if (Status st = CheckSemanticDepth(req.offset, std::clamp(req.limit, 0, 100),
                                     "similar-text search");
      !st.ok()) {
    return Err(st);
  }
  std::string clean = core::SanitizeUtf8(text.substr(0, std::min<size_t>(text.size(), 20000)));
  if (core::Trim(clean).empty()) {
    return Err(Status::InvalidArgument("paste some text (an abstract) to find similar papers"));
  }
  auto gen = live_->Current();
  auto lease = Lease::Acquire(gen);
  if (!lease) return Err(lease.error());
  SearchResponse resp;
  resp.query = std::string(core::Trim(clean).substr(0, 200));
  resp.offset = std::max(0, req.offset);
  const int limit = std::clamp(req.limit, 0, 100);
  const int depth = std::max(options_.hybrid.depth, resp.offset + limit);
  Tokenizer tok;
  std::vector<std::string> words = TopKeywords(tok, gen->stats, "", clean, 16, 1);
  SearchRequest kreq = req;
  kreq.default_or = true;
  QueryInput input;
  input.text = core::Join(words, " ");
  input.term_count = static_cast<int>(words.size());
  KeywordQuery q = BaseQuery(kreq, input, *gen);
  q.exact_boost = 0;
  q.limit = depth;
  q.snippet_bytes = 0;
  q.highlight = false;
  q.fetch_docs = false;
  std::vector<ScoredDoc> keyword;
  if (!input.text.empty()) {
    auto res = (*lease)->Search(q);
    if (!res) return Err(res.error());
    for (const KeywordHit& h : res->hits) {
      keyword.push_back(ScoredDoc{gen->IdOf(h.docid), h.docid, h.score});
    }
  }
  std::vector<ScoredDoc> semantic;
  std::vector<FusedHit> fused;
  if (gen->embedder && gen->vectors) {
    auto vec = gen->embedder->Embed(clean);
    if (!vec) return Err(vec.error());
    auto sem = SemanticCandidates(*gen, *lease, *vec, depth, q, 0.0f);
    if (!sem) return Err(sem.error());
    resp.mode = SearchMode::kHybrid;
    fused = Fuse(*gen, options_.hybrid, keyword, *sem, *vec);
  } else {
    fused = ReciprocalRankFusion({{IdsOf(keyword), 1.0}}, options_.hybrid.rrf_k);
  }
  resp.total = static_cast<int64_t>(fused.size());
  std::vector<std::string> page;
  std::vector<double> scores;
  for (int i = resp.offset; i < std::min<int>(resp.offset + limit, fused.size()); ++i) {
    page.push_back(fused[i].id);
    scores.push_back(fused[i].score);
  }
  auto hits = Decorate(*lease, page, scores, input, req.highlight, q.star_overrides);
  if (!hits) return Err(hits.error());
  resp.hits = std::move(*hits);
  return resp;
}

Result<std::vector<SearchHit>> SearchService::Related(const std::string& id, int k) {
  auto gen = live_->Current();
  auto lease = Lease::Acquire(gen);
  if (!lease) return Err(lease.error());
  auto found = (*lease)->Find(id);
  if (!found) return Err(found.error());
  if (!*found) {
    return Err(Status::NotFound("paper " + id + " is not in the search index; import it, then "
                                "run `coolpapers index`"));
  }
  const auto& [docid, doc] = **found;
  k = std::clamp(k, 1, 100);
  const int depth = std::max(k * 3, 30);
  QueryInput input;
  std::vector<std::string> words = doc.keywords;
  if (words.empty()) {
    Tokenizer tok;
    words = TopKeywords(tok, gen->stats, doc.title, doc.abstract, 8);
  }
  input.text = core::Join(words, " ");
  input.term_count = static_cast<int>(words.size());
  KeywordQuery q;
  q.input = input;
  q.default_and = false;
  q.exact_boost = 0;
  q.limit = depth + 1;
  q.snippet_bytes = 0;
  q.fetch_docs = false;
  std::vector<ScoredDoc> keyword;
  if (!input.text.empty()) {
    auto res = (*lease)->Search(q);
    if (!res) return Err(res.error());
    for (const KeywordHit& h : res->hits) {
      if (h.docid != docid) keyword.push_back(ScoredDoc{gen->IdOf(h.docid), h.docid, h.score});
    }
  }
  std::vector<FusedHit> fused;
  std::vector<float> v = gen->vectors ? gen->vectors->Get(docid) : std::vector<float>();
  if (!v.empty()) {
    std::vector<ScoredDoc> semantic;
    for (const VectorHit& h : gen->vectors->Search(v, depth + 1)) {
      auto other = static_cast<Xapian::docid>(h.label);
      if (other != docid) semantic.push_back(ScoredDoc{gen->IdOf(other), other, h.score});
    }
    fused = Fuse(*gen, options_.hybrid, keyword, semantic, v);
  } else {
    fused = ReciprocalRankFusion({{IdsOf(keyword), 1.0}}, options_.hybrid.rrf_k);
  }
  std::vector<std::string> page;
  std::vector<double> scores;
  for (const FusedHit& f : fused) {
    if (static_cast<int>(page.size()) >= k) break;
    if (f.id.empty() || f.id == id) continue;
    page.push_back(f.id);
    scores.push_back(f.score);
  }
  return Decorate(*lease, page, scores, QueryInput{}, false, gen->Stars());
}

Result<std::vector<std::string>> SearchService::Keywords(const std::string& id) {
  auto lease = Lease::Acquire(live_->Current());
  if (!lease) return Err(lease.error());
  auto found = (*lease)->Find(id);
  if (!found) return Err(found.error());
  if (!*found) return Err(Status::NotFound("paper " + id + " is not in the search index"));
  return (*found)->second.keywords;
}

Result<int64_t> SearchService::CatchUp(store::Store& store, bool progress) {
  std::lock_guard writer_lock(writer_mu_);
  if (Status s = ReloadIfChanged(); !s.ok()) return Err(s);
  auto gen = live_->Current();
  auto written = ApplyStoreChanges(gen, store, options_.keyword, progress);
  // Stars are refreshed even when indexing could not run (another process holds the writer).
  Status stars = RefreshStars(gen, store);
  RefreshHeads();  // after this process's writes, or another's
  if (!written) return written;
  if (!stars.ok()) return Err(stars);
  return written;
}

void SearchService::StartRefresher(store::Store* store, std::chrono::milliseconds interval) {
  refresher_->Start(
      [this, store] {
        if (store) {
          auto n = CatchUp(*store);
          if (!n && n.error().code() != StatusCode::kUnavailable) {
            spdlog::warn("search: catching up with the store failed: {}", n.error().ToString());
          } else if (n && *n > 0) {
            spdlog::info("search: indexed {} new or updated papers", *n);
          }
        } else if (Status s = ReloadIfChanged(); !s.ok()) {
          spdlog::warn("search: {}", s.ToString());
        }
      },
      interval);
}

void SearchService::StopRefresher() {
  if (refresher_) refresher_->Stop();
}

IndexInfo SearchService::Info() {
  auto gen = live_->Current();
  IndexInfo info;
  info.generation = gen->path;
  info.embedder_id = gen->embedder ? gen->embedder->id() : "";
  info.vectors = gen->vectors ? static_cast<int64_t>(gen->vectors->size()) : 0;
  info.bytes = DirectorySize(gen->path);
  if (auto heads = gen->Heads()) {
    info.heads_terms = static_cast<int64_t>(heads->terms());
    info.heads_bytes = static_cast<int64_t>(heads->bytes());
  }
  auto lease = Lease::Acquire(gen);
  if (lease) {
    info.docs = (*lease)->DocCount();
    core::ParseInt64((*lease)->GetMetadata("store_seq"), info.store_seq);
  }
  return info;
}

}  // namespace coolpapers::search
