#include "sources/arxiv/endpoints.h"

#include <gtest/gtest.h>

namespace coolpapers::sources::arxiv {
namespace {

TEST(ArxivEndpointsTest, DefaultsAreArxivHosts) {
  ArxivEndpoints e;
  EXPECT_EQ(e.Rss("cs.CL+cs.LG"), "https://rss.arxiv.org/rss/cs.CL+cs.LG");
  EXPECT_EQ(e.Oai(), "https://oaipmh.arxiv.org/oai");
  EXPECT_EQ(e.ApiQuery(), "https://export.arxiv.org/api/query");
  EXPECT_EQ(e.Pdf("2402.12354v2"), "https://arxiv.org/pdf/2402.12354v2");
  EXPECT_EQ(e.Abs("hep-th/9901001"), "https://arxiv.org/abs/hep-th/9901001");
  EXPECT_EQ(e.ListNew("cs.CL"), "https://arxiv.org/list/cs.CL/new");
}

TEST(ArxivEndpointsTest, BaseUrlReplacesEveryHost) {
  ArxivEndpoints e{"http://127.0.0.1:9000/"};
  EXPECT_EQ(e.Rss("cs.CL"), "http://127.0.0.1:9000/rss/cs.CL");
  EXPECT_EQ(e.Oai(), "http://127.0.0.1:9000/oai");
  EXPECT_EQ(e.ApiQuery(), "http://127.0.0.1:9000/api/query");
  EXPECT_EQ(e.Pdf("2402.12354v2"), "http://127.0.0.1:9000/pdf/2402.12354v2");
  EXPECT_EQ(e.ListNew("cs.LG"), "http://127.0.0.1:9000/list/cs.LG/new");
}

}  // namespace
}  // namespace coolpapers::sources::arxiv
