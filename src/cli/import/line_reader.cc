#include "cli/import/line_reader.h"

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace coolpapers::cli {
namespace {

constexpr size_t kChunk = 4 << 20;  // bytes read per gzread call

}  // namespace

Result<std::unique_ptr<LineReader>> LineReader::Open(const std::string& path,
                                                     size_t max_line) {
  errno = 0;
  gzFile f = gzopen(path.c_str(), "rb");
  if (f == nullptr) {
    std::string why = errno ? std::strerror(errno) : "out of memory";
    return Err(Status::NotFound("cannot open " + path + ": " + why +
                                "; check the path and that the file is readable"));
  }
  gzbuffer(f, 1 << 20);
  return std::unique_ptr<LineReader>(new LineReader(path, f, std::max<size_t>(1, max_line)));
}

LineReader::LineReader(std::string path, gzFile f, size_t max_line)
    : path_(std::move(path)), file_(f), max_line_(max_line) {
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
