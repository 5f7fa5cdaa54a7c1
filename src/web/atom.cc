#include "web/atom.h"

#include "core/text.h"

namespace coolpapers::web {
namespace {

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

bool DigitsAt(std::string_view s, std::initializer_list<size_t> positions) {
  for (size_t i : positions) {
    if (i >= s.size() || !IsDigit(s[i])) return false;
  }
  return true;
}

void AppendElement(std::string& out, std::string_view indent, std::string_view name,
                   std::string_view text) {
  out += indent;
  out += '<';
  out += name;
  out += '>';
  out += core::XmlEscape(text);
  out += "</";
  out += name;
  out += ">\n";
}

void AppendLink(std::string& out, std::string_view indent, std::string_view rel,
                std::string_view type, std::string_view href) {
  if (href.empty()) return;
  out += indent;
  out += "<link rel=\"";
  out += rel;
  out += '"';
  if (!type.empty()) {
    out += " type=\"";
    out += type;
    out += '"';
  }
  out += " href=\"";
  out += core::XmlEscape(href);
  out += "\"/>\n";
}

void AppendEntry(std::string& out, const AtomEntry& e) {
  out += "  <entry>\n";
  AppendElement(out, "    ", "id", e.id);
  AppendElement(out, "    ", "title", e.title);
  AppendElement(out, "    ", "updated", e.updated);
  if (!e.published.empty()) AppendElement(out, "    ", "published", e.published);
  AppendLink(out, "    ", "alternate", "text/html", e.link);
  for (const std::string& a : e.authors) {
    out += "    <author><name>";
    out += core::XmlEscape(a);
    out += "</name></author>\n";
  }
  if (!e.summary.empty()) {
    out += "    <summary type=\"text\">";
    out += core::XmlEscape(e.summary);
    out += "</summary>\n";
  }
  for (const std::string& c : e.categories) {
    out += "    <category term=\"";
    out += core::XmlEscape(c);
    out += "\"/>\n";
  }
  out += "  </entry>\n";
}

}  // namespace

std::string AtomTimestamp(std::string_view s, std::string_view fallback) {
  if (s.size() < 10 || !DigitsAt(s, {0, 1, 2, 3, 5, 6, 8, 9}) || s[4] != '-' || s[7] != '-') {
    return std::string(fallback);
  }
  std::string out(s.substr(0, 10));
  if (s.size() >= 19 && (s[10] == ' ' || s[10] == 'T') && s[13] == ':' && s[16] == ':' &&
      DigitsAt(s, {11, 12, 14, 15, 17, 18})) {
    out += 'T';
    out.append(s.substr(11, 8));
    out += 'Z';
  } else {
    out += "T00:00:00Z";
  }
  return out;
}

std::string RenderAtomFeed(const AtomFeed& feed) {
  std::string out;
  out.reserve(1024 + feed.entries.size() * 2048);
  out += "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n";
  out += "<feed xmlns=\"http://www.w3.org/2005/Atom\">\n";
  AppendElement(out, "  ", "id", feed.id);
  AppendElement(out, "  ", "title", feed.title);
  if (!feed.subtitle.empty()) AppendElement(out, "  ", "subtitle", feed.subtitle);
  AppendElement(out, "  ", "updated", feed.updated);
  AppendLink(out, "  ", "self", "application/atom+xml", feed.self_link);
  AppendLink(out, "  ", "alternate", "text/html", feed.alternate_link);
  // RFC 4287 requires an author on the feed or on every entry; the feed-level one covers both.
  out += "  <author><name>";
  out += core::XmlEscape(feed.author_name.empty() ? std::string_view("coolpapers")
                                                  : std::string_view(feed.author_name));
  out += "</name></author>\n";
  out += "  <generator>coolpapers</generator>\n";
  for (const AtomEntry& e : feed.entries) AppendEntry(out, e);
  out += "</feed>\n";
  return out;
}

AtomEntry AtomEntryForPaper(const core::Paper& paper, std::string_view public_url,
                            std::string_view day) {
  AtomEntry e;
  e.id = paper.abs_url();
  e.title = paper.title;
  std::string day_stamp = AtomTimestamp(day);
  std::string published = AtomTimestamp(paper.published, "");
  e.updated = AtomTimestamp(paper.updated, published.empty() ? day_stamp : published);
  e.published = published;
  while (!public_url.empty() && public_url.back() == '/') public_url.remove_suffix(1);
  e.link = std::string(public_url) + "/arxiv/" + paper.id;
  e.authors = paper.authors;
  e.summary = paper.abstract;
  e.categories = paper.categories;
  return e;
}

}  // namespace coolpapers::web
