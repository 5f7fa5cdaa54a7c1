#include "store/store_rows.h"

#include <algorithm>
#include <unordered_set>

#include "core/text.h"
#include "core/title_key.h"
#include "store/faq_content.h"

namespace coolpapers::store {

namespace {

Status ValidatePaper(const Paper& p) {
  if (p.id.empty()) return Status::InvalidArgument("paper without an id; every paper needs one");
  return Status::Ok();
}

Status ValidateMembership(const Membership& m) {
  if (m.paper_id.empty() || m.category.empty() || m.day.size() != 10) {
    return Status::InvalidArgument("membership (" + m.paper_id + ", " + m.category + ", " + m.day +
                                   ") needs a paper id, a category and a YYYY-MM-DD day");
  }
  return Status::Ok();
}

}  // namespace

Status ValidateUpsert(std::span<const Paper> papers, std::span<const Membership> memberships) {
  for (const Paper& p : papers) {
    if (Status st = ValidatePaper(p); !st.ok()) return st;
  }
  for (const Membership& m : memberships) {
    if (Status st = ValidateMembership(m); !st.ok()) return st;
  }
  return Status::Ok();
}

std::string JoinAuthors(const std::vector<std::string>& authors) {
  std::string out;
  for (const std::string& a : authors) {
    if (a.empty()) continue;
    if (!out.empty()) out += '\n';
    for (char c : a) out += (c == '\n' || c == '\r') ? ' ' : c;
  }
  return out;
}

std::string JoinCategories(const std::vector<std::string>& cats) {
  std::string out;
  for (const std::string& c : cats) {
    if (c.empty()) continue;
    if (!out.empty()) out += ' ';
    out += c;
  }
  return out;
}

void AddKind(ClickCounts& cc, std::string_view kind, int64_t n) {
  if (kind == "pdf") cc.pdf += n;
  if (kind == "kimi") cc.kimi += n;
  if (kind == "copy") cc.copy += n;
  if (kind == "rel") cc.rel += n;
}

FaqRecord FaqOfKey(const std::string& paper_id, int version, const std::string& lang,
                   const std::string& model, int prompt_version) {
  FaqRecord f;
  f.paper_id = paper_id;
  f.version = version;
  f.lang = lang;
  f.model = model;
  f.prompt_version = prompt_version;
  return f;
}

void AppendFaqText(std::string_view content_json, std::string& out) {
  Result<std::vector<FaqItem>> items = DecodeFaqContent(content_json);
  if (!items) return;
  for (const FaqItem& item : *items) {
    for (const std::string* text : {&item.q, &item.a}) {
      if (text->empty()) continue;
      if (!out.empty()) out += '\n';
      out += *text;
    }
  }
}

std::vector<Paper> InIdOrder(std::span<const std::string> ids,
                             std::unordered_map<std::string, Paper>& found) {
  std::vector<Paper> out;
  for (const std::string& id : ids) {
    auto it = found.find(id);
    if (it == found.end()) continue;
    out.push_back(std::move(it->second));
    found.erase(it);  // each once
  }
  return out;
}

ListCategories::ListCategories(const ListQuery& q) : unknown_(q.include.size()) {
  for (size_t i = 0; i < q.include.size(); ++i) index_.emplace(q.include[i], i);
}

ListCandidate ListCategories::Candidate(std::string category, int type, int position) const {
  auto ci = index_.find(category);
  return ListCandidate{type, ci == index_.end() ? unknown_ : ci->second, position,
                       std::move(category)};
}

std::vector<ListEntry> RankListing(const ListQuery& q,
                                   std::vector<std::pair<ListCandidate, Paper>> rows) {
  std::unordered_set<std::string_view> excluded(q.exclude.begin(), q.exclude.end());
  struct Ranked {
    size_t category_index;
    ListEntry entry;
  };
  std::vector<Ranked> ranked;
  ranked.reserve(rows.size());
  for (auto& [cand, paper] : rows) {
    const std::vector<std::string>& cats = paper.categories;
    if (std::any_of(cats.begin(), cats.end(),
                    [&](const std::string& x) { return excluded.count(x) > 0; })) {
      continue;
    }
    Ranked r{cand.category_index, {}};
    r.entry.paper = std::move(paper);
    r.entry.type = static_cast<AnnounceType>(std::clamp(cand.type, 0, 3));
    r.entry.category = std::move(cand.category);
    r.entry.position = cand.position;
    ranked.push_back(std::move(r));
  }
  auto section = [](AnnounceType t) { return std::min(static_cast<int>(t), 2); };
  std::sort(ranked.begin(), ranked.end(), [&section](const Ranked& a, const Ranked& b) {
    auto ka = std::make_tuple(section(a.entry.type), a.category_index, a.entry.position);
    auto kb = std::make_tuple(section(b.entry.type), b.category_index, b.entry.position);
    if (ka != kb) return ka < kb;
    return a.entry.paper.id < b.entry.paper.id;
  });
  std::vector<ListEntry> out;
  out.reserve(ranked.size());
  for (Ranked& r : ranked) out.push_back(std::move(r.entry));
  return out;
}

Result<std::vector<Paper>> PapersOfVenuePapers(std::span<const core::VenuePaper> papers) {
  std::vector<Paper> rows;
  rows.reserve(papers.size());
  for (const core::VenuePaper& v : papers) {
    if (v.id.find('@') == std::string::npos || v.venue.empty() || v.title.empty()) {
      return Err(Status::InvalidArgument("venue paper \"" + v.id +
                                         "\" needs an id \"<local>@<Source>\"" +
                                         ", an edition and a title"));
    }
    Paper p;
    p.id = v.id;
    p.version = 1;
    p.title = v.title;
    p.abstract = v.abstract;
    p.authors = v.authors;
    p.doi = v.doi;
    rows.push_back(std::move(p));
  }
  return rows;
}

void SortVenueEditions(std::vector<VenueEditionCount>& editions) {
  std::stable_sort(editions.begin(), editions.end(), [](const auto& a, const auto& b) {
    std::string ca, cb;
    int ya = 0, yb = 0;
    core::SplitEdition(a.edition, &ca, &ya);
    core::SplitEdition(b.edition, &cb, &yb);
    return ca != cb ? ca < cb : ya > yb;
  });
}

bool IsVenueId(std::string_view id) { return id.find('@') != std::string_view::npos; }

std::string DoiKey(std::string_view doi) {
  std::string d = core::ToLower(core::Trim(doi));
  for (std::string_view prefix : {"https://doi.org/", "http://doi.org/", "https://dx.doi.org/",
                                  "http://dx.doi.org/", "doi:"}) {
    if (core::StartsWith(d, prefix)) return d.substr(prefix.size());
  }
  return d;
}

LinkKeys LinkKeysOf(std::string_view title, std::string_view first_author, std::string_view doi) {
  std::vector<std::string> first_only;
  if (!first_author.empty()) first_only.emplace_back(first_author);
  return LinkKeys{core::TitleKey(title, first_only), DoiKey(doi)};
}

}  // namespace coolpapers::store
