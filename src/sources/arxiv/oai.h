#pragma once
// OAI-PMH requests to arXiv (ListRecords, metadataPrefix=arXiv) for the live harvester. The
// records themselves are read by sources::arxiv::ParseOaiListRecords (shared with `import oai`); this
// file builds request URLs and turns an OAI response into a page or a clear error.

#include <string>
#include <string_view>

#include "core/status.h"
#include "sources/arxiv/endpoints.h"
#include "sources/arxiv/oai_records.h"

namespace coolpapers::sources::arxiv {

struct OaiListRequest {
  std::string set;    // "cs", "math", "physics:hep-th"; "" for everything
  std::string from;   // "YYYY-MM-DD" or ""
  std::string until;  // "YYYY-MM-DD" or ""
  std::string metadata_prefix = "arXiv";
};

// The first ListRecords URL of a list.
std::string OaiListRecordsUrl(const ArxivEndpoints& endpoints, const OaiListRequest& req);
// The URL continuing a list: only the verb and the token, as OAI-PMH requires.
std::string OaiResumeUrl(const ArxivEndpoints& endpoints, const std::string& token);

// The OAI set of an archive: physics archives are "physics:<archive>" ("physics:hep-th"),
// the others are the archive itself ("cs", "math", "stat").
std::string OaiSetForArchive(const std::string& archive);

// Parses a ListRecords response fetched from `url`. "noRecordsMatch" is an empty page, not an
// error; any other OAI error fails (kInvalidArgument for badArgument/badResumptionToken/...);
// malformed XML fails with kCorruption naming `url`. When `response_date` is given it receives
// the response's <responseDate> ("YYYY-MM-DDThh:mm:ssZ", the server's clock) or "".
Result<sources::arxiv::OaiPage> ParseOaiResponse(std::string_view body, const std::string& url,
                                        std::string* response_date = nullptr);

}  // namespace coolpapers::sources::arxiv
