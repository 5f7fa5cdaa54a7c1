#include "llm/subprocess.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

#include "core/text.h"

extern char** environ;

namespace coolpapers::llm {
namespace {

// A linux_dirent64 record: u64 ino, s64 off, u16 reclen, u8 type, then the name.
constexpr size_t kDirentReclen = 16, kDirentName = 19;

using Steady = std::chrono::steady_clock;

std::string FindProgram(const std::string& name) {
  if (name.find('/') != std::string::npos) return access(name.c_str(), X_OK) == 0 ? name : "";
  const char* path = std::getenv("PATH");
  for (const std::string& dir : core::Split(path != nullptr ? path : "/usr/bin:/bin", ':')) {
    std::string candidate = dir + "/" + name;
    if (access(candidate.c_str(), X_OK) == 0) return candidate;
  }
  return "";
}

// Closes a descriptor once.
struct Fd {
  int fd = -1;
  ~Fd() { Close(); }
  void Close() {
    if (fd >= 0) close(fd);
    fd = -1;
  }
};

// Closes every descriptor above 2 (async-signal-safe): close_range(2) where the kernel has it
// (5.9+), else the entries of /proc/self/fd read with getdents64, else every number below the
// descriptor limit.
void CloseDescriptorsAbove2() {
  if (syscall(SYS_close_range, 3U, ~0U, 0U) == 0) return;
  int dir = open("/proc/self/fd", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir >= 0) {
    alignas(8) char buf[4096];
    for (;;) {
      long n = syscall(SYS_getdents64, dir, buf, sizeof buf);
      if (n <= 0) break;
      for (long off = 0; off < n;) {
        unsigned short reclen = 0;
        std::memcpy(&reclen, buf + off + kDirentReclen, sizeof reclen);
        const char* name = buf + off + kDirentName;
        off += reclen;
        if (reclen == 0) break;
        int fd = 0;
        bool number = name[0] != '\0';
        for (const char* c = name; *c; ++c) {
          if (*c < '0' || *c > '9') {
            number = false;
            break;
          }
          fd = fd * 10 + (*c - '0');
        }
        if (number && fd > 2 && fd != dir) close(fd);
      }
    }
    close(dir);
    return;
  }
  rlimit nofile{};
  long max = getrlimit(RLIMIT_NOFILE, &nofile) == 0 && nofile.rlim_cur != RLIM_INFINITY
                 ? static_cast<long>(nofile.rlim_cur)
                 : sysconf(_SC_OPEN_MAX);
  if (max <= 0 || max > (1L << 20)) max = 1L << 20;
  for (long fd = 3; fd < max; ++fd) close(static_cast<int>(fd));
}

// Child side between fork and exec: only async-signal-safe calls.
[[noreturn]] void ExecChild(const char* path, char* const* argv, char* const* envp,
                            const char* work_dir, int out_fd, int err_fd,
                            const SubprocessLimits& limits) {
  int devnull = open("/dev/null", O_RDONLY);
  if (devnull >= 0) dup2(devnull, 0);
  dup2(out_fd, 1);
  dup2(err_fd, 2);
  CloseDescriptorsAbove2();
  if (work_dir != nullptr && chdir(work_dir) != 0) _exit(126);
  if (limits.memory_bytes > 0) {
    rlimit as{limits.memory_bytes, limits.memory_bytes};
    setrlimit(RLIMIT_AS, &as);
  }
  rlim_t cpu = static_cast<rlim_t>(limits.time_limit.count() / 1000 + 2);
  rlimit cpu_limit{cpu, cpu};
  setrlimit(RLIMIT_CPU, &cpu_limit);
  rlimit no_core{0, 0};
  setrlimit(RLIMIT_CORE, &no_core);
  execve(path, argv, envp);
  _exit(127);
}

// Our environment for the child, with TMPDIR pointing at `work_dir` when there is one.
std::vector<std::string> ChildEnvironment(const std::string& work_dir) {
  std::vector<std::string> env;
  for (char** e = environ; e != nullptr && *e != nullptr; ++e) {
    if (!work_dir.empty() && std::strncmp(*e, "TMPDIR=", 7) == 0) continue;
    env.emplace_back(*e);
  }
  if (!work_dir.empty()) env.push_back("TMPDIR=" + work_dir);
  return env;
}

// The NULL-terminated array execve takes; points into `v`, which must outlive it.
std::vector<char*> NullTerminated(const std::vector<std::string>& v) {
  std::vector<char*> out;
  for (const std::string& s : v) out.push_back(const_cast<char*>(s.c_str()));
  out.push_back(nullptr);
  return out;
}

// Appends what one read() of a ready pipe gave to res.out (`is_out`) or res.err, each up to
// its cap. Returns false once the pipe ended, or when stdout went over its cap (then
// res.stdout_truncated is set).
bool AppendRead(int fd, bool is_out, const SubprocessLimits& limits, SubprocessResult& res) {
  char buf[65536];
  ssize_t got = read(fd, buf, sizeof buf);
  if (got < 0 && errno == EINTR) return true;
  if (got <= 0) return false;
  std::string& to = is_out ? res.out : res.err;
  size_t cap = is_out ? limits.max_stdout : limits.max_stderr;
  size_t room = cap - std::min(cap, to.size());
  to.append(buf, std::min<size_t>(room, static_cast<size_t>(got)));
  if (is_out && static_cast<size_t>(got) > room) {
    res.stdout_truncated = true;
    return false;
  }
  return true;
}

// Reads the child's stdout and stderr until both pipes end. Kills the child when the time
// limit passes (res.timed_out), stdout goes over its cap, or poll fails.
void CollectOutput(pid_t pid, Fd& out_r, Fd& err_r, const SubprocessLimits& limits,
                   SubprocessResult& res) {
  auto deadline = Steady::now() + limits.time_limit;
  bool killed = false;
  auto kill_child = [&] {
    if (!killed) kill(pid, SIGKILL);
    killed = true;
  };
  while (out_r.fd >= 0 || err_r.fd >= 0) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Steady::now());
    if (left.count() <= 0) {
      res.timed_out = true;
      kill_child();
      return;
    }
    pollfd fds[2];
    int n = 0;
    if (out_r.fd >= 0) fds[n++] = {out_r.fd, POLLIN, 0};
    if (err_r.fd >= 0) fds[n++] = {err_r.fd, POLLIN, 0};
    int pr = poll(fds, n, static_cast<int>(std::min<int64_t>(left.count(), 1000)));
    if (pr < 0 && errno != EINTR) {
      kill_child();
      return;
    }
    for (int i = 0; i < n && pr > 0; ++i) {
      if (fds[i].revents == 0) continue;
      bool is_out = fds[i].fd == out_r.fd;
      if (AppendRead(fds[i].fd, is_out, limits, res)) continue;
      (is_out ? out_r : err_r).Close();
      if (res.stdout_truncated) {  // over the cap: stop reading altogether
        kill_child();
        out_r.Close();
        err_r.Close();
      }
    }
  }
}

// Reaps the child and records how it ended.
void WaitForExit(pid_t pid, SubprocessResult& res) {
  int wstatus = 0;
  while (waitpid(pid, &wstatus, 0) < 0 && errno == EINTR) {
  }
  if (WIFEXITED(wstatus)) res.exit_code = WEXITSTATUS(wstatus);
  if (WIFSIGNALED(wstatus)) res.term_signal = WTERMSIG(wstatus);
}

}  // namespace

Result<SubprocessResult> RunLimited(const std::vector<std::string>& argv,
                                    const SubprocessLimits& limits) {
  if (argv.empty()) return Err(Status::InvalidArgument("RunLimited: empty argv"));
  std::string path = FindProgram(argv[0]);
  if (path.empty()) {
    return Err(Status::NotFound("program '" + argv[0] + "' not found in PATH"));
  }
  // Everything the child needs is built before fork: it may only make async-signal-safe calls.
  std::vector<char*> cargv = NullTerminated(argv);
  std::vector<std::string> env = ChildEnvironment(limits.work_dir);
  std::vector<char*> cenv = NullTerminated(env);

  int out_pipe[2], err_pipe[2];
  if (pipe2(out_pipe, O_CLOEXEC) != 0) return Err(Status::Internal("pipe failed"));
  Fd out_r{out_pipe[0]}, out_w{out_pipe[1]};
  if (pipe2(err_pipe, O_CLOEXEC) != 0) return Err(Status::Internal("pipe failed"));
  Fd err_r{err_pipe[0]}, err_w{err_pipe[1]};

  pid_t pid = fork();
  if (pid < 0) return Err(Status::Internal(std::string("fork failed: ") + std::strerror(errno)));
  if (pid == 0) {
    ExecChild(path.c_str(), cargv.data(), cenv.data(),
              limits.work_dir.empty() ? nullptr : limits.work_dir.c_str(), out_w.fd, err_w.fd,
              limits);
  }
  out_w.Close();
  err_w.Close();

  SubprocessResult res;
  CollectOutput(pid, out_r, err_r, limits, res);
  WaitForExit(pid, res);
  return res;
}

}  // namespace coolpapers::llm
