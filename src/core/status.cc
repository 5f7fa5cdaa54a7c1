#include "core/status.h"

namespace coolpapers {

std::string_view StatusCodeName(StatusCode code) {
  switch (code) {
    case StatusCode::kOk: return "ok";
    case StatusCode::kInvalidArgument: return "invalid argument";
    case StatusCode::kNotFound: return "not found";
    case StatusCode::kAlreadyExists: return "already exists";
    case StatusCode::kFailedPrecondition: return "failed precondition";
    case StatusCode::kResourceExhausted: return "resource exhausted";
    case StatusCode::kUnavailable: return "unavailable";
    case StatusCode::kDeadlineExceeded: return "deadline exceeded";
    case StatusCode::kPermissionDenied: return "permission denied";
    case StatusCode::kCancelled: return "cancelled";
    case StatusCode::kCorruption: return "corruption";
    case StatusCode::kInternal: return "internal error";
  }
  return "unknown";
}

std::string Status::ToString() const {
  if (ok()) return "ok";
  std::string out(StatusCodeName(code_));
  out += ": ";
  out += message_;
  return out;
}

bool Status::IsTransient() const {
  return code_ == StatusCode::kUnavailable || code_ == StatusCode::kDeadlineExceeded ||
         code_ == StatusCode::kResourceExhausted;
}

}  // namespace coolpapers
