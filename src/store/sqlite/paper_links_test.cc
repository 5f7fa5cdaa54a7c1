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

class PaperLinksTest : public testing::LinkTestBase<::testing::Test, testing::TempStore> {
 protected:
  PaperLinksTest() : LinkTestBase("cp_paper_links") {}
  void SetUp() override { ASSERT_TRUE(store_.Open()); }
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
