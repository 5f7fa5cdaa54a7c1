#include "web/admin_auth.h"

#include <string>

namespace coolpapers::web {
namespace {

std::string GivenToken(const Request& req) {
  std::string given = req.Header("x-admin-token");
  if (given.empty()) {
    std::string auth = req.Header("authorization");
    if (auth.rfind("Bearer ", 0) == 0) given = auth.substr(7);
  }
  return given;
}

}  // namespace

bool HasAdminToken(const Request& req, std::string_view token) {
  if (token.empty()) return false;
  std::string given = GivenToken(req);
  if (given.size() != token.size()) return false;
  unsigned char diff = 0;
  for (size_t i = 0; i < token.size(); ++i) {
    diff |= static_cast<unsigned char>(given[i] ^ token[i]);
  }
  return diff == 0;
}

bool OffersAdminToken(const Request& req) { return !GivenToken(req).empty(); }

}  // namespace coolpapers::web
