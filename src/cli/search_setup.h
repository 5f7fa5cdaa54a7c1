#pragma once
// The search section of `coolpapers serve`: opens the node-local index next to the database
// (building an empty one when none exists, so the site starts at once), keeps it current from
// the store's change feed in the background, and fully builds it in the background the first
// time the store has papers but the index was only a placeholder.

#include <memory>
#include <string>

namespace coolpapers::store { class Store; }
namespace coolpapers::search { class SearchService; class Embedder; }

namespace coolpapers::cli {

struct ServeSearchSettings {
  std::string index_dir;     // "" = next to the SQLite file
  int refresh_seconds = 5;   // how often the index catches up with the store
};

// Owns the search service of a running server (and its optional external embedder).
class ServeSearch {
 public:
  ~ServeSearch();
  search::SearchService* service() const { return service_.get(); }

  // Never fails: on any problem it logs why and returns an object whose service() is null
  // (search routes then answer 503 with the fix).
  static std::unique_ptr<ServeSearch> Start(const std::string& db_url, store::Store& store,
                                            const ServeSearchSettings& settings);

 private:
  std::unique_ptr<search::Embedder> embedder_;
  std::unique_ptr<search::SearchService> service_;
};

}  // namespace coolpapers::cli
