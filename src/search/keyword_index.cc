#include "search/keyword_index.h"

#include <algorithm>
#include <cstring>
#include <system_error>
#include <thread>

#include <spdlog/spdlog.h>

#include "core/text.h"
#include "core/venue.h"
#include "search/snippet.h"
#include "search/spelling.h"
#include "search/tokenizer.h"

namespace coolpapers::search {
namespace {

constexpr unsigned kTermGenFlags = Xapian::TermGenerator::FLAG_CJK_NGRAM;
constexpr unsigned kFullParseFlags =
    Xapian::QueryParser::FLAG_PHRASE | Xapian::QueryParser::FLAG_BOOLEAN |
    Xapian::QueryParser::FLAG_LOVEHATE | Xapian::QueryParser::FLAG_PURE_NOT |
    Xapian::QueryParser::FLAG_CJK_NGRAM;
constexpr unsigned kPlainParseFlags = Xapian::QueryParser::FLAG_CJK_NGRAM;
constexpr double kMinNormLen = 0.5;  // BM25Weight's min_normlen
// Pages ending past this rank are not pruned (ProveTopN's work grows with the rank).
constexpr int kMaxPrunedRank = 200;

std::string ArchiveOf(const std::string& cat) {
  size_t dot = cat.find('.');
  return dot == std::string::npos ? cat : cat.substr(0, dot);
}

void ConfigureParser(Xapian::QueryParser& qp, const Xapian::Database& db, const Xapian::Stem& stem,
                     bool stemmed, bool default_and) {
  qp.set_database(db);
  qp.set_stemmer(stem);
  qp.set_stemming_strategy(stemmed ? Xapian::QueryParser::STEM_SOME
                                   : Xapian::QueryParser::STEM_NONE);
  qp.set_default_op(default_and ? Xapian::Query::OP_AND : Xapian::Query::OP_OR);
  // Free text: the unprefixed field (title, abstract, authors and extra text together).
  for (const TextFieldName& n : kTextFieldNames) {
    const char* prefix = n.field == TextField::kTitle    ? kPrefixTitle
                         : n.field == TextField::kAuthor ? kPrefixAuthor
                                                         : kPrefixAbstract;
    qp.add_prefix(std::string(n.name), prefix);
  }
}

// The abstract field (B) has no positions, so a phrase there is asked as the phrase in the
// text and each of its words in the abstract: abs:"graph learning" ->
// ("graph learning" abs:graph abs:learning).
std::string AbstractPhrases(const std::string& text) {
  std::string out;
  size_t i = 0;
  while (i < text.size()) {
    size_t at = std::string::npos;
    size_t plen = 0;
    for (const char* p : {"abs:\"", "abstract:\""}) {
      size_t f = text.find(p, i);
      if (f != std::string::npos && (f == 0 || !std::isalnum(static_cast<unsigned char>(
                                                   text[f - 1]))) &&
          f < at) {
        at = f;
        plen = std::strlen(p);
      }
    }
    size_t close = at == std::string::npos ? at : text.find('"', at + plen);
    if (close == std::string::npos) {
      out.append(text, i, std::string::npos);
      break;
    }
    out.append(text, i, at - i);
    const std::string phrase = text.substr(at + plen, close - at - plen);
    out += "(\"" + phrase + "\"";
    for (const std::string& w : core::Split(phrase, ' ')) {
      if (!w.empty()) out += " abs:" + w;
    }
    out += ")";
    i = close + 1;
  }
  return out;
}

// Replaces every character Xapian's parser treats as syntax with a space.
std::string PlainWords(const std::string& text) {
  std::string out = text;
  for (char& c : out) {
    auto u = static_cast<unsigned char>(c);
    if (u < 0x80 && !std::isalnum(u)) c = ' ';
  }
  return out;
}

// Parses with full syntax; on a syntax error retries without operators, then as plain words.
Xapian::Query ParseLeniently(Xapian::QueryParser& qp, const std::string& text, unsigned extra,
                             bool* fell_back) {
  try {
    return qp.parse_query(text, kFullParseFlags | extra);
  } catch (const Xapian::QueryParserError&) {
  }
  *fell_back = true;
  try {
    return qp.parse_query(text, kPlainParseFlags);
  } catch (const Xapian::QueryParserError&) {
  }
  try {
    return qp.parse_query(PlainWords(text), kPlainParseFlags);
  } catch (const Xapian::QueryParserError&) {
    return Xapian::Query();
  }
}

Xapian::Query FilterQuery(const KeywordQuery& q) {
  std::vector<Xapian::Query> filters;
  std::string from = !q.date_from.empty() ? q.date_from : q.input.date_from;
  std::string to = !q.date_to.empty() ? q.date_to : q.input.date_to;
  if (!from.empty() || !to.empty()) {
    std::string lo = from.empty() ? "" : DateKey(from);
    std::string hi = to.empty() ? "99999999999999" : DateKey(to).substr(0, 8) + "235959";
    filters.emplace_back(Xapian::Query::OP_VALUE_RANGE, kSlotDate, lo, hi);
  }
  std::vector<std::string> cats = q.categories;
  cats.insert(cats.end(), q.input.categories.begin(), q.input.categories.end());
  if (!cats.empty()) {
    std::vector<Xapian::Query> terms;
    for (const std::string& c : cats) terms.emplace_back(kPrefixCategory + core::ToLower(c));
    filters.emplace_back(Xapian::Query::OP_OR, terms.begin(), terms.end());
  }
  std::vector<std::string> venues = q.venues;
  venues.insert(venues.end(), q.input.venues.begin(), q.input.venues.end());
  if (!venues.empty()) {
    std::vector<Xapian::Query> terms;
    for (const std::string& v : venues) terms.emplace_back(kPrefixVenue + core::ToLower(v));
    filters.emplace_back(Xapian::Query::OP_OR, terms.begin(), terms.end());
  }
  if (q.branch == Branch::kVenue) filters.emplace_back(kTermVenuePaper);
  if (!q.restrict_ids.empty()) {
    std::vector<Xapian::Query> ids;
    for (const std::string& id : q.restrict_ids) ids.emplace_back(kPrefixId + id);
    filters.emplace_back(Xapian::Query::OP_OR, ids.begin(), ids.end());
  }
  if (!q.restrict_docids.empty()) {
    std::vector<Xapian::docid> docids = q.restrict_docids;
    std::sort(docids.begin(), docids.end());
    docids.erase(std::unique(docids.begin(), docids.end()), docids.end());
    filters.push_back(DocidSetQuery(std::move(docids)));
  }
  if (filters.empty()) return Xapian::Query();
  return Xapian::Query(Xapian::Query::OP_AND, filters.begin(), filters.end());
}

// Sort key for sort=stars: the fresh star count when `stars` has one for the document, else
// the stars stored in its value slot (both sortable_serialise'd, so they compare alike).
class StarsKeyMaker : public Xapian::KeyMaker {
 public:
  explicit StarsKeyMaker(const StarOverrides& stars) : stars_(stars) {}
  std::string operator()(const Xapian::Document& doc) const override {
    auto it = stars_.find(doc.get_docid());
    if (it != stars_.end()) return Xapian::sortable_serialise(static_cast<double>(it->second));
    return doc.get_value(kSlotStars);
  }

 private:
  const StarOverrides& stars_;
};

// The branch term of a venue paper, and its edition and conference terms.
void AddVenueTerms(Xapian::Document& doc, const IndexDoc& d) {
  if (!IsVenueId(d.id)) return;
  doc.add_boolean_term(kTermVenuePaper);
  if (d.venue.empty()) return;
  doc.add_boolean_term(kPrefixVenue + core::ToLower(d.venue));
  std::string conference;
  if (core::SplitEdition(d.venue, &conference, nullptr)) {
    doc.add_boolean_term(kPrefixVenue + core::ToLower(conference));
  }
}

// The stored-document file of the database at `xapian_path` (whose UUID is `uuid`); nullptr
// when it has none, or a damaged one (then documents are read from Xapian, with a warning).
std::unique_ptr<DocStore> OpenDocStore(const std::string& xapian_path, const std::string& uuid) {
  auto docs = DocStore::Open(DocStore::PathFor(xapian_path), uuid);
  if (docs) return std::move(*docs);
  spdlog::warn("search: {}; documents are read from the keyword index meanwhile",
               docs.error().message());
  return nullptr;
}

}  // namespace

// ---- writer ----

KeywordIndexWriter::KeywordIndexWriter(Xapian::WritableDatabase db,
                                       const KeywordIndexOptions& opts)
    : db_(std::move(db)), opts_(opts) {
  // The same stems as Xapian::Stem("en"), each distinct word stemmed once.
  tg_.set_stemmer(CachedEnglishStemmer());
  tg_.set_stemming_strategy(Xapian::TermGenerator::STEM_SOME);
  tg_.set_flags(kTermGenFlags);
}

Result<std::unique_ptr<KeywordIndexWriter>> KeywordIndexWriter::Open(
    const std::string& path, bool create, const KeywordIndexOptions& opts, bool no_sync) {
  try {
    int flags = create ? Xapian::DB_CREATE_OR_OPEN : Xapian::DB_OPEN;
    if (no_sync) flags |= Xapian::DB_NO_SYNC;
    Xapian::WritableDatabase db(path, flags, kIndexBlockSize);
    std::unique_ptr<KeywordIndexWriter> w(new KeywordIndexWriter(std::move(db), opts));
    // Documents the generation's stored-document file holds: replacing one marks it stale.
    if (auto docs = OpenDocStore(path, w->db_.get_uuid())) {
      w->docstore_covered_ = docs->covered();
      w->stale_ = StaleDocs(w->db_.get_metadata(kDocStoreStaleKey));
    }
    return w;
  } catch (const Xapian::DatabaseLockError& e) {
    return Err(Status::Unavailable("search index " + path + " is being written by another "
                                   "process (" + e.get_msg() + "); try again when it finishes"));
  } catch (const Xapian::Error& e) {
    return Err(Status::Corruption("cannot open search index " + path + " for writing: " +
                                  e.get_description() + "; rebuild it with `coolpapers index "
                                  "--rebuild`"));
  }
}

Result<Xapian::docid> KeywordIndexWriter::Put(const IndexDoc& d) {
  return Write(d, true, nullptr);
}

Result<Xapian::docid> KeywordIndexWriter::Add(const IndexDoc& d,
                                              const std::vector<Token>* title_tokens) {
  return Write(d, false, title_tokens);
}

Result<Xapian::docid> KeywordIndexWriter::Write(const IndexDoc& d, bool replace,
                                                const std::vector<Token>* title_tokens) {
  try {
    Xapian::Document doc;
    tg_.set_document(doc);
    const std::string id_term = kPrefixId + d.id;
    doc.add_boolean_term(id_term);
    // Free text searches one unprefixed field holding title (its words count title_wdf times),
    // abstract, authors and extra text: one posting list per query word. (Searching per-field
    // lists merged with OP_SYNONYM scores the same but measured twice as slow at 1M papers.)
    // Title and authors are also indexed under S and A for `ti:` and `au:` (each author name
    // its own phrase span), the abstract under B for `abs:` (without positions; see
    // AbstractPhrases). Spelling data ("did you mean") comes from title words: titles hold the
    // vocabulary people search with.
    tg_.index_text(d.title, opts_.title_wdf);
    tg_.increase_termpos(100);
    tg_.index_text(d.abstract);
    for (const std::string& a : d.authors) {
      tg_.increase_termpos(100);
      tg_.index_text(a);
    }
    if (!d.extra_text.empty()) {
      tg_.increase_termpos(100);
      tg_.index_text_without_positions(d.extra_text);
    }
    tg_.index_text_without_positions(d.abstract, 1, kPrefixAbstract);
    tg_.increase_termpos(100);
    tg_.index_text(d.title, 1, kPrefixTitle);
    if (opts_.spelling) {
      std::vector<Token> own;
      if (title_tokens == nullptr) {
        own = tokenizer_.Tokenize(d.title);
        title_tokens = &own;
      }
      for (const Token& t : *title_tokens) ++spelling_[t.surface];
    }
    for (const std::string& a : d.authors) {
      tg_.increase_termpos(100);
      tg_.index_text(a, 1, kPrefixAuthor);
    }
    for (const std::string& c : d.categories) {
      doc.add_boolean_term(kPrefixCategory + core::ToLower(c));
      doc.add_boolean_term(kPrefixCategory + core::ToLower(ArchiveOf(c)));
    }
    AddVenueTerms(doc, d);
    doc.add_value(kSlotDate, SortDateKey(d));
    doc.add_value(kSlotStars, Xapian::sortable_serialise(static_cast<double>(d.stars)));
    doc.set_data(SerializeDoc(d));
    const Xapian::docid docid =
        replace ? db_.replace_document(id_term, doc) : db_.add_document(doc);
    ++pending_;
    if (docid <= docstore_covered_) {
      stale_.Add(docid);
      stale_dirty_ = true;
    }
    return docid;
  } catch (const Xapian::Error& e) {
    return Err(Status::Internal("indexing paper " + d.id + " failed: " + e.get_description()));
  }
}

Status KeywordIndexWriter::Commit(const std::map<std::string, std::string>& metadata) {
  try {
    for (const auto& [word, count] : spelling_) db_.add_spelling(word, count);
    spelling_.clear();
    for (const auto& [k, v] : metadata) db_.set_metadata(k, v);
    SaveStaleMarks();
    db_.commit();
    pending_ = 0;
    return Status::Ok();
  } catch (const Xapian::Error& e) {
    return Status::Internal("committing the search index failed: " + e.get_description() +
                            "; check free disk space, then rerun `coolpapers index`");
  }
}

void KeywordIndexWriter::SaveStaleMarks() {
  if (!stale_dirty_) return;
  db_.set_metadata(kDocStoreStaleKey, stale_.bits());  // in the commit of the documents
  stale_dirty_ = false;
}

Status KeywordIndexWriter::Flush() {
  try {
    SaveStaleMarks();
    db_.commit();
    pending_ = 0;
    return Status::Ok();
  } catch (const Xapian::Error& e) {
    return Status::Internal("committing the search index failed: " + e.get_description() +
                            "; check free disk space, then rerun `coolpapers index`");
  }
}

Result<std::string> KeywordIndexWriter::GetMetadata(const std::string& key) {
  try {
    return db_.get_metadata(key);
  } catch (const Xapian::Error& e) {
    return Err(Status::Internal("reading index metadata " + key + ": " + e.get_description()));
  }
}

// ---- searcher ----

std::optional<SortOrder> ParseSortOrder(std::string_view s) {
  if (s.empty() || s == "relevance" || s == "rel" || s == "score" || s == "2") {
    return SortOrder::kRelevance;
  }
  if (s == "time" || s == "date" || s == "new" || s == "newest" || s == "0") {
    return SortOrder::kTime;
  }
  if (s == "stars" || s == "star" || s == "popular" || s == "1") return SortOrder::kStars;
  return std::nullopt;
}

KeywordIndexSearcher::KeywordIndexSearcher(Xapian::Database db, const KeywordIndexOptions& opts)
    : db_(std::move(db)), stem_("en"), opts_(opts) {}

Result<std::unique_ptr<KeywordIndexSearcher>> KeywordIndexSearcher::Open(
    const std::string& path, const KeywordIndexOptions& opts) {
  try {
    Xapian::Database db(path);
    std::unique_ptr<KeywordIndexSearcher> s(new KeywordIndexSearcher(std::move(db), opts));
    s->path_ = path;
    s->docs_ = OpenDocStore(path, s->db_.get_uuid());
    s->LoadStaleMarks();
    return s;
  } catch (const Xapian::Error& e) {
    return Err(Status::NotFound("cannot open search index " + path + ": " +
                                e.get_description() + "; build it with `coolpapers index`"));
  }
}

Status KeywordIndexSearcher::Reopen() {
  try {
    db_.reopen();
    if (docs_ && db_.get_revision() != stale_revision_) LoadStaleMarks();
    return Status::Ok();
  } catch (const Xapian::Error& e) {
    return Status::Unavailable("reopening the search index: " + e.get_description());
  }
}

bool KeywordIndexSearcher::HasVenuePapers() const {
  try {
    return db_.get_termfreq(kTermVenuePaper) > 0;
  } catch (const Xapian::Error&) {
    return true;  // filter when unsure: the arXiv branch must not show venue papers
  }
}

std::string KeywordIndexSearcher::GetMetadata(const std::string& key) const {
  try {
    return db_.get_metadata(key);
  } catch (const Xapian::Error&) {
    return "";
  }
}

// Appends the terms of `q` when it is one term or an AND/OR of terms; false otherwise.
bool TermLeaves(const Xapian::Query& q, std::vector<std::string>& out) {
  if (q.get_type() == Xapian::Query::LEAF_TERM) {
    out.push_back(*q.get_terms_begin());
    return true;
  }
  if (q.get_type() != Xapian::Query::OP_AND && q.get_type() != Xapian::Query::OP_OR) return false;
  for (size_t i = 0; i < q.get_num_subqueries(); ++i) {
    const Xapian::Query sub = q.get_subquery(i);
    if (sub.get_type() != Xapian::Query::LEAF_TERM) return false;
    out.push_back(*sub.get_terms_begin());
  }
  return true;
}

Result<Xapian::Query> KeywordIndexSearcher::BuildQuery(const KeywordQuery& q,
                                                       KeywordResults& out,
                                                       std::vector<WeightedTerm>* terms,
                                                       Xapian::Query* unexcluded) {
  if (terms) terms->clear();
  bool prunable = terms != nullptr && q.restrict_ids.empty() && q.restrict_docids.empty();
  Xapian::Query main;
  if (!q.input.text.empty()) {
    Xapian::QueryParser qp;
    ConfigureParser(qp, db_, stem_, /*stemmed=*/true, q.default_and);
    main = ParseLeniently(qp, AbstractPhrases(q.input.text), 0, &out.parse_fallback);
    if (q.spelling) out.suggestion = Suggest(q.input.text);
    std::vector<std::string> main_terms, exact_terms;
    prunable = prunable && !main.empty() && TermLeaves(main, main_terms);
    // Every word must match unless the parsed words are an OR (before the exact boost wraps
    // them in AND_MAYBE).
    const bool required = main.get_type() != Xapian::Query::OP_OR;
    if (q.exact_boost > 0 && !main.empty()) {
      Xapian::QueryParser exact_qp;
      ConfigureParser(exact_qp, db_, stem_, /*stemmed=*/false, /*default_and=*/false);
      bool ignored = false;
      Xapian::Query exact =
          ParseLeniently(exact_qp, PlainWords(q.input.text), 0, &ignored);
      if (!exact.empty()) {
        prunable = prunable && TermLeaves(exact, exact_terms);
        main = Xapian::Query(Xapian::Query::OP_AND_MAYBE, main,
                             Xapian::Query(Xapian::Query::OP_SCALE_WEIGHT, exact, q.exact_boost));
      }
    }
    // ProveTopN takes at most 64 terms; longer (pasted) queries use the full match.
    prunable = prunable && main_terms.size() + exact_terms.size() <= 64;
    if (prunable) {
      for (const std::string& t : main_terms) terms->push_back({t, 1.0, required, -1});
      for (const std::string& t : exact_terms) {
        WeightedTerm w{t, q.exact_boost, false, -1};
        // Every occurrence of a word is also one of its stem (TermGenerator::STEM_SOME).
        std::string stemmed = "Z";
        stemmed += stem_(t);
        for (size_t i = 0; i < main_terms.size(); ++i) {
          if (main_terms[i] == stemmed) w.implies = static_cast<int>(i);
        }
        terms->push_back(std::move(w));
      }
    }
  }
  Xapian::Query filter = FilterQuery(q);
  // A fresh match-all query (the empty term), never the shared Xapian::Query::MatchAll: Xapian
  // counts references without atomics, so copying that global from concurrent searches corrupts
  // its count (seen as a crash in Enquire::set_query under load).
  const Xapian::Query match_all{std::string()};
  if (main.empty()) {
    if (filter.empty()) return main;
    main = match_all;
  }
  if (!filter.empty()) main = Xapian::Query(Xapian::Query::OP_FILTER, main, filter);
  if (terms && (!filter.empty() || !prunable)) terms->clear();
  // The arXiv branch leaves venue papers out (nothing to leave out in an arXiv-only index).
  // The top-weight lists still prune it: see ProveTopNWithout.
  if (q.branch == Branch::kArxiv && HasVenuePapers()) {
    if (unexcluded && terms && !terms->empty()) *unexcluded = main;
    main = Xapian::Query(Xapian::Query::OP_AND_NOT, main, Xapian::Query(kTermVenuePaper));
  }
  return main;
}

namespace {

// Whether `heads` may prune the relevance-ranked page [offset, offset + limit) of `db`: they
// must describe its revision with the searcher's BM25 parameters, and the page end early.
bool HeadsApply(const ImpactHeads* heads, const KeywordQuery& q, int offset, int limit,
                const KeywordIndexOptions& opts, const Xapian::Database& db) {
  return heads != nullptr && q.sort == SortOrder::kRelevance && limit > 0 &&
         offset + limit <= kMaxPrunedRank && heads->options().k1 == opts.bm25_k1 &&
         heads->options().b == opts.bm25_b && heads->options().min_normlen == kMinNormLen &&
         heads->revision() == db.get_revision();
}

// How many of `docids` (ascending) hold `term`.
size_t CountWithTerm(const Xapian::Database& db, const std::string& term,
                     const std::vector<Xapian::docid>& docids) {
  size_t n = 0;
  Xapian::PostingIterator it = db.postlist_begin(term);
  const Xapian::PostingIterator end = db.postlist_end(term);
  for (Xapian::docid d : docids) {
    if (it == end) break;
    it.skip_to(d);
    if (it != end && *it == d) ++n;
  }
  return n;
}

// ProveTopN for `unexcluded` AND_NOT `term` (the arXiv branch without venue papers): the page
// [0, want) of the filtered ranking is among the unfiltered top `need` when at least `want` of
// those lack `term` (every document without it that ranks lower ranks below them), so `need`
// grows by the excluded documents found until that holds or the whole match is proved. Returns
// candidates containing the filtered top `want`, or nullopt (full match) when the bounds
// cannot prove it within kMaxPrunedRank.
std::optional<std::vector<Xapian::docid>> ProveTopNWithout(
    const ImpactHeads& heads, const Xapian::Database& db, const std::vector<WeightedTerm>& terms,
    const Xapian::Query& unexcluded, const std::string& term, const Xapian::Weight& weighting,
    size_t want, ProveStats* stats, ProveScratch* scratch) {
  for (size_t need = want; need <= static_cast<size_t>(kMaxPrunedRank);) {
    std::optional<std::vector<Xapian::docid>> proved =
        ProveTopN(heads, db, terms, need, stats, scratch);
    if (!proved) return proved;
    Xapian::Enquire top(db);
    top.set_weighting_scheme(weighting);
    top.set_query(Xapian::Query(Xapian::Query::OP_FILTER, unexcluded, DocidSetQuery(*proved)));
    const Xapian::MSet m = top.get_mset(0, static_cast<Xapian::doccount>(need));
    std::vector<Xapian::docid> ids(m.begin(), m.end());
    std::sort(ids.begin(), ids.end());
    const size_t excluded = CountWithTerm(db, term, ids);
    if (ids.size() < need || ids.size() - excluded >= want) return proved;
    need += excluded;
  }
  return std::nullopt;
}

// Counts the matches of `query` as a full search would, for a page ranked among proved docids:
// Xapian estimates without matching; only a small upper bound (at most `exact_below`) is worth
// counting exactly (checking every match would cost what pruning saved).
void CountMatches(const Xapian::Database& db, const Xapian::Query& query,
                  const Xapian::Weight& weighting, Xapian::doccount exact_below,
                  KeywordResults& out) {
  Xapian::Enquire count(db);
  count.set_query(query);
  count.set_weighting_scheme(weighting);
  Xapian::MSet counted = count.get_mset(0, 0);
  if (counted.get_matches_upper_bound() <= exact_below) {
    counted = count.get_mset(0, 0, exact_below);
  }
  out.total = counted.get_matches_estimated();
  out.total_exact = counted.get_matches_lower_bound() == counted.get_matches_upper_bound();
}

// Sets the order of `q` on `enquire`; `stars_key` must outlive get_mset (Xapian keeps a raw
// pointer).
void SetOrder(Xapian::Enquire& enquire, const KeywordQuery& q, const StarOverrides* overrides,
              std::optional<StarsKeyMaker>& stars_key) {
  if (q.sort == SortOrder::kTime) enquire.set_sort_by_value_then_relevance(kSlotDate, true);
  if (q.sort == SortOrder::kStars && overrides) {
    stars_key.emplace(*overrides);
    enquire.set_sort_by_key_then_relevance(&*stars_key, true);
  } else if (q.sort == SortOrder::kStars) {
    enquire.set_sort_by_value_then_relevance(kSlotStars, true);
  }
}

// Fills the snippet and highlights `q` asks for of `hit`, marking the words of `terms`.
void MarkHit(const KeywordQuery& q, const HighlightTerms& terms, StemCache& stems,
             KeywordHit& hit) {
  if (q.snippet_bytes <= 0 && !q.highlight) return;
  const MarkedText abstract(hit.doc.abstract, terms, stems);
  if (q.snippet_bytes > 0) {
    hit.snippet_html = abstract.Snippet(static_cast<size_t>(q.snippet_bytes));
  }
  if (q.highlight) {
    hit.title_html = MarkedText(hit.doc.title, terms, stems).Highlighted();
    hit.summary_html = abstract.Highlighted();
  }
}

// Appends the docid and score of `it` (no document) to `out`.
void AddScored(const Xapian::MSetIterator& it, std::vector<KeywordHit>& out) {
  KeywordHit& h = out.emplace_back();
  h.docid = *it;
  h.score = it.get_weight();
}

// Fills `hit` (its docid set) from its document's `data`: the parsed document, fresher stars,
// snippets and highlights as `q` asks; false when the document cannot be parsed.
bool FillHit(std::string_view data, const KeywordQuery& q, const StarOverrides* overrides,
             const HighlightTerms& terms, StemCache& stems, KeywordHit& hit) {
  std::optional<IndexDoc> parsed = ParseDoc(data);
  if (!parsed) return false;
  hit.doc = std::move(*parsed);
  if (overrides) {
    auto fresh = overrides->find(hit.docid);
    if (fresh != overrides->end()) hit.doc.stars = fresh->second;
  }
  MarkHit(q, terms, stems, hit);
  return true;
}

// Appends the hits [first, last) of `mset`, with their documents, fresher stars, snippets and
// highlights as `q` asks (a document that cannot be parsed is skipped).
void AddHits(const Xapian::MSet& mset, Xapian::doccount first, Xapian::doccount last,
             const KeywordQuery& q, const StarOverrides* overrides, const HighlightTerms& terms,
             StemCache& stems, const KeywordIndexSearcher& searcher, KeywordResults& out) {
  std::string buffer;
  for (Xapian::doccount i = first; i < std::min(last, mset.size()); ++i) {
    const Xapian::MSetIterator it = mset[i];
    KeywordHit hit;
    hit.docid = *it;
    hit.score = it.get_weight();
    if (!q.fetch_docs) {
      out.hits.push_back(std::move(hit));
      continue;
    }
    if (FillHit(searcher.DocData(hit.docid, buffer), q, overrides, terms, stems, hit)) {
      out.hits.push_back(std::move(hit));
    }
  }
}

}  // namespace

Result<KeywordResults> KeywordIndexSearcher::Search(const KeywordQuery& q) {
  KeywordResults out;
  try {
    const int offset = std::max(0, q.offset);
    const int limit = std::max(0, q.limit);
    const ImpactHeads* heads = q.heads.get();
    std::vector<WeightedTerm> terms;
    const bool try_heads = HeadsApply(heads, q, offset, limit, opts_, db_);
    Xapian::Query unexcluded;  // with terms: the query without the arXiv branch's exclusion
    auto query = BuildQuery(q, out, try_heads ? &terms : nullptr, &unexcluded);
    if (!query) return Err(query.error());
    if (query->empty()) return out;
    const Xapian::BM25Weight weighting(opts_.bm25_k1, 0, 1, opts_.bm25_b, kMinNormLen);
    Xapian::Enquire enquire(db_);
    enquire.set_weighting_scheme(weighting);
    // The page's candidates, proved by the heads or picked by a split match; else a full match.
    std::optional<std::vector<Xapian::docid>> proved;
    if (!terms.empty() && !unexcluded.empty()) {
      proved = ProveTopNWithout(*heads, db_, terms, unexcluded, kTermVenuePaper, weighting,
                                offset + limit, &out.prune_stats, &prove_scratch_);
    } else if (!terms.empty()) {
      proved =
          ProveTopN(*heads, db_, terms, offset + limit, &out.prune_stats, &prove_scratch_);
    }
    if (!proved && q.match_threads > 1 && q.sort == SortOrder::kRelevance && limit > 0) {
      proved = SplitMatch(*query, weighting, offset, limit, q.check_at_least, q.match_threads,
                          out);
    }
    if (proved && !out.split) {
      // The page is among `proved`: rank only them; count matches as a full search would.
      CountMatches(db_, *query, weighting, offset + limit + q.check_at_least, out);
      out.pruned = true;
    }
    std::vector<Xapian::docid> extra = q.also_score;
    std::sort(extra.begin(), extra.end());
    extra.erase(std::unique(extra.begin(), extra.end()), extra.end());
    // With the page's candidates known, the documents to score as well are ranked with them:
    // every other candidate ranks below the page's end (ties included: Xapian's order is
    // weight, then docid), so the page is the same and one match scores them all. (A split
    // match's candidates are the page alone: documents ranked before a later page are not
    // among them.)
    const bool together = proved && !extra.empty() && q.sort == SortOrder::kRelevance &&
                          (!out.split || offset == 0);
    Xapian::doccount ranked = 0;
    if (proved) {
      std::vector<Xapian::docid> set = std::move(*proved);
      if (together) {
        std::vector<Xapian::docid> both;
        std::set_union(set.begin(), set.end(), extra.begin(), extra.end(),
                       std::back_inserter(both));
        set = std::move(both);
      }
      ranked = static_cast<Xapian::doccount>(set.size());
      enquire.set_query(
          Xapian::Query(Xapian::Query::OP_FILTER, *query, DocidSetQuery(std::move(set))));
    } else {
      enquire.set_query(*query);
    }
    const StarOverrides* overrides =
        q.star_overrides && !q.star_overrides->empty() ? q.star_overrides.get() : nullptr;
    std::optional<StarsKeyMaker> stars_key;  // outlives get_mset (Xapian keeps a raw pointer)
    SetOrder(enquire, q, overrides, stars_key);
    // A split match already picked the page: rank just its documents (and the extra ones).
    const Xapian::doccount first = together && !out.split ? offset : 0;
    Xapian::MSet mset = together    ? enquire.get_mset(0, ranked)
                        : out.split ? enquire.get_mset(0, limit)
                                    : enquire.get_mset(offset, limit,
                                                       offset + limit + q.check_at_least);
    if (!out.pruned && !out.split) {
      out.total = mset.get_matches_estimated();
      out.total_exact = mset.get_matches_lower_bound() == mset.get_matches_upper_bound();
    }
    HighlightTerms marks;  // the query's words, found once for the whole page
    if (q.fetch_docs && (q.snippet_bytes > 0 || q.highlight)) {
      marks = HighlightTerms::FromQuery(*query, db_, stems_);
    }
    AddHits(mset, first, first + static_cast<Xapian::doccount>(limit), q, overrides, marks,
            stems_, *this, out);
    if (together) {
      for (Xapian::doccount i = 0; i < mset.size(); ++i) {
        const Xapian::MSetIterator it = mset[i];
        if ((i < first || i >= first + static_cast<Xapian::doccount>(limit)) &&
            std::binary_search(extra.begin(), extra.end(), *it)) {
          AddScored(it, out.also_scored);
        }
      }
    } else if (!extra.empty()) {
      ScoreAlso(*query, weighting, std::move(extra), offset, out);
    }
    return out;
  } catch (const Xapian::Error& e) {
    return Err(Status::Internal("search failed for \"" + q.input.text +
                                "\": " + e.get_description()));
  }
}

void KeywordIndexSearcher::ScoreAlso(const Xapian::Query& query, const Xapian::Weight& weighting,
                                     std::vector<Xapian::docid> extra, int offset,
                                     KeywordResults& out) {
  // When the first page holds every match, no other document matches the words.
  if (offset == 0 && out.total_exact && out.total <= static_cast<int64_t>(out.hits.size())) {
    return;
  }
  std::vector<Xapian::docid> listed;
  for (const KeywordHit& h : out.hits) listed.push_back(h.docid);
  std::sort(listed.begin(), listed.end());
  std::erase_if(extra, [&](Xapian::docid d) {
    return std::binary_search(listed.begin(), listed.end(), d);
  });
  if (extra.empty()) return;
  Xapian::Enquire enquire(db_);
  enquire.set_weighting_scheme(weighting);
  const auto n = static_cast<Xapian::doccount>(extra.size());
  enquire.set_query(
      Xapian::Query(Xapian::Query::OP_FILTER, query, DocidSetQuery(std::move(extra))));
  const Xapian::MSet mset = enquire.get_mset(0, n);
  for (auto it = mset.begin(); it != mset.end(); ++it) AddScored(it, out.also_scored);
}

Result<KeywordResults> KeywordIndexSearcher::Load(const std::vector<Xapian::docid>& docids,
                                                  const KeywordQuery& q) {
  KeywordResults out;
  try {
    HighlightTerms marks;
    if (q.snippet_bytes > 0 || q.highlight) {
      KeywordQuery words;  // q's words alone (no filter: the documents are given)
      words.input = q.input;
      words.input.date_from.clear();
      words.input.date_to.clear();
      words.input.categories.clear();
      words.input.venues.clear();
      words.default_and = false;
      words.exact_boost = 0;
      auto query = BuildQuery(words, out);
      if (!query) return Err(query.error());
      if (!query->empty()) marks = HighlightTerms::FromQuery(*query, db_, stems_);
    }
    const StarOverrides* overrides =
        q.star_overrides && !q.star_overrides->empty() ? q.star_overrides.get() : nullptr;
    std::string buffer;
    for (Xapian::docid docid : docids) {
      KeywordHit hit;
      hit.docid = docid;
      std::string_view data;
      try {
        data = DocData(docid, buffer);
      } catch (const Xapian::DocNotFoundError&) {
        continue;  // removed since the ranking was made
      }
      if (FillHit(data, q, overrides, marks, stems_, hit)) out.hits.push_back(std::move(hit));
    }
    out.total = static_cast<int64_t>(out.hits.size());
    return out;
  } catch (const Xapian::Error& e) {
    return Err(Status::Internal("loading " + std::to_string(docids.size()) +
                                " search documents: " + e.get_description()));
  }
}

namespace {

// `query` restricted to each of `threads` docid ranges covering [1, last]. Xapian counts a
// query's references without atomics and copies subqueries while matching, so parts must share
// no query node: the first part holds `query` itself, each other one its own copy of the tree
// (made by serialising it). nullopt when it cannot be copied (it holds a posting source).
std::optional<std::vector<Xapian::Query>> PartQueries(const Xapian::Query& query,
                                                      Xapian::docid last, int threads) {
  std::string wire;
  try {
    wire = query.serialise();
  } catch (const Xapian::Error&) {
    return std::nullopt;
  }
  std::vector<Xapian::Query> parts;
  for (int t = 0; t < threads; ++t) {
    const Xapian::docid first = static_cast<Xapian::docid>(uint64_t{last} * t / threads) + 1;
    const Xapian::docid end = static_cast<Xapian::docid>(uint64_t{last} * (t + 1) / threads);
    parts.emplace_back(Xapian::Query::OP_FILTER, t == 0 ? query : Xapian::Query::unserialise(wire),
                       DocidRangeQuery(first, end));
  }
  return parts;
}

}  // namespace

void KeywordIndexSearcher::PrepareSplitHandles(int extra) {
  if (split_handles_.size() < static_cast<size_t>(extra)) split_handles_.resize(extra);
  for (auto& h : split_handles_) {
    try {
      if (!h) {
        h = std::make_unique<Xapian::Database>(path_);
      } else if (h->get_revision() != db_.get_revision()) {
        h->reopen();
      }
    } catch (const Xapian::Error&) {
      h.reset();  // its part stays !ok, and the match runs in one piece
    }
  }
}

std::optional<std::vector<Xapian::docid>> KeywordIndexSearcher::SplitMatch(
    const Xapian::Query& query, const Xapian::Weight& weighting, int offset, int limit,
    int check_at_least, int threads, KeywordResults& out) {
  // Only worth a thread when the match is large; Xapian estimates without matching.
  Xapian::Enquire probe(db_);
  probe.set_query(query);
  probe.set_weighting_scheme(weighting);
  const Xapian::MSet estimate = probe.get_mset(0, 0);
  if (estimate.get_matches_upper_bound() < opts_.split_min_matches) return std::nullopt;
  threads = std::clamp(threads, 2, 8);
  const Xapian::docid last = db_.get_lastdocid();
  const size_t need = static_cast<size_t>(offset) + static_cast<size_t>(limit);
  struct Part {
    std::vector<std::pair<double, Xapian::docid>> top;
    Xapian::doccount est = 0, lo = 0, hi = 0;
    bool ok = false;
  };
  std::vector<Part> parts(threads);
  PrepareSplitHandles(threads - 1);
  std::optional<std::vector<Xapian::Query>> part_queries = PartQueries(query, last, threads);
  if (!part_queries) return std::nullopt;
  auto run = [&](int t, const Xapian::Database& handle) {
    try {
      if (handle.get_revision() != db_.get_revision()) return;
      Xapian::Enquire e(handle);
      e.set_query((*part_queries)[t]);
      e.set_weighting_scheme(weighting);
      Xapian::MSet m = e.get_mset(0, need, need + std::max(0, check_at_least));
      for (auto it = m.begin(); it != m.end(); ++it) parts[t].top.emplace_back(it.get_weight(), *it);
      parts[t].est = m.get_matches_estimated();
      parts[t].lo = m.get_matches_lower_bound();
      parts[t].hi = m.get_matches_upper_bound();
      parts[t].ok = true;
    } catch (const Xapian::Error&) {
    }
  };
  std::vector<std::thread> pool;
  for (int t = 1; t < threads; ++t) {
    // A part whose thread cannot start stays !ok, and the match runs in one piece.
    try {
      const Xapian::Database* handle = split_handles_[t - 1].get();
      if (handle == nullptr) continue;
      pool.emplace_back([&, t, handle] { run(t, *handle); });
    } catch (const std::system_error&) {
    }
  }
  run(0, db_);
  for (auto& th : pool) th.join();
  std::vector<std::pair<double, Xapian::docid>> all;
  Xapian::doccount est = 0, lo = 0, hi = 0;
  for (const Part& p : parts) {
    if (!p.ok) return std::nullopt;  // e.g. the index changed meanwhile: match in one piece
    all.insert(all.end(), p.top.begin(), p.top.end());
    est += p.est;
    lo += p.lo;
    hi += p.hi;
  }
  // Xapian's order: weight descending, then docid ascending.
  std::sort(all.begin(), all.end(), [](const auto& a, const auto& b) {
    return a.first != b.first ? a.first > b.first : a.second < b.second;
  });
  std::vector<Xapian::docid> page;
  for (size_t i = static_cast<size_t>(offset); i < std::min(all.size(), need); ++i) {
    page.push_back(all[i].second);
  }
  std::sort(page.begin(), page.end());
  // The whole query's statistics may pin the count down (e.g. one term) where parts cannot.
  const bool whole_exact =
      estimate.get_matches_lower_bound() == estimate.get_matches_upper_bound();
  out.total = whole_exact ? estimate.get_matches_estimated() : est;
  out.total_exact = whole_exact || lo == hi;
  out.split = true;
  return page;
}

std::string KeywordIndexSearcher::Suggest(const std::string& text) {
  try {
    return SuggestSpelling(db_, text);
  } catch (const Xapian::Error&) {
    return "";  // no suggestion rather than no results
  }
}

Result<std::optional<std::pair<Xapian::docid, IndexDoc>>> KeywordIndexSearcher::Find(
    const std::string& id) {
  try {
    Xapian::PostingIterator it = db_.postlist_begin(kPrefixId + id);
    if (it == db_.postlist_end(kPrefixId + id)) return std::nullopt;
    Xapian::docid docid = *it;
    std::string buffer;
    std::optional<IndexDoc> d = ParseDoc(DocData(docid, buffer));
    if (!d) return std::nullopt;
    return std::make_pair(docid, std::move(*d));
  } catch (const Xapian::Error& e) {
    return Err(Status::Internal("looking up " + id + " in the search index: " +
                                e.get_description()));
  }
}

Result<std::optional<Xapian::docid>> KeywordIndexSearcher::DocidOf(const std::string& id) {
  try {
    const std::string term = kPrefixId + id;
    Xapian::PostingIterator it = db_.postlist_begin(term);
    if (it == db_.postlist_end(term)) return std::optional<Xapian::docid>();
    return std::optional<Xapian::docid>(*it);
  } catch (const Xapian::Error& e) {
    return Err(Status::Internal("looking up " + id + " in the search index: " +
                                e.get_description()));
  }
}

std::string_view KeywordIndexSearcher::DocData(Xapian::docid docid, std::string& buffer) const {
  if (docs_ && !stale_.Has(docid)) {
    if (auto data = docs_->Get(docid)) return *data;
  }
  buffer = db_.get_document(docid).get_data();
  return buffer;
}

void KeywordIndexSearcher::LoadStaleMarks() {
  if (!docs_) return;
  stale_revision_ = db_.get_revision();
  stale_ = StaleDocs(db_.get_metadata(kDocStoreStaleKey));
}

Result<std::optional<IndexDoc>> KeywordIndexSearcher::Get(Xapian::docid docid) {
  try {
    std::string buffer;
    return ParseDoc(DocData(docid, buffer));
  } catch (const Xapian::DocNotFoundError&) {
    return std::nullopt;
  } catch (const Xapian::Error& e) {
    return Err(Status::Internal("reading search document " + std::to_string(docid) + ": " +
                                e.get_description()));
  }
}

}  // namespace coolpapers::search
