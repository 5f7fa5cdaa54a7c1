#pragma once

// VenuePaper: one paper of a conference proceedings (an "edition" such as ACL.2024), as the
// venue sources (sources/acl, sources/pmlr, sources/openreview) read it from their upstream.
// Its id is "<local id>@<Source>" (SPEC §11): "2024.acl-long.3@ACL", "agarwal24a@v235@PMLR",
// "<forum>@OpenReview".

#include <string>
#include <vector>

namespace coolpapers::core {

struct VenuePaper {
  std::string id;        // "2024.acl-long.3@ACL"
  std::string venue;     // edition: "<Conf>.<Year>", e.g. "ACL.2024"
  std::string group;     // track or volume as readers know it: "Long", "Findings", "Oral"
  std::string title;     // markup dropped, TeX math kept as $...$ for KaTeX
  std::string abstract;  // the same
  std::vector<std::string> authors;  // "First Last", in order
  std::string pdf_url;   // the venue's PDF
  std::string page_url;  // the venue's landing page for the paper
  std::string doi;       // "" when the venue gives none
  std::string pages;     // "1-17" when the venue gives them
  std::vector<std::string> other_ids;  // the same paper elsewhere: "arXiv:2402.12354", ...
  int position = 0;      // order within the edition as the venue lists it, 0-based
};

// Splits "ACL.2024" into ("ACL", 2024); false when it is not "<Conf>.<4-digit year>".
bool SplitEdition(const std::string& edition, std::string* conference, int* year);

}  // namespace coolpapers::core
