// Fuzz target: arXiv's daily announcement RSS (rss.arxiv.org/rss/<cat>).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "harvest/arxiv_rss.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view xml(reinterpret_cast<const char*>(data), size);
  auto feed = coolpapers::harvest::ParseArxivRss(xml, "fuzz.xml");
  if (feed) {
    for (const auto& item : feed->items) (void)coolpapers::harvest::PaperFromRss(item);
  }
  return 0;
}
