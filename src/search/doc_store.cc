#include "search/doc_store.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <limits>
#include <vector>

namespace coolpapers::search {
namespace {

constexpr char kMagic[8] = {'C', 'P', 'D', 'O', 'C', 'S', '0', '1'};
constexpr size_t kUuidBytes = 40;
constexpr size_t kHeaderBytes = sizeof(kMagic) + kUuidBytes + 8;

void PutU64(unsigned char* p, uint64_t v) {
  for (int i = 0; i < 8; ++i) p[i] = static_cast<unsigned char>(v >> (8 * i));
}

uint64_t GetU64(const unsigned char* p) {
  uint64_t v = 0;
  for (int i = 7; i >= 0; --i) v = (v << 8) | p[i];
  return v;
}

std::string Errno(const std::string& what, const std::string& path) {
  return what + " " + path + ": " + std::strerror(errno);
}

// Writes `n` bytes at `offset` of `fd`, retrying short writes.
bool WriteAt(int fd, const void* buf, size_t n, off_t offset) {
  const auto* p = static_cast<const char*>(buf);
  while (n > 0) {
    const ssize_t w = pwrite(fd, p, n, offset);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) return false;
    p += w;
    n -= static_cast<size_t>(w);
    offset += w;
  }
  return true;
}

}  // namespace

DocStore::~DocStore() {
  if (map_ != nullptr) munmap(const_cast<unsigned char*>(map_), size_);
}

std::string DocStore::PathFor(const std::string& xapian_path) {
  std::string dir = xapian_path;
  while (dir.size() > 1 && dir.back() == '/') dir.pop_back();
  const size_t slash = dir.rfind('/');
  dir = slash == std::string::npos ? "." : dir.substr(0, slash == 0 ? 1 : slash);
  return dir + "/docs.bin";
}

Status DocStore::Write(const std::string& xapian_path, const std::string& path) {
  const std::string tmp = path + ".tmp";
  std::vector<uint64_t> offsets;
  std::string uuid;
  const int fd = open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return Status::Internal(Errno("cannot create", tmp) + "; check the index directory");
  auto fail = [&](const std::string& why) {
    close(fd);
    unlink(tmp.c_str());
    return Status::Internal(why + "; check free disk space, then rerun `coolpapers index`");
  };
  try {
    Xapian::Database db(xapian_path);
    uuid = db.get_uuid();
    const Xapian::docid last = db.get_lastdocid();
    offsets.assign(static_cast<size_t>(last) + 1, 0);
    const off_t data_start = static_cast<off_t>(kHeaderBytes + offsets.size() * 8);
    // Documents in docid order through a buffer; the offsets go in front once known.
    std::string buf;
    off_t at = data_start;
    uint64_t data_bytes = 0;
    Xapian::docid next = 1;
    for (auto it = db.postlist_begin(""); it != db.postlist_end(""); ++it) {
      const Xapian::docid d = *it;
      for (; next < d; ++next) offsets[next] = data_bytes;  // no document
      buf += db.get_document(d).get_data();
      data_bytes = static_cast<uint64_t>(at - data_start) + buf.size();
      offsets[d] = data_bytes;
      next = d + 1;
      if (buf.size() >= (1u << 20)) {
        if (!WriteAt(fd, buf.data(), buf.size(), at)) return fail(Errno("cannot write", tmp));
        at += static_cast<off_t>(buf.size());
        buf.clear();
      }
    }
    for (; next <= last; ++next) offsets[next] = data_bytes;
    if (!buf.empty() && !WriteAt(fd, buf.data(), buf.size(), at)) {
      return fail(Errno("cannot write", tmp));
    }
  } catch (const Xapian::Error& e) {
    return fail("reading the search index " + xapian_path + " for " + path + ": " +
                e.get_description());
  }
  std::vector<unsigned char> head(kHeaderBytes + offsets.size() * 8, 0);
  std::memcpy(head.data(), kMagic, sizeof(kMagic));
  std::memcpy(head.data() + sizeof(kMagic), uuid.data(), std::min(uuid.size(), kUuidBytes));
  PutU64(head.data() + sizeof(kMagic) + kUuidBytes, offsets.size() - 1);
  for (size_t i = 0; i < offsets.size(); ++i)
    PutU64(head.data() + kHeaderBytes + 8 * i, offsets[i]);
  if (!WriteAt(fd, head.data(), head.size(), 0)) return fail(Errno("cannot write", tmp));
  if (fsync(fd) != 0) return fail(Errno("cannot sync", tmp));
  if (close(fd) != 0) {
    unlink(tmp.c_str());
    return Status::Internal(Errno("cannot close", tmp) + "; check free disk space");
  }
  if (rename(tmp.c_str(), path.c_str()) != 0) {
    const Status s = Status::Internal(Errno("cannot rename " + tmp + " to", path));
    unlink(tmp.c_str());
    return s;
  }
  return Status::Ok();
}

Result<std::unique_ptr<DocStore>> DocStore::Open(const std::string& path, const std::string& uuid) {
  const int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) return std::unique_ptr<DocStore>();
    return Err(Status::Internal(Errno("cannot open", path) + "; check its permissions"));
  }
  struct stat st {};
  if (fstat(fd, &st) != 0) {
    const Status s = Status::Internal(Errno("cannot read", path));
    close(fd);
    return Err(s);
  }
  const auto size = static_cast<size_t>(st.st_size);
  const auto corrupt = [&](const std::string& why) {
    return Err(Status::Corruption("the stored documents " + path + " are damaged (" + why +
                                  "); rebuild the search index with `coolpapers index --rebuild`"));
  };
  if (size < kHeaderBytes) {
    close(fd);
    return corrupt("shorter than its header");
  }
  void* map = mmap(nullptr, size, PROT_READ, MAP_SHARED, fd, 0);
  close(fd);
  if (map == MAP_FAILED) return Err(Status::Internal(Errno("cannot map", path)));
  std::unique_ptr<DocStore> store(new DocStore());
  store->map_ = static_cast<const unsigned char*>(map);
  store->size_ = size;
  madvise(map, size, MADV_RANDOM);  // result pages read a few scattered documents
  const unsigned char* p = store->map_;
  if (std::memcmp(p, kMagic, sizeof(kMagic)) != 0) return corrupt("not a document file");
  std::string file_uuid(reinterpret_cast<const char*>(p + sizeof(kMagic)), kUuidBytes);
  file_uuid.resize(std::strlen(file_uuid.c_str()));
  if (file_uuid != uuid) return std::unique_ptr<DocStore>();  // another build's file
  const uint64_t n = GetU64(p + sizeof(kMagic) + kUuidBytes);
  if (n >= (size - kHeaderBytes) / 8 || n > std::numeric_limits<Xapian::docid>::max()) {
    return corrupt("its offset table does not fit");
  }
  store->covered_ = static_cast<Xapian::docid>(n);
  store->offsets_ = p + kHeaderBytes;
  const size_t data_start = kHeaderBytes + (n + 1) * 8;
  store->data_ = reinterpret_cast<const char*>(p + data_start);
  store->data_size_ = size - data_start;
  if (GetU64(store->offsets_ + 8 * n) != store->data_size_) {
    return corrupt("its size is not the one written");
  }
  return store;
}

std::optional<std::string_view> DocStore::Get(Xapian::docid docid) const {
  if (docid == 0 || docid > covered_) return std::nullopt;
  const uint64_t begin = GetU64(offsets_ + 8 * (docid - 1));
  const uint64_t end = GetU64(offsets_ + 8 * docid);
  // Offsets are checked here rather than all at opening (a searcher opens in constant time);
  // a damaged entry reads as no document.
  if (end <= begin || end > data_size_) return std::nullopt;
  return std::string_view(data_ + begin, end - begin);
}

void StaleDocs::Add(Xapian::docid docid) {
  const size_t byte = docid / 8;
  if (bits_.size() <= byte) bits_.resize(byte + 1, '\0');
  bits_[byte] = static_cast<char>(static_cast<unsigned char>(bits_[byte]) | (1u << (docid % 8)));
}

}  // namespace coolpapers::search
