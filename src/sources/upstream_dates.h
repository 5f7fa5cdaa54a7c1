#pragma once
// Normalising the date strings arXiv's metadata formats use to the store's
// "YYYY-MM-DD HH:MM:SS" (UTC) form.

#include <optional>
#include <string>
#include <string_view>

namespace coolpapers::sources {

// "Mon, 2 Apr 2007 19:18:42 GMT" (arXivRaw and Kaggle `versions[].created`; the weekday is
// optional) -> "2007-04-02 19:18:42". nullopt when the text has another shape.
std::optional<std::string> GmtDateToUtc(std::string_view text);

// "2014-12-29" (optionally followed by a time, "T..." or " ...") -> "2014-12-29 00:00:00" or the
// given HH:MM:SS. nullopt when the text does not start with a YYYY-MM-DD date.
std::optional<std::string> IsoDateToUtc(std::string_view text);

}  // namespace coolpapers::sources
