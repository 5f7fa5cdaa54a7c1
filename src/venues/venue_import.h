#pragma once

// venues/: conference proceedings into the store. One call reads one file of a venue source
// (sources/acl, sources/pmlr, sources/openreview, sources/cvf), gzip-compressed or plain, and writes its
// papers; a re-import of the same file changes nothing.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "store/store.h"

namespace coolpapers::venues {

enum class VenueSource { kAcl, kPmlr, kOpenReview, kCvf };

// "acl", "pmlr", "openreview", "cvf" (any case); nullopt otherwise.
std::optional<VenueSource> ParseVenueSource(std::string_view name);
// The names ParseVenueSource knows, for messages: "acl, cvf, openreview, pmlr".
std::string KnownVenueSources();

struct VenueFileResult {
  std::string edition;                 // "ACL.2024"
  int64_t papers = 0;                  // papers read from the file
  store::VenueUpsertCounts counts;     // what the store did with them
  int64_t not_accepted = 0;            // OpenReview: rejected/withdrawn notes left out
  std::vector<std::string> skipped;    // unusable entries, each with its place and reason
};

// Reads `path` (a .gz or plain file) as `source` and writes its papers to `store`.
// `venue` is the OpenReview venue id ("ICLR.cc/2024/Conference", required for openreview);
// for acl, pmlr and cvf it is optional and, when given, must name the file's edition ("ACL.2024").
Result<VenueFileResult> ImportVenueFile(store::Store& store, VenueSource source,
                                        const std::string& path, const std::string& venue);

// The whole file, inflated when it is gzip data; errors name the path.
Result<std::string> ReadWholeFile(const std::string& path, size_t max_bytes = size_t{1} << 30);

}  // namespace coolpapers::venues
