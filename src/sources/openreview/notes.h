#pragma once

// OpenReview's API v2 notes (GET https://api2.openreview.net/notes?content.venueid=<id>), as
// ICLR, NeurIPS, ICML, COLM and TMLR publish their papers: {"notes": [{"id", "forum",
// "content": {"title": {"value"}, "authors": {"value": [...]}, "abstract", "venue",
// "venueid", ...}}], "count"}. API v1's plain values ("title": "...") are read too.
//
// A paper is accepted when content.venueid is the conference's id ("ICLR.cc/2024/Conference");
// its group comes from content.venue ("ICLR 2024 oral" -> "Oral"). Ids are "<forum>@OpenReview".

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "core/venue.h"

namespace coolpapers::sources::openreview {

struct NotesPage {
  std::vector<core::VenuePaper> accepted;  // response order; positions continue `first_position`
  int not_accepted = 0;                    // rejected, withdrawn, under review
  std::vector<std::string> skipped;        // "<source>: note 3 (id x): no title", ...
  int64_t count = -1;                      // the API's total, -1 when absent
  size_t notes = 0;                        // notes in this page, read or not (for paging)
};

// "ICLR.cc/2024/Conference" -> "ICLR.2024"; "" when the id has no "<Conf>..../<year>/" shape.
std::string EditionOfVenueId(std::string_view venue_id);

// Reads one page of notes for the conference `venue_id`. Not JSON, or no "notes" array, is an
// error naming `source`; a note without id or title is skipped with the reason.
Result<NotesPage> ParseNotes(std::string_view json, const std::string& venue_id,
                             const std::string& source, int first_position = 0);

// The API request for one page: <base>/notes?content.venueid=<id>&offset=<o>&limit=<l>, with
// base "https://api2.openreview.net" when `base_url` is empty.
std::string NotesUrl(const std::string& base_url, std::string_view venue_id, int64_t offset,
                     int limit);

// https://openreview.net/pdf?id=<forum> and https://openreview.net/forum?id=<forum>
std::string PdfUrl(std::string_view forum);
std::string ForumUrl(std::string_view forum);

// "ICLR 2024 oral" -> "Oral", "NeurIPS 2023 spotlight" -> "Spotlight", "ICLR 2023 notable top
// 5%" -> "Notable top 5%", "" or just the venue -> "Main".
std::string GroupOfVenue(std::string_view venue);

}  // namespace coolpapers::sources::openreview
