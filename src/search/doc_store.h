#pragma once
// DocStore: the stored documents of one index generation in a flat file beside its Xapian
// database ("<generation>/docs.bin"), read through a memory map.
//
// Xapian keeps each document's data in a B-tree of compressed blocks: loading a result page of
// ten documents took about twenty block reads of 32 KB and ten inflates, a sixth of a search's
// time. The build writes every document's data once more, uncompressed and indexed by docid,
// so a page's documents are read from the page cache without a system call.
//
// The Xapian database stays the truth. Documents replaced after the build (an incremental
// update) are marked in the database's metadata (kDocStoreStaleKey, a bitmap by docid written
// in the same commit as the documents), and documents added after the build have docids past
// the file's; both are read from Xapian. A file that belongs to another database (its UUID
// differs) or does not parse is ignored.
//
// File layout (integers little-endian):
//   "CPDOCS01"                   8 bytes
//   database UUID                40 bytes, zero-padded
//   N                            uint64: docids 1..N are covered
//   offsets                      (N + 1) x uint64: docid d's data is [offsets[d-1], offsets[d])
//                                of the data area (an empty range: no such document)
//   data                         the documents' data, in docid order

#include <xapian.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "core/status.h"

namespace coolpapers::search {

// Metadata key of the bitmap of covered docids replaced since the build (bit d of byte d / 8).
inline constexpr const char* kDocStoreStaleKey = "docstore_stale";

class DocStore {
 public:
  ~DocStore();
  DocStore(const DocStore&) = delete;
  DocStore& operator=(const DocStore&) = delete;

  // "<dir of xapian_path>/docs.bin".
  static std::string PathFor(const std::string& xapian_path);
  // Writes the data of every document of the committed database at `xapian_path` to `path`
  // (atomically: a temporary file renamed into place).
  static Status Write(const std::string& xapian_path, const std::string& path);
  // The store at `path` for the database whose UUID is `uuid`; nullptr when there is no file,
  // or it belongs to another database. A file that does not parse is an error naming it and
  // the fix (rebuild the index).
  static Result<std::unique_ptr<DocStore>> Open(const std::string& path, const std::string& uuid);
  // Docids 1..covered() are in the file.
  Xapian::docid covered() const { return covered_; }
  // The data docid had at build time; nullopt when it is not covered or had no document.
  std::optional<std::string_view> Get(Xapian::docid docid) const;

 private:
  DocStore() = default;
  const unsigned char* map_ = nullptr;
  size_t size_ = 0;
  Xapian::docid covered_ = 0;
  const unsigned char* offsets_ = nullptr;  // (covered_ + 1) little-endian uint64
  const char* data_ = nullptr;
  uint64_t data_size_ = 0;
};

// Marks of replaced documents: reads and updates the kDocStoreStaleKey bitmap.
class StaleDocs {
 public:
  StaleDocs() = default;
  explicit StaleDocs(std::string bits) : bits_(std::move(bits)) {}
  bool Has(Xapian::docid docid) const {
    const size_t byte = docid / 8;
    return byte < bits_.size() && (static_cast<unsigned char>(bits_[byte]) >> (docid % 8)) & 1;
  }
  void Add(Xapian::docid docid);
  const std::string& bits() const { return bits_; }

 private:
  std::string bits_;
};

}  // namespace coolpapers::search
