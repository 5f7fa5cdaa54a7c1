#pragma once
// SseParser: incremental parser for a Server-Sent Events stream (WHATWG "event stream"
// interpretation), fed with bytes exactly as they arrive from the network, split anywhere.
//
//   SseParser p;
//   Status s = p.Feed(chunk, [&](const SseEvent& e) { ... e.data ... });
//
// Lines end with LF, CR or CRLF (a CRLF split across two chunks counts once). Lines starting
// with ':' are comments. `data:` lines accumulate, joined by '\n'; a blank line dispatches the
// event (events whose data is empty are dropped, as browsers do). `event:` sets the type
// (default "message"), `id:` the id; other fields are ignored. One leading space after the
// colon is removed. A leading UTF-8 BOM is skipped.

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>

#include "core/status.h"

namespace coolpapers::llm {

struct SseEvent {
  std::string event = "message";
  std::string data;
  std::string id;
};

class SseParser {
 public:
  using EventFn = std::function<void(const SseEvent&)>;

  // `max_event_bytes` bounds one line and one event's accumulated data; beyond it Feed fails.
  explicit SseParser(size_t max_event_bytes = size_t{4} << 20) : max_bytes_(max_event_bytes) {}

  // Parses `bytes`, calling `on_event` for each completed event. Fails (and keeps failing)
  // with kResourceExhausted when a line or event exceeds the limit.
  Status Feed(std::string_view bytes, const EventFn& on_event);

  // True when bytes of an unfinished event are buffered (e.g. a stream cut mid-event).
  bool HasPartialEvent() const;

 private:
  void ProcessLine(std::string_view line, const EventFn& on_event);

  size_t max_bytes_;
  std::string line_;
  bool after_cr_ = false;     // last byte seen was CR: a following LF belongs to it
  bool bom_checked_ = false;
  bool failed_ = false;
  bool has_data_ = false;
  bool has_fields_ = false;
  SseEvent pending_;
};

}  // namespace coolpapers::llm
