#include "web/paper_fetch_queue.h"

namespace coolpapers::web {

const char* PaperFetchStateName(PaperFetchState s) {
  switch (s) {
    case PaperFetchState::kQueued: return "queued";
    case PaperFetchState::kFetching: return "fetching";
    case PaperFetchState::kStored: return "stored";
    case PaperFetchState::kNotFound: return "not found";
    case PaperFetchState::kFailed: return "failed";
    case PaperFetchState::kUnknown: break;
  }
  return "unknown";
}

}  // namespace coolpapers::web
