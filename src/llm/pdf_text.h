#pragma once
// Paper text from a PDF, for the FAQ prompt.
//
// Extraction: `pdftotext -enc UTF-8 <file> -` (poppler) in a child process, no shell, with a
// wall-clock limit (SIGKILL), an address-space limit (RLIMIT_AS) and an output cap. The PDF is
// written to a private directory ($TMPDIR/coolpapers-pdf-XXXXXX, mode 0700) where pdftotext
// runs (cwd and TMPDIR) and which is removed afterwards; the child inherits no descriptor but
// 0-2. A crash can leave such directories behind: RemoveStalePdfTemp, called at start, clears
// them. We do not
// pass -layout: the default mode emits text in reading order, which keeps two-column papers'
// columns apart; -layout would interleave them line by line.
//
// Cleaning (CleanPdfText): line-end hyphenation is undone ("gener-" + "ation" -> "generation"
// when both sides are lower-case letters); lines repeated at the top or bottom of many pages
// (running headers/footers), bare page numbers there and arXiv's side stamp are dropped; runs of
// blank lines collapse to one; the References/Bibliography section is moved after everything
// else (appendices included) so it is the first thing trimmed.
//
// Fitting (FitToContext), the stated rule, sizes in UTF-8 bytes (`max_chars`, default 120,000):
//   1. text that fits is kept whole;
//   2. otherwise the References are cut first (their end, at a line boundary; dropped entirely
//      when fewer than 200 bytes of them would remain), with a marker saying so;
//   3. if the body alone is still too long, the References are dropped and the body keeps its
//      first two thirds of the budget (title, abstract, introduction, method ...) and its last
//      third (conclusion, appendices), with a marker in the middle saying how much was omitted.
// The result never exceeds `max_chars` bytes.

#include <chrono>
#include <cstddef>
#include <string>
#include <string_view>

#include "core/status.h"

namespace coolpapers::llm {

struct PdfTextLimits {
  std::string pdftotext = "pdftotext";       // program name or path
  std::chrono::milliseconds time_limit{30000};
  uint64_t memory_bytes = uint64_t{1} << 30;  // 1 GiB address space for pdftotext
  size_t max_output = size_t{16} << 20;       // text beyond this is dropped (then fitted anyway)
};

// Extracts raw text from PDF bytes. `what` names the document in errors ("arXiv 2402.12354v1").
// Errors: kCorruption when the bytes are not a PDF (no %PDF- header), pdftotext cannot read it,
// or it holds no extractable text (e.g. scanned pages); kDeadlineExceeded when pdftotext ran out
// of time; kNotFound when pdftotext is not installed.
Result<std::string> ExtractPdfText(std::string_view pdf_bytes, std::string_view what,
                                   const PdfTextLimits& limits = {});

// The name prefix of the temporary directories (and, from older versions, files) of PDFs.
inline constexpr std::string_view kPdfTempPrefix = "coolpapers-pdf-";

// Removes entries named kPdfTempPrefix* in `dir` ("" = the temporary directory, $TMPDIR or
// /tmp) last modified more than `older_than` ago: leftovers of a process that died while
// extracting. Returns how many were removed; never fails (unreadable entries are skipped).
int RemoveStalePdfTemp(std::chrono::seconds older_than = std::chrono::hours(1),
                       const std::string& dir = "");

// True when `bytes` start like a PDF ("%PDF-" within the first 1024 bytes).
bool LooksLikePdf(std::string_view bytes);

// Cleaned text split into the body and the References section (empty if none was found).
struct PaperTextParts {
  std::string body;
  std::string references;  // starts with its heading line
};

// Cleans pdftotext output as described above.
PaperTextParts CleanPdfText(std::string_view raw);

// Joins the parts under the fitting rule above, at most `max_chars` bytes.
std::string FitToContext(const PaperTextParts& parts, size_t max_chars);

}  // namespace coolpapers::llm
