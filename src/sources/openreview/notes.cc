#include "sources/openreview/notes.h"

#include <cctype>
#include <nlohmann/json.hpp>

#include "core/text.h"

namespace coolpapers::sources::openreview {
namespace {

using nlohmann::json;

// content.<name> as API v2 ({"value": x}) or v1 (x) writes it; null when absent.
const json& Field(const json& content, const char* name) {
  static const json kNull;
  auto it = content.find(name);
  if (it == content.end()) return kNull;
  if (it->is_object()) {
    auto v = it->find("value");
    return v == it->end() ? kNull : *v;
  }
  return *it;
}

std::string StringField(const json& content, const char* name) {
  const json& v = Field(content, name);
  return v.is_string() ? core::CollapseWhitespace(v.get<std::string>()) : "";
}

std::vector<std::string> ListField(const json& content, const char* name) {
  std::vector<std::string> out;
  const json& v = Field(content, name);
  if (!v.is_array()) return out;
  for (const json& item : v) {
    if (!item.is_string()) continue;
    std::string s = core::CollapseWhitespace(item.get<std::string>());
    if (!s.empty()) out.push_back(std::move(s));
  }
  return out;
}

bool UsableForum(const std::string& id) {
  if (id.empty() || id.size() > 64) return false;
  for (char c : id) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_' && c != '-') return false;
  }
  return true;
}

// One note; false with the reason when it cannot be a paper page. `accepted` tells whether
// the note belongs to the conference's accepted papers.
bool ReadNote(const json& note, const std::string& venue_id, const std::string& edition,
              core::VenuePaper& p, bool& accepted, std::string& why) {
  if (!note.is_object()) return why = "not an object", false;
  std::string forum = note.value("forum", std::string());
  if (forum.empty()) forum = note.value("id", std::string());
  if (!UsableForum(forum)) return why = "no usable id", false;
  const json& content = note.contains("content") ? note["content"] : json::object();
  if (!content.is_object()) return why = "id " + forum + ": content is not an object", false;
  p.title = StringField(content, "title");
  if (p.title.empty()) return why = "id " + forum + ": no title", false;
  accepted = StringField(content, "venueid") == venue_id;
  p.id = forum + "@OpenReview";
  p.venue = edition;
  p.group = GroupOfVenue(StringField(content, "venue"));
  p.authors = ListField(content, "authors");
  p.abstract = StringField(content, "abstract");
  p.pdf_url = PdfUrl(forum);
  p.page_url = ForumUrl(forum);
  return true;
}

}  // namespace

std::string EditionOfVenueId(std::string_view venue_id) {
  size_t slash = venue_id.find('/');
  if (slash == std::string_view::npos || slash == 0) return "";
  std::string_view host = venue_id.substr(0, slash);
  std::string conf(host.substr(0, host.find('.')));
  size_t year_at = slash + 1;
  if (venue_id.size() < year_at + 4) return "";
  for (size_t i = 0; i < 4; ++i) {
    if (!std::isdigit(static_cast<unsigned char>(venue_id[year_at + i]))) return "";
  }
  if (venue_id.size() > year_at + 4 && venue_id[year_at + 4] != '/') return "";
  for (char c : conf) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-') return "";
  }
  if (conf.empty()) return "";
  return conf + "." + std::string(venue_id.substr(year_at, 4));
}

std::string GroupOfVenue(std::string_view venue) {
  std::string v = core::CollapseWhitespace(venue);
  // Drop the leading "<Conf> <Year>" ("ICLR 2024", "NeurIPS 2023").
  size_t space = v.find(' ');
  if (space != std::string::npos && v.size() >= space + 5 &&
      std::isdigit(static_cast<unsigned char>(v[space + 1]))) {
    v = std::string(core::Trim(v.substr(space + 5)));
  } else {
    v.clear();
  }
  if (v.empty() || v == "Conference" || v == "conference") return "Main";
  v[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(v[0])));
  return v;
}

std::string NotesUrl(const std::string& base_url, std::string_view venue_id, int64_t offset,
                     int limit) {
  std::string base = base_url.empty() ? "https://api2.openreview.net" : base_url;
  while (!base.empty() && base.back() == '/') base.pop_back();
  std::string id;
  for (char c : venue_id) {
    if (std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' || c == '_') {
      id += c;
    } else {
      static constexpr char kHex[] = "0123456789ABCDEF";
      id += '%';
      id += kHex[(static_cast<unsigned char>(c) >> 4) & 15];
      id += kHex[static_cast<unsigned char>(c) & 15];
    }
  }
  return base + "/notes?content.venueid=" + id + "&offset=" + std::to_string(offset) +
         "&limit=" + std::to_string(limit);
}

std::string PdfUrl(std::string_view forum) {
  return "https://openreview.net/pdf?id=" + std::string(forum);
}

std::string ForumUrl(std::string_view forum) {
  return "https://openreview.net/forum?id=" + std::string(forum);
}

Result<NotesPage> ParseNotes(std::string_view text, const std::string& venue_id,
                             const std::string& source, int first_position) {
  std::string edition = EditionOfVenueId(venue_id);
  if (edition.empty()) {
    return Err(Status::InvalidArgument(
        "venue id \"" + venue_id + "\" is not \"<Conf>.cc/<year>/Conference\" (e.g. " +
        "ICLR.cc/2024/Conference), so the edition is unknown"));
  }
  json doc = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded() || !doc.is_object() || !doc.contains("notes") ||
      !doc["notes"].is_array()) {
    return Err(Status::Corruption(
        source + ": not an OpenReview notes response (expected a JSON object with a \"notes\" " +
        "array); the response was cut short or is an error page, try again later"));
  }
  NotesPage page;
  if (doc.contains("count") && doc["count"].is_number_integer()) page.count = doc["count"].get<int64_t>();
  const json& notes = doc["notes"];
  page.notes = notes.size();
  for (size_t i = 0; i < notes.size(); ++i) {
    core::VenuePaper p;
    bool accepted = false;
    std::string why;
    if (!ReadNote(notes[i], venue_id, edition, p, accepted, why)) {
      page.skipped.push_back(source + ": note " + std::to_string(i) + ": " + why);
      continue;
    }
    if (!accepted) {
      ++page.not_accepted;
      continue;
    }
    p.position = first_position + static_cast<int>(page.accepted.size());
    page.accepted.push_back(std::move(p));
  }
  return page;
}

}  // namespace coolpapers::sources::openreview
