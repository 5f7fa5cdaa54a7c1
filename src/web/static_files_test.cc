#include "web/static_files.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "web/compression.h"

namespace coolpapers::web {
namespace {

namespace fs = std::filesystem;

class StaticDirTest : public ::testing::Test {
 protected:
  void SetUp() override {
    base_ = fs::temp_directory_path() /
            ("cp_static_" + std::to_string(::getpid()) + "_" +
             ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(base_);
    fs::create_directories(base_ / "root/css");
    fs::create_directories(base_ / "outside");
    Write("root/css/style.css", std::string(5000, 'a') + "{color:red}");
    Write("root/app.js", "export const x = 1;\n");
    Write("root/.hidden", "secret");
    Write("outside/secret.txt", "top secret");
    fs::create_symlink(base_ / "outside/secret.txt", base_ / "root/link.txt");
    fs::create_symlink(base_ / "root/app.js", base_ / "root/inside_link.js");
  }
  void TearDown() override { fs::remove_all(base_); }

  void Write(const std::string& rel, const std::string& data) {
    std::ofstream(base_ / rel, std::ios::binary) << data;
  }
  Request Get(std::string query = "") {
    Request r;
    r.method = "GET";
    if (!query.empty()) r.query.emplace(query, "1");
    return r;
  }

  fs::path base_;
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

}  // namespace
}  // namespace coolpapers::web
