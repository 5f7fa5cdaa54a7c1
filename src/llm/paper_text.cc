#include "llm/paper_text.h"

#include <spdlog/spdlog.h>

namespace coolpapers::llm {

PaperTextLoader::PaperTextLoader(net::Fetcher* fetcher, sources::arxiv::ArxivEndpoints endpoints,
                                 PdfTextLimits limits, size_t max_chars)
    : fetcher_(fetcher),
      endpoints_(std::move(endpoints)),
      limits_(std::move(limits)),
      max_chars_(max_chars) {
  // Temporary PDFs a previous process left when it died mid-extraction.
  if (fetcher_ != nullptr) {
    if (int n = RemoveStalePdfTemp(); n > 0) {
      spdlog::info("FAQ: removed {} stale temporary PDF directories ({}*)", n, kPdfTempPrefix);
    }
  }
}

Result<PaperText> PaperTextLoader::Load(const core::Paper& paper) const {
  if (fetcher_ == nullptr) return PaperText{"", "abstract"};
  std::string id = paper.id + "v" + std::to_string(paper.version);
  net::FetchRequest req;
  req.url = endpoints_.Pdf(id);
  req.kind = net::FetchKind::kPdf;  // after listings; bounded time and tries
  req.priority = net::FetchPriority::kReader;
  req.what = "PDF " + id;
  req.max_bytes = size_t{64} << 20;
  req.timeout = std::chrono::seconds(120);
  auto resp = fetcher_->Fetch(req);
  if (!resp) {
    if (resp.error().code() == StatusCode::kNotFound) {
      spdlog::info("FAQ {}: no PDF at {}; using the title and abstract", id, req.url);
      return PaperText{"", "abstract"};
    }
    return Err(Status(resp.error().code(), "downloading the PDF of arXiv " + id +
                                               " failed: " + resp.error().message()));
  }
  auto raw = ExtractPdfText(resp->body, "arXiv " + id, limits_);
  if (!raw) return Err(raw.error());
  return PaperText{FitToContext(CleanPdfText(*raw), max_chars_), "pdf"};
}

}  // namespace coolpapers::llm
