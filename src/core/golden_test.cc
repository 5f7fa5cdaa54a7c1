// Golden tests of core/: tests/golden/category/*.test (format: src/core/golden_file.h). The
// output is the parsed category expression (canonical text, included and excluded categories)
// or "error: <message>".
#include <gtest/gtest.h>

#include "core/category.h"
#include "core/golden_file.h"
#include "core/text.h"

namespace coolpapers::core {
namespace {

std::string Describe(const std::string& expr) {
  Result<CategoryFilter> f = ParseCategoryExpression(expr);
  if (!f) return "error: " + f.error().message();
  std::string out = "canonical: " + f->canonical + "\ninclude: " + Join(f->include, " ");
  if (!f->exclude.empty()) out += "\nexclude: " + Join(f->exclude, " ");
  return out;
}

TEST(GoldenTest, CategoryExpressions) { testing::ExpectGoldenSuite("category", 15, Describe); }

}  // namespace
}  // namespace coolpapers::core
