#pragma once
// DayTracker: the harvest checkpoint state kept in the store's key/value table.
//
//   harvest.day.<cat>.<day>   {"expected": N, "versions": {"<id>": <listed version>, ...}}
//   harvest.open_days         ["<cat>|<day>", ...]  days not complete yet (retried every run)
//   harvest.last_complete.<cat>  "YYYY-MM-DD"
//   harvest.oai.<set>         {"from": ..., "token": ..., "list_from": ..., "list_until": ...,
//                              "started": ...}
//   harvest.rss.<group>       {"last_modified": ..., "etag": ..., "day": ...}
//
// All of it is derived from what arXiv sent and written only after the data it describes, so a
// harvest killed between two writes resumes where it stopped.

#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/status.h"
#include "store/store.h"

namespace coolpapers::harvest {

// What an announcement listed for one (category, day).
struct TrackedDay {
  std::string category;
  std::string day;
  std::map<std::string, int> versions;  // paper id -> version the listing announced
};

struct OaiCheckpoint {
  std::string from;        // date of the last completed list ("" none): the next from=
  std::string token;       // resumptionToken of the list in progress ("" none)
  std::string list_from;   // the window of the list in progress
  std::string list_until;
  std::string started;     // UTC date the list in progress started
};

struct RssValidators {
  std::string last_modified;
  std::string etag;
  std::string day;
};

class DayTracker {
 public:
  explicit DayTracker(store::Store& store) : store_(store) {}

  // Records a day's listing and marks it open (until complete).
  Status Track(const TrackedDay& day);
  Result<std::optional<TrackedDay>> Get(const std::string& category, const std::string& day);
  // Open days, oldest first.
  Result<std::vector<std::pair<std::string, std::string>>> OpenDays();
  Status Close(const std::string& category, const std::string& day);

  Result<std::string> LastComplete(const std::string& category);
  Status SetLastComplete(const std::string& category, const std::string& day);

  Result<OaiCheckpoint> Oai(const std::string& set);
  Status SetOai(const std::string& set, const OaiCheckpoint& c);

  Result<RssValidators> Rss(const std::string& group);
  Status SetRss(const std::string& group, const RssValidators& v);

 private:
  Status SetOpenDays(const std::vector<std::pair<std::string, std::string>>& days);
  store::Store& store_;
};

}  // namespace coolpapers::harvest
