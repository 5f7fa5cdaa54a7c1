// Fuzz target: the search query language (phrases, -exclusions, ti:/au:/abs:/cat:/date:).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "search/query_input.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto q = coolpapers::search::PrepareQuery(text);
  if (q && q->term_count > coolpapers::search::QueryLimits{}.max_terms) __builtin_trap();
  return 0;
}
