#pragma once
// Status and Result<T>: how every fallible coolpapers function reports failure.
// Error messages say what failed, on which input, and what to do next.

#include <string>
#include <string_view>
#include <utility>

#include <tl/expected.hpp>

namespace coolpapers {

enum class StatusCode {
  kOk = 0,
  kInvalidArgument,    // bad input from a user or upstream; maps to HTTP 400
  kNotFound,           // maps to HTTP 404
  kAlreadyExists,
  kFailedPrecondition, // e.g. no API key configured
  kResourceExhausted,  // rate limit / budget; maps to HTTP 429
  kUnavailable,        // transient upstream failure; worth retrying
  kDeadlineExceeded,   // timeout; worth retrying
  kPermissionDenied,   // maps to HTTP 403
  kCancelled,
  kCorruption,         // stored or upstream data that cannot be parsed
  kInternal,
};

// Human-readable name of a code, e.g. "not found".
std::string_view StatusCodeName(StatusCode code);

class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(StatusCode code, std::string message) : code_(code), message_(std::move(message)) {}

  static Status Ok() { return Status(); }
  static Status InvalidArgument(std::string m) { return {StatusCode::kInvalidArgument, std::move(m)}; }
  static Status NotFound(std::string m) { return {StatusCode::kNotFound, std::move(m)}; }
  static Status AlreadyExists(std::string m) { return {StatusCode::kAlreadyExists, std::move(m)}; }
  static Status FailedPrecondition(std::string m) {
    return {StatusCode::kFailedPrecondition, std::move(m)};
  }
  static Status ResourceExhausted(std::string m) {
    return {StatusCode::kResourceExhausted, std::move(m)};
  }
  static Status Unavailable(std::string m) { return {StatusCode::kUnavailable, std::move(m)}; }
  static Status DeadlineExceeded(std::string m) {
    return {StatusCode::kDeadlineExceeded, std::move(m)};
  }
  static Status PermissionDenied(std::string m) {
    return {StatusCode::kPermissionDenied, std::move(m)};
  }
  static Status Cancelled(std::string m) { return {StatusCode::kCancelled, std::move(m)}; }
  static Status Corruption(std::string m) { return {StatusCode::kCorruption, std::move(m)}; }
  static Status Internal(std::string m) { return {StatusCode::kInternal, std::move(m)}; }

  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }
  // "<code name>: <message>", or "ok".
  std::string ToString() const;
  // True for failures that may succeed when tried again (unavailable, deadline, exhausted).
  bool IsTransient() const;

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
};

template <class T>
using Result = tl::expected<T, Status>;

// `return Err(Status::NotFound("..."));` from a function returning Result<T>.
inline tl::unexpected<Status> Err(Status s) { return tl::unexpected<Status>(std::move(s)); }

}  // namespace coolpapers
