#pragma once
// Parsing saved or live OAI-PMH responses from arXiv (ListRecords / GetRecord with
// metadataPrefix=arXiv or arXivRaw) into Papers. Shared by `coolpapers import oai` and the live
// harvester (through sources/arxiv/oai), so both read records the same way.
//
// Elements are matched by local name, so default namespaces and any prefix work alike.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/paper.h"
#include "core/status.h"

namespace coolpapers::sources::arxiv {

struct OaiRecord {
  std::string identifier;         // header identifier, e.g. "oai:arXiv.org:1412.8323"
  std::string datestamp;          // header datestamp (last metadata change), "YYYY-MM-DD"
  std::vector<std::string> sets;  // header setSpec values, e.g. "physics:hep-th"
  bool deleted = false;           // header status="deleted": only paper.id is set
  // The record's metadata. paper.version is 0 for metadataPrefix=arXiv, which carries no
  // versions (Store::Upsert then keeps the stored version); arXivRaw gives the latest version
  // and its dates. published/updated are "YYYY-MM-DD HH:MM:SS" UTC (arXiv: midnight of the day).
  core::Paper paper;
  size_t offset = 0;  // byte offset of <record> in the input, for messages (see LineAt)
};

// A record that could not be read (bad id, no metadata); the rest of the page is still usable.
struct OaiRejected {
  size_t offset = 0;  // byte offset of <record> in the input
  std::string why;    // e.g. "record oai:arXiv.org:x has an invalid arXiv id: ..."
};

struct OaiPage {
  std::vector<OaiRecord> records;  // in document order, deleted ones included (deleted=true)
  std::vector<OaiRejected> rejected;
  std::string resumption_token;     // "" on the last page
  int64_t complete_list_size = -1;  // from the resumptionToken attributes, -1 if absent
  int64_t cursor = -1;
  // An OAI-PMH <error code="...">, e.g. "noRecordsMatch" (an empty result, not a failure) or
  // "badResumptionToken"; "" when the response has none.
  std::string error_code;
  std::string error_message;
};

// Parses one OAI-PMH response. Fails with kCorruption only when the XML is not well-formed or
// its root is not <OAI-PMH>; an unreadable record goes to `rejected` instead.
Result<OaiPage> ParseOaiListRecords(std::string_view xml);

// The 1-based line number of byte `offset` in `text` (for "FILE:LINE: ..." messages).
size_t LineAt(std::string_view text, size_t offset);

}  // namespace coolpapers::sources::arxiv
