// Search benchmark driver for `make bench` (bench/search-bench.sh runs it).
//
//   search_bench corpus --papers F --docs N --work DIR --queries-out Q [--semantic]
//                       [--rebuild] [--figure NAME]
//     Indexes the real papers (replicated with new ids up to N documents, labelled "r<k>.<id>")
//     with the production indexer and into an SQLite FTS5 table, then runs the same realistic
//     queries (2-3 consecutive words from real titles) against both and prints latency
//     percentiles, build times (with where the index build's time went) and sizes. Reuses
//     indexes already built in DIR unless --rebuild. With --figure, when both were built in
//     this run, appends the figure NAME (our build seconds beside FTS5's) to the file named by
//     env COOLPAPERS_BENCH_FIGURES (see bench/figures.sh).
//   search_bench http --url http://127.0.0.1:PORT --queries Q [--mode bm25] [--index DIR]
//                     [--p50-goal MS] [--p99-goal MS]
//     Times GET /api/search for each query over one keep-alive connection; with --index, also
//     the same queries on raw Xapian in this process (the peer), and records both as figures
//     (COOLPAPERS_BENCH_FIGURES, see bench/figures.sh).
//   search_bench snippets --index DIR --queries Q
//     The snippets and highlights of each query's top-10 page, made by Xapian's MSet::snippet
//     and by coolpapers' own generator (search/snippet.h) on the same pages, timed per page.

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sqlite3.h>
#include <sys/socket.h>
#include <unistd.h>
#include <zlib.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <random>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/text.h"
#include "search/doc_source.h"
#include "search/file_util.h"
#include "search/index_builder.h"
#include "search/index_layout.h"
#include "search/search_service.h"
#include "search/snippet.h"
#include "search/tokenizer.h"

namespace cs = coolpapers::search;
namespace core = coolpapers::core;
namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

namespace {

std::string Arg(int argc, char** argv, const std::string& name, const std::string& fallback) {
  for (int i = 1; i + 1 < argc; ++i) {
    if (argv[i] == name) return argv[i + 1];
  }
  return fallback;
}
bool Flag(int argc, char** argv, const std::string& name) {
  for (int i = 1; i < argc; ++i) {
    if (argv[i] == name) return true;
  }
  return false;
}

std::vector<cs::IndexDoc> LoadPapers(const std::string& path) {
  std::vector<cs::IndexDoc> docs;
  gzFile f = gzopen(path.c_str(), "rb");
  if (!f) {
    std::fprintf(stderr, "search_bench: cannot open %s\n", path.c_str());
    std::exit(1);
  }
  std::string line;
  char buf[1 << 16];
  auto flush = [&] {
    auto j = nlohmann::json::parse(line, nullptr, false);
    line.clear();
    if (!j.is_object()) return;
    cs::IndexDoc d;
    d.id = j.value("id", "");
    d.title = j.value("title", "");
    d.abstract = j.value("summary", "");
    if (j.contains("authors") && j["authors"].is_array()) {
      for (const auto& a : j["authors"]) {
        if (a.is_string()) d.authors.push_back(a.get<std::string>());
      }
    }
    if (j.contains("categories") && j["categories"].is_array()) {
      for (const auto& c : j["categories"]) {
        if (c.is_string()) d.categories.push_back(c.get<std::string>());
      }
    }
    d.date = j.value("listing_date", "") + " 00:00:00";
    if (!d.id.empty()) docs.push_back(std::move(d));
  };
  int n;
  while ((n = gzread(f, buf, sizeof buf)) > 0) {
    for (int i = 0; i < n; ++i) {
      if (buf[i] == '\n') {
        flush();
      } else {
        line += buf[i];
      }
    }
  }
  if (!line.empty()) flush();
  gzclose(f);
  return docs;
}

// The real papers, then copies with new ids ("r<k>.<id>") until `total` documents.
class ReplicatingSource : public cs::DocSource {
 public:
  ReplicatingSource(const std::vector<cs::IndexDoc>& base, int64_t total)
      : base_(base), total_(total) {}
  coolpapers::Status Rewind() override {
    pos_ = 0;
    return coolpapers::Status::Ok();
  }
  coolpapers::Status Next(std::vector<cs::IndexDoc>& batch) override {
    batch.clear();
    for (; pos_ < total_ && batch.size() < 2000; ++pos_) batch.push_back(Doc(pos_));
    return coolpapers::Status::Ok();
  }
  int64_t SizeHint() const override { return total_; }
  cs::IndexDoc Doc(int64_t i) const {
    cs::IndexDoc d = base_[i % base_.size()];
    int64_t copy = i / static_cast<int64_t>(base_.size());
    if (copy > 0) {
      std::string id = "r";
      id += std::to_string(copy);
      id += '.';
      id += d.id;
      d.id = std::move(id);
    }
    return d;
  }

 private:
  const std::vector<cs::IndexDoc>& base_;
  int64_t total_;
  int64_t pos_ = 0;
};

std::vector<std::string> MakeQueries(const std::vector<cs::IndexDoc>& docs, int n) {
  std::mt19937_64 rng(2026);
  std::vector<std::string> out;
  cs::Tokenizer tok;
  while (static_cast<int>(out.size()) < n) {
    const cs::IndexDoc& d = docs[rng() % docs.size()];
    std::vector<std::string> words;
    for (const std::string& w : core::Split(d.title, ' ')) {
      std::string clean;
      for (char c : w) {
        if (std::isalpha(static_cast<unsigned char>(c))) clean += c;
      }
      if (clean.size() >= 3 && clean.size() == w.size() && !cs::IsStopWord(core::ToLower(clean))) {
        words.push_back(core::ToLower(clean));
      } else {
        words.push_back("");
      }
    }
    const int len = 2 + static_cast<int>(rng() % 2);
    std::vector<std::vector<std::string>> runs;
    for (size_t i = 0; i + len <= words.size(); ++i) {
      bool ok = true;
      for (int k = 0; k < len; ++k) ok &= !words[i + k].empty();
      if (ok) runs.emplace_back(words.begin() + i, words.begin() + i + len);
    }
    if (runs.empty()) continue;
    out.push_back(core::Join(runs[rng() % runs.size()], " "));
  }
  return out;
}

struct Percentiles {
  double p50 = 0, p99 = 0, mean = 0;
};
Percentiles Summarize(std::vector<double> ms) {
  Percentiles p;
  if (ms.empty()) return p;
  std::sort(ms.begin(), ms.end());
  p.p50 = ms[ms.size() / 2];
  p.p99 = ms[std::min(ms.size() - 1, static_cast<size_t>(ms.size() * 0.99))];
  double sum = 0;
  for (double x : ms) sum += x;
  p.mean = sum / ms.size();
  return p;
}

double Ms(Clock::time_point a, Clock::time_point b) {
  return std::chrono::duration<double, std::milli>(b - a).count();
}

void Check(int rc, sqlite3* db, const char* what) {
  if (rc != SQLITE_OK && rc != SQLITE_DONE && rc != SQLITE_ROW) {
    std::fprintf(stderr, "search_bench: sqlite %s: %s\n", what, sqlite3_errmsg(db));
    std::exit(1);
  }
}

double BuildFts5(const std::string& path, ReplicatingSource& src) {
  const auto start = Clock::now();
  fs::remove(path);
  sqlite3* db = nullptr;
  Check(sqlite3_open(path.c_str(), &db), db, "open");
  Check(sqlite3_exec(db, "PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF;"
                         "CREATE VIRTUAL TABLE docs USING fts5(id UNINDEXED, title, abstract, "
                         "authors, tokenize='porter unicode61');", nullptr, nullptr, nullptr),
        db, "create");
  Check(sqlite3_exec(db, "BEGIN", nullptr, nullptr, nullptr), db, "begin");
  sqlite3_stmt* ins = nullptr;
  Check(sqlite3_prepare_v2(db, "INSERT INTO docs(id,title,abstract,authors) VALUES(?,?,?,?)", -1,
                           &ins, nullptr),
        db, "prepare");
  (void)src.Rewind();
  std::vector<cs::IndexDoc> batch;
  while (src.Next(batch).ok() && !batch.empty()) {
    for (const auto& d : batch) {
      std::string authors = core::Join(d.authors, ", ");
      sqlite3_bind_text(ins, 1, d.id.c_str(), -1, SQLITE_TRANSIENT);
      sqlite3_bind_text(ins, 2, d.title.c_str(), -1, SQLITE_TRANSIENT);
      sqlite3_bind_text(ins, 3, d.abstract.c_str(), -1, SQLITE_TRANSIENT);
      sqlite3_bind_text(ins, 4, authors.c_str(), -1, SQLITE_TRANSIENT);
      Check(sqlite3_step(ins), db, "insert");
      sqlite3_reset(ins);
    }
  }
  sqlite3_finalize(ins);
  Check(sqlite3_exec(db, "COMMIT; INSERT INTO docs(docs) VALUES('optimize');", nullptr, nullptr,
                     nullptr),
        db, "commit");
  sqlite3_close(db);
  return std::chrono::duration<double>(Clock::now() - start).count();
}

std::vector<double> TimeFts5(const std::string& path, const std::vector<std::string>& queries,
                             int64_t* total_hits) {
  sqlite3* db = nullptr;
  Check(sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr), db, "open");
  sqlite3_stmt* st = nullptr;
  Check(sqlite3_prepare_v2(db, "SELECT id, bm25(docs, 0.0, 3.0, 1.0, 1.0) AS s FROM docs "
                               "WHERE docs MATCH ? ORDER BY s LIMIT 10", -1, &st, nullptr),
        db, "prepare");
  std::vector<double> ms;
  for (const std::string& q : queries) {
    std::string match;  // each word quoted, implicit AND
    for (const std::string& w : core::Split(q, ' ')) match += "\"" + w + "\" ";
    const auto t0 = Clock::now();
    sqlite3_bind_text(st, 1, match.c_str(), -1, SQLITE_TRANSIENT);
    while (sqlite3_step(st) == SQLITE_ROW) ++*total_hits;
    sqlite3_reset(st);
    ms.push_back(Ms(t0, Clock::now()));
  }
  sqlite3_finalize(st);
  sqlite3_close(db);
  return ms;
}

// Appends the build figure (ours beside FTS5's, seconds, lower is better, goal ratio <= 5) to
// $COOLPAPERS_BENCH_FIGURES when both indexes were built in this run.
void RecordBuildFigure(const std::string& name, const std::string& label, double ours,
                       double fts5) {
  if (ours < 0 || fts5 < 0) {
    std::printf("[%s] build figure not recorded: an index was reused (run with --rebuild)\n",
                label.c_str());
    return;
  }
  std::printf("[%s] %s: %.1f s vs SQLite FTS5 build (positions) %.1f s: ratio %.2f (goal <= 5)\n",
              label.c_str(), name.c_str(), ours, fts5, fts5 > 0 ? ours / fts5 : 0.0);
  const char* path = std::getenv("COOLPAPERS_BENCH_FIGURES");
  if (path == nullptr || *path == '\0') return;
  std::ofstream out(path, std::ios::app);
  out << name << '\t' << std::fixed << std::setprecision(1) << ours
      << "\tSQLite FTS5 build (positions)\t" << fts5 << "\ts\tlower\tratio <= 5\n";
}

// Builds our index (in DIR/index) and the FTS5 table (DIR/fts5.db) of `src` unless already
// there, printing their build times and sizes; the seconds of each one built here are stored
// (else left at -1). False when our build failed.
bool BuildIndexes(const std::string& work, const std::string& label, bool semantic,
                  ReplicatingSource& src, double* ours_seconds, double* fts5_seconds) {
  const std::string index_dir = work + "/index";
  if (auto gen = cs::IndexLayout(index_dir).CurrentGeneration()) {
    bool current = false;
    if (auto meta = cs::ReadFile(cs::IndexLayout::MetaPath(*gen))) {
      auto parsed = cs::MetaFromJson(*meta);
      current = parsed && cs::CheckFormat(*parsed, *gen).ok();
    }
    if (!current) {
      std::printf("[%s] cached index has an older format: rebuilding it\n", label.c_str());
      fs::remove_all(index_dir);
    }
  }
  if (!cs::IndexLayout(index_dir).CurrentGeneration()) {
    cs::BuildOptions opts;
    opts.semantic = semantic;
    opts.progress = true;
    auto built = cs::BuildIndex(index_dir, src, opts);
    if (!built) {
      std::fprintf(stderr, "search_bench: %s\n", built.error().ToString().c_str());
      return false;
    }
    std::printf("[%s] xapian index build: %.1f s, %.1f MB (%s)\n", label.c_str(), built->seconds,
                built->bytes / 1048576.0,
                built->embedder_id.empty() ? "keyword only" : built->embedder_id.c_str());
    std::printf("[%s] xapian index build phases on %d threads: %s\n", label.c_str(),
                built->threads, cs::DescribePhases(built->phases).c_str());
    *ours_seconds = built->seconds;
  } else {
    std::printf("[%s] xapian index: reused %s (%.1f MB)\n", label.c_str(), index_dir.c_str(),
                cs::DirectorySize(*cs::IndexLayout(index_dir).CurrentGeneration()) / 1048576.0);
  }
  const std::string fts = work + "/fts5.db";
  if (!fs::exists(fts)) {
    double secs = BuildFts5(fts, src);
    std::printf("[%s] fts5 build: %.1f s, %.1f MB\n", label.c_str(), secs,
                fs::file_size(fts) / 1048576.0);
    *fts5_seconds = secs;
  } else {
    std::printf("[%s] fts5: reused %s (%.1f MB)\n", label.c_str(), fts.c_str(),
                fs::file_size(fts) / 1048576.0);
  }
  return true;
}

// The queries through SearchService: Xapian's full match alone, then as `serve` runs it
// (top-weight lists, large matches split over two threads). Returns the second service (null
// when it could not open).
std::unique_ptr<cs::SearchService> TimeService(const std::string& index_dir,
                                               const std::vector<std::string>& queries,
                                               const std::string& label, int check_at_least) {
  cs::SearchServiceOptions so;
  so.index_dir = index_dir;
  so.check_at_least = check_at_least;
  std::unique_ptr<cs::SearchService> service;
  for (int variant = 0; variant < 2; ++variant) {
    so.build_heads = variant == 1;
    so.match_threads = variant == 1 ? 2 : 1;
    auto opened = cs::SearchService::Open(so);
    if (!opened) {
      std::fprintf(stderr, "search_bench: %s\n", opened.error().ToString().c_str());
      return nullptr;
    }
    service = std::move(*opened);
    const char* how = "xapian full match";
    if (variant == 1) {
      const auto t0 = Clock::now();
      if (!service->WaitForHeads(std::chrono::minutes(10))) {
        std::printf("[%s] top-weight lists not ready after 10 minutes\n", label.c_str());
      }
      const cs::IndexInfo info = service->Info();
      std::printf("[%s] top-weight lists: %lld terms, %.1f MB, ready %.1f s after opening\n",
                  label.c_str(), static_cast<long long>(info.heads_terms),
                  info.heads_bytes / 1048576.0, Ms(t0, Clock::now()) / 1000);
      how = "top-weight lists + 2 threads";
    }
    for (int pass = 0; pass < 2; ++pass) {  // pass 0 warms caches
      std::vector<double> ms;
      int64_t hits = 0;
      for (const std::string& q : queries) {
        cs::SearchRequest req;
        req.query = q;
        req.mode = cs::SearchMode::kBm25;
        const auto t0 = Clock::now();
        auto r = service->Search(req);
        ms.push_back(Ms(t0, Clock::now()));
        if (r) hits += static_cast<int64_t>(r->hits.size());
      }
      if (pass == 1) {
        Percentiles p = Summarize(ms);
        std::printf("[%s] service bm25 AND top-10 with snippets (%s), %zu queries: p50 %.2f ms, "
                    "p99 %.2f ms, mean %.2f ms (%lld hits)\n",
                    label.c_str(), how, queries.size(), p.p50, p.p99, p.mean,
                    static_cast<long long>(hits));
      }
    }
  }
  return service;
}

// Where the keyword latency goes: the same queries on a raw searcher, one cost removed at a
// time.
void TimeRawVariants(const std::string& index_dir, const std::vector<std::string>& queries,
                     const std::string& label) {
  auto searcher = cs::KeywordIndexSearcher::Open(
      cs::IndexLayout::XapianPath(*cs::IndexLayout(index_dir).CurrentGeneration()));
  struct Variant {
    const char* name;
    int snippet;
    double exact;
    int check;
  };
  for (const Variant& v : {Variant{"full (snippets, exact boost, check 100)", 300, 1.0, 100},
                           Variant{"no snippets", 0, 1.0, 100},
                           Variant{"no exact boost", 300, 0.0, 100},
                           Variant{"check_at_least 0", 300, 1.0, 0},
                           Variant{"check_at_least 1000", 300, 1.0, 1000},
                           Variant{"bare (none of them)", 0, 0.0, 0}}) {
    std::vector<double> ms;
    for (const std::string& q : queries) {
      cs::KeywordQuery kq;
      kq.input = *cs::PrepareQuery(q);
      kq.snippet_bytes = v.snippet;
      kq.exact_boost = v.exact;
      kq.check_at_least = v.check;
      const auto t0 = Clock::now();
      (void)(*searcher)->Search(kq);
      ms.push_back(Ms(t0, Clock::now()));
    }
    Percentiles p = Summarize(ms);
    std::printf("[%s]   raw xapian, %s: p50 %.2f ms, p99 %.2f ms\n", label.c_str(), v.name,
                p.p50, p.p99);
  }
}

// The default (hybrid) search of `service`.
void TimeHybrid(cs::SearchService& service, const std::vector<std::string>& queries,
                const std::string& label) {
  std::vector<double> ms;
  for (const std::string& q : queries) {
    cs::SearchRequest req;
    req.query = q;
    const auto t0 = Clock::now();
    (void)service.Search(req);
    ms.push_back(Ms(t0, Clock::now()));
  }
  Percentiles p = Summarize(ms);
  std::printf("[%s] xapian+semantic hybrid top-10: p50 %.2f ms, p99 %.2f ms\n", label.c_str(),
              p.p50, p.p99);
}

// SQLite FTS5's bm25() on the same queries (the peer), after a warm-up pass.
void TimeFts5Queries(const std::string& fts, const std::vector<std::string>& queries,
                     const std::string& label) {
  for (int pass = 0; pass < 2; ++pass) {
    int64_t hits = 0;
    auto ms = TimeFts5(fts, queries, &hits);
    if (pass == 1) {
      Percentiles p = Summarize(ms);
      std::printf("[%s] sqlite fts5 bm25() AND top-10, %zu queries: p50 %.2f ms, p99 %.2f ms, "
                  "mean %.2f ms (%lld hits)\n",
                  label.c_str(), queries.size(), p.p50, p.p99, p.mean,
                  static_cast<long long>(hits));
    }
  }
}

int RunCorpus(int argc, char** argv) {
  const std::string papers = Arg(argc, argv, "--papers", "");
  const int64_t total = std::stoll(Arg(argc, argv, "--docs", "0"));
  const std::string work = Arg(argc, argv, "--work", "");
  const std::string queries_out = Arg(argc, argv, "--queries-out", "");
  const int nq = std::stoi(Arg(argc, argv, "--queries", "300"));
  const bool semantic = Flag(argc, argv, "--semantic");
  const std::string label = Arg(argc, argv, "--label", std::to_string(total) + " docs");
  const std::string figure = Arg(argc, argv, "--figure", "");
  if (Flag(argc, argv, "--rebuild")) {
    fs::remove_all(work + "/index");
    fs::remove(work + "/fts5.db");
  }
  fs::create_directories(work);
  auto base = LoadPapers(papers);
  const int64_t n = total > 0 ? total : static_cast<int64_t>(base.size());
  ReplicatingSource src(base, n);
  auto queries = MakeQueries(base, nq);
  if (!queries_out.empty()) {
    std::ofstream out(queries_out);
    for (const auto& q : queries) out << q << "\n";
  }

  const std::string index_dir = work + "/index";
  const std::string fts = work + "/fts5.db";
  double ours_seconds = -1, fts5_seconds = -1;
  if (!BuildIndexes(work, label, semantic, src, &ours_seconds, &fts5_seconds)) return 1;
  if (!figure.empty()) RecordBuildFigure(figure, label, ours_seconds, fts5_seconds);

  auto service = TimeService(index_dir, queries, label,
                             std::stoi(Arg(argc, argv, "--check-at-least", "100")));
  if (!service) return 1;
  if (Flag(argc, argv, "--variants")) TimeRawVariants(index_dir, queries, label);
  if (service->HasSemantic()) TimeHybrid(*service, queries, label);
  TimeFts5Queries(fts, queries, label);
  return 0;
}

// One keep-alive HTTP/1.1 connection; GET returns the status (0 on error).
class HttpClient {
 public:
  HttpClient(const std::string& host, int port) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(static_cast<uint16_t>(port));
    ::inet_pton(AF_INET, host.c_str(), &a.sin_addr);
    if (::connect(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
      ::close(fd_);
      fd_ = -1;
    }
    int one = 1;
    if (fd_ >= 0) ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  }
  ~HttpClient() {
    if (fd_ >= 0) ::close(fd_);
  }
  int Get(const std::string& target) {
    if (fd_ < 0) return 0;
    std::string req = "GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
    if (::send(fd_, req.data(), req.size(), 0) != static_cast<ssize_t>(req.size())) return 0;
    std::string data;
    char buf[65536];
    size_t header_end = std::string::npos;
    size_t need = 0;
    while (true) {
      ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
      if (n <= 0) return 0;
      data.append(buf, static_cast<size_t>(n));
      if (header_end == std::string::npos) {
        header_end = data.find("\r\n\r\n");
        if (header_end == std::string::npos) continue;
        std::string head = core::ToLower(data.substr(0, header_end));
        size_t cl = head.find("content-length:");
        if (cl == std::string::npos) return 0;  // the API always sends a length
        need = header_end + 4 + std::stoul(head.substr(cl + 15));
      }
      if (data.size() >= need) break;
    }
    return std::atoi(data.c_str() + 9);
  }

 private:
  int fd_ = -1;
};

// Appends one figure (the seven tab-separated fields of bench/figures.sh) to the file named by
// COOLPAPERS_BENCH_FIGURES, when set.
void RecordFigure(const std::string& name, double ours, const std::string& peer_name,
                  double peer, const std::string& unit, const std::string& better,
                  const std::string& goal) {
  const char* path = std::getenv("COOLPAPERS_BENCH_FIGURES");
  if (!path || !*path) return;
  std::ofstream out(path, std::ios::app);
  char a[32], b[32];
  std::snprintf(a, sizeof a, "%.3f", ours);
  std::snprintf(b, sizeof b, "%.3f", peer);
  out << name << '\t' << a << '\t' << peer_name << '\t' << b << '\t' << unit << '\t' << better
      << '\t' << goal << '\n';
}

// Prints the five slowest HTTP queries with their in-process times (empty when not timed):
// what the p99 is made of.
void PrintSlowest(const std::string& label, const std::vector<std::string>& queries,
                  const std::vector<double>& ms, const std::vector<double>& raw_ms) {
  std::vector<size_t> order(ms.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  const size_t n = std::min<size_t>(5, order.size());
  std::partial_sort(order.begin(), order.begin() + static_cast<std::ptrdiff_t>(n), order.end(),
                    [&](size_t a, size_t b) { return ms[a] > ms[b]; });
  for (size_t k = 0; k < n; ++k) {
    const size_t i = order[k];
    std::printf("[%s]   slow: %.2f ms HTTP, %.2f ms in-process: %s\n", label.c_str(), ms[i],
                i < raw_ms.size() ? raw_ms[i] : 0.0, queries[i].c_str());
  }
}

// `--index DIR` (optional): the same queries on the index opened in this process (Xapian's
// full match with snippets, as the API runs it, without the top-weight lists), each query
// timed right before its HTTP request so both see the same machine load.
int RunHttp(int argc, char** argv) {
  const std::string url = Arg(argc, argv, "--url", "");
  const std::string mode = Arg(argc, argv, "--mode", "bm25");
  const std::string label = Arg(argc, argv, "--label", "");
  const std::string index_dir = Arg(argc, argv, "--index", "");
  std::ifstream in(Arg(argc, argv, "--queries", ""));
  std::vector<std::string> queries;
  for (std::string line; std::getline(in, line);) {
    if (!line.empty()) queries.push_back(line);
  }
  std::unique_ptr<cs::KeywordIndexSearcher> raw;
  if (!index_dir.empty()) {
    auto gen = cs::IndexLayout(index_dir).CurrentGeneration();
    if (!gen) {
      std::fprintf(stderr, "search_bench: no index generation in %s\n", index_dir.c_str());
      return 1;
    }
    auto opened = cs::KeywordIndexSearcher::Open(cs::IndexLayout::XapianPath(*gen));
    if (!opened) {
      std::fprintf(stderr, "search_bench: %s\n", opened.error().ToString().c_str());
      return 1;
    }
    raw = std::move(*opened);
  }
  const std::string hostport = url.substr(url.find("//") + 2);
  HttpClient client(hostport.substr(0, hostport.find(':')),
                    std::stoi(hostport.substr(hostport.find(':') + 1)));
  int errors = 0;
  for (int pass = 0; pass < 2; ++pass) {  // pass 0 warms caches
    std::vector<double> ms, raw_ms;
    for (const std::string& q : queries) {
      if (raw) {
        cs::KeywordQuery kq;
        kq.input = *cs::PrepareQuery(q);
        kq.limit = 10;
        kq.check_at_least = 100;
        const auto t0 = Clock::now();
        (void)raw->Search(kq);
        raw_ms.push_back(Ms(t0, Clock::now()));
      }
      const auto t0 = Clock::now();
      int status = client.Get("/api/search?limit=10&mode=" + mode + "&q=" + core::UrlEncode(q));
      ms.push_back(Ms(t0, Clock::now()));
      errors += status != 200;
    }
    if (pass == 0) continue;
    PrintSlowest(label, queries, ms, raw_ms);
    Percentiles p = Summarize(ms);
    std::printf("[%s] HTTP GET /api/search mode=%s, %zu queries, keep-alive: p50 %.2f ms, p99 "
                "%.2f ms, mean %.2f ms, %d errors\n",
                label.c_str(), mode.c_str(), queries.size(), p.p50, p.p99, p.mean, errors);
    if (!raw) continue;
    Percentiles r = Summarize(raw_ms);
    std::printf("[%s] raw Xapian in-process (same queries, interleaved): p50 %.2f ms, p99 %.2f "
                "ms, mean %.2f ms\n",
                label.c_str(), r.p50, r.p99, r.mean);
    if (mode != "bm25") continue;  // the peer is BM25: only that mode makes a figure
    RecordFigure("/api/search p50, " + label, p.p50, "raw Xapian in-process p50", r.p50,
                 "ms", "lower", "ours < " + Arg(argc, argv, "--p50-goal", "1.5"));
    RecordFigure("/api/search p99, " + label, p.p99, "raw Xapian in-process p99", r.p99,
                 "ms", "lower", "ours < " + Arg(argc, argv, "--p99-goal", "5"));
  }
  return errors == 0 ? 0 : 1;
}

// One page of RunSnippets: the query as the searcher builds it for plain words (stemmed AND,
// plus the unstemmed words for the exact boost), its top 10 and their documents.
struct SnippetPage {
  Xapian::Query query;
  Xapian::MSet mset;
  std::vector<cs::IndexDoc> docs;
};

SnippetPage LoadSnippetPage(Xapian::Database& db, const std::string& text) {
  SnippetPage page;
  const Xapian::Stem stem("en");
  auto parse = [&](bool stemmed, Xapian::Query::op op) {
    Xapian::QueryParser qp;
    qp.set_database(db);
    qp.set_stemmer(stem);
    qp.set_stemming_strategy(stemmed ? Xapian::QueryParser::STEM_SOME
                                     : Xapian::QueryParser::STEM_NONE);
    qp.set_default_op(op);
    return qp.parse_query(text, Xapian::QueryParser::FLAG_PHRASE |
                                    Xapian::QueryParser::FLAG_BOOLEAN |
                                    Xapian::QueryParser::FLAG_CJK_NGRAM);
  };
  page.query = Xapian::Query(Xapian::Query::OP_AND_MAYBE, parse(true, Xapian::Query::OP_AND),
                             parse(false, Xapian::Query::OP_OR));
  Xapian::Enquire enquire(db);
  enquire.set_query(page.query);
  page.mset = enquire.get_mset(0, 10, 110);
  for (auto it = page.mset.begin(); it != page.mset.end(); ++it) {
    if (auto d = cs::ParseDoc(it.get_document().get_data())) page.docs.push_back(std::move(*d));
  }
  return page;
}

// Per page: snippets only (what /api/search returns), then with the highlighted title and
// abstract (highlight=1 pages), by Xapian and by ours; prints p50/mean of each.
int RunSnippets(int argc, char** argv) {
  auto gen = cs::IndexLayout(Arg(argc, argv, "--index", "")).CurrentGeneration();
  if (!gen) {
    std::fprintf(stderr, "search_bench: no index generation in --index\n");
    return 1;
  }
  Xapian::Database db(cs::IndexLayout::XapianPath(*gen));
  std::ifstream in(Arg(argc, argv, "--queries", ""));
  std::vector<SnippetPage> pages;
  for (std::string line; std::getline(in, line);) {
    if (!line.empty()) pages.push_back(LoadSnippetPage(db, line));
  }
  const Xapian::Stem stem("en");
  const unsigned flags = Xapian::MSet::SNIPPET_CJK_NGRAM;
  cs::StemCache stems(20000);
  size_t bytes = 0;  // keeps the outputs alive to the optimizer
  std::vector<double> ms[4];
  for (int pass = 0; pass < 2; ++pass) {  // pass 0 warms caches
    for (auto& m : ms) m.clear();
    for (const SnippetPage& p : pages) {
      for (int variant = 0; variant < 4; ++variant) {
        const bool ours = variant >= 2, highlight = variant % 2 == 1;
        const auto t0 = Clock::now();
        const cs::HighlightTerms terms =
            ours ? cs::HighlightTerms::FromQuery(p.query, db, stems) : cs::HighlightTerms();
        for (const cs::IndexDoc& d : p.docs) {
          if (ours) {
            const cs::MarkedText abstract(d.abstract, terms, stems);
            bytes += abstract.Snippet(300).size();
            if (highlight) {
              bytes += cs::MarkedText(d.title, terms, stems).Highlighted().size();
              bytes += abstract.Highlighted().size();
            }
            continue;
          }
          bytes += p.mset.snippet(d.abstract, 300, stem, flags | Xapian::MSet::SNIPPET_EXHAUSTIVE,
                                  "<mark>", "</mark>", "\u2026").size();
          if (highlight) {
            bytes += p.mset.snippet(d.title, d.title.size() + 64, stem, flags, "<mark>",
                                    "</mark>", "").size();
            bytes += p.mset.snippet(d.abstract, d.abstract.size() + 64, stem, flags, "<mark>",
                                    "</mark>", "").size();
          }
        }
        ms[variant].push_back(Ms(t0, Clock::now()));
      }
    }
  }
  const char* names[4] = {"xapian MSet::snippet, snippets", "xapian MSet::snippet, + highlights",
                          "coolpapers snippet.h, snippets", "coolpapers snippet.h, + highlights"};
  for (int v = 0; v < 4; ++v) {
    Percentiles p = Summarize(ms[v]);
    std::printf("[snippets] %s: per top-10 page p50 %.3f ms, p99 %.3f ms, mean %.3f ms "
                "(%zu pages)\n", names[v], p.p50, p.p99, p.mean, ms[v].size());
  }
  std::printf("[snippets] (%zu bytes made)\n", bytes);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  std::setvbuf(stdout, nullptr, _IOLBF, 0);
  const std::string cmd = argc > 1 ? argv[1] : "";
  if (cmd == "corpus") return RunCorpus(argc, argv);
  if (cmd == "http") return RunHttp(argc, argv);
  if (cmd == "snippets") return RunSnippets(argc, argv);
  std::fprintf(stderr,
               "usage: search_bench corpus|http|snippets ... (see bench/search_bench.cc)\n");
  return 2;
}
