#include "sources/cvf/openaccess.h"

#include <gtest/gtest.h>

#include "core/fixture_path.h"

namespace coolpapers::sources::cvf {
namespace {

constexpr const char* kFixture = "venues/cvf/CVPR2024.excerpt.html";

TEST(CvfOpenAccessTest, ReadsEveryPaperOfTheRealListing) {
  std::string html = testing::ReadFixture(kFixture);
  ASSERT_FALSE(html.empty());
  auto l = ParseListing(html, "CVPR2024.html");
  ASSERT_TRUE(l.has_value()) << l.error().ToString();
  ASSERT_EQ(l->papers.size(), 21u);
  EXPECT_TRUE(l->skipped.empty());
  EXPECT_EQ(l->edition, "CVPR.2024");
  for (size_t i = 0; i < l->papers.size(); ++i) {
    const core::VenuePaper& p = l->papers[i];
    EXPECT_EQ(p.position, int(i));
    EXPECT_EQ(p.venue, "CVPR.2024");
    EXPECT_EQ(p.group, "Main");
    EXPECT_FALSE(p.authors.empty()) << p.id;
    EXPECT_TRUE(p.pdf_url.rfind("https://openaccess.thecvf.com/content/CVPR2024/papers/", 0) == 0)
        << p.pdf_url;
    EXPECT_NE(p.id.find("_CVPR_2024_paper@CVPR2024@CVF"), std::string::npos) << p.id;
  }

  const core::VenuePaper& first = l->papers[0];
  EXPECT_EQ(first.id,
            "Zeng_Unmixing_Diffusion_for_Self-Supervised_Hyperspectral_Image_Denoising_CVPR_2024_"
            "paper@CVPR2024@CVF");
  EXPECT_EQ(first.title, "Unmixing Diffusion for Self-Supervised Hyperspectral Image Denoising");
  ASSERT_EQ(first.authors.size(), 6u);
  EXPECT_EQ(first.authors[0], "Haijin Zeng");
  EXPECT_EQ(first.authors[5], "Wilfried Philips");
  EXPECT_EQ(first.page_url,
            "https://openaccess.thecvf.com/content/CVPR2024/html/"
            "Zeng_Unmixing_Diffusion_for_Self-Supervised_Hyperspectral_Image_Denoising_CVPR_2024_"
            "paper.html");
  EXPECT_EQ(first.pdf_url,
            "https://openaccess.thecvf.com/content/CVPR2024/papers/"
            "Zeng_Unmixing_Diffusion_for_Self-Supervised_Hyperspectral_Image_Denoising_CVPR_2024_"
            "paper.pdf");
  EXPECT_EQ(first.pages, "27820-27830");
  EXPECT_TRUE(first.other_ids.empty());  // no arXiv link on the page
}

TEST(CvfOpenAccessTest, ArxivLinksBecomeOtherIdsAndNamesKeepTheirLetters) {
  auto l = ParseListing(testing::ReadFixture(kFixture), "f");
  ASSERT_TRUE(l.has_value());
  ASSERT_EQ(l->papers.size(), 21u);
  const core::VenuePaper& seeing = l->papers[1];
  EXPECT_EQ(seeing.title, "Seeing the World through Your Eyes");
  ASSERT_EQ(seeing.other_ids.size(), 1u);
  EXPECT_EQ(seeing.other_ids[0], "arXiv:2306.09348");
  ASSERT_EQ(seeing.authors.size(), 5u);
  EXPECT_EQ(seeing.authors[3], "Christopher A. Metzler");
  EXPECT_EQ(seeing.authors[4], "Jia-Bin Huang");

  const core::VenuePaper& heal = l->papers[6];
  EXPECT_EQ(heal.title, "HEAL-SWIN: A Vision Transformer On The Sphere");
  ASSERT_EQ(heal.authors.size(), 7u);
  EXPECT_EQ(heal.authors[3], "Heiner Spie\xc3\x9f");  // ß
  EXPECT_EQ(heal.pages, "6067-6077");
  EXPECT_TRUE(heal.other_ids.empty());

  const core::VenuePaper& fan = l->papers[8];
  EXPECT_EQ(fan.authors.size(), 11u);
  EXPECT_EQ(l->papers[10].title, "Unsupervised Blind Image Deblurring Based on Self-Enhancement");
  int with_arxiv = 0;
  for (const auto& p : l->papers) with_arxiv += p.other_ids.empty() ? 0 : 1;
  EXPECT_EQ(with_arxiv, 12);
  const core::VenuePaper& last = l->papers[20];
  EXPECT_EQ(last.id,
            "Li_Focus_on_Hiders_Exploring_Hidden_Threats_for_Enhancing_Adversarial_Training_CVPR_"
            "2024_paper@CVPR2024@CVF");
  EXPECT_EQ(last.other_ids, std::vector<std::string>{"arXiv:2312.07067"});
  EXPECT_EQ(last.pages, "24442-24451");
}

TEST(CvfOpenAccessTest, EntitiesAndWhitespaceAreCleanedAndWorkshopsGrouped) {
  auto l = ParseListing(R"(<dl>
<dt class="ptitle"><br><a href="/content/CVPR2024W/ABAW/html/Li_Faces_&amp;_Feelings_CVPRW_2024_paper.html">
  Faces &amp;   Feelings:&#32;A&nbsp;Study </a></dt>
<dd><form class="authsearch"><input type="hidden" name="query_author" value=" Ana  L&oacute;pez "></form></dd>
<dd>[<a href="/content/CVPR2024W/ABAW/papers/Li_Faces_&amp;_Feelings_CVPRW_2024_paper.pdf">pdf</a>]</dd>
</dl>)",
                        "ws.html");
  // '&' is no stem character, so that entry is skipped; a clean one is kept below.
  ASSERT_FALSE(l.has_value());
  EXPECT_NE(l.error().ToString().find("ws.html: none of its 1 entries"), std::string::npos)
      << l.error().ToString();

  auto ok = ParseListing(R"(<dl>
<dt class="ptitle"><br><a href="/content/CVPR2024W/ABAW/html/Li_Faces_CVPRW_2024_paper.html">
  Faces &amp;   Feelings:&#32;A&nbsp;Study </a></dt>
<dd><form class="authsearch"><input type="hidden" name="query_author" value=" Ana  L&oacute;pez "></form></dd>
</dl>)",
                         "ws.html");
  ASSERT_TRUE(ok.has_value()) << ok.error().ToString();
  ASSERT_EQ(ok->papers.size(), 1u);
  const core::VenuePaper& p = ok->papers[0];
  EXPECT_EQ(p.id, "Li_Faces_CVPRW_2024_paper@CVPR2024W@CVF");
  EXPECT_EQ(p.venue, "CVPR.2024");
  EXPECT_EQ(p.group, "ABAW");
  EXPECT_EQ(p.title, "Faces & Feelings: A\xc2\xa0Study");  // nbsp is not collapsed away
  ASSERT_EQ(p.authors.size(), 1u);
  EXPECT_EQ(p.authors[0], "Ana L\xc3\xb3pez");
  // No pdf link: the PDF is where CVF keeps it, beside html/.
  EXPECT_EQ(p.pdf_url,
            "https://openaccess.thecvf.com/content/CVPR2024W/ABAW/papers/"
            "Li_Faces_CVPRW_2024_paper.pdf");
}

TEST(CvfOpenAccessTest, UnusableEntriesAreSkippedNamingFileAndEntry) {
  auto l = ParseListing(R"(<dl>
<dt class="ptitle"><br><a href="/content/ICCV2023/html/A_Kept_ICCV_2023_paper.html">Kept</a></dt>
<dd>Ann Author, Bob Builder</dd>
<dt class="ptitle"><br>No link at all</dt>
<dt class="ptitle"><br><a href="/content/ICCV2023/html/../../etc/passwd.html">Climbing</a></dt>
<dt class="ptitle"><br><a href="/content/CVPR2024/html/B_Other_CVPR_2024_paper.html">Other year</a></dt>
<dt class="ptitle"><br><a href="/content/ICCV2023/html/C_Empty_ICCV_2023_paper.html"> </a></dt>
</dl>)",
                        "iccv.html");
  ASSERT_TRUE(l.has_value()) << l.error().ToString();
  ASSERT_EQ(l->papers.size(), 1u);
  EXPECT_EQ(l->edition, "ICCV.2023");
  EXPECT_EQ(l->papers[0].id, "A_Kept_ICCV_2023_paper@ICCV2023@CVF");
  ASSERT_EQ(l->papers[0].authors.size(), 2u);  // plain-text author list of older pages
  EXPECT_EQ(l->papers[0].authors[1], "Bob Builder");
  ASSERT_EQ(l->skipped.size(), 4u);
  EXPECT_EQ(l->skipped[0], "iccv.html: entry 2 (\"No link at all\"): no link to the paper's page");
  EXPECT_NE(l->skipped[1].find("iccv.html: entry 3 (\"Climbing\"): the link"), std::string::npos);
  EXPECT_EQ(l->skipped[2],
            "iccv.html: entry 4 (\"Other year\"): of CVPR.2024, not ICCV.2023 like the page's "
            "first paper");
  EXPECT_EQ(l->skipped[3], "iccv.html: entry 5 (\"\"): no title");
}

TEST(CvfOpenAccessTest, MalformedInputIsAnErrorNamingTheFile) {
  for (std::string_view bad : {std::string_view(""), std::string_view("<rss><channel/></rss>"),
                               std::string_view("@InProceedings{x, title = {T}}"),
                               std::string_view("\x00\xff\xfe<dt", 6)}) {
    auto l = ParseListing(bad, "page.html");
    ASSERT_FALSE(l.has_value());
    EXPECT_NE(l.error().ToString().find("page.html: no paper entries"), std::string::npos)
        << l.error().ToString();
  }
  // A page cut short inside an entry still yields the entries before it.
  std::string html = testing::ReadFixture(kFixture);
  auto cut = ParseListing(html.substr(0, html.find("Seeing the World") + 6), "cut.html");
  ASSERT_TRUE(cut.has_value()) << cut.error().ToString();
  ASSERT_EQ(cut->papers.size(), 2u);
  EXPECT_EQ(cut->papers[1].title, "Seeing");
}

TEST(CvfOpenAccessTest, PathsOfPapersAndListings) {
  auto p = ParsePaperPath("/content/WACV2024/papers/Zhang_Object_WACV_2024_paper.pdf");
  ASSERT_TRUE(p.has_value());
  EXPECT_EQ(p->Id(), "Zhang_Object_WACV_2024_paper@WACV2024@CVF");
  EXPECT_EQ(p->Edition(), "WACV.2024");
  auto old = ParsePaperPath("content_cvpr_2018/html/He_Deep_CVPR_2018_paper.html");
  ASSERT_TRUE(old.has_value());
  EXPECT_EQ(old->Id(), "He_Deep_CVPR_2018_paper@CVPR2018@CVF");
  EXPECT_EQ(old->Group(), "Main");
  EXPECT_FALSE(ParsePaperPath("/content/CVPR2024/extra/html/X_paper.html").has_value());
  EXPECT_FALSE(ParsePaperPath("/content/CVPR2024/html/..x.html").has_value());
  EXPECT_FALSE(ParsePaperPath("/content/CVPR2024/supplemental/X_supplemental.pdf").has_value());
  EXPECT_FALSE(ParsePaperPath("/menu").has_value());
  EXPECT_EQ(EditionOfListingPath("/CVPR2024"), "CVPR.2024");
  EXPECT_EQ(EditionOfListingPath("/iccv2023/"), "ICCV.2023");
  EXPECT_EQ(EditionOfListingPath("/menu"), "");
  EXPECT_EQ(EditionOfListingPath("/CVPR2024/extra"), "");
}

}  // namespace
}  // namespace coolpapers::sources::cvf
