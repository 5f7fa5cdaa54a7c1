// Golden tests of web/: tests/golden/markdown/*.test (format: src/core/golden_file.h).
#include <gtest/gtest.h>

#include "core/golden_file.h"
#include "web/markdown.h"

namespace coolpapers::web {
namespace {

TEST(GoldenTest, Markdown) {
  testing::ExpectGoldenSuite("markdown", 30, [](const std::string& input) {
    return RenderMarkdown(input);
  });
}

}  // namespace
}  // namespace coolpapers::web
