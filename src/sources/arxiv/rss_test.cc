#include "sources/arxiv/rss.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <set>

#include "core/fixture_path.h"

namespace coolpapers::sources::arxiv {
namespace {

using core::AnnounceType;
using testing::ReadFixture;

RssFeed Load(const std::string& path) {
  std::string xml = ReadFixture(path);
  EXPECT_FALSE(xml.empty()) << path;
  auto feed = ParseArxivRss(xml, path);
  EXPECT_TRUE(feed.has_value()) << feed.error().ToString();
  return feed ? *feed : RssFeed{};
}

TEST(ArxivRssTest, ReadsChannelDayAndItemsInOrder) {
  RssFeed feed = Load("arxiv/rss/2026-06-29/cs.CL.xml");
  EXPECT_EQ(feed.day, "2026-06-29");
  ASSERT_EQ(feed.items.size(), 46u);
  EXPECT_EQ(feed.skipped, 0);
  const RssItem& first = feed.items.front();
  EXPECT_EQ(first.type, AnnounceType::kNew);
  EXPECT_EQ(first.version, 1);
  EXPECT_EQ(first.categories.front(), "cs.CL");
  EXPECT_FALSE(first.title.empty());
  EXPECT_FALSE(first.authors.empty());
  EXPECT_EQ(first.abstract.find("Abstract:"), std::string::npos);
  EXPECT_FALSE(first.abstract.empty());
  // New first, then cross-lists.
  auto first_cross = std::find_if(feed.items.begin(), feed.items.end(),
                                  [](const RssItem& i) { return i.type == AnnounceType::kCross; });
  ASSERT_NE(first_cross, feed.items.end());
  EXPECT_TRUE(std::all_of(first_cross, feed.items.end(),
                          [](const RssItem& i) { return i.type == AnnounceType::kCross; }));
  EXPECT_NE(first_cross->categories.front(), "cs.CL");
}

TEST(ArxivRssTest, ReplacementsCarryTheirVersion) {
  RssFeed feed = Load("arxiv/rss/2026-06-30/cs.CL.xml");
  EXPECT_EQ(feed.day, "2026-06-30");
  std::vector<RssItem> replaced;
  for (const auto& i : feed.items) {
    if (i.type == AnnounceType::kReplace || i.type == AnnounceType::kReplaceCross) {
      replaced.push_back(i);
    }
  }
  ASSERT_EQ(replaced.size(), 2u);
  EXPECT_EQ(replaced[0].id, "2606.27378");
  EXPECT_EQ(replaced[0].version, 2);
  EXPECT_EQ(replaced[0].type, AnnounceType::kReplace);
  EXPECT_EQ(replaced[1].type, AnnounceType::kReplaceCross);
}

TEST(ArxivRssTest, WeekendFeedHasADayButNoItems) {
  RssFeed feed = Load("arxiv/rss/2026-06-27/cs.CL.xml");
  EXPECT_EQ(feed.day, "2026-06-27");
  EXPECT_TRUE(feed.items.empty());
}

TEST(ArxivRssTest, MatchesElementsByNamespaceNotPrefix) {
  const char* xml = R"(<?xml version="1.0"?>
<rss version="2.0" xmlns:ax="http://arxiv.org/schemas/atom"
     xmlns:arxiv="urn:not-arxiv" xmlns:d="http://purl.org/dc/elements/1.1/">
 <channel><title>cs.CL updates on arXiv.org</title>
  <pubDate>Mon, 20 Jul 2026 00:00:00 -0400</pubDate>
  <item>
   <title>A &lt;b&gt; title &amp; more</title>
   <description>arXiv:2607.00001v3 Announce Type: new
Abstract: Text.</description>
   <guid isPermaLink="false">oai:arXiv.org:2607.00001v3</guid>
   <category>cs.LG</category><category>cs.CL</category>
   <arxiv:announce_type>new</arxiv:announce_type>
   <ax:announce_type>cross</ax:announce_type>
   <d:creator>Ada Lovelace, Alan Turing</d:creator>
  </item>
 </channel></rss>)";
  auto feed = ParseArxivRss(xml, "inline");
  ASSERT_TRUE(feed.has_value()) << feed.error().ToString();
  EXPECT_EQ(feed->day, "2026-07-20");
  ASSERT_EQ(feed->items.size(), 1u);
  const RssItem& i = feed->items[0];
  EXPECT_EQ(i.id, "2607.00001");
  EXPECT_EQ(i.version, 3);
  EXPECT_EQ(i.type, AnnounceType::kCross);
  EXPECT_EQ(i.title, "A <b> title & more");
  EXPECT_EQ(i.abstract, "Text.");
  EXPECT_EQ(i.authors, (std::vector<std::string>{"Ada Lovelace", "Alan Turing"}));
}

TEST(ArxivRssTest, MalformedXmlIsCorruptionNamingTheUrl) {
  std::string xml = ReadFixture("arxiv/rss/2026-06-29/cs.CL.xml");
  auto feed = ParseArxivRss(xml.substr(0, xml.size() / 2), "http://127.0.0.1:1/rss/cs.CL");
  ASSERT_FALSE(feed.has_value());
  EXPECT_EQ(feed.error().code(), StatusCode::kCorruption);
  EXPECT_NE(feed.error().message().find("http://127.0.0.1:1/rss/cs.CL"), std::string::npos);
}

TEST(ArxivRssTest, NonRssDocumentIsCorruption) {
  auto feed = ParseArxivRss("<html><body>maintenance</body></html>", "u");
  ASSERT_FALSE(feed.has_value());
  EXPECT_EQ(feed.error().code(), StatusCode::kCorruption);
}

TEST(ArxivRssTest, MembershipsPerFollowedCategoryWithNewBeforeCross) {
  RssFeed cl = Load("arxiv/rss/2026-06-29/cs.CL.xml");
  auto ms = MembershipsFromRss(cl, {"cs.CL"});
  ASSERT_EQ(ms.size(), cl.items.size());
  for (size_t i = 0; i < ms.size(); ++i) {
    EXPECT_EQ(ms[i].category, "cs.CL");
    EXPECT_EQ(ms[i].day, "2026-06-29");
    EXPECT_EQ(ms[i].position, static_cast<int>(i));
    EXPECT_EQ(ms[i].paper_id, cl.items[i].id);
    EXPECT_EQ(ms[i].type, cl.items[i].type);
  }
}

TEST(ArxivRssTest, CombinedFeedGivesEachCategoryItsOwnTypes) {
  // A paper new in cs.LG and cross-listed to cs.CL, from a joined cs.CL+cs.LG feed.
  RssFeed feed;
  feed.day = "2026-07-20";
  RssItem a;
  a.id = "2607.00001";
  a.categories = {"cs.LG", "cs.CL"};
  a.type = AnnounceType::kNew;
  RssItem b;
  b.id = "2607.00002";
  b.categories = {"cs.CL"};
  b.type = AnnounceType::kNew;
  RssItem c;
  c.id = "2601.00003";
  c.categories = {"cs.CL", "cs.LG"};
  c.type = AnnounceType::kReplace;
  feed.items = {a, b, c};
  auto ms = MembershipsFromRss(feed, {"cs.CL", "cs.LG"});
  std::map<std::pair<std::string, std::string>, core::Membership> by;
  for (const auto& m : ms) by[{m.category, m.paper_id}] = m;
  ASSERT_EQ(ms.size(), 5u);
  EXPECT_EQ((by[{"cs.LG", "2607.00001"}].type), AnnounceType::kNew);
  EXPECT_EQ((by[{"cs.CL", "2607.00001"}].type), AnnounceType::kCross);
  EXPECT_EQ((by[{"cs.CL", "2607.00002"}].position), 0);  // new before the cross in cs.CL
  EXPECT_EQ((by[{"cs.CL", "2607.00001"}].position), 1);
  EXPECT_EQ((by[{"cs.CL", "2601.00003"}].type), AnnounceType::kReplace);
  EXPECT_EQ((by[{"cs.LG", "2601.00003"}].type), AnnounceType::kReplaceCross);
}

}  // namespace
}  // namespace coolpapers::sources::arxiv
