#pragma once
// The admin token check shared by every admin-only route (/metrics, FAQ regeneration): the
// token comes as `X-Admin-Token: <token>` or `Authorization: Bearer <token>` and is compared in
// constant time. An empty configured token disables admin access altogether.

#include <string_view>

#include "web/http.h"

namespace coolpapers::web {

bool HasAdminToken(const Request& req, std::string_view token);

// Whether the request carries any admin credential at all (to answer 401 rather than 403).
bool OffersAdminToken(const Request& req);

}  // namespace coolpapers::web
