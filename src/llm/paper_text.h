#pragma once
// PaperTextLoader: the text a FAQ is generated from. The paper's PDF is downloaded through the
// polite arXiv fetcher (reader priority), extracted, cleaned and fitted (pdf_text.h). When arXiv
// has no PDF (404) or no fetcher is configured, the title and abstract are used instead and the
// FAQ records source = "abstract" so the panel can say so.

#include <cstddef>
#include <string>

#include "core/paper.h"
#include "core/status.h"
#include "net/fetcher.h"
#include "sources/arxiv/endpoints.h"
#include "llm/pdf_text.h"

namespace coolpapers::llm {

struct PaperText {
  std::string text;    // fitted full text ("" when source is "abstract")
  std::string source;  // "pdf" | "abstract"
};

class PaperTextLoader {
 public:
  // `fetcher` may be null (abstract only). `max_chars` is the FitToContext budget. With a
  // fetcher, removes temporary PDFs older than an hour that a crashed process left
  // (RemoveStalePdfTemp), so call it once at start.
  PaperTextLoader(net::Fetcher* fetcher, sources::arxiv::ArxivEndpoints endpoints,
                  PdfTextLimits limits, size_t max_chars);

  // Errors: the fetch failed for a reason other than 404 (kUnavailable, ... : retry later), or
  // the PDF could not be read (kCorruption, kDeadlineExceeded): never an empty text.
  Result<PaperText> Load(const core::Paper& paper) const;

 private:
  net::Fetcher* fetcher_;
  sources::arxiv::ArxivEndpoints endpoints_;
  PdfTextLimits limits_;
  size_t max_chars_;
};

}  // namespace coolpapers::llm
