#pragma once
// Small file helpers for the index directory: atomic writes and directory sizes.

#include <cstdint>
#include <string>

#include "core/status.h"

namespace coolpapers::search {

// Writes `data` to `path` via "<path>.tmp", fsync and rename, so readers see the old or the
// new file, never a torn one.
Status WriteFileAtomically(const std::string& path, const std::string& data);
// The whole file; NotFound when absent.
Result<std::string> ReadFile(const std::string& path);
// Total bytes of regular files under `dir` (0 when absent).
int64_t DirectorySize(const std::string& dir);
// fsync of a directory (makes renames inside it durable); errors ignored.
void SyncDirectory(const std::string& dir);

}  // namespace coolpapers::search
