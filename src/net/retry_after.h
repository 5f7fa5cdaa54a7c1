#pragma once
// Retry-After (RFC 9110 §10.2.3): the one parser of the header for every HTTP client of
// coolpapers (the polite arXiv fetcher, the LLM chat client).

#include <chrono>
#include <optional>
#include <string_view>

namespace coolpapers::net {

// An HTTP-date in any of the three forms RFC 9110 §5.6.7 asks recipients to accept:
// IMF-fixdate "Sun, 06 Nov 1994 08:49:37 GMT", the obsolete RFC 850 "Sunday, 06-Nov-94 08:49:37
// GMT" (two-digit years 70-99 are 19xx, 00-69 20xx) and asctime "Sun Nov  6 08:49:37 1994".
// nullopt when `text` is none of them or names an impossible date or time.
std::optional<std::chrono::system_clock::time_point> ParseHttpDate(std::string_view text);

// The wait a Retry-After value asks for, counted from `now`: delta-seconds ("120"; more than
// nine digits are read as a day) or an HTTP-date (0 when it is already past). nullopt when the
// value is neither (the caller then falls back to its own backoff).
std::optional<std::chrono::milliseconds> ParseRetryAfter(std::string_view value,
                                                         std::chrono::system_clock::time_point now);

}  // namespace coolpapers::net
