#pragma once
// Test fixture for route handlers: a real SqliteStore in a temporary directory (TempStore), a
// PageCache, a Router with the arXiv and API routes, and Get/Post helpers that go through
// ParseTarget and the router exactly as the server does. Header-only; used by *_routes_test.cc.

#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "store/store.h"
#include "store/testing/temp_store.h"
#include "web/page_cache.h"
#include "web/router.h"
#include "web/routes.h"
#include "web/server.h"
#include "web/services.h"

namespace coolpapers::web::testing {

inline core::Paper MakePaper(const std::string& id, std::vector<std::string> cats,
                             std::string title = "") {
  core::Paper p;
  p.id = id;
  p.version = 2;
  p.title = title.empty() ? "Title of " + id : std::move(title);
  p.abstract = "Abstract of " + id + " with $x<y$ & TeX.";
  p.authors = {"Ada Lovelace", "Alan Turing"};
  p.categories = std::move(cats);
  p.published = "2026-06-29 17:59:01";
  p.updated = "2026-06-30 10:00:00";
  return p;
}

inline core::Membership M(const std::string& id, const std::string& cat, const std::string& day,
                          core::AnnounceType type, int pos) {
  return core::Membership{id, cat, day, type, pos};
}

class RouteTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(store_.Open());
    cache_ = std::make_unique<PageCache>();
    services_.store = store_.get();
    services_.page_cache = cache_.get();
    services_.config.public_url = "http://127.0.0.1:8080";
    RegisterArxivRoutes(router_, services_);
    RegisterApiRoutes(router_, services_);
  }

  // Day 2026-06-30: cs.CL new A (also cs.LG), B; cs.LG new C (also cs.AI); cs.CL cross D
  // (primary cs.AI, also cs.CV). Day 2026-06-26: cs.CL new E. Old-style paper hep-th/9901001.
  void LoadFixture() {
    using core::AnnounceType;
    std::vector<core::Paper> papers = {
        MakePaper("2606.00001", {"cs.CL", "cs.LG"},
                  "A <script>alert(1)</script> & $\\alpha<\\beta$ title"),
        MakePaper("2606.00002", {"cs.CL"}),
        MakePaper("2606.00003", {"cs.LG", "cs.AI"}),
        MakePaper("2606.00004", {"cs.AI", "cs.CL", "cs.CV"}),
        MakePaper("2606.00005", {"cs.CL"}),
        MakePaper("hep-th/9901001", {"hep-th"}),
        MakePaper("1406.2661", {"stat.ML", "cs.LG"}),
    };
    papers[4].published = "2026-06-25";
    papers[4].updated = "";
    std::vector<core::Membership> ms = {
        M("2606.00001", "cs.CL", "2026-06-30", AnnounceType::kNew, 0),
        M("2606.00002", "cs.CL", "2026-06-30", AnnounceType::kNew, 1),
        M("2606.00004", "cs.CL", "2026-06-30", AnnounceType::kCross, 2),
        M("2606.00003", "cs.LG", "2026-06-30", AnnounceType::kNew, 0),
        M("2606.00001", "cs.LG", "2026-06-30", AnnounceType::kCross, 1),
        M("2606.00004", "cs.AI", "2026-06-30", AnnounceType::kNew, 0),
        M("2606.00003", "cs.AI", "2026-06-30", AnnounceType::kCross, 1),
        M("2606.00004", "cs.CV", "2026-06-30", AnnounceType::kCross, 0),
        M("2606.00005", "cs.CL", "2026-06-26", AnnounceType::kNew, 0),
        M("hep-th/9901001", "hep-th", "1999-01-04", AnnounceType::kNew, 0),
        M("1406.2661", "stat.ML", "2014-06-11", AnnounceType::kNew, 0),
        M("1406.2661", "cs.LG", "2014-06-11", AnnounceType::kCross, 0),
    };
    auto r = store_->Upsert(papers, ms);
    ASSERT_TRUE(r) << r.error().ToString();
    PublishSeq();
  }

  // What the `serve` poller does: publish the store's change sequence to the page cache.
  void PublishSeq() {
    auto seq = store_->ChangeSeq();
    ASSERT_TRUE(seq);
    cache_->set_current_seq(*seq);
  }

  Response Call(const std::string& method, const std::string& target) {
    Request req;
    req.method = method;
    req.target = target;
    req.client_ip = client_ip_;
    Status st = ParseTarget(target, req);
    EXPECT_TRUE(st.ok()) << target << ": " << st.ToString();
    const Handler* h = router_.Match(req);
    if (!h) {
      Response r;
      r.status = 404;
      r.body = "no route";
      return r;
    }
    Response r = (*h)(req);
    if (r.deferred) return r.deferred();  // the server would run it on its CPU pool
    return r;
  }
  Response Get(const std::string& target) { return Call("GET", target); }
  Response Post(const std::string& target) { return Call("POST", target); }

  static std::string Body(const Response& r) { return std::string(r.BodyView()); }
  static std::string HeaderOf(const Response& r, const std::string& name) {
    for (const auto& [n, v] : r.headers) {
      if (n == name) return v;
    }
    return "";
  }
  // Number of non-overlapping occurrences of `needle` in `hay`.
  static int Count(const std::string& hay, const std::string& needle) {
    int n = 0;
    for (size_t pos = hay.find(needle); pos != std::string::npos;
         pos = hay.find(needle, pos + needle.size())) {
      ++n;
    }
    return n;
  }

  store::testing::TempStore store_{"cp_web_test", "t.db"};
  std::unique_ptr<PageCache> cache_;
  Services services_;
  Router router_;
  std::string client_ip_ = "127.0.0.1";  // the peer address requests come from
};

}  // namespace coolpapers::web::testing
