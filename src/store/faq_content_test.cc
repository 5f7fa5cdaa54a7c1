#include "store/faq_content.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace coolpapers::store {
namespace {

using ::testing::HasSubstr;

TEST(FaqContentTest, EncodeThenDecodeGivesTheItemsBack) {
  std::vector<FaqItem> items = {{"What?", "A **bold** answer with $x^2$."},
                                {"为什么？", "因为 \"quotes\" and \\ backslashes.\n\nTwo paragraphs."}};
  std::string json = EncodeFaqContent(items);
  EXPECT_EQ(json.substr(0, 8), R"([{"a":"A)");  // the format written so far: keys sorted
  Result<std::vector<FaqItem>> back = DecodeFaqContent(json);
  ASSERT_TRUE(back) << back.error().ToString();
  EXPECT_EQ(*back, items);
}

TEST(FaqContentTest, EmptyListIsAFaqWithoutItems) {
  EXPECT_EQ(EncodeFaqContent({}), "[]");
  Result<std::vector<FaqItem>> items = DecodeFaqContent("[]");
  ASSERT_TRUE(items);
  EXPECT_TRUE(items->empty());
}

TEST(FaqContentTest, UnknownKeysAreIgnored) {
  Result<std::vector<FaqItem>> items =
      DecodeFaqContent(R"([{"q":"Q","a":"A","html":"<p>A</p>","n":7}])");
  ASSERT_TRUE(items) << items.error().ToString();
  ASSERT_EQ(items->size(), 1u);
  EXPECT_EQ((*items)[0], (FaqItem{"Q", "A"}));
}

TEST(FaqContentTest, InvalidUtf8IsReplacedWhenEncoding) {
  std::string json = EncodeFaqContent({{"q\xff", "a"}});
  Result<std::vector<FaqItem>> items = DecodeFaqContent(json);
  ASSERT_TRUE(items) << items.error().ToString();
  EXPECT_EQ((*items)[0].q, "q\xEF\xBF\xBD");
}

TEST(FaqContentTest, MalformedContentIsACorruptionNamingWhatIsWrong) {
  struct Case {
    const char* json;
    const char* message;
  };
  const Case kCases[] = {
      {"", "is not valid JSON (at byte 1)"},
      {"{not json", "is not valid JSON (at byte 3)"},
      {R"([{"q":"Q","a":"A"})", "is not valid JSON"},
      {R"({"q":"not an array","a":"x"})", "is a JSON object, not an array"},
      {R"("text")", "is a JSON string, not an array"},
      {R"([{"q":"Q","a":"A"}, 7])", "item 1 is a JSON number, not an object"},
      {R"([["Q","A"]])", "item 0 is a JSON array, not an object"},
      {R"([{"a":"A"}])", "item 0 has no \"q\""},
      {R"([{"q":"Q"}])", "item 0 has no \"a\""},
      {R"([{"q":"Q","a":3}])", "item 0: \"a\" is a JSON number, not a string"},
      {R"([{"q":null,"a":"A"}])", "item 0: \"q\" is a JSON null, not a string"},
      {R"([{"q":"Q","a":["x"]}])", "item 0: \"a\" is a JSON array, not a string"},
  };
  for (const Case& c : kCases) {
    Result<std::vector<FaqItem>> items = DecodeFaqContent(c.json);
    ASSERT_FALSE(items) << c.json;
    EXPECT_EQ(items.error().code(), StatusCode::kCorruption) << c.json;
    EXPECT_THAT(items.error().message(), HasSubstr(c.message)) << c.json;
    EXPECT_THAT(items.error().message(), HasSubstr("generated again")) << c.json;
  }
}

}  // namespace
}  // namespace coolpapers::store
