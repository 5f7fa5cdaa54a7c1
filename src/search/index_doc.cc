#include "search/index_doc.h"

#include <algorithm>

#include <nlohmann/json.hpp>

#include "core/text.h"
#include "core/venue.h"

namespace coolpapers::search {

std::string DocText(const IndexDoc& d) {
  std::string out = d.title;
  out += "\n";
  out += d.abstract;
  return out;
}

IndexDoc FromPaper(const core::Paper& p, int64_t stars) {
  IndexDoc d;
  d.id = p.id;
  d.version = p.version;
  d.title = p.title;
  d.abstract = p.abstract;
  d.authors = p.authors;
  d.categories = p.categories;
  d.date = !p.published.empty() ? p.published : p.updated;
  d.stars = stars;
  return d;
}

core::Paper ToPaper(const IndexDoc& d) {
  core::Paper p;
  p.id = d.id;
  p.version = d.version;
  p.title = d.title;
  p.abstract = d.abstract;
  p.authors = d.authors;
  p.categories = d.categories;
  p.published = d.date;
  p.updated = d.date;
  return p;
}

namespace {

// The stored form (SerializeDoc): kBinaryTag, then the fields in a fixed order, each string as
// its byte length (LEB128) and bytes, each list as its length and strings, version and stars
// as LEB128 (stars zigzag-coded). Reading it costs a few string copies per document, against
// a JSON parse that took a third of a result page's document loading.
constexpr char kBinaryTag = '\x01';

void PutVarint(std::string& out, uint64_t v) {
  while (v >= 0x80) {
    out += static_cast<char>((v & 0x7f) | 0x80);
    v >>= 7;
  }
  out += static_cast<char>(v);
}

// Text is stored as valid UTF-8 (invalid bytes replaced), as pages and JSON need it.
void PutString(std::string& out, const std::string& s) {
  if (!core::IsValidUtf8(s)) {
    const std::string clean = core::SanitizeUtf8(s);
    PutVarint(out, clean.size());
    out += clean;
    return;
  }
  PutVarint(out, s.size());
  out += s;
}

void PutList(std::string& out, const std::vector<std::string>& list) {
  PutVarint(out, list.size());
  for (const std::string& s : list) PutString(out, s);
}

// Reads the binary form front to back; every read fails (and stays failed) past the end.
class DocReader {
 public:
  explicit DocReader(std::string_view data) : data_(data) {}

  bool ok() const { return ok_; }
  bool at_end() const { return pos_ == data_.size(); }

  uint64_t Varint() {
    uint64_t v = 0;
    for (int shift = 0; ok_ && shift < 64; shift += 7) {
      if (pos_ >= data_.size()) break;
      const auto byte = static_cast<unsigned char>(data_[pos_++]);
      v |= static_cast<uint64_t>(byte & 0x7f) << shift;
      if ((byte & 0x80) == 0) return v;
    }
    ok_ = false;
    return 0;
  }

  std::string String() {
    const uint64_t n = Varint();
    if (!ok_ || n > data_.size() - pos_) {
      ok_ = false;
      return {};
    }
    std::string s(data_.substr(pos_, n));
    pos_ += n;
    return s;
  }

  std::vector<std::string> List() {
    const uint64_t n = Varint();
    std::vector<std::string> out;
    // Each string takes at least one byte: a longer count is a malformed document.
    if (!ok_ || n > data_.size() - pos_) {
      ok_ = false;
      return out;
    }
    out.reserve(n);
    for (uint64_t i = 0; i < n && ok_; ++i) out.push_back(String());
    return out;
  }

 private:
  std::string_view data_;
  size_t pos_ = 1;  // past kBinaryTag
  bool ok_ = true;
};

std::optional<IndexDoc> ParseBinaryDoc(std::string_view data) {
  DocReader r(data);
  IndexDoc d;
  d.id = r.String();
  d.version = static_cast<int>(r.Varint());
  d.title = r.String();
  d.abstract = r.String();
  d.authors = r.List();
  d.categories = r.List();
  d.date = r.String();
  const uint64_t zigzag = r.Varint();
  d.stars = static_cast<int64_t>(zigzag >> 1) ^ -static_cast<int64_t>(zigzag & 1);
  d.keywords = r.List();
  d.venue = r.String();
  if (!r.ok() || !r.at_end() || d.id.empty()) return std::nullopt;
  return d;
}

// The form indexes built before the binary one stored (still read: no rebuild needed).
std::optional<IndexDoc> ParseJsonDoc(const std::string& data) {
  nlohmann::json j = nlohmann::json::parse(data, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object() || !j.contains("id")) return std::nullopt;
  IndexDoc d;
  try {
    d.id = j.value("id", "");
    d.version = j.value("v", 1);
    d.title = j.value("t", "");
    d.abstract = j.value("a", "");
    d.authors = j.value("au", std::vector<std::string>{});
    d.categories = j.value("c", std::vector<std::string>{});
    d.date = j.value("d", "");
    d.stars = j.value("s", int64_t{0});
    d.keywords = j.value("k", std::vector<std::string>{});
    d.venue = j.value("vn", "");
  } catch (const nlohmann::json::exception&) {
    return std::nullopt;
  }
  return d;
}

}  // namespace

std::string SerializeDoc(const IndexDoc& d) {
  std::string out;
  out.reserve(64 + d.id.size() + d.title.size() + d.abstract.size() + d.date.size() +
              d.venue.size());
  out += kBinaryTag;
  PutString(out, d.id);
  PutVarint(out, static_cast<uint64_t>(std::max(0, d.version)));
  PutString(out, d.title);
  PutString(out, d.abstract);
  PutList(out, d.authors);
  PutList(out, d.categories);
  PutString(out, d.date);
  PutVarint(out, (static_cast<uint64_t>(d.stars) << 1) ^ static_cast<uint64_t>(d.stars >> 63));
  PutList(out, d.keywords);
  PutString(out, d.venue);
  return out;
}

std::optional<IndexDoc> ParseDoc(std::string_view data) {
  if (!data.empty() && data[0] == kBinaryTag) return ParseBinaryDoc(data);
  return ParseJsonDoc(std::string(data));
}

std::string DateKey(const std::string& date) {
  std::string key;
  for (char c : date) {
    if (c >= '0' && c <= '9') key += c;
  }
  if (key.size() < 8) return "";
  key.resize(14, '0');
  return key;
}

std::string SortDateKey(const IndexDoc& d) {
  std::string key = DateKey(d.date);
  if (!key.empty() || d.venue.empty()) return key;
  std::string conference;
  int year = 0;
  if (!core::SplitEdition(d.venue, &conference, &year) || year < 1000 || year > 9999) return "";
  return std::to_string(year) + "0101000000";
}

}  // namespace coolpapers::search
