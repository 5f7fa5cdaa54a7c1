// Fuzz target: paper-site URLs (/redirect?url=), as sources/paper_url.h maps them.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "sources/paper_url.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view url(reinterpret_cast<const char*>(data), size);
  if (auto ref = coolpapers::sources::ParsePaperUrl(url)) {
    std::string route = coolpapers::sources::RouteFor(*ref);
    // A route never climbs out of its branch or carries a line break into a Location header.
    if (ref->id.empty() || route.find("..") != std::string::npos ||
        route.find_first_of("\r\n") != std::string::npos) {
      __builtin_trap();
    }
  }
  return 0;
}
