// A paper title (or query, or message) holding <script> comes out escaped on every page type:
// list, paper, several papers, search results (plain and highlighted), related papers, the
// search form, error pages, and the page frame itself.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "search/doc_source.h"
#include "search/index_builder.h"
#include "search/index_doc.h"
#include "search/search_service.h"
#include "web/html.h"
#include "web/render.h"
#include "web/route_test_fixture.h"

namespace coolpapers::web {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

constexpr const char* kScript = "<script>alert(1)</script>";
constexpr const char* kEscaped = "&lt;script&gt;alert(1)&lt;/script&gt;";

class PageEscapingTest : public testing::RouteTest {
 protected:
  void SetUp() override {
    RouteTest::SetUp();
    LoadFixture();  // 2606.00001's title holds <script>alert(1)</script>
    RegisterSearchRoutes(router_, services_);
    std::vector<search::IndexDoc> docs;
    for (const char* id : {"2606.00001", "2606.00002", "2606.00003", "2606.00004"}) {
      auto p = store_->GetPaper(id);
      ASSERT_TRUE(p && p->has_value());
      docs.push_back(search::FromPaper(**p));
    }
    search::VectorDocSource src(docs);
    search::BuildOptions b;
    b.progress = false;
    b.lsa.dims = 2;
    auto built = search::BuildIndex((store_.dir() / "index").string(), src, b);
    ASSERT_TRUE(built) << built.error().ToString();
    search::SearchServiceOptions o;
    o.index_dir = (store_.dir() / "index").string();
    auto s = search::SearchService::Open(o);
    ASSERT_TRUE(s) << s.error().ToString();
    search_ = std::move(*s);
    services_.search = search_.get();
  }
  void TearDown() override {
    services_.search = nullptr;
    search_.reset();
    RouteTest::TearDown();
  }

  // The page at `target`: its script-free rendering of the <script> text.
  void ExpectEscaped(const std::string& target, int status = 200,
                     const std::string& escaped = kEscaped) {
    SCOPED_TRACE(target);
    Response r = Get(target);
    EXPECT_EQ(r.status, status);
    const std::string body = Body(r);
    EXPECT_THAT(body, Not(HasSubstr("<script>alert")));
    EXPECT_THAT(body, HasSubstr(escaped));
  }

  std::unique_ptr<search::SearchService> search_;
};

TEST_F(PageEscapingTest, ScriptInATitleIsEscapedOnEveryPageType) {
  ExpectEscaped("/arxiv/cs.CL?date=2026-06-30");            // list page
  ExpectEscaped("/arxiv/cs.CL?date=2026-06-30&show=1");     // list page, ?show=N variant
  ExpectEscaped("/arxiv/2606.00001");                       // paper page (and its <head>)
  ExpectEscaped("/arxiv/2606.00001,2606.00002");            // several papers
  ExpectEscaped("/arxiv/search?query=alert");               // search results
  ExpectEscaped("/arxiv/search?query=alert&highlight=1", 200,  // highlighted results
                "&lt;script&gt;<mark>alert</mark>(1)&lt;/script&gt;");
  ExpectEscaped("/arxiv/related/2606.00002");               // related papers
}

TEST_F(PageEscapingTest, ScriptInAQueryOrMessageIsEscaped) {
  ExpectEscaped("/arxiv/search?query=%3Cscript%3Ealert(1)%3C/script%3E");  // no results
  ExpectEscaped("/arxiv/search?mode=%3Cscript%3Ealert(1)%3C/script%3E", 400);  // form page
  ExpectEscaped("/arxiv/%3Cscript%3Ealert(1)%3C/script%3E", 404);        // error page
  Response r = ErrorPage(500, kScript, kScript);
  EXPECT_THAT(r.body, Not(HasSubstr(kScript)));
  EXPECT_THAT(r.body, HasSubstr(kEscaped));
}

TEST_F(PageEscapingTest, ScriptInPageMetaIsEscapedInTheFrame) {
  PageMeta meta;
  meta.title = kScript;
  meta.description = kScript;
  meta.search_query = kScript;
  meta.canonical_path = kScript;
  std::string page = RenderPage(meta, Html::Escape(kScript));
  EXPECT_THAT(page, Not(HasSubstr(kScript)));
  EXPECT_THAT(page, HasSubstr("<title>" + std::string(kEscaped) + "</title>"));
}

}  // namespace
}  // namespace coolpapers::web
