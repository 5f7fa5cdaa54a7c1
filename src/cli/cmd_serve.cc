// `coolpapers serve [--db URL] [--listen HOST:PORT] [--config FILE] [--threads N]
//                   [--static-dir DIR] [--vendor-dir DIR]`: the web server.
//
// Settings, strongest first: command-line flags, environment (COOLPAPERS_LISTEN,
// COOLPAPERS_ADMIN_TOKEN, COOLPAPERS_ARXIV_BASE_URL, COOLPAPERS_MAX_CONNECTIONS[_PER_IP],
// COOLPAPERS_TRUSTED_PROXIES, COOLPAPERS_METRICS_LISTEN, COOLPAPERS_VENUE_PDF_BASE), the TOML
// config file, defaults.
// Prints "listening on http://HOST:PORT" on stdout once accepting (tests read it); logs go to
// stderr. SIGINT/SIGTERM stop it gracefully.
//
// Layout of Run(): PrepareProcess -> LoadSettings -> the Start* steps (store and core services,
// harvest, search, FAQ/LLM) -> ListenServers (routes, listeners) -> RunServers -> WaitForStop;
// the servers, then the site's parts, are destroyed in reverse order of their start.

#include <pthread.h>
#include <signal.h>
#include <sys/resource.h>

#include <algorithm>
#include <limits>
#include <tuple>
#include <atomic>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include <CLI/CLI.hpp>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include "cli/commands.h"
#include "cli/search_setup.h"
#include "cli/serve_config.h"
#include "cli/serve_harvest.h"
#include "core/clock.h"
#include "core/text.h"
#include "net/polite_fetcher.h"
#include "llm/chat_client.h"
#include "llm/faq_service.h"
#include "llm/llm_config.h"
#include "llm/translation_service.h"
#include "store/store.h"
#include "web/click_dedup.h"
#include "web/client_address.h"
#include "web/metrics.h"
#include "web/page_cache.h"
#include "web/render.h"
#include "web/router.h"
#include "web/routes.h"
#include "web/server.h"
#include "web/services.h"
#include "web/templates.h"

namespace coolpapers::cli {
namespace {

struct ServeArgs {
  std::string db;
  std::string listen;
  std::string config;
  std::string static_dir;
  std::string vendor_dir;
  int threads = -1;  // -1: not given
  bool harvest = false;  // follow arXiv even without [harvest] follow (then: all of cs)
  bool offline = false;  // never follow arXiv nor fetch missing papers from it
};

std::string Env(const char* name) {
  const char* v = std::getenv(name);
  return v ? std::string(v) : std::string();
}

// The first non-empty of `values`.
std::string FirstSet(std::initializer_list<std::string> values) {
  for (const std::string& v : values) {
    if (!v.empty()) return v;
  }
  return {};
}

// An integer setting: env `env` (when set), else config key `key`, else `fallback`; the error
// names the source and the accepted range.
Result<int64_t> IntFromEnvOrConfig(const ConfigFile& cfg, const char* env, std::string_view key,
                                   int64_t fallback, int64_t min, int64_t max) {
  int64_t v = fallback;
  std::string source;
  if (const char* e = std::getenv(env); e && *e) {
    if (!core::ParseInt64(e, v)) {
      return Err(
          Status::InvalidArgument(std::string(env) + "=\"" + e + "\" is not a whole number"));
    }
    source = env;
  } else {
    Result<std::optional<int64_t>> c = cfg.GetInt(key);
    if (!c) return Err(c.error());
    if (c->has_value()) v = **c;
    source = "config key " + std::string(key);
  }
  if (v < min || v > max) {
    return Err(Status::InvalidArgument(source + " = " + std::to_string(v) +
                                       " is out of range; use " + std::to_string(min) + ".." +
                                       std::to_string(max)));
  }
  return v;
}

int Fail(const std::string& message) {
  std::fprintf(stderr, "coolpapers serve: %s\n", message.c_str());
  return 1;
}

// Publishes the store's change sequence into the page cache about once a second, so request
// paths never query the database for it.
class ChangeSeqPoller {
 public:
  ChangeSeqPoller(store::Store& store, web::PageCache& cache) : store_(store), cache_(cache) {
    Poll();
    thread_ = std::thread([this] { Loop(); });
  }
  ~ChangeSeqPoller() {
    {
      std::lock_guard lock(mu_);
      stop_ = true;
    }
    cv_.notify_all();
    thread_.join();
  }

 private:
  void Poll() {
    Result<int64_t> seq = store_.ChangeSeq();
    if (seq) {
      cache_.set_current_seq(*seq);
      warned_ = false;
    } else if (!warned_) {
      spdlog::warn("reading the store's change sequence failed: {}", seq.error().ToString());
      warned_ = true;
    }
  }
  void Loop() {
    std::unique_lock lock(mu_);
    while (!cv_.wait_for(lock, std::chrono::seconds(1), [this] { return stop_; })) {
      lock.unlock();
      Poll();
      lock.lock();
    }
  }

  store::Store& store_;
  web::PageCache& cache_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;
  bool warned_ = false;
  std::thread thread_;
};

// HTML error pages, JSON ones under /api/.
web::Response ErrorResponse(const web::Request& req, int status, std::string_view message,
                            std::string_view hint) {
  if (core::StartsWith(req.path, "/api/")) return web::JsonError(status, message, hint);
  return web::ErrorPage(status, message, hint);
}

// Raises the soft open-file limit toward the hard one: every connection and every large cached
// body (a memfd, see web/sendfile_body.h) holds a descriptor.
void RaiseOpenFileLimit() {
  rlimit lim;
  if (getrlimit(RLIMIT_NOFILE, &lim) != 0) return;
  rlim_t want = std::min<rlim_t>(lim.rlim_max, 65536);
  if (lim.rlim_cur < want) {
    lim.rlim_cur = want;
    setrlimit(RLIMIT_NOFILE, &lim);
  }
}

// Blocks the stop signals before any thread starts (so only sigwait in WaitForStop takes
// them), ignores SIGPIPE, raises the open-file limit and logs to stderr. Returns the signals.
sigset_t PrepareProcess() {
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  signal(SIGPIPE, SIG_IGN);
  RaiseOpenFileLimit();
  spdlog::set_default_logger(spdlog::stderr_color_mt("coolpapers"));
  return stop_signals;
}

// The settings of the site and its server, resolved from flags, environment and config file.
// The subsystems read their own sections of `cfg` when they start.
struct ServeSettings {
  ConfigFile cfg;
  std::string db;
  web::ServerConfig config;
  web::ServerOptions options;
  int64_t page_cache_mb = 256;
  std::string metrics_listen;  // a separate listener for /metrics; empty: none
  std::string arxiv_base_url;
};

// Connection caps: env COOLPAPERS_MAX_CONNECTIONS[_PER_IP], else the config file; 0 = no cap.
Status ReadConnectionCaps(const ConfigFile& cfg, web::ServerOptions& options) {
  for (auto [key, env, field] :
       {std::tuple{"max_connections", "COOLPAPERS_MAX_CONNECTIONS", &options.max_connections},
        std::tuple{"max_connections_per_ip", "COOLPAPERS_MAX_CONNECTIONS_PER_IP",
                   &options.max_connections_per_ip}}) {
    Result<std::optional<int64_t>> v = cfg.GetInt(key);
    if (!v) return v.error();
    std::string from_env = Env(env);
    int64_t n = 0;
    if (!from_env.empty()) {
      if (!core::ParseInt64(from_env, n) || n < 0) {
        return Status::InvalidArgument(
            std::string(env) + "='" + from_env +
            "' is not a count; use a whole number such as 10000 (0 = no cap)");
      }
    } else if (*v) {
      n = **v;
      if (n < 0) {
        return Status::InvalidArgument(std::string("config key '") + key + "' must be 0 or more");
      }
    } else {
      continue;
    }
    *field = static_cast<size_t>(n);  // 0: no cap
    if (n == 0 && field == &options.max_connections) *field = std::numeric_limits<size_t>::max();
  }
  return Status::Ok();
}

// The listener and its threads, caps and trusted proxies.
Status ReadServerOptions(const ConfigFile& cfg, const web::ServerConfig& config,
                         web::ServerOptions& options) {
  if (Status st = web::ParseListenAddress(config.listen, options.host, options.port); !st.ok()) {
    return st;
  }
  options.io_threads = config.threads;
  if (Status st = ReadConnectionCaps(cfg, options); !st.ok()) return st;
  // Reverse proxies whose X-Forwarded-For / Forwarded is believed.
  options.trusted_proxies = cfg.GetList("trusted_proxies");
  if (std::string env = Env("COOLPAPERS_TRUSTED_PROXIES"); !env.empty()) {
    options.trusted_proxies = web::SplitAddressList(env);
  }
  return Status::Ok();
}

Result<ServeSettings> LoadSettings(const ServeArgs& args) {
  ServeSettings s;
  if (!args.config.empty()) {
    Result<ConfigFile> loaded = ConfigFile::Load(args.config);
    if (!loaded) return Err(loaded.error());
    s.cfg = std::move(*loaded);
  }
  const ConfigFile& cfg = s.cfg;
  web::ServerConfig& config = s.config;
  config.listen = FirstSet({args.listen, Env("COOLPAPERS_LISTEN"),
                            cfg.GetString("listen").value_or(""), config.listen});
  s.db = FirstSet({args.db, cfg.GetString("db").value_or(""), kDefaultDb});
  config.static_dir =
      FirstSet({args.static_dir, cfg.GetString("static_dir").value_or(""), config.static_dir});
  config.vendor_dir =
      FirstSet({args.vendor_dir, cfg.GetString("vendor_dir").value_or(""), config.vendor_dir});
  config.admin_token = FirstSet(
      {Env("COOLPAPERS_ADMIN_TOKEN"), cfg.GetString("admin_token").value_or("")});
  config.site_name = cfg.GetString("site_name").value_or(config.site_name);
  config.public_url = cfg.GetString("public_url").value_or("");
  Result<std::optional<int64_t>> cfg_threads = cfg.GetInt("threads");
  if (!cfg_threads) return Err(cfg_threads.error());
  config.threads = args.threads >= 0 ? args.threads : static_cast<int>(cfg_threads->value_or(0));
  Result<std::optional<int64_t>> cache_mb = cfg.GetInt("page_cache_mb");
  if (!cache_mb) return Err(cache_mb.error());
  s.page_cache_mb = cache_mb->value_or(256);
  Result<int64_t> static_cache_mb = IntFromEnvOrConfig(cfg, "COOLPAPERS_STATIC_CACHE_MB",
                                                       "static_cache_mb", 48, 1, 4096);
  if (!static_cache_mb) return Err(static_cache_mb.error());
  config.static_cache_bytes = static_cast<size_t>(*static_cache_mb) << 20;
  if (Status st = ReadServerOptions(cfg, config, s.options); !st.ok()) return Err(st);
  s.metrics_listen =
      FirstSet({Env("COOLPAPERS_METRICS_LISTEN"), cfg.GetString("metrics_listen").value_or("")});
  s.arxiv_base_url =
      FirstSet({Env("COOLPAPERS_ARXIV_BASE_URL"), cfg.GetString("harvest.base_url").value_or("")});
  return s;
}

// [llm] (base_url, model, api_key, concurrency, rate_per_hour, daily_tokens, max_chars,
// faq_queue_cap) overridden by env COOLPAPERS_LLM_* / COOLPAPERS_FAQ_*; [venue] pdf_base
// overridden by COOLPAPERS_VENUE_PDF_BASE.
Result<llm::FaqServiceOptions> ReadFaqOptions(const ConfigFile& cfg) {
  llm::FaqServiceOptions faq_options;
  faq_options.llm = llm::LlmConfigFromEnv();
  llm::LlmConfig& lc = faq_options.llm;
  if (!std::getenv("COOLPAPERS_LLM_BASE_URL")) {
    lc.base_url = cfg.GetString("llm.base_url").value_or(lc.base_url);
  }
  if (!std::getenv("COOLPAPERS_LLM_MODEL")) {
    lc.model = cfg.GetString("llm.model").value_or(lc.model);
  }
  if (lc.api_key.empty()) lc.api_key = cfg.GetString("llm.api_key").value_or("");
  for (auto [key, field] : {std::pair{"llm.concurrency", &lc.concurrency},
                            std::pair{"llm.rate_per_hour", &lc.rate_per_hour}}) {
    Result<std::optional<int64_t>> v = cfg.GetInt(key);
    if (!v) return Err(v.error());
    if (*v && **v >= 0) *field = static_cast<int>(**v);
  }
  Result<std::optional<int64_t>> budget = cfg.GetInt("llm.daily_tokens");
  if (!budget) return Err(budget.error());
  if (*budget && !std::getenv("COOLPAPERS_FAQ_DAILY_TOKENS")) lc.daily_token_budget = **budget;
  Result<std::optional<int64_t>> max_chars = cfg.GetInt("llm.max_chars");
  if (!max_chars) return Err(max_chars.error());
  if (*max_chars && **max_chars > 1000) lc.max_paper_chars = static_cast<size_t>(**max_chars);
  lc.concurrency = std::max(1, lc.concurrency);
  // FAQ jobs waiting for a worker; beyond, new ones get 503 + Retry-After.
  Result<std::optional<int64_t>> queue_cap = cfg.GetInt("llm.faq_queue_cap");
  if (!queue_cap) return Err(queue_cap.error());
  if (*queue_cap && **queue_cap > 0) faq_options.queue_cap = static_cast<size_t>(**queue_cap);
  if (std::string env = Env("COOLPAPERS_FAQ_QUEUE_CAP"); !env.empty()) {
    int64_t v = 0;
    if (!core::ParseInt64(env, v) || v <= 0) {
      return Err(Status::InvalidArgument(
          "COOLPAPERS_FAQ_QUEUE_CAP must be a positive integer, got \"" + env + "\""));
    }
    faq_options.queue_cap = static_cast<size_t>(v);
  }
  // Venue PDFs for FAQs from another scheme and host (tests point it at a local fake).
  faq_options.venue_pdf.base =
      FirstSet({Env("COOLPAPERS_VENUE_PDF_BASE"), cfg.GetString("venue.pdf_base").value_or("")});
  const std::string& base = faq_options.venue_pdf.base;
  if (!base.empty() && !core::StartsWith(base, "http://") && !core::StartsWith(base, "https://")) {
    return Err(Status::InvalidArgument(
        "the venue PDF base (COOLPAPERS_VENUE_PDF_BASE / [venue] pdf_base) must be an http(s) "
        "URL such as http://127.0.0.1:8123, got \"" + base + "\""));
  }
  return faq_options;
}

// The running parts of the site behind the routes. Members are built in this order by the
// Start* steps below and destroyed in reverse; `services` points into them.
struct Site {
  std::unique_ptr<store::Store> store;
  web::Metrics metrics;
  std::unique_ptr<web::PageCache> page_cache;
  std::unique_ptr<web::ClickDedup> click_dedup;
  std::unique_ptr<ChangeSeqPoller> seq_poller;
  std::unique_ptr<ServeHarvest> arxiv;
  std::unique_ptr<ServeSearch> search;
  std::unique_ptr<llm::FaqService> faq;
  std::unique_ptr<llm::TranslationService> translate;  // uses faq's queue and budget
  web::Services services;
};

void AddPageCacheGauges(web::Metrics& metrics, web::PageCache& page_cache) {
  metrics.AddGaugeCallback("coolpapers_page_cache_bytes", "Bytes held by the page cache", {},
                           [&page_cache] { return double(page_cache.GetStats().bytes); });
  metrics.AddGaugeCallback("coolpapers_page_cache_hits", "Page cache hits since start", {},
                           [&page_cache] { return double(page_cache.GetStats().hits); });
  metrics.AddGaugeCallback("coolpapers_page_cache_misses", "Page cache misses since start", {},
                           [&page_cache] { return double(page_cache.GetStats().misses); });
  metrics.AddGaugeCallback("coolpapers_page_cache_renders", "Pages rendered on a miss since start",
                           {}, [&page_cache] { return double(page_cache.GetStats().renders); });
  metrics.AddGaugeCallback(
      "coolpapers_page_cache_coalesced", "Misses that waited for another request's render", {},
      [&page_cache] { return double(page_cache.GetStats().coalesced); });
}

// Store, page cache, click de-duplication and the change-sequence poller.
Status StartCoreServices(const ServeSettings& s, Site& site) {
  Result<std::unique_ptr<store::Store>> store = store::OpenStore(s.db);
  if (!store) return store.error();
  site.store = std::move(*store);
  site.page_cache = std::make_unique<web::PageCache>(static_cast<size_t>(s.page_cache_mb) << 20);
  AddPageCacheGauges(site.metrics, *site.page_cache);
  Result<int64_t> dedup_max = IntFromEnvOrConfig(s.cfg, "COOLPAPERS_CLICK_DEDUP_MAX",
                                                 "click_dedup_max", 1000000, 0, 100000000);
  if (!dedup_max) return dedup_max.error();
  site.click_dedup =
      std::make_unique<web::ClickDedup>(core::SystemClock(), static_cast<size_t>(*dedup_max));
  web::Services& services = site.services;
  services.store = site.store.get();
  services.click_dedup = site.click_dedup.get();
  services.page_cache = site.page_cache.get();
  services.metrics = &site.metrics;
  services.config = s.config;
  site.seq_poller = std::make_unique<ChangeSeqPoller>(*site.store, *site.page_cache);
  return Status::Ok();
}

// services.paper_fetch_queue (the harvester's reader queue) from [harvest] (follow, interval,
// fetch_on_demand), --harvest, --offline and COOLPAPERS_ARXIV_BASE_URL; also
// the process-wide polite arXiv fetcher the FAQ service takes PDFs through.
Status StartHarvest(const ServeSettings& s, const ServeArgs& args, Site& site) {
  auto arxiv = ServeHarvest::Create(s.cfg, s.arxiv_base_url, args.harvest, args.offline,
                                    *site.store, site.metrics, s.db);
  if (!arxiv) return arxiv.error();
  site.arxiv = std::move(*arxiv);
  site.services.paper_fetch_queue = site.arxiv->paper_fetch_queue();  // nullptr when fetching on demand is off
  return Status::Ok();
}

// services.search (index location, embedder) from [search].
Status StartSearch(const ServeSettings& s, Site& site) {
  ServeSearchSettings search_settings;
  search_settings.index_dir = FirstSet(
      {Env("COOLPAPERS_INDEX_DIR"), s.cfg.GetString("search.index_dir").value_or("")});
  Result<std::optional<int64_t>> search_refresh = s.cfg.GetInt("search.refresh_seconds");
  if (!search_refresh) return search_refresh.error();
  search_settings.refresh_seconds = static_cast<int>(search_refresh->value_or(5));
  site.search = ServeSearch::Start(s.db, *site.store, search_settings);
  site.services.search = site.search->service();
  return Status::Ok();
}

// services.faq; the API key is never logged.
Status StartFaq(const ServeSettings& s, Site& site) {
  Result<llm::FaqServiceOptions> faq_options = ReadFaqOptions(s.cfg);
  if (!faq_options) return faq_options.error();
  faq_options->arxiv.base_url = s.arxiv_base_url;
  net::PoliteFetcher& faq_fetcher = site.arxiv->fetcher();
  std::unique_ptr<llm::ChatClient> chat_client;
  if (faq_options->llm.has_key()) chat_client = llm::MakeHttpChatClient(faq_options->llm);
  site.faq = std::make_unique<llm::FaqService>(*faq_options, *site.store, &faq_fetcher,
                                               std::move(chat_client));
  if (Status st = site.faq->Start(); !st.ok()) return st;
  site.services.faq = site.faq.get();
  const llm::LlmConfig& lc = faq_options->llm;
  spdlog::info("FAQ: model {} at {} ({})", lc.model, lc.base_url,
               lc.has_key() ? "API key set" : "no API key: new FAQs disabled");
  return Status::Ok();
}

// services.translate from [llm] translate / COOLPAPERS_TRANSLATE (default on; without an API
// key only stored translations are served): the FAQs' model, budget and rate per hour.
Status StartTranslate(const ServeSettings& s, Site& site) {
  std::string text =
      FirstSet({Env("COOLPAPERS_TRANSLATE"), s.cfg.GetString("llm.translate").value_or("")});
  if (text == "0" || text == "false" || text == "off" || text == "no") {
    spdlog::info("translation: off ([llm] translate / COOLPAPERS_TRANSLATE)");
    return Status::Ok();
  }
  if (!text.empty() && text != "1" && text != "true" && text != "on" && text != "yes") {
    return Status::InvalidArgument("[llm] translate (or COOLPAPERS_TRANSLATE) = " + text +
                                   ": give true or false (1 or 0)");
  }
  Result<llm::FaqServiceOptions> faq_options = ReadFaqOptions(s.cfg);
  if (!faq_options) return faq_options.error();
  const llm::LlmConfig& lc = faq_options->llm;
  llm::TranslationOptions options;
  options.model = lc.model;
  options.rate_per_hour = lc.rate_per_hour;
  site.translate = std::make_unique<llm::TranslationService>(
      options, *site.store, lc.has_key() ? llm::MakeHttpChatClient(lc) : nullptr,
      llm::ShareWithFaq(*site.faq));
  site.translate->Start();
  site.services.translate = site.translate.get();
  return Status::Ok();
}

// The site's server and, when metrics_listen is set, the /metrics one; destroyed before Site.
struct Servers {
  web::Router router;
  std::unique_ptr<web::Server> server;
  web::Router metrics_router;
  std::unique_ptr<web::Server> metrics_server;
};

// Registers the routes and binds both listeners (nothing is accepted yet).
Status ListenServers(const ServeSettings& s, Site& site, Servers& out) {
  web::Services& services = site.services;
  web::RegisterSystemRoutes(out.router, services);
  web::RegisterArxivRoutes(out.router, services);
  web::RegisterVenueRoutes(out.router, services);
  web::RegisterApiRoutes(out.router, services);
  web::RegisterSearchRoutes(out.router, services);
  web::RegisterFaqRoutes(out.router, services);
  web::RegisterRedirectRoutes(out.router, services);
  web::RegisterTranslateRoutes(out.router, services);
  web::ServerOptions options = s.options;
  options.metrics = &site.metrics;
  options.error_page = ErrorResponse;
  out.server = std::make_unique<web::Server>(out.router, options);
  if (Status st = out.server->Listen(); !st.ok()) return st;
  if (!s.metrics_listen.empty()) {
    web::RegisterMetricsListenerRoutes(out.metrics_router, services);
    web::ServerOptions mo;
    if (Status st = web::ParseListenAddress(s.metrics_listen, mo.host, mo.port); !st.ok()) {
      return Status::InvalidArgument("metrics_listen: " + st.message());
    }
    mo.io_threads = 1;
    mo.stream_threads = 1;
    mo.cpu_threads = 1;
    mo.error_page = ErrorResponse;
    out.metrics_server = std::make_unique<web::Server>(out.metrics_router, mo);
    if (Status st = out.metrics_server->Listen(); !st.ok()) return st;
  }
  if (services.config.public_url.empty()) services.config.public_url = out.server->url();
  return Status::Ok();
}

// Starts accepting and prints "listening on URL" (tests read it).
void RunServers(Servers& servers) {
  servers.server->Run();
  if (servers.metrics_server) {
    servers.metrics_server->Run();
    spdlog::info("metrics on {}/metrics", servers.metrics_server->url());
  }
  std::printf("listening on %s\n", servers.server->url().c_str());
  std::fflush(stdout);
}

// Waits for SIGINT/SIGTERM, then stops the servers (in-flight requests finish).
void WaitForStop(const sigset_t& stop_signals, Servers& servers) {
  int signal_number = 0;
  sigwait(&stop_signals, &signal_number);
  spdlog::info("received signal {}; stopping", signal_number);
  servers.server->Stop();
  if (servers.metrics_server) servers.metrics_server->Stop();
}

int Run(const ServeArgs& args) {
  const sigset_t stop_signals = PrepareProcess();
  // The page templates are built in; one that does not compile stops the server here.
  if (Status st = web::CheckTemplates(); !st.ok()) return Fail("page templates: " + st.message());
  Result<ServeSettings> settings = LoadSettings(args);
  if (!settings) return Fail(settings.error().message());
  Site site;
  Status st = StartCoreServices(*settings, site);
  if (st.ok()) st = StartHarvest(*settings, args, site);
  if (st.ok()) st = StartSearch(*settings, site);
  if (st.ok()) st = StartFaq(*settings, site);
  if (st.ok()) st = StartTranslate(*settings, site);
  if (!st.ok()) return Fail(st.message());
  settings->cfg.MarkKnown({"venues.openreview_url"});  // read by `harvest venue`
  for (const std::string& key : settings->cfg.UnreadKeys()) {
    spdlog::warn("config {}: unknown key '{}' ignored; check its spelling", args.config, key);
  }
  Servers servers;
  if (st = ListenServers(*settings, site, servers); !st.ok()) return Fail(st.message());
  RunServers(servers);
  WaitForStop(stop_signals, servers);
  return 0;
}

}  // namespace

Command AddServe(CLI::App& root) {
  auto args = std::make_shared<ServeArgs>();
  Command c;
  c.app = root.add_subcommand("serve", "Serve the web site (arXiv lists, papers, API)");
  c.app->add_option("--db", args->db, std::string("Store URL (default ") + kDefaultDb + ")");
  c.app->add_option("--listen", args->listen,
                    "HOST:PORT to listen on (default 127.0.0.1:8080; port 0 = any free port)");
  c.app->add_option("--config", args->config, "TOML config file")->check(CLI::ExistingFile);
  c.app->add_option("--threads", args->threads, "I/O threads (0 = one per core)")
      ->check(CLI::Range(0, 1024));
  c.app->add_option("--static-dir", args->static_dir, "Directory served at /static/");
  c.app->add_flag("--harvest", args->harvest,
                  "Follow arXiv announcements ([harvest] follow in the config, else all of cs)");
  c.app->add_flag("--offline", args->offline,
                  "Never contact arXiv for lists or missing papers (also COOLPAPERS_OFFLINE=1)");
  c.app->add_option("--vendor-dir", args->vendor_dir,
                    "node_modules directory holding katex and pdfjs-dist");
  c.run = [args] { return Run(*args); };
  return c;
}

}  // namespace coolpapers::cli
