#include "search/doc_store.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "search/keyword_index.h"
#include "search/test_util.h"

namespace coolpapers::search {
namespace {

using testing::Doc;
using testing::FixtureCorpus;
using testing::TempDir;

class DocStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::filesystem::create_directories(dir_.path() + "/gen");
    auto w = KeywordIndexWriter::Open(xapian(), true);
    ASSERT_TRUE(w) << w.error().ToString();
    for (const IndexDoc& d : FixtureCorpus()) ASSERT_TRUE((*w)->Put(d));
    ASSERT_TRUE((*w)->Commit({}).ok());
  }

  std::string xapian() const { return dir_.path() + "/gen/xapian"; }
  std::string docs() const { return dir_.path() + "/gen/docs.bin"; }
  std::string uuid() const { return Xapian::Database(xapian()).get_uuid(); }

  // Rewrites the data of `id` in Xapian alone (as no coolpapers writer would): tells which
  // copy a reader used.
  void SetXapianData(const std::string& id, const std::string& data) {
    Xapian::WritableDatabase db(xapian(), Xapian::DB_OPEN);
    const std::string term = std::string(kPrefixId) + id;
    Xapian::PostingIterator it = db.postlist_begin(term);
    ASSERT_NE(it, db.postlist_end(term));
    Xapian::Document doc = db.get_document(*it);
    doc.set_data(data);
    db.replace_document(*it, doc);
    db.commit();
  }

  // The title `searcher` finds for paper `id` ("" when none).
  static std::string TitleOf(KeywordIndexSearcher& searcher, const std::string& id) {
    auto found = searcher.Find(id);
    EXPECT_TRUE(found) << id;
    return found && found->has_value() ? (*found)->second.title : "";
  }

  TempDir dir_;
};

TEST_F(DocStoreTest, HoldsEveryDocumentAsXapianStoresIt) {
  EXPECT_EQ(DocStore::PathFor(xapian()), docs());
  EXPECT_EQ(DocStore::PathFor(xapian() + "/"), docs());
  ASSERT_TRUE(DocStore::Write(xapian(), docs()).ok());
  auto store = DocStore::Open(docs(), uuid());
  ASSERT_TRUE(store) << store.error().ToString();
  ASSERT_NE(*store, nullptr);
  Xapian::Database db(xapian());
  ASSERT_EQ((*store)->covered(), db.get_lastdocid());
  ASSERT_EQ((*store)->covered(), FixtureCorpus().size());
  for (Xapian::docid d = 1; d <= (*store)->covered(); ++d) {
    auto data = (*store)->Get(d);
    ASSERT_TRUE(data.has_value()) << d;
    EXPECT_EQ(*data, db.get_document(d).get_data()) << d;
  }
  EXPECT_FALSE((*store)->Get(0).has_value());
  EXPECT_FALSE((*store)->Get((*store)->covered() + 1).has_value());
  EXPECT_FALSE(std::filesystem::exists(docs() + ".tmp"));
}

TEST_F(DocStoreTest, AbsentOrAnotherDatabasesFileIsIgnoredAndADamagedOneNamed) {
  auto none = DocStore::Open(docs(), uuid());
  ASSERT_TRUE(none);
  EXPECT_EQ(*none, nullptr);
  ASSERT_TRUE(DocStore::Write(xapian(), docs()).ok());
  auto other = DocStore::Open(docs(), "00000000-0000-0000-0000-000000000000");
  ASSERT_TRUE(other);
  EXPECT_EQ(*other, nullptr);

  const auto size = std::filesystem::file_size(docs());
  std::filesystem::resize_file(docs(), size - 3);  // the last document cut short
  auto cut = DocStore::Open(docs(), uuid());
  ASSERT_FALSE(cut);
  EXPECT_NE(cut.error().message().find(docs()), std::string::npos) << cut.error().message();
  EXPECT_NE(cut.error().message().find("coolpapers index --rebuild"), std::string::npos);

  // A damaged entry of the offset table: its documents are read from Xapian.
  ASSERT_TRUE(DocStore::Write(xapian(), docs()).ok());
  {
    std::fstream f(docs(), std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(56 + 8 * 2);  // the end of docid 2 (and start of docid 3)
    const char huge[8] = {0, 0, 0, 0, 0, 0, 0, 1};
    f.write(huge, sizeof huge);
  }
  auto damaged = DocStore::Open(docs(), uuid());
  ASSERT_TRUE(damaged) << damaged.error().ToString();
  ASSERT_NE(*damaged, nullptr);
  EXPECT_TRUE((*damaged)->Get(1).has_value());
  EXPECT_FALSE((*damaged)->Get(2).has_value());
  EXPECT_FALSE((*damaged)->Get(3).has_value());
  EXPECT_TRUE((*damaged)->Get(4).has_value());
  {
    auto s = KeywordIndexSearcher::Open(xapian());
    ASSERT_TRUE(s);
    Xapian::Database db(xapian());
    for (Xapian::docid d : {2u, 3u}) {
      auto got = (*s)->Get(d);
      ASSERT_TRUE(got && got->has_value()) << d;
      EXPECT_EQ((*got)->id, ParseDoc(db.get_document(d).get_data())->id) << d;
    }
  }

  {
    std::ofstream(docs(), std::ios::trunc) << "not a document file at all, but long enough to "
                                              "hold a header of fifty-six bytes";
  }
  auto junk = DocStore::Open(docs(), uuid());
  ASSERT_FALSE(junk);
  EXPECT_NE(junk.error().message().find("not a document file"), std::string::npos);
  std::filesystem::resize_file(docs(), 10);
  EXPECT_FALSE(DocStore::Open(docs(), uuid()));
  // A searcher then reads from Xapian.
  auto s = KeywordIndexSearcher::Open(xapian());
  ASSERT_TRUE(s);
  EXPECT_FALSE((*s)->has_doc_store());
  EXPECT_EQ(TitleOf(**s, "2601.00003"), "Diffusion models for image synthesis");
}

// Pages read the file; documents replaced since (marked stale in the same commit) and
// documents added since (past the file's docids) are read from Xapian, also by a searcher
// opened before the change once it reopens.
TEST_F(DocStoreTest, SearchersReadTheFileExceptReplacedAndNewDocuments) {
  ASSERT_TRUE(DocStore::Write(xapian(), docs()).ok());
  // Xapian alone changes: a searcher still reads the file's copy.
  SetXapianData("2601.00003", SerializeDoc(Doc("2601.00003", "Xapian's own copy", "x")));
  auto s = KeywordIndexSearcher::Open(xapian());
  ASSERT_TRUE(s);
  EXPECT_TRUE((*s)->has_doc_store());
  EXPECT_EQ(TitleOf(**s, "2601.00003"), "Diffusion models for image synthesis");

  {
    auto w = KeywordIndexWriter::Open(xapian(), false);
    ASSERT_TRUE(w) << w.error().ToString();
    ASSERT_TRUE((*w)->Put(Doc("2601.00003", "Diffusion models revisited", "Updated abstract.")));
    ASSERT_TRUE((*w)->Put(Doc("2602.00009", "A new paper on diffusion", "Added later.")));
    ASSERT_TRUE((*w)->Commit({}).ok());
  }
  ASSERT_TRUE((*s)->Reopen().ok());
  KeywordQuery q;
  q.input = *PrepareQuery("diffusion");
  auto r = (*s)->Search(q);
  ASSERT_TRUE(r) << r.error().ToString();
  std::map<std::string, std::string> titles;
  for (const KeywordHit& h : r->hits) titles[h.doc.id] = h.doc.title;
  ASSERT_EQ(titles.size(), 2u);
  EXPECT_EQ(titles["2601.00003"], "Diffusion models revisited");
  EXPECT_EQ(titles["2602.00009"], "A new paper on diffusion");

  // The marks persist: a new writer keeps them and a new searcher reads them.
  {
    auto w = KeywordIndexWriter::Open(xapian(), false);
    ASSERT_TRUE(w);
    ASSERT_TRUE((*w)->Put(Doc("2601.00001", "Graph networks, second version", "Updated.")));
    ASSERT_TRUE((*w)->Commit({}).ok());
  }
  auto fresh = KeywordIndexSearcher::Open(xapian());
  ASSERT_TRUE(fresh);
  EXPECT_EQ(TitleOf(**fresh, "2601.00003"), "Diffusion models revisited");
  EXPECT_EQ(TitleOf(**fresh, "2601.00001"), "Graph networks, second version");
  EXPECT_EQ(TitleOf(**fresh, "2601.00005"), "Learned index structures");
}

TEST(StaleDocsTest, MarksDocidsInABitmap) {
  StaleDocs marks;
  EXPECT_FALSE(marks.Has(1));
  marks.Add(1);
  marks.Add(17);
  marks.Add(8);
  EXPECT_TRUE(marks.Has(1));
  EXPECT_TRUE(marks.Has(8));
  EXPECT_TRUE(marks.Has(17));
  EXPECT_FALSE(marks.Has(2));
  EXPECT_FALSE(marks.Has(16));
  EXPECT_FALSE(marks.Has(1000));
  EXPECT_EQ(marks.bits().size(), 3u);
  EXPECT_TRUE(StaleDocs(marks.bits()).Has(17));
}

}  // namespace
}  // namespace coolpapers::search
