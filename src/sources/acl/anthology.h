#pragma once

// The ACL Anthology's XML (data/xml/<collection>.xml in acl-org/acl-anthology): one file per
// collection ("2024.acl"), one <volume> per track ("long", "short", "findings", "demos", ...),
// one <paper> per paper. Every paper of every volume becomes a VenuePaper of the edition named
// by the collection ("2024.acl" -> "ACL.2024"), grouped by volume; front matter is skipped.
// Titles and abstracts lose their markup (<fixed-case>, <i>, <b>), <tex-math> becomes $...$.

#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "core/venue.h"

namespace coolpapers::sources::acl {

struct AnthologyCollection {
  std::string collection;  // "2024.acl"
  std::string edition;     // "ACL.2024"
  std::vector<core::VenuePaper> papers;  // document order
  std::vector<std::string> skipped;      // "<source>: volume long, paper 7: no <url>", ...
};

// Reads one collection file's XML; `source` names it in errors (a path or URL). A document that
// is not XML or has no <collection id="YYYY.name"> is an error; a paper without an id, <url> or
// title is skipped with the reason in `skipped`.
Result<AnthologyCollection> ParseAnthologyXml(std::string_view xml, const std::string& source);

// "2024.acl" -> "ACL.2024", "2023.findings" -> "Findings.2023"; "" if it is not "YYYY.name".
std::string EditionOfCollection(std::string_view collection_id);

// "long" -> "Long", "srw" -> "SRW", "demos" -> "Demo", anything else capitalised.
std::string GroupOfVolume(std::string_view volume_id);

// https://aclanthology.org/<anthology id>.pdf and https://aclanthology.org/<anthology id>/
std::string AnthologyPdfUrl(std::string_view anthology_id);
std::string AnthologyPageUrl(std::string_view anthology_id);

}  // namespace coolpapers::sources::acl
