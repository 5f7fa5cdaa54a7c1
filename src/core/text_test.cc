#include "core/text.h"

#include <gtest/gtest.h>

namespace coolpapers::core {
namespace {

TEST(HtmlEscapeTest, EscapesAllFiveSpecialCharacters) {
  EXPECT_EQ(HtmlEscape("<script>&\"'"), "&lt;script&gt;&amp;&quot;&#39;");
  EXPECT_EQ(HtmlEscape("plain text é"), "plain text é");
  EXPECT_EQ(HtmlEscape(""), "");
}

TEST(HtmlEscapeTest, AppendKeepsExistingContent) {
  std::string out = "<p>";
  AppendHtmlEscaped(out, "a<b");
  EXPECT_EQ(out, "<p>a&lt;b");
}

TEST(XmlEscapeTest, EscapesAndDropsForbiddenCharacters) {
  EXPECT_EQ(XmlEscape("a<b>&\"'"), "a&lt;b&gt;&amp;&quot;&#39;");
  EXPECT_EQ(XmlEscape(std::string("a\x01\x08z\tok\n", 9)), "az\tok\n");
  EXPECT_EQ(XmlEscape(std::string("nul\0end", 7)), "nulend");
  EXPECT_EQ(XmlEscape("\xEF\xBF\xBE"), "");                        // U+FFFE is not an XML char
  EXPECT_EQ(XmlEscape("caf\xC3\xA9 \xF0\x9F\x98\x80"), "café 😀");  // kept
  EXPECT_EQ(XmlEscape("bad\xFF"), "bad\xEF\xBF\xBD");              // invalid UTF-8 replaced
}

TEST(JsonEscapeTest, EscapesQuotesBackslashesAndControls) {
  EXPECT_EQ(JsonEscape("a\"b\\c"), "a\\\"b\\\\c");
  EXPECT_EQ(JsonEscape("line1\nline2\t\r"), "line1\\nline2\\t\\r");
  EXPECT_EQ(JsonEscape(std::string("\x01\x1f", 2)), "\\u0001\\u001f");
  EXPECT_EQ(JsonEscape("</script>"), "\\u003c/script>");
  EXPECT_EQ(JsonEscape("ü"), "ü");
}

TEST(WhitespaceTest, CollapseAndTrim) {
  EXPECT_EQ(CollapseWhitespace("  a \n\n b\t\tc  "), "a b c");
  EXPECT_EQ(CollapseWhitespace(" \n\t "), "");
  EXPECT_EQ(CollapseWhitespace("x"), "x");
  EXPECT_EQ(Trim("  a b \n"), "a b");
  EXPECT_EQ(Trim("   "), "");
  EXPECT_EQ(Trim(""), "");
}

TEST(StringTest, LowerSplitJoinPrefixSuffix) {
  EXPECT_EQ(ToLower("CS.cl ÄB"), "cs.cl Äb");
  EXPECT_EQ(Split("a,,b,", ','), (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(Split("a,,b,", ',', false), (std::vector<std::string>{"a", "", "b", ""}));
  EXPECT_EQ(Split("", ','), std::vector<std::string>{});
  EXPECT_EQ(Join({"a", "b", "c"}, ", "), "a, b, c");
  EXPECT_EQ(Join({}, ","), "");
  EXPECT_TRUE(StartsWith("arXiv:1234", "arXiv:"));
  EXPECT_FALSE(StartsWith("ar", "arXiv:"));
  EXPECT_TRUE(EndsWith("paper.pdf", ".pdf"));
  EXPECT_FALSE(EndsWith("pdf", "x.pdf"));
}

TEST(UrlTest, EncodeKeepsUnreservedOnly) {
  EXPECT_EQ(UrlEncode("a b&c=d/é~_.-"), "a%20b%26c%3Dd%2F%C3%A9~_.-");
}

TEST(UrlTest, DecodeRoundTripsAndHandlesPlus) {
  std::string out;
  ASSERT_TRUE(UrlDecode("a%20b+c%2Cd", out));
  EXPECT_EQ(out, "a b c,d");
  ASSERT_TRUE(UrlDecode("a+b", out, /*plus_is_space=*/false));
  EXPECT_EQ(out, "a+b");
  std::string original = "x y/ü?&=%";
  ASSERT_TRUE(UrlDecode(UrlEncode(original), out));
  EXPECT_EQ(out, original);
}

TEST(UrlTest, DecodeRejectsMalformedEscapes) {
  std::string out;
  EXPECT_FALSE(UrlDecode("%", out));
  EXPECT_FALSE(UrlDecode("abc%2", out));
  EXPECT_FALSE(UrlDecode("%zz", out));
  EXPECT_FALSE(UrlDecode("%g1", out));
  EXPECT_TRUE(UrlDecode("%41%62", out));
  EXPECT_EQ(out, "Ab");
}

TEST(Utf8Test, Validation) {
  EXPECT_TRUE(IsValidUtf8(""));
  EXPECT_TRUE(IsValidUtf8("ascii"));
  EXPECT_TRUE(IsValidUtf8("日本語 café 😀"));
  EXPECT_FALSE(IsValidUtf8("\xC3"));              // truncated
  EXPECT_FALSE(IsValidUtf8("\xC0\xAF"));          // overlong '/'
  EXPECT_FALSE(IsValidUtf8("\xE0\x80\xAF"));      // overlong 3-byte
  EXPECT_FALSE(IsValidUtf8("\xED\xA0\x80"));      // surrogate U+D800
  EXPECT_FALSE(IsValidUtf8("\xF4\x90\x80\x80"));  // above U+10FFFF
  EXPECT_FALSE(IsValidUtf8("\xFF"));
  EXPECT_FALSE(IsValidUtf8("a\x80z"));  // stray continuation byte
}

TEST(Utf8Test, SanitizeReplacesInvalidAndDropsControls) {
  EXPECT_EQ(SanitizeUtf8("ok é"), "ok é");
  EXPECT_EQ(SanitizeUtf8("a\xFF"
                         "b"),
            "a\xEF\xBF\xBD"
            "b");
  EXPECT_EQ(SanitizeUtf8("\xC3"), "\xEF\xBF\xBD");
  EXPECT_EQ(SanitizeUtf8(std::string("a\0b\x07\tc\r\n", 8)), "ab\tc\r\n");
  EXPECT_TRUE(IsValidUtf8(SanitizeUtf8("\xC0\xAF\xED\xA0\x80\xF8")));
}

TEST(ParseInt64Test, AcceptsOnlyWholeIntegers) {
  int64_t v = 0;
  EXPECT_TRUE(ParseInt64("42", v));
  EXPECT_EQ(v, 42);
  EXPECT_TRUE(ParseInt64("-7", v));
  EXPECT_EQ(v, -7);
  EXPECT_TRUE(ParseInt64("+9", v));
  EXPECT_EQ(v, 9);
  EXPECT_TRUE(ParseInt64("9223372036854775807", v));
  EXPECT_EQ(v, INT64_MAX);
  v = 5;
  EXPECT_FALSE(ParseInt64("", v));
  EXPECT_FALSE(ParseInt64("12a", v));
  EXPECT_FALSE(ParseInt64(" 12", v));
  EXPECT_FALSE(ParseInt64("1.5", v));
  EXPECT_FALSE(ParseInt64("+", v));
  EXPECT_FALSE(ParseInt64("+-1", v));
  EXPECT_FALSE(ParseInt64("9223372036854775808", v));
  EXPECT_EQ(v, 5);  // untouched on failure
}

}  // namespace
}  // namespace coolpapers::core
