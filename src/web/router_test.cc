#include "web/router.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace coolpapers::web {
namespace {

using ::testing::ElementsAre;
using ::testing::UnorderedElementsAre;

Handler Named(std::string name) {
  return [name](const Request&) {
    Response r;
    r.body = name;
    return r;
  };
}

// The name of the handler `router` picks for (method, path), or "" when none.
std::string Pick(const Router& router, std::string method, std::string path,
                 std::vector<std::string>* captures = nullptr) {
  Request req;
  req.method = std::move(method);
  req.path = std::move(path);
  const Handler* h = router.Match(req);
  if (captures) *captures = req.captures;
  return h ? (*h)(req).body : "";
}

TEST(RouterTest, LiteralBeatsWildcardRegardlessOfOrder) {
  Router r;
  r.Add("GET", "/arxiv/**", Named("list"));
  r.Add("GET", "/arxiv/*/feed", Named("feed"));
  r.Add("GET", "/arxiv/search", Named("search"));
  EXPECT_EQ(Pick(r, "GET", "/arxiv/search"), "search");
  EXPECT_EQ(Pick(r, "GET", "/arxiv/cs.CL/feed"), "feed");
  EXPECT_EQ(Pick(r, "GET", "/arxiv/cs.CL"), "list");
  EXPECT_EQ(Pick(r, "GET", "/arxiv/hep-th/9901001"), "list");
}

TEST(RouterTest, SingleWildcardBeatsTailWildcard) {
  Router r;
  r.Add("GET", "/a/**", Named("tail"));
  r.Add("GET", "/a/*", Named("one"));
  EXPECT_EQ(Pick(r, "GET", "/a/x"), "one");
  EXPECT_EQ(Pick(r, "GET", "/a/x/y"), "tail");
}

TEST(RouterTest, RegistrationOrderBreaksTies) {
  Router r;
  r.Add("GET", "/x/*", Named("first"));
  r.Add("GET", "/x/*", Named("second"));
  EXPECT_EQ(Pick(r, "GET", "/x/1"), "first");
}

TEST(RouterTest, CapturesSegmentsAndJoinedTail) {
  Router r;
  r.Add("GET", "/venue/*/feed", Named("feed"));
  r.Add("GET", "/static/**", Named("static"));
  std::vector<std::string> caps;
  EXPECT_EQ(Pick(r, "GET", "/venue/ACL.2024/feed", &caps), "feed");
  EXPECT_THAT(caps, ElementsAre("ACL.2024"));
  EXPECT_EQ(Pick(r, "GET", "/static/css/a/b.css", &caps), "static");
  EXPECT_THAT(caps, ElementsAre("css/a/b.css"));
}

TEST(RouterTest, TailNeedsAtLeastOneSegmentAndStarNeedsNonEmpty) {
  Router r;
  r.Add("GET", "/static/**", Named("static"));
  r.Add("GET", "/p/*", Named("p"));
  EXPECT_EQ(Pick(r, "GET", "/static"), "");
  EXPECT_EQ(Pick(r, "GET", "/static/"), "");
  EXPECT_EQ(Pick(r, "GET", "/p/"), "");
  EXPECT_EQ(Pick(r, "GET", "/p"), "");
}

TEST(RouterTest, RootAndExactLiterals) {
  Router r;
  r.Add("GET", "/", Named("home"));
  r.Add("GET", "/healthz", Named("health"));
  EXPECT_EQ(Pick(r, "GET", "/"), "home");
  EXPECT_EQ(Pick(r, "GET", "/healthz"), "health");
  EXPECT_EQ(Pick(r, "GET", "/healthz/x"), "");
  EXPECT_EQ(Pick(r, "GET", "/HEALTHZ"), "");
}

TEST(RouterTest, HeadMatchesGetRoutes) {
  Router r;
  r.Add("GET", "/page", Named("page"));
  EXPECT_EQ(Pick(r, "HEAD", "/page"), "page");
}

TEST(RouterTest, WrongMethodReportsAllowedMethods) {
  Router r;
  r.Add("GET", "/api/faq/*", Named("get"));
  r.Add("POST", "/arxiv/kimi", Named("kimi"));
  r.Add("DELETE", "/api/faq/*", Named("delete"));
  Request req;
  req.method = "PUT";
  req.path = "/api/faq/2401.00001";
  std::vector<std::string> allowed;
  EXPECT_EQ(r.Match(req, &allowed), nullptr);
  EXPECT_THAT(allowed, UnorderedElementsAre("GET", "HEAD", "DELETE"));

  req.method = "GET";
  req.path = "/arxiv/kimi";
  EXPECT_EQ(r.Match(req, &allowed), nullptr);
  EXPECT_THAT(allowed, ElementsAre("POST"));

  req.path = "/nowhere";
  EXPECT_EQ(r.Match(req, &allowed), nullptr);
  EXPECT_TRUE(allowed.empty());
}

TEST(RouterTest, MethodMatchingRouteWinsOverMoreSpecificOtherMethod) {
  Router r;
  r.Add("POST", "/arxiv/kimi", Named("kimi"));
  r.Add("GET", "/arxiv/**", Named("list"));
  EXPECT_EQ(Pick(r, "GET", "/arxiv/kimi"), "list");
  EXPECT_EQ(Pick(r, "POST", "/arxiv/kimi"), "kimi");
}

TEST(RouterTest, ReportsMatchedPattern) {
  Router r;
  r.Add("GET", "/arxiv/*/feed", Named("feed"));
  Request req;
  req.method = "GET";
  req.path = "/arxiv/cs.AI/feed";
  const std::string* pattern = nullptr;
  ASSERT_NE(r.Match(req, nullptr, &pattern), nullptr);
  ASSERT_NE(pattern, nullptr);
  EXPECT_EQ(*pattern, "/arxiv/*/feed");
}

}  // namespace
}  // namespace coolpapers::web
