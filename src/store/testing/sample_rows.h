#pragma once
// Sample papers, memberships and venue papers for the store tests of every backend, and the
// short forms the tests compare results by.

#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "core/paper.h"
#include "core/venue.h"
#include "store/store.h"

namespace coolpapers::store::testing {

// An arXiv paper in `cats` with a title, a TeX abstract, two authors and 2025-03-17 dates.
inline Paper MakePaper(const std::string& id, std::vector<std::string> cats, int version = 1) {
  Paper p;
  p.id = id;
  p.version = version;
  p.title = "Title of " + id;
  p.abstract = "Abstract of " + id + " with $x<y$ & TeX.";
  p.authors = {"Ada Lovelace", "Alan Turing"};
  p.categories = std::move(cats);
  p.published = "2025-03-17 18:00:00";
  p.updated = p.published;
  return p;
}

inline Membership M(const std::string& id, const std::string& cat, const std::string& day,
                    AnnounceType type, int pos) {
  return Membership{id, cat, day, type, pos};
}

// The paper ids of a listing, in its order.
inline std::vector<std::string> Ids(const std::vector<ListEntry>& entries) {
  std::vector<std::string> out;
  for (const ListEntry& e : entries) out.push_back(e.paper.id);
  return out;
}

// Three papers on 2025-03-18: two new in cs.CL (one cross-listed to cs.LG), one new in cs.LG.
inline void LoadSampleDay(Store& store) {
  std::vector<Paper> papers = {MakePaper("2503.00002", {"cs.CL", "cs.LG"}),
                               MakePaper("2503.00001", {"cs.CL"}),
                               MakePaper("2503.00003", {"cs.LG", "stat.ML"})};
  std::vector<Membership> ms = {M("2503.00002", "cs.CL", "2025-03-18", AnnounceType::kNew, 0),
                                M("2503.00001", "cs.CL", "2025-03-18", AnnounceType::kNew, 1),
                                M("2503.00003", "cs.LG", "2025-03-18", AnnounceType::kNew, 0),
                                M("2503.00002", "cs.LG", "2025-03-18", AnnounceType::kCross, 1),
                                M("2503.00003", "stat.ML", "2025-03-18", AnnounceType::kCross, 0)};
  Result<UpsertCounts> c = store.Upsert(papers, ms);
  ASSERT_TRUE(c) << c.error().ToString();
}

// ---- links ----

// An arXiv paper in cs.CL, for linking to venue papers by title and first author.
inline Paper ArxivPaper(const std::string& id, const std::string& title,
                        std::vector<std::string> authors, int version = 1) {
  Paper p;
  p.id = id;
  p.version = version;
  p.title = title;
  p.authors = std::move(authors);
  p.abstract = "Abstract of " + id;
  p.categories = {"cs.CL"};
  return p;
}

// A venue paper of ACL.2024 (group "Long").
inline core::VenuePaper AclPaper(const std::string& id, const std::string& title,
                                 std::vector<std::string> authors, int position = 0) {
  core::VenuePaper v;
  v.id = id;
  v.venue = "ACL.2024";
  v.group = "Long";
  v.position = position;
  v.title = title;
  v.authors = std::move(authors);
  v.pdf_url = "https://aclanthology.org/" + id + ".pdf";
  return v;
}

// "venue->arxiv(method,vN) " per link.
inline std::string DescribeLinks(const std::vector<PaperLink>& links) {
  std::string out;
  for (const PaperLink& l : links) {
    out += l.venue_id + "->" + l.arxiv_id + "(" + l.method + ",v" +
           std::to_string(l.arxiv_version) + ") ";
  }
  return out;
}

// The steps of the link tests on a store: `Base` is the gtest fixture base, `Holder` what holds
// the store under test (BackendStore, TempStore) in `store_`, opened by SetUp.
template <class Base, class Holder>
class LinkTestBase : public Base {
 protected:
  void PutArxiv(std::vector<Paper> papers) {
    auto c = store_->Upsert(papers, {});
    ASSERT_TRUE(c) << c.error().ToString();
  }
  void PutVenue(std::vector<core::VenuePaper> papers) {
    auto c = store_->UpsertVenuePapers(papers);
    ASSERT_TRUE(c) << c.error().ToString();
    last_linked_ = c->linked;
  }
  std::string Links() {
    auto l = store_->ListLinks();
    EXPECT_TRUE(l) << l.error().ToString();
    return l ? DescribeLinks(*l) : "";
  }

  template <class... Args>
  explicit LinkTestBase(Args&&... args) : store_(std::forward<Args>(args)...) {}
  Holder store_;
  int64_t last_linked_ = -1;
};

}  // namespace coolpapers::store::testing
