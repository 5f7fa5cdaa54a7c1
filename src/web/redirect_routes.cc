// GET /redirect?url=<paper URL, id or text>: sends a reader (or the browser extension) to the
// local page. A URL of a paper site (arXiv, OpenReview, ACL Anthology, IJCAI, PMLR, Hugging
// Face, papers.cool: sources/paper_url.h, the extension's mapping) goes to its /arxiv/ or
// /venue/ route; arXiv ids in text go to /arxiv/<id>, several to one comma list; anything else
// becomes a site search for the text.

#include <optional>
#include <string>
#include <vector>

#include "core/arxiv_id.h"
#include "core/text.h"
#include "sources/paper_url.h"
#include "web/render.h"
#include "web/routes.h"

namespace coolpapers::web {
namespace {

constexpr size_t kMaxInput = 4096;

// Every arXiv id found in `text`, canonical and without duplicates, in order of appearance.
std::vector<std::string> FindArxivIds(const std::string& text) {
  std::vector<std::string> ids;
  auto whole = core::ArxivId::Parse(core::Trim(text));
  if (whole) return {whole->ToString()};
  std::string token;
  auto flush = [&] {
    if (token.empty()) return;
    if (auto id = core::ArxivId::Parse(token)) {
      std::string s = id->ToString();
      bool seen = false;
      for (const auto& x : ids) seen = seen || x == s;
      if (!seen) ids.push_back(std::move(s));
    }
    token.clear();
  };
  for (char c : text) {
    if (c == ' ' || c == ',' || c == ';' || c == '\n' || c == '\t' || c == '"' || c == '(' ||
        c == ')') {
      flush();
    } else {
      token += c;
    }
  }
  flush();
  return ids;
}

Response Redirect(const std::string& location) {
  Response r;
  r.status = 302;
  r.content_type = "text/plain; charset=utf-8";
  r.SetHeader("Location", location);
  r.body = "Found: " + location + "\n";
  return r;
}

}  // namespace

void RegisterRedirectRoutes(Router& router, Services&) {
  router.Add("GET", "/redirect", [](const Request& req) {
    std::string input = std::string(core::Trim(req.Param("url")));
    if (input.empty()) input = std::string(core::Trim(req.Param("q")));
    if (input.empty()) {
      return ErrorPage(400, "Nothing to look up: the url parameter is empty.",
                       "Try /redirect?url=https://arxiv.org/abs/2402.12354 or an arXiv id.");
    }
    if (input.size() > kMaxInput) {
      return ErrorPage(400, "The url parameter is too long to be a paper link.",
                       "Pass one paper URL or a few ids (at most 4096 characters).");
    }
    std::optional<sources::PaperRef> ref = sources::ParsePaperUrl(input);
    if (ref && ref->kind != sources::PaperRefKind::kArxiv) return Redirect(sources::RouteFor(*ref));
    std::vector<std::string> ids = FindArxivIds(input);  // keeps a version the URL names
    if (!ids.empty()) return Redirect("/arxiv/" + core::Join(ids, ","));
    if (ref) return Redirect(sources::RouteFor(*ref));
    return Redirect("/arxiv/search?query=" + core::UrlEncode(core::SanitizeUtf8(input)));
  });
}

}  // namespace coolpapers::web
