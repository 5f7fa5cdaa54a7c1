#pragma once
// LineReader: reads a text file line by line, gzip-compressed or plain (zlib detects which), in
// large chunks. Each line is handed out as a view into an internal buffer that always has
// kPadding readable bytes after the line, as simdjson's parsers require.

#include <zlib.h>

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

  // Opens `path`; the error names the file and what to check.
  static Result<std::unique_ptr<LineReader>> Open(const std::string& path);
  ~LineReader();
  LineReader(const LineReader&) = delete;
  LineReader& operator=(const LineReader&) = delete;

  // The next line without its "\n" (or "\r\n"); false at the end of the file or on a read error
  // (see status()). The view stays valid until the next call; `allocated` receives how many
  // bytes from line.data() may be read (at least line.size() + kPadding).
  bool Next(std::string_view& line, size_t& allocated);
  // 1-based number of the line last returned.
  int64_t line_number() const { return line_number_; }
  // Bytes of (uncompressed) input consumed so far.
  int64_t bytes_read() const { return bytes_read_; }
  // Ok, or why reading stopped early (corrupt or truncated gzip data, I/O error).
  const Status& status() const { return status_; }

 private:
  LineReader(std::string path, gzFile f);
  // Moves unread data to the front and reads more; false when nothing more can be read.
  bool Fill();

  std::string path_;
  gzFile file_;
  std::vector<char> buf_;  // data in [begin_, end_), then at least kPadding spare bytes
  size_t begin_ = 0, end_ = 0;
  bool eof_ = false;
  int64_t line_number_ = 0;
  int64_t bytes_read_ = 0;
  Status status_;
};

}  // namespace coolpapers::cli
