// `coolpapers harvest arxiv`: polite live harvesting of arXiv announcements (SPEC §5).

#include <csignal>
#include <cstdio>
#include <memory>
#include <string>

#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <pthread.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include "cli/commands.h"
#include "core/announce_day.h"
#include "harvest/harvest_plan.h"
#include "harvest/harvester.h"
#include "net/polite_fetcher.h"
#include "store/store.h"

namespace coolpapers::cli {
namespace {

struct HarvestArgs {
  std::string db = kDefaultDb;
  std::string categories = "cs";
  std::string from, until;
  bool once = false;
  std::string base_url;
  double interval = 3.0;
  std::string contact;
  bool no_oai = false;
};

int Fail(const std::string& msg, int code = 1) {
  std::fprintf(stderr, "coolpapers harvest: %s\n", msg.c_str());
  return code;
}

void PrintSummary(const harvest::HarvestSummary& s) {
  std::printf("harvest: %s\n", s.Line().c_str());
  std::printf("harvest: %lld OAI pages, %lld API batches, announcement days seen: %s\n",
              static_cast<long long>(s.oai_pages), static_cast<long long>(s.api_batches),
              s.announce_days.empty() ? "none" : fmt::format("{}", fmt::join(s.announce_days, ", ")).c_str());
  for (const auto& d : s.days) {
    std::printf("  %s %s: %d/%d %s\n", d.category.c_str(), d.day.c_str(), d.stored, d.expected,
                d.complete() ? "complete"
                             : fmt::format("incomplete: {} missing, retrying",
                                           d.expected - d.stored).c_str());
  }
  for (const auto& l : s.lags) {
    if (l.last_complete_day.empty()) continue;
    std::printf("  %s last complete day %s, lag %s\n", l.category.c_str(),
                l.last_complete_day.c_str(),
                l.lag_days < 0 ? "unknown" : fmt::format("{} days", l.lag_days).c_str());
  }
  std::fflush(stdout);
}

int RunHarvest(const HarvestArgs& a) {
  auto categories = harvest::ExpandCategories(a.categories);
  if (!categories) return Fail(categories.error().message(), 2);
  for (const std::string* d : {&a.from, &a.until}) {
    if (!d->empty() && !core::ParseDay(*d)) {
      return Fail("bad date '" + *d + "'; use YYYY-MM-DD, e.g. --from 2026-06-29", 2);
    }
  }
  if (!(a.interval >= 0)) return Fail("--interval must be >= 0 seconds", 2);
  if (a.interval < 3.0 && a.base_url.empty()) {
    return Fail("--interval below 3 s is only allowed with --base-url (arXiv asks for 3 s)", 2);
  }
  // Logs go to stderr; stdout carries only the summary.
  spdlog::set_default_logger(spdlog::stderr_color_mt("harvest"));
  auto store = store::OpenStore(a.db);
  if (!store) return Fail(a.db + ": " + store.error().message());

  // Block SIGINT/SIGTERM before any thread starts so the daemon mode can wait for them.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  if (!a.once) pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  net::PoliteFetcherOptions fo;
  fo.interval = std::chrono::milliseconds(static_cast<int64_t>(a.interval * 1000));
  fo.contact = a.contact.empty() ? net::ContactFromEnv() : a.contact;
  if (!a.base_url.empty()) {
    // A local or test upstream: retry quickly instead of arXiv's minutes.
    fo.retry.initial_backoff = std::chrono::milliseconds(std::max<int64_t>(
        50, static_cast<int64_t>(a.interval * 1000)));
    fo.retry.max_backoff = std::chrono::milliseconds(5000);
  }
  net::PoliteFetcher fetcher(fo);
  harvest::HarvesterOptions ho;
  ho.endpoints.base_url = a.base_url;
  ho.follow = *categories;
  ho.use_oai = !a.no_oai;
  ho.progress = true;
  harvest::Harvester harvester(**store, fetcher, ho);

  if (a.once) {
    harvest::HarvestOptions opts;
    opts.categories = *categories;
    opts.from = a.from;
    opts.until = a.until;
    auto summary = harvester.HarvestOnce(opts);
    if (!summary) return Fail(summary.error().message());
    PrintSummary(*summary);
    if (!summary->errors.empty()) {
      std::string more = summary->errors.size() > 1
                             ? fmt::format(" (and {} more)", summary->errors.size() - 1)
                             : std::string();
      return Fail(summary->errors.front() + more +
                  "; rerun the same command to resume (nothing is fetched twice)");
    }
    return 0;
  }
  std::fprintf(stderr, "coolpapers harvest: following %zu categories; Ctrl-C to stop\n",
               categories->size());
  harvester.Start();
  int sig = 0;
  sigwait(&signals, &sig);
  std::fprintf(stderr, "coolpapers harvest: stopping\n");
  harvester.Stop();
  return 0;
}

}  // namespace

Command AddHarvest(CLI::App& root) {
  auto args = std::make_shared<HarvestArgs>();
  Command c;
  c.app = root.add_subcommand("harvest", "Harvest arXiv announcements politely (one request / 3 s)");
  c.app->require_subcommand(1);
  CLI::App* arxiv = c.app->add_subcommand("arxiv", "RSS announcements + OAI-PMH + API, resumable");
  arxiv->add_option("--db", args->db, "sqlite:PATH or postgresql://... URL")
      ->capture_default_str();
  arxiv->add_option("--categories", args->categories,
                    "comma list of categories or archives (cs.CL,cs.LG | cs | all)")
      ->capture_default_str();
  arxiv->add_option("--from", args->from, "OAI window start YYYY-MM-DD (default: last success)");
  arxiv->add_option("--until", args->until, "OAI window end YYYY-MM-DD");
  arxiv->add_flag("--once", args->once, "harvest once and exit (default: keep following)");
  arxiv->add_option("--base-url", args->base_url,
                    "replace every arXiv host (e.g. a local mirror or test server)");
  arxiv->add_option("--interval", args->interval, "seconds between request starts")
      ->capture_default_str();
  arxiv->add_option("--contact", args->contact,
                    "contact in the User-Agent (default: $COOLPAPERS_CONTACT)");
  arxiv->add_flag("--no-oai", args->no_oai, "skip OAI-PMH; fill metadata from the API only");
  c.run = [args] { return RunHarvest(*args); };
  return c;
}

}  // namespace coolpapers::cli
