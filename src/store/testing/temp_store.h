#pragma once
// Test fixtures shared by every module's unit tests (header-only, test binaries only):
//
//   TempDir    a fresh directory under the system temp dir, named after the running test and
//              made unique with mkdtemp; removed with its contents on destruction.
//   TempStore  a TempDir holding one SQLite store opened through store::OpenStore; the store
//              is closed before the directory is removed.
//
//   store::testing::TempStore db("cp_web");
//   ASSERT_TRUE(db.Open());            // a failure reads "cannot open sqlite:/tmp/...: why"
//   db->Upsert(papers, memberships);   // Store methods through ->
//
// Both are move-less and copy-less: the directory belongs to exactly one owner.

#include <stdlib.h>

#include <cctype>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <system_error>

#include <gtest/gtest.h>

#include "store/store.h"

namespace coolpapers::store::testing {

class TempDir {
 public:
  // `prefix` starts the directory's name; the running test's suite and name follow it, so a
  // directory left behind by a crashed run says which test made it.
  explicit TempDir(std::string_view prefix = "cp_test") {
    std::string name(prefix);
    if (const auto* info = ::testing::UnitTest::GetInstance()->current_test_info()) {
      name += "_" + std::string(info->test_suite_name()) + "_" + info->name();
    }
    for (char& c : name) {  // parameterised tests have '/' in their names
      if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_' && c != '-') c = '_';
    }
    std::string templ = (std::filesystem::temp_directory_path() / (name + "_XXXXXX")).string();
    if (mkdtemp(templ.data()) == nullptr) {
      ADD_FAILURE() << "cannot create a temporary directory from " << templ
                    << "; check that TMPDIR is writable";
    }
    path_ = templ;
  }
  ~TempDir() {
    std::error_code ec;  // best effort: a test must not fail in clean-up
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  // The directory, as a string (for APIs that take paths as strings: `dir.path() + "/index"`).
  const std::string& path() const { return path_; }
  // A path inside the directory: `dir / "test.db"`.
  std::filesystem::path operator/(std::string_view name) const {
    return std::filesystem::path(path_) / name;
  }

 private:
  std::string path_;
};

class TempStore {
 public:
  // The store will live in <temp dir>/<file>; nothing is opened until Open().
  explicit TempStore(std::string_view prefix = "cp_store", std::string file = "test.db")
      : dir_(prefix), db_path_((dir_ / file).string()) {}
  TempStore(const TempStore&) = delete;
  TempStore& operator=(const TempStore&) = delete;

  // Opens the store (again, after Close(): the data on disk stays). Use as ASSERT_TRUE(Open()).
  ::testing::AssertionResult Open() {
    store_.reset();
    Result<std::unique_ptr<Store>> s = OpenStore(url());
    if (!s) {
      return ::testing::AssertionFailure() << "cannot open " << url() << ": "
                                           << s.error().ToString();
    }
    store_ = std::move(*s);
    return ::testing::AssertionSuccess();
  }
  // Closes the store; its files stay until the TempStore is destroyed.
  void Close() { store_.reset(); }

  Store* get() const { return store_.get(); }
  Store* operator->() const { return store_.get(); }
  Store& operator*() const { return *store_; }
  explicit operator bool() const { return store_ != nullptr; }

  const TempDir& dir() const { return dir_; }
  const std::string& db_path() const { return db_path_; }
  std::string url() const { return "sqlite:" + db_path_; }

 private:
  TempDir dir_;
  std::string db_path_;
  std::unique_ptr<Store> store_;  // declared last: closed before dir_ is removed
};

}  // namespace coolpapers::store::testing
