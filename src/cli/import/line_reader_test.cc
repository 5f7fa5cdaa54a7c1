#include "cli/import/line_reader.h"

#include <gtest/gtest.h>
#include <unistd.h>
#include <zlib.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

namespace coolpapers::cli {
namespace {

constexpr size_t kMiB = size_t{1} << 20;

// Writes `lines` (each followed by "\n") to a plain or gzip file; returns its path.
std::string WriteLines(const std::string& name, const std::vector<std::string>& lines, bool gz) {
  std::string path = std::string(::testing::TempDir()) + "/" + name + "_" +
                     std::to_string(::getpid()) + (gz ? ".jsonl.gz" : ".jsonl");
  if (gz) {
    gzFile f = gzopen(path.c_str(), "wb1");
    for (const std::string& l : lines) {
      gzwrite(f, l.data(), static_cast<unsigned>(l.size()));
      gzwrite(f, "\n", 1);
    }
    gzclose(f);
  } else {
    std::FILE* f = std::fopen(path.c_str(), "wb");
    for (const std::string& l : lines) {
      std::fwrite(l.data(), 1, l.size(), f);
      std::fputc('\n', f);
    }
    std::fclose(f);
  }
  return path;
}

// A 17 MiB line (a JSON string of 'x') between two ordinary ones: it is reported as too long
// with its line number, is never held in memory whole, and the next line is read normally.
void CheckLongLine(bool gz) {
  const std::string huge = "{\"id\": \"2401.00001\", \"abstract\": \"" + std::string(17 * kMiB, 'x') +
                           "\"}";
  std::string path = WriteLines(gz ? "long_gz" : "long_plain",
                                {"{\"id\": \"first\"}", huge, "{\"id\": \"third\"}"}, gz);
  auto reader = LineReader::Open(path);
  ASSERT_TRUE(reader.has_value()) << reader.error().ToString();
  LineReader& r = **reader;
  EXPECT_EQ(r.max_line(), 16 * kMiB);
  std::string_view line;
  size_t allocated = 0;
  std::vector<std::string> seen;
  std::vector<int64_t> too_long_at;
  size_t max_buffer = 0;
  while (r.Next(line, allocated)) {
    max_buffer = std::max(max_buffer, r.buffer_bytes());
    if (r.too_long()) {
      too_long_at.push_back(r.line_number());
      EXPECT_TRUE(line.empty());
      std::string msg = r.TooLongMessage();
      EXPECT_NE(msg.find(path), std::string::npos) << msg;
      EXPECT_NE(msg.find("line 2 "), std::string::npos) << msg;
      EXPECT_NE(msg.find("16 MiB"), std::string::npos) << msg;
      continue;
    }
    seen.emplace_back(line);
  }
  EXPECT_TRUE(r.status().ok()) << r.status().ToString();
  ASSERT_EQ(seen.size(), 2u);
  EXPECT_EQ(seen[0], "{\"id\": \"first\"}");
  EXPECT_EQ(seen[1], "{\"id\": \"third\"}");
  ASSERT_EQ(too_long_at.size(), 1u);
  EXPECT_EQ(too_long_at[0], 2);
  EXPECT_EQ(r.line_number(), 3);
  // Bounded: about twice the limit plus a read chunk, never the whole line plus more.
  EXPECT_LE(max_buffer, 2 * 16 * kMiB + 8 * kMiB);
  std::filesystem::remove(path);
}

TEST(LineReaderTest, LineOverTheLimitIsReportedNotKeptPlain) { CheckLongLine(false); }
TEST(LineReaderTest, LineOverTheLimitIsReportedNotKeptGzip) { CheckLongLine(true); }

TEST(LineReaderTest, SmallLimitAndALongLastLineWithoutNewline) {
  std::string path = std::string(::testing::TempDir()) + "/last_" + std::to_string(::getpid());
  {
    std::FILE* f = std::fopen(path.c_str(), "wb");
    std::fputs("short\n", f);
    std::string tail(5000, 'y');  // no final newline
    std::fwrite(tail.data(), 1, tail.size(), f);
    std::fclose(f);
  }
  auto reader = LineReader::Open(path, 1000);
  ASSERT_TRUE(reader.has_value());
  std::string_view line;
  size_t allocated = 0;
  ASSERT_TRUE((*reader)->Next(line, allocated));
  EXPECT_EQ(line, "short");
  EXPECT_FALSE((*reader)->too_long());
  ASSERT_TRUE((*reader)->Next(line, allocated));
  EXPECT_TRUE((*reader)->too_long());
  EXPECT_NE((*reader)->TooLongMessage().find("longer than 1000 bytes"), std::string::npos);
  EXPECT_FALSE((*reader)->Next(line, allocated));
  std::filesystem::remove(path);
}

TEST(LineReaderTest, LineExactlyAtTheLimitIsRead) {
  std::string path = WriteLines("exact", {std::string(1000, 'z'), "next"}, false);
  auto reader = LineReader::Open(path, 1000);
  ASSERT_TRUE(reader.has_value());
  std::string_view line;
  size_t allocated = 0;
  ASSERT_TRUE((*reader)->Next(line, allocated));
  EXPECT_FALSE((*reader)->too_long());
  EXPECT_EQ(line.size(), 1000u);
  ASSERT_TRUE((*reader)->Next(line, allocated));
  EXPECT_EQ(line, "next");
  std::filesystem::remove(path);
}

// gzip members one after another (as `cat a.gz b.gz` makes) are read as one text; non-gzip
// bytes after the last member are ignored, as zlib does.
TEST(LineReaderTest, ConcatenatedGzipMembersAndTrailingBytes) {
  std::vector<std::string> first, second;
  for (int i = 0; i < 60000; ++i) first.push_back("{\"id\": \"a" + std::to_string(i) + "\"}");
  for (int i = 0; i < 3; ++i) second.push_back("{\"id\": \"b" + std::to_string(i) + "\"}");
  std::string a = WriteLines("member_a", first, true), b = WriteLines("member_b", second, true);
  std::string path = a + ".cat.gz";
  ASSERT_EQ(std::system(("cat " + a + " " + b + " > " + path + " && printf '\\0\\0' >> " + path)
                            .c_str()),
            0);
  auto reader = LineReader::Open(path);
  ASSERT_TRUE(reader.has_value());
  std::vector<std::string> seen;
  std::string_view line;
  size_t allocated = 0;
  while ((*reader)->Next(line, allocated)) seen.emplace_back(line);
  EXPECT_TRUE((*reader)->status().ok()) << (*reader)->status().ToString();
  ASSERT_EQ(seen.size(), first.size() + second.size());
  EXPECT_EQ(seen[0], first[0]);
  EXPECT_EQ(seen[first.size() - 1], first.back());
  EXPECT_EQ(seen.back(), second.back());
  for (const std::string& f : {a, b, path}) std::filesystem::remove(f);
}

// A gzip file cut short or with damaged data: the lines before are read, then the status names
// the file and says it is truncated or corrupt.
TEST(LineReaderTest, TruncatedOrCorruptGzipIsAnErrorNamingTheFile) {
  std::vector<std::string> lines;
  for (int i = 0; i < 20000; ++i) lines.push_back("line " + std::to_string(i * 7919));
  std::string path = WriteLines("cut", lines, true);
  std::string data;
  {
    std::FILE* f = std::fopen(path.c_str(), "rb");
    char buf[4096];
    size_t n;
    while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) data.append(buf, n);
    std::fclose(f);
  }
  for (int damage : {0, 1}) {
    std::string bytes = data.substr(0, damage ? data.size() : data.size() / 2);
    if (damage) {
      for (size_t i = bytes.size() / 3; i < bytes.size() / 3 + 64; ++i) bytes[i] ^= 0x5a;
    }
    std::FILE* f = std::fopen(path.c_str(), "wb");
    std::fwrite(bytes.data(), 1, bytes.size(), f);
    std::fclose(f);
    auto reader = LineReader::Open(path);
    ASSERT_TRUE(reader.has_value());
    std::string_view line;
    size_t allocated = 0;
    while ((*reader)->Next(line, allocated)) {
    }
    const Status& st = (*reader)->status();
    EXPECT_FALSE(st.ok()) << damage;
    EXPECT_NE(st.message().find(path), std::string::npos) << st.message();
    EXPECT_NE(st.message().find("truncated or corrupt"), std::string::npos) << st.message();
  }
  std::filesystem::remove(path);
}

}  // namespace
}  // namespace coolpapers::cli
