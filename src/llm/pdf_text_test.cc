#include "llm/pdf_text.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "store/testing/temp_store.h"

namespace coolpapers::llm {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

std::string ReadPdf(const std::string& name) {
  std::ifstream in(std::string(COOLPAPERS_SOURCE_DIR) + "/tests/fixtures/pdfs/" + name,
                   std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

TEST(PdfTextTest, RealPaperGivesReadableText) {
  std::string pdf = ReadPdf("2304.02623v1.pdf");
  ASSERT_FALSE(pdf.empty());
  auto text = ExtractPdfText(pdf, "arXiv 2304.02623v1");
  ASSERT_TRUE(text.has_value()) << text.error().ToString();
  EXPECT_THAT(*text, HasSubstr("Beyond Summarization"));
  EXPECT_THAT(*text, HasSubstr("expository writing"));
  PaperTextParts parts = CleanPdfText(*text);
  EXPECT_THAT(parts.body, HasSubstr("ABSTRACT"));
  EXPECT_THAT(parts.body, Not(HasSubstr("arXiv:2304.02623v1 [cs.CL]")));  // side stamp dropped
  EXPECT_TRUE(parts.references.rfind("REFERENCES", 0) == 0) << parts.references.substr(0, 80);
  EXPECT_THAT(parts.references, HasSubstr("2022"));
  // Words broken across lines in the PDF come out whole.
  EXPECT_THAT(parts.body, HasSubstr("technology can transform"));
  EXPECT_THAT(parts.body, Not(HasSubstr("\n\n\n")));
}

TEST(PdfTextTest, SciBertExcerptGivesItsTable) {
  auto text = ExtractPdfText(ReadPdf("1903.10676.pdf"), "arXiv 1903.10676");
  ASSERT_TRUE(text.has_value()) << text.error().ToString();
  EXPECT_THAT(*text, HasSubstr("SciERC"));
  EXPECT_THAT(*text, HasSubstr("ChemProt"));
}

TEST(PdfTextTest, NotAPdfIsAClearError) {
  auto text = ExtractPdfText("<html><body>PDF is being generated</body></html>", "arXiv 1");
  ASSERT_FALSE(text.has_value());
  EXPECT_EQ(text.error().code(), StatusCode::kCorruption);
  EXPECT_THAT(text.error().message(), HasSubstr("is not a PDF"));
  EXPECT_THAT(text.error().message(), HasSubstr("<html>"));
}

TEST(PdfTextTest, TruncatedPdfIsAnError) {
  std::string pdf = ReadPdf("2304.02623v1.pdf");
  auto text = ExtractPdfText(pdf.substr(0, 2000), "arXiv 2304.02623v1");
  ASSERT_FALSE(text.has_value());
  EXPECT_EQ(text.error().code(), StatusCode::kCorruption);
  EXPECT_THAT(text.error().message(), HasSubstr("arXiv 2304.02623v1"));
}

TEST(PdfTextTest, GarbageAfterHeaderIsAnError) {
  std::string junk = "%PDF-1.5\n";
  for (int i = 0; i < 5000; ++i) junk += static_cast<char>((i * 7919) % 251);
  auto text = ExtractPdfText(junk, "junk");
  ASSERT_FALSE(text.has_value());
  EXPECT_EQ(text.error().code(), StatusCode::kCorruption);
}

TEST(PdfTextTest, MissingPdftotextSaysWhatToInstall) {
  PdfTextLimits limits;
  limits.pdftotext = "pdftotext-not-installed-here";
  auto text = ExtractPdfText(ReadPdf("1903.10676.pdf"), "x", limits);
  ASSERT_FALSE(text.has_value());
  EXPECT_EQ(text.error().code(), StatusCode::kNotFound);
  EXPECT_THAT(text.error().message(), HasSubstr("poppler-utils"));
}

TEST(PdfTextTest, RunawayExtractorIsKilledAtTheTimeLimit) {
  // A stand-in "pdftotext" that never finishes.
  std::string script = std::string(testing::TempDir()) + "/slow-pdftotext.sh";
  {
    std::ofstream out(script);
    out << "#!/bin/sh\nexec sleep 30\n";
  }
  ASSERT_EQ(std::system(("chmod +x " + script).c_str()), 0);
  PdfTextLimits limits;
  limits.pdftotext = script;
  limits.time_limit = std::chrono::milliseconds(300);
  auto text = ExtractPdfText(ReadPdf("1903.10676.pdf"), "slow", limits);
  ASSERT_FALSE(text.has_value());
  EXPECT_EQ(text.error().code(), StatusCode::kDeadlineExceeded);
}

// pdftotext runs in a private directory (cwd and TMPDIR) that is gone afterwards.
TEST(PdfTextTest, ExtractorRunsInAPrivateTempDirThatIsRemoved) {
  std::string record = std::string(testing::TempDir()) + "/pdftotext-saw.txt";
  std::string script = std::string(testing::TempDir()) + "/recording-pdftotext.sh";
  {
    std::ofstream out(script);
    out << "#!/bin/sh\npwd -P > '" << record << "'\necho \"$TMPDIR\" >> '" << record
        << "'\nfor i in 1 2 3 4 5 6 7 8 9 10; do\n"
        << "  echo 'Extracted text of the paper, long enough to count as text.'\ndone\n";
  }
  ASSERT_EQ(std::system(("chmod +x " + script).c_str()), 0);
  PdfTextLimits limits;
  limits.pdftotext = script;
  auto text = ExtractPdfText(ReadPdf("1903.10676.pdf"), "recorded", limits);
  ASSERT_TRUE(text.has_value()) << text.error().ToString();
  std::ifstream in(record);
  std::string cwd, tmpdir;
  std::getline(in, cwd);
  std::getline(in, tmpdir);
  EXPECT_THAT(tmpdir, HasSubstr("/" + std::string(kPdfTempPrefix)));
  EXPECT_EQ(cwd, std::filesystem::weakly_canonical(tmpdir).string());
  EXPECT_FALSE(std::filesystem::exists(tmpdir)) << tmpdir << " was left behind";
}

TEST(PdfTextTest, StaleTempPdfsAreRemovedAtStartFreshOnesKept) {
  namespace fs = std::filesystem;
  store::testing::TempDir dir("stale-pdf-test");
  fs::create_directories(dir / "coolpapers-pdf-old111");
  std::ofstream(dir / "coolpapers-pdf-old111" / "paper.pdf") << "%PDF-1.4";
  std::ofstream(dir / "coolpapers-pdf-oldfil") << "%PDF-1.4";  // a file, as older versions left
  fs::create_directories(dir / "coolpapers-pdf-new222");
  std::ofstream(dir / "someone-else-old") << "keep";
  auto two_hours_ago = fs::file_time_type::clock::now() - std::chrono::hours(2);
  for (const char* old : {"coolpapers-pdf-old111", "coolpapers-pdf-oldfil", "someone-else-old"}) {
    fs::last_write_time(dir / old, two_hours_ago);
  }
  EXPECT_EQ(RemoveStalePdfTemp(std::chrono::hours(1), dir.path()), 2);
  EXPECT_FALSE(fs::exists(dir / "coolpapers-pdf-old111"));
  EXPECT_FALSE(fs::exists(dir / "coolpapers-pdf-oldfil"));
  EXPECT_TRUE(fs::exists(dir / "coolpapers-pdf-new222"));  // may be in use
  EXPECT_TRUE(fs::exists(dir / "someone-else-old"));       // not ours
}

// ---- cleaning ----

std::string Page(const std::string& header, const std::string& body, int number) {
  return header + "\n\n" + body + "\nThe method is described here.\nResults follow in a table.\n" +
         "Further discussion continues.\n\n" + std::to_string(number) + "\n";
}

TEST(CleanPdfTextTest, DropsRunningHeadersAndPageNumbers) {
  std::string raw;
  const char* words[] = {"alpha", "beta", "gamma", "delta"};
  for (int p = 1; p <= 4; ++p) {
    if (p > 1) raw += '\f';
    raw += Page("Proceedings of the Workshop 2024, pages " + std::to_string(p * 10) + "-99",
                std::string("Body text of page ") + words[p - 1] + " continues.", p);
  }
  PaperTextParts parts = CleanPdfText(raw);
  EXPECT_THAT(parts.body, Not(HasSubstr("Proceedings of the Workshop")));
  EXPECT_THAT(parts.body, HasSubstr("Body text of page alpha continues."));
  EXPECT_THAT(parts.body, HasSubstr("Body text of page delta continues."));
  EXPECT_THAT(parts.body, Not(HasSubstr("\n3\n")));
}

TEST(CleanPdfTextTest, UndoesHyphenationOnlyBetweenLowerCaseWords) {
  PaperTextParts parts = CleanPdfText("a gener-\nation of models\nself-\nSupervised\nend of text");
  EXPECT_THAT(parts.body, HasSubstr("a generation of models"));
  EXPECT_THAT(parts.body, HasSubstr("self-\nSupervised"));
}

TEST(CleanPdfTextTest, CollapsesBlankLines) {
  PaperTextParts parts = CleanPdfText("one\n\n\n\n   \ntwo\n\n\n");
  EXPECT_EQ(parts.body, "one\n\ntwo");
}

TEST(CleanPdfTextTest, MovesReferencesAfterAppendices) {
  PaperTextParts parts = CleanPdfText(
      "Title\nIntro text.\n6 Conclusion\nWe conclude.\nR EFERENCES\n[1] A. Author. 2020. A "
      "paper.\n[2] B. Author. 2021.\nA Proofs of Theorems\nProof text.\n");
  EXPECT_EQ(parts.references, "R EFERENCES\n[1] A. Author. 2020. A paper.\n[2] B. Author. 2021.");
  EXPECT_THAT(parts.body, HasSubstr("We conclude.\n\nA Proofs of Theorems\nProof text."));
}

TEST(CleanPdfTextTest, AppendixLetterOnItsOwnLineEndsTheReferences) {
  // As pdftotext prints arXiv 2206.10883v3: the letter, a blank line, then the title.
  PaperTextParts parts = CleanPdfText(
      "Body.\nReferences\n[64] L. Zhong. Automatic summarization. In Proceedings,\npages "
      "163-172, 2019.\n\nA\n\nMulti-LexSum release\n\nA.1\n\nAccessing the data\nText.\n");
  EXPECT_EQ(parts.references,
            "References\n[64] L. Zhong. Automatic summarization. In Proceedings,\npages 163-172, "
            "2019.");
  EXPECT_THAT(parts.body, HasSubstr("Body.\n\nA\n\nMulti-LexSum release"));
}

// ---- fitting ----

TEST(FitToContextTest, KeepsTextThatFits) {
  PaperTextParts parts{"body", "References\n[1] x"};
  EXPECT_EQ(FitToContext(parts, 1000), "body\n\nReferences\n[1] x");
}

TEST(FitToContextTest, TrimsReferencesFirst) {
  std::string refs = "References\n";
  for (int i = 0; i < 200; ++i) refs += "[" + std::to_string(i) + "] Some reference.\n";
  PaperTextParts parts{std::string(1000, 'b'), refs};
  std::string fitted = FitToContext(parts, 2000);
  EXPECT_LE(fitted.size(), 2000u);
  EXPECT_EQ(fitted.substr(0, 1000), std::string(1000, 'b'));
  EXPECT_THAT(fitted, HasSubstr("[0] Some reference."));
  EXPECT_THAT(fitted, HasSubstr("[References truncated"));
}

TEST(FitToContextTest, ThenKeepsBeginningAndEndOfTheBody) {
  std::string body;
  for (int i = 0; i < 1000; ++i) body += "line " + std::to_string(i) + " of the paper body\n";
  PaperTextParts parts{body, "References\n[1] x\n"};
  std::string fitted = FitToContext(parts, 5000);
  EXPECT_LE(fitted.size(), 5000u);
  EXPECT_THAT(fitted, HasSubstr("line 0 of the paper body"));
  EXPECT_THAT(fitted, HasSubstr("line 999 of the paper body"));
  EXPECT_THAT(fitted, Not(HasSubstr("line 500 of")));
  EXPECT_THAT(fitted, HasSubstr("characters omitted"));
  EXPECT_THAT(fitted, HasSubstr("[References omitted"));
}

TEST(FitToContextTest, NeverSplitsAUtf8Character) {
  std::string body;
  for (int i = 0; i < 3000; ++i) body += "论文";
  std::string fitted = FitToContext(PaperTextParts{body, ""}, 1001);
  EXPECT_LE(fitted.size(), 1001u);
  for (size_t i = 0; i < fitted.size();) {  // every byte belongs to a whole character
    unsigned char c = static_cast<unsigned char>(fitted[i]);
    size_t len = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : 4;
    ASSERT_NE(c & 0xC0, 0x80) << "continuation byte at " << i;
    i += len;
    ASSERT_LE(i, fitted.size());
  }
}

}  // namespace
}  // namespace coolpapers::llm
