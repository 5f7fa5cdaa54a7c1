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
//
// On a PostgreSQL database several serve nodes share (serve_cluster.h): every node's requests
// to a site wait for the cluster's turn (one polite stream per site); nodes that follow arXiv
// elect one harvester (the "harvester" role: a node takes over within about 5 s of the
// holder's death being noticed) and only it runs the daemon; a reader's missing paper is
// recorded in the database on whichever node the reader reached and fetched by the harvester,
// with the per-client and total limits counted over the cluster (a cluster fetches on demand
// only while some node follows arXiv). /metrics: coolpapers_harvest_leader 1 on the node that
// runs the harvest daemon.

#include <atomic>
#include <memory>
#include <string>

#include "cli/serve_config.h"
#include "core/status.h"
#include "harvest/harvester.h"
#include "net/polite_fetcher.h"
#include "store/store.h"
#include "web/paper_fetch_queue.h"

namespace coolpapers::web { class Metrics; }
namespace coolpapers::store { class Leadership; }
namespace coolpapers::store::postgres {
class PgSiteGate;
class PgPaperRequests;
}  // namespace coolpapers::store::postgres
namespace coolpapers::net { class SiteGate; }

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
  // `harvest_flag`: serve --harvest; `offline_flag`: serve --offline; `db_url`: the store's
  // URL (postgresql:// makes this node one of a cluster; "" or sqlite: a single node).
  static Result<std::unique_ptr<ServeHarvest>> Create(const ConfigFile& cfg,
                                                      const std::string& base_url,
                                                      bool harvest_flag, bool offline_flag,
                                                      store::Store& store,
                                                      web::Metrics& metrics,
                                                      const std::string& db_url = "");
  ~ServeHarvest();  // stops the daemon before the fetcher goes away

  net::PoliteFetcher& fetcher() { return *fetcher_; }
  // nullptr when neither following nor fetching on demand (in a cluster: when not following).
  harvest::Harvester* harvester() { return harvester_.get(); }
  // Whether this node runs the harvest daemon now (single node: whenever it follows arXiv;
  // cluster: while it holds the harvester role).
  bool harvesting() const;
  // What the web layer enqueues readers' missing papers into; nullptr when fetching on demand
  // is off.
  web::PaperFetchQueue* paper_fetch_queue() { return paper_fetch_queue_.get(); }

 private:
  struct Cluster;  // the parts a PostgreSQL cluster adds (serve_harvest.cc)
  ServeHarvest();
  // A single node: the Harvester runs (following and fetching on demand) from the start.
  void StartLocal(store::Store& store, const harvest::HarvesterOptions& ho);
  // Opens the cluster's site gate (before the fetcher is made: it takes the gate).
  Status OpenClusterGate(const std::string& db_url);
  // The harvester role, the Harvester under it and the shared queue of readers' papers.
  Status StartCluster(const std::string& db_url, store::Store& store,
                      const harvest::HarvesterOptions& ho, bool on_demand);

  bool following_ = false;
  std::unique_ptr<Cluster> cluster_;
  std::unique_ptr<net::PoliteFetcher> fetcher_;
  std::unique_ptr<harvest::Harvester> harvester_;
  std::unique_ptr<web::PaperFetchQueue> paper_fetch_queue_;
};

}  // namespace coolpapers::cli
