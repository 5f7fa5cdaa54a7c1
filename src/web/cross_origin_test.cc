#include "web/cross_origin.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace coolpapers::web {
namespace {

struct Case {
  const char* name;
  const char* sec_fetch_site;  // nullptr: header absent
  const char* origin;          // nullptr: header absent
  const char* host;
  bool refused;
};

TEST(CrossOriginTest, FollowsTheSecFetchSiteThenOriginRule) {
  const std::vector<Case> cases = {
      {"no headers (curl, scripts)", nullptr, nullptr, "papers.example", false},
      {"same-origin fetch", "same-origin", nullptr, "papers.example", false},
      {"typed or bookmarked", "none", nullptr, "papers.example", false},
      {"cross-site form post", "cross-site", nullptr, "papers.example", true},
      {"same-site sibling", "same-site", nullptr, "papers.example", true},
      {"cross-site even with a matching Origin", "cross-site", "https://papers.example",
       "papers.example", true},
      {"same-origin wins over Origin", "same-origin", "https://evil.example", "papers.example",
       false},
      {"Sec-Fetch-Site case and spaces", " Same-Origin ", nullptr, "papers.example", false},
      {"matching Origin", nullptr, "https://papers.example", "papers.example", false},
      {"matching Origin with port", nullptr, "http://127.0.0.1:8080", "127.0.0.1:8080", false},
      {"Origin host case-insensitive", nullptr, "https://Papers.Example", "papers.EXAMPLE", false},
      {"other host", nullptr, "https://evil.example", "papers.example", true},
      {"same host, other port", nullptr, "http://127.0.0.1:9999", "127.0.0.1:8080", true},
      {"Origin null (sandboxed, file://)", nullptr, "null", "papers.example", true},
      {"Origin without scheme", nullptr, "papers.example", "papers.example", true},
      {"Origin with a path", nullptr, "https://papers.example/x", "papers.example", true},
      {"Origin with userinfo", nullptr, "https://papers.example@evil.example", "papers.example",
       true},
      {"empty Origin value", nullptr, "", "papers.example", true},
      {"Origin but no Host", nullptr, "https://papers.example", "", true},
  };
  ASSERT_EQ(cases.size(), 19u);
  for (const Case& c : cases) {
    Request req;
    req.method = "POST";
    if (c.sec_fetch_site != nullptr) req.headers["sec-fetch-site"] = c.sec_fetch_site;
    if (c.origin != nullptr) req.headers["origin"] = c.origin;
    if (*c.host != '\0') req.headers["host"] = c.host;
    EXPECT_EQ(IsCrossOriginRequest(req), c.refused) << c.name;
  }
}

}  // namespace
}  // namespace coolpapers::web
