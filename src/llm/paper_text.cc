#include "llm/paper_text.h"

#include <array>
#include <cctype>

#include <boost/url/parse.hpp>
#include <spdlog/spdlog.h>

#include "core/text.h"

namespace coolpapers::llm {
namespace {

constexpr size_t kMaxVenueIdLength = 200;

// The hosts venue PDFs are fetched from, each with the path its PDFs live under.
struct VenuePdfHost {
  std::string_view host;
  std::string_view path_prefix;
};
constexpr std::array<VenuePdfHost, 7> kVenuePdfHosts{{
    {"aclanthology.org", "/"},
    {"proceedings.mlr.press", "/"},
    {"raw.githubusercontent.com", "/mlresearch/"},  // where PMLR's .bib files point
    {"openreview.net", "/"},
    {"openaccess.thecvf.com", "/"},
    {"www.ijcai.org", "/"},
    {"ijcai.org", "/"},
}};

bool VenueIdChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '-' ||
         c == '@';
}

Status Refused(std::string_view pdf_url, std::string_view why) {
  return Status::PermissionDenied("venue PDF address \"" + std::string(pdf_url) +
                                  "\" is not fetched: " + std::string(why));
}

}  // namespace

bool IsVenuePaperId(std::string_view id) { return id.find('@') != std::string_view::npos; }

Status CheckVenuePaperId(std::string_view id) {
  const std::string form =
      ": a venue paper id is <local id>@<Source>, e.g. 2024.acl-long.3@ACL, agarwal24a@v235@PMLR "
      "or <forum>@OpenReview (the ids of the papers on /venue/ pages)";
  auto bad = [&](std::string_view why) {
    std::string shown(id.substr(0, kMaxVenueIdLength));
    return Status::InvalidArgument("not a venue paper id: \"" + shown + "\" (" +
                                   std::string(why) + ")" + form);
  };
  if (id.size() > kMaxVenueIdLength) {
    return bad("longer than " + std::to_string(kMaxVenueIdLength) + " characters");
  }
  size_t at = id.rfind('@');
  if (at == std::string_view::npos) return bad("no '@'");
  if (id.front() == '@') return bad("nothing before '@'");
  if (at + 1 == id.size()) return bad("no source after '@'");
  if (id.find("@@") != std::string_view::npos) return bad("an empty part between two '@'");
  for (char c : id) {
    if (!VenueIdChar(c)) return bad("only letters, digits and . _ - @ may appear");
  }
  for (char c : id.substr(at + 1)) {
    if (!std::isalnum(static_cast<unsigned char>(c))) {
      return bad("the source after the last '@' is letters and digits");
    }
  }
  return Status::Ok();
}

Result<std::string> VenuePdfFetchUrl(std::string_view pdf_url,
                                     const VenuePdfEndpoints& endpoints) {
  auto url = boost::urls::parse_uri(pdf_url);
  if (!url) return Err(Refused(pdf_url, "not an absolute URL"));
  const boost::urls::scheme scheme = url->scheme_id();
  if (scheme != boost::urls::scheme::https && scheme != boost::urls::scheme::http) {
    return Err(Refused(pdf_url, "only http and https are fetched"));
  }
  if (url->has_userinfo()) return Err(Refused(pdf_url, "it carries user info"));
  if (url->host_type() != boost::urls::host_type::name) {
    return Err(Refused(pdf_url, "its host is an address, not a venue's host name"));
  }
  if (url->has_port()) return Err(Refused(pdf_url, "venue PDFs are served on the default port"));
  const std::string host = core::ToLower(std::string(url->encoded_host()));
  std::string target(url->encoded_target());
  if (target.empty() || target.front() != '/') target.insert(0, "/");
  bool known = false;
  for (const VenuePdfHost& h : kVenuePdfHosts) {
    known = known || (host == h.host && core::StartsWith(target, h.path_prefix));
  }
  if (!known) {
    return Err(Refused(pdf_url, "its host is not one of the venues' (aclanthology.org, "
                                "proceedings.mlr.press, openreview.net, ...)"));
  }
  if (endpoints.base.empty()) return std::string(url->scheme()) + "://" + host + target;
  std::string base = endpoints.base;
  if (!core::StartsWith(base, "http://") && !core::StartsWith(base, "https://")) {
    return Err(Status::InvalidArgument("the venue PDF base \"" + base +
                                       "\" is not an http(s) URL; set COOLPAPERS_VENUE_PDF_BASE "
                                       "to e.g. http://127.0.0.1:8123, or unset it"));
  }
  while (!base.empty() && base.back() == '/') base.pop_back();
  return base + target;
}

PaperTextLoader::PaperTextLoader(net::Fetcher* fetcher, sources::arxiv::ArxivEndpoints endpoints,
                                 VenuePdfEndpoints venue, PdfTextLimits limits, size_t max_chars)
    : fetcher_(fetcher),
      endpoints_(std::move(endpoints)),
      venue_(std::move(venue)),
      limits_(std::move(limits)),
      max_chars_(max_chars) {
  // Temporary PDFs a previous process left when it died mid-extraction.
  if (fetcher_ != nullptr) {
    if (int n = RemoveStalePdfTemp(); n > 0) {
      spdlog::info("FAQ: removed {} stale temporary PDF directories ({}*)", n, kPdfTempPrefix);
    }
  }
}

Result<PaperText> PaperTextLoader::Load(const core::Paper& paper,
                                        std::string_view venue_pdf_url) const {
  if (fetcher_ == nullptr) return PaperText{"", "abstract"};
  if (IsVenuePaperId(paper.id)) return LoadVenue(paper, venue_pdf_url);
  std::string id = paper.id + "v" + std::to_string(paper.version);
  return FetchPdf(endpoints_.Pdf(id), "arXiv " + id);
}

Result<PaperText> PaperTextLoader::LoadVenue(const core::Paper& paper,
                                             std::string_view pdf_url) const {
  if (pdf_url.empty()) {
    spdlog::info("FAQ {}: the proceedings give no PDF; using the title and abstract", paper.id);
    return PaperText{"", "abstract"};
  }
  Result<std::string> url = VenuePdfFetchUrl(pdf_url, venue_);
  if (!url) {
    spdlog::warn("FAQ {}: {}; using the title and abstract", paper.id, url.error().message());
    return PaperText{"", "abstract"};
  }
  return FetchPdf(*url, paper.id);
}

Result<PaperText> PaperTextLoader::FetchPdf(const std::string& url,
                                            const std::string& what) const {
  net::FetchRequest req;
  req.url = url;
  req.kind = net::FetchKind::kPdf;  // after listings; bounded time and tries
  req.priority = net::FetchPriority::kReader;
  req.what = "PDF " + what;
  req.max_bytes = size_t{64} << 20;
  req.timeout = std::chrono::seconds(120);
  auto resp = fetcher_->Fetch(req);
  if (!resp) {
    if (resp.error().code() == StatusCode::kNotFound) {
      spdlog::info("FAQ {}: no PDF at {}; using the title and abstract", what, req.url);
      return PaperText{"", "abstract"};
    }
    return Err(Status(resp.error().code(), "downloading the PDF of " + what +
                                               " failed: " + resp.error().message()));
  }
  auto raw = ExtractPdfText(resp->body, what, limits_);
  if (!raw) return Err(raw.error());
  return PaperText{FitToContext(CleanPdfText(*raw), max_chars_), "pdf"};
}

}  // namespace coolpapers::llm
