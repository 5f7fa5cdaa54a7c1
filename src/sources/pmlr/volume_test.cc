#include "sources/pmlr/volume.h"

#include <gtest/gtest.h>

#include "core/fixture_path.h"

namespace coolpapers::sources::pmlr {
namespace {

TEST(PmlrVolumeTest, ReadsTheRealIcml2024Excerpt) {
  std::string bib = testing::ReadFixture("venues/pmlr/icml24.excerpt.bib");
  ASSERT_FALSE(bib.empty());
  auto v = ParseVolumeBib(bib, "icml24.bib");
  ASSERT_TRUE(v.has_value()) << v.error().ToString();
  EXPECT_EQ(v->shortname, "ICML");
  EXPECT_EQ(v->year, 2024);
  EXPECT_EQ(v->number, 235);
  EXPECT_EQ(v->edition, "ICML.2024");
  EXPECT_EQ(v->booktitle, "Proceedings of the 41st International Conference on Machine Learning");
  ASSERT_EQ(v->papers.size(), 10u);
  EXPECT_TRUE(v->skipped.empty());

  const core::VenuePaper& first = v->papers[0];
  EXPECT_EQ(first.id, "abadrocamora24a@v235@PMLR");
  EXPECT_EQ(first.venue, "ICML.2024");
  EXPECT_EQ(first.group, "Main");
  EXPECT_EQ(first.title, "Revisiting Character-level Adversarial Attacks for Language Models");
  ASSERT_EQ(first.authors.size(), 5u);
  EXPECT_EQ(first.authors[0], "Elias Abad Rocamora");
  EXPECT_EQ(first.pages, "1-30");
  EXPECT_EQ(first.pdf_url,
            "https://proceedings.mlr.press/v235/abadrocamora24a/abadrocamora24a.pdf");
  EXPECT_EQ(first.page_url, "https://proceedings.mlr.press/v235/abadrocamora24a.html");
  ASSERT_EQ(first.other_ids.size(), 1u);
  EXPECT_EQ(first.other_ids[0], "AZWqXfM6z9@OpenReview");
  for (size_t i = 0; i < v->papers.size(); ++i) EXPECT_EQ(v->papers[i].position, int(i));
}

TEST(PmlrVolumeTest, TitlesAuthorsAndAbstractsReadAsText) {
  auto v = ParseVolumeBib(testing::ReadFixture("venues/pmlr/icml24.excerpt.bib"), "icml24.bib");
  ASSERT_TRUE(v.has_value());
  ASSERT_EQ(v->papers.size(), 10u);
  EXPECT_EQ(v->papers[2].title,
            "InferCept: Efficient Intercept Support for Augmented Large Language Model Inference");
  EXPECT_EQ(v->papers[4].title, "CHAI: Clustered Head Attention for Efficient LLM Inference");
  EXPECT_EQ(v->papers[5].authors.at(1), "Markus Bläser");
  EXPECT_EQ(v->papers[6].title, "The Non-linear $F$-Design and Applications to Interactive Learning");
  // HTML emphasis in PMLR abstracts is dropped, TeX math kept for KaTeX.
  EXPECT_NE(v->papers[1].abstract.find("achieves last-iterate convergence"), std::string::npos);
  EXPECT_EQ(v->papers[1].abstract.find("<em>"), std::string::npos);
  EXPECT_NE(v->papers[3].abstract.find(R"($P\subset \mathbb{R}^d$)"), std::string::npos);
}

TEST(PmlrVolumeTest, WithoutAProceedingsHeaderTheFileIsRefusedNamingIt) {
  auto v = ParseVolumeBib("@InProceedings{a24a, title={T}}", "some.bib");
  ASSERT_FALSE(v.has_value());
  EXPECT_NE(v.error().ToString().find("some.bib: no @Proceedings header"), std::string::npos);

  auto bad = ParseVolumeBib("@Proceedings{X, shortname={ICML}, year={24}, volume={235}}",
                            "v.bib");
  ASSERT_FALSE(bad.has_value());
  EXPECT_NE(bad.error().ToString().find("v.bib:1: the @Proceedings header needs"),
            std::string::npos);
}

TEST(PmlrVolumeTest, UnusableEntriesAreSkippedWithTheirLine) {
  auto v = ParseVolumeBib(
      "@Proceedings{C, shortname={COLT}, year={2023}, volume={195}}\n"
      "@InProceedings{ok23a, title={Fine}, author={Doe, J.}, openreview={bad id!}}\n"
      "@InProceedings{notitle23a, author={Doe, J.}}\n"
      "@InProceedings{../x, title={Path}}\n",
      "colt23.bib");
  ASSERT_TRUE(v.has_value());
  ASSERT_EQ(v->papers.size(), 1u);
  EXPECT_EQ(v->papers[0].id, "ok23a@v195@PMLR");
  EXPECT_EQ(v->papers[0].venue, "COLT.2023");
  EXPECT_TRUE(v->papers[0].other_ids.empty());
  ASSERT_EQ(v->skipped.size(), 2u);
  EXPECT_EQ(v->skipped[0], "colt23.bib:3: @InProceedings{notitle23a has no title");
  EXPECT_EQ(v->skipped[1], "colt23.bib:4: unusable key \"../x\"");
}

}  // namespace
}  // namespace coolpapers::sources::pmlr
