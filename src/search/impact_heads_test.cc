#include "search/impact_heads.h"

#include <zlib.h>

#include <algorithm>
#include <cstdio>
#include <map>
#include <random>
#include <set>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "search/doc_source.h"
#include "search/index_builder.h"
#include "search/keyword_index.h"
#include "search/search_service.h"
#include "search/test_util.h"

namespace coolpapers::search {
namespace {

using testing::TempDir;

// tests/fixtures/search/arxiv-300.jsonl.gz: 300 real arXiv cs papers, each `copies` times under
// new ids (so that ties, which replicas make common, are exercised).
std::vector<IndexDoc> RealPapers(int copies) {
  const std::string path =
      std::string(COOLPAPERS_SOURCE_DIR) + "/tests/fixtures/search/arxiv-300.jsonl.gz";
  gzFile f = gzopen(path.c_str(), "rb");
  EXPECT_NE(f, nullptr) << path;
  std::string text;
  char buf[65536];
  for (int n; f && (n = gzread(f, buf, sizeof buf)) > 0;) text.append(buf, n);
  if (f) gzclose(f);
  std::vector<IndexDoc> base;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t end = text.find('\n', pos);
    if (end == std::string::npos) end = text.size();
    auto j = nlohmann::json::parse(text.substr(pos, end - pos), nullptr, false);
    pos = end + 1;
    if (j.is_discarded()) continue;
    IndexDoc d;
    d.id = j.value("id", "");
    d.title = j.value("title", "");
    d.abstract = j.value("summary", "");
    d.authors = j.value("authors", std::vector<std::string>{});
    d.categories = j.value("categories", std::vector<std::string>{});
    d.date = "2026-06-01 12:00:00";
    base.push_back(std::move(d));
  }
  std::vector<IndexDoc> out;
  for (int c = 0; c < copies; ++c) {
    for (const IndexDoc& d : base) {
      out.push_back(d);
      if (c > 0) out.back().id = "r" + std::to_string(c) + "." + d.id;
    }
  }
  return out;
}

// Small thresholds so that a 1,200-document index gets heads, several prefix levels and
// complete lists.
ImpactHeadsOptions SmallHeads() {
  ImpactHeadsOptions o;
  o.min_termfreq = 40;
  o.prune_min_termfreq = 40;
  o.min_depth = 8;
  o.max_depth = 96;
  o.depth_divisor = 6;
  o.first_prefix = 8;
  return o;
}

class ImpactHeadsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = dir_.path() + "/xapian";
    auto w = KeywordIndexWriter::Open(path_, true);
    ASSERT_TRUE(w.has_value());
    for (const IndexDoc& d : Docs()) ASSERT_TRUE((*w)->Add(d).has_value());
    ASSERT_TRUE((*w)->Commit().ok());
    auto heads = ImpactHeads::Build(path_, SmallHeads());
    ASSERT_TRUE(heads.has_value()) << heads.error().ToString();
    heads_ = *heads;
    auto s = KeywordIndexSearcher::Open(path_);
    ASSERT_TRUE(s.has_value());
    searcher_ = std::move(*s);
  }

  // The documents of the index.
  virtual std::vector<IndexDoc> Docs() { return RealPapers(4); }

  // Common title words of the corpus, for queries that have heads.
  std::vector<std::string> CommonWords() {
    std::vector<std::string> words;
    Xapian::Database db(path_);
    for (auto it = db.allterms_begin(); it != db.allterms_end(); ++it) {
      const std::string t = *it;
      if (t.size() > 3 && t[0] >= 'a' && t[0] <= 'z' && it.get_termfreq() >= 60 &&
          t.find_first_not_of("abcdefghijklmnopqrstuvwxyz") == std::string::npos) {
        words.push_back(t);
      }
    }
    return words;
  }

  // Reopens searcher_ with the default options.
  void ReopenPlain() {
    auto s = KeywordIndexSearcher::Open(path_);
    ASSERT_TRUE(s.has_value());
    searcher_ = std::move(*s);
  }

  // Reopens searcher_ so that every match with match_threads > 1 is split.
  void SplitEveryMatch() {
    KeywordIndexOptions opts;
    opts.split_min_matches = 1;
    auto s = KeywordIndexSearcher::Open(path_, opts);
    ASSERT_TRUE(s.has_value());
    searcher_ = std::move(*s);
  }

  void ExpectSamePage(KeywordQuery q, int* pruned, int* split = nullptr) {
    KeywordQuery plain = q;
    plain.heads = nullptr;
    plain.match_threads = 1;
    auto a = searcher_->Search(plain);
    auto b = searcher_->Search(q);
    ASSERT_TRUE(a.has_value() && b.has_value());
    ASSERT_EQ(a->hits.size(), b->hits.size()) << q.input.text << " offset " << q.offset;
    for (size_t i = 0; i < a->hits.size(); ++i) {
      EXPECT_EQ(a->hits[i].docid, b->hits[i].docid) << q.input.text << " rank " << i;
      EXPECT_DOUBLE_EQ(a->hits[i].score, b->hits[i].score) << q.input.text << " rank " << i;
      EXPECT_EQ(a->hits[i].snippet_html, b->hits[i].snippet_html);
    }
    if (pruned) *pruned += b->pruned;
    if (split) *split += b->split;
  }

  TempDir dir_;
  std::string path_;
  std::shared_ptr<const ImpactHeads> heads_;
  std::unique_ptr<KeywordIndexSearcher> searcher_;
};

TEST_F(ImpactHeadsTest, WeightsAreXapiansBm25) {
  Xapian::Database db(path_);
  int checked = 0;
  for (const std::string term : {"Zmodel", "Zlanguag", "learning", "Zgraph"}) {
    Xapian::Enquire e(db);
    e.set_query(Xapian::Query(term));
    e.set_weighting_scheme(Xapian::BM25Weight(1.2, 0, 1, 0.75, 0.5));
    Xapian::MSet m = e.get_mset(0, 50);
    const double tw = ImpactHeads::TermWeight(db.get_doccount(), db.get_termfreq(term));
    for (auto it = m.begin(); it != m.end(); ++it) {
      Xapian::PostingIterator p = db.postlist_begin(term);
      p.skip_to(*it);
      ASSERT_EQ(*p, *it);
      const double mine = heads_->Weight(tw, p.get_wdf(), db.get_doclength(*it));
      EXPECT_NEAR(mine, it.get_weight(), 1e-12 * it.get_weight()) << term;
      ++checked;
    }
  }
  EXPECT_GT(checked, 100);
}

TEST_F(ImpactHeadsTest, HeadsHoldTheTopWeightsAndBoundTheRest) {
  Xapian::Database db(path_);
  ASSERT_GT(heads_->terms(), 20u);
  int heads_checked = 0;
  for (auto it = db.allterms_begin(); it != db.allterms_end(); ++it) {
    const ImpactHeads::Head* h = heads_->Find(*it);
    if (!h) continue;
    ++heads_checked;
    ASSERT_FALSE(h->docids.empty());
    // Segments of the query-time prefixes: each by docid, each weighing at least the next,
    // and each level's bounds hold for every later posting of the head.
    size_t from = 0;
    for (size_t level = 0; level < h->rests.size(); ++level) {
      const size_t to = level + 1 == h->rests.size()
                            ? h->docids.size()
                            : heads_->PrefixLength(level, h->docids.size());
      ASSERT_LE(to, h->docids.size());
      EXPECT_TRUE(std::is_sorted(h->docids.begin() + from, h->docids.begin() + to)) << *it;
      if (to < h->docids.size()) {
        EXPECT_GE(*std::min_element(h->weights.begin() + from, h->weights.begin() + to),
                  *std::max_element(h->weights.begin() + to, h->weights.end()))
            << *it;
      }
      for (size_t k = to; k < h->docids.size(); ++k) {
        EXPECT_LE(h->weights[k], h->rests[level][heads_->BucketOf(h->docids[k])]) << *it;
      }
      from = to;
    }
    EXPECT_EQ(from, h->docids.size());
    const std::set<Xapian::docid> listed(h->docids.begin(), h->docids.end());
    const double tw = ImpactHeads::TermWeight(db.get_doccount(), it.get_termfreq());
    const double lowest_listed = *std::min_element(h->weights.begin(), h->weights.end());
    for (auto p = db.postlist_begin(*it); p != db.postlist_end(*it); ++p) {
      const double w = heads_->Weight(tw, p.get_wdf(), db.get_doclength(*p));
      if (listed.count(*p)) continue;
      EXPECT_LE(w, h->rests.back()[heads_->BucketOf(*p)]) << *it << " doc " << *p;
      EXPECT_LE(w, lowest_listed) << *it;
    }
  }
  EXPECT_GT(heads_checked, 20);
  // Prefixed terms (titles, authors, ids) have none; rare words have none.
  EXPECT_EQ(heads_->Find("Szzzz"), nullptr);
  EXPECT_EQ(heads_->Find("Q2606.00188"), nullptr);
}

TEST_F(ImpactHeadsTest, DenseWeightsBoundEveryDocument) {
  Xapian::Database db(path_);
  ASSERT_GT(heads_->dense_terms(), 0u);
  int dense_checked = 0;
  for (auto it = db.allterms_begin(); it != db.allterms_end(); ++it) {
    const ImpactHeads::Dense* d = heads_->FindDense(*it);
    if (!d) continue;
    ++dense_checked;
    EXPECT_GE(it.get_termfreq(), 0.2 * db.get_doccount()) << *it;
    const double tw = ImpactHeads::TermWeight(db.get_doccount(), it.get_termfreq());
    std::set<Xapian::docid> with;
    for (auto p = db.postlist_begin(*it); p != db.postlist_end(*it); ++p) {
      with.insert(*p);
      const double w = heads_->Weight(tw, p.get_wdf(), db.get_doclength(*p));
      const int q = heads_->DenseByte(*d, *p);
      ASSERT_GT(q, 0) << *it;
      EXPECT_LE(w, q * d->step * (1 + 1e-9)) << *it;
      EXPECT_GE(w, (q - 1) * d->step * (1 - 1e-6)) << *it;
    }
    for (Xapian::docid did = 1; did <= db.get_lastdocid(); ++did) {
      if (!with.count(did)) {
        EXPECT_EQ(heads_->DenseByte(*d, did), 0) << *it << " doc " << did;
      }
    }
  }
  EXPECT_EQ(static_cast<size_t>(dense_checked), heads_->dense_terms());
}

TEST_F(ImpactHeadsTest, PrunedPagesEqualFullMatches) {
  const std::vector<std::string> words = CommonWords();
  ASSERT_GT(words.size(), 20u);
  std::mt19937 rng(7);
  int pruned = 0, queries = 0;
  for (int i = 0; i < 150; ++i) {
    std::string text = words[rng() % words.size()];
    const int extra = static_cast<int>(rng() % 3);
    for (int k = 0; k < extra; ++k) text += " " + words[rng() % words.size()];
    KeywordQuery q;
    q.input = *PrepareQuery(text);
    q.heads = heads_;
    q.limit = 10;
    q.offset = i % 5 == 0 ? 10 : 0;
    q.default_and = i % 7 != 0;  // some OR queries (every term optional)
    q.exact_boost = i % 11 == 0 ? 0 : 1.0;
    ExpectSamePage(q, &pruned);
    ++queries;
  }
  // The pruned path must actually run for most of these common-word queries.
  EXPECT_GT(pruned, queries / 5) << pruned << " of " << queries;
}

// OR queries (an AND with few matches is retried as one, and long queries are ORs): a page
// often ranks documents without every word, and the pruned path must keep them, with the
// exact-match boost on as when serving.
TEST_F(ImpactHeadsTest, PrunedOrPagesEqualFullMatches) {
  const std::vector<std::string> words = CommonWords();
  ASSERT_GT(words.size(), 20u);
  std::mt19937 rng(13);
  int pruned = 0, queries = 0, partial = 0;
  for (int i = 0; i < 120; ++i) {
    std::string text = words[rng() % words.size()];
    const int extra = 1 + static_cast<int>(rng() % 3);
    for (int k = 0; k < extra; ++k) text += " " + words[rng() % words.size()];
    KeywordQuery q;
    q.input = *PrepareQuery(text);
    q.heads = heads_;
    q.limit = 10;
    q.default_and = false;
    ExpectSamePage(q, &pruned);
    // Count the page's documents without every word (matches of the AND of them).
    KeywordQuery all = q;
    all.default_and = true;
    all.heads = nullptr;
    all.limit = 100000;
    all.fetch_docs = false;
    auto and_match = searcher_->Search(all);
    auto or_page = searcher_->Search(q);
    ASSERT_TRUE(and_match.has_value() && or_page.has_value());
    std::set<Xapian::docid> with_all;
    for (const KeywordHit& h : and_match->hits) with_all.insert(h.docid);
    for (const KeywordHit& h : or_page->hits) partial += with_all.count(h.docid) ? 0 : 1;
    ++queries;
  }
  EXPECT_GT(partial, queries) << partial << " partial matches in " << queries << " pages";
  // On this small corpus an OR's bounds seldom prove a page (the lists hold few documents), but
  // the pruned path must run for some of them.
  EXPECT_GT(pruned, 0) << pruned << " of " << queries;
}

// The arXiv branch (/arxiv/search) leaves venue papers out; an index without any needs no
// filter, so its searches are pruned as before.
TEST_F(ImpactHeadsTest, ArxivBranchOfAnIndexWithoutVenuePapersIsStillPruned) {
  ASSERT_FALSE(searcher_->HasVenuePapers());
  const std::vector<std::string> words = CommonWords();
  ASSERT_GT(words.size(), 20u);
  int pruned = 0, queries = 0;
  for (size_t i = 0; i < 40; ++i) {
    KeywordQuery q;
    q.input = *PrepareQuery(words[(i * 7) % words.size()]);
    q.heads = heads_;
    q.limit = 10;
    q.branch = Branch::kArxiv;
    ExpectSamePage(q, &pruned);
    ++queries;
  }
  EXPECT_GT(pruned, queries / 5) << pruned << " of " << queries;
}

// The same corpus with every third paper a venue paper ("<id>@ACL"): the arXiv branch leaves
// them out and is still pruned, with the pages and scores of a full match.
class ImpactHeadsMixedTest : public ImpactHeadsTest {
 protected:
  std::vector<IndexDoc> Docs() override {
    std::vector<IndexDoc> docs = RealPapers(4);
    for (size_t i = 0; i < docs.size(); i += 3) {
      docs[i].id += "@ACL";
      docs[i].venue = "ACL.2024";
    }
    return docs;
  }
};

TEST_F(ImpactHeadsMixedTest, ArxivBranchLeavesVenuePapersOutAndIsStillPruned) {
  ASSERT_TRUE(searcher_->HasVenuePapers());
  const std::vector<std::string> words = CommonWords();
  ASSERT_GT(words.size(), 20u);
  std::mt19937 rng(11);
  int pruned = 0, queries = 0;
  for (int i = 0; i < 120; ++i) {
    std::string text = words[rng() % words.size()];
    if (i % 2 == 0) text += " " + words[rng() % words.size()];
    KeywordQuery q;
    q.input = *PrepareQuery(text);
    q.heads = heads_;
    q.limit = 10;
    q.offset = i % 4 == 0 ? 20 : 0;
    q.default_and = i % 5 != 0;
    q.branch = Branch::kArxiv;
    ExpectSamePage(q, &pruned);
    auto page = searcher_->Search(q);
    ASSERT_TRUE(page.has_value());
    for (const KeywordHit& h : page->hits) EXPECT_FALSE(IsVenueId(h.doc.id)) << text;
    ++queries;
  }
  EXPECT_GT(pruned, queries / 5) << pruned << " of " << queries;
}

TEST_F(ImpactHeadsTest, ShapesItCannotPruneFallBack) {
  int pruned = 0;
  for (const std::string text : {"\"language models\"", "ti:language model", "model model",
                                 "language -model", "language model cat:cs.CL",
                                 "language model date:2026-06-01..2026-06-02"}) {
    KeywordQuery q;
    q.input = *PrepareQuery(text);
    q.heads = heads_;
    const int before = pruned;
    ExpectSamePage(q, &pruned);
    EXPECT_EQ(pruned, before) << text;
  }
  KeywordQuery by_time;
  by_time.input = *PrepareQuery("language model");
  by_time.heads = heads_;
  by_time.sort = SortOrder::kTime;
  ExpectSamePage(by_time, &pruned);
  EXPECT_EQ(pruned, 0);
}

TEST_F(ImpactHeadsTest, ProveTopNSaysWhyItFallsBack) {
  Xapian::Database db(path_);
  ProveStats st;
  EXPECT_FALSE(ProveTopN(*heads_, db, {{"Zmodel", 1, true}, {"Zmodel", 1, false}}, 10, &st));
  EXPECT_EQ(st.fallback, "repeated term");
  EXPECT_FALSE(ProveTopN(*heads_, db, {{"Zmodel", 1, true}, {"Szzzz", 1, true}}, 10, &st));
  EXPECT_EQ(st.fallback, "a required term has no head");
  EXPECT_FALSE(ProveTopN(*heads_, db, {}, 10, &st));
  EXPECT_EQ(st.fallback, "query shape");
  auto set = ProveTopN(*heads_, db, {{"Zmodel", 1, true}, {"Zlanguag", 1, true}}, 10, &st);
  ASSERT_TRUE(set.has_value()) << st.fallback;
  EXPECT_EQ(st.fallback, "");
  EXPECT_GE(set->size(), 10u);
  EXPECT_LE(set->size(), st.candidates);
  EXPECT_TRUE(std::is_sorted(set->begin(), set->end()));
}

// ProveTopN against brute force on a random index: every document of the full match whose
// weight reaches the n-th best weight is in the proved set, and ranking only the set gives the
// full match's top n.
TEST(ImpactHeadsRandomTest, ProvedSetsHoldTheBruteForceTopN) {
  TempDir dir;
  const std::string path = dir.path() + "/xapian";
  const std::vector<std::string> common = {
      "alpha", "bravo",  "charlie", "delta", "echo",   "foxtrot", "golf",   "hotel",
      "india", "juliet", "kilo",    "lima",  "mike",   "november", "oscar", "papa"};
  const std::vector<std::string> rare = {"quebec", "romeo", "sierra", "tango", "uniform"};
  std::mt19937 rng(20261204);
  auto word = [&] {
    if (rng() % 400 == 0) return rare[rng() % rare.size()];
    const double u = std::uniform_real_distribution<double>(0, 1)(rng);
    return common[static_cast<size_t>(u * u * common.size())];  // skewed: some very common
  };
  auto text = [&](int min_words, int max_words) {
    std::string t;
    const int words = min_words + static_cast<int>(rng() % (max_words - min_words + 1));
    for (int i = 0; i < words; ++i) t += (i ? " " : "") + word();
    return t;
  };
  {
    auto w = KeywordIndexWriter::Open(path, true);
    ASSERT_TRUE(w.has_value());
    for (int i = 0; i < 1500; ++i) {
      char id[32];
      std::snprintf(id, sizeof id, "2601.%05d", i);
      ASSERT_TRUE((*w)->Add(testing::Doc(id, text(2, 8), text(5, 60))).has_value());
    }
    ASSERT_TRUE((*w)->Commit().ok());
  }
  auto built = ImpactHeads::Build(path, SmallHeads());
  ASSERT_TRUE(built.has_value()) << built.error().ToString();
  const ImpactHeads& heads = **built;
  ASSERT_GT(heads.terms(), 5u);
  ASSERT_GT(heads.dense_terms(), 0u);
  Xapian::Database db(path);
  std::vector<std::string> stems;  // every stem of the vocabulary that the index holds
  for (auto it = db.allterms_begin("Z"); it != db.allterms_end("Z"); ++it) stems.push_back(*it);
  ASSERT_GE(stems.size(), common.size());
  const Xapian::BM25Weight bm25(1.2, 0, 1, 0.75, 0.5);
  ProveScratch scratch;  // reused across queries, as a searcher does
  int proved = 0;
  std::map<std::string, int> fallbacks;  // why not proved ("" = proved)
  for (int round = 0; round < 200; ++round) {
    std::vector<WeightedTerm> terms;
    const int count = 1 + static_cast<int>(rng() % 4);
    const bool all_optional = round % 4 == 0;
    std::vector<std::string> picked = stems;
    std::shuffle(picked.begin(), picked.end(), rng);
    // Required terms with lists first (a required term without one is never pruned).
    std::stable_partition(picked.begin(), picked.end(),
                          [&](const std::string& t) { return heads.Find(t) != nullptr; });
    for (int k = 0; k < count; ++k) {
      const bool required = !all_optional && k < 2;
      const double scale = required ? 1.0 : (rng() % 2 ? 1.0 : 0.5);
      terms.push_back({picked[k], scale, required, -1});
    }
    // The same query for Xapian: AND of the required terms, maybe each scaled optional one.
    std::vector<Xapian::Query> required, optional;
    for (const WeightedTerm& t : terms) {
      Xapian::Query leaf(t.term);
      if (t.scale != 1.0) leaf = Xapian::Query(Xapian::Query::OP_SCALE_WEIGHT, leaf, t.scale);
      (t.required ? required : optional).push_back(leaf);
    }
    Xapian::Query query =
        required.empty()
            ? Xapian::Query(Xapian::Query::OP_OR, optional.begin(), optional.end())
            : Xapian::Query(Xapian::Query::OP_AND, required.begin(), required.end());
    if (!required.empty() && !optional.empty()) {
      query = Xapian::Query(Xapian::Query::OP_AND_MAYBE, query,
                            Xapian::Query(Xapian::Query::OP_OR, optional.begin(), optional.end()));
    }
    const size_t n = 1 + rng() % 30;
    ProveStats st;
    auto set = ProveTopN(heads, db, terms, n, &st, &scratch);
    ++fallbacks[st.fallback];
    if (!set) continue;
    ++proved;
    ASSERT_TRUE(std::is_sorted(set->begin(), set->end()));
    // Brute force: Xapian weighs every matching document.
    Xapian::Enquire full(db);
    full.set_weighting_scheme(bm25);
    full.set_query(query);
    const Xapian::MSet all = full.get_mset(0, db.get_doccount());
    ASSERT_EQ(all.size(), all.get_matches_estimated()) << query.get_description();
    std::vector<std::pair<double, Xapian::docid>> ranked;
    for (auto it = all.begin(); it != all.end(); ++it) ranked.emplace_back(it.get_weight(), *it);
    std::sort(ranked.begin(), ranked.end(), [](const auto& a, const auto& b) {
      return a.first != b.first ? a.first > b.first : a.second < b.second;
    });
    ASSERT_GE(ranked.size(), 1u) << query.get_description();
    const double nth = ranked[std::min(n, ranked.size()) - 1].first;
    const std::set<Xapian::docid> in_set(set->begin(), set->end());
    for (const auto& [weight, did] : ranked) {
      if (weight < nth) break;
      EXPECT_TRUE(in_set.count(did)) << query.get_description() << " n=" << n << ": docid "
                                     << did << " weighs " << weight << " >= " << nth;
    }
    // Ranking only the set gives the same top n, weights included.
    Xapian::Enquire restricted(db);
    restricted.set_weighting_scheme(bm25);
    restricted.set_query(Xapian::Query(Xapian::Query::OP_FILTER, query, DocidSetQuery(*set)));
    const Xapian::MSet top = restricted.get_mset(0, n);
    ASSERT_EQ(top.size(), std::min(n, ranked.size())) << query.get_description();
    size_t rank = 0;
    for (auto it = top.begin(); it != top.end(); ++it, ++rank) {
      EXPECT_EQ(*it, ranked[rank].second) << query.get_description() << " rank " << rank;
      EXPECT_DOUBLE_EQ(it.get_weight(), ranked[rank].first);
    }
  }
  // The bounds must actually prove most of these common-word queries.
  std::string why;
  for (const auto& [reason, times] : fallbacks) why += "\n" + reason + ": " + std::to_string(times);
  EXPECT_GT(proved, 100) << proved << " of 200 proved; fallbacks:" << why;
}

TEST_F(ImpactHeadsTest, HeadsOfAnOlderRevisionAreIgnored) {
  {
    auto w = KeywordIndexWriter::Open(path_, false);
    ASSERT_TRUE(w.has_value());
    IndexDoc d = testing::Doc("2699.00001", "Language models language models language models",
                              "Language models for language model evaluation of models.");
    ASSERT_TRUE((*w)->Put(d).has_value());
    ASSERT_TRUE((*w)->Commit().ok());
  }
  ASSERT_TRUE(searcher_->Reopen().ok());
  KeywordQuery q;
  q.input = *PrepareQuery("language models");
  q.heads = heads_;
  int pruned = 0;
  ExpectSamePage(q, &pruned);
  EXPECT_EQ(pruned, 0);
  auto res = searcher_->Search(q);
  ASSERT_TRUE(res.has_value());
  ASSERT_FALSE(res->hits.empty());
  EXPECT_EQ(res->hits[0].doc.id, "2699.00001");  // the new paper is found, first
}

TEST_F(ImpactHeadsTest, SplitMatchesEqualOneThread) {
  ASSERT_NO_FATAL_FAILURE(SplitEveryMatch());
  int split = 0;
  for (const std::string text : {"language model", "learning", "\"neural networks\"",
                                 "graph OR vision", "model -language"}) {
    for (int offset : {0, 7, 30}) {
      KeywordQuery q;
      q.input = *PrepareQuery(text);
      q.match_threads = 3;
      q.offset = offset;
      q.check_at_least = 100;
      ExpectSamePage(q, nullptr, &split);
      KeywordQuery plain = q;
      plain.match_threads = 1;
      auto a = searcher_->Search(plain);
      auto b = searcher_->Search(q);
      ASSERT_TRUE(a.has_value() && b.has_value());
      // Each part counts exactly up to its own limit, so the sum is at least as exact.
      if (a->total_exact) {
        EXPECT_TRUE(b->total_exact) << text;
        EXPECT_EQ(a->total, b->total) << text;
      }
      if (b->total_exact) {
        EXPECT_GE(b->total, static_cast<int64_t>(b->hits.size()));
      }
    }
  }
  EXPECT_EQ(split, 15);
}

// Documents scored besides the page (hybrid's semantic candidates) get the scores a match
// restricted to them gives, whether they are ranked with the pruned or split page's candidates
// or by a match of their own, and the page is the one the same search gives without them.
TEST_F(ImpactHeadsTest, AlsoScoredDocumentsGetTheirOwnMatchScores) {
  const std::vector<std::string> words = CommonWords();
  ASSERT_GT(words.size(), 20u);
  std::mt19937 rng(11);
  const Xapian::docid last = searcher_->db().get_lastdocid();
  ASSERT_GT(last, 100u);
  int together = 0, checked = 0;
  for (int i = 0; i < 60; ++i) {
    std::string text = words[rng() % words.size()];
    const int more = static_cast<int>(rng() % 3);
    for (int k = 0; k < more; ++k) text += " " + words[rng() % words.size()];
    for (int variant = 0; variant < 3; ++variant) {  // full match, top-weight lists, split
      if (variant == 2) {
        ASSERT_NO_FATAL_FAILURE(SplitEveryMatch());
      } else {
        ASSERT_NO_FATAL_FAILURE(ReopenPlain());
      }
      KeywordQuery q;
      q.input = *PrepareQuery(text);
      q.limit = 30;
      q.check_at_least = 100;
      q.default_and = i % 4 != 0;
      if (variant == 1) q.heads = heads_;
      if (variant == 2) q.match_threads = 3;
      auto page = searcher_->Search(q);
      ASSERT_TRUE(page.has_value());
      EXPECT_TRUE(page->also_scored.empty());
      for (int k = 0; k < 40; ++k) q.also_score.push_back(1 + rng() % last);
      if (!page->hits.empty()) q.also_score.push_back(page->hits[0].docid);  // on the page
      // What a match restricted to them gives, less the page.
      KeywordQuery own = q;
      own.also_score.clear();
      own.heads = nullptr;
      own.match_threads = 1;
      own.restrict_docids = q.also_score;
      own.limit = static_cast<int>(q.also_score.size());
      own.fetch_docs = false;
      auto restricted = searcher_->Search(own);
      ASSERT_TRUE(restricted.has_value());
      std::map<Xapian::docid, double> expected;
      for (const KeywordHit& h : restricted->hits) expected[h.docid] = h.score;
      for (const KeywordHit& h : page->hits) expected.erase(h.docid);

      auto r = searcher_->Search(q);
      ASSERT_TRUE(r.has_value());
      ASSERT_EQ(r->hits.size(), page->hits.size()) << text << " variant " << variant;
      for (size_t k = 0; k < r->hits.size(); ++k) {
        EXPECT_EQ(r->hits[k].docid, page->hits[k].docid) << text << " rank " << k;
        EXPECT_DOUBLE_EQ(r->hits[k].score, page->hits[k].score) << text << " rank " << k;
      }
      EXPECT_EQ(r->total, page->total) << text;
      std::map<Xapian::docid, double> got;
      for (const KeywordHit& h : r->also_scored) got[h.docid] = h.score;
      ASSERT_EQ(got.size(), r->also_scored.size()) << text;  // each once
      ASSERT_EQ(got.size(), expected.size()) << text << " variant " << variant;
      for (const auto& [docid, score] : expected) {
        ASSERT_TRUE(got.count(docid)) << text << " docid " << docid;
        EXPECT_DOUBLE_EQ(got[docid], score) << text << " docid " << docid;
      }
      together += r->pruned || r->split;
      ++checked;
    }
  }
  EXPECT_GT(together, checked / 5) << together << " of " << checked;
}

// A searcher keeps its split handles between queries: after the index changes they follow it,
// so the next large match is split again and finds the new paper.
TEST_F(ImpactHeadsTest, SplitMatchHandlesFollowTheIndex) {
  ASSERT_NO_FATAL_FAILURE(SplitEveryMatch());
  KeywordQuery q;
  q.input = *PrepareQuery("learning");
  q.match_threads = 3;
  auto before = searcher_->Search(q);
  ASSERT_TRUE(before.has_value());
  ASSERT_TRUE(before->split);
  {
    auto w = KeywordIndexWriter::Open(path_, false);
    ASSERT_TRUE(w.has_value()) << w.error().ToString();
    ASSERT_TRUE((*w)->Put(testing::Doc("2699.00001", "Learning learning learning",
                                       "Learning, learning and learning again."))
                    .has_value());
    ASSERT_TRUE((*w)->Commit().ok());
  }
  ASSERT_TRUE(searcher_->Reopen().ok());
  auto after = searcher_->Search(q);
  ASSERT_TRUE(after.has_value());
  EXPECT_TRUE(after->split);
  ASSERT_FALSE(after->hits.empty());
  EXPECT_EQ(after->hits[0].doc.id, "2699.00001");
  int split = 0;
  ExpectSamePage(q, nullptr, &split);
  EXPECT_EQ(split, 1);
}

TEST(ImpactHeadsServiceTest, ServiceBuildsHeadsInTheBackgroundAndPrunes) {
  TempDir dir;
  const std::string index = dir.path() + "/index";
  BuildOptions bo;
  bo.semantic = false;
  bo.progress = false;
  VectorDocSource src(RealPapers(4));
  ASSERT_TRUE(BuildIndex(index, src, bo).has_value());
  SearchServiceOptions so;
  so.index_dir = index;
  auto plain = SearchService::Open(so);
  ASSERT_TRUE(plain.has_value());
  so.build_heads = true;
  so.heads = SmallHeads();
  so.match_threads = 2;
  auto fast = SearchService::Open(so);
  ASSERT_TRUE(fast.has_value());
  ASSERT_TRUE((*fast)->WaitForHeads(std::chrono::seconds(60)));
  EXPECT_GT((*fast)->Info().heads_terms, 0);
  EXPECT_EQ((*plain)->Info().heads_terms, 0);
  for (const std::string text : {"language models", "reinforcement learning", "graph neural",
                                 "diffusion model image"}) {
    SearchRequest req;
    req.query = text;
    req.mode = SearchMode::kBm25;
    auto a = (*plain)->Search(req);
    auto b = (*fast)->Search(req);
    ASSERT_TRUE(a.has_value() && b.has_value()) << text;
    ASSERT_FALSE(a->hits.empty()) << text;
    ASSERT_EQ(a->hits.size(), b->hits.size()) << text;
    for (size_t i = 0; i < a->hits.size(); ++i) {
      EXPECT_EQ(a->hits[i].id, b->hits[i].id) << text << " rank " << i;
      EXPECT_DOUBLE_EQ(a->hits[i].score, b->hits[i].score);
    }
  }
}

}  // namespace
}  // namespace coolpapers::search
