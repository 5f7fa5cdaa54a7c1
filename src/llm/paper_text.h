#pragma once
// PaperTextLoader: the text a FAQ is generated from. The paper's PDF is downloaded through the
// polite fetcher (reader priority), extracted, cleaned and fitted (pdf_text.h): an arXiv paper's
// from arXiv, a venue paper's ("<local>@<Source>", SPEC §11) from the PDF address its
// proceedings give (aclanthology.org, proceedings.mlr.press, openreview.net, ...), which the
// fetcher spaces by that host, apart from arXiv. When there is no PDF (404, a venue paper
// without a usable PDF address) or no fetcher is configured, the title and abstract are used
// instead and the FAQ records source = "abstract" so the panel can say so.

#include <cstddef>
#include <string>
#include <string_view>

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

// True for a venue paper id "<local>@<Source>"; arXiv ids never contain '@'.
bool IsVenuePaperId(std::string_view id);

// Ok for a well-formed venue paper id: a local id and a source name around its last '@' (the
// local id may hold more, "agarwal24a@v235@PMLR"), of letters, digits and ". _ - @" only, the
// source of letters and digits, at most 200 characters. Else kInvalidArgument naming the id and
// the expected form.
Status CheckVenuePaperId(std::string_view id);

// Where venue PDFs are downloaded from. Only http(s) URLs of the venues' own hosts are fetched
// (aclanthology.org, proceedings.mlr.press, raw.githubusercontent.com/mlresearch/...,
// openreview.net, openaccess.thecvf.com, ijcai.org), on their default port, without user info.
// `base` (COOLPAPERS_VENUE_PDF_BASE, for tests) replaces the scheme and host of every such URL,
// keeping its path and query: with base "http://127.0.0.1:8123",
// "https://aclanthology.org/2024.acl-long.3.pdf" is fetched from
// "http://127.0.0.1:8123/2024.acl-long.3.pdf".
struct VenuePdfEndpoints {
  std::string base;  // "" = the venue's own host
};

// The URL to download the venue PDF `pdf_url` from (see VenuePdfEndpoints). kPermissionDenied,
// naming the URL, for anything else: another scheme or host, an IP address, a port, user info;
// kInvalidArgument when `base` is set but not an http(s) URL.
Result<std::string> VenuePdfFetchUrl(std::string_view pdf_url, const VenuePdfEndpoints& endpoints);

class PaperTextLoader {
 public:
  // `fetcher` may be null (abstract only). `max_chars` is the FitToContext budget. With a
  // fetcher, removes temporary PDFs older than an hour that a crashed process left
  // (RemoveStalePdfTemp), so call it once at start.
  PaperTextLoader(net::Fetcher* fetcher, sources::arxiv::ArxivEndpoints endpoints,
                  VenuePdfEndpoints venue, PdfTextLimits limits, size_t max_chars);

  // The text of `paper`: an arXiv paper's PDF from arXiv; a venue paper's (IsVenuePaperId) from
  // `venue_pdf_url`, its proceedings' PDF address ("" or one VenuePdfFetchUrl refuses: the
  // abstract, with a log line saying why). Errors: the fetch failed for a reason other than
  // 404 (kUnavailable, ... : retry later), or the PDF could not be read (kCorruption,
  // kDeadlineExceeded): never an empty text.
  Result<PaperText> Load(const core::Paper& paper, std::string_view venue_pdf_url = {}) const;

 private:
  Result<PaperText> LoadVenue(const core::Paper& paper, std::string_view pdf_url) const;
  // Downloads `url` (a 404 yields the abstract) and extracts its text; `what` names the
  // document in logs and errors ("arXiv 2402.12354v1", "2024.acl-long.3@ACL").
  Result<PaperText> FetchPdf(const std::string& url, const std::string& what) const;

  net::Fetcher* fetcher_;
  sources::arxiv::ArxivEndpoints endpoints_;
  VenuePdfEndpoints venue_;
  PdfTextLimits limits_;
  size_t max_chars_;
};

}  // namespace coolpapers::llm
