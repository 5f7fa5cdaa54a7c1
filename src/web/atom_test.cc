#include "web/atom.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <pugixml.hpp>

namespace coolpapers::web {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

TEST(AtomTimestampTest, Forms) {
  EXPECT_EQ(AtomTimestamp("2026-06-30 17:59:01"), "2026-06-30T17:59:01Z");
  EXPECT_EQ(AtomTimestamp("2026-06-30T17:59:01Z"), "2026-06-30T17:59:01Z");
  EXPECT_EQ(AtomTimestamp("2026-06-30"), "2026-06-30T00:00:00Z");
  EXPECT_EQ(AtomTimestamp("2026-06-30 xx:yy"), "2026-06-30T00:00:00Z");
  EXPECT_EQ(AtomTimestamp(""), "1970-01-01T00:00:00Z");
  EXPECT_EQ(AtomTimestamp("June 30", "F"), "F");
}

AtomFeed SampleFeed() {
  core::Paper p;
  p.id = "2606.00001";
  p.version = 3;
  p.title = "A <b>bold</b> & $x<y$ title\x01";
  p.abstract = "Abstract ]]> & <script>";
  p.authors = {"Ada & Co", "Alan <Turing>"};
  p.categories = {"cs.CL", "cs.LG"};
  p.published = "2026-06-29 17:59:01";
  AtomFeed feed;
  feed.id = "http://h/arxiv/cs.CL/feed";
  feed.self_link = feed.id;
  feed.alternate_link = "http://h/arxiv/cs.CL?x=1&y=2";
  feed.title = "cs.CL & friends";
  feed.subtitle = "day";
  feed.updated = "2026-06-30T00:00:00Z";
  feed.author_name = "coolpapers";
  feed.entries.push_back(AtomEntryForPaper(p, "http://h/", "2026-06-30"));
  return feed;
}

TEST(AtomFeedTest, ParsesAsAtomWithEscapedText) {
  std::string xml = RenderAtomFeed(SampleFeed());
  EXPECT_THAT(xml, Not(HasSubstr("<b>")));
  EXPECT_THAT(xml, Not(HasSubstr("<script>")));
  EXPECT_THAT(xml, Not(HasSubstr("\x01")));
  pugi::xml_document doc;
  pugi::xml_parse_result ok = doc.load_string(xml.c_str());
  ASSERT_TRUE(ok) << ok.description();
  pugi::xml_node feed = doc.child("feed");
  ASSERT_TRUE(feed);
  EXPECT_STREQ(feed.attribute("xmlns").value(), "http://www.w3.org/2005/Atom");
  EXPECT_STREQ(feed.child_value("title"), "cs.CL & friends");
  EXPECT_STREQ(feed.child_value("id"), "http://h/arxiv/cs.CL/feed");
  EXPECT_STREQ(feed.child_value("updated"), "2026-06-30T00:00:00Z");
  EXPECT_STREQ(feed.find_child_by_attribute("link", "rel", "self").attribute("href").value(),
               "http://h/arxiv/cs.CL/feed");
  EXPECT_STREQ(feed.find_child_by_attribute("link", "rel", "alternate").attribute("href").value(),
               "http://h/arxiv/cs.CL?x=1&y=2");
  EXPECT_STREQ(feed.child("author").child_value("name"), "coolpapers");

  pugi::xml_node entry = feed.child("entry");
  ASSERT_TRUE(entry);
  EXPECT_STREQ(entry.child_value("id"), "https://arxiv.org/abs/2606.00001");
  EXPECT_STREQ(entry.child_value("title"), "A <b>bold</b> & $x<y$ title");
  EXPECT_STREQ(entry.child_value("published"), "2026-06-29T17:59:01Z");
  EXPECT_STREQ(entry.child_value("updated"), "2026-06-29T17:59:01Z");
  EXPECT_STREQ(entry.child("link").attribute("href").value(), "http://h/arxiv/2606.00001");
  EXPECT_STREQ(entry.child_value("summary"), "Abstract ]]> & <script>");
  EXPECT_STREQ(entry.child("author").child_value("name"), "Ada & Co");
  EXPECT_STREQ(entry.child("author").next_sibling("author").child_value("name"), "Alan <Turing>");
  EXPECT_STREQ(entry.child("category").attribute("term").value(), "cs.CL");
}

TEST(AtomFeedTest, EntryDatesFallBackToTheDay) {
  core::Paper p;
  p.id = "hep-th/9901001";
  AtomEntry e = AtomEntryForPaper(p, "http://h", "1999-01-04");
  EXPECT_EQ(e.updated, "1999-01-04T00:00:00Z");
  EXPECT_EQ(e.published, "");
  EXPECT_EQ(e.link, "http://h/arxiv/hep-th/9901001");
  AtomFeed feed;
  feed.entries.push_back(e);
  std::string xml = RenderAtomFeed(feed);
  EXPECT_THAT(xml, Not(HasSubstr("<published>")));
  pugi::xml_document doc;
  ASSERT_TRUE(doc.load_string(xml.c_str()));
}

}  // namespace
}  // namespace coolpapers::web
