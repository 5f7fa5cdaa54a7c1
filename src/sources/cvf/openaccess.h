#pragma once

// The Computer Vision Foundation's open access listings (openaccess.thecvf.com: CVPR, ICCV,
// WACV and their workshops): the HTML page of one conference ("/CVPR2024?day=all"), where each
// paper is a <dt class="ptitle"> with a link to its page, followed by <dd>s with the authors
// (one <form class="authsearch"> each), the pdf / supp / arXiv links and its BibTeX.
// Every paper becomes a VenuePaper of the edition "<CONF>.<year>" ("CVPR.2024"), id
// "<file stem>@<content dir>@CVF" ("Zeng_Unmixing_..._CVPR_2024_paper@CVPR2024@CVF",
// "X_CVPRW_2024_paper@CVPR2024W@CVF" for a workshop), group "Main" or the workshop's name.
// Parsed with gumbo (an HTML5 parser), so a page cut short or with unclosed tags still reads.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "core/venue.h"

namespace coolpapers::sources::cvf {

inline constexpr std::string_view kBaseUrl = "https://openaccess.thecvf.com";

struct Listing {
  std::string edition;                   // "CVPR.2024", that of the first paper
  std::vector<core::VenuePaper> papers;  // page order
  std::vector<std::string> skipped;      // "<source>: entry 7 (\"Title\"): <why>"
};

// Reads one listing page; `source` names it in errors. A page with no <dt class="ptitle">
// entry at all is an error (it is not a CVF listing); an entry without a usable link to a paper
// page, without a title, or of another edition than the first paper is skipped with the reason.
Result<Listing> ParseListing(std::string_view html, const std::string& source);

// Where a paper lives on openaccess.thecvf.com, from the path of its page or PDF:
//   /content/CVPR2024/html/<stem>.html, /content/CVPR2024/papers/<stem>.pdf,
//   /content/CVPR2024W/<Workshop>/html/<stem>.html, /content_cvpr_2018/html/<stem>.html, ...
struct PaperPath {
  std::string conference;  // "CVPR"
  int year = 0;            // 2024
  bool workshop = false;   // a /content/<CONF><year>W/ path
  std::string workshop_name;  // "ABAW" (workshops only)
  std::string stem;        // "Zeng_Unmixing_..._CVPR_2024_paper"

  std::string Dir() const;      // "CVPR2024", "CVPR2024W"
  std::string Id() const;       // "<stem>@<Dir>@CVF"
  std::string Edition() const;  // "CVPR.2024"
  std::string Group() const;    // "Main" or the workshop's name
};
// nullopt when `path` (absolute, or relative to the site root) is not such a path.
std::optional<PaperPath> ParsePaperPath(std::string_view path);

// "/CVPR2024", "/ICCV2023?day=all" paths of a listing: the edition "CVPR.2024"; "" otherwise.
std::string EditionOfListingPath(std::string_view path);

}  // namespace coolpapers::sources::cvf
