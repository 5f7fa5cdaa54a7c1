#pragma once
// PaperFetchQueue: how the web layer asks for a paper that is not stored yet (SPEC §3, on-demand
// fetching). The routes only enqueue and read the state; whoever fetches (the harvester, wired
// in by `coolpapers serve`) implements it, so web/ depends on no fetching code.

#include <string>

#include "core/status.h"

namespace coolpapers::web {

enum class PaperFetchState { kUnknown, kQueued, kFetching, kStored, kNotFound, kFailed };

// "unknown", "queued", "fetching", "stored", "not found", "failed" (shown in pages and JSON).
const char* PaperFetchStateName(PaperFetchState s);

class PaperFetchQueue {
 public:
  virtual ~PaperFetchQueue() = default;
  // Asks for paper `id` on behalf of `client_key` (the request's client address) and returns
  // its state: kStored when it is already there, kNotFound for one the upstream did not know
  // recently, kUnknown when nothing fetches. Never fetches the same id twice at once. Refuses
  // with kInvalidArgument (not an id the upstream can have issued), kResourceExhausted (this
  // client has too many papers pending) or kUnavailable (too many pending in all); the message
  // says why and what to do.
  virtual Result<PaperFetchState> Request(const std::string& id,
                                          const std::string& client_key) = 0;
};

}  // namespace coolpapers::web
