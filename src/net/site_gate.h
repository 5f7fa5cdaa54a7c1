#pragma once
// SiteGate: lets several processes share one polite request stream to each upstream site.
// PoliteFetcher spaces the requests of one process; when several processes (serve nodes of one
// site) fetch from the same upstream, a gate shared between them (cli/ adapts one kept in the
// database) makes the whole cluster one stream: the fetcher asks for a turn before every
// request to a site (each retry and redirect hop included) and reports when it ended.
//
//   if (Status s = gate.Begin("arxiv.org", 3s, stopped); !s.ok()) ...   // our turn
//   reply = transport.Send(...);
//   gate.End("arxiv.org");                                             // next one in >= 3 s
//
// Without a gate (a single process) the fetcher's own spacing is the whole story.

#include <chrono>
#include <functional>
#include <string>

#include "core/status.h"

namespace coolpapers::net {

class SiteGate {
 public:
  virtual ~SiteGate() = default;
  // Blocks until this process may start a request to `site` (a PolitenessKey): no request to
  // it is running anywhere and `interval` has passed since the end of the last one, wherever it
  // ran. On Ok the caller holds the site's turn until End(site). Fails with kCancelled when
  // `stopped()` turns true while waiting (checked at least every 100 ms), and with
  // kUnavailable when the processes cannot be coordinated (the fetcher retries later).
  virtual Status Begin(const std::string& site, std::chrono::milliseconds interval,
                       const std::function<bool()>& stopped) = 0;
  // The request that Begin(site) allowed has ended (successfully or not): records the end and
  // gives the turn back.
  virtual void End(const std::string& site) = 0;
};

}  // namespace coolpapers::net
