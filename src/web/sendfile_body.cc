// MakeSharedBody / SendfileDescriptor: the memfd travels in the shared_ptr's deleter, so every
// existing holder of a shared body keeps working and only the server asks for the descriptor.

#include "web/sendfile_body.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cerrno>

namespace coolpapers::web {
namespace {

struct MemfdDeleter {
  int fd = -1;
  void operator()(const std::string* s) const {
    delete s;
    if (fd >= 0) ::close(fd);
  }
};

// A sealed memfd with `data`, or -1.
int MakeMemfd(const std::string& data) {
  int fd = ::memfd_create("coolpapers-body", MFD_CLOEXEC | MFD_ALLOW_SEALING);
  if (fd < 0) return -1;
  size_t done = 0;
  while (done < data.size()) {
    ssize_t n = ::write(fd, data.data() + done, data.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      ::close(fd);
      return -1;
    }
    done += static_cast<size_t>(n);
  }
  // Immutable from now on: senders may read it concurrently at any offset.
  ::fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE | F_SEAL_SEAL);
  return fd;
}

}  // namespace

std::shared_ptr<const std::string> MakeSharedBody(std::string data) {
  int fd = data.size() >= kSendfileMinBytes ? MakeMemfd(data) : -1;
  return std::shared_ptr<const std::string>(new std::string(std::move(data)), MemfdDeleter{fd});
}

int SendfileDescriptor(const std::shared_ptr<const std::string>& body) {
  const MemfdDeleter* d = std::get_deleter<MemfdDeleter>(body);
  return d ? d->fd : -1;
}

}  // namespace coolpapers::web
