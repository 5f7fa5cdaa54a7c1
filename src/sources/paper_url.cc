#include "sources/paper_url.h"

#include <boost/url/parse.hpp>

#include <array>
#include <cctype>
#include <regex>

#include "sources/cvf/openaccess.h"

namespace coolpapers::sources {
namespace {

// Paper URLs have short paths; longer ones are not paper pages (and regex matching stays cheap).
constexpr size_t kMaxPath = 512;

using Match = std::smatch;

std::optional<PaperRef> Ref(PaperRefKind kind, std::string id) {
  return PaperRef{kind, std::move(id)};
}

std::string WithoutTrailingSlashes(std::string s) {
  while (!s.empty() && s.back() == '/') s.pop_back();
  return s;
}

// ACL Anthology event names as readers write them; others upper-cased.
std::string EventName(const std::string& event) {
  static constexpr std::array<std::pair<std::string_view, std::string_view>, 12> kNames{{
      {"acl", "ACL"}, {"emnlp", "EMNLP"}, {"naacl", "NAACL"}, {"eacl", "EACL"},
      {"coling", "COLING"}, {"conll", "CoNLL"}, {"findings", "Findings"}, {"tacl", "TACL"},
      {"cl", "CL"}, {"aacl", "AACL"}, {"lrec", "LREC"}, {"ws", "WS"}}};
  for (const auto& [key, name] : kNames) {
    if (key == event) return std::string(name);
  }
  std::string up = event;
  for (char& c : up) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return up;
}

std::optional<PaperRef> ArxivPath(const std::string& path) {
  static const std::regex kPaper(R"(^/(?:abs|pdf|html|format|ps|src|papers?|overview)/(.+?)(?:\.pdf)?/?$)");
  static const std::regex kNewId(R"(^(\d{4}\.\d{4,5})(?:v\d+)?(?:/.*)?$)");
  static const std::regex kOldId(R"(^([a-z][a-z-]*(?:\.[A-Z]{2})?/\d{7})(?:v\d+)?(?:/.*)?$)");
  static const std::regex kList(R"(^/list/([^/]+)(?:/[^/]*)?/?$)");
  static const std::regex kCategory(R"(^[a-z][a-z-]*(?:\.[A-Za-z][A-Za-z-]*)?$)");
  Match m;
  if (std::regex_match(path, m, kPaper)) {
    const std::string rest = m[1];
    Match id;
    if (std::regex_match(rest, id, kNewId) || std::regex_match(rest, id, kOldId)) {
      return Ref(PaperRefKind::kArxiv, id[1]);
    }
    return std::nullopt;
  }
  if (std::regex_match(path, m, kList) && std::regex_match(m[1].str(), kCategory)) {
    return Ref(PaperRefKind::kArxivList, m[1]);
  }
  return std::nullopt;
}

std::optional<PaperRef> OpenReview(const std::string& path, const std::string& id) {
  if (id.empty()) return std::nullopt;
  if (path == "/forum" || path == "/pdf" || path == "/attachment") {
    return Ref(PaperRefKind::kVenue, id + "@OpenReview");
  }
  static const std::regex kGroup(R"(^([A-Za-z][\w-]*)\.cc/(\d{4})(?:/.*)?$)");
  Match m;
  if (path == "/group" && std::regex_match(id, m, kGroup)) {
    return Ref(PaperRefKind::kVenueList, m[1].str() + "." + m[2].str());
  }
  return std::nullopt;
}

std::optional<PaperRef> AclAnthology(std::string path) {
  if (path.rfind("/anthology", 0) == 0) path = path.substr(10);
  path = WithoutTrailingSlashes(path);
  static const std::regex kPaper(
      R"(^/(\d{4}\.[a-z0-9]+-[a-z0-9]+\.\d+|[A-Z]\d{2}-\d{4})(?:v\d+)?(?:\.(?:pdf|bib|xml))?$)");
  static const std::regex kVolume(R"(^/volumes/(\d{4})\.([a-z]+)[a-z0-9-]*$)");
  static const std::regex kEvent(R"(^/events/([a-z]+)-(\d{4})$)");
  Match m;
  if (std::regex_match(path, m, kPaper)) return Ref(PaperRefKind::kVenue, m[1].str() + "@ACL");
  if (std::regex_match(path, m, kVolume)) {
    return Ref(PaperRefKind::kVenueList, EventName(m[2]) + "." + m[1].str());
  }
  if (std::regex_match(path, m, kEvent)) {
    return Ref(PaperRefKind::kVenueList, EventName(m[1]) + "." + m[2].str());
  }
  return std::nullopt;
}

std::optional<PaperRef> Ijcai(const std::string& raw) {
  const std::string path = WithoutTrailingSlashes(raw);
  static const std::regex kPaper(R"(^/proceedings/(\d{4})/(\d+)(?:\.pdf)?$)");
  static const std::regex kYear(R"(^/proceedings/(\d{4})$)");
  Match m;
  if (std::regex_match(path, m, kPaper)) {
    std::string number = m[2].str();
    number.erase(0, std::min(number.find_first_not_of('0'), number.size() - 1));
    return Ref(PaperRefKind::kVenue, number + "@" + m[1].str() + "@IJCAI");
  }
  if (std::regex_match(path, m, kYear)) return Ref(PaperRefKind::kVenueList, "IJCAI." + m[1].str());
  return std::nullopt;
}

// openaccess.thecvf.com: a paper's page or PDF (the ids sources/cvf gives imported papers), or
// a conference's listing ("/CVPR2024?day=all").
std::optional<PaperRef> Cvf(const std::string& path) {
  if (auto paper = cvf::ParsePaperPath(path)) return Ref(PaperRefKind::kVenue, paper->Id());
  std::string edition = cvf::EditionOfListingPath(path);
  if (!edition.empty()) return Ref(PaperRefKind::kVenueList, edition);
  return std::nullopt;
}

std::optional<PaperRef> Pmlr(const std::string& path) {
  static const std::regex kPaper(R"(^/(v\d+)/([A-Za-z0-9_-]+?)(?:\.html|/\2\.pdf|\.pdf)?/?$)");
  Match m;
  if (std::regex_match(path, m, kPaper)) {
    return Ref(PaperRefKind::kVenue, m[2].str() + "@" + m[1].str() + "@PMLR");
  }
  return std::nullopt;
}

std::optional<PaperRef> HuggingFace(const std::string& path) {
  static const std::regex kPaper(R"(^/papers/(\d{4}\.\d{4,5})(?:v\d+)?/?$)");
  Match m;
  if (std::regex_match(path, m, kPaper)) return Ref(PaperRefKind::kArxiv, m[1]);
  return std::nullopt;
}

std::optional<PaperRef> CoolPapers(const std::string& path) {
  static const std::regex kPath(R"(^/(arxiv|venue)/(.+?)/?$)");
  Match m;
  if (!std::regex_match(path, m, kPath)) return std::nullopt;
  const std::string rest = m[2];
  if (rest == "search" || (rest.size() >= 5 && rest.compare(rest.size() - 5, 5, "/feed") == 0)) {
    return std::nullopt;
  }
  return Ref(m[1] == "arxiv" ? PaperRefKind::kArxivPath : PaperRefKind::kVenuePath, rest);
}

// Semantic Scholar's arXiv links: /arxiv/<id>.
std::optional<PaperRef> SemanticScholar(const std::string& path) {
  if (path.rfind("/arxiv/", 0) != 0) return std::nullopt;
  return ArxivPath("/abs/" + path.substr(7));
}

// arXiv's DOIs: /10.48550/arXiv.<id> (any case of "arXiv").
std::optional<PaperRef> ArxivDoi(const std::string& path) {
  static const std::regex kDoi(R"(^/10\.48550/arxiv\.(.+?)/?$)", std::regex::icase);
  Match m;
  if (!std::regex_match(path, m, kDoi)) return std::nullopt;
  return ArxivPath("/abs/" + m[1].str());
}

bool IsArxivHost(const std::string& host) {
  return host == "arxiv.org" || host == "alphaxiv.org" ||
         (host.size() > 10 && host.compare(host.size() - 10, 10, ".arxiv.org") == 0);
}

// An id safe to put in a local route: no "..", no spaces or control characters (a decoded path
// or query may hold anything, and the route goes into a Location header).
bool SafeId(const std::string& id) {
  if (id.empty() || id.find("..") != std::string::npos) return false;
  for (char c : id) {
    if (!std::isalnum(static_cast<unsigned char>(c)) &&
        std::string_view("._,@/:+-").find(c) == std::string_view::npos) {
      return false;
    }
  }
  return true;
}

// The decoded value of the first `key` in the query, "" when absent. Walks the parameters
// itself: Boost.URL 1.81's params().find reads out of bounds on an empty query ("?#...").
std::string QueryValue(const boost::urls::url_view& url, std::string_view key) {
  if (!url.has_query() || url.encoded_query().empty()) return "";
  for (const auto& param : url.params()) {
    if (param.key == key) return std::string(param.value);
  }
  return "";
}

std::optional<PaperRef> ParseKnownSite(const std::string& host, const std::string& path,
                                       const boost::urls::url_view& url) {
  if (IsArxivHost(host)) return ArxivPath(path);
  if (host == "openreview.net") {
    return OpenReview(path, QueryValue(url, "id"));
  }
  if (host == "aclanthology.org" || host == "aclweb.org") return AclAnthology(path);
  if (host == "ijcai.org") return Ijcai(path);
  if (host == "proceedings.mlr.press") return Pmlr(path);
  if (host == "openaccess.thecvf.com") return Cvf(path);
  if (host == "huggingface.co" || host == "hf.co") return HuggingFace(path);
  if (host == "papers.cool") return CoolPapers(path);
  if (host == "semanticscholar.org" || host == "api.semanticscholar.org") {
    return SemanticScholar(path);
  }
  if (host == "doi.org" || host == "dx.doi.org") return ArxivDoi(path);
  return std::nullopt;
}

}  // namespace

std::optional<PaperRef> ParsePaperUrl(std::string_view text) {
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front()))) text.remove_prefix(1);
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) text.remove_suffix(1);
  auto url = boost::urls::parse_uri(text);
  if (!url) return std::nullopt;
  std::string scheme(url->scheme());
  for (char& c : scheme) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (scheme != "http" && scheme != "https") return std::nullopt;
  std::string host(url->encoded_host());
  for (char& c : host) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (host.rfind("www.", 0) == 0) host.erase(0, 4);
  std::string path = url->path();  // decoded
  if (path.empty()) path = "/";
  if (path.size() > kMaxPath) return std::nullopt;
  std::optional<PaperRef> ref = ParseKnownSite(host, path, *url);
  if (ref && !SafeId(ref->id)) return std::nullopt;
  return ref;
}

std::string RouteFor(const PaperRef& ref) {
  switch (ref.kind) {
    case PaperRefKind::kArxiv:
    case PaperRefKind::kArxivList:
    case PaperRefKind::kArxivPath:
      return "/arxiv/" + ref.id;
    case PaperRefKind::kVenue:
    case PaperRefKind::kVenueList:
    case PaperRefKind::kVenuePath:
      return "/venue/" + ref.id;
  }
  return "/";
}

}  // namespace coolpapers::sources
