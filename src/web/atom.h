#pragma once
// Atom 1.0 (RFC 4287) feed writer for list, search and venue feeds. Every text value is
// XML-escaped here (characters XML forbids are dropped), so callers pass raw upstream text.

#include <string>
#include <string_view>
#include <vector>

#include "core/paper.h"

namespace coolpapers::web {

struct AtomEntry {
  std::string id;         // a permanent IRI, e.g. the paper's abs URL
  std::string title;
  std::string updated;    // RFC 3339 ("2026-06-30T00:00:00Z"); see AtomTimestamp
  std::string published;  // RFC 3339 or "" (omitted)
  std::string link;       // alternate link (the local paper page)
  std::vector<std::string> authors;
  std::string summary;    // plain text
  std::vector<std::string> categories;  // category terms
};

struct AtomFeed {
  std::string id;              // permanent IRI of the feed (usually its self URL)
  std::string title;
  std::string subtitle;        // "" = omitted
  std::string updated;        // RFC 3339
  std::string self_link;       // absolute URL of the feed
  std::string alternate_link;  // absolute URL of the HTML page it mirrors
  std::string author_name;     // feed-level author (entries without authors inherit it)
  std::vector<AtomEntry> entries;
};

// The feed as an XML document (UTF-8, Atom namespace).
std::string RenderAtomFeed(const AtomFeed& feed);

// RFC 3339 UTC timestamp from "YYYY-MM-DD HH:MM:SS", "YYYY-MM-DDTHH:MM:SSZ" or "YYYY-MM-DD";
// `fallback` (already RFC 3339) when `s` is none of those.
std::string AtomTimestamp(std::string_view s, std::string_view fallback = "1970-01-01T00:00:00Z");

// An entry for an arXiv paper: id = abs URL, link = `public_url` + "/arxiv/<id>", updated from
// paper.updated, else paper.published, else `day` (the announcement day).
AtomEntry AtomEntryForPaper(const core::Paper& paper, std::string_view public_url,
                            std::string_view day);

}  // namespace coolpapers::web
