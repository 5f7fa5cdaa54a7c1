// Fuzz target: OAI-PMH ListRecords responses (arXiv and arXivRaw metadata, resumption tokens).
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "sources/arxiv/oai.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view xml(reinterpret_cast<const char*>(data), size);
  std::string response_date;
  (void)coolpapers::sources::arxiv::ParseOaiResponse(xml, "http://127.0.0.1/oai", &response_date);
  return 0;
}
