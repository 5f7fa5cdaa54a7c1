#pragma once
// Small text utilities shared by every module (one implementation each, in text.cc).

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace coolpapers::core {

// Escapes & < > " ' for HTML text and attribute values.
std::string HtmlEscape(std::string_view s);
void AppendHtmlEscaped(std::string& out, std::string_view s);
// Escapes for XML 1.0 (as HtmlEscape, and drops characters XML forbids, e.g. U+0000-U+0008).
std::string XmlEscape(std::string_view s);
// Escapes a string for inclusion inside a JSON string literal (no surrounding quotes).
std::string JsonEscape(std::string_view s);
// Appends `s` escaped for a JSON string (without quotes): quotes, backslashes and control
// characters, and "<" too when `escape_lt` (JsonEscape's form, safe inside inline <script>).
void AppendJsonEscaped(std::string& out, std::string_view s, bool escape_lt);

// Collapses runs of whitespace (incl. newlines) to one space and trims both ends.
std::string CollapseWhitespace(std::string_view s);
std::string_view Trim(std::string_view s);
std::string ToLower(std::string_view s);  // ASCII only
std::vector<std::string> Split(std::string_view s, char sep, bool skip_empty = true);
std::string Join(const std::vector<std::string>& parts, std::string_view sep);
bool StartsWith(std::string_view s, std::string_view prefix);
bool EndsWith(std::string_view s, std::string_view suffix);

// Percent-encoding for URL query values / path segments (RFC 3986 unreserved kept).
std::string UrlEncode(std::string_view s);
// Decodes %XX and (if plus_is_space) '+'; false on a malformed escape.
bool UrlDecode(std::string_view s, std::string& out, bool plus_is_space = true);

// True if `s` is valid UTF-8.
bool IsValidUtf8(std::string_view s);
// Appends the UTF-8 encoding of the code point `cp` (at most U+10FFFF).
void AppendUtf8(std::string& out, char32_t cp);
// Replaces invalid UTF-8 sequences with U+FFFD and drops C0 controls except \t \n \r.
std::string SanitizeUtf8(std::string_view s);

// Parses a base-10 integer; false on anything else (no exceptions).
bool ParseInt64(std::string_view s, int64_t& out);

}  // namespace coolpapers::core
