// PaperTextLoader: arXiv PDFs from arXiv, venue PDFs from the venue's own host (or the test base
// that replaces it), nothing from any other host, and the abstract when there is no PDF.

#include "llm/paper_text.h"

#include <fstream>
#include <mutex>
#include <sstream>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "net/polite_fetcher.h"

namespace coolpapers::llm {
namespace {

using ::testing::HasSubstr;

// Records every request; answers with the fixture PDF, or 404.
class RecordingFetcher : public net::Fetcher {
 public:
  bool not_found = false;

  Result<net::FetchResponse> Fetch(const net::FetchRequest& req) override {
    {
      std::lock_guard lock(mu_);
      requests_.push_back(req);
    }
    if (not_found) return Err(Status::NotFound("HTTP 404 for " + req.url));
    std::ifstream in(std::string(COOLPAPERS_SOURCE_DIR) + "/tests/fixtures/pdfs/2304.02623v1.pdf",
                     std::ios::binary);
    std::ostringstream out;
    out << in.rdbuf();
    net::FetchResponse r;
    r.http_status = 200;
    r.body = out.str();
    return r;
  }
  std::size_t QueueDepth() const override { return 0; }
  std::vector<net::FetchRequest> requests() {
    std::lock_guard lock(mu_);
    return requests_;
  }

 private:
  std::mutex mu_;
  std::vector<net::FetchRequest> requests_;
};

core::Paper PaperWithId(const std::string& id) {
  core::Paper p;
  p.id = id;
  p.version = 1;
  p.title = "Beyond Summarization";
  p.abstract = "An abstract.";
  return p;
}

PaperTextLoader Loader(net::Fetcher* fetcher, std::string venue_base = "") {
  sources::arxiv::ArxivEndpoints arxiv;
  arxiv.base_url = "http://arxiv.test";
  return PaperTextLoader(fetcher, arxiv, VenuePdfEndpoints{std::move(venue_base)}, {}, 120000);
}

TEST(VenuePaperIdTest, AcceptsTheIdsOfEverySourceAndNamesTheFormOtherwise) {
  for (const char* id : {"2024.acl-long.3@ACL", "agarwal24a@v235@PMLR", "Hyc2TvX2Wu_x@OpenReview",
                         "P19-1001@ACL", "17@2024@IJCAI"}) {
    EXPECT_TRUE(IsVenuePaperId(id)) << id;
    EXPECT_TRUE(CheckVenuePaperId(id).ok()) << id << ": " << CheckVenuePaperId(id).ToString();
  }
  EXPECT_FALSE(IsVenuePaperId("2402.12354"));
  EXPECT_FALSE(IsVenuePaperId("hep-th/9901001"));
  for (const char* id : {"@ACL", "2024.acl-long.3@", "a@@ACL", "a b@ACL", "a/b@ACL", "a@AC-L",
                         "a@ACL?x=1", "<script>@ACL"}) {
    Status st = CheckVenuePaperId(id);
    EXPECT_EQ(st.code(), StatusCode::kInvalidArgument) << id;
    EXPECT_THAT(st.message(), HasSubstr("not a venue paper id")) << id;
    EXPECT_THAT(st.message(), HasSubstr("2024.acl-long.3@ACL")) << id;  // the form, by example
  }
  EXPECT_EQ(CheckVenuePaperId(std::string(300, 'a') + "@ACL").code(),
            StatusCode::kInvalidArgument);
}

TEST(VenuePdfFetchUrlTest, FetchesTheVenuesOwnHostsAsGiven) {
  for (const char* url : {"https://aclanthology.org/2024.acl-long.3.pdf",
                          "https://openreview.net/pdf?id=Hyc2TvX2Wu",
                          "https://proceedings.mlr.press/v235/agarwal24a/agarwal24a.pdf",
                          "https://raw.githubusercontent.com/mlresearch/v235/main/assets/"
                          "agarwal24a/agarwal24a.pdf",
                          "http://www.ijcai.org/proceedings/2024/0017.pdf",
                          "https://openaccess.thecvf.com/content/CVPR2024/papers/X_CVPR_2024_paper.pdf"}) {
    Result<std::string> got = VenuePdfFetchUrl(url, {});
    ASSERT_TRUE(got) << url << ": " << got.error().ToString();
    EXPECT_EQ(*got, url);
  }
  // The host's case does not matter; a fragment is not sent.
  Result<std::string> got = VenuePdfFetchUrl("https://ACLAnthology.org/2024.acl-long.3.pdf#page=2", {});
  ASSERT_TRUE(got) << got.error().ToString();
  EXPECT_EQ(*got, "https://aclanthology.org/2024.acl-long.3.pdf");
}

TEST(VenuePdfFetchUrlTest, RefusesOtherHostsAddressesPortsAndUserInfo) {
  for (const char* url : {"http://127.0.0.1/2024.acl-long.3.pdf",
                          "http://localhost/2024.acl-long.3.pdf",
                          "http://[::1]/x.pdf",
                          "http://169.254.169.254/latest/meta-data/",
                          "https://example.com/paper.pdf",
                          "https://aclanthology.org.evil.example/x.pdf",
                          "https://evil.example/aclanthology.org/x.pdf",
                          "https://aclanthology.org:8443/x.pdf",
                          "https://user:pw@aclanthology.org/x.pdf",
                          "ftp://aclanthology.org/x.pdf",
                          "file:///etc/passwd",
                          "https://raw.githubusercontent.com/someone/else/x.pdf",
                          "/2024.acl-long.3.pdf",
                          "not a url",
                          ""}) {
    Result<std::string> got = VenuePdfFetchUrl(url, {});
    ASSERT_FALSE(got) << url << " was accepted as " << *got;
    EXPECT_EQ(got.error().code(), StatusCode::kPermissionDenied) << url;
    EXPECT_THAT(got.error().message(), HasSubstr("is not fetched")) << url;
  }
}

TEST(VenuePdfFetchUrlTest, TheTestBaseReplacesSchemeAndHostKeepingPathAndQuery) {
  VenuePdfEndpoints fake{"http://127.0.0.1:8123/"};
  EXPECT_EQ(*VenuePdfFetchUrl("https://aclanthology.org/2024.acl-long.3.pdf", fake),
            "http://127.0.0.1:8123/2024.acl-long.3.pdf");
  EXPECT_EQ(*VenuePdfFetchUrl("https://openreview.net/pdf?id=Hyc2TvX2Wu", fake),
            "http://127.0.0.1:8123/pdf?id=Hyc2TvX2Wu");
  EXPECT_EQ(*VenuePdfFetchUrl("https://proceedings.mlr.press/v235/a24a/a24a.pdf", fake),
            "http://127.0.0.1:8123/v235/a24a/a24a.pdf");
  // Only the venues' URLs are redirected: anything else is still refused.
  EXPECT_FALSE(VenuePdfFetchUrl("https://example.com/x.pdf", fake));
  Result<std::string> bad = VenuePdfFetchUrl("https://aclanthology.org/x.pdf", {"127.0.0.1:8123"});
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(bad.error().message(), HasSubstr("COOLPAPERS_VENUE_PDF_BASE"));
}

TEST(PaperTextLoaderTest, VenuePaperPdfComesFromTheVenueWithItsOwnPolitenessGap) {
  RecordingFetcher fetcher;
  PaperTextLoader loader = Loader(&fetcher);
  Result<PaperText> text =
      loader.Load(PaperWithId("2024.acl-long.3@ACL"), "https://aclanthology.org/2024.acl-long.3.pdf");
  ASSERT_TRUE(text) << text.error().ToString();
  EXPECT_EQ(text->source, "pdf");
  EXPECT_THAT(text->text, HasSubstr("Beyond Summarization"));
  std::vector<net::FetchRequest> reqs = fetcher.requests();
  ASSERT_EQ(reqs.size(), 1u);
  EXPECT_EQ(reqs[0].url, "https://aclanthology.org/2024.acl-long.3.pdf");
  EXPECT_EQ(reqs[0].kind, net::FetchKind::kPdf);
  EXPECT_EQ(reqs[0].priority, net::FetchPriority::kReader);
  EXPECT_THAT(reqs[0].what, HasSubstr("2024.acl-long.3@ACL"));
  // The polite fetcher spaces requests per key: the venue's is not arXiv's.
  const std::string arxiv_key = net::PolitenessKey("https://export.arxiv.org/pdf/2402.12354v1");
  for (const char* url : {"https://aclanthology.org/2024.acl-long.3.pdf",
                          "https://openreview.net/pdf?id=x",
                          "https://proceedings.mlr.press/v235/a24a/a24a.pdf"}) {
    EXPECT_NE(net::PolitenessKey(url), arxiv_key) << url;
    EXPECT_NE(net::PolitenessKey(url), "") << url;
  }
  EXPECT_EQ(net::PolitenessKey("https://aclanthology.org/x.pdf"), "aclanthology.org");
}

TEST(PaperTextLoaderTest, VenuePdfGoesToTheTestBaseWhenSet) {
  RecordingFetcher fetcher;
  PaperTextLoader loader = Loader(&fetcher, "http://127.0.0.1:9");
  ASSERT_TRUE(loader.Load(PaperWithId("Hyc2TvX2Wu@OpenReview"),
                          "https://openreview.net/pdf?id=Hyc2TvX2Wu"));
  std::vector<net::FetchRequest> reqs = fetcher.requests();
  ASSERT_EQ(reqs.size(), 1u);
  EXPECT_EQ(reqs[0].url, "http://127.0.0.1:9/pdf?id=Hyc2TvX2Wu");
}

TEST(PaperTextLoaderTest, VenuePaperWithoutAUsablePdfUsesTheAbstract) {
  RecordingFetcher fetcher;
  PaperTextLoader loader = Loader(&fetcher);
  // No PDF address, or one of another host: nothing is fetched.
  for (const char* pdf_url : {"", "http://127.0.0.1:22/x.pdf", "https://example.com/x.pdf"}) {
    Result<PaperText> text = loader.Load(PaperWithId("2024.acl-long.3@ACL"), pdf_url);
    ASSERT_TRUE(text) << pdf_url;
    EXPECT_EQ(text->source, "abstract") << pdf_url;
    EXPECT_EQ(text->text, "") << pdf_url;
  }
  EXPECT_EQ(fetcher.requests().size(), 0u);
  // The venue answers 404: the abstract, as for arXiv.
  fetcher.not_found = true;
  Result<PaperText> text =
      loader.Load(PaperWithId("2024.acl-long.3@ACL"), "https://aclanthology.org/2024.acl-long.3.pdf");
  ASSERT_TRUE(text) << text.error().ToString();
  EXPECT_EQ(text->source, "abstract");
  EXPECT_EQ(fetcher.requests().size(), 1u);
}

TEST(PaperTextLoaderTest, ArxivPaperPdfStillComesFromArxiv) {
  RecordingFetcher fetcher;
  PaperTextLoader loader = Loader(&fetcher);
  core::Paper p = PaperWithId("2304.02623");
  p.version = 2;
  ASSERT_TRUE(loader.Load(p, "https://aclanthology.org/ignored.pdf"));
  std::vector<net::FetchRequest> reqs = fetcher.requests();
  ASSERT_EQ(reqs.size(), 1u);
  EXPECT_THAT(reqs[0].url, HasSubstr("arxiv.test"));
  EXPECT_THAT(reqs[0].url, HasSubstr("2304.02623v2"));
}

TEST(PaperTextLoaderTest, WithoutFetcherEveryPaperUsesTheAbstract) {
  PaperTextLoader loader = Loader(nullptr);
  Result<PaperText> text =
      loader.Load(PaperWithId("2024.acl-long.3@ACL"), "https://aclanthology.org/2024.acl-long.3.pdf");
  ASSERT_TRUE(text);
  EXPECT_EQ(text->source, "abstract");
}

}  // namespace
}  // namespace coolpapers::llm
