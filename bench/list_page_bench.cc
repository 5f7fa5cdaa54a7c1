// Render time of an announcement-day list page on a page-cache miss: the <main> body and the
// whole page for 2,000 papers (more than the largest day of the bulk data, 372 papers in one
// category, or of the bundled sample, 713 papers on one day) taken from the bundled sample
// (data/sample/arxiv-cs-sample.jsonl.gz), with click counts and a day picker of 22 days.
// The budget is 50 ms per page.
//
//   build-bench/list_page_bench [--benchmark_filter=...]
// COOLPAPERS_SAMPLE overrides the sample path (default: <source dir>/data/sample/...).

#include <zlib.h>

#include <cstdlib>
#include <map>
#include <string>
#include <vector>

#include <benchmark/benchmark.h>
#include <nlohmann/json.hpp>

#include "web/list_page.h"
#include "web/render.h"

namespace core = coolpapers::core;
namespace store = coolpapers::store;
namespace web = coolpapers::web;

namespace {

constexpr size_t kPapers = 2000;

std::string SamplePath() {
  if (const char* p = std::getenv("COOLPAPERS_SAMPLE")) return p;
  return std::string(COOLPAPERS_SOURCE_DIR) + "/data/sample/arxiv-cs-sample.jsonl.gz";
}

// The first `n` papers of the sample (repeated with new ids when the sample is shorter).
std::vector<core::Paper> LoadPapers(size_t n) {
  std::vector<core::Paper> papers;
  gzFile f = gzopen(SamplePath().c_str(), "rb");
  if (!f) return papers;
  std::string line;
  char buf[1 << 16];
  while (papers.size() < n && gzgets(f, buf, sizeof(buf))) {
    line += buf;
    if (line.empty() || line.back() != '\n') continue;
    auto j = nlohmann::json::parse(line, nullptr, false);
    line.clear();
    if (j.is_discarded()) continue;
    auto text = [&j](const char* key) {
      auto it = j.find(key);
      return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
    };
    auto list = [&j](const char* key) {
      std::vector<std::string> out;
      auto it = j.find(key);
      if (it == j.end() || !it->is_array()) return out;
      for (const auto& v : *it) {
        if (v.is_string()) out.push_back(v.get<std::string>());
      }
      return out;
    };
    core::Paper p;
    p.id = text("id");
    p.version = 1;
    p.title = text("title");
    p.abstract = text("summary");
    p.comments = text("comment");
    p.authors = list("authors");
    p.categories = list("categories");
    p.published = text("listing_date") + " 18:00:00";
    papers.push_back(std::move(p));
  }
  gzclose(f);
  for (size_t i = 0; !papers.empty() && papers.size() < n; ++i) {
    core::Paper p = papers[i];
    p.id = "r" + std::to_string(papers.size()) + "." + p.id;
    papers.push_back(std::move(p));
  }
  return papers;
}

web::ListPageData MakeList(size_t n) {
  web::ListPageData d;
  d.expr = "cs.CV";
  d.display_name = "Computer Vision and Pattern Recognition";
  d.day = "2026-06-02";
  for (int i = 0; i < 22; ++i) {
    d.days.push_back(store::DayCount{"2026-06-" + std::to_string(30 - i), 300 + i});
  }
  d.days[5].day = d.day;
  std::vector<core::Paper> papers = LoadPapers(n);
  for (size_t i = 0; i < papers.size(); ++i) {
    store::ListEntry e;
    e.type = i < papers.size() * 3 / 4 ? core::AnnounceType::kNew : core::AnnounceType::kCross;
    e.paper = std::move(papers[i]);
    if (i % 3 == 0) d.clicks[e.paper.id] = store::ClickCounts{int64_t(i % 7), 2, 1, 0};
    d.entries.push_back(std::move(e));
  }
  d.status = store::DayStatus{"cs.CV", d.day, static_cast<int>(d.entries.size()),
                              static_cast<int>(d.entries.size())};
  return d;
}

// The list of `n` papers (built once per size).
const web::ListPageData& List(size_t n) {
  static std::map<size_t, web::ListPageData> lists;
  auto it = lists.find(n);
  if (it == lists.end()) it = lists.emplace(n, MakeList(n)).first;
  return it->second;
}

void BM_ListBody(benchmark::State& state) {
  const web::ListPageData& d = List(kPapers);
  if (d.entries.size() != kPapers) {
    state.SkipWithError(("sample not found at " + SamplePath()).c_str());
    return;
  }
  size_t bytes = 0;
  for (auto _ : state) {
    web::Html body = web::RenderListBody(d);
    bytes = body.size();
    benchmark::DoNotOptimize(body);
  }
  state.counters["papers"] = static_cast<double>(d.entries.size());
  state.counters["bytes"] = static_cast<double>(bytes);
}
BENCHMARK(BM_ListBody)->Unit(benchmark::kMillisecond);

// What a cache miss renders (web/arxiv_routes.cc RenderList): the page frame with the body
// written straight into it. Sizes: the largest one-category day of the bulk data (372), the
// largest day of the sample over all its categories (713), and 2,000.
void BM_ListPage(benchmark::State& state) {
  const web::ListPageData& d = List(static_cast<size_t>(state.range(0)));
  if (d.entries.size() != static_cast<size_t>(state.range(0))) {
    state.SkipWithError(("sample not found at " + SamplePath()).c_str());
    return;
  }
  web::PageMeta meta;
  meta.title = "cs.CV — " + d.display_name + " — " + d.day + " | coolpapers";
  meta.description = "bench";
  meta.canonical_path = "/arxiv/cs.CV?date=" + d.day;
  meta.feed_path = "/arxiv/cs.CV/feed";
  for (auto _ : state) {
    web::Response r = web::HtmlResponse(
        200, web::RenderPageWith(meta, web::ListBodyBytes(d),
                                 [&d](std::string& out) { web::RenderListBodyTo(out, d); }));
    benchmark::DoNotOptimize(r);
  }
}
BENCHMARK(BM_ListPage)->Arg(372)->Arg(713)->Arg(kPapers)->Unit(benchmark::kMillisecond);

// The page frame alone, around an already rendered body.
void BM_PageFrame(benchmark::State& state) {
  const web::ListPageData& d = List(kPapers);
  const web::Html body = web::RenderListBody(d);
  web::PageMeta meta;
  meta.title = "cs.CV | coolpapers";
  for (auto _ : state) {
    std::string page = web::RenderPage(meta, body);
    benchmark::DoNotOptimize(page);
  }
}
BENCHMARK(BM_PageFrame)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
