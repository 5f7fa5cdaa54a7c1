#pragma once
// arXiv's announcement RSS feed (rss.arxiv.org/rss/<cat>[+<cat>...], format since 2024):
// the channel's pubDate is the announcement day; items are the announced papers in listing
// order, each with its announce type.

#include <string>
#include <string_view>
#include <vector>

#include "core/paper.h"
#include "core/status.h"

namespace coolpapers::sources::arxiv {

struct RssItem {
  std::string id;           // canonical id without version
  int version = 1;
  core::AnnounceType type = core::AnnounceType::kNew;
  std::string title;
  std::string abstract;
  std::vector<std::string> authors;
  std::vector<std::string> categories;  // primary first
};

struct RssFeed {
  std::string day;              // announcement day (America/New_York), "" if no pubDate
  std::string last_build_date;  // channel lastBuildDate as sent (for conditional requests)
  std::vector<RssItem> items;   // listing order; empty on days without an announcement
  int skipped = 0;              // items that could not be read (no usable id)
};

// Parses one RSS response. Malformed XML or a document that is not an RSS channel fails with
// kCorruption naming `source` (the URL).
Result<RssFeed> ParseArxivRss(std::string_view xml, const std::string& source);

// The paper an item describes, with what RSS carries (no dates, comments, DOI).
core::Paper PaperFromRss(const RssItem& item);

// Memberships of a feed's items for the categories in `followed` (canonical ids): a category
// that is the item's primary is "new" (or "replace"), any other is "cross" (or
// "replace-cross"). Positions count per category in listing order with new entries first.
std::vector<core::Membership> MembershipsFromRss(const RssFeed& feed,
                                                 const std::vector<std::string>& followed);

}  // namespace coolpapers::sources::arxiv
