#include "cli/serve_harvest.h"

#include <algorithm>
#include <cstdlib>

#include <spdlog/spdlog.h>

#include "cli/serve_cluster.h"
#include "core/text.h"
#include "harvest/harvest_plan.h"
#include "store/leadership.h"
#include "store/postgres/pg_paper_requests.h"
#include "store/postgres/pg_site_gate.h"
#include "web/metrics.h"

namespace coolpapers::cli {
namespace {

std::string EnvOr(const char* name, const std::string& fallback) {
  const char* v = std::getenv(name);
  return v && *v ? std::string(v) : fallback;
}

// Every outcome PoliteFetcher counts (FetcherStats::requests).
constexpr const char* kOutcomes[] = {"ok",           "not_modified", "not_found", "client_error",
                                     "rate_limited", "server_error", "timeout",   "network_error",
                                     "truncated",    "too_large",    "cancelled"};

void RegisterMetrics(web::Metrics& m, net::PoliteFetcher& f, harvest::Harvester* h) {
  m.AddGaugeCallback("coolpapers_arxiv_queue_depth", "arXiv requests waiting in the polite queue",
                     {}, [&f] { return double(f.QueueDepth()); });
  m.AddGaugeCallback("coolpapers_arxiv_retries_total", "arXiv request attempts that were retries",
                     {}, [&f] { return double(f.Stats().retries); });
  for (const char* outcome : kOutcomes) {
    std::string o = outcome;
    m.AddGaugeCallback("coolpapers_arxiv_requests_total", "arXiv request attempts by outcome",
                       {{"outcome", o}}, [&f, o] {
                         auto s = f.Stats();
                         auto it = s.requests.find(o);
                         return it == s.requests.end() ? 0.0 : double(it->second);
                       });
  }
  if (!h) return;
  m.AddGaugeCallback("coolpapers_harvest_reader_queue_depth",
                     "Papers readers asked for that are not fetched yet", {},
                     [h] { return double(h->Metrics().reader_queue_depth); });
  m.AddGaugeCallback("coolpapers_harvest_seconds_since_last_complete_day",
                     "Seconds since the start (00:00 ET) of the newest complete day; -1 none", {},
                     [h] { return h->Metrics().seconds_since_last_complete_day; });
  m.AddGaugeCallback("coolpapers_harvest_runs_total", "Harvests run", {},
                     [h] { return double(h->Metrics().harvests); });
  m.AddGaugeCallback("coolpapers_harvest_failed_runs_total", "Harvests that reported errors", {},
                     [h] { return double(h->Metrics().failures); });
}

web::PaperFetchState ToWeb(harvest::PaperFetchState s) {
  using H = harvest::PaperFetchState;
  using W = web::PaperFetchState;
  switch (s) {
    case H::kQueued: return W::kQueued;
    case H::kFetching: return W::kFetching;
    case H::kStored: return W::kStored;
    case H::kNotFound: return W::kNotFound;
    case H::kFailed: return W::kFailed;
    case H::kUnknown: break;
  }
  return W::kUnknown;
}

// The categories to follow: env COOLPAPERS_HARVEST_FOLLOW, else [harvest] follow, else all
// of cs when --harvest is given; none means harvesting is off.
Result<std::vector<std::string>> ReadFollow(const ConfigFile& cfg, bool harvest_flag) {
  std::vector<std::string> follow_list = cfg.GetList("harvest.follow");
  std::string follow_text = EnvOr("COOLPAPERS_HARVEST_FOLLOW", core::Join(follow_list, ","));
  if (!follow_text.empty()) {
    auto expanded = harvest::ExpandCategories(follow_text);
    if (!expanded) {
      return Err(Status::InvalidArgument("[harvest] follow: " + expanded.error().message()));
    }
    return std::move(*expanded);
  }
  if (harvest_flag) return *harvest::ExpandCategories("cs");
  return std::vector<std::string>();
}

// Seconds between arXiv requests ([harvest] interval, default 3; below 3 only for a base_url).
Result<double> ReadInterval(const ConfigFile& cfg, const std::string& base_url) {
  double interval = 3.0;
  if (auto text = cfg.GetString("harvest.interval")) {
    char* end = nullptr;
    interval = std::strtod(text->c_str(), &end);
    if (end == text->c_str() || *end != '\0' || !(interval >= 0)) {
      return Err(Status::InvalidArgument("[harvest] interval = " + *text +
                                         ": give seconds between arXiv requests, e.g. 3"));
    }
  }
  if (interval < 3.0 && base_url.empty()) {
    return Err(Status::InvalidArgument(
        "[harvest] interval below 3 s is only allowed with a base_url (arXiv asks for 3 s)"));
  }
  return interval;
}

// A positive integer from env `env` or config `key`, else `fallback`.
Result<int64_t> PositiveSetting(const ConfigFile& cfg, const char* key, const char* env,
                                int64_t fallback) {
  auto v = cfg.GetInt(key);  // read even when the env wins, so the key counts as known
  if (!v) return Err(v.error());
  std::string text = EnvOr(env, *v ? std::to_string(**v) : std::string());
  if (text.empty()) return fallback;
  char* end = nullptr;
  long long n = std::strtoll(text.c_str(), &end, 10);
  if (end == text.c_str() || *end != '\0' || n < 1) {
    return Err(Status::InvalidArgument(std::string(key) + " (or " + env + ") = " + text +
                                       ": give a whole number of at least 1"));
  }
  return static_cast<int64_t>(n);
}

// A yes/no setting from env `env` or config `key`, else `fallback`; "1/true/yes/on" and
// "0/false/no/off".
Result<bool> FlagSetting(const ConfigFile& cfg, const char* key, const char* env, bool fallback) {
  std::string text = EnvOr(env, cfg.GetString(key).value_or(""));
  if (text.empty()) return fallback;
  for (const char* yes : {"1", "true", "yes", "on"}) {
    if (text == yes) return true;
  }
  for (const char* no : {"0", "false", "no", "off"}) {
    if (text == no) return false;
  }
  return Err(Status::InvalidArgument(std::string(key) + " (or " + env + ") = " + text +
                                     ": give true or false (1 or 0)"));
}

// A database several serve nodes may share (then they coordinate through it).
bool IsClusterDatabase(const std::string& db_url) {
  return core::StartsWith(db_url, "postgresql://") || core::StartsWith(db_url, "postgres://");
}

void LogClusterSetup(size_t follow, bool on_demand, const std::string& site, double interval) {
  spdlog::info("harvest: one polite request stream per upstream site across the nodes "
               "sharing this database");
  if (follow > 0) {
    spdlog::info("harvest: following {} arXiv categories at {} (one request every {} s) "
                 "while this node holds the harvester role",
                 follow, site, interval);
  }
  if (on_demand) {
    spdlog::info("harvest: papers not stored are fetched from {} by the harvesting node "
                 "when a reader asks", site);
  }
}

}  // namespace

Result<web::PaperFetchState> HarvesterPaperFetchQueue::Request(const std::string& id,
                                                               const std::string& client_key) {
  auto state = harvester_.EnqueuePaper(id, client_key);
  if (!state) return Err(state.error());
  return ToWeb(*state);
}

struct ServeHarvest::Cluster {
  std::unique_ptr<PgSiteGateAdapter> gate;
  std::unique_ptr<store::Leadership> leadership;
  std::unique_ptr<store::postgres::PgPaperRequests> requests;
  std::unique_ptr<LeaderOnlyFetcher> leader_fetcher;
  std::unique_ptr<HarvestSupervisor> supervisor;
  std::atomic<bool> closing{false};
};

ServeHarvest::ServeHarvest() = default;

bool ServeHarvest::harvesting() const {
  if (cluster_) return cluster_->supervisor && cluster_->supervisor->leading();
  return following_ && harvester_ != nullptr;
}

Status ServeHarvest::OpenClusterGate(const std::string& db_url) {
  cluster_ = std::make_unique<Cluster>();
  auto gate = PgSiteGateAdapter::OpenShared(db_url);
  if (!gate) return gate.error();
  cluster_->gate = std::move(*gate);
  return Status::Ok();
}

Status ServeHarvest::StartCluster(const std::string& db_url, store::Store& store,
                                  const harvest::HarvesterOptions& ho, bool on_demand) {
  Cluster& c = *cluster_;
  if (following_ || on_demand) {
    store::postgres::PaperRequestLimits limits;
    limits.per_client = ho.pending_per_client;
    limits.total = ho.pending_total;
    auto requests = store::postgres::PgPaperRequests::Open(db_url, limits);
    if (!requests) return requests.error();
    c.requests = std::move(*requests);
  }
  if (on_demand) {
    paper_fetch_queue_ =
        std::make_unique<ClusterPaperFetchQueue>(store, *c.requests, core::SystemClock());
  }
  if (!following_) return Status::Ok();
  auto leadership = store::OpenLeadership(db_url, "harvester");
  if (!leadership) return leadership.error();
  c.leadership = std::move(*leadership);
  store::Leadership* l = c.leadership.get();
  std::atomic<bool>* closing = &c.closing;
  c.leader_fetcher = std::make_unique<LeaderOnlyFetcher>(
      *fetcher_, [l, closing] { return !closing->load() && l->IsLeader(); });
  harvester_ = std::make_unique<harvest::Harvester>(store, *c.leader_fetcher, ho);
  c.supervisor = std::make_unique<HarvestSupervisor>(*l, *harvester_, c.requests.get());
  return Status::Ok();
}

void ServeHarvest::StartLocal(store::Store& store, const harvest::HarvesterOptions& ho) {
  harvester_ = std::make_unique<harvest::Harvester>(store, *fetcher_, ho);
  harvester_->Start();
  paper_fetch_queue_ = std::make_unique<HarvesterPaperFetchQueue>(*harvester_);
}

Result<std::unique_ptr<ServeHarvest>> ServeHarvest::Create(const ConfigFile& cfg,
                                                           const std::string& base_url,
                                                           bool harvest_flag, bool offline_flag,
                                                           store::Store& store,
                                                           web::Metrics& metrics,
                                                           const std::string& db_url) {
  auto follow = ReadFollow(cfg, harvest_flag);
  if (!follow) return Err(follow.error());
  auto on_demand = FlagSetting(cfg, "harvest.fetch_on_demand", "COOLPAPERS_FETCH_ON_DEMAND", true);
  if (!on_demand) return Err(on_demand.error());
  auto offline_env = FlagSetting(cfg, "offline", "COOLPAPERS_OFFLINE", false);
  if (!offline_env) return Err(offline_env.error());
  const bool offline = offline_flag || *offline_env;
  if (offline) {
    follow->clear();
    *on_demand = false;
  }
  auto interval = ReadInterval(cfg, base_url);
  if (!interval) return Err(interval.error());
  auto poll = cfg.GetInt("harvest.poll_minutes");
  if (!poll) return Err(poll.error());
  auto pdf_seconds = PositiveSetting(cfg, "harvest.pdf_seconds", "COOLPAPERS_PDF_SECONDS", 60);
  if (!pdf_seconds) return Err(pdf_seconds.error());
  auto pdf_tries = PositiveSetting(cfg, "harvest.pdf_tries", "COOLPAPERS_PDF_TRIES", 2);
  if (!pdf_tries) return Err(pdf_tries.error());
  auto per_client = PositiveSetting(cfg, "harvest.fetch_pending_per_client",
                                    "COOLPAPERS_FETCH_PENDING_PER_CLIENT", 20);
  if (!per_client) return Err(per_client.error());
  auto pending_total = PositiveSetting(cfg, "harvest.fetch_pending_total",
                                       "COOLPAPERS_FETCH_PENDING_TOTAL", 1000);
  if (!pending_total) return Err(pending_total.error());

  std::unique_ptr<ServeHarvest> out(new ServeHarvest());
  out->following_ = !follow->empty();
  const bool cluster = IsClusterDatabase(db_url);
  if (cluster) {
    if (Status st = out->OpenClusterGate(db_url); !st.ok()) return Err(st);
  }
  net::PoliteFetcherOptions fo;
  fo.interval = std::chrono::milliseconds(static_cast<int64_t>(*interval * 1000));
  fo.contact = EnvOr("COOLPAPERS_CONTACT", cfg.GetString("harvest.contact").value_or(""));
  fo.pdf_total = std::chrono::seconds(*pdf_seconds);
  fo.pdf_max_attempts = static_cast<int>(std::min<int64_t>(*pdf_tries, 10));
  if (cluster) fo.gate = out->cluster_->gate.get();
  out->fetcher_ = std::make_unique<net::PoliteFetcher>(fo);

  harvest::HarvesterOptions ho;
  ho.endpoints.base_url = base_url;
  ho.follow = *follow;
  ho.pending_per_client = static_cast<size_t>(*per_client);
  ho.pending_total = static_cast<size_t>(*pending_total);
  if (*poll && **poll > 0) ho.idle_poll = std::chrono::minutes(**poll);
  const std::string site = base_url.empty() ? "arxiv.org" : base_url;
  if (cluster) {
    if (Status st = out->StartCluster(db_url, store, ho, *on_demand); !st.ok()) return Err(st);
    LogClusterSetup(follow->size(), *on_demand, site, *interval);
  } else if (!follow->empty() || *on_demand) {
    out->StartLocal(store, ho);
    if (!follow->empty()) {
      spdlog::info("harvest: following {} arXiv categories at {} (one request every {} s)",
                   follow->size(), site, *interval);
    } else {
      spdlog::info("harvest: not following arXiv (pass --harvest or set [harvest] follow)");
    }
    if (*on_demand) {
      spdlog::info("harvest: papers not stored here are fetched from {} when a reader asks "
                   "(--offline or [harvest] fetch_on_demand = false turns this off)", site);
    }
  } else if (offline) {
    spdlog::info("harvest: offline: arXiv is neither followed nor asked for missing papers");
  } else {
    spdlog::info("harvest: off ([harvest] fetch_on_demand = false and nothing followed)");
  }
  RegisterMetrics(metrics, *out->fetcher_, out->harvester_.get());
  ServeHarvest* self = out.get();
  metrics.AddGaugeCallback("coolpapers_harvest_leader",
                           "1 while this node runs the arXiv harvest daemon (in a cluster: holds "
                           "the harvester role), else 0",
                           {}, [self] { return self->harvesting() ? 1.0 : 0.0; });
  return out;
}

ServeHarvest::~ServeHarvest() {
  // In dependency order: the supervisor drives the harvester, which fetches through the
  // leader-only fetcher and the polite fetcher, which takes turns at the gate.
  if (cluster_) {
    cluster_->closing = true;
    cluster_->supervisor.reset();
  }
  if (harvester_) harvester_->Stop();
  harvester_.reset();
  paper_fetch_queue_.reset();
  fetcher_.reset();
  cluster_.reset();
}

}  // namespace coolpapers::cli
