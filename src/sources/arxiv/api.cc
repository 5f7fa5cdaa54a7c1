#include "sources/arxiv/api.h"

#include <algorithm>

#include "core/arxiv_id.h"
#include "core/category.h"
#include "core/text.h"
#include "sources/xml_ns.h"
#include "sources/upstream_dates.h"

namespace coolpapers::sources::arxiv {
namespace {

int64_t IntOr(const std::string& text, int64_t fallback) {
  int64_t v = 0;
  return core::ParseInt64(text, v) ? v : fallback;
}

std::string Canonical(const std::string& category) {
  auto c = core::Taxonomy::Default().Canonical(category);
  return c ? *c : category;
}

void AddCategory(std::vector<std::string>& cats, const std::string& raw) {
  if (raw.empty()) return;
  std::string c = Canonical(raw);
  if (std::find(cats.begin(), cats.end(), c) == cats.end()) cats.push_back(std::move(c));
}

bool IsErrorEntry(const pugi::xml_node& entry) {
  std::string id = xml::ChildText(entry, xml::kAtom, "id");
  return id.find("/api/errors") != std::string::npos ||
         xml::ChildText(entry, xml::kAtom, "title") == "Error";
}

Result<core::Paper> ReadEntry(const pugi::xml_node& entry) {
  namespace x = xml;
  core::Paper p;
  std::string raw_id = x::ChildText(entry, x::kAtom, "id");
  auto id = core::ArxivId::Parse(raw_id);
  if (!id) return Err(Status::Corruption("entry id '" + raw_id + "': " + id.error().message()));
  p.id = id->base();
  p.version = id->has_version() ? id->version() : 1;
  p.title = x::ChildText(entry, x::kAtom, "title");
  p.abstract = x::ChildText(entry, x::kAtom, "summary");
  for (const pugi::xml_node& a : x::Children(entry, x::kAtom, "author")) {
    std::string name = x::ChildText(a, x::kAtom, "name");
    if (!name.empty()) p.authors.push_back(std::move(name));
  }
  AddCategory(p.categories, x::Child(entry, x::kArxiv, "primary_category").attribute("term").value());
  for (const pugi::xml_node& c : x::Children(entry, x::kAtom, "category")) {
    AddCategory(p.categories, c.attribute("term").value());
  }
  p.comments = x::ChildText(entry, x::kArxiv, "comment");
  p.journal_ref = x::ChildText(entry, x::kArxiv, "journal_ref");
  p.doi = x::ChildText(entry, x::kArxiv, "doi");
  p.published = sources::IsoDateToUtc(x::ChildText(entry, x::kAtom, "published")).value_or("");
  p.updated = sources::IsoDateToUtc(x::ChildText(entry, x::kAtom, "updated")).value_or("");
  return p;
}

}  // namespace

Result<ApiFeed> ParseArxivApi(std::string_view text, const std::string& source) {
  pugi::xml_document doc;
  if (Status s = xml::ParseDocument(text, source, doc); !s.ok()) return Err(s);
  pugi::xml_node feed = doc.document_element();
  if (!xml::Is(feed, xml::kAtom, "feed")) {
    return Err(Status::Corruption(source + ": not an arXiv API Atom feed (root <" +
                                  std::string(feed.name()) + ">); check the base URL"));
  }
  ApiFeed out;
  out.total_results = IntOr(xml::ChildText(feed, xml::kOpenSearch, "totalResults"), -1);
  out.start_index = IntOr(xml::ChildText(feed, xml::kOpenSearch, "startIndex"), 0);
  out.items_per_page = IntOr(xml::ChildText(feed, xml::kOpenSearch, "itemsPerPage"), 0);
  for (const pugi::xml_node& entry : xml::Children(feed, xml::kAtom, "entry")) {
    if (IsErrorEntry(entry)) {
      return Err(Status::InvalidArgument(source + ": arXiv API error: " +
                                         xml::ChildText(entry, xml::kAtom, "summary")));
    }
    auto paper = ReadEntry(entry);
    if (paper) {
      out.papers.push_back(std::move(*paper));
    } else {
      out.skipped.push_back(paper.error().message());
    }
  }
  return out;
}

std::string ApiIdListUrl(const ArxivEndpoints& endpoints, std::span<const std::string> ids) {
  std::string list;
  for (const std::string& id : ids) {
    if (!list.empty()) list += ',';
    list += id;  // canonical ids hold only [A-Za-z0-9./-]
  }
  return endpoints.ApiQuery() + "?id_list=" + list + "&start=0&max_results=" +
         std::to_string(ids.size());
}

}  // namespace coolpapers::sources::arxiv
