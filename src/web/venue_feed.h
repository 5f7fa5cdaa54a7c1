#pragma once

// Atom feeds of venue proceedings: /venue/<Conf>.<Year>/feed (one edition), /venue/<Conf>/feed
// (its newest edition) and /venue/latest/feed (the newest edition of all), every paper of the
// edition in the venue's order.

#include <string>

#include "web/http.h"
#include "web/services.h"

namespace coolpapers::web {

// `target` is what stands between /venue/ and /feed: an edition, a conference or "latest".
Response VenueFeed(Services& s, const std::string& target);

}  // namespace coolpapers::web
