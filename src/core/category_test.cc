#include "core/category.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <set>

namespace coolpapers::core {
namespace {

using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::UnorderedElementsAre;

const Taxonomy& T() { return Taxonomy::Default(); }

TEST(TaxonomyTest, HasEveryGroupAndArchiveInArxivOrder) {
  std::vector<std::string> ids, groups;
  for (const Archive& a : T().archives()) {
    ids.push_back(a.id);
    if (groups.empty() || groups.back() != a.group) groups.push_back(a.group);
  }
  EXPECT_THAT(ids,
              ElementsAre("cs", "econ", "eess", "math", "astro-ph", "cond-mat", "gr-qc", "hep-ex",
                          "hep-lat", "hep-ph", "hep-th", "math-ph", "nlin", "nucl-ex", "nucl-th",
                          "physics", "quant-ph", "q-bio", "q-fin", "stat"));
  EXPECT_THAT(groups,
              ElementsAre("Computer Science", "Economics",
                          "Electrical Engineering and Systems Science", "Mathematics", "Physics",
                          "Quantitative Biology", "Quantitative Finance", "Statistics"));
}

TEST(TaxonomyTest, CategoryCountsPerArchive) {
  auto count = [](std::string_view id) { return T().FindArchive(id)->categories.size(); };
  EXPECT_EQ(count("cs"), 38u);    // 40 on arXiv's page minus the aliases cs.NA and cs.SY
  EXPECT_EQ(count("math"), 30u);  // 32 minus math.IT and math.MP
  EXPECT_EQ(count("physics"), 22u);
  EXPECT_EQ(count("astro-ph"), 6u);
  EXPECT_EQ(count("cond-mat"), 9u);
  EXPECT_EQ(count("nlin"), 5u);
  EXPECT_EQ(count("q-bio"), 10u);
  EXPECT_EQ(count("q-fin"), 8u);
  EXPECT_EQ(count("stat"), 5u);
  EXPECT_EQ(count("econ"), 3u);
  EXPECT_EQ(count("eess"), 4u);
  size_t total = 0;
  for (const Archive& a : T().archives()) total += a.categories.size();
  EXPECT_EQ(total, 149u);  // 140 subcategories + 9 single-category archives
}

TEST(TaxonomyTest, EveryListedCategoryIsFindableWithItsArchive) {
  std::set<std::string> seen;
  for (const Archive& a : T().archives()) {
    EXPECT_FALSE(a.name.empty());
    EXPECT_FALSE(a.categories.empty()) << a.id;
    for (const std::string& id : a.categories) {
      EXPECT_TRUE(seen.insert(id).second) << "duplicate " << id;
      const Category* c = T().FindCategory(id);
      ASSERT_NE(c, nullptr) << id;
      EXPECT_EQ(c->id, id);
      EXPECT_EQ(c->archive, a.id);
      EXPECT_FALSE(c->name.empty());
      EXPECT_EQ(T().Canonical(id), id);
    }
  }
}

TEST(TaxonomyTest, NamesMatchArxiv) {
  auto name = [](std::string_view id) { return T().FindCategory(id)->name; };
  EXPECT_EQ(name("cs.CL"), "Computation and Language");
  EXPECT_EQ(name("cs.LG"), "Machine Learning");
  EXPECT_EQ(name("cs.CE"), "Computational Engineering, Finance, and Science");
  EXPECT_EQ(name("math.KT"), "K-Theory and Homology");
  EXPECT_EQ(name("astro-ph.CO"), "Cosmology and Nongalactic Astrophysics");
  EXPECT_EQ(name("cond-mat.mes-hall"), "Mesoscale and Nanoscale Physics");
  EXPECT_EQ(name("physics.data-an"), "Data Analysis, Statistics and Probability");
  EXPECT_EQ(name("hep-th"), "High Energy Physics - Theory");
  EXPECT_EQ(name("quant-ph"), "Quantum Physics");
  EXPECT_EQ(name("q-fin.TR"), "Trading and Market Microstructure");
  EXPECT_EQ(name("eess.AS"), "Audio and Speech Processing");
  EXPECT_EQ(name("econ.GN"), "General Economics");
  EXPECT_EQ(name("stat.ML"), "Machine Learning");
  EXPECT_EQ(T().FindArchive("eess")->group, "Electrical Engineering and Systems Science");
  EXPECT_EQ(T().FindArchive("hep-th")->categories, std::vector<std::string>{"hep-th"});
}

TEST(TaxonomyTest, AliasesResolveToArxivsCanonicalSide) {
  EXPECT_EQ(T().Canonical("math.IT"), "cs.IT");
  EXPECT_EQ(T().Canonical("math.MP"), "math-ph");
  EXPECT_EQ(T().Canonical("stat.TH"), "math.ST");
  EXPECT_EQ(T().Canonical("cs.NA"), "math.NA");
  EXPECT_EQ(T().Canonical("cs.SY"), "eess.SY");
  EXPECT_EQ(T().Canonical("q-fin.EC"), "econ.GN");
  EXPECT_EQ(T().FindCategory("math.IT")->archive, "cs");
  EXPECT_EQ(T().FindCategory("cs.SY")->name, "Systems and Control");
}

TEST(TaxonomyTest, SubsumedLegacyArchives) {
  EXPECT_EQ(T().Canonical("cmp-lg"), "cs.CL");
  EXPECT_EQ(T().Canonical("adap-org"), "nlin.AO");
  EXPECT_EQ(T().Canonical("chao-dyn"), "nlin.CD");
  EXPECT_EQ(T().Canonical("solv-int"), "nlin.SI");
  EXPECT_EQ(T().Canonical("patt-sol"), "nlin.PS");
  EXPECT_EQ(T().Canonical("comp-gas"), "nlin.CG");
  EXPECT_EQ(T().Canonical("alg-geom"), "math.AG");
  EXPECT_EQ(T().Canonical("dg-ga"), "math.DG");
  EXPECT_EQ(T().Canonical("funct-an"), "math.FA");
  EXPECT_EQ(T().Canonical("q-alg"), "math.QA");
  EXPECT_EQ(T().Canonical("mtrl-th"), "cond-mat.mtrl-sci");
  EXPECT_EQ(T().Canonical("supr-con"), "cond-mat.supr-con");
  EXPECT_EQ(T().Canonical("acc-phys"), "physics.acc-ph");
  EXPECT_EQ(T().Canonical("ao-sci"), "physics.ao-ph");
  EXPECT_EQ(T().Canonical("atom-ph"), "physics.atom-ph");
  EXPECT_EQ(T().Canonical("chem-ph"), "physics.chem-ph");
  EXPECT_EQ(T().Canonical("plasm-ph"), "physics.plasm-ph");
  EXPECT_EQ(T().Canonical("bayes-an"), "physics.data-an");
  // Old papers list the bare archive as their category.
  EXPECT_EQ(T().Canonical("astro-ph"), "astro-ph");
  EXPECT_EQ(T().Canonical("cond-mat"), "cond-mat");
}

TEST(TaxonomyTest, CaseInsensitiveLookupReturnsArxivSpelling) {
  EXPECT_EQ(T().Canonical("CS.cl"), "cs.CL");
  EXPECT_EQ(T().Canonical("cs.cl"), "cs.CL");
  EXPECT_EQ(T().Canonical("HEP-TH"), "hep-th");
  EXPECT_EQ(T().Canonical("Cond-Mat.Str-El"), "cond-mat.str-el");
  EXPECT_EQ(T().Canonical("MATH.it"), "cs.IT");
  EXPECT_EQ(T().FindArchive("CS")->id, "cs");
  EXPECT_EQ(T().Canonical("cs.XY"), std::nullopt);
  EXPECT_EQ(T().Canonical(""), std::nullopt);
  EXPECT_EQ(T().Canonical("cs"), std::nullopt);  // an archive, not a category
  EXPECT_EQ(T().FindArchive("cs.CL"), nullptr);
  EXPECT_EQ(T().FindCategory(std::string(10000, 'x')), nullptr);
}

TEST(TaxonomyTest, ExpandArchiveIncludesAliasTargetsAndLegacyCategory) {
  std::vector<std::string> cs = T().ExpandArchive("cs");
  EXPECT_EQ(cs.size(), 40u);
  EXPECT_THAT(cs, Contains("math.NA"));
  EXPECT_THAT(cs, Contains("eess.SY"));
  std::vector<std::string> math = T().ExpandArchive("math");
  EXPECT_THAT(math, Contains("cs.IT"));
  EXPECT_THAT(math, Contains("math-ph"));
  EXPECT_THAT(T().ExpandArchive("stat"), Contains("math.ST"));
  EXPECT_THAT(T().ExpandArchive("q-fin"), Contains("econ.GN"));
  EXPECT_THAT(T().ExpandArchive("astro-ph"), Contains("astro-ph"));
  EXPECT_EQ(T().ExpandArchive("gr-qc"), std::vector<std::string>{"gr-qc"});
  EXPECT_TRUE(T().ExpandArchive("nope").empty());
}

TEST(TaxonomyTest, ClosestIdSuggestsNearMisses) {
  EXPECT_EQ(T().ClosestId("cs.CLL"), "cs.CL");
  EXPECT_EQ(T().ClosestId("hep-tk"), "hep-th");
  EXPECT_EQ(T().ClosestId("quant_ph"), "quant-ph");
  EXPECT_EQ(T().ClosestId("astro-ph.co"), "astro-ph.CO");
}

TEST(CategoryExpressionTest, SingleCategory) {
  auto f = ParseCategoryExpression("cs.CL");
  ASSERT_TRUE(f) << f.error().message();
  EXPECT_THAT(f->include, ElementsAre("cs.CL"));
  EXPECT_TRUE(f->exclude.empty());
  EXPECT_EQ(f->canonical, "cs.CL");
}

TEST(CategoryExpressionTest, CaseAndAliasesAreCanonicalised) {
  auto f = ParseCategoryExpression("CS.cl");
  ASSERT_TRUE(f);
  EXPECT_EQ(f->canonical, "cs.CL");
  f = ParseCategoryExpression("math.IT");
  ASSERT_TRUE(f);
  EXPECT_EQ(f->canonical, "cs.IT");
  EXPECT_THAT(f->include, ElementsAre("cs.IT"));
  f = ParseCategoryExpression("cmp-lg");
  ASSERT_TRUE(f);
  EXPECT_EQ(f->canonical, "cs.CL");
}

TEST(CategoryExpressionTest, ArchiveExpandsToAllItsCategories) {
  auto f = ParseCategoryExpression("cs");
  ASSERT_TRUE(f);
  EXPECT_EQ(f->canonical, "cs");
  EXPECT_EQ(f->include.size(), 40u);
  EXPECT_THAT(f->include, Contains("cs.AI"));
  EXPECT_THAT(f->include, Contains("cs.SI"));
  f = ParseCategoryExpression("hep-th");
  ASSERT_TRUE(f);
  EXPECT_THAT(f->include, ElementsAre("hep-th"));
  EXPECT_EQ(f->canonical, "hep-th");
}

TEST(CategoryExpressionTest, UnionWithCommasSpacesAndEncodedCommas) {
  for (std::string_view expr : {"cs.CL,cs.LG", "cs.CL, cs.LG", "cs.CL%2Ccs.LG", "cs.CL,,cs.LG,",
                                "cs.cl,CS.LG,cs.CL", "cs.CL+cs.LG"}) {
    auto f = ParseCategoryExpression(expr);
    ASSERT_TRUE(f) << expr << ": " << f.error().message();
    EXPECT_THAT(f->include, ElementsAre("cs.CL", "cs.LG")) << expr;
    EXPECT_TRUE(f->exclude.empty());
    EXPECT_EQ(f->canonical, "cs.CL,cs.LG") << expr;
  }
}

TEST(CategoryExpressionTest, UnionAndDifference) {
  auto f = ParseCategoryExpression("cs.AI+cs.LG-cs.CV-stat.ML");
  ASSERT_TRUE(f) << f.error().message();
  EXPECT_THAT(f->include, ElementsAre("cs.AI", "cs.LG"));
  EXPECT_THAT(f->exclude, ElementsAre("cs.CV", "stat.ML"));
  EXPECT_EQ(f->canonical, "cs.AI+cs.LG-cs.CV-stat.ML");
  // A decoded '+' arrives as a space.
  f = ParseCategoryExpression("cs.AI cs.LG-cs.CV");
  ASSERT_TRUE(f);
  EXPECT_EQ(f->canonical, "cs.AI+cs.LG-cs.CV");
}

TEST(CategoryExpressionTest, HyphenatedIdsAreNotMistakenForExclusions) {
  auto f = ParseCategoryExpression("hep-th-hep-ph");
  ASSERT_TRUE(f) << f.error().message();
  EXPECT_THAT(f->include, ElementsAre("hep-th"));
  EXPECT_THAT(f->exclude, ElementsAre("hep-ph"));
  f = ParseCategoryExpression("cond-mat-cond-mat.str-el+quant-ph");
  ASSERT_TRUE(f) << f.error().message();
  EXPECT_THAT(f->include, Contains("cond-mat.soft"));
  EXPECT_THAT(f->include, Contains("quant-ph"));
  EXPECT_THAT(f->include, Contains("cond-mat.str-el"));  // listed, but also excluded:
  EXPECT_THAT(f->exclude, ElementsAre("cond-mat.str-el"));
  EXPECT_EQ(f->canonical, "cond-mat+quant-ph-cond-mat.str-el");
  f = ParseCategoryExpression("cs-cs.CV");
  ASSERT_TRUE(f);
  EXPECT_THAT(f->exclude, ElementsAre("cs.CV"));
  EXPECT_THAT(f->include, Contains("cs.CV"));
}

TEST(CategoryExpressionTest, ArchiveExclusionExpands) {
  auto f = ParseCategoryExpression("cs.LG-stat");
  ASSERT_TRUE(f);
  EXPECT_THAT(f->include, ElementsAre("cs.LG"));
  EXPECT_THAT(f->exclude, UnorderedElementsAre("stat.AP", "stat.CO", "stat.ME", "stat.ML",
                                               "stat.OT", "math.ST"));
}

TEST(CategoryExpressionTest, UnknownPartIsNamedWithASuggestion) {
  auto f = ParseCategoryExpression("cs.AI+cs.XY-cs.CV");
  ASSERT_FALSE(f);
  EXPECT_EQ(f.error().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(f.error().message(), HasSubstr("'cs.XY'"));
  EXPECT_THAT(f.error().message(), HasSubstr("did you mean cs."));
  f = ParseCategoryExpression("cs.CLL");
  ASSERT_FALSE(f);
  EXPECT_THAT(f.error().message(), HasSubstr("'cs.CLL'"));
  EXPECT_THAT(f.error().message(), HasSubstr("did you mean cs.CL?"));
  f = ParseCategoryExpression("hep-xx");
  ASSERT_FALSE(f);
  EXPECT_THAT(f.error().message(), HasSubstr("'hep-xx'"));
  f = ParseCategoryExpression("foo.XX-cs.CV");
  ASSERT_FALSE(f);
  EXPECT_THAT(f.error().message(), HasSubstr("category 'foo.XX' in 'foo.XX-cs.CV'"));
}

TEST(TaxonomyTest, NoIdHasMoreDashSeparatedPiecesThanTheParserJoins) {
  const Taxonomy& t = Taxonomy::Default();
  auto pieces = [](const std::string& id) {
    return static_cast<size_t>(std::count(id.begin(), id.end(), '-')) + 1;
  };
  size_t most = 0, ids = 0;
  for (const Archive& a : t.archives()) {
    most = std::max(most, pieces(a.id));
    ++ids;
    for (const std::string& c : t.ExpandArchive(a.id)) {
      most = std::max(most, pieces(c));
      ++ids;
    }
  }
  for (const auto& [alias, canonical] : t.aliases()) {
    most = std::max({most, pieces(alias), pieces(canonical)});
    ++ids;
  }
  ASSERT_GT(ids, 150u);
  EXPECT_EQ(most, kMaxIdPieces);
}

TEST(CategoryExpressionTest, LongDashRunsParseInLinearTime) {
  // "cs-cs-cs-..." (an archive, then 332 exclusions of it) tried every run of pieces: cubic,
  // seconds per request in a sanitizer build. Now each piece tries at most kMaxIdPieces runs.
  std::string expr;
  for (int i = 0; i < 333; ++i) expr += "cs-";
  auto f = ParseCategoryExpression(expr);
  ASSERT_TRUE(f) << f.error().ToString();
  EXPECT_EQ(f->canonical, "cs-cs");  // each term once
  EXPECT_EQ(f->include, f->exclude);
  std::string mixed;
  for (int i = 0; i < 50; ++i) mixed += "cond-mat.stat-mech-";
  auto g = ParseCategoryExpression("cs+" + mixed);
  ASSERT_TRUE(g) << g.error().ToString();
  EXPECT_EQ(g->exclude, std::vector<std::string>{"cond-mat.stat-mech"});
}

TEST(CategoryExpressionTest, RejectsEmptyHostileAndExcludeOnly) {
  for (std::string_view bad :
       {"", "  ", ",", "-cs.CV", "../etc", "cs.CL/../x", "<script>", "2402.12354"}) {
    auto f = ParseCategoryExpression(bad);
    ASSERT_FALSE(f) << bad;
    EXPECT_EQ(f.error().code(), StatusCode::kInvalidArgument);
  }
  auto f = ParseCategoryExpression(std::string(100000, 'a'));
  ASSERT_FALSE(f);
  EXPECT_LT(f.error().message().size(), 300u);
  std::string many;
  for (int i = 0; i < 150; ++i) many += "cs.CL,";
  f = ParseCategoryExpression(many);
  ASSERT_TRUE(f);  // 900 characters, one category
  EXPECT_EQ(f->canonical, "cs.CL");
}

}  // namespace
}  // namespace coolpapers::core
