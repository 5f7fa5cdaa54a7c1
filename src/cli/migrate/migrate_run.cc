#include "cli/migrate/migrate_run.h"

#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <functional>
#include <mutex>
#include <thread>
#include <utility>
#include <vector>

#include "cli/import/batch_upserter.h"
#include "core/progress.h"

namespace coolpapers::cli {
namespace {

// 61700 -> "61,700".
std::string Thousands(int64_t v) {
  std::string digits = std::to_string(v < 0 ? -v : v), out = v < 0 ? "-" : "";
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return out;
}

std::string Rate(int64_t n, double seconds) {
  return seconds > 0 ? Thousands(static_cast<int64_t>(static_cast<double>(n) / seconds)) : "-";
}

Status Prefixed(const std::string& what, const Status& st) {
  return Status(st.code(), "migrating " + what + ": " + st.message());
}

// Runs write(i) for every i in [0, n) on up to `threads` threads; the first error (the other
// threads stop taking new rows once one failed).
Status ParallelFor(size_t n, int threads, const std::function<Status(size_t)>& write) {
  std::atomic<size_t> next{0};
  std::atomic<bool> failed{false};
  std::mutex mu;
  Status first;
  auto work = [&] {
    while (!failed) {
      size_t i = next++;
      if (i >= n) return;
      Status st = write(i);
      if (st.ok()) continue;
      std::lock_guard<std::mutex> lock(mu);
      if (first.ok()) first = st;
      failed = true;
    }
  };
  size_t extra = std::min<size_t>(n, static_cast<size_t>(std::max(threads, 1))) - (n > 0);
  std::vector<std::thread> pool;
  for (size_t t = 0; t < extra; ++t) pool.emplace_back(work);
  work();
  for (std::thread& t : pool) t.join();
  return first;
}

// Reads pages of `read(after, limit)` and hands each to `write`, until a page holds fewer than
// `limit` distinct keys (`key_of` gives a row's key; rows come ordered by key).
template <typename Row, typename Read, typename KeyOf, typename Write>
Status ForEachPage(const Read& read, const KeyOf& key_of, int limit, const Write& write) {
  std::string after;
  for (;;) {
    Result<std::vector<Row>> page = read(after, limit);
    if (!page) return page.error();
    int keys = 0;
    for (size_t i = 0; i < page->size(); ++i) {
      if (i == 0 || key_of((*page)[i]) != key_of((*page)[i - 1])) ++keys;
    }
    if (!page->empty()) after = key_of(page->back());
    if (Status st = write(*page); !st.ok()) return st;
    if (keys < limit) return Status::Ok();
  }
}

// Papers and memberships: read in batches, each written by a background Upsert while the next
// one is read.
Status CopyPapers(store::Store& from, store::Store& to, const MigrateOptions& o, int64_t total,
                  MigrateCounts& counts) {
  core::Progress progress("migrate papers", total, o.err);
  BatchUpserter upserter(to, 2);
  std::string after;
  for (bool last = false; !last;) {
    Result<store::Store::PaperPage> page = from.ExportPapers(after, o.batch_size);
    if (!page) {
      (void)upserter.Finish();
      return page.error();
    }
    const int64_t n = static_cast<int64_t>(page->papers.size());
    last = n < o.batch_size;
    if (!last) after = page->papers.back().id;
    counts.papers += n;
    counts.memberships += static_cast<int64_t>(page->memberships.size());
    if (n > 0 || !page->memberships.empty()) {
      if (!upserter.Submit({std::move(page->papers), std::move(page->memberships)})) break;
    }
    progress.Add(n);
  }
  if (Status st = upserter.Finish(); !st.ok()) return st;
  double s = progress.elapsed_seconds();
  progress.Finish(fmt::format("{} papers, {} memberships in {:.1f} s ({} papers/s)",
                              Thousands(counts.papers), Thousands(counts.memberships), s,
                              Rate(counts.papers, s)));
  return Status::Ok();
}

Status CopyVenuePapers(store::Store& from, store::Store& to, const MigrateOptions& o,
                       int64_t total, MigrateCounts& counts) {
  core::Progress progress("migrate venue papers", total, o.err);
  Status st = ForEachPage<core::VenuePaper>(
      [&](const std::string& after, int limit) { return from.ExportVenuePapers(after, limit); },
      [](const core::VenuePaper& v) -> const std::string& { return v.id; }, o.batch_size,
      [&](std::vector<core::VenuePaper>& page) -> Status {
        if (page.empty()) return Status::Ok();
        Result<store::VenueUpsertCounts> c = to.UpsertVenuePapers(page);
        if (!c) return c.error();
        counts.venue_papers += static_cast<int64_t>(page.size());
        progress.Add(static_cast<int64_t>(page.size()));
        return Status::Ok();
      });
  if (!st.ok()) return st;
  progress.Finish(fmt::format("{} venue papers", Thousands(counts.venue_papers)));
  return Status::Ok();
}

// Day statuses, state and FAQs: rows written one by one, `writers` at a time.
Status CopyRows(store::Store& from, store::Store& to, const MigrateOptions& o, int64_t faqs,
                MigrateCounts& counts) {
  core::Progress days("migrate day statuses", 0, o.err);
  Status st = ForEachPage<store::DayStatus>(
      [&](const std::string& after, int limit) { return from.ExportDayStatuses(after, limit); },
      [](const store::DayStatus& d) -> const std::string& { return d.category; }, o.page_size,
      [&](std::vector<store::DayStatus>& page) -> Status {
        days.Add(static_cast<int64_t>(page.size()));
        counts.day_statuses += static_cast<int64_t>(page.size());
        return ParallelFor(page.size(), o.writers,
                           [&](size_t i) { return to.SetDayStatus(page[i]); });
      });
  if (!st.ok()) return Prefixed("day statuses", st);
  days.Finish(Thousands(counts.day_statuses) + " day statuses");

  core::Progress state("migrate state", 0, o.err);
  using KeyValue = std::pair<std::string, std::string>;
  st = ForEachPage<KeyValue>(
      [&](const std::string& after, int limit) { return from.ExportState(after, limit); },
      [](const KeyValue& kv) -> const std::string& { return kv.first; }, o.page_size,
      [&](std::vector<KeyValue>& page) -> Status {
        state.Add(static_cast<int64_t>(page.size()));
        counts.state_keys += static_cast<int64_t>(page.size());
        return ParallelFor(page.size(), o.writers,
                           [&](size_t i) { return to.SetState(page[i].first, page[i].second); });
      });
  if (!st.ok()) return Prefixed("state", st);
  state.Finish(Thousands(counts.state_keys) + " state keys");

  core::Progress faq("migrate FAQs", faqs, o.err);
  st = ForEachPage<store::FaqRecord>(
      [&](const std::string& after, int limit) { return from.ExportFaqs(after, limit); },
      [](const store::FaqRecord& f) -> const std::string& { return f.paper_id; }, o.page_size,
      [&](std::vector<store::FaqRecord>& page) -> Status {
        Status written =
            ParallelFor(page.size(), o.writers, [&](size_t i) { return to.PutFaq(page[i]); });
        faq.Add(static_cast<int64_t>(page.size()));
        counts.faqs += static_cast<int64_t>(page.size());
        return written;
      });
  if (!st.ok()) return Prefixed("FAQs", st);
  faq.Finish(Thousands(counts.faqs) + " FAQs");
  return Status::Ok();
}

Status CopyClicks(store::Store& from, store::Store& to, const MigrateOptions& o,
                  MigrateCounts& counts) {
  core::Progress progress("migrate clicks", 0, o.err);
  using Clicks = std::pair<std::string, store::ClickCounts>;
  Status st = ForEachPage<Clicks>(
      [&](const std::string& after, int limit) { return from.ExportClicks(after, limit); },
      [](const Clicks& c) -> const std::string& { return c.first; }, o.page_size,
      [&](std::vector<Clicks>& page) -> Status {
        for (const auto& [id, c] : page) {
          for (const auto& [kind, n] : {std::pair<const char*, int64_t>{"pdf", c.pdf},
                                        {"kimi", c.kimi}, {"copy", c.copy}, {"rel", c.rel}}) {
            if (n == 0) continue;
            if (Status added = to.AddClicks(id, kind, n); !added.ok()) return added;
            ++counts.click_counters;
            counts.clicks += n;
          }
        }
        progress.Add(static_cast<int64_t>(page.size()));
        return to.Flush();  // bounds what waits in the destination's click queue
      });
  if (!st.ok()) return Prefixed("clicks", st);
  progress.Finish(fmt::format("{} clicks over {} counters", Thousands(counts.clicks),
                              Thousands(counts.click_counters)));
  return Status::Ok();
}

Result<int64_t> VenuePaperCount(store::Store& s) {
  Result<std::vector<store::VenueEditionCount>> editions = s.VenueEditions();
  if (!editions) return Err(editions.error());
  int64_t n = 0;
  for (const store::VenueEditionCount& e : *editions) n += e.papers;
  return n;
}

}  // namespace

Result<MigrateCounts> CopyStore(store::Store& from, store::Store& to,
                                const MigrateOptions& options) {
  MigrateOptions o = options;
  o.batch_size = std::max(o.batch_size, 1);
  o.page_size = std::max(o.page_size, 1);
  if (Status st = from.Flush(); !st.ok()) return Err(st);
  Result<store::StoreStats> stats = from.Stats();
  if (!stats) return Err(stats.error());
  Result<int64_t> venue = VenuePaperCount(from);
  if (!venue) return Err(Prefixed("venue papers", venue.error()));
  MigrateCounts counts;
  if (Status st = CopyPapers(from, to, o, stats->papers - *venue, counts); !st.ok()) {
    return Err(Prefixed("papers", st));
  }
  if (Status st = CopyVenuePapers(from, to, o, *venue, counts); !st.ok()) {
    return Err(Prefixed("venue papers", st));
  }
  if (Status st = CopyRows(from, to, o, stats->faqs, counts); !st.ok()) return Err(st);
  if (Status st = CopyClicks(from, to, o, counts); !st.ok()) return Err(st);
  if (Status st = to.Flush(); !st.ok()) return Err(st);
  return counts;
}

Result<StoreCounts> CountRows(store::Store& s) {
  if (Status st = s.Flush(); !st.ok()) return Err(st);
  Result<store::StoreStats> stats = s.Stats();
  if (!stats) return Err(stats.error());
  StoreCounts c;
  c.papers = stats->papers;
  c.memberships = stats->memberships;
  c.faqs = stats->faqs;
  Result<int64_t> venue = VenuePaperCount(s);
  if (!venue) return Err(venue.error());
  c.venue_papers = *venue;
  Result<std::vector<store::PaperLink>> links = s.ListLinks();
  if (!links) return Err(links.error());
  c.links = static_cast<int64_t>(links->size());
  return c;
}

Result<std::string> DescribeContents(store::Store& s) {
  Result<store::StoreStats> stats = s.Stats();
  if (!stats) return Err(stats.error());
  std::vector<std::string> parts;
  auto count = [&parts](int64_t n, const char* what) {
    if (n > 0) parts.push_back(Thousands(n) + " " + what);
  };
  count(stats->papers, "papers");
  count(stats->memberships, "memberships");
  count(stats->faqs, "FAQs");
  if (Result<int64_t> venue = VenuePaperCount(s)) count(*venue, "venue papers");
  if (auto days = s.ExportDayStatuses("", 1); days && !days->empty()) {
    parts.push_back("day statuses");
  }
  // Stores that cannot export list their state and click totals.
  auto state = s.ExportState("", 3);
  if (!state) state = s.ListState("");
  if (state && !state->empty()) {
    std::string keys;
    for (size_t i = 0; i < state->size() && i < 3; ++i) {
      keys += (keys.empty() ? "" : ", ") + (*state)[i].first;
    }
    parts.push_back("state keys (" + keys + (state->size() >= 3 ? ", ..." : "") + ")");
  }
  auto clicks = s.ExportClicks("", 1);
  bool clicked = clicks && !clicks->empty();
  if (!clicks) {
    auto totals = s.ClickTotals();
    clicked = totals && !totals->empty();
  }
  if (clicked) parts.push_back("click counts");
  std::string out;
  for (const std::string& p : parts) out += (out.empty() ? "" : ", ") + p;
  return out;
}

std::string CompareCounts(const StoreCounts& from, const StoreCounts& to, bool into_non_empty,
                          std::FILE* out) {
  struct Row {
    const char* name;
    int64_t from, to;
    bool checked;
  };
  const Row rows[] = {{"papers", from.papers, to.papers, true},
                      {"memberships", from.memberships, to.memberships, true},
                      {"venue papers", from.venue_papers, to.venue_papers, true},
                      {"FAQs", from.faqs, to.faqs, true},
                      {"links", from.links, to.links, false}};
  fmt::print(out, "{:<14} {:>14} {:>14}\n", "", "source", "destination");
  std::string differs;
  for (const Row& r : rows) {
    bool agree = into_non_empty ? r.to >= r.from : r.to == r.from;
    fmt::print(out, "{:<14} {:>14} {:>14}{}\n", r.name, Thousands(r.from), Thousands(r.to),
               agree ? "" : (r.checked ? "  DIFFERENT" : "  (recomputed by the destination)"));
    if (!agree && r.checked) {
      differs += fmt::format("{}{} {} in the source but {} in the destination",
                             differs.empty() ? "" : "; ", r.name, r.from, r.to);
    }
  }
  return differs;
}

std::string ShownUrl(const std::string& url) {
  size_t scheme = url.find("://");
  if (scheme == std::string::npos) return url;
  size_t at = url.find('@', scheme + 3);
  if (at == std::string::npos) return url;
  size_t colon = url.find(':', scheme + 3);
  if (colon == std::string::npos || colon > at) return url;
  return url.substr(0, colon + 1) + "***" + url.substr(at);
}

}  // namespace coolpapers::cli
