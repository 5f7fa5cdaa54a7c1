#include "cli/serve_cluster.h"

#include <spdlog/spdlog.h>

#include "core/arxiv_id.h"
#include "store/postgres/pg_connection.h"

namespace coolpapers::cli {

Result<std::unique_ptr<PgSiteGateAdapter>> PgSiteGateAdapter::OpenShared(
    const std::string& db_url) {
  if (!store::postgres::IsPostgresUrl(db_url)) return std::unique_ptr<PgSiteGateAdapter>();
  auto gate = store::postgres::PgSiteGate::Open(db_url);
  if (!gate) {
    return Err(Status::Unavailable("the nodes' shared request turn per site: " +
                                   gate.error().message()));
  }
  auto adapter = std::make_unique<PgSiteGateAdapter>(**gate);
  adapter->owned_ = std::move(*gate);
  return adapter;
}
namespace {

// The papers taken from the database per look.
constexpr std::size_t kTakeBatch = 50;

const char* SettledName(harvest::PaperFetchState s) {
  using H = harvest::PaperFetchState;
  switch (s) {
    case H::kStored: return "stored";
    case H::kNotFound: return "not found";
    case H::kFailed: return "failed";
    case H::kQueued:
    case H::kFetching:
    case H::kUnknown: break;
  }
  return nullptr;  // still pending (or nobody fetching: left for later)
}

}  // namespace

Result<net::FetchResponse> LeaderOnlyFetcher::FetchCounted(const net::FetchRequest& req,
                                                           net::FetchAttempts* attempts) {
  if (!leading_()) {
    if (attempts) *attempts = net::FetchAttempts{0, 0};
    return Err(Status::Unavailable(
        (req.what.empty() ? req.url : req.what) +
        ": not fetched, this node no longer holds the harvester role (another node harvests)"));
  }
  return base_.FetchCounted(req, attempts);
}

web::PaperFetchState WebFetchState(const std::string& state) {
  using W = web::PaperFetchState;
  if (state == "queued") return W::kQueued;
  if (state == "fetching") return W::kFetching;
  if (state == "stored") return W::kStored;
  if (state == "not found") return W::kNotFound;
  if (state == "failed") return W::kFailed;
  return W::kUnknown;
}

Result<web::PaperFetchState> ClusterPaperFetchQueue::Request(const std::string& raw_id,
                                                             const std::string& client_key) {
  auto id = core::ParsePlausibleArxivId(raw_id, clock_.Now());
  if (!id) return Err(id.error());
  const std::string& base = id->base();
  auto stored = store_.GetPaper(base);
  if (stored && *stored) return web::PaperFetchState::kStored;
  auto state = requests_.Request(base, client_key);
  if (!state) return Err(state.error());
  return WebFetchState(*state);
}

HarvestSupervisor::HarvestSupervisor(store::Leadership& leadership, harvest::Harvester& harvester,
                                     store::postgres::PgPaperRequests* requests,
                                     std::chrono::milliseconds poll)
    : leadership_(leadership), harvester_(harvester), requests_(requests), poll_(poll) {
  thread_ = std::thread([this] { Loop(); });
}

HarvestSupervisor::~HarvestSupervisor() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
  harvester_.Stop();
}

void HarvestSupervisor::Loop() {
  for (;;) {
    {
      std::unique_lock lock(mu_);
      cv_.wait_for(lock, poll_, [&] { return stopping_; });
      if (stopping_) return;
    }
    const bool now = leadership_.IsLeader();
    if (now && !leading_) {
      spdlog::info("harvest: this node now harvests ({})", leadership_.Why());
      if (requests_) {
        auto n = requests_->RequeueFetching();
        if (!n) spdlog::warn("harvest: {}", n.error().ToString());
      }
      harvester_.Start();
      leading_ = true;
    } else if (!now && leading_) {
      spdlog::warn("harvest: this node stopped harvesting: {}", leadership_.Why());
      harvester_.Stop();  // its requests fail at once now (LeaderOnlyFetcher)
      fetching_.clear();  // the next leader requeues them
      leading_ = false;   // only once stopped: no paper is queued here after this reads false
    }
    if (leading_ && requests_) Feed();
  }
}

void HarvestSupervisor::Feed() {
  for (auto it = fetching_.begin(); it != fetching_.end();) {
    const char* settled = SettledName(harvester_.PaperState(*it));
    if (settled == nullptr) {
      ++it;
      continue;
    }
    if (Status s = requests_->Settle(*it, settled); !s.ok()) {
      spdlog::warn("harvest: {}", s.ToString());
      return;  // tried again at the next look
    }
    it = fetching_.erase(it);
  }
  auto taken = requests_->Take(kTakeBatch);
  if (!taken) {
    spdlog::warn("harvest: {}", taken.error().ToString());
    return;
  }
  for (const auto& req : *taken) {
    auto state = harvester_.EnqueuePaper(req.id, req.client);
    const char* settle = nullptr;
    if (!state) {
      // Not an arXiv id: failed for good; the limits: asked again at the next look.
      settle = state.error().code() == StatusCode::kInvalidArgument ? "failed" : "queued";
    } else if (*state == harvest::PaperFetchState::kQueued ||
               *state == harvest::PaperFetchState::kFetching) {
      fetching_.insert(req.id);
      continue;
    } else {
      settle = SettledName(*state);
      if (settle == nullptr) settle = "queued";
    }
    if (Status s = requests_->Settle(req.id, settle); !s.ok()) {
      spdlog::warn("harvest: {}", s.ToString());
    }
  }
}

}  // namespace coolpapers::cli
