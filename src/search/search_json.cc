#include "search/search_json.h"

#include <nlohmann/json.hpp>

namespace coolpapers::search {
namespace {

nlohmann::json HitJson(const SearchHit& h) {
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

std::string Dump(const nlohmann::json& j) {
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace

std::string SearchResponseJson(const SearchResponse& r) {
  nlohmann::json results = nlohmann::json::array();
  for (const SearchHit& h : r.hits) results.push_back(HitJson(h));
  nlohmann::json j = {{"query", r.query},
                      {"total", r.total},
                      {"total_exact", r.total_exact},
                      {"offset", r.offset},
                      {"mode", std::string(SearchModeName(r.mode))},
                      {"relaxed", r.relaxed},
                      {"suggestion", r.suggestion},
                      {"results", std::move(results)}};
  return Dump(j);
}

std::string RelatedJson(const std::string& id, const std::vector<SearchHit>& hits) {
  nlohmann::json results = nlohmann::json::array();
  for (const SearchHit& h : hits) results.push_back(HitJson(h));
  return Dump(nlohmann::json{{"id", id}, {"results", std::move(results)}});
}

}  // namespace coolpapers::search
