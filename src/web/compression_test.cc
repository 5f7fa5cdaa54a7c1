#include "web/compression.h"

#include <gtest/gtest.h>

#include <random>

namespace coolpapers::web {
namespace {

std::string SampleText(size_t n) {
  std::string s;
  std::mt19937 rng(42);
  const char* words[] = {"attention ", "is ", "all ", "you ", "need ", "<p>", "</p>\n", "$x^2$ "};
  while (s.size() < n) s += words[rng() % 8];
  return s;
}

TEST(CompressionTest, GzipRoundTrip) {
  std::string text = SampleText(200'000);
  std::string gz = GzipCompress(text);
  ASSERT_FALSE(gz.empty());
  EXPECT_LT(gz.size(), text.size() / 3);
  EXPECT_EQ(static_cast<unsigned char>(gz[0]), 0x1f);  // gzip magic
  EXPECT_EQ(static_cast<unsigned char>(gz[1]), 0x8b);
  Result<std::string> back = GzipDecompress(gz);
  ASSERT_TRUE(back.has_value()) << back.error().ToString();
  EXPECT_EQ(*back, text);
}

TEST(CompressionTest, BrotliRoundTrip) {
  std::string text = SampleText(200'000);
  std::string br = BrotliCompress(text);
  ASSERT_FALSE(br.empty());
  EXPECT_LT(br.size(), text.size() / 3);
  Result<std::string> back = BrotliDecompress(br);
  ASSERT_TRUE(back.has_value()) << back.error().ToString();
  EXPECT_EQ(*back, text);
}

TEST(CompressionTest, EmptyInputRoundTrips) {
  EXPECT_EQ(GzipDecompress(GzipCompress("")).value_or("x"), "");
  EXPECT_EQ(BrotliDecompress(BrotliCompress("")).value_or("x"), "");
}

TEST(CompressionTest, CorruptOrTruncatedInputFails) {
  std::string gz = GzipCompress(SampleText(10'000));
  EXPECT_FALSE(GzipDecompress(gz.substr(0, gz.size() / 2)).has_value());
  EXPECT_FALSE(GzipDecompress("not gzip at all").has_value());
  std::string br = BrotliCompress(SampleText(10'000));
  EXPECT_FALSE(BrotliDecompress(br.substr(0, br.size() / 2)).has_value());
}

TEST(CompressionTest, DecompressRespectsMaxBytes) {
  std::string zeros(1'000'000, '0');
  EXPECT_FALSE(GzipDecompress(GzipCompress(zeros), 1000).has_value());
  EXPECT_FALSE(BrotliDecompress(BrotliCompress(zeros), 1000).has_value());
}

TEST(ChooseEncodingTest, PrefersBrotliOnTies) {
  EXPECT_EQ(ChooseEncoding("gzip, deflate, br", true, true), Encoding::kBrotli);
  EXPECT_EQ(ChooseEncoding("gzip, deflate, br", true, false), Encoding::kGzip);
  EXPECT_EQ(ChooseEncoding("gzip, deflate, br", false, false), Encoding::kIdentity);
}

TEST(ChooseEncodingTest, HonoursQValues) {
  EXPECT_EQ(ChooseEncoding("br;q=0.5, gzip;q=0.8", true, true), Encoding::kGzip);
  EXPECT_EQ(ChooseEncoding("br;q=0, gzip", true, true), Encoding::kGzip);
  EXPECT_EQ(ChooseEncoding("gzip;q=0, br;q=0", true, true), Encoding::kIdentity);
  EXPECT_EQ(ChooseEncoding("identity;q=1, gzip;q=0.5", true, true), Encoding::kIdentity);
  EXPECT_EQ(ChooseEncoding("GZIP;Q=0.9", true, true), Encoding::kGzip);
  EXPECT_EQ(ChooseEncoding("gzip;q=1.000", true, true), Encoding::kGzip);
}

TEST(ChooseEncodingTest, StarAndIdentityRules) {
  EXPECT_EQ(ChooseEncoding("*", true, true), Encoding::kBrotli);
  EXPECT_EQ(ChooseEncoding("*;q=0.5, br;q=0", true, true), Encoding::kGzip);
  EXPECT_EQ(ChooseEncoding("identity", true, true), Encoding::kIdentity);
  EXPECT_EQ(ChooseEncoding("", true, true), Encoding::kIdentity);
  EXPECT_EQ(ChooseEncoding("deflate", true, true), Encoding::kIdentity);
}

TEST(ChooseEncodingTest, MalformedItemsAreIgnored) {
  EXPECT_EQ(ChooseEncoding("br;q=abc, gzip", true, true), Encoding::kGzip);
  EXPECT_EQ(ChooseEncoding(",,, ;, gzip;q=2", true, true), Encoding::kIdentity);
  EXPECT_EQ(ChooseEncoding("  br ; q=0.9 ,gzip;q=0.1", true, true), Encoding::kBrotli);
}

TEST(CompressionTest, CompressibleTypes) {
  EXPECT_TRUE(IsCompressibleType("text/html; charset=utf-8"));
  EXPECT_TRUE(IsCompressibleType("text/css"));
  EXPECT_TRUE(IsCompressibleType("application/json"));
  EXPECT_TRUE(IsCompressibleType("application/atom+xml; charset=utf-8"));
  EXPECT_TRUE(IsCompressibleType("image/svg+xml"));
  EXPECT_FALSE(IsCompressibleType("image/png"));
  EXPECT_FALSE(IsCompressibleType("font/woff2"));
  EXPECT_FALSE(IsCompressibleType("application/pdf"));
}

}  // namespace
}  // namespace coolpapers::web

namespace coolpapers::web {
namespace {

TEST(AttachFastGzipTest, GzipsLargeTextBodiesOnly) {
  Response big;
  big.body = std::string(5000, 'x');
  AttachFastGzip(big);
  ASSERT_TRUE(big.gzip_body);
  EXPECT_EQ(GzipDecompress(*big.gzip_body).value_or(""), std::string(5000, 'x'));
  EXPECT_EQ(big.body.size(), 5000u);  // identity kept for clients without gzip
  EXPECT_FALSE(big.brotli_body);
  Response small;
  small.body = "tiny";
  AttachFastGzip(small);
  EXPECT_FALSE(small.gzip_body);
  Response binary;
  binary.content_type = "image/png";
  binary.body = std::string(5000, 'x');
  AttachFastGzip(binary);
  EXPECT_FALSE(binary.gzip_body);
}

}  // namespace
}  // namespace coolpapers::web
