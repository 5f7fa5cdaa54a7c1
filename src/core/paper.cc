#include "core/paper.h"

namespace coolpapers::core {

std::string_view AnnounceTypeName(AnnounceType t) {
  switch (t) {
    case AnnounceType::kNew: return "new";
    case AnnounceType::kCross: return "cross";
    case AnnounceType::kReplace: return "replace";
    case AnnounceType::kReplaceCross: return "replace-cross";
  }
  return "new";
}

std::optional<AnnounceType> ParseAnnounceType(std::string_view s) {
  if (s == "new") return AnnounceType::kNew;
  if (s == "cross") return AnnounceType::kCross;
  if (s == "replace") return AnnounceType::kReplace;
  if (s == "replace-cross") return AnnounceType::kReplaceCross;
  return std::nullopt;
}

const std::string& Paper::primary_category() const {
  static const std::string kEmpty;
  return categories.empty() ? kEmpty : categories.front();
}

std::string Paper::pdf_url() const {
  return "https://arxiv.org/pdf/" + id + "v" + std::to_string(version > 0 ? version : 1);
}

std::string Paper::abs_url() const { return "https://arxiv.org/abs/" + id; }

}  // namespace coolpapers::core
