#pragma once
// Copying every row of one store into another through the Store interface (`coolpapers
// migrate`): papers with their memberships (Upsert, in large batches, written on a background
// thread while the next batch is read), venue papers with their other ids (UpsertVenuePapers),
// day statuses, state, FAQs and click counts (AddClicks). Links between venue and arXiv papers
// are not copied: the destination computes them as the papers arrive. Change sequences are the
// destination's own.
//
// Into a destination that already holds rows, papers merge as an import would, day statuses,
// state values and FAQs replace the destination's, and click counts add to its counts.

#include <cstdint>
#include <cstdio>
#include <string>

#include "core/status.h"
#include "store/store.h"

namespace coolpapers::cli {

struct MigrateOptions {
  int batch_size = 20000;   // papers or venue papers per write (one transaction each)
  int page_size = 1000;     // keys per page of the other rows (categories, papers with FAQs...)
  int writers = 4;          // row writes in flight at once (day statuses, state, FAQs, clicks)
  std::FILE* err = stderr;  // progress and one summary line per kind of row
};

// What the migration copied.
struct MigrateCounts {
  int64_t papers = 0, memberships = 0, venue_papers = 0, day_statuses = 0, state_keys = 0,
          faqs = 0, click_counters = 0, clicks = 0;
};

// Copies every row of `from` into `to`, then flushes `to`. The first error stops the copy and
// is returned (what was written stays; `migrate --into-non-empty` completes it, adding click
// counts again).
Result<MigrateCounts> CopyStore(store::Store& from, store::Store& to,
                                const MigrateOptions& options);

// The counts compared after a migration.
struct StoreCounts {
  int64_t papers = 0;        // paper rows, venue papers included
  int64_t memberships = 0;
  int64_t venue_papers = 0;
  int64_t faqs = 0;
  int64_t links = 0;         // venue <-> arXiv links (recomputed, so compared as a check only)
};
Result<StoreCounts> CountRows(store::Store& s);

// What `s` holds, e.g. "1,204 papers, 3 FAQs, state keys (faq_tokens, harvest.open_days)";
// "" when it holds nothing. Kinds of rows the store can neither export nor list (day statuses
// of a store without ExportDayStatuses) are not looked at.
Result<std::string> DescribeContents(store::Store& s);

// Prints the counts of both stores side by side on `out` and compares them: equal counts of
// papers, memberships, venue papers and FAQs (at least the source's when `into_non_empty`).
// Returns "" when they agree, else what differs. A differing link count is printed as a note.
std::string CompareCounts(const StoreCounts& from, const StoreCounts& to, bool into_non_empty,
                          std::FILE* out);

// `url` with any password replaced by "***" (for messages).
std::string ShownUrl(const std::string& url);

}  // namespace coolpapers::cli
