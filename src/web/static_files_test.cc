#include "web/static_files.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "store/testing/temp_store.h"
#include "web/compression.h"

namespace coolpapers::web {
namespace {

namespace fs = std::filesystem;

class StaticDirTest : public ::testing::Test {
 protected:
  void SetUp() override {
    fs::create_directories(base_ / "root/css");
    fs::create_directories(base_ / "outside");
    Write("root/css/style.css", std::string(5000, 'a') + "{color:red}");
    Write("root/app.js", "export const x = 1;\n");
    Write("root/.hidden", "secret");
    Write("outside/secret.txt", "top secret");
    fs::create_symlink(base_ / "outside/secret.txt", base_ / "root/link.txt");
    fs::create_symlink(base_ / "root/app.js", base_ / "root/inside_link.js");
  }
  void Write(const std::string& rel, const std::string& data) {
    std::ofstream(base_ / rel, std::ios::binary) << data;
  }
  Request Get(std::string query = "") {
    Request r;
    r.method = "GET";
    if (!query.empty()) r.query.emplace(query, "1");
    return r;
  }

  store::testing::TempDir base_{"cp_static"};
};

TEST_F(StaticDirTest, ServesFileWithTypeEtagAndPrecompressedVariants) {
  StaticDir dir(base_ / "root");
  std::optional<Response> r = dir.Serve(Get(), "css/style.css");
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->content_type, "text/css; charset=utf-8");
  EXPECT_EQ(r->BodyView(), std::string(5000, 'a') + "{color:red}");
  EXPECT_FALSE(r->etag.empty());
  ASSERT_TRUE(r->gzip_body);
  ASSERT_TRUE(r->brotli_body);
  EXPECT_EQ(GzipDecompress(*r->gzip_body).value_or(""), r->BodyView());
  EXPECT_EQ(BrotliDecompress(*r->brotli_body).value_or(""), r->BodyView());
  // A second request shares the cached bytes.
  EXPECT_EQ(dir.Serve(Get(), "css/style.css")->shared_body.get(), r->shared_body.get());
}

TEST_F(StaticDirTest, CacheControlDependsOnVersionParameter) {
  StaticDir dir(base_ / "root");
  auto header = [](const Response& r) {
    for (const auto& [n, v] : r.headers) {
      if (n == "Cache-Control") return v;
    }
    return std::string();
  };
  EXPECT_EQ(header(*dir.Serve(Get("v"), "app.js")), "public, max-age=31536000, immutable");
  EXPECT_EQ(header(*dir.Serve(Get(), "app.js")), "public, max-age=3600");
  EXPECT_EQ(dir.Serve(Get(), "app.js")->content_type, "text/javascript; charset=utf-8");
}

TEST_F(StaticDirTest, RejectsTraversalHiddenFilesAndSymlinkEscapes) {
  StaticDir dir(base_ / "root");
  for (const char* rel : {"../outside/secret.txt", "css/../../outside/secret.txt", ".hidden",
                          "link.txt", "", "/etc/passwd", "css", "css/", "missing.js",
                          "css//style.css", "./app.js"}) {
    EXPECT_FALSE(dir.Serve(Get(), rel).has_value()) << rel;
  }
  EXPECT_TRUE(dir.Serve(Get(), "inside_link.js").has_value());
}

TEST_F(StaticDirTest, ReloadsChangedFiles) {
  StaticDir dir(base_ / "root");
  EXPECT_EQ(dir.Serve(Get(), "app.js")->BodyView(), "export const x = 1;\n");
  Write("root/app.js", "export const x = 22;\n");  // different size, so a change is seen
  EXPECT_EQ(dir.Serve(Get(), "app.js")->BodyView(), "export const x = 22;\n");
}

TEST_F(StaticDirTest, MissingRootServesNothing) {
  StaticDir dir(base_ / "nope");
  EXPECT_FALSE(dir.Serve(Get(), "app.js").has_value());
}

TEST(MimeTypeTest, KnownAndUnknownExtensions) {
  EXPECT_EQ(MimeTypeFor("a/b/katex.min.css"), "text/css; charset=utf-8");
  EXPECT_EQ(MimeTypeFor("pdf.worker.min.mjs"), "text/javascript; charset=utf-8");
  EXPECT_EQ(MimeTypeFor("KaTeX_Main-Regular.woff2"), "font/woff2");
  EXPECT_EQ(MimeTypeFor("ICON.SVG"), "image/svg+xml");
  EXPECT_EQ(MimeTypeFor("README"), "application/octet-stream");
  EXPECT_EQ(MimeTypeFor("x.unknownext"), "application/octet-stream");
}

TEST_F(StaticDirTest, SourceMapsAreNeverServed) {
  Write("root/app.js.map", "{\"version\":3}");
  StaticDir dir(base_ / "root");
  EXPECT_TRUE(dir.Serve(Get(), "app.js").has_value());
  EXPECT_FALSE(dir.Serve(Get(), "app.js.map").has_value());
  dir.Preload({"app.js.map"}, /*wait=*/true);
  EXPECT_EQ(dir.GetStats().files, 1u);  // the map was not even loaded
}

TEST_F(StaticDirTest, AllowListServesOnlyListedFiles) {
  fs::create_directories(base_ / "root/fonts");
  Write("root/katex.min.js", "min");
  Write("root/katex.js", "source");
  Write("root/fonts/KaTeX_Main.woff2", "font");
  Write("root/fonts/KaTeX_Main.ttf", "font");
  StaticDir::Options o;
  o.allow = {"katex.min.js", "fonts/*.woff2"};
  StaticDir dir(base_ / "root", o);
  EXPECT_TRUE(dir.Serve(Get(), "katex.min.js").has_value());
  EXPECT_TRUE(dir.Serve(Get(), "fonts/KaTeX_Main.woff2").has_value());
  EXPECT_FALSE(dir.Serve(Get(), "katex.js").has_value());
  EXPECT_FALSE(dir.Serve(Get(), "fonts/KaTeX_Main.ttf").has_value());
  EXPECT_FALSE(dir.Serve(Get(), "app.js").has_value());
  EXPECT_FALSE(dir.Serve(Get(), "css/style.css").has_value());
}

TEST_F(StaticDirTest, CacheStaysUnderItsByteBound) {
  constexpr size_t kBound = 20000;
  fs::create_directories(base_ / "root/img");
  for (int i = 0; i < 10; ++i) {
    Write("root/img/" + std::to_string(i) + ".png", std::string(5000, static_cast<char>('a' + i)));
  }
  StaticDir::Options o;
  o.max_cache_bytes = kBound;
  StaticDir dir(base_ / "root", o);
  for (int round = 0; round < 2; ++round) {
    for (int i = 0; i < 10; ++i) {
      std::optional<Response> r = dir.Serve(Get(), "img/" + std::to_string(i) + ".png");
      ASSERT_TRUE(r.has_value());
      EXPECT_EQ(r->BodyView(), std::string(5000, static_cast<char>('a' + i)));
      EXPECT_LE(dir.GetStats().bytes, kBound);
    }
  }
  StaticDir::Stats st = dir.GetStats();
  EXPECT_GT(st.files, 0u);
  EXPECT_LT(st.files, 10u);
  EXPECT_GT(st.evictions, 0u);
  // A file larger than the whole bound is served, never kept.
  Write("root/img/big.png", std::string(kBound + 1, 'z'));
  EXPECT_EQ(dir.Serve(Get(), "img/big.png")->BodyView().size(), kBound + 1);
  EXPECT_LE(dir.GetStats().bytes, kBound);
}

TEST_F(StaticDirTest, LargeFilesAreCompressedOffTheRequestThread) {
  std::string css;
  for (int i = 0; i < 3000; ++i) css += ".c" + std::to_string(i) + "{color:red}\n";
  Write("root/css/big.css", css);
  StaticDir::Options o;
  o.inline_compress_max = 4096;
  StaticDir dir(base_ / "root", o);
  std::optional<Response> first = dir.Serve(Get(), "css/big.css");
  ASSERT_TRUE(first.has_value());
  EXPECT_EQ(first->BodyView(), css);
  EXPECT_FALSE(first->gzip_body);  // sent as it is rather than compressed on this thread
  EXPECT_FALSE(first->brotli_body);
  dir.WaitForBackground();
  std::optional<Response> later = dir.Serve(Get(), "css/big.css");
  ASSERT_TRUE(later.has_value());
  ASSERT_TRUE(later->gzip_body);
  ASSERT_TRUE(later->brotli_body);
  EXPECT_EQ(BrotliDecompress(*later->brotli_body).value_or(""), css);
  // Preloaded files are compressed before their first request.
  Write("root/css/other.css", css + "/* other */");
  dir.Preload({"css/other.css"}, /*wait=*/true);
  EXPECT_TRUE(dir.Serve(Get(), "css/other.css")->gzip_body);
}

}  // namespace
}  // namespace coolpapers::web

namespace coolpapers::web {
namespace {

TEST(GlobMatchTest, StarStaysWithinOneSegment) {
  EXPECT_TRUE(GlobMatch("fonts/*.woff2", "fonts/KaTeX_Main-Regular.woff2"));
  EXPECT_TRUE(GlobMatch("katex.min.js", "katex.min.js"));
  EXPECT_FALSE(GlobMatch("katex.min.js", "katex.js"));
  EXPECT_FALSE(GlobMatch("fonts/*.woff2", "fonts/sub/x.woff2"));
  EXPECT_FALSE(GlobMatch("fonts/*.woff2", "fonts/x.woff"));
  EXPECT_FALSE(GlobMatch("cmaps/*.bcmap", "cmaps/../x.bcmap/y"));
  EXPECT_TRUE(GlobMatch("*", "a"));
  EXPECT_FALSE(GlobMatch("*", "a/b"));
}

}  // namespace
}  // namespace coolpapers::web
