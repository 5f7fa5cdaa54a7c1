// Fuzz target: arXiv API Atom feeds (id_list look-ups of single papers).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "sources/arxiv/api.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view xml(reinterpret_cast<const char*>(data), size);
  (void)coolpapers::sources::arxiv::ParseArxivApi(xml, "fuzz.atom");
  return 0;
}
