// `coolpapers search QUERY... [--db URL] [--index-dir DIR] [--limit N] [--offset N]
//  [--sort relevance|time|stars] [--mode auto|bm25|semantic|hybrid] [--json]`: searches the
// local index (built by `coolpapers index`) and prints the results.

#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "cli/commands.h"
#include "core/text.h"
#include "search/index_layout.h"
#include "search/openai_embedder.h"
#include "search/search_json.h"
#include "search/search_service.h"

namespace coolpapers::cli {
namespace {

struct SearchArgs {
  std::vector<std::string> words;
  std::string db = kDefaultDb;
  std::string index_dir;
  int limit = 10;
  int offset = 0;
  std::string sort = "relevance";
  std::string mode = "auto";
  bool json = false;
};

int Fail(const std::string& message, int code = 1) {
  std::fprintf(stderr, "coolpapers search: %s\n", message.c_str());
  return code;
}

void PrintText(const search::SearchResponse& r) {
  std::printf("%lld%s results for \"%s\" (%s)%s\n", static_cast<long long>(r.total),
              r.total_exact ? "" : "+", r.query.c_str(),
              std::string(search::SearchModeName(r.mode)).c_str(),
              r.relaxed ? ", some words optional" : "");
  if (!r.suggestion.empty()) std::printf("did you mean: %s\n", r.suggestion.c_str());
  int n = r.offset;
  for (const search::SearchHit& h : r.hits) {
    std::printf("%3d. %s  %s\n", ++n, h.id.c_str(), h.doc.title.c_str());
    std::string authors = core::Join(h.doc.authors, ", ");
    if (authors.size() > 100) authors = authors.substr(0, 97) + "...";
    std::printf("     %s  [%s]  %s\n", h.doc.date.substr(0, 10).c_str(),
                core::Join(h.doc.categories, " ").c_str(), authors.c_str());
  }
}

int RunSearch(const SearchArgs& a) {
  auto sort = search::ParseSortOrder(a.sort);
  if (!sort) return Fail("unknown --sort " + a.sort + "; use relevance, time or stars", 2);
  auto mode = search::ParseSearchMode(a.mode);
  if (!mode) return Fail("unknown --mode " + a.mode + "; use auto, bm25, semantic or hybrid", 2);
  std::unique_ptr<search::OpenAiEmbedder> external;
  if (auto config = search::OpenAiEmbedderConfigFromEnv()) {
    auto e = search::OpenAiEmbedder::Create(*config);
    if (e) external = std::move(*e);
  }
  search::SearchServiceOptions so;
  so.index_dir = a.index_dir.empty() ? search::DefaultIndexDir(a.db) : a.index_dir;
  so.external_embedder = external.get();
  auto service = search::SearchService::Open(so);
  if (!service) return Fail(service.error().message());
  search::SearchRequest req;
  req.query = core::Join(a.words, " ");
  req.sort = *sort;
  req.mode = *mode;
  req.limit = a.limit;
  req.offset = a.offset;
  auto res = (*service)->Search(req);
  if (!res) return Fail(res.error().message(), res.error().code() == StatusCode::kInvalidArgument ? 2 : 1);
  if (a.json) {
    std::printf("%s\n", search::SearchResponseJson(*res).c_str());
  } else {
    PrintText(*res);
  }
  return 0;
}

}  // namespace

Command AddSearch(CLI::App& root) {
  auto args = std::make_shared<SearchArgs>();
  Command c;
  c.app = root.add_subcommand("search", "Search the local index (see `coolpapers index`)");
  c.app->add_option("query", args->words, "Query words, phrases, -exclusions, ti: au: cat: ...")
      ->required();
  c.app->add_option("--db", args->db, std::string("Store URL (default ") + kDefaultDb + ")");
  c.app->add_option("--index-dir", args->index_dir, "Index directory (default: next to the db)");
  c.app->add_option("--limit", args->limit, "Results to show")->check(CLI::Range(1, 1000));
  c.app->add_option("--offset", args->offset, "Results to skip")->check(CLI::Range(0, 1000000));
  c.app->add_option("--sort", args->sort, "relevance | time | stars");
  c.app->add_option("--mode", args->mode, "auto | bm25 | semantic | hybrid");
  c.app->add_flag("--json", args->json, "Print the /api/search JSON");
  c.run = [args] { return RunSearch(*args); };
  return c;
}

}  // namespace coolpapers::cli
