#include "sources/pmlr/volume.h"

#include <cctype>
#include <charconv>

#include "core/text.h"
#include "sources/bibtex.h"

namespace coolpapers::sources::pmlr {
namespace {

bool ParseNumber(const std::string& s, int* out) {
  std::string_view t = core::Trim(s);
  auto r = std::from_chars(t.data(), t.data() + t.size(), *out);
  return r.ec == std::errc() && r.ptr == t.data() + t.size();
}

bool UsableKey(const std::string& key) {
  if (key.empty() || key.size() > 100) return false;
  for (char c : key) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_' && c != '-') return false;
  }
  return true;
}

// Length of the inline HTML tag at text[at] ("<em>", "</b>", "<br/>"), 0 if there is none.
size_t InlineTagLength(std::string_view text, size_t at) {
  static constexpr std::string_view kNames[] = {"em", "b", "i", "strong", "u", "sup", "sub",
                                                "br", "p", "span", "tt", "code"};
  size_t p = at + 1;
  if (p < text.size() && text[p] == '/') ++p;
  size_t name_end = p;
  while (name_end < text.size() && std::isalpha(static_cast<unsigned char>(text[name_end]))) {
    ++name_end;
  }
  std::string name(text.substr(p, name_end - p));
  for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  bool known = false;
  for (std::string_view k : kNames) known = known || k == name;
  if (!known) return 0;
  size_t close = text.substr(name_end, 200).find_first_of("<>");
  if (close == std::string_view::npos || text[name_end + close] != '>') return 0;
  return name_end + close + 1 - at;
}

// PMLR abstracts carry a little HTML (<em>, <b>, <i>, <sup>...): the text stays, the tags go.
std::string WithoutInlineTags(const std::string& text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size();) {
    size_t tag = text[i] == '<' ? InlineTagLength(text, i) : 0;
    if (tag) {
      i += tag;
    } else {
      out += text[i++];
    }
  }
  return core::CollapseWhitespace(out);
}

Status ReadHeader(const bibtex::Entry& e, const std::string& source, Volume& v) {
  v.shortname = bibtex::DecodeTex(e.Get("shortname"));
  v.booktitle = bibtex::DecodeTex(e.Get("booktitle"));
  if (v.shortname.empty() || v.shortname.find_first_of(" ./@") != std::string::npos ||
      !ParseNumber(e.Get("year"), &v.year) || v.year < 1000 || v.year > 9999 ||
      !ParseNumber(e.Get("volume"), &v.number) || v.number <= 0) {
    return Status::InvalidArgument(
        source + ":" + std::to_string(e.line) + ": the @Proceedings header needs shortname " +
        "(one word), year (four digits) and volume (a number); found shortname \"" +
        e.Get("shortname") + "\", year \"" + e.Get("year") + "\", volume \"" + e.Get("volume") +
        "\"");
  }
  v.edition = v.shortname + "." + std::to_string(v.year);
  return Status::Ok();
}

bool ReadPaper(const bibtex::Entry& e, const Volume& v, core::VenuePaper& p, std::string& why) {
  if (!UsableKey(e.key)) return why = "unusable key \"" + e.key + "\"", false;
  p.title = bibtex::DecodeTex(e.Get("title"));
  if (p.title.empty()) return why = "@InProceedings{" + e.key + " has no title", false;
  p.id = e.key + "@v" + std::to_string(v.number) + "@PMLR";
  p.venue = v.edition;
  p.group = "Main";
  p.authors = bibtex::SplitAuthors(e.Get("author"));
  p.abstract = WithoutInlineTags(bibtex::DecodeTex(e.Get("abstract")));
  std::string pages = e.Get("pages");
  for (size_t at; (at = pages.find("--")) != std::string::npos;) pages.replace(at, 2, "-");
  p.pages = bibtex::DecodeTex(pages);
  p.pdf_url = e.Get("pdf").empty() ? PdfUrl(v.number, e.key) : e.Get("pdf");
  p.page_url = PageUrl(v.number, e.key);
  std::string forum = std::string(core::Trim(e.Get("openreview")));
  if (UsableKey(forum)) p.other_ids.push_back(forum + "@OpenReview");
  return true;
}

}  // namespace

std::string PdfUrl(int volume, std::string_view key) {
  std::string k(key);
  return "https://proceedings.mlr.press/v" + std::to_string(volume) + "/" + k + "/" + k + ".pdf";
}

std::string PageUrl(int volume, std::string_view key) {
  return "https://proceedings.mlr.press/v" + std::to_string(volume) + "/" + std::string(key) +
         ".html";
}

Result<Volume> ParseVolumeBib(std::string_view bib, const std::string& source) {
  bibtex::File file = bibtex::Parse(bib, source);
  Volume v;
  v.skipped = std::move(file.skipped);
  const bibtex::Entry* header = nullptr;
  for (const bibtex::Entry& e : file.entries) {
    if (e.type == "proceedings") {
      header = &e;
      break;
    }
  }
  if (!header) {
    return Err(Status::InvalidArgument(
        source + ": no @Proceedings header, so the venue, year and volume are unknown; pass the " +
        "<conf><yy>.bib at the root of a PMLR volume (github.com/mlresearch/v<N>)"));
  }
  if (Status s = ReadHeader(*header, source, v); !s.ok()) return Err(s);
  for (const bibtex::Entry& e : file.entries) {
    if (e.type != "inproceedings") continue;
    core::VenuePaper p;
    std::string why;
    if (!ReadPaper(e, v, p, why)) {
      v.skipped.push_back(source + ":" + std::to_string(e.line) + ": " + why);
      continue;
    }
    p.position = static_cast<int>(v.papers.size());
    v.papers.push_back(std::move(p));
  }
  return v;
}

}  // namespace coolpapers::sources::pmlr
