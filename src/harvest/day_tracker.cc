#include "harvest/day_tracker.h"

#include <algorithm>
#include <tuple>

#include <nlohmann/json.hpp>

namespace coolpapers::harvest {
namespace {

using nlohmann::json;

Result<json> LoadJson(store::Store& store, const std::string& key) {
  auto v = store.GetState(key);
  if (!v) return Err(v.error());
  if (!*v || (*v)->empty()) return json();
  json j = json::parse(**v, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) {
    return Err(Status::Corruption("harvest state '" + key +
                                  "' is not valid JSON; delete it to restart that step"));
  }
  return j;
}

std::string Str(const json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

std::string DayKey(const std::string& category, const std::string& day) {
  return "harvest.day." + category + "." + day;
}

}  // namespace

Status DayTracker::Track(const TrackedDay& day) {
  json j;
  j["expected"] = day.versions.size();
  j["versions"] = json::object();
  for (const auto& [id, v] : day.versions) j["versions"][id] = v;
  if (Status s = store_.SetState(DayKey(day.category, day.day), j.dump()); !s.ok()) return s;
  auto open = OpenDays();
  if (!open) return open.error();
  auto entry = std::make_pair(day.category, day.day);
  if (std::find(open->begin(), open->end(), entry) == open->end()) {
    open->push_back(entry);
    std::sort(open->begin(), open->end(),
              [](const auto& a, const auto& b) { return std::tie(a.second, a.first) <
                                                        std::tie(b.second, b.first); });
    return SetOpenDays(*open);
  }
  return Status::Ok();
}

Result<std::optional<TrackedDay>> DayTracker::Get(const std::string& category,
                                                  const std::string& day) {
  auto j = LoadJson(store_, DayKey(category, day));
  if (!j) return Err(j.error());
  if (!j->is_object() || !j->contains("versions")) return std::optional<TrackedDay>();
  TrackedDay t;
  t.category = category;
  t.day = day;
  for (const auto& [id, v] : (*j)["versions"].items()) {
    if (v.is_number_integer()) t.versions[id] = v.get<int>();
  }
  return std::optional<TrackedDay>(std::move(t));
}

Result<std::vector<std::pair<std::string, std::string>>> DayTracker::OpenDays() {
  auto j = LoadJson(store_, "harvest.open_days");
  if (!j) return Err(j.error());
  std::vector<std::pair<std::string, std::string>> out;
  if (!j->is_array()) return out;
  for (const auto& e : *j) {
    if (!e.is_string()) continue;
    std::string s = e.get<std::string>();
    auto bar = s.find('|');
    if (bar != std::string::npos) out.emplace_back(s.substr(0, bar), s.substr(bar + 1));
  }
  return out;
}

Status DayTracker::SetOpenDays(const std::vector<std::pair<std::string, std::string>>& days) {
  json j = json::array();
  for (const auto& [cat, day] : days) j.push_back(cat + "|" + day);
  return store_.SetState("harvest.open_days", j.dump());
}

Status DayTracker::Close(const std::string& category, const std::string& day) {
  auto open = OpenDays();
  if (!open) return open.error();
  auto entry = std::make_pair(category, day);
  auto it = std::find(open->begin(), open->end(), entry);
  if (it == open->end()) return Status::Ok();
  open->erase(it);
  return SetOpenDays(*open);
}

Result<std::string> DayTracker::LastComplete(const std::string& category) {
  auto v = store_.GetState("harvest.last_complete." + category);
  if (!v) return Err(v.error());
  return v->value_or("");
}

Status DayTracker::SetLastComplete(const std::string& category, const std::string& day) {
  auto cur = LastComplete(category);
  if (!cur) return cur.error();
  if (!cur->empty() && *cur >= day) return Status::Ok();
  return store_.SetState("harvest.last_complete." + category, day);
}

Result<OaiCheckpoint> DayTracker::Oai(const std::string& set) {
  auto j = LoadJson(store_, "harvest.oai." + set);
  if (!j) return Err(j.error());
  OaiCheckpoint c;
  if (!j->is_object()) return c;
  c.from = Str(*j, "from");
  c.token = Str(*j, "token");
  c.list_from = Str(*j, "list_from");
  c.list_until = Str(*j, "list_until");
  c.started = Str(*j, "started");
  return c;
}

Status DayTracker::SetOai(const std::string& set, const OaiCheckpoint& c) {
  json j = {{"from", c.from},
            {"token", c.token},
            {"list_from", c.list_from},
            {"list_until", c.list_until},
            {"started", c.started}};
  return store_.SetState("harvest.oai." + set, j.dump());
}

Result<RssValidators> DayTracker::Rss(const std::string& group) {
  auto j = LoadJson(store_, "harvest.rss." + group);
  if (!j) return Err(j.error());
  RssValidators v;
  if (!j->is_object()) return v;
  v.last_modified = Str(*j, "last_modified");
  v.etag = Str(*j, "etag");
  v.day = Str(*j, "day");
  return v;
}

Status DayTracker::SetRss(const std::string& group, const RssValidators& v) {
  json j = {{"last_modified", v.last_modified}, {"etag", v.etag}, {"day", v.day}};
  return store_.SetState("harvest.rss." + group, j.dump());
}

}  // namespace coolpapers::harvest
