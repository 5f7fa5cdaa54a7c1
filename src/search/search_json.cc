#include "search/search_json.h"

#include <charconv>
#include <cmath>
#include <string_view>

#include "core/text.h"

namespace coolpapers::search {
namespace {

// Search responses are written directly into one string (every API search makes one): the
// same bytes nlohmann::json's dump() gives for these objects (keys in its sorted order, text
// as UTF-8 with only quotes, backslashes and control characters escaped), without building a
// tree of nodes first.

// A JSON string; invalid UTF-8 (e.g. in a typed query) has its bad bytes replaced by U+FFFD.
void AppendString(std::string& out, std::string_view s) {
  out += '"';
  if (core::IsValidUtf8(s)) {
    core::AppendJsonEscaped(out, s, /*escape_lt=*/false);
  } else {
    core::AppendJsonEscaped(out, core::SanitizeUtf8(s), /*escape_lt=*/false);
  }
  out += '"';
}

void AppendValue(std::string& out, std::string_view s) { AppendString(out, s); }
void AppendValue(std::string& out, bool b) { out += b ? "true" : "false"; }

void AppendValue(std::string& out, const std::vector<std::string>& v) {
  out += '[';
  for (size_t i = 0; i < v.size(); ++i) {
    if (i > 0) out += ',';
    AppendString(out, v[i]);
  }
  out += ']';
}

// The shortest form that reads back as the same double, with ".0" on whole numbers (a JSON
// reader then still sees a float); null for NaN and infinities, as nlohmann writes them.
void AppendValue(std::string& out, double d) {
  if (!std::isfinite(d)) {
    out += "null";
    return;
  }
  char buf[64];
  const auto [end, ec] = std::to_chars(buf, buf + sizeof buf, d);
  const std::string_view text(buf, ec == std::errc() ? static_cast<size_t>(end - buf) : 0);
  out += text;
  if (text.find_first_of(".eE") == std::string_view::npos) out += ".0";
}

void AppendValue(std::string& out, int64_t n) {
  char buf[24];
  const auto [end, ec] = std::to_chars(buf, buf + sizeof buf, n);
  out.append(buf, ec == std::errc() ? static_cast<size_t>(end - buf) : 0);
}

void AppendValue(std::string& out, int n) { AppendValue(out, static_cast<int64_t>(n)); }

void AppendValue(std::string& out, const std::vector<SearchHit>& hits);

// `"key":value`, after a comma unless it opens its object.
template <class T>
void Field(std::string& out, std::string_view key, const T& value) {
  if (out.back() != '{') out += ',';
  out += '"';
  out += key;
  out += "\":";
  AppendValue(out, value);
}

void AppendHit(std::string& out, const SearchHit& h) {
  out += '{';
  Field(out, "authors", h.doc.authors);
  Field(out, "categories", h.doc.categories);
  Field(out, "date", h.doc.date);
  Field(out, "id", h.id);
  Field(out, "keywords", h.doc.keywords);
  Field(out, "score", h.score);
  Field(out, "snippet", h.snippet_html);
  Field(out, "title", h.doc.title);
  Field(out, "url", (IsVenueId(h.id) ? "/venue/" : "/arxiv/") + h.id);
  if (!h.doc.venue.empty()) Field(out, "venue", h.doc.venue);
  out += '}';
}

void AppendValue(std::string& out, const std::vector<SearchHit>& hits) {
  out += '[';
  for (size_t i = 0; i < hits.size(); ++i) {
    if (i > 0) out += ',';
    AppendHit(out, hits[i]);
  }
  out += ']';
}

}  // namespace

std::string SearchResponseJson(const SearchResponse& r) {
  std::string out;
  out.reserve(512 + r.hits.size() * 640);
  out += '{';
  Field(out, "mode", SearchModeName(r.mode));
  Field(out, "offset", r.offset);
  Field(out, "query", r.query);
  Field(out, "relaxed", r.relaxed);
  Field(out, "results", r.hits);
  Field(out, "suggestion", r.suggestion);
  Field(out, "total", r.total);
  Field(out, "total_exact", r.total_exact);
  out += '}';
  return out;
}

std::string RelatedJson(const std::string& id, const std::vector<SearchHit>& hits) {
  std::string out;
  out.reserve(64 + hits.size() * 640);
  out += '{';
  Field(out, "id", id);
  Field(out, "results", hits);
  out += '}';
  return out;
}

}  // namespace coolpapers::search
