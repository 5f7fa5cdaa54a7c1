#pragma once
// Paper and Membership: the two records the store keeps for arXiv papers.
// A paper is stored once; each (category, announce day, announce type) it appeared in is a
// separate Membership, so cross-lists show up in every category without duplicate papers.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace coolpapers::core {

enum class AnnounceType { kNew = 0, kCross = 1, kReplace = 2, kReplaceCross = 3 };

// "new", "cross", "replace", "replace-cross".
std::string_view AnnounceTypeName(AnnounceType t);
// Parses the names above (as in RSS `arxiv:announce_type`); nullopt for anything else.
std::optional<AnnounceType> ParseAnnounceType(std::string_view s);

struct Paper {
  std::string id;        // canonical arXiv id without version: "2402.12354", "hep-th/9901001"
  int version = 1;       // latest known version
  std::string title;     // as upstream gives it (may contain TeX), whitespace collapsed
  std::string abstract;  // whitespace collapsed
  std::vector<std::string> authors;
  std::vector<std::string> categories;  // primary first
  std::string comments;
  std::string journal_ref;
  std::string doi;
  std::string published;  // first version, "YYYY-MM-DD HH:MM:SS" UTC ("" if unknown)
  std::string updated;    // latest version, "YYYY-MM-DD HH:MM:SS" UTC ("" if unknown)

  const std::string& primary_category() const;  // "" when there are no categories
  std::string pdf_url() const;  // https://arxiv.org/pdf/<id>v<version>
  std::string abs_url() const;  // https://arxiv.org/abs/<id>
};

struct Membership {
  std::string paper_id;  // canonical id
  std::string category;  // e.g. "cs.CL"
  std::string day;       // announcement day, "YYYY-MM-DD" (America/New_York)
  AnnounceType type = AnnounceType::kNew;
  int position = 0;      // order within (category, day) as arXiv listed it, 0-based
};

}  // namespace coolpapers::core
