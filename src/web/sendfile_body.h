#pragma once
// Shared bodies that the server can send with sendfile(2) instead of copying them through a
// write: the bytes are kept both as a std::string (for handlers, compression, tests) and in a
// sealed in-memory file (memfd) carried by the shared_ptr's deleter. Used for large cached
// bodies (PageCache, static files); on loopback and real NICs alike this saves the kernel's
// copy of every response byte, which dominates the cost of serving a ~1 MB page.

#include <memory>
#include <string>

namespace coolpapers::web {

// Bodies at least this large get a memfd twin.
inline constexpr size_t kSendfileMinBytes = 128 * 1024;

// A shared body holding `data`; with a memfd twin when data.size() >= kSendfileMinBytes and the
// system allows it (falls back to a plain shared string otherwise, e.g. out of descriptors).
std::shared_ptr<const std::string> MakeSharedBody(std::string data);

// The sealed memfd holding the same bytes as `body`, or -1 when it has none. The descriptor
// stays valid as long as `body` (or any copy of it) lives.
int SendfileDescriptor(const std::shared_ptr<const std::string>& body);

}  // namespace coolpapers::web
