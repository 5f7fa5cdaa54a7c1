#include "sources/arxiv/oai_records.h"

#include <algorithm>
#include <cstring>
#include <pugixml.hpp>

#include "core/arxiv_id.h"
#include "core/text.h"
#include "sources/arxiv/author_list.h"
#include "sources/arxiv/category_list.h"
#include "sources/upstream_dates.h"

namespace coolpapers::sources::arxiv {
namespace {

std::string_view LocalName(const pugi::xml_node& n) {
  const char* name = n.name();
  const char* colon = std::strrchr(name, ':');
  return colon ? std::string_view(colon + 1) : std::string_view(name);
}

pugi::xml_node Child(const pugi::xml_node& parent, std::string_view local) {
  for (pugi::xml_node c = parent.first_child(); c; c = c.next_sibling()) {
    if (c.type() == pugi::node_element && LocalName(c) == local) return c;
  }
  return {};
}

// Concatenated text of an element and its descendants, whitespace collapsed.
std::string Text(const pugi::xml_node& n) {
  if (!n) return {};
  std::string raw;
  for (pugi::xml_node d = n.first_child(); d; d = d.next_sibling()) {
    if (d.type() == pugi::node_pcdata || d.type() == pugi::node_cdata) {
      raw += d.value();
    } else if (d.type() == pugi::node_element) {
      raw += ' ';
      raw += Text(d);
    }
  }
  return core::CollapseWhitespace(raw);
}

std::string ChildText(const pugi::xml_node& parent, std::string_view local) {
  return Text(Child(parent, local));
}

// "oai:arXiv.org:hep-th/9901001" -> "hep-th/9901001".
std::string_view IdFromIdentifier(std::string_view identifier) {
  size_t colon = identifier.rfind(':');
  if (core::StartsWith(identifier, "oai:") && colon != std::string_view::npos && colon > 3) {
    // ids themselves contain no ':'; the prefix is "oai:<repository>:".
    return identifier.substr(colon + 1);
  }
  return identifier;
}

std::vector<std::string> AuthorsFromElements(const pugi::xml_node& authors) {
  std::vector<std::string> out;
  for (pugi::xml_node a = authors.first_child(); a; a = a.next_sibling()) {
    if (a.type() != pugi::node_element || LocalName(a) != "author") continue;
    std::string name = ChildText(a, "forenames");
    std::string keyname = ChildText(a, "keyname");
    if (!keyname.empty()) name += (name.empty() ? "" : " ") + keyname;
    std::string suffix = ChildText(a, "suffix");
    if (!suffix.empty()) name += " " + suffix;
    if (!name.empty()) out.push_back(std::move(name));
  }
  return out;
}

// Fields shared by the arXiv and arXivRaw formats.
void ReadCommonFields(const pugi::xml_node& meta, core::Paper& p) {
  p.title = ChildText(meta, "title");
  p.abstract = ChildText(meta, "abstract");
  p.categories = CanonicalCategories(core::Split(ChildText(meta, "categories"), ' '));
  p.comments = ChildText(meta, "comments");
  p.journal_ref = ChildText(meta, "journal-ref");
  p.doi = ChildText(meta, "doi");
}

// metadataPrefix=arXiv: created/updated days, structured authors, no versions.
void ReadArxivFormat(const pugi::xml_node& meta, core::Paper& p) {
  ReadCommonFields(meta, p);
  p.authors = AuthorsFromElements(Child(meta, "authors"));
  p.version = 0;
  p.published = IsoDateToUtc(ChildText(meta, "created")).value_or("");
  p.updated = IsoDateToUtc(ChildText(meta, "updated")).value_or(p.published);
}

// metadataPrefix=arXivRaw: <version version="vN"><date>RFC 822</date>..., authors as one string.
void ReadArxivRawFormat(const pugi::xml_node& meta, core::Paper& p) {
  ReadCommonFields(meta, p);
  p.authors = SplitAuthorList(ChildText(meta, "authors"));
  p.version = 0;
  for (pugi::xml_node v = meta.first_child(); v; v = v.next_sibling()) {
    if (v.type() != pugi::node_element || LocalName(v) != "version") continue;
    std::string_view label = v.attribute("version").value();
    int64_t n = 0;
    if (label.size() < 2 || label[0] != 'v' || !core::ParseInt64(label.substr(1), n)) continue;
    std::string date = GmtDateToUtc(ChildText(v, "date")).value_or("");
    if (n == 1) p.published = date;
    if (n >= p.version) {
      p.version = static_cast<int>(n);
      p.updated = date;
    }
  }
  if (p.updated.empty()) p.updated = p.published;
}

// Reads one <record>; false (with `why`) when it cannot be used.
bool ReadRecord(const pugi::xml_node& rec, OaiRecord& out, std::string& why) {
  pugi::xml_node header = Child(rec, "header");
  out.identifier = ChildText(header, "identifier");
  out.datestamp = ChildText(header, "datestamp");
  for (pugi::xml_node s = header.first_child(); s; s = s.next_sibling()) {
    if (s.type() == pugi::node_element && LocalName(s) == "setSpec") out.sets.push_back(Text(s));
  }
  out.deleted = std::string_view(header.attribute("status").value()) == "deleted";

  pugi::xml_node meta;
  for (pugi::xml_node m = Child(rec, "metadata").first_child(); m; m = m.next_sibling()) {
    if (m.type() == pugi::node_element) {
      meta = m;
      break;
    }
  }
  std::string raw_id = meta ? ChildText(meta, "id") : "";
  if (raw_id.empty()) raw_id = std::string(IdFromIdentifier(out.identifier));
  if (raw_id.empty()) {
    why = "record without an identifier";
    return false;
  }
  Result<core::ArxivId> id = core::ArxivId::Parse(raw_id);
  if (!id) {
    why = "record " + out.identifier + " has an invalid arXiv id: " + id.error().message();
    return false;
  }
  out.paper.id = id->base();
  if (out.deleted) return true;
  if (!meta) {
    why = "record " + out.identifier + " has no <metadata>";
    return false;
  }
  std::string_view format = LocalName(meta);
  if (format == "arXiv") {
    ReadArxivFormat(meta, out.paper);
  } else if (format == "arXivRaw") {
    ReadArxivRawFormat(meta, out.paper);
  } else {
    why = "record " + out.identifier + " has metadata <" + std::string(format) +
          ">; request metadataPrefix=arXiv or arXivRaw";
    return false;
  }
  if (out.paper.title.empty()) {
    why = "record " + out.identifier + " has no title";
    return false;
  }
  return true;
}

void ReadRecords(const pugi::xml_node& list, OaiPage& page) {
  for (pugi::xml_node rec = list.first_child(); rec; rec = rec.next_sibling()) {
    if (rec.type() != pugi::node_element) continue;
    std::string_view name = LocalName(rec);
    if (name == "resumptionToken") {
      page.resumption_token = core::CollapseWhitespace(rec.child_value());
      int64_t n = 0;
      if (core::ParseInt64(rec.attribute("completeListSize").value(), n)) {
        page.complete_list_size = n;
      }
      if (core::ParseInt64(rec.attribute("cursor").value(), n)) page.cursor = n;
      continue;
    }
    if (name != "record") continue;
    OaiRecord r;
    r.offset = static_cast<size_t>(std::max<ptrdiff_t>(rec.offset_debug(), 0));
    std::string why;
    if (ReadRecord(rec, r, why)) {
      page.records.push_back(std::move(r));
    } else {
      page.rejected.push_back({r.offset, std::move(why)});
    }
  }
}

}  // namespace

Result<OaiPage> ParseOaiListRecords(std::string_view xml) {
  pugi::xml_document doc;
  pugi::xml_parse_result parsed =
      doc.load_buffer(xml.data(), xml.size(), pugi::parse_default, pugi::encoding_utf8);
  if (!parsed) {
    return Err(Status::Corruption("OAI-PMH response is not well-formed XML at line " +
                                  std::to_string(LineAt(xml, parsed.offset)) + ": " +
                                  parsed.description()));
  }
  pugi::xml_node root = doc.document_element();
  if (!root || LocalName(root) != "OAI-PMH") {
    return Err(Status::Corruption(std::string("expected an OAI-PMH response, got root element <") +
                                  (root ? root.name() : "") + ">"));
  }
  OaiPage page;
  if (pugi::xml_node err = Child(root, "error")) {
    page.error_code = err.attribute("code").value();
    page.error_message = Text(err);
  }
  if (pugi::xml_node list = Child(root, "ListRecords")) ReadRecords(list, page);
  if (pugi::xml_node get = Child(root, "GetRecord")) ReadRecords(get, page);
  return page;
}

size_t LineAt(std::string_view text, size_t offset) {
  offset = std::min(offset, text.size());
  return 1 + static_cast<size_t>(std::count(text.begin(), text.begin() + offset, '\n'));
}

}  // namespace coolpapers::sources::arxiv
