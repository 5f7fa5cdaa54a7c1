#pragma once
// RunLimited: runs a program (no shell) with a wall-clock limit, an address-space limit and an
// output cap, capturing stdout and stderr. Used for pdftotext, which must never hang or
// exhaust the server on a hostile PDF. The child inherits no descriptor but 0, 1 and 2: every
// other one (the server's sockets, which Asio opens without CLOEXEC, and the database) is
// closed between fork and exec.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "core/status.h"

namespace coolpapers::llm {

struct SubprocessLimits {
  std::chrono::milliseconds time_limit{30000};  // then SIGKILL
  uint64_t memory_bytes = uint64_t{1} << 30;    // RLIMIT_AS of the child (0 = unlimited)
  size_t max_stdout = size_t{16} << 20;         // more output: child killed, output truncated
  size_t max_stderr = 4096;                     // kept for error messages, rest discarded
  // When set, the child runs in this directory with TMPDIR pointing at it (a private temporary
  // directory, e.g. from mkdtemp, that the caller removes afterwards).
  std::string work_dir;
};

struct SubprocessResult {
  int exit_code = -1;        // when it exited normally
  int term_signal = 0;       // when it was killed by a signal (incl. our SIGKILL)
  bool timed_out = false;    // killed because time_limit passed
  bool stdout_truncated = false;  // killed because max_stdout was reached
  std::string out, err;
};

// Runs argv[0] (looked up in PATH when it has no '/') with argv. Fails with kNotFound when the
// program does not exist, kInternal when it cannot be started; a program that runs and fails is
// a successful call whose result says how it ended.
Result<SubprocessResult> RunLimited(const std::vector<std::string>& argv,
                                    const SubprocessLimits& limits);

}  // namespace coolpapers::llm
