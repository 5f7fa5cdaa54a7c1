#pragma once
// ArxivId: parsing and canonical form of arXiv identifiers.
//   new scheme  YYMM.NNNN (2007-04..2014-12) and YYMM.NNNNN (2015-01 on), optional vN
//   old scheme  archive(.SUBJ)?/YYMMNNN, e.g. hep-th/9901001, math.GT/0309136, optional vN
// Zero-padding is accepted either way: "1406.2661" and "1406.02661" name the same paper; the
// canonical form uses 4 digits before 2015-01 and 5 from 2015-01 on.
// Also accepts the forms readers paste: "arXiv:2402.12354", abs/pdf URLs, "2402.12354.pdf".

#include <chrono>
#include <string>
#include <string_view>

#include "core/status.h"

namespace coolpapers::core {

class ArxivId {
 public:
  // Parses `text`; on failure the error says what is wrong and shows a valid example.
  static Result<ArxivId> Parse(std::string_view text);

  // Canonical id without version: "2402.12354", "hep-th/9901001".
  const std::string& base() const { return base_; }
  int version() const { return version_; }  // 0 when none was given
  bool has_version() const { return version_ > 0; }
  bool is_old_style() const { return old_style_; }
  // base() plus "v<N>" when a version was given.
  std::string ToString() const;
  // YYMM of the id, e.g. 2402 (old style: from the YYMM digits).
  int yymm() const { return yymm_; }

  // Whether arXiv can have issued this id by `now`: a new-style id's month (YYMM) must not be
  // after the current month (UTC; the current month is allowed). Parse() has already checked
  // the rest of the id space (month 01-12, 4 digits before 1501 and 5 from then, old-style
  // ids from 9107 to 0703). InvalidArgument saying which month and why otherwise.
  Status Plausible(std::chrono::system_clock::time_point now) const;

  bool operator==(const ArxivId&) const = default;

 private:
  std::string base_;
  int version_ = 0;
  int yymm_ = 0;
  bool old_style_ = false;
};

// Parse() and Plausible(now): the ids arXiv can have issued by `now`. For queues that fetch
// what readers ask for, so invented ids cannot fill them.
Result<ArxivId> ParsePlausibleArxivId(std::string_view text,
                                      std::chrono::system_clock::time_point now);

// True when `text` is plausibly an arXiv id (cheap check used by routers to tell ids from
// category names); Parse() is the authority.
bool LooksLikeArxivId(std::string_view text);

}  // namespace coolpapers::core
