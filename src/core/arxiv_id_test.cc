#include "core/arxiv_id.h"

#include <gtest/gtest.h>

#include <chrono>
#include <string>

namespace coolpapers::core {
namespace {

std::string Canon(std::string_view text) {
  auto id = ArxivId::Parse(text);
  return id ? id->ToString() : "ERROR: " + id.error().message();
}

TEST(ArxivIdTest, NewSchemeIds) {
  EXPECT_EQ(Canon("0704.0001"), "0704.0001");
  EXPECT_EQ(Canon("1406.2661"), "1406.2661");
  EXPECT_EQ(Canon("2402.12354"), "2402.12354");
  EXPECT_EQ(Canon("1501.00001"), "1501.00001");
  EXPECT_EQ(Canon("1412.9999"), "1412.9999");
  auto id = ArxivId::Parse("2402.12354");
  ASSERT_TRUE(id);
  EXPECT_EQ(id->base(), "2402.12354");
  EXPECT_EQ(id->yymm(), 2402);
  EXPECT_FALSE(id->has_version());
  EXPECT_EQ(id->version(), 0);
  EXPECT_FALSE(id->is_old_style());
}

TEST(ArxivIdTest, ZeroPaddingEitherWay) {
  EXPECT_EQ(Canon("1406.02661"), "1406.2661");
  EXPECT_EQ(Canon("0704.00001"), "0704.0001");
  EXPECT_EQ(Canon("1501.0001"), "1501.00001");
  EXPECT_EQ(Canon("2402.1235"), "2402.01235");
  EXPECT_EQ(*ArxivId::Parse("1406.2661"), *ArxivId::Parse("1406.02661"));
}

TEST(ArxivIdTest, Versions) {
  auto id = ArxivId::Parse("2402.12354v2");
  ASSERT_TRUE(id);
  EXPECT_EQ(id->base(), "2402.12354");
  EXPECT_EQ(id->version(), 2);
  EXPECT_TRUE(id->has_version());
  EXPECT_EQ(id->ToString(), "2402.12354v2");
  EXPECT_EQ(Canon("1406.02661v12"), "1406.2661v12");
  EXPECT_EQ(Canon("2402.12354V3"), "2402.12354v3");
  EXPECT_TRUE(Canon("2402.12354v0").starts_with("ERROR"));
  EXPECT_TRUE(Canon("2402.12354v").starts_with("ERROR"));
  EXPECT_TRUE(Canon("2402.12354v2x").starts_with("ERROR"));
}

TEST(ArxivIdTest, OldSchemeIds) {
  auto id = ArxivId::Parse("hep-th/9901001");
  ASSERT_TRUE(id);
  EXPECT_EQ(id->base(), "hep-th/9901001");
  EXPECT_TRUE(id->is_old_style());
  EXPECT_EQ(id->yymm(), 9901);
  EXPECT_EQ(Canon("astro-ph/0601001"), "astro-ph/0601001");
  EXPECT_EQ(Canon("quant-ph/0201082v1"), "quant-ph/0201082v1");
  EXPECT_EQ(Canon("cond-mat/0703001"), "cond-mat/0703001");
  EXPECT_EQ(Canon("solv-int/9901001v2"), "solv-int/9901001v2");
  EXPECT_EQ(Canon("hep-th/9108001"), "hep-th/9108001");
}

TEST(ArxivIdTest, OldSchemeDropsSubjectClass) {
  auto id = ArxivId::Parse("math.GT/0309136v1");
  ASSERT_TRUE(id);
  EXPECT_EQ(id->base(), "math/0309136");
  EXPECT_EQ(id->version(), 1);
  EXPECT_EQ(id->yymm(), 309);
  EXPECT_EQ(Canon("cs.AI/0101001"), "cs/0101001");
  EXPECT_EQ(Canon("HEP-TH/9901001"), "hep-th/9901001");
}

TEST(ArxivIdTest, PastedForms) {
  EXPECT_EQ(Canon("arXiv:2402.12354"), "2402.12354");
  EXPECT_EQ(Canon("arxiv:hep-th/9901001v3"), "hep-th/9901001v3");
  EXPECT_EQ(Canon("  2402.12354\n"), "2402.12354");
  EXPECT_EQ(Canon("2402.12354.pdf"), "2402.12354");
  EXPECT_EQ(Canon("2402.12354v2.pdf"), "2402.12354v2");
  EXPECT_EQ(Canon("https://arxiv.org/abs/2402.12354"), "2402.12354");
  EXPECT_EQ(Canon("https://arxiv.org/abs/2402.12354v2"), "2402.12354v2");
  EXPECT_EQ(Canon("http://arxiv.org/pdf/1406.2661"), "1406.2661");
  EXPECT_EQ(Canon("https://arxiv.org/pdf/2402.12354v1.pdf"), "2402.12354v1");
  EXPECT_EQ(Canon("https://www.arxiv.org/abs/hep-th/9901001"), "hep-th/9901001");
  EXPECT_EQ(Canon("https://export.arxiv.org/abs/math.GT/0309136"), "math/0309136");
  EXPECT_EQ(Canon("https://arxiv.org/html/2402.12354v2"), "2402.12354v2");
  EXPECT_EQ(Canon("arxiv.org/abs/2402.12354/"), "2402.12354");
  EXPECT_EQ(Canon("https://arxiv.org/abs/2402.12354?context=cs#x"), "2402.12354");
}

TEST(ArxivIdTest, RejectsGarbageWithHelpfulMessage) {
  for (std::string_view bad : {"abc",
                               "2402.123456",
                               "9913.1234",
                               "../etc",
                               "",
                               "   ",
                               "2402",
                               "2402.",
                               "2402.123",
                               "2400.12345",
                               "0703.0001",
                               "1406.12345",
                               "2402.00000",
                               "24021.2345",
                               "2402-12354",
                               "cs.CL",
                               "hep-th/990100",
                               "hep-th/99010011",
                               "foo-bar/9901001",
                               "hep-th/9913001",
                               "hep-th/0801001",
                               "hep-th/9901000",
                               "../../etc/passwd",
                               "2402.12354/../x",
                               "https://example.com/abs/2402.12354x",
                               "arXiv:",
                               "hep-th/"}) {
    auto id = ArxivId::Parse(bad);
    ASSERT_FALSE(id) << "accepted '" << bad << "' as " << id->ToString();
    EXPECT_EQ(id.error().code(), StatusCode::kInvalidArgument);
    EXPECT_NE(id.error().message().find("2402.12354"), std::string::npos) << bad;
  }
  auto id = ArxivId::Parse("9913.1234");
  ASSERT_FALSE(id);
  EXPECT_NE(id.error().message().find("'9913.1234'"), std::string::npos);
  EXPECT_NE(id.error().message().find("month"), std::string::npos);
}

TEST(ArxivIdTest, HugeInputIsRejectedWithBoundedMessage) {
  std::string huge(10 * 1024, '1');
  auto id = ArxivId::Parse(huge);
  ASSERT_FALSE(id);
  EXPECT_LT(id.error().message().size(), 300u);
  std::string binary(
      "24\0"
      "02.12354\xFF",
      12);
  EXPECT_FALSE(ArxivId::Parse(binary));
}

// The id space arXiv can have issued by a given day (here 2026-12-04): a table of ids and
// whether ParsePlausibleArxivId accepts them, with a word the error must contain.
TEST(ArxivIdTest, PlausibleIdsByTable) {
  using namespace std::chrono;
  const system_clock::time_point now = sys_days{year{2026} / December / 4} + hours(12);
  struct Row {
    const char* id;
    bool ok;
    const char* says;  // in the error
  };
  const Row rows[] = {
      {"2612.00001", true, ""},          // the current month
      {"2612.99999", true, ""},
      {"2611.12345v3", true, ""},
      {"0704.0001", true, ""},           // the first new-style id
      {"1412.9999", true, ""},
      {"1501.00001", true, ""},
      {"hep-th/9901001", true, ""},
      {"math.GT/0309136", true, ""},
      {"2701.00001", false, "after the current month"},  // next month
      {"2612.00001v2", true, ""},
      {"3001.00001", false, "after the current month"},
      {"9912.00001", false, "after the current month"},  // would be 2099
      {"2600.00001", false, "month"},                    // month 00
      {"2613.00001", false, "month"},                    // month 13
      {"1412.12345", false, "4-digit"},                  // 5 digits before 1501
      {"2402.123456", false, "4 or 5 digits"},           // 6 digits
      {"0703.0001", false, "0704"},                      // before new-style ids began
      {"hep-th/9913001", false, "month 01-12"},          // old style, month 13
      {"hep-th/9001001", false, "9107"},                 // old style, year 90
      {"hep-th/0704001", false, "0703"},                 // old style after it ended
  };
  for (const Row& r : rows) {
    auto id = ParsePlausibleArxivId(r.id, now);
    EXPECT_EQ(id.has_value(), r.ok) << r.id;
    if (!r.ok && !id.has_value()) {
      EXPECT_NE(id.error().message().find(r.says), std::string::npos)
          << r.id << ": " << id.error().message();
      EXPECT_EQ(id.error().code(), StatusCode::kInvalidArgument) << r.id;
    }
  }
  // The month boundary: on the first of a month its ids are plausible, the next month's not.
  const system_clock::time_point first = sys_days{year{2027} / January / 1};
  EXPECT_TRUE(ParsePlausibleArxivId("2701.00001", first).has_value());
  EXPECT_FALSE(ParsePlausibleArxivId("2702.00001", first).has_value());
}

TEST(ArxivIdTest, LooksLikeArxivId) {
  EXPECT_TRUE(LooksLikeArxivId("2402.12354"));
  EXPECT_TRUE(LooksLikeArxivId("2402.12354v2"));
  EXPECT_TRUE(LooksLikeArxivId("1406.2661"));
  EXPECT_TRUE(LooksLikeArxivId("arXiv:1406.02661"));
  EXPECT_TRUE(LooksLikeArxivId("hep-th/9901001"));
  EXPECT_TRUE(LooksLikeArxivId("math.GT/0309136v1"));
  EXPECT_FALSE(LooksLikeArxivId("cs.CL"));
  EXPECT_FALSE(LooksLikeArxivId("cs"));
  EXPECT_FALSE(LooksLikeArxivId("hep-th"));
  EXPECT_FALSE(LooksLikeArxivId("cs.AI+cs.LG-cs.CV"));
  EXPECT_FALSE(LooksLikeArxivId("2402"));
  EXPECT_FALSE(LooksLikeArxivId(""));
  EXPECT_FALSE(LooksLikeArxivId("../etc"));
}

}  // namespace
}  // namespace coolpapers::core
