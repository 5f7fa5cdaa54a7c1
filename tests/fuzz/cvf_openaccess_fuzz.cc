// Fuzz target: a saved CVF open access listing page (openaccess.thecvf.com/<CONF><year>), HTML
// read with gumbo.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "sources/cvf/openaccess.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view html(reinterpret_cast<const char*>(data), size);
  auto l = coolpapers::sources::cvf::ParseListing(html, "fuzz.html");
  if (l) {
    if (l->papers.empty() || l->edition.empty()) __builtin_trap();  // an ok page has papers
    for (const auto& p : l->papers) {
      // A kept paper has an id, a title and a page on the CVF site, and its id never climbs out.
      if (p.id.empty() || p.title.empty() || p.venue != l->edition) __builtin_trap();
      if (p.id.find("..") != std::string_view::npos) __builtin_trap();
      if (p.page_url.rfind("https://openaccess.thecvf.com/content", 0) != 0) __builtin_trap();
    }
  }
  return 0;
}
