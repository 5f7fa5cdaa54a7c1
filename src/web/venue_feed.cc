#include "web/venue_feed.h"

#include <cctype>

#include "core/venue.h"
#include "web/atom.h"
#include "web/render.h"
#include "web/venue_page.h"

namespace coolpapers::web {
namespace {

bool SameNoCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) !=
        std::tolower(static_cast<unsigned char>(b[i]))) {
      return false;
    }
  }
  return true;
}

// The edition a feed target names: the edition itself, the newest one of a conference, or the
// newest one of all ("latest"); "" when none is imported.
std::string EditionOf(const std::vector<store::VenueEditionCount>& editions,
                      const std::string& target) {
  std::string best;
  int best_year = 0;
  for (const store::VenueEditionCount& e : editions) {
    std::string conf;
    int year = 0;
    if (!core::SplitEdition(e.edition, &conf, &year)) continue;
    if (SameNoCase(e.edition, target)) return e.edition;
    if ((target == "latest" || SameNoCase(conf, target)) && year > best_year) {
      best = e.edition;
      best_year = year;
    }
  }
  return best;
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
  if (!s.store) return ErrorPage(503, "No database is configured.", "Start the server with --db.");
  auto editions = s.store->VenueEditions();
  if (!editions) {
    return ErrorPage(503, "The venue list could not be read.", "Try again in a moment.");
  }
  const std::string edition = EditionOf(*editions, target);
  if (edition.empty()) {
    return ErrorPage(404, "No venue feed \"" + target + "\": no such proceedings are imported.",
                     "Feeds are /venue/<Conf>.<Year>/feed, /venue/<Conf>/feed and "
                     "/venue/latest/feed; see /venue/ for what is imported.");
  }
  auto papers = s.store->ListVenue(edition, "");
  if (!papers) return ErrorPage(503, "The proceedings could not be read.", "Try again later.");
  std::string base = s.config.public_url;
  while (!base.empty() && base.back() == '/') base.pop_back();
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
