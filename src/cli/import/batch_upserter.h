#pragma once
// BatchUpserter: writes import batches to the store on a background thread, so reading and
// parsing the next batch overlaps with writing the previous one. Each batch is one Upsert,
// i.e. one transaction: a killed import leaves whole batches only, and a rerun completes it.
// Except in a bulk load (BatchLimit(), into a store that holds no papers): then the whole run
// is one transaction (Store::BeginBulkLoad) committed by Finish(); a killed import leaves the
// store empty, and a rerun does it all. Batches are then only hand-over units, kept small
// (kBulkBatch papers) so the memory they take is reused while still mapped and cached.

#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "core/paper.h"
#include "core/status.h"
#include "store/store.h"

namespace coolpapers::cli {

struct ImportBatch {
  std::vector<core::Paper> papers;
  std::vector<core::Membership> memberships;
};

class BatchUpserter {
 public:
  // Papers per batch in a bulk load.
  static constexpr size_t kBulkBatch = 1000;

  // `max_queued` batches may wait while one is being written.
  explicit BatchUpserter(store::Store& store, size_t max_queued = 2);
  ~BatchUpserter();  // finishes the queued batches
  BatchUpserter(const BatchUpserter&) = delete;
  BatchUpserter& operator=(const BatchUpserter&) = delete;

  // How many papers to gather per Submit when each transaction should hold `batch_size`: the
  // first call, before the first Submit, begins a bulk load if the store offers one (so an
  // import that reads nothing changes nothing), and then the answer is at most kBulkBatch.
  // Without a call, every batch is its own Upsert. If beginning the load fails, Submit returns
  // false and Finish() tells why.
  size_t BatchLimit(size_t batch_size);
  // Queues a batch, waiting while the queue is full. False once a write has failed (the batch
  // is dropped; Finish() tells why).
  bool Submit(ImportBatch batch);
  // Writes what is queued (and commits the bulk load) and stops the thread; the first error.
  Status Finish();
  // Totals over the batches written so far (call after Finish()).
  const store::UpsertCounts& counts() const { return counts_; }

 private:
  void Run();
  // Runs on the thread: one batch into the bulk load or, without one, as one Upsert.
  Result<store::UpsertCounts> Write(const ImportBatch& batch);

  store::Store& store_;
  const size_t max_queued_;
  bool asked_ = false;    // BatchLimit() was called (the caller's thread only)
  bool in_bulk_ = false;  // and began a bulk load (the caller's thread only)
  // Set by the first BatchLimit(), before the first batch is queued; then used by the thread.
  std::unique_ptr<store::BulkLoad> bulk_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<ImportBatch> queue_;
  bool closing_ = false;
  Status error_;
  store::UpsertCounts counts_;
  std::thread thread_;
};

}  // namespace coolpapers::cli
