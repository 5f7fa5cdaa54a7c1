#pragma once

// Live venue harvests: the accepted papers of a conference fetched from its upstream API and
// written to the store exactly as `venue_import.h` writes a file of them.
//
// OpenReview (API v2): GET <base>/notes?content.venueid=<venue id>&offset=<k>&limit=<n>, pages
// fetched one after the other through the caller's net::Fetcher (the polite client spaces them
// and retries transient failures), `offset` advanced by the notes each page held, until the
// API's `count` is reached or, without a count, a page holds fewer than `limit` notes. Every
// page is read before anything is written; the papers are then stored in one transaction, so a
// harvest that fails half-way stores nothing and a re-run starts clean. A second harvest of an
// unchanged venue changes nothing.

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/status.h"
#include "core/venue.h"
#include "net/fetcher.h"
#include "store/store.h"

namespace coolpapers::venues {

// The OpenReview API v2 base URL used when none is configured.
inline constexpr const char* kOpenReviewApiUrl = "https://api2.openreview.net";
// The most notes OpenReview returns per request (its `limit` cap).
inline constexpr int kOpenReviewMaxPageSize = 1000;

// Where a harvest stands after each page, for progress lines.
struct HarvestProgress {
  int pages = 0;          // pages fetched so far
  int64_t notes = 0;      // notes received so far, accepted or not
  int64_t papers = 0;     // distinct accepted papers so far
  int64_t count = -1;     // the API's total number of notes, -1 while unknown
  int requests = 0;       // HTTP requests made so far, retries included
  double seconds = 0;     // since the harvest started
  int64_t next_offset = 0;
  double min_seconds_per_page = 0;  // OpenReviewHarvestOptions::min_seconds_per_page

  double notes_per_second() const { return seconds > 0 ? notes / seconds : 0; }
  // Seconds left: the pages still to fetch (at the notes per page so far) times the time per
  // page so far, at least `min_seconds_per_page`; -1 when the total is unknown or nothing was
  // fetched yet.
  double eta_seconds() const;
};

struct OpenReviewHarvestOptions {
  std::string venue_id;   // "ICLR.cc/2024/Conference"
  std::string base_url;   // "" means kOpenReviewApiUrl
  int page_size = kOpenReviewMaxPageSize;  // `limit` of each request, 1..kOpenReviewMaxPageSize
  // Safety bound on the pages of one harvest, beyond the check for repeated pages (a server
  // that ignores `offset` would otherwise be paged for ever); 0 means 10000.
  int max_pages = 0;
  // The least time a page takes (the polite client's gap between requests), for the ETA.
  double min_seconds_per_page = 0;
  core::Clock* clock = nullptr;  // for the progress timings; nullptr: the system clock
  // Called after each page (on the caller's thread).
  std::function<void(const HarvestProgress&)> on_page;
};

// What the pages held, before anything is stored.
struct OpenReviewFetched {
  std::string edition;                   // "ICLR.2024"
  std::vector<core::VenuePaper> papers;  // accepted, each once, positions 0.. in API order
  int64_t not_accepted = 0;              // notes of other venue ids (rejected, withdrawn, ...)
  std::vector<std::string> skipped;      // unusable notes, each with its URL and reason
  std::vector<std::string> warnings;     // e.g. fewer notes than the API's count
  HarvestProgress progress;              // the final state: pages, notes, requests, time
};

struct VenueHarvestResult {
  OpenReviewFetched fetched;
  store::VenueUpsertCounts counts;  // what the store did with fetched.papers
};

// Pages through the venue's notes. Fails, naming the venue id and the URL of the page and
// saying what to do, when the venue id is not "<Conf>.cc/<year>/...", a request fails (HTTP
// 4xx, or 5xx/429/network errors that persisted through the fetcher's retries), a page is not
// an OpenReview notes response, the server repeats pages instead of advancing, or the venue
// has no accepted papers.
Result<OpenReviewFetched> FetchOpenReviewVenue(net::Fetcher& fetcher,
                                               const OpenReviewHarvestOptions& options);

// FetchOpenReviewVenue, then one UpsertVenuePapers of everything fetched (nothing is written
// when fetching fails).
Result<VenueHarvestResult> HarvestOpenReviewVenue(store::Store& store, net::Fetcher& fetcher,
                                                  const OpenReviewHarvestOptions& options);

}  // namespace coolpapers::venues
