#pragma once
// Test-only: data-driven golden tests. One driver per suite reads every tests/golden/<suite>/
// *.test file; each file holds many cases:
//
//   # a comment (only between cases)
//   case: bold and math
//   input:
//   **a** $x^2$
//   ----
//   <p><strong>a</strong> $x^2$</p>
//   ====
//
// `input:` starts the input (the lines up to "----", joined with "\n"; blank lines included);
// the expected output follows up to "====", the next "case:" or the end of the file (trailing
// blank lines dropped). Drivers compare their output with trailing newlines removed, and report
// a failing case as file:line (the line of its "case:").

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include <gtest/gtest.h>

#include "core/status.h"

namespace coolpapers::testing {

struct GoldenCase {
  std::string file;  // tests/golden/<suite>/<name>.test
  int line = 0;      // of "case:"
  std::string name;
  std::string input;
  std::string expected;

  // "tests/golden/markdown/lists.test:12 (nested lists)"
  std::string Where() const { return file + ":" + std::to_string(line) + " (" + name + ")"; }
};

// `s` without trailing newlines (and carriage returns).
inline std::string_view TrimTrailingNewlines(std::string_view s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

// The cases of one .test file; `file` names it in errors and in GoldenCase::file.
inline Result<std::vector<GoldenCase>> ParseGoldenFile(std::string_view text,
                                                       const std::string& file) {
  enum class Part { kBetween, kHeader, kInput, kExpected };
  std::vector<GoldenCase> cases;
  Part part = Part::kBetween;
  bool first_line = true;  // of the current input or expected output
  std::vector<std::string> lines;
  std::istringstream in{std::string(text)};
  for (std::string l; std::getline(in, l);) {
    if (!l.empty() && l.back() == '\r') l.pop_back();
    lines.push_back(l);
  }
  auto fail = [&](size_t i, const std::string& what) {
    return Err(Status::InvalidArgument(file + ":" + std::to_string(i + 1) + ": " + what +
                                       " (format: see src/core/golden_file.h)"));
  };
  auto finish_expected = [&] {
    std::string& e = cases.back().expected;
    e = std::string(TrimTrailingNewlines(e));
  };
  for (size_t i = 0; i < lines.size(); ++i) {
    const std::string& l = lines[i];
    if (l.rfind("case:", 0) == 0 && part != Part::kInput) {
      if (part == Part::kExpected) finish_expected();
      if (part == Part::kHeader) return fail(i, "case without \"input:\"");
      GoldenCase c;
      c.file = file;
      c.line = static_cast<int>(i + 1);
      c.name = std::string(l.substr(5));
      c.name.erase(0, c.name.find_first_not_of(' '));
      cases.push_back(std::move(c));
      part = Part::kHeader;
      continue;
    }
    switch (part) {
      case Part::kBetween:
        if (!l.empty() && l[0] != '#') return fail(i, "text outside a case: \"" + l + "\"");
        break;
      case Part::kHeader:
        if (l != "input:") return fail(i, "expected \"input:\" after \"case:\"");
        part = Part::kInput;
        first_line = true;
        break;
      case Part::kInput:
        if (l == "----") {
          part = Part::kExpected;
          first_line = true;
        } else {
          if (!first_line) cases.back().input += '\n';
          cases.back().input += l;
          first_line = false;
        }
        break;
      case Part::kExpected:
        if (l == "====") {
          finish_expected();
          part = Part::kBetween;
        } else {
          if (!first_line) cases.back().expected += '\n';
          cases.back().expected += l;
          first_line = false;
        }
        break;
    }
  }
  if (part == Part::kHeader) return fail(lines.size() - 1, "case without \"input:\"");
  if (part == Part::kInput) {
    return fail(lines.size() - 1, "input of case \"" + cases.back().name + "\" has no \"----\"");
  }
  if (part == Part::kExpected) finish_expected();
  return cases;
}

// Every case of <root>/<suite>/*.test (files in name order; `root` defaults to tests/golden of
// the source tree). An error when the folder is missing, a file is malformed, or the suite
// holds no case at all (a driver must never pass by running nothing).
inline Result<std::vector<GoldenCase>> LoadGoldenSuite(
    const std::string& suite, const std::string& root = COOLPAPERS_SOURCE_DIR "/tests/golden") {
  namespace fs = std::filesystem;
  const std::string relative = "tests/golden/" + suite;
  fs::path dir = fs::path(root) / suite;
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) {
    return Err(Status::NotFound("golden suite folder " + dir.string() + " is missing"));
  }
  std::vector<fs::path> files;
  for (const auto& e : fs::directory_iterator(dir, ec)) {
    if (e.path().extension() == ".test") files.push_back(e.path());
  }
  std::sort(files.begin(), files.end());
  std::vector<GoldenCase> all;
  for (const fs::path& f : files) {
    std::ifstream in(f, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    auto cases = ParseGoldenFile(text.str(), relative + "/" + f.filename().string());
    if (!cases) return Err(cases.error());
    all.insert(all.end(), cases->begin(), cases->end());
  }
  if (all.empty()) {
    return Err(Status::NotFound("golden suite " + dir.string() +
                                " has no case: add *.test files (format: src/core/golden_file.h)"));
  }
  return all;
}

// The driver: runs `run` on the input of every case of `suite` and fails (at the case's
// file:line) where its output, without trailing newlines, differs from the expected one; fails
// too when the suite has fewer than `min_cases` cases. With COOLPAPERS_GOLDEN_PRINT=1 in the
// environment, prints every case with its actual output (for writing new cases).
inline void ExpectGoldenSuite(const std::string& suite, size_t min_cases,
                              const std::function<std::string(const std::string&)>& run) {
  Result<std::vector<GoldenCase>> cases = LoadGoldenSuite(suite);
  ASSERT_TRUE(cases) << cases.error().ToString();
  ASSERT_GE(cases->size(), min_cases) << "golden suite " << suite << " has too few cases";
  const bool print = std::getenv("COOLPAPERS_GOLDEN_PRINT") != nullptr;
  for (const GoldenCase& c : *cases) {
    std::string actual(TrimTrailingNewlines(run(c.input)));
    if (print) {
      std::cout << "case: " << c.name << "\ninput:\n" << c.input << "\n----\n" << actual
                << "\n====\n";
    }
    if (actual != c.expected) {
      ADD_FAILURE_AT(c.file.c_str(), c.line)
          << "golden case \"" << c.name << "\" of " << c.Where() << "\n--- expected:\n"
          << c.expected << "\n--- actual:\n" << actual;
    }
  }
}

}  // namespace coolpapers::testing
