// Fuzz target: BibTeX as PMLR volumes publish it (and the TeX decoding of its fields).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "sources/bibtex.h"
#include "sources/pmlr/volume.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view bib(reinterpret_cast<const char*>(data), size);
  auto v = coolpapers::sources::pmlr::ParseVolumeBib(bib, "fuzz.bib");
  if (v) {
    for (const auto& p : v->papers) {
      if (p.id.empty() || p.title.empty()) __builtin_trap();  // a kept paper always has both
    }
  }
  (void)coolpapers::sources::bibtex::DecodeTex(bib);
  (void)coolpapers::sources::bibtex::SplitAuthors(bib);
  return 0;
}
