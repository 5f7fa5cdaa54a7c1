#include "sources/acl/anthology.h"

#include <cctype>
#include <pugixml.hpp>

#include "core/text.h"
#include "sources/xml_ns.h"

namespace coolpapers::sources::acl {
namespace {

// Mixed content of a <title> or <abstract>: text kept, <tex-math> as $...$, every other element
// (fixed-case, i, b, url) reduced to its text, without the space xml::Text puts between elements.
void AppendMarkupText(const pugi::xml_node& n, std::string& out) {
  for (pugi::xml_node d = n.first_child(); d; d = d.next_sibling()) {
    if (d.type() == pugi::node_pcdata || d.type() == pugi::node_cdata) {
      out += d.value();
    } else if (d.type() == pugi::node_element) {
      if (xml::LocalName(d) == "tex-math") {
        out += '$';
        AppendMarkupText(d, out);
        out += '$';
      } else {
        AppendMarkupText(d, out);
      }
    }
  }
}

std::string MarkupText(const pugi::xml_node& n) {
  std::string raw;
  if (n) AppendMarkupText(n, raw);
  return core::CollapseWhitespace(raw);
}

std::string AuthorName(const pugi::xml_node& author) {
  std::string first = xml::ChildText(author, xml::kNone, "first");
  std::string last = xml::ChildText(author, xml::kNone, "last");
  if (first.empty()) return last;
  if (last.empty()) return first;
  return first + " " + last;
}

// One <paper> of a volume; false (with the reason) when it lacks what a page needs.
bool ReadPaper(const pugi::xml_node& p, const std::string& edition, const std::string& group,
               core::VenuePaper& out, std::string& why) {
  std::string anthology_id = xml::ChildText(p, xml::kNone, "url");
  if (anthology_id.empty() || anthology_id.find_first_of(" /?#@") != std::string::npos) {
    why = anthology_id.empty() ? "no <url>" : "unusable <url> \"" + anthology_id + "\"";
    return false;
  }
  out.title = MarkupText(xml::Child(p, xml::kNone, "title"));
  if (out.title.empty()) {
    why = "no <title>";
    return false;
  }
  out.id = anthology_id + "@ACL";
  out.venue = edition;
  out.group = group;
  out.abstract = MarkupText(xml::Child(p, xml::kNone, "abstract"));
  for (const pugi::xml_node& a : xml::Children(p, xml::kNone, "author")) {
    std::string name = AuthorName(a);
    if (!name.empty()) out.authors.push_back(std::move(name));
  }
  out.pdf_url = AnthologyPdfUrl(anthology_id);
  out.page_url = AnthologyPageUrl(anthology_id);
  out.doi = xml::ChildText(p, xml::kNone, "doi");
  out.pages = xml::ChildText(p, xml::kNone, "pages");
  return true;
}

}  // namespace

std::string EditionOfCollection(std::string_view collection_id) {
  size_t dot = collection_id.find('.');
  if (dot != 4 || dot + 1 >= collection_id.size()) return "";
  for (size_t i = 0; i < 4; ++i) {
    if (!std::isdigit(static_cast<unsigned char>(collection_id[i]))) return "";
  }
  std::string name(collection_id.substr(dot + 1));
  for (char c : name) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_') return "";
  }
  std::string conf = name;
  if (name == "findings") {
    conf = "Findings";
  } else {
    for (char& c : conf) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  }
  return conf + "." + std::string(collection_id.substr(0, 4));
}

std::string GroupOfVolume(std::string_view volume_id) {
  struct Known {
    std::string_view id, group;
  };
  static constexpr Known kKnown[] = {
      {"long", "Long"},         {"short", "Short"},       {"main", "Main"},
      {"findings", "Findings"}, {"demo", "Demo"},         {"demos", "Demo"},
      {"srw", "SRW"},           {"industry", "Industry"}, {"tutorial", "Tutorial"},
      {"tutorials", "Tutorial"}};
  for (const Known& k : kKnown) {
    if (k.id == volume_id) return std::string(k.group);
  }
  std::string g(volume_id);
  if (!g.empty()) g[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(g[0])));
  return g;
}

std::string AnthologyPdfUrl(std::string_view anthology_id) {
  return "https://aclanthology.org/" + std::string(anthology_id) + ".pdf";
}

std::string AnthologyPageUrl(std::string_view anthology_id) {
  return "https://aclanthology.org/" + std::string(anthology_id) + "/";
}

Result<AnthologyCollection> ParseAnthologyXml(std::string_view text, const std::string& source) {
  std::string_view start = text.substr(0, 64);
  if (start.substr(0, 3) == "\xEF\xBB\xBF") start.remove_prefix(3);  // UTF-8 byte order mark
  start = core::Trim(start);
  if (start.empty() || start[0] != '<') {
    return Err(Status::InvalidArgument(
        source + ": not XML, so not an ACL Anthology collection; pass a file of data/xml/ of "
                 "acl-anthology (e.g. 2024.acl.xml)"));
  }
  pugi::xml_document doc;
  if (Status s = xml::ParseDocument(text, source, doc); !s.ok()) return Err(s);
  pugi::xml_node root = doc.document_element();
  if (!root || xml::LocalName(root) != "collection") {
    return Err(Status::InvalidArgument(
        source + ": not an ACL Anthology collection (the root element is <" +
        std::string(root ? root.name() : "") +
        ">, expected <collection id=\"YYYY.name\">); pass a file of data/xml/ of acl-anthology"));
  }
  AnthologyCollection out;
  out.collection = root.attribute("id").value();
  out.edition = EditionOfCollection(out.collection);
  if (out.edition.empty()) {
    return Err(Status::InvalidArgument(
        source + ": <collection id=\"" + out.collection +
        "\"> is not \"YYYY.name\" (e.g. 2024.acl), so the venue and year are unknown"));
  }
  for (const pugi::xml_node& volume : xml::Children(root, xml::kNone, "volume")) {
    std::string volume_id = volume.attribute("id").value();
    std::string group = GroupOfVolume(volume_id);
    for (const pugi::xml_node& p : xml::Children(volume, xml::kNone, "paper")) {
      core::VenuePaper paper;
      std::string why;
      if (!ReadPaper(p, out.edition, group, paper, why)) {
        out.skipped.push_back(source + ": volume " + volume_id + ", paper " +
                              p.attribute("id").value() + ": " + why);
        continue;
      }
      paper.position = static_cast<int>(out.papers.size());
      out.papers.push_back(std::move(paper));
    }
  }
  return out;
}

}  // namespace coolpapers::sources::acl
