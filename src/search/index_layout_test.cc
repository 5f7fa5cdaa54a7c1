#include "search/index_layout.h"

#include <gtest/gtest.h>

namespace coolpapers::search {
namespace {

TEST(DefaultIndexDirTest, SqliteIndexLivesBesideTheDatabaseFile) {
  EXPECT_EQ(DefaultIndexDir("sqlite:var/coolpapers.db"), "var/index");
  EXPECT_EQ(DefaultIndexDir("sqlite:test.db"), "index");
}

TEST(DefaultIndexDirTest, EachServerDatabaseHasItsOwnIndexWithoutItsCredentials) {
  EXPECT_EQ(DefaultIndexDir("postgresql://cp:secret@127.0.0.1:5432/coolpapers"),
            "var/index-127.0.0.1-5432-coolpapers");
  EXPECT_EQ(DefaultIndexDir("postgres://db.example.org/site?sslmode=require"),
            "var/index-db.example.org-site");
  EXPECT_NE(DefaultIndexDir("postgresql://h:5432/a"), DefaultIndexDir("postgresql://h:5432/b"));
  EXPECT_EQ(DefaultIndexDir("postgresql://cp:secret@h/x").find("secret"), std::string::npos);
}

}  // namespace
}  // namespace coolpapers::search
