// Fuzz target: category expressions of list URLs ("cs.AI+cs.LG-cs.CV", "cs.CL,cs.LG", "cs").
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "core/category.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto filter = coolpapers::core::ParseCategoryExpression(text);
  if (filter) {
    // The canonical form is itself a valid expression.
    if (!coolpapers::core::ParseCategoryExpression(filter->canonical)) __builtin_trap();
  }
  return 0;
}
