#include "venues/venue_harvest.h"

#include <algorithm>
#include <cmath>
#include <unordered_set>
#include <utility>

#include "sources/openreview/notes.h"

namespace coolpapers::venues {
namespace {

constexpr int kDefaultMaxPages = 10000;

// What to do after a failed page request, by the kind of failure.
std::string AdviceFor(StatusCode code) {
  switch (code) {
    case StatusCode::kNotFound:
      return "the URL does not exist; check the OpenReview API URL (--openreview-url or "
             "COOLPAPERS_OPENREVIEW_URL; default " +
             std::string(kOpenReviewApiUrl) + ")";
    case StatusCode::kInvalidArgument:
      return "OpenReview refused the request; check the venue id and the OpenReview API URL, "
             "then run the command again";
    case StatusCode::kUnavailable:
    case StatusCode::kDeadlineExceeded:
      return "OpenReview did not answer properly after retries; run the same command again "
             "later (it starts over and leaves what is already stored unchanged)";
    default:
      return "run the same command again (it starts over and leaves what is already stored "
             "unchanged)";
  }
}

// `why` with the venue and page in front and the advice behind, keeping its code.
Status PageFailure(const Status& why, const std::string& venue_id, int page, int64_t offset,
                   const std::string& advice) {
  return Status(why.code(), "harvest of OpenReview venue " + venue_id + " failed at page " +
                                std::to_string(page + 1) + " (offset " + std::to_string(offset) +
                                "): " + why.message() + "; nothing was stored; " + advice);
}

double SecondsSince(core::Clock& clock, std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(clock.Monotonic() - start).count();
}

// The paging state of one harvest.
struct Pager {
  OpenReviewFetched out;
  std::unordered_set<std::string> seen;  // ids of accepted papers kept so far

  // Adds one parsed page's papers; returns how many were new.
  int64_t Take(sources::openreview::NotesPage& page) {
    int64_t added = 0;
    for (core::VenuePaper& p : page.accepted) {
      if (!seen.insert(p.id).second) continue;
      p.position = static_cast<int>(out.papers.size());
      out.papers.push_back(std::move(p));
      ++added;
    }
    out.not_accepted += page.not_accepted;
    for (std::string& s : page.skipped) out.skipped.push_back(std::move(s));
    return added;
  }
};

// Fetches and reads the page at `offset` (its URL in `url`), counting its requests in `prog`;
// a failure names the venue, the page and the URL and says what to do.
Result<sources::openreview::NotesPage> FetchPage(net::Fetcher& fetcher,
                                                 const OpenReviewHarvestOptions& options,
                                                 int page, int64_t offset, HarvestProgress& prog,
                                                 std::string& url) {
  const std::string& venue = options.venue_id;
  net::FetchRequest req;
  req.url = url = sources::openreview::NotesUrl(options.base_url, venue, offset, options.page_size);
  req.kind = net::FetchKind::kListing;
  req.priority = net::FetchPriority::kBackfill;
  req.what = "OpenReview notes page";
  net::FetchAttempts attempts;
  Result<net::FetchResponse> resp = fetcher.FetchCounted(req, &attempts);
  prog.requests += attempts.attempts;
  if (!resp) {
    return Err(PageFailure(resp.error(), venue, page, offset, AdviceFor(resp.error().code())));
  }
  Result<sources::openreview::NotesPage> parsed =
      sources::openreview::ParseNotes(resp->body, venue, req.url);
  if (!parsed) {
    return Err(PageFailure(parsed.error(), venue, page, offset,
                           "check that the OpenReview API URL serves API v2 (default " +
                               std::string(kOpenReviewApiUrl) + "), then run the command again"));
  }
  return parsed;
}

Status NoPapers(const OpenReviewFetched& f, const std::string& venue_id,
                const std::string& first_url) {
  std::string check = "check the id at https://openreview.net/group?id=" + venue_id +
                      " (accepted papers carry the conference's own id, e.g. "
                      "ICLR.cc/2024/Conference, not .../Submission)";
  if (f.progress.notes == 0) {
    return Status::NotFound("OpenReview has no papers for venue id " + venue_id + " (" +
                            first_url + " returned no notes): the id is misspelt or the venue "
                            "has not published its decisions yet; " + check);
  }
  return Status::NotFound("OpenReview returned " + std::to_string(f.progress.notes) +
                          " notes for venue id " + venue_id + " (" + first_url +
                          "), none of them an accepted paper of it (" +
                          std::to_string(f.not_accepted) + " of other venue ids, " +
                          std::to_string(f.skipped.size()) + " unusable); " + check);
}

}  // namespace

double HarvestProgress::eta_seconds() const {
  if (count < 0 || notes <= 0 || pages <= 0) return -1;
  if (notes >= count) return 0;
  const double notes_per_page = static_cast<double>(notes) / pages;
  const double pages_left = std::ceil(static_cast<double>(count - notes) / notes_per_page);
  return pages_left * std::max(seconds / pages, min_seconds_per_page);
}

Result<OpenReviewFetched> FetchOpenReviewVenue(net::Fetcher& fetcher,
                                               const OpenReviewHarvestOptions& options) {
  const std::string& venue = options.venue_id;
  Pager pager;
  OpenReviewFetched& out = pager.out;
  out.edition = sources::openreview::EditionOfVenueId(venue);
  if (out.edition.empty()) {
    return Err(Status::InvalidArgument(
        "venue id \"" + venue + "\" is not an OpenReview conference id "
        "\"<Conf>.cc/<year>/Conference\" (e.g. ICLR.cc/2024/Conference); copy it from the "
        "venue's page on openreview.net (group?id=...)"));
  }
  if (options.page_size < 1 || options.page_size > kOpenReviewMaxPageSize) {
    return Err(Status::InvalidArgument("page size " + std::to_string(options.page_size) +
                                       " is outside 1.." +
                                       std::to_string(kOpenReviewMaxPageSize)));
  }
  const int max_pages = options.max_pages > 0 ? options.max_pages : kDefaultMaxPages;
  core::Clock& clock = options.clock ? *options.clock : core::SystemClock();
  const auto start = clock.Monotonic();
  HarvestProgress& prog = out.progress;
  prog.min_seconds_per_page = options.min_seconds_per_page;
  const std::string first_url =
      sources::openreview::NotesUrl(options.base_url, venue, 0, options.page_size);

  for (int page = 0;; ++page) {
    const int64_t offset = prog.next_offset;
    if (page >= max_pages) {
      return Err(PageFailure(Status::ResourceExhausted("more than " + std::to_string(max_pages) +
                                                       " pages"),
                             venue, page, offset,
                             "the server does not seem to advance with `offset`; check the "
                             "OpenReview API URL"));
    }
    std::string url;
    Result<sources::openreview::NotesPage> parsed =
        FetchPage(fetcher, options, page, offset, prog, url);
    if (!parsed) return Err(parsed.error());
    const auto notes = static_cast<int64_t>(parsed->notes);
    const bool had_accepted = !parsed->accepted.empty();
    if (parsed->count >= 0) prog.count = parsed->count;
    const int64_t added = pager.Take(*parsed);
    ++prog.pages;
    prog.notes += notes;
    prog.next_offset = offset + notes;
    prog.papers = static_cast<int64_t>(out.papers.size());
    prog.seconds = SecondsSince(clock, start);
    if (options.on_page) options.on_page(prog);
    if (had_accepted && added == 0) {
      return Err(PageFailure(Status::Corruption(url + " repeated papers already received"),
                             venue, page, offset,
                             "the server ignores `offset`; check the OpenReview API URL"));
    }
    const bool done = notes == 0 || (prog.count >= 0 ? prog.next_offset >= prog.count
                                                     : notes < options.page_size);
    if (done) break;
  }
  // Notes told apart: each accepted paper once, plus the others (not deduplicated).
  const int64_t distinct = static_cast<int64_t>(out.papers.size() + out.skipped.size()) +
                           out.not_accepted;
  if (prog.count >= 0 && distinct < prog.count) {
    out.warnings.push_back("OpenReview announced " + std::to_string(prog.count) +
                           " notes for " + venue + " but " + std::to_string(distinct) +
                           " distinct ones arrived (the list changed while it was paged); run "
                           "the same command again to complete it");
  }
  if (out.papers.empty()) return Err(NoPapers(out, venue, first_url));
  return out;
}

Result<VenueHarvestResult> HarvestOpenReviewVenue(store::Store& store, net::Fetcher& fetcher,
                                                  const OpenReviewHarvestOptions& options) {
  Result<OpenReviewFetched> fetched = FetchOpenReviewVenue(fetcher, options);
  if (!fetched) return Err(fetched.error());
  VenueHarvestResult result;
  result.fetched = std::move(*fetched);
  Result<store::VenueUpsertCounts> c = store.UpsertVenuePapers(result.fetched.papers);
  if (!c) {
    return Err(Status(c.error().code(),
                      "harvest of OpenReview venue " + options.venue_id + ": fetched " +
                          std::to_string(result.fetched.papers.size()) +
                          " papers but could not store them: " + c.error().message()));
  }
  result.counts = *c;
  return result;
}

}  // namespace coolpapers::venues
