#pragma once
// The harvester side of `coolpapers serve` when several nodes share one PostgreSQL database:
//   - PgSiteGateAdapter: the PoliteFetcher's net::SiteGate over store::postgres::PgSiteGate, so
//     every node's requests to a site (FAQ PDFs, the harvest, readers' papers) form one
//     polite stream;
//   - LeaderOnlyFetcher: what the Harvester fetches through; it refuses at once when this node
//     does not hold the harvester role, so a node that lost the role makes no more requests;
//   - ClusterPaperFetchQueue: a reader's missing paper is recorded in the database for the
//     harvesting node (whichever node the reader reached), and reported "queued" until stored;
//   - HarvestSupervisor: runs the Harvester daemon only while this node holds the role (logging
//     "this node now harvests" / "this node stopped harvesting: <why>") and feeds it the
//     papers readers asked for on every node.

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>

#include "core/clock.h"
#include "harvest/harvester.h"
#include "net/fetcher.h"
#include "net/site_gate.h"
#include "store/leadership.h"
#include "store/postgres/pg_paper_requests.h"
#include "store/postgres/pg_site_gate.h"
#include "store/store.h"
#include "web/paper_fetch_queue.h"

namespace coolpapers::cli {

class PgSiteGateAdapter : public net::SiteGate {
 public:
  explicit PgSiteGateAdapter(store::postgres::PgSiteGate& gate) : gate_(gate) {}
  // The gate of the database `db_url` names, owned by the adapter, for a command that runs
  // beside serve nodes (`coolpapers harvest` on a PostgreSQL store): its requests join the
  // nodes' one stream per site. nullptr for a database that is not shared (SQLite).
  static Result<std::unique_ptr<PgSiteGateAdapter>> OpenShared(const std::string& db_url);
  Status Begin(const std::string& site, std::chrono::milliseconds interval,
               const std::function<bool()>& stopped) override {
    return gate_.Begin(site, interval, stopped);
  }
  void End(const std::string& site) override { gate_.End(site); }

 private:
  std::unique_ptr<store::postgres::PgSiteGate> owned_;
  store::postgres::PgSiteGate& gate_;
};

class LeaderOnlyFetcher : public net::Fetcher {
 public:
  LeaderOnlyFetcher(net::Fetcher& base, std::function<bool()> leading)
      : base_(base), leading_(std::move(leading)) {}
  Result<net::FetchResponse> Fetch(const net::FetchRequest& req) override {
    return FetchCounted(req, nullptr);
  }
  Result<net::FetchResponse> FetchCounted(const net::FetchRequest& req,
                                          net::FetchAttempts* attempts) override;
  std::size_t QueueDepth() const override { return base_.QueueDepth(); }

 private:
  net::Fetcher& base_;
  std::function<bool()> leading_;
};

class ClusterPaperFetchQueue : public web::PaperFetchQueue {
 public:
  ClusterPaperFetchQueue(store::Store& store, store::postgres::PgPaperRequests& requests,
                         core::Clock& clock)
      : store_(store), requests_(requests), clock_(clock) {}
  Result<web::PaperFetchState> Request(const std::string& id,
                                       const std::string& client_key) override;

 private:
  store::Store& store_;
  store::postgres::PgPaperRequests& requests_;
  core::Clock& clock_;
};

// The web name of a request state ("queued", ...) as the web layer's enum.
web::PaperFetchState WebFetchState(const std::string& state);

class HarvestSupervisor {
 public:
  // `requests` may be null (nothing to feed). Starts watching the role at once.
  HarvestSupervisor(store::Leadership& leadership, harvest::Harvester& harvester,
                    store::postgres::PgPaperRequests* requests,
                    std::chrono::milliseconds poll = std::chrono::milliseconds(250));
  ~HarvestSupervisor();  // stops the Harvester
  HarvestSupervisor(const HarvestSupervisor&) = delete;
  HarvestSupervisor& operator=(const HarvestSupervisor&) = delete;

  // Whether the Harvester runs here now (for /metrics). It reads false only once the Harvester
  // has stopped, so nothing is queued here after that.
  bool leading() const { return leading_.load(); }

 private:
  void Loop();
  // Moves newly asked-for papers into the Harvester and settles the ones it finished.
  void Feed();

  store::Leadership& leadership_;
  harvest::Harvester& harvester_;
  store::postgres::PgPaperRequests* requests_;
  const std::chrono::milliseconds poll_;
  std::atomic<bool> leading_{false};
  std::set<std::string> fetching_;  // taken from the database, not settled yet (Loop only)

  std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace coolpapers::cli
