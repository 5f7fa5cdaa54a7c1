#include "store/sqlite/batched_writer.h"

#include <algorithm>
#include <exception>
#include <random>

#include "core/text.h"

namespace coolpapers::store::sqlite {
namespace {

std::string RandomInstance() {
  std::random_device rd;
  uint64_t v = (static_cast<uint64_t>(rd()) << 32) ^ rd();
  char buf[17];
  static const char* kHex = "0123456789abcdef";
  for (int i = 15; i >= 0; --i, v >>= 4) buf[i] = kHex[v & 15];
  buf[16] = '\0';
  return buf;
}

}  // namespace

BatchedWriter::BatchedWriter(std::unique_ptr<Connection> conn, Options options)
    : options_(options), conn_(std::move(conn)), instance_(RandomInstance()) {
  thread_ = std::thread([this] { Loop(); });
}

BatchedWriter::~BatchedWriter() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

Status BatchedWriter::AddClick(const std::string& paper_id, const std::string& kind, int64_t n) {
  {
    std::lock_guard lock(mu_);
    auto it = pending_clicks_.find(ClickKey(paper_id, kind));
    if (it != pending_clicks_.end()) {
      it->second += n;
    } else {
      if (pending_clicks_.size() >= options_.max_pending_clicks) {
        return Status::Unavailable(
            "the click counter queue is full (" + std::to_string(pending_clicks_.size()) +
            " counters waiting for the database); the click was not counted, retry later");
      }
      pending_clicks_.emplace(ClickKey(paper_id, kind), n);
    }
  }
  cv_.notify_all();
  return Status::Ok();
}

Status BatchedWriter::SetState(const std::string& key, const std::string& value) {
  return QueueState(key, value);
}

Status BatchedWriter::DeleteState(const std::string& key) { return QueueState(key, std::nullopt); }

Status BatchedWriter::QueueState(const std::string& key, std::optional<std::string> value) {
  {
    std::lock_guard lock(mu_);
    auto it = pending_states_.find(key);
    if (it != pending_states_.end()) {
      it->second = std::move(value);
    } else {
      if (pending_states_.size() >= options_.max_pending_states) {
        return Status::Unavailable(
            "the state write queue is full (" + std::to_string(pending_states_.size()) +
            " keys waiting for the database); state '" + key + "' was not saved, retry later");
      }
      pending_states_.emplace(key, std::move(value));
    }
  }
  cv_.notify_all();
  return Status::Ok();
}

std::future<Status> BatchedWriter::Submit(Op op) {
  Job job{std::move(op), {}};
  std::future<Status> f = job.done.get_future();
  {
    std::lock_guard lock(mu_);
    pending_jobs_.push_back(std::move(job));
  }
  cv_.notify_all();
  return f;
}

Status BatchedWriter::Flush() {
  return Run([](Connection&) { return Status::Ok(); });
}

BatchedWriter::Lease BatchedWriter::Borrow() {
  std::unique_lock lock(mu_);
  cv_.wait(lock, [this] { return !lent_ && inflight_number_ == 0; });
  lent_ = true;
  return Lease(this);
}

BatchedWriter::Lease::~Lease() {
  if (w_ == nullptr) return;
  {
    std::lock_guard lock(w_->mu_);
    w_->lent_ = false;
  }
  w_->cv_.notify_all();
}

std::vector<BatchedWriter::ClickGroup> BatchedWriter::ClickOverlay(
    const std::vector<std::string>* paper_ids) const {
  auto filter = [paper_ids](const std::map<ClickKey, int64_t>& from) {
    std::map<ClickKey, int64_t> out;
    if (!paper_ids) return from;
    for (const std::string& id : *paper_ids) {
      for (auto it = from.lower_bound(ClickKey(id, "")); it != from.end() && it->first.first == id;
           ++it) {
        out.insert(*it);
      }
    }
    return out;
  };
  std::vector<ClickGroup> out;
  std::lock_guard lock(mu_);
  if (inflight_number_ > 0 && inflight_clicks_ && !inflight_clicks_->empty()) {
    ClickGroup g{inflight_number_, filter(*inflight_clicks_)};
    if (!g.clicks.empty()) out.push_back(std::move(g));
  }
  if (!pending_clicks_.empty()) {
    ClickGroup g{next_batch_, filter(pending_clicks_)};
    if (!g.clicks.empty()) out.push_back(std::move(g));
  }
  return out;
}

int64_t BatchedWriter::CommittedBatch(const std::optional<std::string>& marker) const {
  if (!marker) return 0;  // no batch with clicks was ever committed to this database
  {
    size_t colon = marker->find(':');
    int64_t n = 0;
    if (colon != std::string::npos && marker->compare(0, colon, instance_) == 0 &&
        core::ParseInt64(std::string_view(*marker).substr(colon + 1), n)) {
      return n;
    }
  }
  // No marker of ours (another process wrote the last click batch, or none yet): trust what
  // the writer knows; a reader may then briefly miss the clicks of a batch being committed.
  std::lock_guard lock(mu_);
  return committed_batch_;
}

std::optional<std::optional<std::string>> BatchedWriter::PendingState(
    const std::string& key) const {
  std::lock_guard lock(mu_);
  if (auto it = pending_states_.find(key); it != pending_states_.end()) return it->second;
  if (auto it = inflight_states_.find(key); it != inflight_states_.end()) return it->second;
  return std::nullopt;
}

std::map<std::string, std::optional<std::string>> BatchedWriter::PendingStates(
    const std::string& prefix) const {
  std::map<std::string, std::optional<std::string>> out;
  std::lock_guard lock(mu_);
  // The in-flight batch first: the queued writes are newer and overwrite it.
  for (const auto* states : {&inflight_states_, &pending_states_}) {
    for (auto it = states->lower_bound(prefix);
         it != states->end() && it->first.compare(0, prefix.size(), prefix) == 0; ++it) {
      out[it->first] = it->second;
    }
  }
  return out;
}

BatchedWriter::Stats BatchedWriter::GetStats() const {
  std::lock_guard lock(mu_);
  return stats_;
}

void BatchedWriter::Loop() {
  std::unique_lock lock(mu_);
  std::chrono::milliseconds backoff{0};
  while (true) {
    cv_.wait(lock, [this] { return !lent_ && (stop_ || HasPendingLocked()); });
    if (!HasPendingLocked()) return;  // stopping, nothing left
    Batch b;
    b.number = next_batch_++;
    b.clicks = std::make_shared<const std::map<ClickKey, int64_t>>(std::move(pending_clicks_));
    pending_clicks_.clear();
    b.states = std::move(pending_states_);
    pending_states_.clear();
    b.jobs = std::move(pending_jobs_);
    pending_jobs_.clear();
    inflight_number_ = b.number;
    inflight_clicks_ = b.clicks;
    inflight_states_ = b.states;
    const bool stopping = stop_;
    lock.unlock();

    Status st = Apply(b);

    lock.lock();
    inflight_number_ = 0;
    inflight_clicks_.reset();
    inflight_states_.clear();
    cv_.notify_all();  // a Borrow() may be waiting for this batch to end
    if (st.ok()) {
      committed_batch_ = b.number;
      ++stats_.batches;
      stats_.ops += b.clicks->size() + b.states.size() + b.jobs.size();
      backoff = std::chrono::milliseconds{0};
    } else {
      ++stats_.failed_batches;
      // Fire-and-forget writes go back to the queue; newer queued values win.
      for (const auto& [k, n] : *b.clicks) pending_clicks_[k] += n;
      for (auto& [k, v] : b.states) {
        if (k != kBatchMarkerKey) pending_states_.emplace(k, std::move(v));
      }
    }
    lock.unlock();
    for (size_t i = 0; i < b.jobs.size(); ++i) {
      b.jobs[i].done.set_value(st.ok() ? std::move(b.results[i]) : st);
    }
    lock.lock();
    if (!st.ok()) {
      if (stopping || stop_) {
        // Shutting down and the database stays unwritable: give up on what is queued.
        pending_clicks_.clear();
        pending_states_.clear();
        for (Job& j : pending_jobs_) j.done.set_value(st);
        pending_jobs_.clear();
        return;
      }
      backoff = std::clamp(backoff * 2, options_.first_backoff, options_.max_backoff);
      cv_.wait_for(lock, backoff, [this] { return stop_; });
    }
  }
}

Status BatchedWriter::Apply(Batch& b) {
  Connection& c = *conn_;
  Result<Transaction> txn = Transaction::Begin(c, /*immediate=*/true);
  if (!txn) return txn.error();
  std::vector<Status> results;
  results.reserve(b.jobs.size());
  for (Job& j : b.jobs) {
    if (Status st = c.Exec("SAVEPOINT job"); !st.ok()) return st;
    Status st;
    try {
      st = j.op(c);
    } catch (const std::exception& e) {
      st = Status::Internal(std::string("database write failed: ") + e.what());
    }
    if (st.ok()) {
      if (Status rel = c.Exec("RELEASE job"); !rel.ok()) return rel;
    } else {
      if (Status rb = c.Exec("ROLLBACK TO job; RELEASE job"); !rb.ok()) return rb;
    }
    results.push_back(std::move(st));
  }
  if (!b.clicks->empty()) {
    Result<Stmt> s = c.Prepare(
        "INSERT INTO clicks (paper_id, kind, n) VALUES (?1, ?2, ?3) "
        "ON CONFLICT (paper_id, kind) DO UPDATE SET n = n + ?3");
    if (!s) return s.error();
    for (const auto& [k, n] : *b.clicks) {
      s->Bind(1, k.first, true);
      s->Bind(2, k.second, true);
      s->Bind(3, n);
      if (Status st = s->Run(); !st.ok()) return st;
      s->Reset();
    }
    b.states[kBatchMarkerKey] = instance_ + ":" + std::to_string(b.number);
  }
  if (!b.states.empty()) {
    Result<Stmt> s = c.Prepare(
        "INSERT INTO state (key, value) VALUES (?1, ?2) "
        "ON CONFLICT (key) DO UPDATE SET value = ?2");
    if (!s) return s.error();
    Result<Stmt> del = c.Prepare("DELETE FROM state WHERE key = ?1");
    if (!del) return del.error();
    for (const auto& [k, v] : b.states) {
      Stmt& st = v ? *s : *del;
      st.Bind(1, k, true);
      if (v) st.Bind(2, *v, true);
      if (Status r = st.Run(); !r.ok()) return r;
      st.Reset();
    }
    b.states.erase(kBatchMarkerKey);
  }
  if (Status st = txn->Commit(); !st.ok()) return st;
  // Committed: each job's own status (a failed job rolled back only itself).
  b.results = std::move(results);
  return Status::Ok();
}

}  // namespace coolpapers::store::sqlite
