// Fuzz target: HTTP request targets (path decoding, "..", query strings).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "web/http.h"
#include "web/server.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view target(reinterpret_cast<const char*>(data), size);
  coolpapers::web::Request req;
  if (coolpapers::web::ParseTarget(target, req).ok()) {
    // What the router sees never climbs out of the site or carries a NUL.
    if (req.path.empty() || req.path[0] != '/') __builtin_trap();
    if (req.path.find('\0') != std::string::npos) __builtin_trap();
    if (req.path.find("/../") != std::string::npos || req.path.ends_with("/..")) __builtin_trap();
  }
  return 0;
}
