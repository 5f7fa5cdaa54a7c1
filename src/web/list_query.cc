#include "web/list_query.h"

#include <algorithm>
#include <unordered_map>
#include <utility>

#include "core/text.h"

namespace coolpapers::web {
namespace {

bool IsReplacement(core::AnnounceType t) {
  return t == core::AnnounceType::kReplace || t == core::AnnounceType::kReplaceCross;
}

// The value as shown in messages: at most 60 characters, valid UTF-8.
std::string Shown(std::string_view text) {
  return core::SanitizeUtf8(text.substr(0, 60)) + (text.size() > 60 ? "..." : "");
}

}  // namespace

std::string DateHint() {
  return "Write one day as ?date=2026-06-30, or a range as ?date=2026-06-29..2026-07-03 "
         "(first day, two dots, last day; at most " +
         std::to_string(core::kMaxRangeDays) + " days).";
}

std::string ReplacementsHint() {
  return "Use show_replacements=1 to list replaced papers too, or leave it out.";
}

Result<ListSelection> ParseListSelection(const Request& req) {
  ListSelection sel;
  if (req.HasParam("date") && !req.Param("date").empty()) {
    auto range = core::ParseDayRange(req.Param("date"));
    if (!range) {
      return Err(Status::InvalidArgument("Bad date \"" + Shown(req.Param("date")) +
                                         "\": " + range.error().message()));
    }
    sel.range = *range;
  }
  if (req.HasParam("show_replacements")) {
    const std::string v = core::ToLower(req.Param("show_replacements"));
    if (v == "1" || v == "true" || v == "on" || v == "yes") {
      sel.replacements = true;
    } else if (!(v.empty() || v == "0" || v == "false" || v == "off" || v == "no")) {
      return Err(Status::InvalidArgument("Bad show_replacements=\"" +
                                         Shown(req.Param("show_replacements")) +
                                         "\": it is 1 (list replaced papers) or 0."));
    }
  }
  return sel;
}

std::string SelectionKey(const ListSelection& sel) {
  std::string key = sel.range ? sel.range->ToString() : "";
  if (sel.replacements) key += "|r";
  return key;
}

Result<std::vector<store::ListEntry>> ListDayOf(store::Store& st,
                                                const core::CategoryFilter& filter,
                                                const std::string& day, bool replacements) {
  store::ListQuery q;
  q.include = filter.include;
  q.exclude = filter.exclude;
  q.day = day;
  q.include_replacements = replacements;
  return st.ListDay(q);
}

Result<RangeListing> ListRange(store::Store& st, const core::CategoryFilter& filter,
                               const std::vector<store::DayCount>& days,
                               const core::DayRange& range, bool replacements) {
  // The stored listing days of the range, newest first (as `days`), each day's entries.
  std::vector<std::pair<std::string, std::vector<store::ListEntry>>> listed;
  for (const store::DayCount& d : days) {
    if (!range.Contains(d.day)) continue;
    auto entries = ListDayOf(st, filter, d.day, replacements);
    if (!entries) return Err(entries.error());
    listed.emplace_back(d.day, std::move(*entries));
  }
  // Where each paper is shown: (day index, entry index); days are newest first, so a smaller
  // day index is a later day.
  std::unordered_map<std::string, std::pair<size_t, size_t>> chosen;
  for (size_t di = 0; di < listed.size(); ++di) {
    const auto& entries = listed[di].second;
    for (size_t ei = 0; ei < entries.size(); ++ei) {
      auto [it, fresh] = chosen.try_emplace(entries[ei].paper.id, di, ei);
      if (fresh) continue;
      const store::ListEntry& had = listed[it->second.first].second[it->second.second];
      const bool was_replacement = IsReplacement(had.type);
      const bool is_replacement = IsReplacement(entries[ei].type);
      // An announcement beats a replacement; among announcements the earliest (this, older)
      // wins; among replacements the latest (the one already chosen) stays.
      if (was_replacement == is_replacement ? !is_replacement : was_replacement) {
        it->second = {di, ei};
      }
    }
  }
  RangeListing out;
  out.entries.reserve(chosen.size());
  for (size_t di = 0; di < listed.size(); ++di) {
    DaySlice slice{listed[di].first, out.entries.size(), out.entries.size()};
    auto& entries = listed[di].second;
    for (size_t ei = 0; ei < entries.size(); ++ei) {
      auto it = chosen.find(entries[ei].paper.id);
      if (it->second != std::make_pair(di, ei)) continue;
      out.entries.push_back(std::move(entries[ei]));
    }
    slice.end = out.entries.size();
    if (slice.end > slice.begin) out.slices.push_back(std::move(slice));
  }
  return out;
}

}  // namespace coolpapers::web
