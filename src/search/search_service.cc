#include "search/search_service.h"

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <shared_mutex>
#include <unordered_map>
#include <unordered_set>

#include <spdlog/spdlog.h>

#include "core/progress.h"
#include "core/text.h"
#include "search/doc_source.h"
#include "search/file_util.h"
#include "search/fusion.h"
#include "search/keywords.h"
#include "search/lsa_embedder.h"
#include "search/term_stats.h"
#include "search/tokenizer.h"
#include "search/vector_index.h"
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

// One loaded index generation: its files, models and a pool of Xapian searchers.
struct SearchService::Generation {
  std::string path;
  IndexMeta meta;
  TermStats stats;
  KeywordIndexOptions keyword_options;
  std::unique_ptr<LsaEmbedder> lsa;
  Embedder* embedder = nullptr;
  std::unique_ptr<VectorIndex> vectors;

  std::shared_mutex ids_mu;
  std::vector<std::string> docid_ids;  // Xapian docid -> paper id

  std::mutex pool_mu;
  std::vector<std::pair<uint64_t, std::unique_ptr<KeywordIndexSearcher>>> pool;
  std::atomic<uint64_t> epoch{0};  // bumped after each incremental commit

  // Click totals of clicked papers by this generation's docids (null until the first CatchUp),
  // fresher than the stars stored in documents. Kept per generation: docids are only
  // meaningful within the index they came from.
  std::mutex stars_mu;
  std::shared_ptr<const StarOverrides> stars;

  std::string IdOf(Xapian::docid docid) {
    std::shared_lock lock(ids_mu);
    return docid < docid_ids.size() ? docid_ids[docid] : std::string();
  }
  void SetId(Xapian::docid docid, const std::string& id) {
    std::unique_lock lock(ids_mu);
    if (docid >= docid_ids.size()) docid_ids.resize(docid + 1);
    docid_ids[docid] = id;
  }
  std::shared_ptr<const StarOverrides> Stars() {
    std::lock_guard lock(stars_mu);
    return stars;
  }
  void SetStars(std::shared_ptr<const StarOverrides> fresh) {
    std::lock_guard lock(stars_mu);
    stars = std::move(fresh);
  }

  // Top-weight lists of some revision of this generation's index (null until first built).
  std::mutex heads_mu;
  std::shared_ptr<const ImpactHeads> heads;
  std::shared_ptr<const ImpactHeads> Heads() {
    std::lock_guard lock(heads_mu);
    return heads;
  }
  void SetHeads(std::shared_ptr<const ImpactHeads> fresh) {
    std::lock_guard lock(heads_mu);
    heads = std::move(fresh);
  }
};

namespace {

using Generation = SearchService::Generation;

// A searcher borrowed from a generation's pool, returned on destruction.
class Lease {
 public:
  static Result<Lease> Acquire(std::shared_ptr<Generation> gen) {
    Lease l;
    l.gen_ = std::move(gen);
    const uint64_t epoch = l.gen_->epoch.load();
    {
      std::lock_guard lock(l.gen_->pool_mu);
      if (!l.gen_->pool.empty()) {
        auto [e, s] = std::move(l.gen_->pool.back());
        l.gen_->pool.pop_back();
        l.searcher_ = std::move(s);
        if (e != epoch) (void)l.searcher_->Reopen();
      }
    }
    if (!l.searcher_) {
      auto s = KeywordIndexSearcher::Open(IndexLayout::XapianPath(l.gen_->path),
                                          l.gen_->keyword_options);
      if (!s) return Err(s.error());
      l.searcher_ = std::move(*s);
    }
    l.epoch_ = epoch;
    return l;
  }
  Lease() = default;
  Lease(Lease&&) = default;
  Lease& operator=(Lease&&) = default;
  ~Lease() {
    if (gen_ && searcher_) {
      std::lock_guard lock(gen_->pool_mu);
      gen_->pool.emplace_back(epoch_, std::move(searcher_));
    }
  }
  KeywordIndexSearcher* operator->() { return searcher_.get(); }

 private:
  std::shared_ptr<Generation> gen_;
  std::unique_ptr<KeywordIndexSearcher> searcher_;
  uint64_t epoch_ = 0;
};

Result<std::shared_ptr<Generation>> LoadGeneration(const std::string& path,
                                                   const SearchServiceOptions& opts) {
  auto gen = std::make_shared<Generation>();
  gen->path = path;
  gen->keyword_options = opts.keyword;
  auto meta_text = ReadFile(IndexLayout::MetaPath(path));
  if (!meta_text) return Err(meta_text.error());
  auto meta = MetaFromJson(*meta_text);
  if (!meta) return Err(meta.error());
  if (Status s = CheckFormat(*meta, path); !s.ok()) return Err(s);
  gen->meta = *meta;
  auto stats = TermStats::Load(IndexLayout::TermsPath(path));
  if (stats) gen->stats = std::move(*stats);

  if (!gen->meta.embedder_id.empty()) {
    if (std::filesystem::exists(IndexLayout::LsaPath(path))) {
      auto lsa = LsaEmbedder::Load(IndexLayout::LsaPath(path));
      if (lsa) {
        gen->lsa = std::move(*lsa);
        gen->embedder = gen->lsa.get();
      } else {
        spdlog::warn("search: {}", lsa.error().message());
      }
    } else if (opts.external_embedder && opts.external_embedder->id() == gen->meta.embedder_id) {
      gen->embedder = opts.external_embedder;
    } else {
      spdlog::warn("search: index {} was built with embedder {}, which is not configured; "
                   "semantic search is off until `coolpapers index --rebuild`",
                   path, gen->meta.embedder_id);
    }
    if (gen->embedder && gen->embedder->id() == gen->meta.embedder_id) {
      auto vectors = VectorIndex::Load(IndexLayout::VectorsPath(path), gen->embedder->dim());
      if (vectors) {
        gen->vectors = std::move(*vectors);
      } else {
        spdlog::warn("search: {}", vectors.error().message());
        gen->embedder = nullptr;
      }
    } else {
      gen->embedder = nullptr;
    }
  }

  // The docid -> id map, from the unique id terms.
  auto searcher = KeywordIndexSearcher::Open(IndexLayout::XapianPath(path), opts.keyword);
  if (!searcher) return Err(searcher.error());
  try {
    Xapian::Database& db = (*searcher)->db();
    gen->docid_ids.resize(db.get_lastdocid() + 1);
    for (auto t = db.allterms_begin(kPrefixId); t != db.allterms_end(kPrefixId); ++t) {
      const std::string term = *t;
      for (auto p = db.postlist_begin(term); p != db.postlist_end(term); ++p) {
        if (*p < gen->docid_ids.size()) gen->docid_ids[*p] = term.substr(1);
      }
    }
  } catch (const Xapian::Error& e) {
    return Err(Status::Corruption("reading search index " + path + ": " + e.get_description()));
  }
  gen->pool.emplace_back(0, std::move(*searcher));
  return gen;
}

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
// request's filters.
Result<std::vector<ScoredDoc>> SemanticCandidates(Generation& gen, Lease& lease,
                                                  const std::vector<float>& vec, int depth,
                                                  const KeywordQuery& filters_from,
                                                  float min_similarity) {
  std::vector<ScoredDoc> out;
  for (const VectorHit& h : gen.vectors->Search(vec, depth)) {
    if (h.score < min_similarity) continue;
    auto docid = static_cast<Xapian::docid>(h.label);
    std::string id = gen.IdOf(docid);
    if (!id.empty()) out.push_back(ScoredDoc{std::move(id), docid, h.score});
  }
  const bool filtered = !filters_from.date_from.empty() || !filters_from.date_to.empty() ||
                        !filters_from.categories.empty() ||
                        !filters_from.input.date_from.empty() ||
                        !filters_from.input.date_to.empty() ||
                        !filters_from.input.categories.empty();
  if (!filtered || out.empty()) return out;
  KeywordQuery q;
  q.input.date_from = filters_from.input.date_from;
  q.input.date_to = filters_from.input.date_to;
  q.input.categories = filters_from.input.categories;
  q.date_from = filters_from.date_from;
  q.date_to = filters_from.date_to;
  q.categories = filters_from.categories;
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

double Dot(const std::vector<float>& a, const std::vector<float>& b) {
  double s = 0;
  for (size_t i = 0; i < std::min(a.size(), b.size()); ++i) s += static_cast<double>(a[i]) * b[i];
  return s;
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
    std::vector<float> v = gen.vectors->Get(d.docid);
    if (v.empty()) continue;
    Normalize(v);
    sem.items.emplace_back(d.id, Dot(v, query_vec));
  }
  return LinearFusion({kw, sem});
}

// Loads the page's documents in `ids` order, with snippets/highlights for `text`.
// `stars` (may be null) freshens the hits' doc.stars.
Result<std::vector<SearchHit>> Decorate(Lease& lease, const std::vector<std::string>& ids,
                                        const std::vector<double>& scores,
                                        const std::string& text, bool highlight,
                                        std::shared_ptr<const StarOverrides> stars) {
  std::vector<SearchHit> out;
  if (ids.empty()) return out;
  KeywordQuery q;
  auto input = PrepareQuery(text);
  if (input) q.input = *input;
  q.input.date_from.clear();
  q.input.date_to.clear();
  q.input.categories.clear();
  q.default_and = false;
  q.exact_boost = 0;
  q.restrict_ids = ids;
  q.keep_unmatched = true;
  q.limit = static_cast<int>(ids.size());
  q.highlight = highlight;
  q.star_overrides = std::move(stars);
  auto res = lease->Search(q);
  if (!res) return Err(res.error());
  std::unordered_map<std::string, size_t> pos;
  for (size_t i = 0; i < ids.size(); ++i) pos.emplace(ids[i], i);
  std::vector<std::optional<SearchHit>> slots(ids.size());
  std::vector<SearchHit> hits = ToHits(res->hits);
  for (SearchHit& h : hits) {
    auto it = pos.find(h.id);
    if (it == pos.end()) continue;
    h.score = scores[it->second];
    slots[it->second] = std::move(h);
  }
  for (auto& s : slots) {
    if (s) out.push_back(std::move(*s));
  }
  return out;
}

Result<KeywordResults> RunKeyword(Lease& lease, KeywordQuery q, const SearchServiceOptions& opts,
                                  bool* relaxed) {
  auto res = lease->Search(q);
  if (!res) return res;
  const bool few = res->total < opts.relax_below && q.offset == 0;
  if (few && q.input.term_count > 0) {
    if (q.default_and && q.input.term_count > 1) {
      q.default_and = false;
      *relaxed = true;
    }
    q.spelling = true;
    auto again = lease->Search(q);
    if (!again) return again;
    if (!*relaxed) {
      res->suggestion = again->suggestion;
    } else if (again->total > res->total) {
      res = std::move(again);
    } else {
      *relaxed = false;
      res->suggestion = again->suggestion;
    }
  }
  return res;
}

// Applies the store's changes since `gen`'s recorded sequence (see SearchService::CatchUp);
// returns how many documents were written.
Result<int64_t> ApplyStoreChanges(const std::shared_ptr<Generation>& gen, store::Store& store,
                                  const KeywordIndexOptions& keyword, bool progress) {
  {
    // Cheap check first: nothing changed in the store means no writer lock and no commit.
    auto store_seq = store.ChangeSeq();
    if (!store_seq) return Err(store_seq.error());
    auto lease = Lease::Acquire(gen);
    if (!lease) return Err(lease.error());
    (void)(*lease)->Reopen();
    int64_t indexed = 0;
    core::ParseInt64((*lease)->GetMetadata("store_seq"), indexed);
    if (*store_seq <= indexed) return int64_t{0};
  }
  auto writer = KeywordIndexWriter::Open(IndexLayout::XapianPath(gen->path), false, keyword);
  if (!writer) return Err(writer.error());
  auto seq_text = (*writer)->GetMetadata("store_seq");
  if (!seq_text) return Err(seq_text.error());
  int64_t seq = 0;
  if (!seq_text->empty() && !core::ParseInt64(*seq_text, seq)) seq = 0;
  StoreDocSource src(store, seq, 1000);
  if (Status s = src.Rewind(); !s.ok()) return Err(s);
  core::Progress prog("index: catching up", 0, progress ? stderr : nullptr);
  Tokenizer tok;
  std::vector<IndexDoc> batch;
  int64_t written = 0;
  bool vectors_changed = false;
  auto commit = [&]() -> Status {
    if (vectors_changed && gen->vectors) {
      if (Status s = gen->vectors->Save(IndexLayout::VectorsPath(gen->path)); !s.ok()) return s;
    }
    if (Status s = (*writer)->Commit({{"store_seq", std::to_string(src.seq())}}); !s.ok()) {
      return s;
    }
    gen->epoch.fetch_add(1);
    vectors_changed = false;
    return Status::Ok();
  };
  while (true) {
    if (Status s = src.Next(batch); !s.ok()) return Err(s);
    if (batch.empty()) break;
    for (IndexDoc& d : batch) {
      d.keywords = TopKeywords(tok, gen->stats, d.title, d.abstract, 8);
      auto docid = (*writer)->Put(d);
      if (!docid) return Err(docid.error());
      gen->SetId(*docid, d.id);
      if (gen->embedder && gen->vectors) {
        auto v = gen->embedder->Embed(DocText(d));
        if (v && gen->vectors->Add(*docid, std::move(*v)).ok()) vectors_changed = true;
      }
    }
    written += static_cast<int64_t>(batch.size());
    prog.Add(static_cast<int64_t>(batch.size()));
    if (written % 10000 < static_cast<int64_t>(batch.size())) {
      if (Status s = commit(); !s.ok()) return Err(s);
    }
  }
  if (written > 0 || src.seq() > seq) {
    if (Status s = commit(); !s.ok()) return Err(s);
  }
  prog.Finish(std::to_string(written) + " papers added or updated (store seq " +
              std::to_string(src.seq()) + ")");
  return written;
}

// Replaces `gen`'s star overrides with the store's current click totals, resolved to `gen`'s
// docids (papers not in the index are skipped). A store that cannot list click totals leaves
// the stored stars in charge.
Status RefreshStars(const std::shared_ptr<Generation>& gen, store::Store& store) {
  auto totals = store.ClickTotals();
  if (!totals) {
    return totals.error().code() == StatusCode::kUnavailable ? Status::Ok() : totals.error();
  }
  auto lease = Lease::Acquire(gen);
  if (!lease) return lease.error();
  (void)(*lease)->Reopen();  // see papers another process indexed
  auto stars = std::make_shared<StarOverrides>();
  stars->reserve(totals->size());
  for (const auto& [id, total] : *totals) {
    auto docid = (*lease)->DocidOf(id);
    if (!docid) return docid.error();
    if (*docid) stars->emplace(**docid, total);
  }
  gen->SetStars(std::move(stars));
  return Status::Ok();
}

}  // namespace

SearchService::SearchService(SearchServiceOptions options) : options_(std::move(options)) {}

SearchService::~SearchService() {
  StopRefresher();
  StopHeads();
}

void SearchService::RefreshHeads() {
  if (!options_.build_heads) return;
  auto gen = Current();
  auto lease = Lease::Acquire(gen);
  if (!lease) return;
  (void)(*lease)->Reopen();
  auto heads = gen->Heads();
  if (heads && heads->revision() == (*lease)->db().get_revision()) return;
  std::lock_guard lock(heads_mu_);
  if (heads_stop_) return;
  heads_dirty_ = true;
  if (!heads_thread_.joinable()) heads_thread_ = std::thread([this] { HeadsLoop(); });
  heads_cv_.notify_all();
}

void SearchService::HeadsLoop() {
  std::unique_lock lock(heads_mu_);
  auto next_allowed = std::chrono::steady_clock::now();
  while (true) {
    heads_cv_.wait(lock, [this] { return heads_stop_ || heads_dirty_; });
    if (heads_stop_) return;
    // A busy index (papers arriving every refresh) would keep a core rebuilding: rebuild at
    // most once per ten build times; queries run unpruned (same results) meanwhile.
    if (heads_cv_.wait_until(lock, next_allowed, [this] { return heads_stop_; })) return;
    heads_dirty_ = false;
    lock.unlock();
    const auto started = std::chrono::steady_clock::now();
    auto gen = Current();
    ImpactHeadsOptions opts = options_.heads;
    opts.k1 = options_.keyword.bm25_k1;
    opts.b = options_.keyword.bm25_b;
    opts.cancel = &heads_cancel_;
    auto built = ImpactHeads::Build(IndexLayout::XapianPath(gen->path), opts);
    if (built) {
      if ((*built)->terms() > 0) {
        spdlog::info("search: top-weight lists of {} common terms ready ({:.0f} MB, {:.1f} s)",
                     (*built)->terms(), (*built)->bytes() / 1048576.0, (*built)->seconds());
      }
      gen->SetHeads(std::move(*built));
    } else if (built.error().code() != StatusCode::kCancelled) {
      spdlog::warn("search: {}", built.error().message());
    }
    const auto finished = std::chrono::steady_clock::now();
    next_allowed = finished + 9 * (finished - started);
    lock.lock();
  }
}

void SearchService::StopHeads() {
  {
    std::lock_guard lock(heads_mu_);
    heads_stop_ = true;
    heads_cancel_ = true;
  }
  heads_cv_.notify_all();
  if (heads_thread_.joinable()) heads_thread_.join();
}

bool SearchService::WaitForHeads(std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (true) {
    auto gen = Current();
    auto heads = gen->Heads();
    if (heads) {
      auto lease = Lease::Acquire(gen);
      if (lease) {
        (void)(*lease)->Reopen();
        if (heads->revision() == (*lease)->db().get_revision()) return true;
      }
    }
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

Result<std::unique_ptr<SearchService>> SearchService::Open(const SearchServiceOptions& options) {
  IndexLayout layout(options.index_dir);
  auto path = layout.CurrentGeneration();
  if (!path) return Err(path.error());
  auto gen = LoadGeneration(*path, options);
  if (!gen) return Err(gen.error());
  std::unique_ptr<SearchService> s(new SearchService(options));
  s->gen_ = std::move(*gen);
  s->RefreshHeads();
  return s;
}

std::shared_ptr<Generation> SearchService::Current() {
  std::lock_guard lock(gen_mu_);
  return gen_;
}

Status SearchService::ReloadIfChanged() {
  IndexLayout layout(options_.index_dir);
  auto path = layout.CurrentGeneration();
  if (!path) return path.error();
  if (*path == Current()->path) return Status::Ok();
  auto gen = LoadGeneration(*path, options_);
  if (!gen) return gen.error();
  std::lock_guard lock(gen_mu_);
  gen_ = std::move(*gen);
  spdlog::info("search: switched to index generation {}", *path);
  return Status::Ok();
}

bool SearchService::HasSemantic() {
  auto gen = Current();
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
  SearchResponse resp;
  resp.query = req.query;
  resp.offset = std::max(0, req.offset);
  const bool has_filters = !req.date_from.empty() || !req.date_to.empty() ||
                           !req.categories.empty() || !input->date_from.empty() ||
                           !input->date_to.empty() || !input->categories.empty();
  if (input->text.empty() && !has_filters) {
    return Err(Status::InvalidArgument(
        "the query is empty; type some words, a phrase in \"quotes\", or a filter such as "
        "cat:cs.CL"));
  }
  auto gen = Current();
  auto lease = Lease::Acquire(gen);
  if (!lease) return Err(lease.error());
  const bool semantic = gen->embedder && gen->vectors && !input->text.empty();
  SearchMode mode = req.mode;
  if (mode == SearchMode::kAuto) {
    mode = semantic && input->free_text && req.sort == SortOrder::kRelevance ? SearchMode::kHybrid
                                                                              : SearchMode::kBm25;
  }
  if (!semantic) mode = SearchMode::kBm25;
  const int limit = std::clamp(req.limit, 0, 1000);
  // Hybrid fuses the first `depth` results of each list; deeper pages are BM25 order.
  const int depth = std::max(options_.hybrid.depth, resp.offset + limit);
  if (mode == SearchMode::kHybrid && resp.offset + limit > 1000) mode = SearchMode::kBm25;
  resp.mode = mode;

  KeywordQuery q = BaseQuery(req, *input, *gen);
  q.exact_boost = options_.exact_boost;
  q.match_threads = options_.match_threads;
  if (mode == SearchMode::kBm25) {
    q.offset = resp.offset;
    q.limit = limit;
    q.check_at_least = options_.check_at_least;
    auto res = RunKeyword(*lease, q, options_, &resp.relaxed);
    if (!res) return Err(res.error());
    resp.total = res->total;
    resp.total_exact = res->total_exact;
    resp.suggestion = res->suggestion;
    resp.hits = ToHits(res->hits);
    return resp;
  }

  auto vec = gen->embedder->Embed(input->text);
  if (!vec) return Err(vec.error());
  auto sem = SemanticCandidates(*gen, *lease, *vec,
                                mode == SearchMode::kSemantic ? depth : options_.hybrid.depth, q,
                                options_.hybrid.min_similarity);
  if (!sem) return Err(sem.error());
  std::vector<std::string> page;
  std::vector<double> scores;
  if (mode == SearchMode::kSemantic) {
    resp.total = static_cast<int64_t>(sem->size());
    for (int i = resp.offset; i < std::min<int>(resp.offset + limit, sem->size()); ++i) {
      page.push_back((*sem)[i].id);
      scores.push_back((*sem)[i].score);
    }
  } else {
    KeywordQuery kq = q;
    kq.offset = 0;
    kq.limit = depth;
    kq.snippet_bytes = 0;
    kq.highlight = false;
    kq.fetch_docs = false;
    kq.check_at_least = options_.check_at_least;
    auto res = RunKeyword(*lease, kq, options_, &resp.relaxed);
    if (!res) return Err(res.error());
    std::vector<ScoredDoc> keyword;
    for (const KeywordHit& h : res->hits) {
      keyword.push_back(ScoredDoc{gen->IdOf(h.docid), h.docid, h.score});
    }
    std::vector<FusedHit> fused = Fuse(*gen, options_.hybrid, keyword, *sem, *vec);
    int64_t semantic_only = 0;
    for (const FusedHit& f : fused) semantic_only += f.ranks[0] == 0 ? 1 : 0;
    resp.total = res->total + semantic_only;
    resp.total_exact = res->total_exact;
    resp.suggestion = res->suggestion;
    for (int i = resp.offset; i < std::min<int>(resp.offset + limit, fused.size()); ++i) {
      page.push_back(fused[i].id);
      scores.push_back(fused[i].score);
    }
  }
  auto hits = Decorate(*lease, page, scores, input->text, req.highlight, q.star_overrides);
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
  auto gen = Current();
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
  auto hits = Decorate(*lease, page, scores, input.text, req.highlight, q.star_overrides);
  if (!hits) return Err(hits.error());
  resp.hits = std::move(*hits);
  return resp;
}

Result<std::vector<SearchHit>> SearchService::Related(const std::string& id, int k) {
  auto gen = Current();
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
  return Decorate(*lease, page, scores, "", false, gen->Stars());
}

Result<std::vector<std::string>> SearchService::Keywords(const std::string& id) {
  auto lease = Lease::Acquire(Current());
  if (!lease) return Err(lease.error());
  auto found = (*lease)->Find(id);
  if (!found) return Err(found.error());
  if (!*found) return Err(Status::NotFound("paper " + id + " is not in the search index"));
  return (*found)->second.keywords;
}

Result<int64_t> SearchService::CatchUp(store::Store& store, bool progress) {
  std::lock_guard writer_lock(writer_mu_);
  if (Status s = ReloadIfChanged(); !s.ok()) return Err(s);
  auto gen = Current();
  auto written = ApplyStoreChanges(gen, store, options_.keyword, progress);
  // Stars are refreshed even when indexing could not run (another process holds the writer).
  Status stars = RefreshStars(gen, store);
  RefreshHeads();  // after this process's writes, or another's
  if (!written) return written;
  if (!stars.ok()) return Err(stars);
  return written;
}

void SearchService::StartRefresher(store::Store* store, std::chrono::milliseconds interval) {
  StopRefresher();
  {
    std::lock_guard lock(refresher_mu_);
    stop_ = false;
  }
  refresher_ = std::thread([this, store, interval] {
    std::unique_lock lock(refresher_mu_);
    while (!stop_) {
      lock.unlock();
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
      lock.lock();
      refresher_cv_.wait_for(lock, interval, [this] { return stop_; });
    }
  });
}

void SearchService::StopRefresher() {
  {
    std::lock_guard lock(refresher_mu_);
    stop_ = true;
  }
  refresher_cv_.notify_all();
  if (refresher_.joinable()) refresher_.join();
}

IndexInfo SearchService::Info() {
  auto gen = Current();
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
