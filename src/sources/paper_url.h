#pragma once

// Which paper (or list) a URL of a paper site points at, and its local route: arXiv abs/pdf/html
// and list pages, OpenReview forum/pdf/group, ACL Anthology papers/volumes/events, IJCAI and PMLR
// proceedings, CVF open access papers and listings, Hugging Face paper pages, papers.cool. The same mapping as the browser extension
// (extension/mapping.js); both are held to the shared vectors in tests/fixtures/paper_urls.json.

#include <optional>
#include <string>
#include <string_view>

namespace coolpapers::sources {

enum class PaperRefKind {
  kArxiv,       // an arXiv paper: id "2402.12354", "hep-th/9901001"
  kArxivList,   // an arXiv category: "cs.CL"
  kArxivPath,   // a papers.cool /arxiv/<path>
  kVenue,       // a venue paper: "2024.acl-long.1@ACL", "abc@OpenReview", "smith24a@v235@PMLR",
                //   "Zeng_..._CVPR_2024_paper@CVPR2024@CVF"
  kVenueList,   // a venue edition: "ACL.2024"
  kVenuePath,   // a papers.cool /venue/<path>
};

struct PaperRef {
  PaperRefKind kind;
  std::string id;
};

// nullopt when `url` is not an http(s) URL of a known paper page.
std::optional<PaperRef> ParsePaperUrl(std::string_view url);

// "/arxiv/<id>" or "/venue/<id>".
std::string RouteFor(const PaperRef& ref);

}  // namespace coolpapers::sources
