#pragma once
// PgSiteGate: one polite request stream per upstream site across every process using one
// PostgreSQL database (cli/ adapts it to net::SiteGate for the PoliteFetcher). A turn is a
// session advisory lock (kSiteLockSpace, hashtext(site)) held on the gate's own connection
// while the request runs; the end of each request is stored (cluster_site_requests) by the
// database clock, and the next turn starts only once the database clock has passed
// end + interval, so processes on machines whose clocks disagree still space their requests.
// A broken connection is reopened at the next Begin; meanwhile Begin fails with kUnavailable.
// One turn at a time per gate (the fetcher has one worker).

#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include "core/status.h"

namespace coolpapers::store::postgres {

class PgSiteGate {
 public:
  // Connects and migrates component "cluster"; fails naming the URL (without its password).
  static Result<std::unique_ptr<PgSiteGate>> Open(const std::string& url);
  ~PgSiteGate();
  PgSiteGate(const PgSiteGate&) = delete;
  PgSiteGate& operator=(const PgSiteGate&) = delete;

  // Waits for `site`'s turn (see net::SiteGate::Begin): kCancelled once `stopped()` is true,
  // kUnavailable when PostgreSQL cannot be reached.
  Status Begin(const std::string& site, std::chrono::milliseconds interval,
               const std::function<bool()>& stopped);
  // Stores the end of the request and gives the turn back.
  void End(const std::string& site);

 private:
  struct Impl;
  explicit PgSiteGate(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace coolpapers::store::postgres
