#pragma once
// TempPgDatabase: a fresh PostgreSQL database for one test on the throwaway cluster that ctest
// starts (scripts/pg-cluster.sh, fixture "pg"; its URL is in the file named by
// COOLPAPERS_TEST_PG_URL_FILE). Dropped on destruction, connections included.
//
//   store::testing::TempPgDatabase pg;
//   ASSERT_TRUE(pg.ok()) << pg.error();
//   auto s = store::OpenStore(pg.url());
//
// Without a running cluster the test fails, saying how to start one: tests about PostgreSQL
// never pass by skipping.

#include <stdlib.h>

#include <atomic>
#include <cctype>
#include <fstream>
#include <random>
#include <string>

#include <gtest/gtest.h>
#include <pqxx/pqxx>

namespace coolpapers::store::testing {

// The cluster's URL ("postgresql://coolpapers@127.0.0.1:PORT/postgres"), "" with *why set when
// there is none.
inline std::string TestPgClusterUrl(std::string* why) {
  const char* file = std::getenv("COOLPAPERS_TEST_PG_URL_FILE");
#ifdef COOLPAPERS_TEST_PG_URL_FILE_DEFAULT
  if (file == nullptr || *file == '\0') file = COOLPAPERS_TEST_PG_URL_FILE_DEFAULT;
#endif
  if (file == nullptr || *file == '\0') {
    *why = "COOLPAPERS_TEST_PG_URL_FILE is not set; run the test through ctest (fixture pg), or "
           "start a cluster with `scripts/pg-cluster.sh start DIR` and set it to DIR/url";
    return "";
  }
  std::ifstream in(file);
  std::string url;
  std::getline(in, url);
  if (url.empty()) {
    *why = std::string("no PostgreSQL test cluster: ") + file +
           " is missing or empty; run the test through ctest (fixture pg starts one) or "
           "`scripts/pg-cluster.sh start " + file + "/..`";
  }
  return url;
}

// `cluster_url` with its database name replaced by `db`.
inline std::string WithDatabase(const std::string& cluster_url, const std::string& db) {
  size_t slash = cluster_url.find('/', cluster_url.find("://") + 3);
  std::string base = slash == std::string::npos ? cluster_url : cluster_url.substr(0, slash);
  return base + "/" + db;
}

class TempPgDatabase {
 public:
  TempPgDatabase() {
    std::string cluster = TestPgClusterUrl(&error_);
    if (cluster.empty()) {
      ADD_FAILURE() << error_;
      return;
    }
    std::string name = "cp";
    if (const auto* info = ::testing::UnitTest::GetInstance()->current_test_info()) {
      name += "_" + std::string(info->name()).substr(0, 40);
    }
    for (char& c : name) {
      c = std::isalnum(static_cast<unsigned char>(c)) ? static_cast<char>(std::tolower(c)) : '_';
    }
    static std::atomic<unsigned> counter{0};
    std::random_device rd;
    name += "_" + std::to_string(rd() % 1000000) + "_" + std::to_string(counter++);
    try {
      pqxx::connection c(cluster);
      pqxx::nontransaction n(c);
      n.exec("CREATE DATABASE " + name + " TEMPLATE template0");
      admin_url_ = cluster;
      name_ = name;
      url_ = WithDatabase(cluster, name);
    } catch (const std::exception& e) {
      error_ = std::string("cannot create test database ") + name + " on " + cluster + ": " +
               e.what();
      ADD_FAILURE() << error_;
    }
  }
  ~TempPgDatabase() {
    if (name_.empty()) return;
    try {  // best effort: a test must not fail in clean-up
      pqxx::connection c(admin_url_);
      pqxx::nontransaction n(c);
      n.exec("DROP DATABASE IF EXISTS " + name_ + " WITH (FORCE)");
    } catch (const std::exception&) {
    }
  }
  TempPgDatabase(const TempPgDatabase&) = delete;
  TempPgDatabase& operator=(const TempPgDatabase&) = delete;

  bool ok() const { return !url_.empty(); }
  const std::string& error() const { return error_; }
  // "postgresql://coolpapers@127.0.0.1:PORT/<this test's database>"
  const std::string& url() const { return url_; }
  const std::string& name() const { return name_; }

 private:
  std::string admin_url_, name_, url_, error_;
};

}  // namespace coolpapers::store::testing
