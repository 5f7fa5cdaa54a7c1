// Fuzz target: the Server-Sent Events parser of the LLM client, fed in arbitrary chunks.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "llm/sse_parser.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  // The first byte chooses the chunk size, so events split across reads are covered.
  size_t chunk = 1 + data[0] % 64;
  std::string_view bytes(reinterpret_cast<const char*>(data + 1), size - 1);
  coolpapers::llm::SseParser parser(4096);
  size_t events = 0;
  for (size_t i = 0; i < bytes.size(); i += chunk) {
    auto st = parser.Feed(bytes.substr(i, chunk), [&](const coolpapers::llm::SseEvent& e) {
      if (e.data.size() > 4096) __builtin_trap();  // the bound holds
      ++events;
    });
    if (!st.ok()) break;
  }
  (void)parser.HasPartialEvent();
  return 0;
}
