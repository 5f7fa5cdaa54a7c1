#pragma once
// A fixed-size array for large tables read at random (by docid, say), backed by transparent
// huge pages where the kernel offers them (madvise mode included). A random read of a 64 MB
// table on 4 KiB pages misses the TLB almost every time; on 2 MiB pages it rarely does.

#include <sys/mman.h>

#include <algorithm>
#include <cstddef>
#include <new>
#include <type_traits>
#include <utility>

namespace coolpapers::core {

template <class T>
class HugeArray {
  static_assert(std::is_trivially_copyable_v<T> && std::is_trivially_destructible_v<T>);

 public:
  static constexpr size_t kHugePage = size_t{2} << 20;

  HugeArray() = default;
  // `n` elements, all `fill`. Throws std::bad_alloc when the memory cannot be mapped.
  explicit HugeArray(size_t n, T fill = T{}) : size_(n) {
    if (n == 0) return;
    bytes_ = (n * sizeof(T) + kHugePage - 1) / kHugePage * kHugePage;
    void* p = ::mmap(nullptr, bytes_, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) {
      bytes_ = size_ = 0;
      throw std::bad_alloc();
    }
    // Advice only: without huge pages the array works the same, just with more TLB misses.
    ::madvise(p, bytes_, MADV_HUGEPAGE);
    data_ = static_cast<T*>(p);
    if (fill != T{}) std::fill(data_, data_ + n, fill);  // mapped memory starts zeroed
  }
  HugeArray(HugeArray&& o) noexcept
      : data_(std::exchange(o.data_, nullptr)),
        size_(std::exchange(o.size_, 0)),
        bytes_(std::exchange(o.bytes_, 0)) {}
  HugeArray& operator=(HugeArray&& o) noexcept {
    if (this != &o) {
      Release();
      data_ = std::exchange(o.data_, nullptr);
      size_ = std::exchange(o.size_, 0);
      bytes_ = std::exchange(o.bytes_, 0);
    }
    return *this;
  }
  HugeArray(const HugeArray&) = delete;
  HugeArray& operator=(const HugeArray&) = delete;
  ~HugeArray() { Release(); }

  T& operator[](size_t i) { return data_[i]; }
  const T& operator[](size_t i) const { return data_[i]; }
  T* data() { return data_; }
  const T* data() const { return data_; }
  T* begin() { return data_; }
  T* end() { return data_ + size_; }
  const T* begin() const { return data_; }
  const T* end() const { return data_ + size_; }
  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  size_t bytes() const { return bytes_; }  // mapped

 private:
  void Release() {
    if (data_) ::munmap(data_, bytes_);
    data_ = nullptr;
    size_ = bytes_ = 0;
  }
  T* data_ = nullptr;
  size_t size_ = 0;
  size_t bytes_ = 0;
};

}  // namespace coolpapers::core
