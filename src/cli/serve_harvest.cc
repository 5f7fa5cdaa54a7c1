#include "cli/serve_harvest.h"

#include <algorithm>
#include <cstdlib>

#include <spdlog/spdlog.h>

#include "core/text.h"
#include "harvest/harvest_plan.h"
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

}  // namespace

Result<web::PaperFetchState> HarvesterPaperFetchQueue::Request(const std::string& id,
                                                               const std::string& client_key) {
  auto state = harvester_.EnqueuePaper(id, client_key);
  if (!state) return Err(state.error());
  return ToWeb(*state);
}

Result<std::unique_ptr<ServeHarvest>> ServeHarvest::Create(const ConfigFile& cfg,
                                                           const std::string& base_url,
                                                           bool harvest_flag, bool offline_flag,
                                                           store::Store& store,
                                                           web::Metrics& metrics) {
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

  net::PoliteFetcherOptions fo;
  fo.interval = std::chrono::milliseconds(static_cast<int64_t>(*interval * 1000));
  fo.contact = EnvOr("COOLPAPERS_CONTACT", cfg.GetString("harvest.contact").value_or(""));
  fo.pdf_total = std::chrono::seconds(*pdf_seconds);
  fo.pdf_max_attempts = static_cast<int>(std::min<int64_t>(*pdf_tries, 10));
  std::unique_ptr<ServeHarvest> out(new ServeHarvest());
  out->fetcher_ = std::make_unique<net::PoliteFetcher>(fo);

  if (!follow->empty() || *on_demand) {
    harvest::HarvesterOptions ho;
    ho.endpoints.base_url = base_url;
    ho.follow = *follow;
    ho.pending_per_client = static_cast<size_t>(*per_client);
    ho.pending_total = static_cast<size_t>(*pending_total);
    if (*poll && **poll > 0) ho.idle_poll = std::chrono::minutes(**poll);
    out->harvester_ = std::make_unique<harvest::Harvester>(store, *out->fetcher_, ho);
    out->harvester_->Start();
    out->paper_fetch_queue_ = std::make_unique<HarvesterPaperFetchQueue>(*out->harvester_);
    const std::string site = base_url.empty() ? "arxiv.org" : base_url;
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
  return out;
}

ServeHarvest::~ServeHarvest() {
  if (harvester_) harvester_->Stop();
}

}  // namespace coolpapers::cli
