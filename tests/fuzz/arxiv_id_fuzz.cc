// Fuzz target: arXiv identifiers (new and old style, versions, URLs pasted by readers).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "core/arxiv_id.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto id = coolpapers::core::ArxivId::Parse(text);
  if (id) {
    // A parsed id prints back to something that parses to the same id.
    auto again = coolpapers::core::ArxivId::Parse(id->ToString());
    if (!again || again->ToString() != id->ToString()) __builtin_trap();
  }
  (void)coolpapers::core::LooksLikeArxivId(text);
  return 0;
}
