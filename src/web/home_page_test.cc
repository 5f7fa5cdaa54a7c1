// The home page body (web/home_page.h): the HTML third-party clients parse (a.category-link,
// Feed links, form.date-picker with input[type=date][name=date]) stays as it was, while each
// archive of several categories folds them in a <details> whose summary counts them.

#include "web/home_page.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>
#include <string>

namespace coolpapers::web {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

std::string Body(const std::map<std::string, CategoryDays>& days) {
  return RenderHomeBody(core::Taxonomy::Default(), days, Html::Trusted("<p>venues</p>")).str();
}

// The markup of one archive's section.
std::string ArchiveSection(const std::string& html, const std::string& id) {
  size_t start = html.find("<section class=\"archive\" id=\"archive-" + id + "\">");
  if (start == std::string::npos) return "";
  size_t end = html.find("</section>", start);
  return html.substr(start, end - start);
}

TEST(HomePage, ArchivesFoldTheirCategoriesWithACount) {
  std::map<std::string, CategoryDays> days;
  days["cs.CL"] = CategoryDays{2, "2026-06-26", "2026-06-30", 3};
  std::string cs = ArchiveSection(Body(days), "cs");
  ASSERT_FALSE(cs.empty());
  EXPECT_THAT(cs, HasSubstr("<details class=\"archive-categories\"><summary>"));
  EXPECT_THAT(cs, HasSubstr(" categories, 1 with listings</summary>\n<ul class=\"categories\">"));
  EXPECT_THAT(cs, HasSubstr("</ul>\n</details>\n"));
  // The contract inside is unchanged.
  EXPECT_THAT(cs, HasSubstr("<a class=\"category-link\" href=\"/arxiv/cs.CL\">cs.CL</a>"));
  EXPECT_THAT(cs, HasSubstr("<a class=\"feed-link\" href=\"/arxiv/cs.CL/feed\">Feed</a>"));
  EXPECT_THAT(cs, HasSubstr("<form class=\"date-picker\" method=\"get\" action=\"/arxiv/cs.CL\">"
                            "<input type=\"date\" name=\"date\" aria-label=\"Announcement day for "
                            "cs.CL\" min=\"2026-06-26\" max=\"2026-06-30\" value=\"2026-06-30\" "
                            "required><button type=\"submit\">Go</button></form>"));
  std::string econ = ArchiveSection(Body({}), "econ");
  EXPECT_THAT(econ, HasSubstr("<summary>3 categories</summary>"));  // none stored: no count
}

TEST(HomePage, AnArchiveOfOneCategoryIsNotFolded) {
  std::string hep = ArchiveSection(Body({}), "hep-th");
  ASSERT_FALSE(hep.empty());
  EXPECT_THAT(hep, Not(HasSubstr("<details")));
  EXPECT_THAT(hep, HasSubstr("<a class=\"category-link\" href=\"/arxiv/hep-th\">hep-th</a>"));
  EXPECT_THAT(hep, HasSubstr("<form class=\"date-picker\" method=\"get\" action=\"/arxiv/hep-th\">"));
}

}  // namespace
}  // namespace coolpapers::web
