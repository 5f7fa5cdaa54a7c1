#pragma once
// Venue pages (SPEC §11), pure rendering from what the caller read from the store: the index of
// every imported edition (/venue/), one proceedings grouped by track or volume
// (/venue/<Conf>.<Year>), venue paper pages (/venue/<id>@<Source>, comma lists) with Highwire
// tags, and the home page's venues section. Panels follow the arXiv HTML contract (web/render.h)
// with the venue's links.

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "core/paper.h"
#include "core/venue.h"
#include "store/store.h"
#include "web/html.h"
#include "web/render.h"

namespace coolpapers::web {

// "ACL 2024" for "ACL.2024" (the edition as is when it is not "<Conf>.<Year>").
std::string EditionLabel(std::string_view edition);

// ASCII case-insensitive equality (edition, conference and group names in URLs).
bool EqualsNoCase(std::string_view a, std::string_view b);

// The newest imported edition of `conference` (any case), of every conference when it is
// "latest"; "" when there is none.
std::string NewestEdition(const std::vector<store::VenueEditionCount>& editions,
                          std::string_view conference);

// The paper row a venue paper's panel shows (id, title, abstract, authors, DOI).
core::Paper PaperOfVenuePaper(const core::VenuePaper& v);
// Panel options for a venue paper: title to /venue/<id>, author search /venue/search, the
// venue's PDF, subjects = edition (to /venue/<Ed>) and group (to /venue/<Ed>?group=<g>).
PanelOptions VenuePanelOptions(const core::VenuePaper& v, const store::ClickCounts& clicks);

// The <main> content of /venue/: editions grouped by conference (the store's order: conference,
// newest year first), each with its count and groups; the "none imported" text when empty.
Html RenderVenueIndexBody(const std::vector<store::VenueEditionCount>& editions);
// The home page's venues section: each edition linking /venue/<Ed> with its count.
Html RenderVenuesSection(const std::vector<store::VenueEditionCount>& editions);

struct VenueEditionData {
  store::VenueEditionCount edition;  // the edition with its per-group counts
  std::string group;                 // the group shown ("" = every group), as the venue spells it
  std::vector<core::VenuePaper> papers;  // in the venue's order
  std::map<std::string, store::ClickCounts> clicks;
  int show = 0;  // panels shown at once; later ones are rendered deferred; 0 = all
};
// The <main> content of /venue/<Conf>.<Year>: heading, group navigation, then the panels under
// one heading per group (`<h2 class="group" id="group-Long">Long (2)</h2>`).
void RenderVenueEditionBodyTo(std::string& out, const VenueEditionData& d);

// Highwire meta tags of a venue paper (citation_title, citation_author each,
// citation_conference_title "ACL 2024", citation_publication_date "2024", citation_pdf_url, ...).
Html VenueHighwireMeta(const core::VenuePaper& v);
// The <main> content of one venue paper's page: the panel, then the proceedings facts (venue and
// group, pages, DOI, other ids, the venue's pages).
Html RenderVenuePaperBody(const core::VenuePaper& v, const store::ClickCounts& clicks,
                          const std::vector<store::PaperLink>& links = {});
// The <main> content for several venue papers; `missing` are requested ids not stored.
Html RenderVenuePaperListBody(const std::vector<core::VenuePaper>& papers,
                              const std::vector<std::string>& missing,
                              const std::map<std::string, store::ClickCounts>& clicks);

}  // namespace coolpapers::web
