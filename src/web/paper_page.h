#pragma once
// Paper pages: one paper (/arxiv/<id>) with Highwire citation meta tags and the list of
// announcements it appeared in, and several papers (/arxiv/<id>,<id>,...).

#include <map>
#include <string>
#include <vector>

#include "core/paper.h"
#include "store/store.h"
#include "web/html.h"

namespace coolpapers::web {

// Highwire Press meta tags (citation_title, citation_author per author, citation_date
// YYYY/MM/DD, citation_pdf_url, citation_arxiv_id, citation_abstract_html_url) for <head>.
// `first_day` (the earliest announcement day) dates papers without a published date.
Html HighwireMeta(const core::Paper& paper, std::string_view first_day);

// "YYYY/MM/DD" from "YYYY-MM-DD..." ("" if `s` does not start with a date).
std::string CitationDate(std::string_view s);

// The <main> content for one paper: the panel, "Also at: ACL 2024 (Long)" linking each venue
// paper linked to it (`links`, Store::LinksOf), then "listed in <cat> on <day> (<type>)" lines.
Html RenderPaperBody(const core::Paper& paper,
                     const std::vector<core::Membership>& memberships,
                     const store::ClickCounts& clicks,
                     const std::vector<store::PaperLink>& links = {});

// The <main> content for several papers; `missing` are requested ids not in the database,
// `fetching` those of them being fetched from arXiv now (p.being-fetched).
Html RenderPaperListBody(const std::vector<core::Paper>& papers,
                         const std::vector<std::string>& missing,
                         const std::map<std::string, store::ClickCounts>& clicks,
                         const std::vector<std::string>& fetching = {});

// A plain-text description (<= ~300 bytes, cut at a word boundary) of an abstract.
std::string ShortDescription(std::string_view text, size_t max_bytes = 300);

}  // namespace coolpapers::web
