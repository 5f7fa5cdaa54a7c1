#pragma once
// Importing metadata files into the store: JSON lines (`import arxiv-jsonl`) and saved OAI-PMH
// responses (`import oai`). Bad lines/records are reported as "FILE:LINE: why, skipped" and
// counted; a file that cannot be read makes the run fail (exit 1) after the other files.

#include <cstdio>
#include <string>
#include <vector>

#include "store/store.h"

namespace coolpapers::cli {

struct ImportOptions {
  size_t batch_size = 20000;  // papers per store transaction
  size_t max_reported = 20;   // skipped lines reported individually, then summarised
  std::FILE* err = stderr;    // messages, progress and the summary line
  // A JSON line longer than this is an error naming the file and line (it is read past, not
  // into memory); the other lines are imported and the exit code is 1.
  size_t max_line = size_t{16} << 20;
};

// Imports JSON-lines files (.gz or plain; shared bulk or Kaggle format). Returns the exit code:
// 0 when every file was read (even with skipped lines), 1 otherwise (a line over max_line
// included).
int ImportJsonlFiles(store::Store& store, const std::vector<std::string>& files,
                     const ImportOptions& options);

// Imports saved OAI-PMH ListRecords/GetRecord responses (.gz or plain). Papers only: OAI gives
// no announcement day. Deleted records are ignored. Returns the exit code as above.
int ImportOaiFiles(store::Store& store, const std::vector<std::string>& files,
                   const ImportOptions& options);

}  // namespace coolpapers::cli
