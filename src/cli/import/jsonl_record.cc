#include "cli/import/jsonl_record.h"

#include "core/arxiv_id.h"
#include "core/text.h"
#include "sources/arxiv/author_list.h"
#include "sources/arxiv/category_list.h"
#include "sources/upstream_dates.h"

namespace coolpapers::cli {
namespace {

using simdjson::dom::element;

// The string value of `key`, "" when absent, null or not a string.
std::string_view Str(const element& obj, std::string_view key) {
  std::string_view v;
  if (obj[key].get_string().get(v) != simdjson::SUCCESS) return {};
  return v;
}

bool Has(const element& obj, std::string_view key) {
  element e;
  return obj[key].get(e) == simdjson::SUCCESS;
}

// The strings of a JSON array (non-strings skipped), whitespace collapsed.
std::vector<std::string> StrList(const element& obj, std::string_view key) {
  std::vector<std::string> out;
  simdjson::dom::array arr;
  if (obj[key].get_array().get(arr) != simdjson::SUCCESS) return out;
  for (element e : arr) {
    std::string_view s;
    if (e.get_string().get(s) != simdjson::SUCCESS) continue;
    std::string c = core::CollapseWhitespace(s);
    if (!c.empty()) out.push_back(std::move(c));
  }
  return out;
}

// "https://arxiv.org/pdf/2503.11731v2" -> 2; 0 when the URL carries no version.
int VersionFromUrl(std::string_view url) {
  size_t v = url.find_last_of('v');
  if (v == std::string_view::npos || v + 1 >= url.size()) return 0;
  int64_t n = 0;
  if (!core::ParseInt64(url.substr(v + 1), n) || n <= 0 || n > 1000) return 0;
  return static_cast<int>(n);
}

Status SetId(std::string_view raw, core::Paper& p) {
  if (raw.empty()) return Status::InvalidArgument("no \"id\" field");
  Result<core::ArxivId> id = core::ArxivId::Parse(raw);
  if (!id) return id.error();
  p.id = id->base();
  p.version = id->version();
  return Status::Ok();
}

Status ReadBulk(const element& obj, JsonlRecord& r) {
  core::Paper& p = r.paper;
  if (Status st = SetId(Str(obj, "id"), p); !st.ok()) return st;
  if (p.version == 0) p.version = VersionFromUrl(Str(obj, "pdf"));
  if (p.version == 0) p.version = VersionFromUrl(Str(obj, "abs"));
  if (p.version == 0) p.version = 1;
  p.title = core::CollapseWhitespace(Str(obj, "title"));
  p.abstract = core::CollapseWhitespace(Str(obj, "summary"));
  p.authors = StrList(obj, "authors");
  p.categories = sources::arxiv::CanonicalCategories(StrList(obj, "categories"));
  p.comments = core::CollapseWhitespace(Str(obj, "comment"));
  std::string_view listing = Str(obj, "listing_date");
  if (!listing.empty()) {
    std::optional<std::string> at = sources::IsoDateToUtc(listing);
    if (!at || listing.size() != 10) {
      return Status::InvalidArgument("listing_date \"" + std::string(listing.substr(0, 40)) +
                                     "\" is not a YYYY-MM-DD date");
    }
    r.day = std::string(listing);
    p.published = *at;
    p.updated = *at;
  }
  return Status::Ok();
}

std::vector<std::string> AuthorsParsed(const element& obj) {
  std::vector<std::string> out;
  simdjson::dom::array arr;
  if (obj["authors_parsed"].get_array().get(arr) != simdjson::SUCCESS) return out;
  for (element a : arr) {
    simdjson::dom::array parts;
    if (a.get_array().get(parts) != simdjson::SUCCESS) continue;
    std::string_view last, first, suffix;
    size_t i = 0;
    for (element part : parts) {
      std::string_view s;
      if (part.get_string().get(s) != simdjson::SUCCESS) s = {};
      if (i == 0) last = s;
      if (i == 1) first = s;
      if (i == 2) suffix = s;
      ++i;
    }
    std::string name = core::CollapseWhitespace(std::string(first) + " " + std::string(last) + " " +
                                                std::string(suffix));
    if (!name.empty()) out.push_back(std::move(name));
  }
  return out;
}

Status ReadKaggle(const element& obj, JsonlRecord& r) {
  core::Paper& p = r.paper;
  if (Status st = SetId(Str(obj, "id"), p); !st.ok()) return st;
  p.title = core::CollapseWhitespace(Str(obj, "title"));
  p.abstract = core::CollapseWhitespace(Str(obj, "abstract"));
  p.authors = AuthorsParsed(obj);
  if (p.authors.empty()) p.authors = sources::arxiv::SplitAuthorList(Str(obj, "authors"));
  p.categories = sources::arxiv::CanonicalCategories(
      core::Split(core::CollapseWhitespace(Str(obj, "categories")), ' '));
  p.comments = core::CollapseWhitespace(Str(obj, "comments"));
  p.journal_ref = core::CollapseWhitespace(Str(obj, "journal-ref"));
  p.doi = core::CollapseWhitespace(Str(obj, "doi"));
  int best = 0;
  simdjson::dom::array versions;
  if (obj["versions"].get_array().get(versions) == simdjson::SUCCESS) {
    for (element v : versions) {
      std::string_view label = Str(v, "version");
      int64_t n = 0;
      if (label.size() < 2 || label[0] != 'v' || !core::ParseInt64(label.substr(1), n)) continue;
      std::string at = sources::GmtDateToUtc(Str(v, "created")).value_or("");
      if (n == 1) p.published = at;
      if (n > best) {
        best = static_cast<int>(n);
        p.updated = at;
      }
    }
  }
  if (p.version == 0) p.version = best > 0 ? best : 1;
  if (p.updated.empty()) p.updated = p.published;
  if (p.published.size() >= 10) r.day = p.published.substr(0, 10);
  return Status::Ok();
}

}  // namespace

Result<JsonlRecord> JsonlRecordParser::Parse(std::string_view line, size_t allocated) {
  element obj;
  simdjson::error_code err;
  if (allocated >= line.size() + simdjson::SIMDJSON_PADDING) {
    err = parser_.parse(line.data(), line.size(), /*realloc_if_needed=*/false).get(obj);
  } else {
    err = parser_.parse(line.data(), line.size(), /*realloc_if_needed=*/true).get(obj);
  }
  if (err != simdjson::SUCCESS) {
    return Err(Status::InvalidArgument(std::string("not valid JSON (") +
                                       simdjson::error_message(err) + ")"));
  }
  if (!obj.is_object()) return Err(Status::InvalidArgument("not a JSON object"));
  JsonlRecord r;
  Status st;
  if (Has(obj, "versions") || Has(obj, "authors_parsed") || Has(obj, "update_date")) {
    st = ReadKaggle(obj, r);
  } else if (Has(obj, "listing_date") || Has(obj, "summary")) {
    st = ReadBulk(obj, r);
  } else {
    st = Status::InvalidArgument(
        "unrecognised record: expected the arXiv bulk fields (id, title, summary, "
        "listing_date) or the Kaggle snapshot fields (id, title, abstract, versions)");
  }
  if (!st.ok()) return Err(st);
  if (r.paper.title.empty()) return Err(Status::InvalidArgument("no \"title\" field"));
  if (r.paper.categories.empty()) return Err(Status::InvalidArgument("no categories"));
  return r;
}

}  // namespace coolpapers::cli
