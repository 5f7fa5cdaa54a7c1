// Fuzz target: arXiv's daily announcement RSS (rss.arxiv.org/rss/<cat>).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "sources/arxiv/rss.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view xml(reinterpret_cast<const char*>(data), size);
  auto feed = coolpapers::sources::arxiv::ParseArxivRss(xml, "fuzz.xml");
  if (feed) {
    for (const auto& item : feed->items) (void)coolpapers::sources::arxiv::PaperFromRss(item);
  }
  return 0;
}
