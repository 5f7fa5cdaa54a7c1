#pragma once
// BatchUpserter: writes import batches to the store on a background thread, so reading and
// parsing the next batch overlaps with writing the previous one. Each batch is one Upsert,
// i.e. one transaction: a killed import leaves whole batches only, and a rerun completes it.

#include <condition_variable>
#include <deque>
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
  // `max_queued` batches may wait while one is being written.
  explicit BatchUpserter(store::Store& store, size_t max_queued = 2);
  ~BatchUpserter();  // finishes the queued batches
  BatchUpserter(const BatchUpserter&) = delete;
  BatchUpserter& operator=(const BatchUpserter&) = delete;

  // Queues a batch, waiting while the queue is full. False once a write has failed (the batch
  // is dropped; Finish() tells why).
  bool Submit(ImportBatch batch);
  // Writes what is queued and stops the thread; the first write error, if any.
  Status Finish();
  // Totals over the batches written so far (call after Finish()).
  const store::UpsertCounts& counts() const { return counts_; }

 private:
  void Run();

  store::Store& store_;
  size_t max_queued_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<ImportBatch> queue_;
  bool closing_ = false;
  Status error_;
  store::UpsertCounts counts_;
  std::thread thread_;
};

}  // namespace coolpapers::cli
