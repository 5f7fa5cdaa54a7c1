#pragma once
// The arXiv side of `coolpapers serve`: the one PoliteFetcher of the process (the FAQ's PDFs go
// through it too) and, when harvesting is on, the Harvester daemon with its /metrics series and
// the web layer's PaperFetchQueue over it (readers' missing papers).
//
// Settings ([harvest] in the config file, env wins):
//   follow = ["cs.CL", "cs.LG"] | "cs" | "all"   env COOLPAPERS_HARVEST_FOLLOW="cs.CL,cs.LG"
//   interval = 3          seconds between arXiv requests (below 3 only with a base_url)
//   poll_minutes = 60     idle polling (every 5 minutes while an announcement is awaited)
//   contact = "mailto:…"  User-Agent contact             env COOLPAPERS_CONTACT
//   pdf_seconds = 60      a PDF download's total time     env COOLPAPERS_PDF_SECONDS
//   pdf_tries = 2         a PDF download's attempts       env COOLPAPERS_PDF_TRIES
//   fetch_pending_per_client = 20  papers a reader may have waiting to be fetched
//                                  env COOLPAPERS_FETCH_PENDING_PER_CLIENT
//   fetch_pending_total = 1000     papers waiting to be fetched in all
//                                  env COOLPAPERS_FETCH_PENDING_TOTAL
//   fetch_on_demand = true  a paper a reader asks for that is not stored is fetched from arXiv
//                           env COOLPAPERS_FETCH_ON_DEMAND=0|1
//   base_url (or env COOLPAPERS_ARXIV_BASE_URL) replaces every arXiv host.
// Following is off unless `serve --harvest` is given or the follow list is non-empty (`make run`
// passes --harvest). `serve --offline` (or env COOLPAPERS_OFFLINE=1) turns both following and
// fetching on demand off, so arXiv is contacted only for FAQ PDFs.

#include <memory>
#include <string>

#include "cli/serve_config.h"
#include "core/status.h"
#include "harvest/harvester.h"
#include "net/polite_fetcher.h"
#include "store/store.h"
#include "web/paper_fetch_queue.h"

namespace coolpapers::web { class Metrics; }

namespace coolpapers::cli {

// web::PaperFetchQueue over the Harvester's reader queue (Harvester::EnqueuePaper).
class HarvesterPaperFetchQueue : public web::PaperFetchQueue {
 public:
  explicit HarvesterPaperFetchQueue(harvest::Harvester& harvester) : harvester_(harvester) {}
  Result<web::PaperFetchState> Request(const std::string& id,
                                       const std::string& client_key) override;

 private:
  harvest::Harvester& harvester_;
};

class ServeHarvest {
 public:
  // Reads the settings above; fails on an unknown category or a bad number, naming the key.
  // `harvest_flag`: serve --harvest; `offline_flag`: serve --offline.
  static Result<std::unique_ptr<ServeHarvest>> Create(const ConfigFile& cfg,
                                                      const std::string& base_url,
                                                      bool harvest_flag, bool offline_flag,
                                                      store::Store& store,
                                                      web::Metrics& metrics);
  ~ServeHarvest();  // stops the daemon before the fetcher goes away

  net::PoliteFetcher& fetcher() { return *fetcher_; }
  // nullptr when neither following nor fetching on demand.
  harvest::Harvester* harvester() { return harvester_.get(); }
  // What the web layer enqueues readers' missing papers into; nullptr when fetching on demand
  // is off.
  web::PaperFetchQueue* paper_fetch_queue() { return paper_fetch_queue_.get(); }

 private:
  ServeHarvest() = default;
  std::unique_ptr<net::PoliteFetcher> fetcher_;
  std::unique_ptr<harvest::Harvester> harvester_;
  std::unique_ptr<HarvesterPaperFetchQueue> paper_fetch_queue_;
};

}  // namespace coolpapers::cli
