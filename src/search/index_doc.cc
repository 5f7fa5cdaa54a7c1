#include "search/index_doc.h"

#include <nlohmann/json.hpp>

#include "core/venue.h"

namespace coolpapers::search {

std::string DocText(const IndexDoc& d) {
  std::string out = d.title;
  out += "\n";
  out += d.abstract;
  return out;
}

IndexDoc FromPaper(const core::Paper& p, int64_t stars) {
  IndexDoc d;
  d.id = p.id;
  d.version = p.version;
  d.title = p.title;
  d.abstract = p.abstract;
  d.authors = p.authors;
  d.categories = p.categories;
  d.date = !p.published.empty() ? p.published : p.updated;
  d.stars = stars;
  return d;
}

core::Paper ToPaper(const IndexDoc& d) {
  core::Paper p;
  p.id = d.id;
  p.version = d.version;
  p.title = d.title;
  p.abstract = d.abstract;
  p.authors = d.authors;
  p.categories = d.categories;
  p.published = d.date;
  p.updated = d.date;
  return p;
}

std::string SerializeDoc(const IndexDoc& d) {
  nlohmann::json j = {{"id", d.id},           {"v", d.version},  {"t", d.title},
                      {"a", d.abstract},      {"au", d.authors}, {"c", d.categories},
                      {"d", d.date},          {"s", d.stars},    {"k", d.keywords}};
  if (!d.venue.empty()) j["vn"] = d.venue;
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::optional<IndexDoc> ParseDoc(const std::string& data) {
  nlohmann::json j = nlohmann::json::parse(data, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object() || !j.contains("id")) return std::nullopt;
  IndexDoc d;
  try {
    d.id = j.value("id", "");
    d.version = j.value("v", 1);
    d.title = j.value("t", "");
    d.abstract = j.value("a", "");
    d.authors = j.value("au", std::vector<std::string>{});
    d.categories = j.value("c", std::vector<std::string>{});
    d.date = j.value("d", "");
    d.stars = j.value("s", int64_t{0});
    d.keywords = j.value("k", std::vector<std::string>{});
    d.venue = j.value("vn", "");
  } catch (const nlohmann::json::exception&) {
    return std::nullopt;
  }
  return d;
}

std::string DateKey(const std::string& date) {
  std::string key;
  for (char c : date) {
    if (c >= '0' && c <= '9') key += c;
  }
  if (key.size() < 8) return "";
  key.resize(14, '0');
  return key;
}

std::string SortDateKey(const IndexDoc& d) {
  std::string key = DateKey(d.date);
  if (!key.empty() || d.venue.empty()) return key;
  std::string conference;
  int year = 0;
  if (!core::SplitEdition(d.venue, &conference, &year) || year < 1000 || year > 9999) return "";
  return std::to_string(year) + "0101000000";
}

}  // namespace coolpapers::search
