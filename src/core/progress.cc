#include "core/progress.h"

#include <fmt/format.h>
#include <unistd.h>

namespace coolpapers::core {
namespace {

constexpr auto kTtyInterval = std::chrono::milliseconds(200);
constexpr auto kLogInterval = std::chrono::seconds(10);

std::string FormatDuration(double seconds) {
  if (seconds < 60) return fmt::format("{:.0f}s", seconds);
  auto s = static_cast<int64_t>(seconds);
  if (s < 3600) return fmt::format("{}m{:02}s", s / 60, s % 60);
  return fmt::format("{}h{:02}m", s / 3600, (s % 3600) / 60);
}

}  // namespace

Progress::Progress(std::string what, int64_t total, std::FILE* out, Clock& clock)
    : what_(std::move(what)),
      total_(total),
      out_(out),
      clock_(clock),
      tty_(out != nullptr && isatty(fileno(out)) == 1),
      start_(clock.Monotonic()),
      last_draw_(start_) {}

Progress::~Progress() {
  if (!finished_) {
    Finish(fmt::format("stopped after {} in {:.1f} s", count_, elapsed_seconds()));
  }
}

void Progress::Add(int64_t n) {
  count_ += n;
  Draw(false);
}

void Progress::SetTotal(int64_t total) { total_ = total; }

void Progress::SetNote(std::string note) { note_ = std::move(note); }

double Progress::elapsed_seconds() const {
  return std::chrono::duration<double>(clock_.Monotonic() - start_).count();
}

void Progress::Draw(bool force) {
  if (out_ == nullptr || finished_) return;
  auto now = clock_.Monotonic();
  auto interval =
      tty_ ? std::chrono::duration_cast<std::chrono::steady_clock::duration>(kTtyInterval)
           : std::chrono::duration_cast<std::chrono::steady_clock::duration>(kLogInterval);
  if (!force && now - last_draw_ < interval) return;
  last_draw_ = now;

  double elapsed = elapsed_seconds();
  double rate = elapsed > 0 ? static_cast<double>(count_) / elapsed : 0;
  std::string line = fmt::format("{}: {}", what_, count_);
  if (total_ > 0) {
    line += fmt::format("/{} ({:.1f}%)", total_,
                        100.0 * static_cast<double>(count_) / static_cast<double>(total_));
  }
  line += fmt::format(" {:.0f}/s", rate);
  if (total_ > count_ && rate > 0) {
    line += " ETA " + FormatDuration(static_cast<double>(total_ - count_) / rate);
  }
  if (!note_.empty()) line += " " + note_;
  if (tty_) {
    fmt::print(out_, "\r{}\x1b[K", line);
  } else {
    fmt::print(out_, "{}\n", line);
  }
  std::fflush(out_);
}

void Progress::Finish(const std::string& summary) {
  if (finished_) return;
  finished_ = true;
  if (out_ == nullptr) return;
  if (tty_) fmt::print(out_, "\r\x1b[K");
  fmt::print(out_, "{}: {}\n", what_, summary);
  std::fflush(out_);
}

}  // namespace coolpapers::core
