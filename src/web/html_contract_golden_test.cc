// The HTML contract (SPEC §3) as data: tests/golden/html/*.test hold cases, each a small input
// (paper fields and options as JSON) and the HTML fragment the renderer must produce. One driver
// runs them all.
//
// File format: the golden files of every suite (src/core/golden_file.h); each case's input is a
// JSON object:
//
// Input JSON: {"render": R, ...} where R is
//   "panel"   paper, index, clicks, keywords, announce, deferred, fallback_day, title_html,
//             summary_html
//   "list"    expr, display_name, day, days [[day, count]...], entries [{type, paper}...],
//             status [expected, stored], show, replacements (bool), slices [[day, begin, end]...]
//             (a range page: day = "A..B", each slice one day's entries)
//   "paper"   paper, memberships [[category, day, type]...], clicks
//   "papers"  papers [...], missing [...]
//   "page"    title, description, canonical, feed, search_query, body_id, lang, body (trusted)
//   "error"   status, message, hint
// and "match": "contains" checks that the expected text occurs in the output instead of equal
// to it (for whole pages, whose asset version changes with every build).
// COOLPAPERS_GOLDEN_PRINT=1 prints every case with its actual output (for writing new cases).

#include <iostream>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "core/golden_file.h"
#include "web/html.h"
#include "web/list_page.h"
#include "web/paper_page.h"
#include "web/render.h"

namespace coolpapers::web {
namespace {

using nlohmann::json;

core::Paper PaperFrom(const json& j) {
  core::Paper p;
  p.id = j.value("id", "2402.12354");
  p.version = j.value("version", 1);
  p.title = j.value("title", "");
  p.abstract = j.value("abstract", "");
  p.authors = j.value("authors", std::vector<std::string>{});
  p.categories = j.value("categories", std::vector<std::string>{});
  p.comments = j.value("comments", "");
  p.journal_ref = j.value("journal_ref", "");
  p.doi = j.value("doi", "");
  p.published = j.value("published", "");
  p.updated = j.value("updated", "");
  return p;
}

store::ClickCounts ClicksFrom(const json& j) {
  store::ClickCounts c;
  if (!j.is_object()) return c;
  c.pdf = j.value("pdf", 0);
  c.kimi = j.value("kimi", 0);
  c.copy = j.value("copy", 0);
  c.rel = j.value("rel", 0);
  return c;
}

core::AnnounceType TypeFrom(const json& j) {
  auto t = core::ParseAnnounceType(j.get<std::string>());
  return t ? *t : core::AnnounceType::kNew;
}

std::string RenderPanel(const json& in) {
  PanelOptions opts;
  opts.index = in.value("index", 0);
  opts.clicks = ClicksFrom(in.value("clicks", json::object()));
  opts.keywords = in.value("keywords", std::vector<std::string>{});
  opts.announce_label = in.value("announce", "");
  opts.deferred = in.value("deferred", false);
  opts.fallback_day = in.value("fallback_day", "");
  opts.title_html = Html::Trusted(in.value("title_html", ""));
  opts.summary_html = Html::Trusted(in.value("summary_html", ""));
  std::string out;
  RenderPaperPanel(out, PaperFrom(in.at("paper")), opts);
  return out;
}

std::string RenderList(const json& in) {
  ListPageData d;
  d.expr = in.value("expr", "cs.CL");
  d.display_name = in.value("display_name", "Computation and Language");
  d.day = in.value("day", "2026-07-01");
  for (const json& dc : in.value("days", json::array())) {
    d.days.push_back(store::DayCount{dc.at(0).get<std::string>(), dc.at(1).get<int>()});
  }
  for (const json& e : in.value("entries", json::array())) {
    store::ListEntry entry;
    entry.paper = PaperFrom(e.at("paper"));
    entry.type = TypeFrom(e.value("type", json("new")));
    if (e.contains("clicks")) d.clicks[entry.paper.id] = ClicksFrom(e.at("clicks"));
    d.entries.push_back(std::move(entry));
  }
  if (in.contains("status")) {
    d.status = store::DayStatus{d.expr, d.day, in["status"].at(0).get<int>(),
                                in["status"].at(1).get<int>()};
  }
  d.show = in.value("show", 0);
  d.replacements = in.value("replacements", false);
  for (const json& sl : in.value("slices", json::array())) {
    d.day_slices.push_back(DaySlice{sl.at(0).get<std::string>(), sl.at(1).get<size_t>(),
                                    sl.at(2).get<size_t>()});
  }
  return RenderListBody(d).str();
}

std::string RenderPaper(const json& in) {
  std::vector<core::Membership> ms;
  for (const json& m : in.value("memberships", json::array())) {
    core::Membership one;
    one.category = m.at(0).get<std::string>();
    one.day = m.at(1).get<std::string>();
    one.type = TypeFrom(m.at(2));
    ms.push_back(one);
  }
  return RenderPaperBody(PaperFrom(in.at("paper")), ms,
                         ClicksFrom(in.value("clicks", json::object())))
      .str();
}

std::string RenderPapers(const json& in) {
  std::vector<core::Paper> papers;
  for (const json& p : in.value("papers", json::array())) papers.push_back(PaperFrom(p));
  return RenderPaperListBody(papers, in.value("missing", std::vector<std::string>{}), {}).str();
}

std::string RenderWholePage(const json& in) {
  PageMeta meta;
  meta.title = in.value("title", "");
  meta.description = in.value("description", "");
  meta.canonical_path = in.value("canonical", "");
  meta.feed_path = in.value("feed", "");
  meta.search_query = in.value("search_query", "");
  meta.body_id = in.value("body_id", "arxiv");
  meta.lang = in.value("lang", "en");
  meta.extra_head = Html::Trusted(in.value("extra_head", ""));
  return RenderPage(meta, Html::Trusted(in.value("body", "")));
}

std::string Render(const json& in) {
  const std::string what = in.value("render", "");
  if (what == "panel") return RenderPanel(in);
  if (what == "list") return RenderList(in);
  if (what == "paper") return RenderPaper(in);
  if (what == "papers") return RenderPapers(in);
  if (what == "page") return RenderWholePage(in);
  if (what == "error") {
    return ErrorPage(in.value("status", 404), in.value("message", ""), in.value("hint", ""))
        .body;
  }
  ADD_FAILURE() << "unknown render \"" << what << "\"";
  return "";
}

TEST(HtmlContractGoldenTest, EveryCaseRendersItsExpectedHtml) {
  Result<std::vector<testing::GoldenCase>> cases = testing::LoadGoldenSuite("html");
  ASSERT_TRUE(cases) << cases.error().ToString();
  ASSERT_GE(cases->size(), 10u) << "too few golden cases in tests/golden/html";
  const bool print = std::getenv("COOLPAPERS_GOLDEN_PRINT") != nullptr;
  for (const testing::GoldenCase& c : *cases) {
    SCOPED_TRACE(c.Where());
    json in = json::parse(c.input, nullptr, false);
    ASSERT_FALSE(in.is_discarded()) << "input is not JSON: " << c.input;
    ASSERT_FALSE(c.expected.empty()) << "no expected block";
    const std::string out(testing::TrimTrailingNewlines(Render(in)));
    if (print) std::cout << "case: " << c.name << "\n----\n" << out << "\n====\n";
    if (in.value("match", "") == "contains") {
      EXPECT_NE(out.find(c.expected), std::string::npos)
          << "expected fragment:\n" << c.expected << "\nnot in:\n" << out;
    } else {
      EXPECT_EQ(out, c.expected);
    }
  }
}

}  // namespace
}  // namespace coolpapers::web
