#pragma once
// GET /api/tldr?ids=<id>,<id>,...&lang=zh|en (SPEC §4): the one-line TL;DR (web/tldr.h) of each
// listed paper whose FAQ is already generated, read from the store only — never an LLM call,
// never a job. List pages fetch it lazily for the papers in view.
//
//   200 {"lang": "en", "tldr": {"<id>": {"text": "...", "lang": "en", "version": 2}, ...}}
//
// Papers without a stored FAQ (or unknown ids, or ids that are not arXiv ids) are absent from
// "tldr". The FAQ of the requested language is preferred, else the other language's; of the
// paper's newest version, else of one of the two versions before it. At most kTldrMaxIds ids.

#include "web/router.h"
#include "web/services.h"

namespace coolpapers::web {

inline constexpr size_t kTldrMaxIds = 100;

// Registered by RegisterApiRoutes.
void RegisterTldrRoutes(Router& r, Services& s);

}  // namespace coolpapers::web
