// `coolpapers harvest arxiv`: polite live harvesting of arXiv announcements (SPEC §5).
// `coolpapers harvest venue --source openreview --venue ID`: a conference's accepted papers
// from the OpenReview API, one request per second at most (venues/venue_harvest.h).

#include <csignal>
#include <cstdio>
#include <memory>
#include <optional>
#include <string>

#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <pthread.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include "cli/commands.h"
#include "cli/serve_config.h"
#include "core/announce_day.h"
#include "harvest/harvest_plan.h"
#include "harvest/harvester.h"
#include "cli/serve_cluster.h"
#include "net/polite_fetcher.h"
#include "sources/openreview/notes.h"
#include "store/store.h"
#include "venues/venue_harvest.h"
#include "venues/venue_import.h"

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

struct VenueHarvestArgs {
  std::string db = kDefaultDb;
  std::string source, venue;
  std::string openreview_url;  // --openreview-url; else env, else [venues] openreview_url
  std::string config;
  int page_size = venues::kOpenReviewMaxPageSize;
  double interval = 1.0;
  int tries = 5;
  std::string contact;
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
  // On a shared database, take turns with the serve nodes: arXiv still sees one stream.
  auto gate = PgSiteGateAdapter::OpenShared(a.db);
  if (!gate) return Fail(gate.error().message());
  fo.gate = gate->get();
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

// The OpenReview API URL: --openreview-url (or env COOLPAPERS_OPENREVIEW_URL), else the config
// file's [venues] openreview_url, else OpenReview's own.
Result<std::string> OpenReviewUrl(const VenueHarvestArgs& a) {
  if (!a.openreview_url.empty()) return a.openreview_url;
  if (!a.config.empty()) {
    Result<ConfigFile> cfg = ConfigFile::Load(a.config);
    if (!cfg) return Err(cfg.error());
    std::optional<std::string> v = cfg->GetString("venues.openreview_url");
    if (v && !v->empty()) return *v;
  }
  return std::string(venues::kOpenReviewApiUrl);
}

// "page 2, 2000 of 2260 notes (88%), 2000 papers, 2 requests, 950.0 notes/s, ETA 0 s".
std::string ProgressLine(const venues::HarvestProgress& p) {
  std::string line = fmt::format("page {}, {} ", p.pages, p.notes);
  if (p.count >= 0) {
    line += fmt::format("of {} notes ({}%)", p.count, p.count > 0 ? p.notes * 100 / p.count : 100);
  } else {
    line += "notes";
  }
  line += fmt::format(", {} papers, {} requests, {:.1f} notes/s", p.papers, p.requests,
                      p.notes_per_second());
  if (double eta = p.eta_seconds(); eta >= 0) line += fmt::format(", ETA {:.0f} s", eta);
  return line;
}

// Why `source` is not harvested live, and which import reads it.
std::string FileImportHint(venues::VenueSource source, const std::string& name) {
  std::string what;
  switch (source) {
    case venues::VenueSource::kAcl:
      what = "the ACL Anthology publishes each event as a collection XML "
             "(acl-org/acl-anthology, data/xml/2024.acl.xml)";
      break;
    case venues::VenueSource::kCvf:
      what = "CVF open access lists each conference on one HTML page "
             "(save https://openaccess.thecvf.com/CVPR2024?day=all)";
      break;
    default:
      what = "PMLR publishes each volume as a BibTeX file (<conf><yy>.bib at the "
             "root of mlresearch/v<N>, e.g. icml24.bib in mlresearch/v235)";
      break;
  }
  return "--source " + name + " is a file import, not a live harvest: " + what +
         "; download it and run `coolpapers import venue --source " + name +
         " FILE...`. Only --source openreview is harvested live.";
}

void PrintVenueSummary(const VenueHarvestArgs& a, const venues::VenueHarvestResult& r) {
  const venues::OpenReviewFetched& f = r.fetched;
  std::printf("%s: %s, %zu papers (%lld new, %lld updated, %lld unchanged), %zu skipped, "
              "%lld not accepted left out; %d pages, %d requests in %.1f s\n",
              a.venue.c_str(), f.edition.c_str(), f.papers.size(),
              static_cast<long long>(r.counts.inserted), static_cast<long long>(r.counts.updated),
              static_cast<long long>(r.counts.unchanged), f.skipped.size(),
              static_cast<long long>(f.not_accepted), f.progress.pages, f.progress.requests,
              f.progress.seconds);
  std::fflush(stdout);
  for (size_t i = 0; i < f.skipped.size() && i < 10; ++i) {
    std::fprintf(stderr, "  skipped %s\n", f.skipped[i].c_str());
  }
  for (const std::string& w : f.warnings) {
    std::fprintf(stderr, "coolpapers harvest venue: warning: %s\n", w.c_str());
  }
}

int RunVenueHarvest(const VenueHarvestArgs& a) {
  std::optional<venues::VenueSource> source = venues::ParseVenueSource(a.source);
  if (!source) {
    return Fail("--source \"" + a.source + "\" is not one of " + venues::KnownVenueSources(), 2);
  }
  if (*source != venues::VenueSource::kOpenReview) return Fail(FileImportHint(*source, a.source), 2);
  if (a.venue.empty()) {
    return Fail("--venue is required: the OpenReview venue id whose accepted papers to harvest, "
                "e.g. --venue ICLR.cc/2024/Conference", 2);
  }
  if (sources::openreview::EditionOfVenueId(a.venue).empty()) {
    return Fail("--venue \"" + a.venue + "\" is not an OpenReview conference id; give it as " +
                    "on openreview.net, e.g. --venue ICLR.cc/2024/Conference",
                2);
  }
  Result<std::string> url = OpenReviewUrl(a);
  if (!url) return Fail(url.error().message(), 2);
  std::string base = *url;
  while (!base.empty() && base.back() == '/') base.pop_back();
  if (!(a.interval >= 0)) return Fail("--interval must be >= 0 seconds", 2);
  if (a.interval < 1.0 && base == venues::kOpenReviewApiUrl) {
    return Fail("--interval below 1 s is only allowed with another --openreview-url "
                "(OpenReview gets at most one request a second)", 2);
  }
  spdlog::set_default_logger(spdlog::stderr_color_mt("harvest"));
  auto store = store::OpenStore(a.db);
  if (!store) return Fail(a.db + ": " + store.error().message());

  net::PoliteFetcherOptions fo;
  fo.interval = std::chrono::milliseconds(static_cast<int64_t>(a.interval * 1000));
  fo.contact = a.contact.empty() ? net::ContactFromEnv() : a.contact;
  fo.retry.max_attempts = a.tries;
  auto gate = PgSiteGateAdapter::OpenShared(a.db);  // on a shared database, the nodes' turns
  if (!gate) return Fail(gate.error().message());
  fo.gate = gate->get();
  net::PoliteFetcher fetcher(fo);
  venues::OpenReviewHarvestOptions o;
  o.venue_id = a.venue;
  o.base_url = base;
  o.page_size = a.page_size;
  o.min_seconds_per_page = a.interval;
  o.on_page = [](const venues::HarvestProgress& p) {
    std::fprintf(stderr, "harvest venue: %s\n", ProgressLine(p).c_str());
  };
  std::fprintf(stderr, "harvest venue: %s from %s, %d notes a page, one request every %.1f s\n",
               a.venue.c_str(), base.c_str(), a.page_size, a.interval);
  Result<venues::VenueHarvestResult> r = venues::HarvestOpenReviewVenue(**store, fetcher, o);
  if (!r) return Fail(r.error().message());
  PrintVenueSummary(a, *r);
  return 0;
}

void AddVenueSubcommand(CLI::App* harvest, VenueHarvestArgs& a) {
  CLI::App* venue = harvest->add_subcommand(
      "venue", "a conference's accepted papers from OpenReview (one request / s at most)");
  venue->add_option("--db", a.db, "sqlite:PATH or postgresql://... URL")->capture_default_str();
  venue->add_option("--source", a.source,
                    "openreview (acl, pmlr and cvf are file imports: `coolpapers import venue`)")
      ->required();
  venue->add_option("--venue", a.venue, "the OpenReview venue id, e.g. ICLR.cc/2024/Conference");
  venue->add_option("--openreview-url", a.openreview_url,
                    std::string("OpenReview API v2 base URL (default: [venues] openreview_url "
                                "of --config, else ") +
                        venues::kOpenReviewApiUrl + ")")
      ->envname("COOLPAPERS_OPENREVIEW_URL");
  venue->add_option("--config", a.config, "TOML config file ([venues] openreview_url)");
  venue->add_option("--page-size", a.page_size, "notes per request (OpenReview's limit)")
      ->check(CLI::Range(1, venues::kOpenReviewMaxPageSize))
      ->capture_default_str();
  venue->add_option("--interval", a.interval, "seconds between requests (retries included)")
      ->capture_default_str();
  venue->add_option("--tries", a.tries, "attempts per page on 5xx, 429 and network errors")
      ->check(CLI::Range(1, 20))
      ->capture_default_str();
  venue->add_option("--contact", a.contact,
                    "contact in the User-Agent (default: $COOLPAPERS_CONTACT)");
}

}  // namespace

Command AddHarvest(CLI::App& root) {
  auto args = std::make_shared<HarvestArgs>();
  auto venue_args = std::make_shared<VenueHarvestArgs>();
  Command c;
  c.app = root.add_subcommand(
      "harvest", "Harvest arXiv announcements (one request / 3 s) or a venue from OpenReview");
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
  AddVenueSubcommand(c.app, *venue_args);
  c.run = [args, venue_args, arxiv] {
    return arxiv->parsed() ? RunHarvest(*args) : RunVenueHarvest(*venue_args);
  };
  return c;
}

}  // namespace coolpapers::cli
