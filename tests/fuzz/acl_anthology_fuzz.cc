// Fuzz target: the ACL Anthology's collection XML (acl-anthology data/xml/<collection>.xml).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "sources/acl/anthology.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view xml(reinterpret_cast<const char*>(data), size);
  auto c = coolpapers::sources::acl::ParseAnthologyXml(xml, "fuzz.xml");
  if (c) {
    for (const auto& p : c->papers) {
      if (p.id.empty() || p.title.empty()) __builtin_trap();  // a kept paper always has both
    }
  }
  return 0;
}
