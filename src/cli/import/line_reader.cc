#include "cli/import/line_reader.h"

#include <fcntl.h>
#include <isa-l/igzip_lib.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace coolpapers::cli {
namespace {

constexpr size_t kChunk = 4 << 20;     // bytes of text asked for per Fill()
constexpr size_t kInChunk = 1 << 20;   // bytes of the file read at a time

// What went wrong with gzip data, from an isal_inflate() code.
const char* InflateError(int rc) {
  switch (rc) {
    case ISAL_INVALID_WRAPPER: return "not a valid gzip header";
    case ISAL_UNSUPPORTED_METHOD: return "unsupported gzip compression method";
    case ISAL_INCORRECT_CHECKSUM: return "gzip checksum mismatch";
    default: return "invalid compressed data";
  }
}

}  // namespace

// The bytes of the file, gunzipped when it starts with the gzip magic bytes (members one after
// another, like gzip -d; anything after the last member that is not gzip data is ignored, as
// zlib's gzread does). Errors are texts without the file name.
class LineReader::Decoder {
 public:
  explicit Decoder(int fd) : fd_(fd), in_(kInChunk) {}
  ~Decoder() { ::close(fd_); }
  Decoder(const Decoder&) = delete;
  Decoder& operator=(const Decoder&) = delete;

  // Up to `room` bytes into `out`: how many (0 at the end), or -1 with error() set.
  int64_t Read(char* out, size_t room) {
    if (!started_ && !Start()) return -1;
    if (!gzip_) return Plain(out, room);
    for (;;) {
      if (!in_member_) {
        if (!Need(2)) return error_.empty() ? 0 : -1;
        if (in_[pos_] != 0x1f || in_[pos_ + 1] != 0x8b) return 0;  // trailing non-gzip data
        isal_inflate_reset(state_.get());
        state_->crc_flag = ISAL_GZIP;
        in_member_ = true;
      }
      if (pos_ == end_ && !Refill()) return -1;
      state_->next_in = in_.data() + pos_;
      state_->avail_in = static_cast<uint32_t>(end_ - pos_);
      state_->next_out = reinterpret_cast<uint8_t*>(out);
      state_->avail_out = static_cast<uint32_t>(std::min<size_t>(room, UINT32_MAX));
      int rc = isal_inflate(state_.get());
      pos_ = end_ - state_->avail_in;
      size_t produced = std::min<size_t>(room, UINT32_MAX) - state_->avail_out;
      if (rc < 0) {
        error_ = InflateError(rc);
        return -1;
      }
      if (state_->block_state == ISAL_BLOCK_FINISH) in_member_ = false;
      if (produced > 0) return static_cast<int64_t>(produced);
      if (in_member_ && pos_ == end_ && eof_) {
        error_ = "unexpected end of file";
        return -1;
      }
    }
  }
  const std::string& error() const { return error_; }

 private:
  // Reads the first bytes to tell gzip from plain text.
  bool Start() {
    started_ = true;
    if (!Need(2) && !error_.empty()) return false;
    gzip_ = end_ - pos_ >= 2 && in_[pos_] == 0x1f && in_[pos_ + 1] == 0x8b;
    if (gzip_) {
      state_ = std::make_unique<inflate_state>();
      isal_inflate_init(state_.get());
    }
    return true;
  }

  int64_t Plain(char* out, size_t room) {
    if (pos_ < end_) {  // the bytes read by Start()
      size_t n = std::min(room, end_ - pos_);
      std::memcpy(out, in_.data() + pos_, n);
      pos_ += n;
      return static_cast<int64_t>(n);
    }
    for (;;) {
      ssize_t n = ::read(fd_, out, room);
      if (n >= 0) return n;
      if (errno == EINTR) continue;
      error_ = std::string("read error: ") + std::strerror(errno);
      return -1;
    }
  }

  // Reads more of the file after the unread bytes; false on a read error (error() set). At the
  // end of the file eof_ is set and true returned.
  bool Refill() {
    if (pos_ > 0) {
      std::memmove(in_.data(), in_.data() + pos_, end_ - pos_);
      end_ -= pos_;
      pos_ = 0;
    }
    while (!eof_ && end_ < in_.size()) {
      ssize_t n = ::read(fd_, in_.data() + end_, in_.size() - end_);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) {
        error_ = std::string("read error: ") + std::strerror(errno);
        return false;
      }
      if (n == 0) eof_ = true;
      end_ += static_cast<size_t>(n);
      if (n > 0) break;
    }
    return true;
  }

  // True when at least `n` unread bytes are buffered (reading as needed).
  bool Need(size_t n) {
    while (end_ - pos_ < n && !eof_) {
      if (!Refill()) return false;
    }
    return end_ - pos_ >= n;
  }

  int fd_;
  std::vector<uint8_t> in_;
  size_t pos_ = 0, end_ = 0;  // unread bytes of in_
  bool eof_ = false, started_ = false, gzip_ = false, in_member_ = false;
  std::unique_ptr<inflate_state> state_;
  std::string error_;
};

Result<std::unique_ptr<LineReader>> LineReader::Open(const std::string& path,
                                                     size_t max_line) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    return Err(Status::NotFound("cannot open " + path + ": " + std::strerror(errno) +
                                "; check the path and that the file is readable"));
  }
  ::posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
  return std::unique_ptr<LineReader>(
      new LineReader(path, std::make_unique<Decoder>(fd), std::max<size_t>(1, max_line)));
}

LineReader::LineReader(std::string path, std::unique_ptr<Decoder> in, size_t max_line)
    : path_(std::move(path)), in_(std::move(in)), max_line_(max_line) {
  buf_.resize(kChunk + kPadding);
}

std::string LineReader::TooLongMessage() const {
  const std::string limit = max_line_ % (1 << 20) == 0
                                ? std::to_string(max_line_ >> 20) + " MiB"
                                : std::to_string(max_line_) + " bytes";
  return path_ + ": line " + std::to_string(line_number_) + " is longer than " + limit +
         ", the limit for one record; it was not read (is this really a JSON-lines file with "
         "one paper per line?)";
}

bool LineReader::SkipToNextLine() {
  for (;;) {
    const void* nl = std::memchr(buf_.data() + begin_, '\n', end_ - begin_);
    if (nl != nullptr) {
      begin_ = static_cast<size_t>(static_cast<const char*>(nl) - buf_.data()) + 1;
      return true;
    }
    begin_ = end_ = 0;  // drop what is buffered: all of it belongs to the long line
    if (!Fill()) return false;
  }
}

LineReader::~LineReader() = default;

bool LineReader::Fill() {
  if (eof_) return false;
  if (begin_ > 0) {
    std::memmove(buf_.data(), buf_.data() + begin_, end_ - begin_);
    end_ -= begin_;
    begin_ = 0;
  }
  if (buf_.size() - end_ < kChunk / 2 + kPadding) buf_.resize(buf_.size() * 2);  // long line
  size_t room = buf_.size() - end_ - kPadding;
  int64_t n = in_->Read(buf_.data() + end_, room);
  if (n <= 0) {
    eof_ = true;
    if (n < 0) {
      status_ = Status::Corruption(path_ + ": " + in_->error() + " after line " +
                                   std::to_string(line_number_) +
                                   "; the file is truncated or corrupt, download it again");
    }
    return false;
  }
  end_ += static_cast<size_t>(n);
  bytes_read_ += n;
  return true;
}

bool LineReader::Next(std::string_view& line, size_t& allocated) {
  too_long_ = false;
  size_t scan_from = begin_;
  for (;;) {
    const char* start = buf_.data() + begin_;
    const void* nl = std::memchr(buf_.data() + scan_from, '\n', end_ - scan_from);
    if (nl != nullptr && static_cast<size_t>(static_cast<const char*>(nl) - start) <= max_line_) {
      size_t len = static_cast<size_t>(static_cast<const char*>(nl) - start);
      line = std::string_view(start, len);
      begin_ += len + 1;
      break;
    }
    size_t scanned = end_ - begin_;
    if (nl != nullptr || scanned > max_line_) {
      // Too long: read past the rest of it (to the next line or the end) without keeping it.
      SkipToNextLine();
      too_long_ = true;
      line = std::string_view(buf_.data() + begin_, 0);
      allocated = buf_.size() - begin_;
      ++line_number_;
      return true;
    }
    if (!Fill()) {
      if (end_ == begin_) return false;
      line = std::string_view(buf_.data() + begin_, end_ - begin_);  // last line, no "\n"
      begin_ = end_;
      break;
    }
    scan_from = begin_ + scanned;
  }
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  allocated = buf_.size() - static_cast<size_t>(line.data() - buf_.data());
  ++line_number_;
  return true;
}

}  // namespace coolpapers::cli
