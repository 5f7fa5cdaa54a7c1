#pragma once
// Leadership: which process of a cluster sharing one database holds a named role ("harvester":
// the one that follows arXiv). On PostgreSQL (postgres/pg_leadership.h) the role is a session
// advisory lock on a connection of its own: followers try to take it every `retry`; the holder
// checks its session every `check` and stops being leader at once when the connection breaks
// (a killed holder's session ends and frees the role for the others). A single-process
// database (SQLite) has no leadership: OpenLeadership returns nullptr and the process simply
// does the work.
//
//   auto l = store::OpenLeadership(db_url, "harvester", {});
//   if (!*l || (*l)->IsLeader()) harvest();

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "core/status.h"

namespace coolpapers::store {

struct LeadershipOptions {
  // A follower tries to take the role this often (a dead leader's role is taken within about
  // this, plus the time the database needs to notice the dead session).
  std::chrono::milliseconds retry{5000};
  // The holder checks that its session is alive this often.
  std::chrono::milliseconds check{2000};
  // A holder whose last successful check is older than this stops acting as leader even while
  // the check still hangs (a silently dead network).
  std::chrono::milliseconds lost_after{10000};
};

class Leadership {
 public:
  virtual ~Leadership() = default;  // gives the role up
  // Whether this process holds the role now. Cheap; any thread.
  virtual bool IsLeader() = 0;
  // Why the role was last taken or lost, for the log: "took the harvester role", "lost the
  // harvester role: lost the connection to PostgreSQL (...)".
  virtual std::string Why() = 0;
  // Counts takes and losses, so a poller notices a loss and retake between two looks.
  virtual uint64_t Changes() = 0;
};

// The leadership of `role` among the processes using database `db_url`: nullptr for a
// database only one process uses (sqlite:), a PostgreSQL leadership for postgresql:// (which
// starts trying to take the role at once). Fails for an unknown URL.
Result<std::unique_ptr<Leadership>> OpenLeadership(const std::string& db_url,
                                                   const std::string& role,
                                                   const LeadershipOptions& options = {});

}  // namespace coolpapers::store
