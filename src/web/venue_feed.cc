#include "web/venue_feed.h"

#include "core/venue.h"
#include "web/atom.h"
#include "web/page_routes.h"
#include "web/render.h"
#include "web/venue_page.h"

namespace coolpapers::web {
namespace {

// The edition a feed target names: the edition itself (any case), else the newest edition of a
// conference, or of all of them for "latest"; "" when none is imported.
std::string EditionOf(const std::vector<store::VenueEditionCount>& editions,
                      const std::string& target) {
  for (const store::VenueEditionCount& e : editions) {
    if (EqualsNoCase(e.edition, target)) return e.edition;
  }
  return NewestEdition(editions, target);
}

AtomEntry EntryOf(const core::VenuePaper& p, const std::string& base, const std::string& when) {
  AtomEntry e;
  e.id = p.page_url.rfind("https://", 0) == 0 ? p.page_url : base + "/venue/" + p.id;
  e.title = p.title;
  e.updated = when;
  e.link = base + "/venue/" + p.id;
  e.authors = p.authors;
  e.summary = p.abstract;
  e.categories = {p.venue};
  if (!p.group.empty()) e.categories.push_back(p.group);
  return e;
}

}  // namespace

Response VenueFeed(Services& s, const std::string& target) {
  if (!s.store) return NoStore();
  auto editions = s.store->VenueEditions();
  if (!editions) return StoreFailure(editions.error());
  const std::string edition = EditionOf(*editions, target);
  if (edition.empty()) {
    return ErrorPage(404, "No venue feed \"" + target + "\": no such proceedings are imported.",
                     "Feeds are /venue/<Conf>.<Year>/feed, /venue/<Conf>/feed and "
                     "/venue/latest/feed; see /venue/ for what is imported.");
  }
  auto papers = s.store->ListVenue(edition, "");
  if (!papers) return StoreFailure(papers.error());
  const std::string base = PublicUrl(s);
  std::string conf;
  int year = 0;
  core::SplitEdition(edition, &conf, &year);
  const std::string when = AtomTimestamp(std::to_string(year) + "-01-01");
  AtomFeed feed;
  feed.self_link = base + "/venue/" + target + "/feed";
  feed.id = feed.self_link;
  feed.alternate_link = base + "/venue/" + edition;
  feed.title = EditionLabel(edition) + " — coolpapers";
  feed.subtitle = EditionLabel(edition) + ": " + std::to_string(papers->size()) + " papers";
  feed.updated = when;
  feed.author_name = s.config.site_name;
  feed.entries.reserve(papers->size());
  for (const core::VenuePaper& p : *papers) feed.entries.push_back(EntryOf(p, base, when));
  Response r;
  r.content_type = "application/atom+xml; charset=utf-8";
  r.body = RenderAtomFeed(feed);
  return r;
}

}  // namespace coolpapers::web
