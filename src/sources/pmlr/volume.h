#pragma once

// A PMLR volume's BibTeX (the <conf><yy>.bib at the root of github.com/mlresearch/v<N>): an
// @Proceedings header (shortname, year, volume, booktitle) and one @InProceedings per paper
// (title, author, pages, abstract, often openreview). Every paper becomes a VenuePaper of the
// edition "<shortname>.<year>" ("ICML.2024"), id "<key>@v<volume>@PMLR", group "Main".

#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "core/venue.h"

namespace coolpapers::sources::pmlr {

struct Volume {
  std::string shortname;  // "ICML"
  int year = 0;           // 2024
  int number = 0;         // 235, as in v235
  std::string edition;    // "ICML.2024"
  std::string booktitle;  // "Proceedings of the 41st International Conference on Machine Learning"
  std::vector<core::VenuePaper> papers;  // file order
  std::vector<std::string> skipped;      // "<source>:<line>: <why>", one per unusable entry
};

// Reads one volume file; `source` names it in errors. No @Proceedings header with a
// shortname, a four-digit year and a volume number is an error (the edition would be unknown).
Result<Volume> ParseVolumeBib(std::string_view bib, const std::string& source);

// https://proceedings.mlr.press/v<N>/<key>/<key>.pdf and https://proceedings.mlr.press/v<N>/<key>.html
std::string PdfUrl(int volume, std::string_view key);
std::string PageUrl(int volume, std::string_view key);

}  // namespace coolpapers::sources::pmlr
