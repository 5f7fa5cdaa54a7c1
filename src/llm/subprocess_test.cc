#include "llm/subprocess.h"

#include <gtest/gtest.h>

#include <fcntl.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

#include <filesystem>
#include <string>
#include <vector>

#include "core/text.h"
#include "store/testing/temp_store.h"

namespace coolpapers::llm {
namespace {

// A descriptor closed on scope exit.
struct OpenFd {
  int fd;
  ~OpenFd() {
    if (fd >= 0) close(fd);
  }
};

// The server's sockets (Asio opens them without CLOEXEC) must not reach pdftotext: the child
// lists its descriptors and only 0-2 (and ls's own listing of /proc/self/fd) are there.
TEST(SubprocessTest, ChildInheritsNoDescriptorAboveTwo) {
  OpenFd sock{socket(AF_INET, SOCK_STREAM, 0)};  // no SOCK_CLOEXEC, like Asio's
  ASSERT_GE(sock.fd, 3);
  ASSERT_EQ(fcntl(sock.fd, F_GETFD) & FD_CLOEXEC, 0);
  OpenFd high{dup2(sock.fd, 200)};  // and one far above the others
  ASSERT_EQ(high.fd, 200);
  OpenFd file{open("/dev/null", O_RDONLY)};  // a plain inheritable file too
  ASSERT_GE(file.fd, 3);

  auto run = RunLimited({"ls", "-l", "/proc/self/fd"}, SubprocessLimits{});
  ASSERT_TRUE(run.has_value()) << run.error().ToString();
  ASSERT_EQ(run->exit_code, 0) << run->err;
  std::vector<std::string> entries;
  for (const std::string& line : core::Split(run->out, '\n')) {
    auto arrow = line.find(" -> ");
    if (arrow == std::string::npos) continue;
    auto space = line.rfind(' ', arrow - 1);
    entries.push_back(line.substr(space + 1, arrow - space - 1) + " -> " + line.substr(arrow + 4));
  }
  ASSERT_GE(entries.size(), 3u) << run->out;  // 0, 1, 2
  for (const std::string& e : entries) {
    int fd = std::stoi(e);
    if (fd <= 2) continue;
    // ls itself opens the directory it lists; nothing else may be there.
    EXPECT_EQ(e.find("/proc/"), e.find(" -> ") + 4) << "inherited descriptor: " << e;
  }
  EXPECT_EQ(run->out.find("socket:"), std::string::npos) << run->out;
}

TEST(SubprocessTest, ChildRunsInItsWorkDirWithTmpdirThere) {
  store::testing::TempDir work("subprocess-work");
  const std::string& dir = work.path();
  SubprocessLimits limits;
  limits.work_dir = dir;
  auto run = RunLimited({"sh", "-c", "pwd -P; echo \"$TMPDIR\""}, limits);
  ASSERT_TRUE(run.has_value()) << run.error().ToString();
  auto lines = core::Split(run->out, '\n');
  ASSERT_GE(lines.size(), 2u) << run->out;
  std::string real = std::filesystem::canonical(dir).string();
  EXPECT_EQ(lines[0], real);
  EXPECT_EQ(lines[1], dir);
}

}  // namespace
}  // namespace coolpapers::llm
