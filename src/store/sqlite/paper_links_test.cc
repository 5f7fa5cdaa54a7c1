#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "store/sqlite/migrations.h"
#include "store/sqlite/sqlite_db.h"
#include "store/sqlite/sqlite_store.h"
#include "store/store.h"
#include "store/testing/sample_rows.h"
#include "store/testing/temp_store.h"

namespace coolpapers::store::sqlite {
namespace {

using testing::AclPaper;
using testing::ArxivPaper;
using testing::DescribeLinks;

class PaperLinksTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(store_.Open()); }
  void PutArxiv(std::vector<Paper> papers) {
    auto c = store_->Upsert(papers, {});
    ASSERT_TRUE(c) << c.error().ToString();
  }
  void PutVenue(std::vector<core::VenuePaper> papers) {
    auto c = store_->UpsertVenuePapers(papers);
    ASSERT_TRUE(c) << c.error().ToString();
    last_linked_ = c->linked;
  }
  std::string Links() {
    auto l = store_->ListLinks();
    EXPECT_TRUE(l) << l.error().ToString();
    return l ? DescribeLinks(*l) : "";
  }

  testing::TempStore store_{"cp_paper_links"};
  int64_t last_linked_ = -1;
};

// A database written before links existed (schema 2) gets its keys and links when opened.
TEST_F(PaperLinksTest, MigrationThreeLinksWhatIsAlreadyStored) {
  PutArxiv({ArxivPaper("2402.00001", "Quiet Title", {"Ada Lovelace"}, 2)});
  PutVenue({AclPaper("2024.acl-long.1@ACL", "Quiet Title", {"Ada Lovelace"})});
  std::string path = store_.db_path();
  store_.Close();
  {
    auto c = Connection::Open(path, false);
    ASSERT_TRUE(c);
    ASSERT_TRUE((*c)->Exec("DROP TABLE paper_links; DROP TABLE link_keys; "
                           "DELETE FROM schema_version WHERE version = 3")
                    .ok());
    EXPECT_EQ(*SchemaVersion(**c), 2);
  }
  ASSERT_TRUE(store_.Open());
  EXPECT_EQ(Links(), "2024.acl-long.1@ACL->2402.00001(title,v2) ");
  auto s = SqliteStore::Open(path);
  ASSERT_TRUE(s);
  EXPECT_EQ(*(*s)->SchemaVersion(), 3);
}

}  // namespace
}  // namespace coolpapers::store::sqlite
