#include "cli/import/line_reader.h"

#include <cerrno>
#include <cstring>

namespace coolpapers::cli {
namespace {

constexpr size_t kChunk = 4 << 20;  // bytes read per gzread call

}  // namespace

Result<std::unique_ptr<LineReader>> LineReader::Open(const std::string& path) {
  errno = 0;
  gzFile f = gzopen(path.c_str(), "rb");
  if (f == nullptr) {
    std::string why = errno ? std::strerror(errno) : "out of memory";
    return Err(Status::NotFound("cannot open " + path + ": " + why +
                                "; check the path and that the file is readable"));
  }
  gzbuffer(f, 1 << 20);
  return std::unique_ptr<LineReader>(new LineReader(path, f));
}

LineReader::LineReader(std::string path, gzFile f) : path_(std::move(path)), file_(f) {
  buf_.resize(kChunk + kPadding);
}

LineReader::~LineReader() { gzclose(file_); }

bool LineReader::Fill() {
  if (eof_) return false;
  if (begin_ > 0) {
    std::memmove(buf_.data(), buf_.data() + begin_, end_ - begin_);
    end_ -= begin_;
    begin_ = 0;
  }
  if (buf_.size() - end_ < kChunk / 2 + kPadding) buf_.resize(buf_.size() * 2);  // long line
  size_t room = buf_.size() - end_ - kPadding;
  int n = gzread(file_, buf_.data() + end_, static_cast<unsigned>(room));
  if (n < 0) {
    int code = 0;
    const char* msg = gzerror(file_, &code);
    status_ = Status::Corruption(path_ + ": read error after line " + std::to_string(line_number_) +
                                 ": " + (msg ? msg : "?") +
                                 "; the file may be corrupt, download it again");
    eof_ = true;
    return false;
  }
  if (n == 0) {
    eof_ = true;
    int code = 0;
    const char* msg = gzerror(file_, &code);
    if (code != Z_OK && code != Z_STREAM_END) {
      status_ = Status::Corruption(path_ + ": " + (msg ? msg : "read error") + " after line " +
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
  size_t scan_from = begin_;
  for (;;) {
    const char* start = buf_.data() + begin_;
    const void* nl = std::memchr(buf_.data() + scan_from, '\n', end_ - scan_from);
    if (nl != nullptr) {
      size_t len = static_cast<const char*>(nl) - start;
      line = std::string_view(start, len);
      begin_ += len + 1;
      break;
    }
    size_t scanned = end_ - begin_;
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
