#pragma once
// Progress: a count / rate / ETA line for long work. On a terminal (stderr is a TTY) it redraws
// one line at most every 200 ms; otherwise it prints a line every 10 s. Finish() prints the
// one-line summary in both cases.
//
//   core::Progress p("import", total_or_0);
//   for (...) { ...; p.Add(1); }
//   p.Finish("74728 papers (74728 new, 0 updated) in 1.3 s");

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <string>

#include "core/clock.h"

namespace coolpapers::core {

class Progress {
 public:
  // `total` 0 means unknown (no ETA / percentage). `out` defaults to stderr; `clock` decides
  // when to redraw (tests pass a FakeClock).
  Progress(std::string what, int64_t total = 0, std::FILE* out = stderr,
           Clock& clock = SystemClock());
  ~Progress();
  void Add(int64_t n = 1);
  void SetTotal(int64_t total);
  void SetNote(std::string note);  // extra text shown after the counts, e.g. current file
  int64_t count() const { return count_; }
  double elapsed_seconds() const;
  // Clears the live line and prints "<what>: <summary>".
  void Finish(const std::string& summary);

 private:
  void Draw(bool force);

  std::string what_;
  int64_t total_;
  std::FILE* out_;
  Clock& clock_;
  bool tty_;
  bool finished_ = false;
  int64_t count_ = 0;
  std::string note_;
  std::chrono::steady_clock::time_point start_, last_draw_;
};

}  // namespace coolpapers::core
