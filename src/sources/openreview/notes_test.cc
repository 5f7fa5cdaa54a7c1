#include "sources/openreview/notes.h"

#include <gtest/gtest.h>

#include "core/fixture_path.h"

namespace coolpapers::sources::openreview {
namespace {

constexpr char kIclr2023[] = "ICLR.cc/2023/Conference";

TEST(OpenReviewNotesTest, KeepsTheAcceptedPapersOfTheConference) {
  std::string body = testing::ReadFixture("venues/openreview/iclr2023.notes.json");
  ASSERT_FALSE(body.empty());
  auto page = ParseNotes(body, kIclr2023, "iclr2023.notes.json");
  ASSERT_TRUE(page.has_value()) << page.error().ToString();
  EXPECT_EQ(page->notes, 9u);
  EXPECT_EQ(page->count, 9);
  ASSERT_EQ(page->accepted.size(), 6u);  // the posters; 2 rejected and 1 withdrawn are not
  EXPECT_EQ(page->not_accepted, 3);
  EXPECT_TRUE(page->skipped.empty());

  const core::VenuePaper& p = page->accepted[0];
  EXPECT_EQ(p.id, "VWqiPBB_EM@OpenReview");
  EXPECT_EQ(p.venue, "ICLR.2023");
  EXPECT_EQ(p.group, "Poster");
  EXPECT_EQ(p.title,
            "$O(T^{-1})$ Convergence of Optimistic-Follow-the-Regularized-Leader in Two-Player "
            "Zero-Sum Markov Games");
  EXPECT_EQ(p.authors, (std::vector<std::string>{"Yuepeng Yang", "Cong Ma"}));
  EXPECT_EQ(p.pdf_url, "https://openreview.net/pdf?id=VWqiPBB_EM");
  EXPECT_EQ(p.page_url, "https://openreview.net/forum?id=VWqiPBB_EM");
  for (size_t i = 0; i < page->accepted.size(); ++i) {
    EXPECT_EQ(page->accepted[i].position, int(i));
    EXPECT_EQ(page->accepted[i].venue, "ICLR.2023");
  }
}

TEST(OpenReviewNotesTest, ReadsApiV1PlainValuesAndContinuesPositions) {
  auto page = ParseNotes(R"({"notes": [
      {"id": "abc123", "content": {"title": "Plain", "authors": ["A B", 7, ""],
       "venue": "NeurIPS 2023 spotlight", "venueid": "NeurIPS.cc/2023/Conference",
       "abstract": "  Text   here "}}]})",
                         "NeurIPS.cc/2023/Conference", "p2.json", 1000);
  ASSERT_TRUE(page.has_value());
  ASSERT_EQ(page->accepted.size(), 1u);
  EXPECT_EQ(page->count, -1);
  const core::VenuePaper& p = page->accepted[0];
  EXPECT_EQ(p.id, "abc123@OpenReview");
  EXPECT_EQ(p.venue, "NeurIPS.2023");
  EXPECT_EQ(p.group, "Spotlight");
  EXPECT_EQ(p.authors, (std::vector<std::string>{"A B"}));
  EXPECT_EQ(p.abstract, "Text here");
  EXPECT_EQ(p.position, 1000);
}

TEST(OpenReviewNotesTest, UnusableNotesAreSkippedAndBadResponsesRefused) {
  auto page = ParseNotes(R"({"notes": [1, {"id": "a/b", "content": {}},
      {"id": "ok1", "content": {"title": {"value": ""}}},
      {"id": "ok2", "content": "x"}]})",
                         kIclr2023, "page.json");
  ASSERT_TRUE(page.has_value());
  EXPECT_TRUE(page->accepted.empty());
  ASSERT_EQ(page->skipped.size(), 4u);
  EXPECT_EQ(page->skipped[0], "page.json: note 0: not an object");
  EXPECT_EQ(page->skipped[1], "page.json: note 1: no usable id");
  EXPECT_EQ(page->skipped[2], "page.json: note 2: id ok1: no title");
  EXPECT_EQ(page->skipped[3], "page.json: note 3: id ok2: content is not an object");

  for (const char* bad : {"", "<html>rate limited</html>", "{\"notes\": {}}", "[1,2]",
                          "{\"notes\": [ {\"id\": "}) {
    auto r = ParseNotes(bad, kIclr2023, "resp.json");
    ASSERT_FALSE(r.has_value()) << bad;
    EXPECT_NE(r.error().ToString().find("resp.json: not an OpenReview notes response"),
              std::string::npos);
  }
  auto no_edition = ParseNotes("{\"notes\": []}", "TMLR", "x.json");
  ASSERT_FALSE(no_edition.has_value());
  EXPECT_NE(no_edition.error().ToString().find("venue id \"TMLR\""), std::string::npos);
}

TEST(OpenReviewNotesTest, NamesEditionsGroupsAndRequests) {
  EXPECT_EQ(EditionOfVenueId("ICLR.cc/2024/Conference"), "ICLR.2024");
  EXPECT_EQ(EditionOfVenueId("NeurIPS.cc/2023/Conference"), "NeurIPS.2023");
  EXPECT_EQ(EditionOfVenueId("colmweb.org/COLM/2024/Conference"), "");
  EXPECT_EQ(EditionOfVenueId("ICML.cc/24/Conference"), "");
  EXPECT_EQ(EditionOfVenueId("/2024/x"), "");
  EXPECT_EQ(GroupOfVenue("ICLR 2024 oral"), "Oral");
  EXPECT_EQ(GroupOfVenue("ICLR 2023 notable top 5%"), "Notable top 5%");
  EXPECT_EQ(GroupOfVenue("ICLR 2024"), "Main");
  EXPECT_EQ(GroupOfVenue(""), "Main");
  EXPECT_EQ(NotesUrl("", "ICLR.cc/2024/Conference", 1000, 1000),
            "https://api2.openreview.net/notes?content.venueid=ICLR.cc%2F2024%2FConference"
            "&offset=1000&limit=1000");
  EXPECT_EQ(NotesUrl("http://127.0.0.1:9/", "A B", 0, 5),
            "http://127.0.0.1:9/notes?content.venueid=A%20B&offset=0&limit=5");
}

}  // namespace
}  // namespace coolpapers::sources::openreview
