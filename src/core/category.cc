#include "core/category.h"

#include <algorithm>
#include <cassert>

#include "core/category_data.h"
#include "core/text.h"

namespace coolpapers::core {

// Builds a Taxonomy from the static tables in category_data.cc, with its lookup indices.
class TaxonomyBuilder {
 public:
  static Taxonomy Build() {
    Taxonomy t;
    for (const auto& a : taxonomy_data::Archives()) {
      t.archive_index_.emplace(ToLower(a.id), t.archives_.size());
      t.archives_.push_back(
          Archive{std::string(a.id), std::string(a.name), std::string(a.group), {}});
    }
    for (const auto& c : taxonomy_data::Categories()) {
      AddCategory(t, c.archive, c.id, c.name);
    }
    for (Archive& a : t.archives_) {
      if (a.categories.empty()) AddCategory(t, a.id, a.id, a.name);  // gr-qc, hep-th, ...
    }
    for (std::string_view legacy : taxonomy_data::LegacyArchiveCategories()) {
      const Archive& a = t.archives_[t.archive_index_.at(std::string(legacy))];
      t.category_index_.emplace(std::string(legacy), t.categories_.size());
      t.categories_.push_back(Category{a.id, a.name, a.id});
    }
    for (const auto& alias : taxonomy_data::Aliases()) {
      size_t target = t.category_index_.at(ToLower(alias.canonical));
      [[maybe_unused]] bool inserted =
          t.category_index_.emplace(ToLower(alias.alias), target).second;
      assert(inserted && "alias collides with a category");
      t.aliases_.emplace_back(std::string(alias.alias), std::string(alias.canonical));
    }
    return t;
  }

 private:
  static void AddCategory(Taxonomy& t, std::string_view archive, std::string_view id,
                          std::string_view name) {
    size_t a = t.archive_index_.at(std::string(archive));
    [[maybe_unused]] bool inserted =
        t.category_index_.emplace(ToLower(id), t.categories_.size()).second;
    assert(inserted && "category ids must differ ignoring case");
    t.categories_.push_back(Category{std::string(id), std::string(name), std::string(archive)});
    t.archives_[a].categories.emplace_back(id);
  }
};

const Taxonomy& Taxonomy::Default() {
  // Immutable after construction; built once, thread-safe by the language's static init rules.
  static const Taxonomy kTaxonomy = TaxonomyBuilder::Build();
  return kTaxonomy;
}

const Category* Taxonomy::FindCategory(std::string_view id) const {
  if (id.empty() || id.size() > 40) return nullptr;
  auto it = category_index_.find(ToLower(id));
  return it == category_index_.end() ? nullptr : &categories_[it->second];
}

const Archive* Taxonomy::FindArchive(std::string_view id) const {
  if (id.empty() || id.size() > 40) return nullptr;
  auto it = archive_index_.find(ToLower(id));
  return it == archive_index_.end() ? nullptr : &archives_[it->second];
}

std::optional<std::string> Taxonomy::Canonical(std::string_view id) const {
  const Category* c = FindCategory(id);
  if (c == nullptr) return std::nullopt;
  return c->id;
}

std::vector<std::string> Taxonomy::ExpandArchive(std::string_view archive_id) const {
  const Archive* a = FindArchive(archive_id);
  if (a == nullptr) return {};
  std::vector<std::string> out = a->categories;
  auto add = [&out](const std::string& id) {
    if (std::find(out.begin(), out.end(), id) == out.end()) out.push_back(id);
  };
  for (std::string_view legacy : taxonomy_data::LegacyArchiveCategories()) {
    if (legacy == a->id) add(a->id);
  }
  for (const auto& [alias, canonical] : aliases_) {
    size_t dot = alias.find('.');
    if (dot != std::string::npos && std::string_view(alias).substr(0, dot) == a->id) {
      add(canonical);
    }
  }
  return out;
}

namespace {

// Levenshtein distance, ASCII case-insensitive; `row` is scratch space reused between calls (no
// allocation per candidate: a 404 for an unknown category costs microseconds, not a millisecond).
size_t EditDistance(std::string_view a, std::string_view b, std::vector<size_t>& row) {
  auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; };
  row.resize(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diagonal = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      size_t above = row[j];
      size_t substitute = diagonal + (lower(a[i - 1]) != lower(b[j - 1]));
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, substitute});
      diagonal = above;
    }
  }
  return row[b.size()];
}

}  // namespace

std::string Taxonomy::ClosestId(std::string_view text) const {
  text = text.substr(0, 40);
  std::string best;
  size_t best_distance = SIZE_MAX;
  std::vector<size_t> row;
  auto consider = [&](const std::string& id) {
    // The distance is at least the difference in length: skip what cannot beat the best.
    size_t gap = id.size() > text.size() ? id.size() - text.size() : text.size() - id.size();
    if (gap >= best_distance) return;
    size_t d = EditDistance(text, id, row);
    if (d < best_distance) {
      best_distance = d;
      best = id;
    }
  };
  for (const Category& c : categories_) consider(c.id);
  for (const Archive& a : archives_) consider(a.id);
  for (const auto& alias : aliases_) consider(alias.second);  // suggest canonical spellings
  return best;
}

namespace {

constexpr size_t kMaxExpressionLength = 1000;

// The input as shown inside an error message: bounded and printable.
std::string Quote(std::string_view text) {
  std::string shown;
  for (char c : text.substr(0, 80)) {
    auto u = static_cast<unsigned char>(c);
    shown += (u < 0x20 || u == 0x7F) ? '?' : c;
  }
  if (text.size() > 80) shown += "...";
  return "'" + SanitizeUtf8(shown) + "'";
}

// One resolved term of an expression: its canonical text and the categories it covers.
struct Term {
  std::string text;
  std::vector<std::string> categories;
};

std::optional<Term> Resolve(std::string_view text, const Taxonomy& taxonomy) {
  if (const Archive* a = taxonomy.FindArchive(text)) {
    return Term{a->id, taxonomy.ExpandArchive(a->id)};
  }
  if (const Category* c = taxonomy.FindCategory(text)) return Term{c->id, {c->id}};
  return std::nullopt;
}

// A chunk between union separators is "a-b-c": one include followed by excludes. Ids contain
// '-' too ("hep-th", "cond-mat.str-el"), so each term is the longest run of '-'-joined pieces
// that names a known id.
Status SplitChunk(std::string_view chunk, std::string_view expr, const Taxonomy& taxonomy,
                  std::vector<Term>& include, std::vector<Term>& exclude) {
  std::vector<std::string> pieces = Split(chunk, '-', /*skip_empty=*/false);
  bool excluding = false;
  size_t i = 0;
  if (!pieces.empty() && pieces[0].empty()) {  // "-cs.CV": the chunk starts with an exclusion
    excluding = true;
    i = 1;
  }
  while (i < pieces.size()) {
    if (pieces[i].empty()) {  // "a--b"
      ++i;
      continue;
    }
    std::optional<Term> term;
    // The longest match first, but no id spans more than kMaxIdPieces dash-separated pieces:
    // trying every run of a long "cs-cs-cs-..." was cubic in the expression's length.
    size_t end = std::min(pieces.size(), i + kMaxIdPieces);
    for (; end > i; --end) {
      std::vector<std::string> run(pieces.begin() + i, pieces.begin() + end);
      if ((term = Resolve(Join(run, "-"), taxonomy))) break;
    }
    if (!term) {
      // Name the unknown part up to the next piece that starts a known id.
      size_t stop = i + 1;
      while (stop < pieces.size() && !Resolve(pieces[stop], taxonomy)) ++stop;
      std::string bad =
          Join(std::vector<std::string>(pieces.begin() + i, pieces.begin() + stop), "-");
      return Status::InvalidArgument(
          "unknown arXiv category " + Quote(bad) + " in " + Quote(expr) + "; did you mean " +
          taxonomy.ClosestId(bad) +
          "? Use ids like cs.CL, archives like cs, a,b for a union and a+b-c to exclude c");
    }
    (excluding ? exclude : include).push_back(std::move(*term));
    excluding = true;
    i = end;
  }
  return Status::Ok();
}

void AppendUnique(std::vector<std::string>& out, const std::vector<std::string>& ids) {
  for (const std::string& id : ids) {
    if (std::find(out.begin(), out.end(), id) == out.end()) out.push_back(id);
  }
}

std::vector<std::string> UniqueTexts(const std::vector<Term>& terms) {
  std::vector<std::string> out;
  for (const Term& t : terms) AppendUnique(out, {t.text});
  return out;
}

// Accepts an undecoded "%2C" / "%2B" too, and treats whitespace (a decoded '+') as '+'.
std::string NormalizeSeparators(std::string_view expr) {
  std::string out;
  for (size_t i = 0; i < expr.size(); ++i) {
    if (expr[i] == '%' && i + 2 < expr.size()) {
      std::string hex = ToLower(expr.substr(i + 1, 2));
      if (hex == "2c" || hex == "2b") {
        out += hex == "2c" ? ',' : '+';
        i += 2;
        continue;
      }
    }
    char c = expr[i];
    out += (c == ' ' || c == '\t') ? '+' : c;
  }
  return out;
}

}  // namespace

Result<CategoryFilter> ParseCategoryExpression(std::string_view expr, const Taxonomy& taxonomy) {
  std::string_view trimmed = Trim(expr);
  if (trimmed.empty()) {
    return Err(Status::InvalidArgument(
        "empty category expression; use an id like cs.CL, an archive like cs, or cs.CL,cs.LG"));
  }
  if (trimmed.size() > kMaxExpressionLength) {
    return Err(Status::InvalidArgument("category expression " + Quote(trimmed) + " is too long (" +
                                       std::to_string(trimmed.size()) + " characters; at most " +
                                       std::to_string(kMaxExpressionLength) + ")"));
  }
  std::string normalized = NormalizeSeparators(trimmed);
  std::vector<Term> include, exclude;
  size_t start = 0;
  for (size_t i = 0; i <= normalized.size(); ++i) {
    if (i < normalized.size() && normalized[i] != ',' && normalized[i] != '+') continue;
    std::string_view chunk = std::string_view(normalized).substr(start, i - start);
    start = i + 1;
    if (chunk.empty()) continue;
    if (Status s = SplitChunk(chunk, trimmed, taxonomy, include, exclude); !s.ok()) {
      return Err(std::move(s));
    }
  }
  if (include.empty()) {
    return Err(Status::InvalidArgument("category expression " + Quote(trimmed) +
                                       " includes no category; start with one, e.g. cs.AI-cs.CV"));
  }
  CategoryFilter filter;
  for (const Term& t : include) AppendUnique(filter.include, t.categories);
  for (const Term& t : exclude) AppendUnique(filter.exclude, t.categories);
  std::vector<std::string> inc = UniqueTexts(include), exc = UniqueTexts(exclude);
  if (exc.empty()) {
    filter.canonical = Join(inc, ",");
  } else {
    filter.canonical = Join(inc, "+");
    for (const std::string& e : exc) filter.canonical += "-" + e;
  }
  return filter;
}

}  // namespace coolpapers::core
