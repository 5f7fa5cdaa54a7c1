#pragma once
// PgLeadership: store::Leadership over a PostgreSQL session advisory lock
// (pg_try_advisory_lock(kRoleLockSpace, hashtext(role))) held on a connection of its own, with
// TCP keepalives (ClusterConnectionUrl) so a silently dead peer is noticed. One thread:
//   follower: connect if needed, try the lock every `retry`;
//   holder:   run a trivial query every `check`; when it fails, stop being leader at once,
//             drop the connection (the server frees the lock with the session) and wait two
//             retry periods before trying again, so a healthy follower takes over first.
// IsLeader() also turns false when the last good check is older than `lost_after`, even while
// a check still hangs.

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "store/leadership.h"

namespace coolpapers::store::postgres {

class PgLeadership : public Leadership {
 public:
  PgLeadership(std::string url, std::string role, LeadershipOptions options);
  ~PgLeadership() override;  // stops the thread; closing the session gives the role up
  PgLeadership(const PgLeadership&) = delete;
  PgLeadership& operator=(const PgLeadership&) = delete;

  bool IsLeader() override;
  std::string Why() override;
  uint64_t Changes() override;
  // The server process id of this leadership's session, 0 when not connected (tests end the
  // session with pg_terminate_backend).
  int BackendPid();

 private:
  struct Session;  // the connection (pg_leadership.cc)
  void Loop();
  // One follower step: connect if needed and try the lock. True when it was taken.
  bool TryTake();
  // One holder step: checks the session; false when the role is lost.
  bool CheckHeld();
  void Change(bool leader, const std::string& why);
  // Sleeps `d` unless stopping; false when stopping.
  bool Wait(std::chrono::milliseconds d);

  const std::string url_, role_;
  const LeadershipOptions options_;
  std::unique_ptr<Session> session_;  // Loop's thread only

  std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;
  bool holding_ = false;
  std::chrono::steady_clock::time_point last_ok_;
  std::string why_;
  uint64_t changes_ = 0;
  std::atomic<int> backend_pid_{0};
  std::thread thread_;
};

}  // namespace coolpapers::store::postgres
