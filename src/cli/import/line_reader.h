#pragma once
// LineReader: reads a text file line by line, gzip-compressed or plain (told apart by the gzip
// magic bytes; gzip is decoded with ISA-L's inflate, about three times zlib's speed), in
// large chunks. Each line is handed out as a view into an internal buffer that always has
// kPadding readable bytes after the line, as simdjson's parsers require. Memory is bounded: a
// line longer than `max_line` bytes is not kept but read past (too_long() says so), so the
// buffer never grows beyond about twice max_line plus a chunk, whatever the input.

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace coolpapers::cli {

class LineReader {
 public:
  static constexpr size_t kPadding = 64;
  static constexpr size_t kDefaultMaxLine = size_t{16} << 20;  // 16 MiB

  // Opens `path`; the error names the file and what to check.
  static Result<std::unique_ptr<LineReader>> Open(const std::string& path,
                                                  size_t max_line = kDefaultMaxLine);
  ~LineReader();
  LineReader(const LineReader&) = delete;
  LineReader& operator=(const LineReader&) = delete;

  // The next line without its "\n" (or "\r\n"); false at the end of the file or on a read error
  // (see status()). The view stays valid until the next call; `allocated` receives how many
  // bytes from line.data() may be read (at least line.size() + kPadding).
  // A line longer than max_line comes back empty with too_long() true (until the next call).
  bool Next(std::string_view& line, size_t& allocated);
  bool too_long() const { return too_long_; }
  // "<file>: line N is longer than 16 MiB, the limit for one record; ..." for the last line.
  std::string TooLongMessage() const;
  size_t max_line() const { return max_line_; }
  // Bytes the buffer holds now (for tests of the bound).
  size_t buffer_bytes() const { return buf_.size(); }
  // 1-based number of the line last returned.
  int64_t line_number() const { return line_number_; }
  // Bytes of (uncompressed) input consumed so far.
  int64_t bytes_read() const { return bytes_read_; }
  // Ok, or why reading stopped early (corrupt or truncated gzip data, I/O error).
  const Status& status() const { return status_; }

 private:
  class Decoder;  // the file, gunzipped when it is gzip data
  LineReader(std::string path, std::unique_ptr<Decoder> in, size_t max_line);
  // Moves unread data to the front and reads more; false when nothing more can be read.
  bool Fill();
  // Drops buffered data up to and including the next "\n" (reading as needed without keeping
  // it); false at the end of the file.
  bool SkipToNextLine();

  std::string path_;
  std::unique_ptr<Decoder> in_;
  std::vector<char> buf_;  // data in [begin_, end_), then at least kPadding spare bytes
  size_t begin_ = 0, end_ = 0;
  bool eof_ = false;
  int64_t line_number_ = 0;
  int64_t bytes_read_ = 0;
  size_t max_line_;
  bool too_long_ = false;
  Status status_;
};

}  // namespace coolpapers::cli
