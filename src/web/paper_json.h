#pragma once
// JSON shapes of the API (SPEC §4) for papers, memberships and click counters. Field names are
// a stable contract for API clients.

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/paper.h"
#include "core/venue.h"
#include "store/store.h"

namespace coolpapers::web {

// {id, version, title, abstract, authors, categories, comments, journal_ref, doi, published,
//  updated, pdf_url, abs_url}
nlohmann::json PaperJson(const core::Paper& paper);
// A venue paper: {id, title, abstract, authors, edition, group, position, pdf_url, page_url,
//  doi, pages, other_ids}; /api/list?venue= adds arxiv_id (its linked arXiv paper, or null).
nlohmann::json VenuePaperJson(const core::VenuePaper& paper);
// The venue papers linked to an arXiv paper: [{id, edition, group, method, url}] ("url" the
// local page, /venue/<id>).
nlohmann::json AlsoAtJson(const std::vector<store::PaperLink>& links);
// [{category, day, type}]
nlohmann::json MembershipsJson(const std::vector<core::Membership>& memberships);
// {pdf, kimi, copy, rel}
nlohmann::json ClicksJson(const store::ClickCounts& clicks);

// Serialises with invalid UTF-8 replaced by U+FFFD (never throws).
std::string DumpJson(const nlohmann::json& j);

}  // namespace coolpapers::web
