#pragma once
// BatchedWriter: the one thread that writes to a SQLite database. Internal to SqliteStore.
//
// Every write goes through a queue; the writer thread takes everything queued and commits it
// in ONE IMMEDIATE transaction, so a caller never waits on SQLite's write lock itself:
//   - fire-and-forget writes (click counters, key/value state) return at once; clicks queued
//     for the same (paper, kind) are merged, a state key queued twice keeps the last value;
//   - writes whose result the caller needs (Upsert, PutFaq, day status) run as jobs, each in
//     its own SAVEPOINT of the batch (a failing job rolls back only itself), and the caller
//     waits on a future for the commit. Call Run() only off the I/O threads.
// When the database is busy (another process holds the write lock longer than the busy
// timeout) or the commit fails, jobs of that batch fail with the error, and fire-and-forget
// writes go back to the queue and are retried with backoff (200 ms doubling to 5 s), so clicks
// posted while another process holds the lock land once it is released.
//
// Readers see queued writes (read-your-writes) through ClickOverlay / PendingState: every
// batch that writes clicks also records "<instance>:<batch number>" under the state key
// kBatchMarkerKey in the same transaction, so a reader that reads the clicks table and the
// marker in one read transaction knows exactly which queued batches its snapshot already holds
// (no double counting in the window between COMMIT and the writer noticing it).
//
// Thread-safety: every public method may be called from any thread.

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <future>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "core/status.h"
#include "store/sqlite/sqlite_db.h"

namespace coolpapers::store::sqlite {

class BatchedWriter {
 public:
  struct Options {
    // Distinct (paper, kind) click counters waiting to be written; beyond it AddClick answers
    // Unavailable (the click is not counted) until the writer catches up.
    size_t max_pending_clicks = 100000;
    // Distinct state keys waiting to be written; beyond it SetState answers Unavailable.
    size_t max_pending_states = 10000;
    std::chrono::milliseconds first_backoff{200};
    std::chrono::milliseconds max_backoff{5000};
  };

  // The state key holding "<instance>:<batch>" of the last committed batch with clicks.
  static constexpr const char* kBatchMarkerKey = "store.click_batch";

  // Takes over `conn` (the only connection that writes) and starts the writer thread.
  BatchedWriter(std::unique_ptr<Connection> conn, Options options);
  explicit BatchedWriter(std::unique_ptr<Connection> conn)
      : BatchedWriter(std::move(conn), Options{}) {}
  // Writes what is queued (one attempt when the database stays busy), then stops the thread.
  ~BatchedWriter();
  BatchedWriter(const BatchedWriter&) = delete;
  BatchedWriter& operator=(const BatchedWriter&) = delete;

  // Fire-and-forget: adds `n` to the (paper, kind) counter. Unavailable when the queue is full.
  Status AddClick(const std::string& paper_id, const std::string& kind, int64_t n = 1);
  // Fire-and-forget: sets `key` to `value`. Unavailable when the queue is full.
  Status SetState(const std::string& key, const std::string& value);
  // Fire-and-forget: removes `key` (queued like a value, so a later SetState wins).
  Status DeleteState(const std::string& key);

  // Queues `op` (run on the writer thread, inside the batch transaction, in its own savepoint)
  // and returns a future that holds its status once the batch committed (or the commit's error).
  using Op = std::function<Status(Connection&)>;
  std::future<Status> Submit(Op op);
  // Submit + wait. Never call from an I/O thread.
  Status Run(Op op) { return Submit(std::move(op)).get(); }
  // Waits until everything queued before the call was written (or failed); the status of that
  // batch. Never call from an I/O thread.
  Status Flush();

  // Exclusive use of the connection on the calling thread, for work that manages its own
  // transactions and connection settings (SqliteStore's bulk load). Borrow() waits until the
  // batch being written is committed; while the lease lives the writer thread starts no batch
  // (fire-and-forget writes stay queued, Run() waits). End every lease before the writer is
  // destroyed. Never call from the writer thread or an I/O thread.
  class Lease {
   public:
    Lease(Lease&& o) noexcept : w_(o.w_) { o.w_ = nullptr; }
    Lease(const Lease&) = delete;
    Lease& operator=(const Lease&) = delete;
    ~Lease();
    Connection& conn() const { return *w_->conn_; }

   private:
    friend class BatchedWriter;
    explicit Lease(BatchedWriter* w) : w_(w) {}
    BatchedWriter* w_;
  };
  Lease Borrow();

  // Click increments not yet known to be in a snapshot: (batch number, (paper, kind) -> n) for
  // the batch being written and the queued one. Only papers in `paper_ids` (all when null).
  using ClickKey = std::pair<std::string, std::string>;
  struct ClickGroup {
    int64_t batch = 0;
    std::map<ClickKey, int64_t> clicks;
  };
  std::vector<ClickGroup> ClickOverlay(const std::vector<std::string>* paper_ids) const;
  // The batch a snapshot holds, from the kBatchMarkerKey value read in it: batches of this
  // writer numbered <= the result are in the snapshot. `marker` from another process (several
  // servers on one file): what this writer knows committed, which may briefly undercount.
  int64_t CommittedBatch(const std::optional<std::string>& marker) const;
  // The newest queued (not yet known committed) write of `key`, if any: a value, or nullopt
  // for a queued deletion.
  std::optional<std::optional<std::string>> PendingState(const std::string& key) const;
  // Every queued write of a key starting with `prefix` (values, nullopt for deletions).
  std::map<std::string, std::optional<std::string>> PendingStates(const std::string& prefix) const;

  struct Stats {
    uint64_t batches = 0;  // committed transactions
    uint64_t failed_batches = 0;
    uint64_t ops = 0;  // writes committed (clicks merged count once)
  };
  Stats GetStats() const;

 private:
  struct Job {
    Op op;
    std::promise<Status> done;
  };
  struct Batch {
    int64_t number = 0;
    std::shared_ptr<const std::map<ClickKey, int64_t>> clicks;
    std::map<std::string, std::optional<std::string>> states;  // nullopt: delete
    std::vector<Job> jobs;
    std::vector<Status> results;  // per job, once committed
  };

  void Loop();
  Status QueueState(const std::string& key, std::optional<std::string> value);
  Status Apply(Batch& b);
  bool HasPendingLocked() const {
    return !pending_clicks_.empty() || !pending_states_.empty() || !pending_jobs_.empty();
  }

  const Options options_;
  const std::unique_ptr<Connection> conn_;
  const std::string instance_;  // tells this writer's batch markers from another process's

  mutable std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;
  bool lent_ = false;            // a Lease holds the connection
  int64_t next_batch_ = 1;       // number the next taken batch gets
  int64_t committed_batch_ = 0;  // last batch known committed
  std::map<ClickKey, int64_t> pending_clicks_;
  std::map<std::string, std::optional<std::string>> pending_states_;
  std::vector<Job> pending_jobs_;
  // The batch being written (number 0 when none).
  int64_t inflight_number_ = 0;
  std::shared_ptr<const std::map<ClickKey, int64_t>> inflight_clicks_;
  std::map<std::string, std::optional<std::string>> inflight_states_;
  Stats stats_;
  std::thread thread_;
};

}  // namespace coolpapers::store::sqlite
