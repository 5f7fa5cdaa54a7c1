#include "llm/sse_parser.h"

namespace coolpapers::llm {

Status SseParser::Feed(std::string_view bytes, const EventFn& on_event) {
  if (failed_) return Status::ResourceExhausted("SSE stream already failed: line too long");
  for (char c : bytes) {
    if (after_cr_) {
      after_cr_ = false;
      if (c == '\n') continue;  // second half of CRLF
    }
    if (c == '\r' || c == '\n') {
      after_cr_ = (c == '\r');
      std::string_view line = line_;
      if (!bom_checked_) {
        bom_checked_ = true;
        if (line.substr(0, 3) == "\xEF\xBB\xBF") line.remove_prefix(3);
      }
      ProcessLine(line, on_event);
      line_.clear();
      continue;
    }
    line_.push_back(c);
    if (line_.size() > max_bytes_) {
      failed_ = true;
      return Status::ResourceExhausted("SSE line longer than " + std::to_string(max_bytes_) +
                                       " bytes");
    }
  }
  if (pending_.data.size() > max_bytes_) {
    failed_ = true;
    return Status::ResourceExhausted("SSE event larger than " + std::to_string(max_bytes_) +
                                     " bytes");
  }
  return Status::Ok();
}

bool SseParser::HasPartialEvent() const { return !line_.empty() || has_fields_; }

void SseParser::ProcessLine(std::string_view line, const EventFn& on_event) {
  if (line.empty()) {
    if (has_data_) {
      if (!pending_.data.empty() && pending_.data.back() == '\n') pending_.data.pop_back();
      if (!pending_.data.empty()) on_event(pending_);
    }
    pending_ = SseEvent();
    has_data_ = false;
    has_fields_ = false;
    return;
  }
  if (line.front() == ':') return;  // comment (keep-alive)
  std::string_view field = line, value;
  if (size_t colon = line.find(':'); colon != std::string_view::npos) {
    field = line.substr(0, colon);
    value = line.substr(colon + 1);
    if (!value.empty() && value.front() == ' ') value.remove_prefix(1);
  }
  has_fields_ = true;
  if (field == "data") {
    pending_.data.append(value);
    pending_.data.push_back('\n');
    has_data_ = true;
  } else if (field == "event") {
    pending_.event = value.empty() ? "message" : std::string(value);
  } else if (field == "id") {
    if (value.find('\0') == std::string_view::npos) pending_.id = std::string(value);
  }
}

}  // namespace coolpapers::llm
