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

void AppendEscaped(std::string& out, std::string_view s) {
  static constexpr char kHex[] = "0123456789abcdef";
  size_t plain = 0;  // start of the run of bytes copied as they are
  for (size_t i = 0; i < s.size(); ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c >= 0x20 && c != '"' && c != '\\') continue;
    out.append(s.data() + plain, i - plain);
    plain = i + 1;
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\b':
        out += "\\b";
        break;
      case '\f':
        out += "\\f";
        break;
      default:
        out += "\\u00";
        out += kHex[c >> 4];
        out += kHex[c & 0xF];
    }
  }
  out.append(s.data() + plain, s.size() - plain);
}

// A JSON string; invalid UTF-8 (e.g. in a typed query) has its bad bytes replaced by U+FFFD.
void AppendString(std::string& out, std::string_view s) {
  out += '"';
  if (core::IsValidUtf8(s)) {
    AppendEscaped(out, s);
  } else {
    AppendEscaped(out, core::SanitizeUtf8(s));
  }
  out += '"';
}

void AppendKey(std::string& out, std::string_view key) {
  out += '"';
  out += key;
  out += "\":";
}

void AppendStrings(std::string& out, const std::vector<std::string>& v) {
  out += '[';
  for (size_t i = 0; i < v.size(); ++i) {
    if (i > 0) out += ',';
    AppendString(out, v[i]);
  }
  out += ']';
}

// The shortest form that reads back as the same double, with ".0" on whole numbers (a JSON
// reader then still sees a float); null for NaN and infinities, as nlohmann writes them.
void AppendDouble(std::string& out, double d) {
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

void AppendInt(std::string& out, int64_t n) {
  char buf[24];
  const auto [end, ec] = std::to_chars(buf, buf + sizeof buf, n);
  out.append(buf, ec == std::errc() ? static_cast<size_t>(end - buf) : 0);
}

void AppendHit(std::string& out, const SearchHit& h) {
  out += '{';
  AppendKey(out, "authors");
  AppendStrings(out, h.doc.authors);
  out += ',';
  AppendKey(out, "categories");
  AppendStrings(out, h.doc.categories);
  out += ',';
  AppendKey(out, "date");
  AppendString(out, h.doc.date);
  out += ',';
  AppendKey(out, "id");
  AppendString(out, h.id);
  out += ',';
  AppendKey(out, "keywords");
  AppendStrings(out, h.doc.keywords);
  out += ',';
  AppendKey(out, "score");
  AppendDouble(out, h.score);
  out += ',';
  AppendKey(out, "snippet");
  AppendString(out, h.snippet_html);
  out += ',';
  AppendKey(out, "title");
  AppendString(out, h.doc.title);
  out += ',';
  AppendKey(out, "url");
  AppendString(out, (IsVenueId(h.id) ? "/venue/" : "/arxiv/") + h.id);
  if (!h.doc.venue.empty()) {
    out += ',';
    AppendKey(out, "venue");
    AppendString(out, h.doc.venue);
  }
  out += '}';
}

void AppendHits(std::string& out, const std::vector<SearchHit>& hits) {
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
  AppendKey(out, "mode");
  AppendString(out, SearchModeName(r.mode));
  out += ',';
  AppendKey(out, "offset");
  AppendInt(out, r.offset);
  out += ',';
  AppendKey(out, "query");
  AppendString(out, r.query);
  out += ',';
  AppendKey(out, "relaxed");
  out += r.relaxed ? "true" : "false";
  out += ',';
  AppendKey(out, "results");
  AppendHits(out, r.hits);
  out += ',';
  AppendKey(out, "suggestion");
  AppendString(out, r.suggestion);
  out += ',';
  AppendKey(out, "total");
  AppendInt(out, r.total);
  out += ',';
  AppendKey(out, "total_exact");
  out += r.total_exact ? "true" : "false";
  out += '}';
  return out;
}

std::string RelatedJson(const std::string& id, const std::vector<SearchHit>& hits) {
  std::string out;
  out.reserve(64 + hits.size() * 640);
  out += '{';
  AppendKey(out, "id");
  AppendString(out, id);
  out += ',';
  AppendKey(out, "results");
  AppendHits(out, hits);
  out += '}';
  return out;
}

}  // namespace coolpapers::search
