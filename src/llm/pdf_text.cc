#include "llm/pdf_text.h"

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

// A temporary file holding the PDF, removed on destruction.
class TempPdf {
 public:
  ~TempPdf() {
    if (!path_.empty()) unlink(path_.c_str());
  }
  Status Write(std::string_view bytes) {
    std::error_code ec;
    std::string dir = std::filesystem::temp_directory_path(ec).string();
    if (ec || dir.empty()) dir = "/tmp";
    std::string templ = dir + "/coolpapers-pdf-XXXXXX";
    int fd = mkstemp(templ.data());
    if (fd < 0) return Status::Internal("cannot create a temporary file in " + dir);
    path_ = templ;
    size_t done = 0;
    while (done < bytes.size()) {
      ssize_t n = write(fd, bytes.data() + done, bytes.size() - done);
      if (n <= 0) {
        close(fd);
        return Status::Internal("cannot write a temporary file in " + dir + " (disk full?)");
      }
      done += static_cast<size_t>(n);
    }
    close(fd);
    return Status::Ok();
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
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

}  // namespace coolpapers::llm
