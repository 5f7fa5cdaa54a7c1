#include "sources/arxiv/rss.h"

#include <algorithm>
#include <map>

#include "core/announce_day.h"
#include "core/arxiv_id.h"
#include "core/category.h"
#include "core/text.h"
#include "sources/xml_ns.h"
#include "sources/arxiv/author_list.h"

namespace coolpapers::sources::arxiv {
namespace {

using core::AnnounceType;

// "oai:arXiv.org:2407.01234v2" or "arXiv:2407.01234v2 Announce Type: new ..." -> the id.
std::optional<core::ArxivId> IdFrom(const std::string& guid, const std::string& description) {
  std::string_view g = guid;
  if (core::StartsWith(g, "oai:arXiv.org:")) g.remove_prefix(14);
  if (!g.empty()) {
    if (auto id = core::ArxivId::Parse(g)) return *id;
  }
  std::string_view d = description;
  if (core::StartsWith(d, "arXiv:")) {
    d.remove_prefix(6);
    d = d.substr(0, d.find_first_of(" \n\t"));
    if (auto id = core::ArxivId::Parse(d)) return *id;
  }
  return std::nullopt;
}

// The abstract is whatever follows "Abstract:" in the description.
std::string AbstractFrom(const std::string& description) {
  size_t at = description.find("Abstract:");
  if (at == std::string::npos) return core::CollapseWhitespace(description);
  return core::CollapseWhitespace(std::string_view(description).substr(at + 9));
}

// "Announce Type: replace-cross" in the description, when the element is missing.
std::optional<AnnounceType> TypeFromDescription(const std::string& description) {
  size_t at = description.find("Announce Type:");
  if (at == std::string::npos) return std::nullopt;
  std::string rest = core::CollapseWhitespace(std::string_view(description).substr(at + 14));
  return core::ParseAnnounceType(rest.substr(0, rest.find(' ')));
}

std::string Canonical(const std::string& category) {
  auto c = core::Taxonomy::Default().Canonical(category);
  return c ? *c : category;
}

std::optional<RssItem> ReadItem(const pugi::xml_node& node) {
  namespace x = xml;
  RssItem item;
  std::string description = x::ChildText(node, x::kNone, "description");
  auto id = IdFrom(x::ChildText(node, x::kNone, "guid"), description);
  if (!id) return std::nullopt;
  item.id = id->base();
  item.version = id->has_version() ? id->version() : 1;
  std::string type = x::ChildText(node, x::kArxiv, "announce_type");
  auto parsed = core::ParseAnnounceType(type);
  if (!parsed) parsed = TypeFromDescription(description);
  item.type = parsed.value_or(AnnounceType::kNew);
  item.title = x::ChildText(node, x::kNone, "title");
  item.abstract = AbstractFrom(description);
  item.authors = sources::arxiv::SplitAuthorList(x::ChildText(node, x::kDublinCore, "creator"));
  for (const pugi::xml_node& c : x::Children(node, x::kNone, "category")) {
    std::string cat = Canonical(x::Text(c));
    if (!cat.empty() &&
        std::find(item.categories.begin(), item.categories.end(), cat) == item.categories.end()) {
      item.categories.push_back(std::move(cat));
    }
  }
  return item;
}

int Rank(AnnounceType t) {
  switch (t) {
    case AnnounceType::kNew: return 0;
    case AnnounceType::kCross: return 1;
    default: return 2;
  }
}

}  // namespace

Result<RssFeed> ParseArxivRss(std::string_view text, const std::string& source) {
  pugi::xml_document doc;
  if (Status s = xml::ParseDocument(text, source, doc); !s.ok()) return Err(s);
  pugi::xml_node rss = doc.document_element();
  pugi::xml_node channel = xml::Child(rss, xml::kNone, "channel");
  if (!xml::Is(rss, xml::kNone, "rss") || !channel) {
    return Err(Status::Corruption(source + ": not an RSS feed (root <" +
                                  std::string(rss.name()) +
                                  ">, expected <rss><channel>); check the base URL"));
  }
  RssFeed feed;
  std::string pub = xml::ChildText(channel, xml::kNone, "pubDate");
  if (!pub.empty()) {
    auto t = core::ParseRfc822(pub);
    if (!t) {
      return Err(Status::Corruption(source + ": channel pubDate '" + pub +
                                    "' is not an RFC 822 date"));
    }
    feed.day = core::NewYorkDate(*t);
  }
  feed.last_build_date = xml::ChildText(channel, xml::kNone, "lastBuildDate");
  for (const pugi::xml_node& node : xml::Children(channel, xml::kNone, "item")) {
    if (auto item = ReadItem(node)) {
      feed.items.push_back(std::move(*item));
    } else {
      ++feed.skipped;
    }
  }
  if (!feed.items.empty() && feed.day.empty()) {
    return Err(Status::Corruption(source + ": feed has items but no channel pubDate, so its "
                                  "announcement day is unknown"));
  }
  return feed;
}

core::Paper PaperFromRss(const RssItem& item) {
  core::Paper p;
  p.id = item.id;
  p.version = item.version;
  p.title = item.title;
  p.abstract = item.abstract;
  p.authors = item.authors;
  p.categories = item.categories;
  return p;
}

std::vector<core::Membership> MembershipsFromRss(const RssFeed& feed,
                                                 const std::vector<std::string>& followed) {
  struct Entry {
    core::Membership m;
    size_t order;
  };
  std::map<std::string, std::vector<Entry>> by_category;
  for (size_t i = 0; i < feed.items.size(); ++i) {
    const RssItem& item = feed.items[i];
    bool replacement =
        item.type == AnnounceType::kReplace || item.type == AnnounceType::kReplaceCross;
    for (size_t c = 0; c < item.categories.size(); ++c) {
      const std::string& cat = item.categories[c];
      if (std::find(followed.begin(), followed.end(), cat) == followed.end()) continue;
      core::Membership m;
      m.paper_id = item.id;
      m.category = cat;
      m.day = feed.day;
      bool primary = c == 0;
      m.type = replacement ? (primary ? AnnounceType::kReplace : AnnounceType::kReplaceCross)
                           : (primary ? AnnounceType::kNew : AnnounceType::kCross);
      by_category[cat].push_back({std::move(m), i});
    }
  }
  std::vector<core::Membership> out;
  for (auto& [cat, entries] : by_category) {
    std::stable_sort(entries.begin(), entries.end(), [](const Entry& a, const Entry& b) {
      return Rank(a.m.type) < Rank(b.m.type);
    });
    for (size_t i = 0; i < entries.size(); ++i) {
      entries[i].m.position = static_cast<int>(i);
      out.push_back(std::move(entries[i].m));
    }
  }
  return out;
}

}  // namespace coolpapers::sources::arxiv
