#include "sources/cvf/openaccess.h"

#include <gumbo.h>

#include <cctype>
#include <memory>
#include <regex>

#include "core/arxiv_id.h"
#include "core/text.h"
#include "sources/bibtex.h"

namespace coolpapers::sources::cvf {
namespace {

// A path longer than this is no paper path (and the regexes stay cheap on hostile input).
constexpr size_t kMaxPath = 512;

std::string Upper(std::string s) {
  for (char& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

// --- a few read-only walks over gumbo's tree; iterative, as a hostile page may nest deeply ---

struct OutputDeleter {
  void operator()(GumboOutput* out) const { gumbo_destroy_output(&kGumboDefaultOptions, out); }
};

bool IsElement(const GumboNode* n, GumboTag tag) {
  return n->type == GUMBO_NODE_ELEMENT && n->v.element.tag == tag;
}

std::string Attr(const GumboNode* n, const char* name) {
  if (n->type != GUMBO_NODE_ELEMENT) return "";
  const GumboAttribute* a = gumbo_get_attribute(&n->v.element.attributes, name);
  return a ? std::string(a->value) : std::string();
}

bool HasClass(const GumboNode* n, std::string_view cls) {
  for (const std::string& c : core::Split(Attr(n, "class"), ' ')) {
    if (c == cls) return true;
  }
  return false;
}

const GumboVector* Children(const GumboNode* n) {
  if (n->type == GUMBO_NODE_ELEMENT) return &n->v.element.children;
  if (n->type == GUMBO_NODE_DOCUMENT) return &n->v.document.children;
  return nullptr;
}

// Calls visit(node) for `root` and every node below it, in document order.
template <typename Visit>
void Walk(const GumboNode* root, Visit&& visit) {
  std::vector<const GumboNode*> stack{root};
  while (!stack.empty()) {
    const GumboNode* n = stack.back();
    stack.pop_back();
    visit(n);
    if (const GumboVector* kids = Children(n)) {
      for (unsigned i = kids->length; i > 0; --i) {
        stack.push_back(static_cast<const GumboNode*>(kids->data[i - 1]));
      }
    }
  }
}

// The text of `n` as a reader sees it (entities already decoded by gumbo), whitespace collapsed.
std::string Text(const GumboNode* n) {
  std::string raw;
  Walk(n, [&raw](const GumboNode* d) {
    if (d->type == GUMBO_NODE_TEXT || d->type == GUMBO_NODE_WHITESPACE ||
        d->type == GUMBO_NODE_CDATA) {
      raw += d->v.text.text;
    }
  });
  return core::CollapseWhitespace(raw);
}

// --- one entry: a <dt class="ptitle"> and the <dd>s up to the next <dt> ---

struct Entry {
  std::string href;    // of the title's link: the paper's page
  std::string title;
  std::vector<std::string> authors;
  std::string pdf_href;
  std::string arxiv_href;
  std::string bibtex;
};

void ReadDetails(const GumboNode* dd, Entry& e, bool& first_dd) {
  bool saw_author = false;
  Walk(dd, [&](const GumboNode* n) {
    if (IsElement(n, GUMBO_TAG_INPUT) && Attr(n, "name") == "query_author") {
      std::string name = core::CollapseWhitespace(Attr(n, "value"));
      if (!name.empty()) e.authors.push_back(std::move(name));
      saw_author = true;
    } else if (IsElement(n, GUMBO_TAG_A)) {
      std::string label = core::ToLower(Text(n));
      if (label == "pdf" && e.pdf_href.empty()) e.pdf_href = Attr(n, "href");
      if (label == "arxiv" && e.arxiv_href.empty()) e.arxiv_href = Attr(n, "href");
    } else if (IsElement(n, GUMBO_TAG_DIV) && HasClass(n, "bibref") && e.bibtex.empty()) {
      e.bibtex = Text(n);
    }
  });
  // Pages of some years list the authors as plain text ("A, B, C") in the first <dd>.
  if (first_dd && !saw_author && e.authors.empty() && e.pdf_href.empty()) {
    std::string text = Text(dd);
    if (!text.empty() && text.find('[') == std::string::npos) {
      for (const std::string& a : core::Split(text, ',')) {
        std::string name = core::CollapseWhitespace(a);
        if (!name.empty()) e.authors.push_back(std::move(name));
      }
    }
  }
  first_dd = false;
}

Entry ReadEntry(const GumboNode* dt) {
  Entry e;
  Walk(dt, [&e](const GumboNode* n) {
    if (e.href.empty() && IsElement(n, GUMBO_TAG_A) && !Attr(n, "href").empty()) {
      e.href = Attr(n, "href");
      e.title = Text(n);
    }
  });
  if (e.title.empty()) e.title = Text(dt);
  const GumboNode* parent = dt->parent;
  const GumboVector* siblings = parent ? Children(parent) : nullptr;
  if (!siblings) return e;
  bool first_dd = true;
  for (unsigned i = dt->index_within_parent + 1; i < siblings->length; ++i) {
    const GumboNode* s = static_cast<const GumboNode*>(siblings->data[i]);
    if (IsElement(s, GUMBO_TAG_DT)) break;
    if (s->type == GUMBO_NODE_ELEMENT) ReadDetails(s, e, first_dd);
  }
  return e;
}

// "/content/...", "content/...", "https://openaccess.thecvf.com/content/..." -> the path.
std::string SitePath(std::string_view href) {
  href = core::Trim(href);
  for (std::string_view prefix : {"https://openaccess.thecvf.com", "http://openaccess.thecvf.com"}) {
    if (core::StartsWith(href, prefix)) {
      href.remove_prefix(prefix.size());
      break;
    }
  }
  size_t cut = href.find_first_of("?#");
  if (cut != std::string_view::npos) href = href.substr(0, cut);
  std::string path(href);
  if (path.empty() || path[0] != '/') path.insert(path.begin(), '/');
  return path;
}

std::string Absolute(std::string_view href) {
  std::string_view h = core::Trim(href);
  if (core::StartsWith(h, "http://") || core::StartsWith(h, "https://")) return std::string(h);
  return std::string(kBaseUrl) + SitePath(h);
}

// "http://arxiv.org/abs/2306.09348" -> "arXiv:2306.09348"; "" when it names no arXiv id.
std::string ArxivOtherId(std::string_view href) {
  size_t at = href.find("/abs/");
  if (at == std::string_view::npos) return "";
  auto id = core::ArxivId::Parse(core::Trim(href.substr(at + 5)));
  return id ? "arXiv:" + id->ToString() : "";
}

// The entry as a paper; false with the reason when it cannot be one.
bool ToPaper(const Entry& e, core::VenuePaper& p, std::string& why) {
  std::optional<PaperPath> where = ParsePaperPath(SitePath(e.href));
  if (!where) {
    why = e.href.empty() ? "no link to the paper's page"
                         : "the link \"" + e.href + "\" is not a CVF paper page";
    return false;
  }
  if (e.title.empty()) {
    why = "no title";
    return false;
  }
  p.id = where->Id();
  p.venue = where->Edition();
  p.group = where->Group();
  p.title = e.title;
  p.authors = e.authors;
  p.page_url = std::string(kBaseUrl) + SitePath(e.href);
  if (!e.pdf_href.empty()) {
    p.pdf_url = Absolute(e.pdf_href);
  } else {
    std::string pdf = p.page_url;
    size_t html = pdf.rfind("/html/");
    if (html != std::string::npos && core::EndsWith(pdf, ".html")) {
      pdf.replace(pdf.size() - 5, 5, ".pdf");
      pdf.replace(html, 6, "/papers/");
      p.pdf_url = pdf;
    }
  }
  if (std::string arxiv = ArxivOtherId(e.arxiv_href); !arxiv.empty()) {
    p.other_ids.push_back(std::move(arxiv));
  }
  if (!e.bibtex.empty()) {
    bibtex::File bib = bibtex::Parse(e.bibtex, "bibtex");
    if (!bib.entries.empty()) {
      p.pages = core::CollapseWhitespace(bib.entries.front().Get("pages"));
    }
  }
  return true;
}

std::string Quoted(const std::string& title) {
  std::string t = title.size() > 80 ? title.substr(0, 77) + "..." : title;
  return "\"" + t + "\"";
}

}  // namespace

std::string PaperPath::Dir() const {
  return conference + std::to_string(year) + (workshop ? "W" : "");
}
std::string PaperPath::Id() const { return stem + "@" + Dir() + "@CVF"; }
std::string PaperPath::Edition() const { return conference + "." + std::to_string(year); }
std::string PaperPath::Group() const {
  if (!workshop) return "Main";
  return workshop_name.empty() ? "Workshops" : workshop_name;
}

std::optional<PaperPath> ParsePaperPath(std::string_view path_in) {
  if (path_in.size() > kMaxPath) return std::nullopt;
  std::string path(path_in);
  if (path.empty() || path[0] != '/') path.insert(path.begin(), '/');
  static const std::regex kNew(
      R"(^/content/([A-Za-z]{2,8})(\d{4})(W?)/(?:([A-Za-z0-9_.+-]{1,64})/)?(?:html|papers)/)"
      R"(([A-Za-z0-9_.+-]{1,300})\.(?:html|pdf)$)");
  static const std::regex kOld(
      R"(^/content_([A-Za-z]{2,8})_(\d{4})/(?:html|papers)/([A-Za-z0-9_.+-]{1,300})\.(?:html|pdf)$)");
  std::smatch m;
  PaperPath out;
  if (std::regex_match(path, m, kNew)) {
    out.workshop = m[3].length() > 0;
    if (!out.workshop && m[4].matched) return std::nullopt;  // main papers sit right in html/
    out.conference = Upper(m[1]);
    out.year = std::stoi(m[2]);
    out.workshop_name = m[4].matched ? m[4].str() : "";
    out.stem = m[5];
  } else if (std::regex_match(path, m, kOld)) {
    out.conference = Upper(m[1]);
    out.year = std::stoi(m[2]);
    out.stem = m[3];
  } else {
    return std::nullopt;
  }
  if (out.stem.find("..") != std::string::npos || out.stem[0] == '.' ||
      out.workshop_name.find("..") != std::string::npos) {
    return std::nullopt;
  }
  return out;
}

std::string EditionOfListingPath(std::string_view path) {
  if (path.size() > 64) return "";
  std::string p(path);
  static const std::regex kListing(R"(^/([A-Za-z]{2,8})(\d{4})/?$)");
  std::smatch m;
  if (!std::regex_match(p, m, kListing)) return "";
  return Upper(m[1]) + "." + m[2].str();
}

Result<Listing> ParseListing(std::string_view html, const std::string& source) {
  GumboOptions options = kGumboDefaultOptions;
  options.max_errors = 64;  // parse errors are not reported; don't collect thousands of them
  std::unique_ptr<GumboOutput, OutputDeleter> doc(
      gumbo_parse_with_options(&options, html.data(), html.size()));
  if (!doc) return Err(Status::Internal(source + ": the HTML parser gave no document"));
  std::vector<const GumboNode*> titles;
  Walk(doc->root, [&titles](const GumboNode* n) {
    if (IsElement(n, GUMBO_TAG_DT) && HasClass(n, "ptitle")) titles.push_back(n);
  });
  if (titles.empty()) {
    return Err(Status::InvalidArgument(
        source + ": no paper entries (<dt class=\"ptitle\">), so not a CVF open access listing; "
                 "save the page of a conference, e.g. https://openaccess.thecvf.com/"
                 "CVPR2024?day=all"));
  }
  Listing out;
  int n = 0;
  for (const GumboNode* dt : titles) {
    ++n;
    Entry e = ReadEntry(dt);
    core::VenuePaper p;
    std::string why;
    if (!ToPaper(e, p, why)) {
      out.skipped.push_back(source + ": entry " + std::to_string(n) + " (" + Quoted(e.title) +
                            "): " + why);
      continue;
    }
    if (out.edition.empty()) out.edition = p.venue;
    if (p.venue != out.edition) {
      out.skipped.push_back(source + ": entry " + std::to_string(n) + " (" + Quoted(e.title) +
                            "): of " + p.venue + ", not " + out.edition +
                            " like the page's first paper");
      continue;
    }
    p.position = static_cast<int>(out.papers.size());
    out.papers.push_back(std::move(p));
  }
  if (out.papers.empty()) {
    return Err(Status::InvalidArgument(
        source + ": none of its " + std::to_string(titles.size()) +
        " entries is a usable paper (first: " + out.skipped.front() +
        "); save the listing page itself, e.g. https://openaccess.thecvf.com/CVPR2024?day=all"));
  }
  return out;
}

}  // namespace coolpapers::sources::cvf
