#pragma once
// The Xapian keyword index: BM25 over title (weighted), abstract, authors and extra text with
// English stemming (exact forms indexed too and boosted), CJK n-grams, field prefixes
// (ti: au: abs:; free text searches all fields), category terms, venue terms (the branch and
// venue: filters), a date value for ranges and time sort, and a stars value for star sort. Writer and Searcher each own their Xapian handle; neither is thread-safe, so use
// one per thread (SearchService pools searchers).

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include <xapian.h>

#include "core/status.h"
#include "search/doc_store.h"
#include "search/impact_heads.h"
#include "search/index_doc.h"
#include "search/query_input.h"
#include "search/tokenizer.h"

namespace coolpapers::search {

// Term prefixes and value slots (part of the on-disk format).
inline constexpr const char* kPrefixId = "Q";
inline constexpr const char* kPrefixTitle = "S";
inline constexpr const char* kPrefixAuthor = "A";
inline constexpr const char* kPrefixAbstract = "B";
inline constexpr const char* kPrefixCategory = "XC";
// A venue paper's edition and its conference, lower-cased: "XVacl.2024", "XVacl".
inline constexpr const char* kPrefixVenue = "XV";
// Every venue paper (an id "<local>@<Source>") has this term: the branch filters use it.
inline constexpr const char* kTermVenuePaper = "XBvenue";
inline constexpr Xapian::valueno kSlotDate = 0;   // DateKey(), "YYYYMMDDHHMMSS"
inline constexpr Xapian::valueno kSlotStars = 1;  // Xapian::sortable_serialise(stars)
// Block size of the index's B-trees (new databases and every build's merged output; an index
// keeps the size it was written with). Xapian reads one block per system call: 32 KB blocks
// (instead of its default 8 KB) mean fewer reads per search, as a query's postings and a
// page's documents sit in fewer blocks and the trees are shallower. At 74,728 papers, HTTP
// search p50 fell by 0.15 ms in both modes; the index is 2% smaller.
inline constexpr int kIndexBlockSize = 32768;

struct KeywordIndexOptions {
  int title_wdf = 2;      // title words count this many times (tuned on SciFact train)
  bool spelling = true;   // keep spelling data for "did you mean"
  double bm25_k1 = 1.2;   // BM25 term-frequency saturation (tuned on SciFact train)
  double bm25_b = 0.75;   // BM25 length normalisation
  // A match is split between threads (KeywordQuery::match_threads) only when Xapian's bound on
  // its size reaches this.
  Xapian::doccount split_min_matches = 5000;
};

class KeywordIndexWriter {
 public:
  // Opens (creating when `create`) the Xapian database at `path`. Fails with Unavailable when
  // another writer holds the lock. `no_sync`: commits skip fsync (only for a temporary
  // database that is thrown away when the process dies, such as a build's partial shards).
  static Result<std::unique_ptr<KeywordIndexWriter>> Open(const std::string& path, bool create,
                                                           const KeywordIndexOptions& opts = {},
                                                           bool no_sync = false);
  // Adds `doc`, replacing any document with the same id; returns its Xapian docid.
  Result<Xapian::docid> Put(const IndexDoc& doc);
  // Adds `doc` without looking for an existing one (bulk builds of a fresh index; ids must be
  // unique). `title_tokens`, when given, is Tokenizer::Tokenize(doc.title) already computed by
  // the caller (saves tokenizing it again for the spelling data).
  Result<Xapian::docid> Add(const IndexDoc& doc, const std::vector<Token>* title_tokens = nullptr);
  // Documents added or replaced since the last Commit.
  int64_t pending() const { return pending_; }
  // Makes all puts durable and visible, together with `metadata` (key -> value).
  Status Commit(const std::map<std::string, std::string>& metadata = {});
  // Commits the documents put so far but keeps their spelling data for the next Commit (each
  // word then goes to Xapian once, with its count): for a temporary database committed every
  // few hundred documents and read only after its last Commit.
  Status Flush();
  Result<std::string> GetMetadata(const std::string& key);
  Xapian::doccount DocCount() const { return db_.get_doccount(); }

 private:
  KeywordIndexWriter(Xapian::WritableDatabase db, const KeywordIndexOptions& opts);
  Result<Xapian::docid> Write(const IndexDoc& doc, bool replace,
                              const std::vector<Token>* title_tokens);
  // Writes the marks of documents replaced since the build (see DocStore) when they changed.
  void SaveStaleMarks();
  Xapian::WritableDatabase db_;
  Xapian::TermGenerator tg_;
  Tokenizer tokenizer_;
  KeywordIndexOptions opts_;
  int64_t pending_ = 0;
  // Title words (spelling data) of the documents put since the last Commit, with their counts.
  std::unordered_map<std::string, Xapian::termcount> spelling_;
  Xapian::docid docstore_covered_ = 0;  // docids in the generation's DocStore file
  StaleDocs stale_;                     // those of them replaced since the build
  bool stale_dirty_ = false;
};

// Current star counts (click totals) by docid of one index generation, fresher than the
// stars stored with each document (those are written only when a paper is indexed).
using StarOverrides = std::unordered_map<Xapian::docid, int64_t>;

enum class SortOrder { kRelevance, kTime, kStars };
// "relevance" | "time" | "stars" (also "date", "new" for time), and papers.cool's numeric forms
// as its search links carry them: "0" time, "1" stars (its "reading star" order), "2"
// relevance; nullopt otherwise.
std::optional<SortOrder> ParseSortOrder(std::string_view s);

// Which papers a search covers: every paper, arXiv papers only, or venue papers only (SPEC §11:
// /arxiv/search and /venue/search each search their branch).
enum class Branch { kAll, kArxiv, kVenue };

struct KeywordQuery {
  QueryInput input;
  std::string date_from, date_to;       // "YYYY-MM-DD" (merged with input's date:)
  std::vector<std::string> categories;  // merged with input's cat:
  Branch branch = Branch::kAll;
  // Editions ("ICLR.2024") or conferences ("ACL"), any case, any of them; merged with input's
  // venue:.
  std::vector<std::string> venues;
  bool default_and = true;  // AND between plain words; false = OR (long or pasted queries)
  double exact_boost = 1.0;  // extra weight for unstemmed (exact) matches; 0 = off
  SortOrder sort = SortOrder::kRelevance;
  int offset = 0;
  int limit = 10;
  int check_at_least = 0;  // documents to examine beyond offset+limit, for exact counts
  bool spelling = false;   // compute a "did you mean" suggestion
  bool highlight = false;  // fill title_html / summary_html with <mark> highlights
  int snippet_bytes = 300; // 0 = no snippets
  // When non-empty, only documents with these ids are considered (e.g. semantic candidates
  // checked against the query's filters).
  std::vector<std::string> restrict_ids;
  // The same by docid of the searcher's index (cheaper than ids: no lookup per document).
  std::vector<Xapian::docid> restrict_docids;
  bool fetch_docs = true;  // parse stored documents into hits (false: docids and scores only)
  // Fresher stars for some documents (docids of the searcher's index; null = none): they
  // replace the stored stars for sort=stars and in hits' doc.stars.
  std::shared_ptr<const StarOverrides> star_overrides;
  // Top-weight lists of the searcher's index (null = none): a relevance-ranked page of plain
  // words (no phrase, field or filter) is then found by scoring only the documents they cannot
  // rule out. Same results; ignored when they describe another revision of the index.
  std::shared_ptr<const ImpactHeads> heads;
  // Threads for a large relevance-ranked match that the heads could not prune: the docid range
  // is split between them (each opens its own handle) and the pages merged. Same results.
  int match_threads = 1;
  // Documents (docids of the searcher's index) whose BM25 scores are wanted besides the page's,
  // e.g. hybrid search's semantic candidates: those that match and are not on the page come
  // back in KeywordResults::also_scored. Ranked with the page's candidates when those are known
  // (top-weight lists, split match; relevance order), else by one more match restricted to
  // them (none when the page holds every match, offset 0).
  std::vector<Xapian::docid> also_score;
};

struct KeywordHit {
  Xapian::docid docid = 0;
  double score = 0;
  IndexDoc doc;
  // The part of the abstract (at most KeywordQuery::snippet_bytes bytes of it) holding the
  // most of the query's words, HTML-escaped, with <mark> around them (search/snippet.h).
  std::string snippet_html;
  std::string title_html;    // when highlight: escaped full title with <mark>
  std::string summary_html;  // when highlight: escaped full abstract with <mark>
};

struct KeywordResults {
  int64_t total = 0;        // estimated matches (exact when total_exact)
  bool total_exact = true;
  std::vector<KeywordHit> hits;
  std::string suggestion;   // corrected query string ("" = none)
  bool parse_fallback = false;  // the query had syntax errors and was read as plain words
  bool pruned = false;  // the top-weight lists proved the page (see KeywordQuery::heads)
  bool split = false;   // the match ran on several threads (see KeywordQuery::match_threads)
  // What the top-weight lists did (fallback: why they could not prove the page; all empty
  // when they were not tried).
  ProveStats prune_stats;
  // The scores of KeywordQuery::also_score's matching documents not on the page (docid and
  // score only, in no particular order).
  std::vector<KeywordHit> also_scored;
};

class KeywordIndexSearcher {
 public:
  // Opens the database at `path` read-only.
  static Result<std::unique_ptr<KeywordIndexSearcher>> Open(const std::string& path,
                                                             const KeywordIndexOptions& opts = {});
  Result<KeywordResults> Search(const KeywordQuery& q);
  // The documents `docids`, in that order (those no longer in the index left out), with the
  // snippets and highlights `q` asks for (q.snippet_bytes, q.highlight), marking the words of
  // q.input.text, and q.star_overrides applied; scores are 0. Runs no match: a fused result
  // page is decorated this way.
  Result<KeywordResults> Load(const std::vector<Xapian::docid>& docids, const KeywordQuery& q);
  // "Did you mean" for `text` (SuggestSpelling): "" when every word looks right.
  std::string Suggest(const std::string& text);
  // The stored document of `id`, with its docid; nullopt when absent.
  Result<std::optional<std::pair<Xapian::docid, IndexDoc>>> Find(const std::string& id);
  Result<std::optional<IndexDoc>> Get(Xapian::docid docid);
  // The docid of paper `id` (without reading its document); nullopt when absent.
  Result<std::optional<Xapian::docid>> DocidOf(const std::string& id);
  // Picks up commits made since opening (cheap when nothing changed).
  Status Reopen();
  Xapian::doccount DocCount() const { return db_.get_doccount(); }
  // Whether the index holds any venue paper (else the arXiv branch needs no filter).
  bool HasVenuePapers() const;
  std::string GetMetadata(const std::string& key) const;
  Xapian::Database& db() { return db_; }
  // The stored data of `docid`: from the generation's DocStore when it holds the document as
  // the index has it, else from Xapian (into `buffer`). Throws Xapian::DocNotFoundError when
  // the index has no such document.
  std::string_view DocData(Xapian::docid docid, std::string& buffer) const;
  // Whether the generation's document file is in use (see DocStore).
  bool has_doc_store() const { return docs_ != nullptr; }

 private:
  explicit KeywordIndexSearcher(Xapian::Database db, const KeywordIndexOptions& opts);
  // `terms` (may be null) receives the weighted terms when the query is a sum of term weights
  // that ProveTopN can prune, and is left empty otherwise. When the query leaves venue papers
  // out (the arXiv branch) and `terms` is filled, `unexcluded` receives it without that
  // exclusion.
  Result<Xapian::Query> BuildQuery(const KeywordQuery& q, KeywordResults& out,
                                   std::vector<WeightedTerm>* terms = nullptr,
                                   Xapian::Query* unexcluded = nullptr);
  // The page [offset, offset + limit) of a relevance-ranked match of `query`, split by docid
  // range over `threads` handles (fills out.total*, sets out.split); nullopt when the match is
  // small or the split cannot run.
  std::optional<std::vector<Xapian::docid>> SplitMatch(const Xapian::Query& query,
                                                       const Xapian::Weight& weighting, int offset,
                                                       int limit, int check_at_least, int threads,
                                                       KeywordResults& out);
  // Appends to out.also_scored the scores of those of `extra` (ascending docids) that match
  // `query` and are not among out.hits (the page at `offset`), by a match restricted to them.
  void ScoreAlso(const Xapian::Query& query, const Xapian::Weight& weighting,
                 std::vector<Xapian::docid> extra, int offset, KeywordResults& out);
  // Opens (or brings to db_'s revision) the kept handles of `extra` split threads.
  void PrepareSplitHandles(int extra);
  // Reads the marks of replaced documents of db_'s revision (see DocStore).
  void LoadStaleMarks();
  Xapian::Database db_;
  std::string path_;
  std::unique_ptr<DocStore> docs_;  // null: documents are read from Xapian
  StaleDocs stale_;
  Xapian::rev stale_revision_ = 0;  // db_'s revision stale_ was read at
  Xapian::Stem stem_;
  // Stems of the result pages' words, for their snippets and highlights (a searcher per
  // thread, so a smaller memo than an index build's).
  StemCache stems_{20000};
  KeywordIndexOptions opts_;
  ProveScratch prove_scratch_;  // ProveTopN's buffers, kept between this searcher's queries
  // SplitMatch's handles for its extra threads (index t - 1 for thread t), opened on first use
  // and kept: opening one costs about what a small split saves. Null when it cannot open.
  std::vector<std::unique_ptr<Xapian::Database>> split_handles_;
};

}  // namespace coolpapers::search
