#include "search/retrieval_eval.h"

#include <zlib.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <random>

#include <nlohmann/json.hpp>

#include "core/text.h"
#include "search/doc_source.h"

namespace coolpapers::search {
namespace {

// Reads all lines of a plain or gzip file.
Result<std::vector<std::string>> ReadLines(const std::string& path) {
  gzFile f = gzopen(path.c_str(), "rb");
  if (!f) {
    return Err(Status::NotFound("cannot open " + path + "; check the path"));
  }
  std::vector<std::string> lines;
  std::string cur;
  char buf[1 << 16];
  int n;
  while ((n = gzread(f, buf, sizeof buf)) > 0) {
    for (int i = 0; i < n; ++i) {
      if (buf[i] == '\n') {
        lines.push_back(std::move(cur));
        cur.clear();
      } else {
        cur += buf[i];
      }
    }
  }
  bool failed = n < 0;
  gzclose(f);
  if (failed) return Err(Status::Corruption(path + " is not a readable (gzip) file"));
  if (!cur.empty()) lines.push_back(std::move(cur));
  return lines;
}

std::string JsonString(const nlohmann::json& j, const char* key) {
  auto it = j.find(key);
  if (it == j.end()) return "";
  if (it->is_string()) return it->get<std::string>();
  if (it->is_number()) return it->dump();
  return "";
}

}  // namespace

Result<std::vector<IndexDoc>> LoadBeirCorpus(const std::string& path) {
  auto lines = ReadLines(path);
  if (!lines) return Err(lines.error());
  std::vector<IndexDoc> docs;
  for (size_t i = 0; i < lines->size(); ++i) {
    if (core::Trim((*lines)[i]).empty()) continue;
    auto j = nlohmann::json::parse((*lines)[i], nullptr, false);
    if (!j.is_object() || !j.contains("_id")) {
      return Err(Status::Corruption(path + " line " + std::to_string(i + 1) +
                                    " is not a BEIR corpus record {\"_id\",\"title\",\"text\"}"));
    }
    IndexDoc d;
    d.id = JsonString(j, "_id");
    d.title = JsonString(j, "title");
    d.abstract = JsonString(j, "text");
    docs.push_back(std::move(d));
  }
  return docs;
}

Result<std::vector<BeirQuery>> LoadBeirQueries(const std::string& path) {
  auto lines = ReadLines(path);
  if (!lines) return Err(lines.error());
  std::vector<BeirQuery> out;
  for (size_t i = 0; i < lines->size(); ++i) {
    if (core::Trim((*lines)[i]).empty()) continue;
    auto j = nlohmann::json::parse((*lines)[i], nullptr, false);
    if (!j.is_object() || !j.contains("_id")) {
      return Err(Status::Corruption(path + " line " + std::to_string(i + 1) +
                                    " is not a BEIR query record {\"_id\",\"text\"}"));
    }
    out.push_back(BeirQuery{JsonString(j, "_id"), JsonString(j, "text")});
  }
  return out;
}

Result<Qrels> LoadQrels(const std::string& path) {
  auto lines = ReadLines(path);
  if (!lines) return Err(lines.error());
  Qrels q;
  for (size_t i = 0; i < lines->size(); ++i) {
    auto cols = core::Split((*lines)[i], '\t');
    if (cols.size() < 3) continue;
    int64_t grade = 0;
    if (!core::ParseInt64(core::Trim(cols[2]), grade)) continue;  // the header
    q[std::string(core::Trim(cols[0]))][std::string(core::Trim(cols[1]))] =
        static_cast<int>(grade);
  }
  if (q.empty()) {
    return Err(Status::Corruption(path + " has no qrels rows (expected TSV: query-id, "
                                  "corpus-id, score)"));
  }
  return q;
}

double NdcgAt(const std::vector<std::string>& ranked, const std::map<std::string, int>& rel,
              int k) {
  double dcg = 0;
  for (int i = 0; i < std::min<int>(k, ranked.size()); ++i) {
    auto it = rel.find(ranked[i]);
    if (it != rel.end() && it->second > 0) dcg += (std::pow(2.0, it->second) - 1) / std::log2(i + 2.0);
  }
  std::vector<int> grades;
  for (const auto& [id, g] : rel) {
    if (g > 0) grades.push_back(g);
  }
  std::sort(grades.rbegin(), grades.rend());
  double idcg = 0;
  for (int i = 0; i < std::min<int>(k, grades.size()); ++i) {
    idcg += (std::pow(2.0, grades[i]) - 1) / std::log2(i + 2.0);
  }
  return idcg > 0 ? dcg / idcg : 0;
}

double RecallAt(const std::vector<std::string>& ranked, const std::map<std::string, int>& rel,
                int k) {
  int relevant = 0, found = 0;
  for (const auto& [id, g] : rel) relevant += g > 0;
  for (int i = 0; i < std::min<int>(k, ranked.size()); ++i) {
    auto it = rel.find(ranked[i]);
    found += it != rel.end() && it->second > 0;
  }
  return relevant > 0 ? static_cast<double>(found) / relevant : 0;
}

double MrrAt(const std::vector<std::string>& ranked, const std::map<std::string, int>& rel,
             int k) {
  for (int i = 0; i < std::min<int>(k, ranked.size()); ++i) {
    auto it = rel.find(ranked[i]);
    if (it != rel.end() && it->second > 0) return 1.0 / (i + 1);
  }
  return 0;
}

namespace {

// The first `limit` results of `text` (a BEIR query, searched as OR): ids and scores.
std::vector<std::pair<std::string, double>> Ranked(SearchService& service,
                                                   const std::string& text, SearchMode mode,
                                                   int limit) {
  SearchRequest req;
  req.query = text.substr(0, 1000);
  req.mode = mode;
  req.limit = limit;
  req.default_or = true;
  auto res = service.Search(req);
  std::vector<std::pair<std::string, double>> out;
  if (res) {
    for (const SearchHit& h : res->hits) out.emplace_back(h.id, h.score);
  }
  return out;
}

std::vector<std::string> IdsOf(const std::vector<std::pair<std::string, double>>& ranked) {
  std::vector<std::string> ids;
  ids.reserve(ranked.size());
  for (const auto& r : ranked) ids.push_back(r.first);
  return ids;
}

}  // namespace

Result<EvalReport> RunRetrievalEval(const EvalOptions& opts) {
  namespace fs = std::filesystem;
  auto corpus = LoadBeirCorpus(opts.corpus);
  if (!corpus) return Err(corpus.error());
  auto queries = LoadBeirQueries(opts.queries);
  if (!queries) return Err(queries.error());
  auto qrels = LoadQrels(opts.qrels);
  if (!qrels) return Err(qrels.error());
  // Opened first, so that a wrong path fails before the index is built.
  std::ofstream run;
  if (!opts.run_out.empty()) {
    run.open(opts.run_out, std::ios::trunc);
    run.precision(9);  // scores apart in the ranking stay apart in the file (trec_eval sorts them)
    if (!run) {
      return Err(Status::InvalidArgument("cannot write the run file " + opts.run_out +
                                         "; check that its directory exists and is writable"));
    }
  }

  EvalReport report;
  report.docs = static_cast<int>(corpus->size());
  std::string dir = opts.work_dir;
  bool remove_dir = false;
  if (dir.empty()) {
    std::random_device rd;
    dir = (fs::temp_directory_path() / ("coolpapers-eval-" + std::to_string(rd()))).string();
    remove_dir = true;
  }
  struct Cleanup {
    std::string dir;
    bool on;
    ~Cleanup() {
      std::error_code ec;
      if (on) fs::remove_all(dir, ec);
    }
  } cleanup{dir, remove_dir};

  BuildOptions build = opts.build;
  build.semantic = build.semantic && opts.mode != SearchMode::kBm25;
  // One indexing thread unless asked otherwise: parallel builds number documents and link the
  // HNSW graph in arrival order, which would let figures move between runs.
  if (build.threads == 0) build.threads = 1;
  const bool reuse = opts.reuse_index && !remove_dir && fs::exists(fs::path(dir) / "CURRENT");
  if (!reuse) {
    VectorDocSource src(std::move(*corpus));
    auto summary = BuildIndex(dir, src, build);
    if (!summary) return Err(summary.error());
    report.index_seconds = summary->seconds;
  }

  SearchServiceOptions so;
  so.index_dir = dir;
  so.keyword = build.keyword;
  so.hybrid = opts.hybrid;
  so.external_embedder = build.external_embedder;
  if (opts.exact_boost >= 0) so.exact_boost = opts.exact_boost;
  auto service = SearchService::Open(so);
  if (!service) return Err(service.error());

  const std::string tag = std::string("coolpapers-") + std::string(SearchModeName(opts.mode));
  const auto start = std::chrono::steady_clock::now();
  double ndcg = 0, recall = 0, mrr = 0;
  for (const BeirQuery& q : *queries) {
    auto rel = qrels->find(q.id);
    if (rel == qrels->end()) continue;
    // nDCG and MRR score the first page as a reader gets it (`k` results), recall the first
    // 100: hybrid's BM25 candidates depend on the page asked for.
    const auto first = Ranked(**service, q.text, opts.mode, opts.k);
    const std::vector<std::string> page = IdsOf(first);
    ndcg += NdcgAt(page, rel->second, opts.k);
    mrr += MrrAt(page, rel->second, opts.k);
    const auto deep = opts.k == 100 ? first : Ranked(**service, q.text, opts.mode, 100);
    recall += RecallAt(IdsOf(deep), rel->second, 100);
    for (size_t i = 0; run.is_open() && i < deep.size(); ++i) {
      run << q.id << " Q0 " << deep[i].first << ' ' << i + 1 << ' ' << deep[i].second << ' '
          << tag << '\n';
    }
    ++report.queries;
  }
  if (run.is_open() && !run.flush()) {
    return Err(Status::Internal("writing the run file " + opts.run_out + " failed; check free "
                                "disk space"));
  }
  report.search_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (report.queries == 0) {
    return Err(Status::InvalidArgument("no query of " + opts.queries + " appears in " +
                                       opts.qrels + "; check that the files belong together"));
  }
  report.ndcg = ndcg / report.queries;
  report.recall100 = recall / report.queries;
  report.mrr = mrr / report.queries;
  return report;
}

}  // namespace coolpapers::search
