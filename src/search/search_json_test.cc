#include "search/search_json.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <nlohmann/json.hpp>

namespace coolpapers::search {
namespace {

// The API's documented shape built with nlohmann::json (the oracle the direct writer must
// agree with).
nlohmann::json HitObject(const SearchHit& h) {
  nlohmann::json j{{"id", h.id},
                   {"title", h.doc.title},
                   {"score", h.score},
                   {"snippet", h.snippet_html},
                   {"authors", h.doc.authors},
                   {"categories", h.doc.categories},
                   {"date", h.doc.date},
                   {"url", (IsVenueId(h.id) ? "/venue/" : "/arxiv/") + h.id},
                   {"keywords", h.doc.keywords}};
  if (!h.doc.venue.empty()) j["venue"] = h.doc.venue;
  return j;
}

nlohmann::json ResponseObject(const SearchResponse& r) {
  nlohmann::json results = nlohmann::json::array();
  for (const SearchHit& h : r.hits) results.push_back(HitObject(h));
  return {{"query", r.query},
          {"total", r.total},
          {"total_exact", r.total_exact},
          {"offset", r.offset},
          {"mode", std::string(SearchModeName(r.mode))},
          {"relaxed", r.relaxed},
          {"suggestion", r.suggestion},
          {"results", std::move(results)}};
}

std::string Dump(const nlohmann::json& j) {
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

SearchHit Hit(std::string id, std::string title, double score) {
  SearchHit h;
  h.id = std::move(id);
  h.doc.id = h.id;
  h.doc.title = std::move(title);
  h.score = score;
  h.snippet_html = "a <mark>graph</mark> of \"quoted\" words";
  h.doc.authors = {"Ada Lovelace", "Zoë Ångström"};
  h.doc.categories = {"cs.LG", "stat.ML"};
  h.doc.date = "2026-07-01";
  h.doc.keywords = {"graph", "neural"};
  return h;
}

SearchResponse Response() {
  SearchResponse r;
  r.query = "graph \"neural nets\" cat:cs.LG";
  r.total = 1234;
  r.total_exact = false;
  r.offset = 20;
  r.mode = SearchMode::kHybrid;
  r.relaxed = true;
  r.suggestion = "graph neural";
  r.hits.push_back(Hit("2401.00001", "Graphs\tand\nlines \\ back\x01slash", 12.5));
  r.hits.push_back(Hit("2401.00002", "Second", 3.0));
  SearchHit venue = Hit("abc123@OpenReview", "A venue paper", 0.25);
  venue.doc.venue = "ICLR.2024";
  r.hits.push_back(venue);
  return r;
}

TEST(SearchJsonTest, SameBytesAsTheJsonLibraryForTheSameObject) {
  const SearchResponse r = Response();
  ASSERT_EQ(r.hits.size(), 3u);
  EXPECT_EQ(SearchResponseJson(r), Dump(ResponseObject(r)));
  nlohmann::json related{{"id", "2401.00001"}, {"results", nlohmann::json::array()}};
  for (const SearchHit& h : r.hits) related["results"].push_back(HitObject(h));
  EXPECT_EQ(RelatedJson("2401.00001", r.hits), Dump(related));
}

TEST(SearchJsonTest, EmptyResponseAndEmptyListsAreValid) {
  SearchResponse r;
  r.mode = SearchMode::kBm25;
  EXPECT_EQ(SearchResponseJson(r), Dump(ResponseObject(r)));
  SearchHit bare;
  bare.id = "2401.00003";
  r.hits.push_back(bare);
  EXPECT_EQ(SearchResponseJson(r), Dump(ResponseObject(r)));
  EXPECT_EQ(RelatedJson("x", {}), R"({"id":"x","results":[]})");
}

TEST(SearchJsonTest, ScoresReadBackExactly) {
  SearchResponse r;
  for (double score : {0.1, 1.0 / 3.0, 17.123456789012345, 1e-7, 123456789.0, -2.5, 0.0}) {
    r.hits.push_back(Hit("2401.00004", "t", score));
  }
  const nlohmann::json parsed = nlohmann::json::parse(SearchResponseJson(r));
  ASSERT_EQ(parsed["results"].size(), r.hits.size());
  for (size_t i = 0; i < r.hits.size(); ++i) {
    EXPECT_TRUE(parsed["results"][i]["score"].is_number_float()) << i;
    EXPECT_EQ(parsed["results"][i]["score"].get<double>(), r.hits[i].score) << i;
  }
  EXPECT_EQ(parsed, ResponseObject(r));
}

TEST(SearchJsonTest, NonFiniteScoresAreNull) {
  SearchResponse r;
  r.hits.push_back(Hit("2401.00005", "t", std::numeric_limits<double>::quiet_NaN()));
  r.hits.push_back(Hit("2401.00006", "t", std::numeric_limits<double>::infinity()));
  const nlohmann::json parsed = nlohmann::json::parse(SearchResponseJson(r));
  ASSERT_EQ(parsed["results"].size(), 2u);
  EXPECT_TRUE(parsed["results"][0]["score"].is_null());
  EXPECT_TRUE(parsed["results"][1]["score"].is_null());
}

TEST(SearchJsonTest, InvalidUtf8InTheQueryIsReplacedNotPassedOn) {
  SearchResponse r;
  r.query = std::string("caf\xC3") + "\xFF" + " ok";
  const std::string json = SearchResponseJson(r);
  const nlohmann::json parsed = nlohmann::json::parse(json);  // throws on invalid UTF-8
  const std::string query = parsed["query"].get<std::string>();
  EXPECT_NE(query.find("\xEF\xBF\xBD"), std::string::npos) << query;  // U+FFFD
  EXPECT_NE(query.find(" ok"), std::string::npos) << query;
}

}  // namespace
}  // namespace coolpapers::search
