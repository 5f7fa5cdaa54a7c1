#include "cli/search_setup.h"

#include <algorithm>
#include <thread>

#include <spdlog/spdlog.h>

#include "search/doc_source.h"
#include "search/file_util.h"
#include "search/index_builder.h"
#include "search/index_layout.h"
#include "search/openai_embedder.h"
#include "search/search_service.h"
#include "store/store.h"

namespace coolpapers::cli {
namespace {

// False when the live index was written in a format this version does not read (it is then
// replaced by a fresh one that fills from the store).
bool CurrentFormatIsReadable(const search::IndexLayout& layout) {
  auto gen = layout.CurrentGeneration();
  if (!gen) return false;
  auto text = search::ReadFile(search::IndexLayout::MetaPath(*gen));
  if (!text) return true;  // damaged generations are reported by SearchService::Open
  auto meta = search::MetaFromJson(*text);
  if (!meta) return true;
  Status s = search::CheckFormat(*meta, *gen);
  if (!s.ok()) spdlog::warn("search: {}; starting a new index instead", s.message());
  return s.ok();
}

}  // namespace

ServeSearch::~ServeSearch() {
  if (service_) service_->StopRefresher();
}

std::unique_ptr<ServeSearch> ServeSearch::Start(const std::string& db_url, store::Store& store,
                                                const ServeSearchSettings& settings) {
  auto out = std::make_unique<ServeSearch>();
  const std::string dir =
      settings.index_dir.empty() ? search::DefaultIndexDir(db_url) : settings.index_dir;
  if (auto config = search::OpenAiEmbedderConfigFromEnv()) {
    auto e = search::OpenAiEmbedder::Create(*config);
    if (e) {
      out->embedder_ = std::move(*e);
    } else {
      spdlog::warn("search: embedding server unavailable ({}); semantic search uses the "
                   "index's own model if any", e.error().message());
    }
  }
  search::IndexLayout layout(dir);
  if (!layout.CurrentGeneration() || !CurrentFormatIsReadable(layout)) {
    // No index yet: start with an empty one so the site is up at once; the refresher fills it
    // from the store (keywords), and `coolpapers index --rebuild` adds semantic vectors.
    search::VectorDocSource empty({});
    search::BuildOptions opts;
    opts.progress = false;
    auto built = search::BuildIndex(dir, empty, opts);
    if (!built) {
      spdlog::warn("search: cannot create an index in {}: {}", dir, built.error().message());
      return out;
    }
    spdlog::info("search: created a new empty index in {}; it fills from the store in the "
                 "background (run `coolpapers index --rebuild` for semantic search)", dir);
  }
  search::SearchServiceOptions so;
  so.index_dir = dir;
  so.external_embedder = out->embedder_.get();
  so.build_heads = true;  // prune plain-word queries on large indexes (built in the background)
  so.match_threads = static_cast<int>(std::clamp(std::thread::hardware_concurrency(), 1u, 4u));
  auto service = search::SearchService::Open(so);
  if (!service) {
    spdlog::warn("search: {}; search is off", service.error().message());
    return out;
  }
  out->service_ = std::move(*service);
  out->service_->StartRefresher(&store, std::chrono::seconds(std::max(1, settings.refresh_seconds)));
  return out;
}

}  // namespace coolpapers::cli
