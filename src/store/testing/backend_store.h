#pragma once
// BackendStore: a fresh store of one backend for one test (test binaries only), so one
// parameterised suite runs the Store contract on every backend:
//
//   class MyTest : public ::testing::TestWithParam<store::testing::Backend> {
//    protected:
//     store::testing::BackendStore store_{GetParam()};
//   };
//   TEST_P(MyTest, X) { ASSERT_TRUE(store_.Open()); store_->Upsert(...); }
//   INSTANTIATE_TEST_SUITE_P(Backends, MyTest, store::testing::AllBackends(),
//                            store::testing::BackendName);
//
// SQLite: a file in a TempDir. PostgreSQL: a TempPgDatabase on the test cluster (ctest fixture
// pg); without one the test fails saying how to start it.

#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "store/store.h"
#include "store/testing/temp_pg.h"
#include "store/testing/temp_store.h"

namespace coolpapers::store::testing {

enum class Backend { kSqlite, kPostgres };

inline ::testing::internal::ParamGenerator<Backend> AllBackends() {
  return ::testing::Values(Backend::kSqlite, Backend::kPostgres);
}

// gtest prints the parameter by name ("Postgres"), not as bytes.
inline void PrintTo(Backend b, std::ostream* os) {
  *os << (b == Backend::kSqlite ? "Sqlite" : "Postgres");
}

inline std::string BackendName(const ::testing::TestParamInfo<Backend>& info) {
  return info.param == Backend::kSqlite ? "Sqlite" : "Postgres";
}

class BackendStore {
 public:
  explicit BackendStore(Backend backend) : backend_(backend) {
    if (backend_ == Backend::kSqlite) {
      dir_ = std::make_unique<TempDir>("cp_store");
    } else {
      pg_ = std::make_unique<TempPgDatabase>();
    }
  }
  BackendStore(const BackendStore&) = delete;
  BackendStore& operator=(const BackendStore&) = delete;
  ~BackendStore() { store_.reset(); }  // closed before its database goes

  // Opens the store (again, after Close(): the data stays). Use as ASSERT_TRUE(Open()).
  ::testing::AssertionResult Open() {
    store_.reset();
    if (pg_ && !pg_->ok()) return ::testing::AssertionFailure() << pg_->error();
    Result<std::unique_ptr<Store>> s = OpenStore(url());
    if (!s) {
      return ::testing::AssertionFailure() << "cannot open " << url() << ": "
                                           << s.error().ToString();
    }
    store_ = std::move(*s);
    return ::testing::AssertionSuccess();
  }
  // Another store on the same database (a second node or process).
  Result<std::unique_ptr<Store>> OpenAnother() const { return OpenStore(url()); }
  void Close() { store_.reset(); }

  Store* get() const { return store_.get(); }
  Store* operator->() const { return store_.get(); }
  Store& operator*() const { return *store_; }

  Backend backend() const { return backend_; }
  std::string url() const {
    return backend_ == Backend::kSqlite ? "sqlite:" + (*dir_ / "test.db").string() : pg_->url();
  }

 private:
  Backend backend_;
  std::unique_ptr<TempDir> dir_;
  std::unique_ptr<TempPgDatabase> pg_;
  std::unique_ptr<Store> store_;  // declared last: closed first
};

}  // namespace coolpapers::store::testing
