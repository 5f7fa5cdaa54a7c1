// `coolpapers index [--db URL] [--index-dir DIR] [--rebuild] [--no-semantic] [--threads N]
// [--shard-docs N] [--flush-docs N]`: builds the
// node-local search index from the store (first time, --rebuild, or when the embedder changed),
// else applies the store's changes since the last run. Crash-safe: a full build goes into a
// temporary generation that replaces the old one only when complete.

#include <cstdio>
#include <memory>
#include <string>

#include <CLI/CLI.hpp>

#include "cli/commands.h"
#include "search/doc_source.h"
#include "search/file_util.h"
#include "search/index_builder.h"
#include "search/index_layout.h"
#include "search/openai_embedder.h"
#include "search/search_service.h"
#include "store/store.h"

namespace coolpapers::cli {
namespace {

struct IndexArgs {
  std::string db = kDefaultDb;
  std::string index_dir;
  bool rebuild = false;
  bool no_semantic = false;
  int dims = 0;
  int threads = 0;
  int64_t shard_docs = 0;
  int64_t flush_docs = 0;
};

int Fail(const std::string& message) {
  std::fprintf(stderr, "coolpapers index: %s\n", message.c_str());
  return 1;
}

// The embedder id a fresh build would record ("" = the corpus-trained LSA default).
Result<std::unique_ptr<search::OpenAiEmbedder>> ConfiguredEmbedder() {
  auto config = search::OpenAiEmbedderConfigFromEnv();
  if (!config) return std::unique_ptr<search::OpenAiEmbedder>();
  return search::OpenAiEmbedder::Create(*config);
}

// True when the live index can be updated in place rather than rebuilt.
bool CanCatchUp(const std::string& dir, const search::Embedder* external, bool semantic) {
  search::IndexLayout layout(dir);
  auto gen = layout.CurrentGeneration();
  if (!gen) return false;
  auto meta_text = search::ReadFile(search::IndexLayout::MetaPath(*gen));
  if (!meta_text) return false;
  auto meta = search::MetaFromJson(*meta_text);
  if (!meta) return false;
  if (meta->format != search::kIndexFormat) {
    std::fprintf(stderr, "index: %s has format %d; rebuilding it in format %d\n", gen->c_str(),
                 meta->format, search::kIndexFormat);
    return false;
  }
  if (!semantic) return meta->embedder_id.empty();
  if (external) return meta->embedder_id == external->id();
  if (meta->embedder_id.rfind("lsa-", 0) == 0) {
    // Still served and updated as it is; a rebuild trains the current default model.
    std::fprintf(stderr, "index: %s uses the older LSA model (%s); run `coolpapers index "
                 "--rebuild` to train the word-vector model, which ranks semantic search "
                 "better\n", gen->c_str(), meta->embedder_id.c_str());
    return true;
  }
  return meta->embedder_id.rfind("ppmi-sif-", 0) == 0;
}

int RunIndex(const IndexArgs& a) {
  auto store = store::OpenStore(a.db);
  if (!store) return Fail(store.error().message());
  const std::string dir = a.index_dir.empty() ? search::DefaultIndexDir(a.db) : a.index_dir;
  auto external = ConfiguredEmbedder();
  if (!external) return Fail(external.error().message());
  const bool semantic = !a.no_semantic;

  if (!a.rebuild && CanCatchUp(dir, external->get(), semantic)) {
    search::SearchServiceOptions so;
    so.index_dir = dir;
    so.external_embedder = external->get();
    auto service = search::SearchService::Open(so);
    if (!service) return Fail(service.error().message());
    auto n = (*service)->CatchUp(**store, /*progress=*/true);
    if (!n) return Fail(n.error().message());
    // A large catch-up into an empty index publishes a new generation: report that one.
    auto fresh = search::SearchService::Open(so);
    if (!fresh) return Fail(fresh.error().message());
    search::IndexInfo info = (*fresh)->Info();
    std::printf("index %s: %lld papers, %lld updated now, store seq %lld, embedder %s\n",
                info.generation.c_str(), static_cast<long long>(info.docs),
                static_cast<long long>(*n), static_cast<long long>(info.store_seq),
                info.embedder_id.empty() ? "none" : info.embedder_id.c_str());
    return 0;
  }

  search::BuildOptions opts;
  opts.semantic = semantic;
  opts.external_embedder = external->get();
  if (a.dims > 0) opts.lsa.dims = opts.word_vectors.dims = a.dims;
  if (a.threads > 0) opts.threads = a.threads;
  if (a.shard_docs > 0) opts.shard_docs = a.shard_docs;
  if (a.flush_docs > 0) opts.flush_docs = a.flush_docs;
  search::StoreDocSource src(**store);
  auto summary = search::BuildIndex(dir, src, opts);
  if (!summary) return Fail(summary.error().message());
  std::printf("index %s: %lld papers in %.1f s, %.1f MB, store seq %lld, embedder %s\n",
              summary->generation.c_str(), static_cast<long long>(summary->docs),
              summary->seconds, summary->bytes / 1048576.0,
              static_cast<long long>(summary->store_seq),
              summary->embedder_id.empty() ? "none" : summary->embedder_id.c_str());
  std::printf("index build phases on %d threads: %s\n", summary->threads,
              search::DescribePhases(summary->phases).c_str());
  return 0;
}

}  // namespace

Command AddIndex(CLI::App& root) {
  auto args = std::make_shared<IndexArgs>();
  Command c;
  c.app = root.add_subcommand("index", "Build or update the search and related-paper indexes");
  c.app->add_option("--db", args->db, std::string("Store URL (default ") + kDefaultDb + ")");
  c.app->add_option("--index-dir", args->index_dir,
                    "Index directory (default: 'index' next to the SQLite file)");
  c.app->add_flag("--rebuild", args->rebuild, "Rebuild from scratch instead of updating");
  c.app->add_flag("--no-semantic", args->no_semantic,
                  "Keyword index only (no embeddings, no vectors)");
  c.app->add_option("--dims", args->dims, "semantic model dimensions (default 256)")
      ->check(CLI::Range(8, 1024));
  c.app->add_option("--threads", args->threads,
                    "Worker threads of a full build (default: one per core, at most 4)")
      ->check(CLI::Range(1, 64));
  c.app->add_option("--shard-docs", args->shard_docs,
                    "Full build: papers per partial index before the final merge (default 8000)")
      ->check(CLI::Range(int64_t{100}, int64_t{100000000}));
  c.app->add_option("--flush-docs", args->flush_docs,
                    "Full build: papers between commits of a partial index (default 300)")
      ->check(CLI::Range(int64_t{1}, int64_t{1000000}));
  c.run = [args] { return RunIndex(*args); };
  return c;
}

}  // namespace coolpapers::cli
