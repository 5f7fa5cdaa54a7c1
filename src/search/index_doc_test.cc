#include "search/index_doc.h"

#include <gtest/gtest.h>

namespace coolpapers::search {
namespace {

IndexDoc FullDoc() {
  IndexDoc d;
  d.id = "2403.01234";
  d.version = 3;
  d.title = "Graph Neural Networks for \"Ünïcode\" titles — 图神经网络";
  d.abstract = std::string(300, 'a') + "\nsecond line\twith a tab";
  d.authors = {"Ada Lovelace", "Alan Turing", ""};
  d.categories = {"cs.LG", "stat.ML"};
  d.date = "2024-03-02 17:00:00";
  d.stars = 1234567890123;
  d.keywords = {"graph", "neural", "unicode"};
  d.venue = "ICLR.2024";
  d.extra_text = "indexed only";
  return d;
}

void ExpectSameStoredFields(const IndexDoc& a, const IndexDoc& b) {
  EXPECT_EQ(a.id, b.id);
  EXPECT_EQ(a.version, b.version);
  EXPECT_EQ(a.title, b.title);
  EXPECT_EQ(a.abstract, b.abstract);
  EXPECT_EQ(a.authors, b.authors);
  EXPECT_EQ(a.categories, b.categories);
  EXPECT_EQ(a.date, b.date);
  EXPECT_EQ(a.stars, b.stars);
  EXPECT_EQ(a.keywords, b.keywords);
  EXPECT_EQ(a.venue, b.venue);
}

TEST(IndexDocTest, StoredFormRoundTripsEveryShownField) {
  const IndexDoc d = FullDoc();
  auto back = ParseDoc(SerializeDoc(d));
  ASSERT_TRUE(back.has_value());
  ExpectSameStoredFields(d, *back);
  EXPECT_EQ(back->extra_text, "");  // searchable only, never stored

  IndexDoc minimal;
  minimal.id = "x@ACL";
  minimal.stars = -5;  // a negative total survives too
  back = ParseDoc(SerializeDoc(minimal));
  ASSERT_TRUE(back.has_value());
  ExpectSameStoredFields(minimal, *back);
}

TEST(IndexDocTest, InvalidUtf8IsStoredReplaced) {
  IndexDoc d = FullDoc();
  d.title = "bad \xff\xfe bytes";
  auto back = ParseDoc(SerializeDoc(d));
  ASSERT_TRUE(back.has_value());
  EXPECT_NE(back->title, d.title);
  EXPECT_NE(back->title.find("bad "), std::string::npos);
  EXPECT_EQ(back->title.find('\xff'), std::string::npos);
}

// Indexes written before the binary form stored JSON; they are read without a rebuild.
TEST(IndexDocTest, ReadsTheJsonFormOfEarlierIndexes) {
  const std::string json =
      R"({"id":"2401.00001","v":2,"t":"A title","a":"An abstract","au":["A B"],)"
      R"("c":["cs.CL","cs"],"d":"2024-01-02","s":7,"k":["title"],"vn":"ACL.2024"})";
  auto d = ParseDoc(json);
  ASSERT_TRUE(d.has_value());
  EXPECT_EQ(d->id, "2401.00001");
  EXPECT_EQ(d->version, 2);
  EXPECT_EQ(d->title, "A title");
  EXPECT_EQ(d->authors, std::vector<std::string>{"A B"});
  EXPECT_EQ(d->categories.size(), 2u);
  EXPECT_EQ(d->stars, 7);
  EXPECT_EQ(d->venue, "ACL.2024");
}

// A stored document cut short at any byte, or with bytes after its end, is refused (never
// read past its end, never a crash).
TEST(IndexDocTest, TruncatedOrPaddedDataIsRefused) {
  const std::string full = SerializeDoc(FullDoc());
  ASSERT_GT(full.size(), 300u);
  int refused = 0;
  for (size_t n = 0; n < full.size(); ++n) {
    if (!ParseDoc(full.substr(0, n)).has_value()) ++refused;
  }
  EXPECT_EQ(refused, static_cast<int>(full.size()));
  EXPECT_FALSE(ParseDoc(full + "x").has_value());
  EXPECT_FALSE(ParseDoc("").has_value());
  EXPECT_FALSE(ParseDoc("not a document").has_value());
  // A length far past the end (a corrupt varint) is refused, not allocated.
  std::string huge = "\x01\xff\xff\xff\xff\xff\xff\xff\xff\x7f";
  EXPECT_FALSE(ParseDoc(huge).has_value());
}

}  // namespace
}  // namespace coolpapers::search
