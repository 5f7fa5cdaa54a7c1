#include "llm/pdf_text.h"

#include <fcntl.h>
#include <unistd.h>

#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <vector>

#include "core/text.h"
#include "llm/subprocess.h"

namespace coolpapers::llm {
namespace {

std::string TempRoot() {
  std::error_code ec;
  std::string dir = std::filesystem::temp_directory_path(ec).string();
  return ec || dir.empty() ? std::string("/tmp") : dir;
}

// A private temporary directory (mode 0700) holding the PDF; pdftotext runs in it with TMPDIR
// pointing there. Removed with everything in it on destruction.
class TempPdf {
 public:
  ~TempPdf() {
    if (dir_.empty()) return;
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
  Status Write(std::string_view bytes) {
    std::string root = TempRoot();
    std::string templ = root + "/" + std::string(kPdfTempPrefix) + "XXXXXX";
    if (mkdtemp(templ.data()) == nullptr) {
      return Status::Internal("cannot create a temporary directory in " + root +
                              " (full, or not writable?)");
    }
    dir_ = templ;
    path_ = dir_ + "/paper.pdf";
    int fd = open(path_.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0) return Status::Internal("cannot create " + path_);
    size_t done = 0;
    while (done < bytes.size()) {
      ssize_t n = write(fd, bytes.data() + done, bytes.size() - done);
      if (n <= 0) {
        close(fd);
        return Status::Internal("cannot write " + path_ + " (disk full?)");
      }
      done += static_cast<size_t>(n);
    }
    close(fd);
    return Status::Ok();
  }
  const std::string& dir() const { return dir_; }
  const std::string& path() const { return path_; }

 private:
  std::string dir_, path_;
};

size_t CountAlnum(std::string_view s) {
  size_t n = 0;
  for (char c : s) n += std::isalnum(static_cast<unsigned char>(c)) ? 1 : 0;
  return n;
}

std::string FirstLine(std::string_view s) {
  s = core::Trim(s);
  size_t nl = s.find('\n');
  return core::SanitizeUtf8(s.substr(0, std::min<size_t>(nl, 200)));
}

}  // namespace

bool LooksLikePdf(std::string_view bytes) {
  return bytes.substr(0, 1024).find("%PDF-") != std::string_view::npos;
}

Result<std::string> ExtractPdfText(std::string_view pdf_bytes, std::string_view what,
                                   const PdfTextLimits& limits) {
  std::string name(what);
  if (!LooksLikePdf(pdf_bytes)) {
    std::string start = core::CollapseWhitespace(core::SanitizeUtf8(pdf_bytes.substr(0, 40)));
    return Err(Status::Corruption("the PDF of " + name + " is not a PDF (it starts with \"" +
                                  start + "\"); the source may have served an error page"));
  }
  TempPdf file;
  if (Status s = file.Write(pdf_bytes); !s.ok()) return Err(s);
  SubprocessLimits sl;
  sl.time_limit = limits.time_limit;
  sl.memory_bytes = limits.memory_bytes;
  sl.max_stdout = limits.max_output;
  sl.work_dir = file.dir();
  auto run = RunLimited({limits.pdftotext, "-q", "-enc", "UTF-8", file.path(), "-"}, sl);
  if (!run) {
    if (run.error().code() == StatusCode::kNotFound) {
      return Err(Status::NotFound("pdftotext is not installed: install poppler-utils "
                                  "(apt-get install poppler-utils)"));
    }
    return Err(run.error());
  }
  if (run->timed_out) {
    return Err(Status::DeadlineExceeded("pdftotext took longer than " +
                                        std::to_string(limits.time_limit.count() / 1000) +
                                        " s on the PDF of " + name));
  }
  if (!run->stdout_truncated && (run->term_signal != 0 || run->exit_code != 0)) {
    std::string why = run->term_signal != 0
                          ? "pdftotext was killed by signal " + std::to_string(run->term_signal) +
                                " (out of memory or time?)"
                          : "pdftotext exit " + std::to_string(run->exit_code);
    std::string detail = FirstLine(run->err);
    return Err(Status::Corruption("the PDF of " + name + " could not be read (" + why +
                                  (detail.empty() ? "" : ": " + detail) + ")"));
  }
  // Sanitize page by page: SanitizeUtf8 drops C0 controls, but the form feeds between pages
  // are what CleanPdfText uses to find running headers and footers.
  std::string text;
  std::vector<std::string> pages = core::Split(run->out, '\f', false);
  for (size_t i = 0; i < pages.size(); ++i) {
    if (i > 0) text += '\f';
    text += core::SanitizeUtf8(pages[i]);
  }
  if (CountAlnum(text) < 200) {
    return Err(Status::Corruption("the PDF of " + name +
                                  " has no extractable text (scanned pages or images only?)"));
  }
  return text;
}

int RemoveStalePdfTemp(std::chrono::seconds older_than, const std::string& dir) {
  std::string root = dir.empty() ? TempRoot() : dir;
  std::error_code ec;
  auto now = std::filesystem::file_time_type::clock::now();
  int removed = 0;
  for (std::filesystem::directory_iterator it(root, ec), end; !ec && it != end;
       it.increment(ec)) {
    const std::string name = it->path().filename().string();
    if (name.rfind(kPdfTempPrefix, 0) != 0) continue;
    std::error_code e2;
    auto mtime = std::filesystem::last_write_time(it->path(), e2);
    if (e2 || now - mtime < older_than) continue;
    if (std::filesystem::remove_all(it->path(), e2) > 0 && !e2) ++removed;
  }
  return removed;
}

}  // namespace coolpapers::llm
