#include "cli/import/import_run.h"

#include <fmt/format.h>
#include <unistd.h>
#include <zlib.h>

#include <cerrno>
#include <cstring>
#include <unordered_map>

#include "cli/import/batch_upserter.h"
#include "cli/import/jsonl_record.h"
#include "cli/import/line_reader.h"
#include "core/progress.h"
#include "core/text.h"
#include "sources/arxiv/oai_records.h"

namespace coolpapers::cli {
namespace {

// Clears a live progress line on a terminal before a message.
void ClearLine(std::FILE* out) {
  if (isatty(fileno(out)) == 1) fmt::print(out, "\r\x1b[K");
}

// 61700.4 -> "61,700".
std::string WithThousands(double v) {
  std::string digits = fmt::format("{:.0f}", v);
  std::string out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return out;
}

// Reports skipped lines, the first `max` individually.
class SkipReporter {
 public:
  SkipReporter(std::FILE* out, size_t max) : out_(out), max_(max) {}
  void Skip(const std::string& file, int64_t line, const std::string& why) {
    ++count_;
    if (count_ <= static_cast<int64_t>(max_)) {
      ClearLine(out_);
      fmt::print(out_, "{}:{}: {}, skipped\n", file, line, why);
    } else if (count_ == static_cast<int64_t>(max_) + 1) {
      ClearLine(out_);
      fmt::print(out_, "(further skipped lines are counted, not shown)\n");
    }
  }
  int64_t count() const { return count_; }

 private:
  std::FILE* out_;
  size_t max_;
  int64_t count_ = 0;
};

std::string Summary(int64_t read, const store::UpsertCounts& c, int64_t skipped, double seconds,
                    const std::string& extra) {
  double rate = seconds > 0 ? static_cast<double>(read) / seconds : 0;
  return fmt::format(
      "imported {} papers ({} new, {} updated, {} unchanged), {} memberships, {} skipped{} in "
      "{:.2f} s ({} papers/s)",
      read, c.inserted, c.updated, c.unchanged, c.memberships_added, skipped, extra, seconds,
      WithThousands(rate));
}

// Assigns positions within (category, day) in file order, across all files of one run.
class PositionCounter {
 public:
  int Next(const std::string& category, const std::string& day) {
    key_.assign(category);
    key_ += '|';
    key_ += day;
    return next_[key_]++;
  }

 private:
  std::string key_;
  std::unordered_map<std::string, int> next_;
};

void AddMemberships(const JsonlRecord& r, PositionCounter& positions,
                    std::vector<core::Membership>& out) {
  if (r.day.empty()) return;
  for (size_t i = 0; i < r.paper.categories.size(); ++i) {
    const std::string& cat = r.paper.categories[i];
    out.push_back({r.paper.id, cat, r.day,
                   i == 0 ? core::AnnounceType::kNew : core::AnnounceType::kCross,
                   positions.Next(cat, r.day)});
  }
}

// Reads a whole (optionally gzip-compressed) file.
Result<std::string> ReadWholeFile(const std::string& path) {
  errno = 0;
  gzFile f = gzopen(path.c_str(), "rb");
  if (f == nullptr) {
    return Err(Status::NotFound("cannot open " + path + ": " +
                                (errno ? std::strerror(errno) : "out of memory") +
                                "; check the path and that the file is readable"));
  }
  std::string data;
  char buf[1 << 16];
  int n;
  while ((n = gzread(f, buf, sizeof buf)) > 0) data.append(buf, static_cast<size_t>(n));
  int code = 0;
  const char* msg = gzerror(f, &code);
  std::string why = (n < 0 || (code != Z_OK && code != Z_STREAM_END)) ? (msg ? msg : "?") : "";
  gzclose(f);
  if (!why.empty()) {
    return Err(Status::Corruption(path + ": read error: " + why +
                                  "; the file is truncated or corrupt, fetch it again"));
  }
  return data;
}

}  // namespace

int ImportJsonlFiles(store::Store& store, const std::vector<std::string>& files,
                     const ImportOptions& options) {
  core::Progress progress("coolpapers", 0, options.err);
  SkipReporter skips(options.err, options.max_reported);
  PositionCounter positions;
  JsonlRecordParser parser;
  BatchUpserter writer(store);
  ImportBatch batch;
  int64_t read = 0;
  bool failed = false, write_failed = false;

  for (const std::string& file : files) {
    Result<std::unique_ptr<LineReader>> reader = LineReader::Open(file, options.max_line);
    if (!reader) {
      ClearLine(options.err);
      fmt::print(options.err, "coolpapers import: {}\n", reader.error().message());
      failed = true;
      continue;
    }
    progress.SetNote(file);
    std::string_view line;
    size_t allocated = 0;
    while (!write_failed && (*reader)->Next(line, allocated)) {
      if ((*reader)->too_long()) {  // not read into memory; the rest of the file goes on
        ClearLine(options.err);
        fmt::print(options.err, "coolpapers import: {}\n", (*reader)->TooLongMessage());
        failed = true;
        continue;
      }
      if (core::Trim(line).empty()) continue;
      Result<JsonlRecord> r = parser.Parse(line, allocated);
      if (!r) {
        skips.Skip(file, (*reader)->line_number(), r.error().message());
        continue;
      }
      AddMemberships(*r, positions, batch.memberships);
      batch.papers.push_back(std::move(r->paper));
      ++read;
      progress.Add(1);
      if (batch.papers.size() >= writer.BatchLimit(options.batch_size)) {
        write_failed = !writer.Submit(std::move(batch));
        batch = ImportBatch();
      }
    }
    if (!(*reader)->status().ok()) {
      ClearLine(options.err);
      fmt::print(options.err, "coolpapers import: {}\n", (*reader)->status().message());
      failed = true;
    }
    if (write_failed) break;
  }
  if (!write_failed && !batch.papers.empty()) writer.Submit(std::move(batch));
  Status written = writer.Finish();
  if (!written.ok()) {
    progress.Finish("failed: " + written.message());
    fmt::print(options.err, "coolpapers import: writing to the store failed: {}\n",
               written.message());
    return 1;
  }
  progress.Finish(Summary(read, writer.counts(), skips.count(), progress.elapsed_seconds(), ""));
  return failed ? 1 : 0;
}

int ImportOaiFiles(store::Store& store, const std::vector<std::string>& files,
                   const ImportOptions& options) {
  core::Progress progress("coolpapers", 0, options.err);
  SkipReporter skips(options.err, options.max_reported);
  BatchUpserter writer(store);
  ImportBatch batch;
  int64_t read = 0, deleted = 0;
  bool failed = false, write_failed = false;

  for (const std::string& file : files) {
    Result<std::string> xml = ReadWholeFile(file);
    if (!xml) {
      ClearLine(options.err);
      fmt::print(options.err, "coolpapers import: {}\n", xml.error().message());
      failed = true;
      continue;
    }
    progress.SetNote(file);
    Result<sources::arxiv::OaiPage> page = sources::arxiv::ParseOaiListRecords(*xml);
    if (!page) {
      ClearLine(options.err);
      fmt::print(options.err,
                 "coolpapers import: {}: {}; expected a saved OAI-PMH ListRecords or "
                 "GetRecord response (metadataPrefix=arXiv or arXivRaw)\n",
                 file, page.error().message());
      failed = true;
      continue;
    }
    if (!page->error_code.empty() && page->error_code != "noRecordsMatch") {
      ClearLine(options.err);
      fmt::print(options.err, "coolpapers import: {}: OAI-PMH error {}: {}\n", file,
                 page->error_code, page->error_message);
    }
    for (const sources::arxiv::OaiRejected& r : page->rejected) {
      skips.Skip(file, static_cast<int64_t>(sources::arxiv::LineAt(*xml, r.offset)), r.why);
    }
    for (sources::arxiv::OaiRecord& r : page->records) {
      if (r.deleted) {
        ++deleted;
        continue;
      }
      batch.papers.push_back(std::move(r.paper));
      ++read;
      progress.Add(1);
      if (batch.papers.size() >= writer.BatchLimit(options.batch_size)) {
        write_failed = !writer.Submit(std::move(batch));
        batch = ImportBatch();
        if (write_failed) break;
      }
    }
    if (write_failed) break;
  }
  if (!write_failed && !batch.papers.empty()) writer.Submit(std::move(batch));
  Status written = writer.Finish();
  if (!written.ok()) {
    progress.Finish("failed: " + written.message());
    fmt::print(options.err, "coolpapers import: writing to the store failed: {}\n",
               written.message());
    return 1;
  }
  std::string extra = deleted > 0 ? fmt::format(", {} deleted records ignored", deleted) : "";
  progress.Finish(Summary(read, writer.counts(), skips.count(), progress.elapsed_seconds(), extra));
  return failed ? 1 : 0;
}

}  // namespace coolpapers::cli
