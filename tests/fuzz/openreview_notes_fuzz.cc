// Fuzz target: OpenReview API notes responses (api2.openreview.net/notes).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "sources/openreview/notes.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view body(reinterpret_cast<const char*>(data), size);
  auto page = coolpapers::sources::openreview::ParseNotes(body, "ICLR.cc/2024/Conference",
                                                          "fuzz.json");
  if (page) {
    for (const auto& p : page->accepted) {
      if (p.id.empty() || p.title.empty()) __builtin_trap();  // a kept paper always has both
    }
  }
  (void)coolpapers::sources::openreview::GroupOfVenue(body);
  (void)coolpapers::sources::openreview::EditionOfVenueId(body);
  return 0;
}
