#pragma once
// SharedFaqJobs: FAQ generations and their limits shared by several `serve` nodes on one
// database, so that a FAQ is generated once cluster-wide and a node that dies mid-job is
// replaced by another one that resumes where it stopped.
//
// - One row per FAQ key ("2402.12354v1|zh|model|p1"). A node claims the row (row lock taken
//   with FOR UPDATE SKIP LOCKED: a row another node is claiming at that moment counts as held)
//   and holds it with a lease it renews; each claim bumps `generation`, the fencing token that
//   every later write of the claimer must present. A write with an outdated generation (the
//   lease expired and another node claimed the row) changes nothing and answers false: the
//   writer has lost the job and must stop.
// - The owner stores the partial answer as it grows (answered questions, then the one in
//   progress), so readers on any node can follow; a node that claims a row whose lease expired
//   gets that partial back and asks only the questions not answered yet.
// - A finished row is complete (with the FAQ) or failed (with the reason shown to readers).
// - A per-client token bucket of starts and a per-day token counter, shared by the nodes.
//
// Lease times are judged by the database's clock, the one clock all nodes share.
// Thread-safety: implementations may be called from any thread.

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/status.h"

namespace coolpapers::store {

// What a node needs to take the job up itself (a resumed or swept job).
struct SharedFaqJobSpec {
  std::string key;       // FaqKey::ToString()
  std::string paper_id;
  int version = 1;
  std::string lang;
  int priority = 2;      // 0 admin, 1 recent, 2 history
};

struct SharedFaqJob {
  enum class State { kRunning, kComplete, kFailed };
  SharedFaqJobSpec spec;
  State state = State::kRunning;
  std::string owner;         // node id of the last claimer
  int64_t generation = 0;    // bumped by each claim
  bool lease_live = false;   // running and its lease has not expired
  // [{"q","a"}]: the answered questions, then possibly the one in progress (items beyond
  // `answered`); the whole FAQ once complete.
  std::string items_json = "[]";
  int answered = 0;
  int64_t tokens = 0;        // tokens paid for this FAQ so far, by every owner
  std::string source;        // "pdf" | "abstract" once known
  std::string created;       // complete: "YYYY-MM-DD HH:MM:SS" UTC
  std::string error;         // failed: the reason shown to readers
};

enum class ClaimOutcome {
  kClaimed,       // this node owns the job now (`job` is the row, partial answer included)
  kHeldElsewhere, // another node holds a live lease (or is claiming the row right now)
  kFinished,      // complete and `restart` was false: serve `job`'s FAQ
};

struct ClaimResult {
  ClaimOutcome outcome = ClaimOutcome::kHeldElsewhere;
  std::optional<SharedFaqJob> job;  // absent only when the row was being claimed elsewhere
};

// The partial answer as the owner writes it.
struct SharedFaqProgress {
  std::string items_json = "[]";
  int answered = 0;
  int64_t tokens = 0;
  std::string source;
};

class SharedFaqJobs {
 public:
  virtual ~SharedFaqJobs() = default;

  // This node's id (ownership of rows) and the lease length.
  virtual const std::string& node_id() const = 0;
  virtual std::chrono::seconds lease() const = 0;

  // Claims the job of `spec.key` for this node: a new row, a failed one, one whose lease
  // expired (its partial answer kept, to be resumed), or a complete one when `restart` (the
  // partial answer cleared). A row this node already holds is claimed again (new generation).
  virtual Result<ClaimResult> Claim(const SharedFaqJobSpec& spec, bool restart) = 0;
  // Extends the lease; false when this node no longer owns `generation` of the row.
  virtual Result<bool> Renew(const std::string& key, int64_t generation) = 0;
  // Stores the partial answer and extends the lease; false when the job was lost.
  virtual Result<bool> Progress(const std::string& key, int64_t generation,
                                const SharedFaqProgress& progress) = 0;
  // Completes the row with the whole FAQ; false when the job was lost.
  virtual Result<bool> Complete(const std::string& key, int64_t generation,
                                const SharedFaqProgress& faq, const std::string& created) = 0;
  // Fails the row with the reason readers see; false when the job was lost.
  virtual Result<bool> Fail(const std::string& key, int64_t generation,
                            const std::string& error) = 0;
  // Gives the job up without finishing it (this node stops): its lease ends now, so another
  // node resumes it at once. False when the job was lost already.
  virtual Result<bool> Release(const std::string& key, int64_t generation) = 0;
  // The row of `key`, nullopt when there is none.
  virtual Result<std::optional<SharedFaqJob>> Get(const std::string& key) = 0;
  // Running rows whose lease has expired (their owner died), most urgent first, at most
  // `limit`. Also forgets what is no longer needed: finished rows a day old (their FAQ is in the
  // store) and client buckets full again.
  virtual Result<std::vector<SharedFaqJob>> Expired(int limit) = 0;

  // Takes one start from `client`'s bucket (`per_hour` starts, refilled continuously, burst up
  // to `per_hour`). False with *wait set when none is left.
  virtual Result<bool> TakeClientStart(const std::string& client, int per_hour,
                                       std::chrono::seconds* wait) = 0;
  // Adds `tokens` to the usage of `day` ("YYYY-MM-DD", UTC) and returns the new total.
  virtual Result<int64_t> AddTokens(const std::string& day, int64_t tokens) = 0;
  virtual Result<int64_t> TokensOn(const std::string& day) = 0;
};

// Shared FAQ jobs on the database `url` names, for the node `node_id`; the lease is clamped to
// 1..60 s. nullptr for a database that is not shared between nodes (SQLite): the FAQ service
// then keeps its jobs and limits in the process, as a single node does.
Result<std::unique_ptr<SharedFaqJobs>> OpenSharedFaqJobs(const std::string& url,
                                                         const std::string& node_id,
                                                         std::chrono::seconds lease =
                                                             std::chrono::seconds(30));

// "host:pid:random": a node id that a restarted process never reuses.
std::string NewNodeId();

}  // namespace coolpapers::store
