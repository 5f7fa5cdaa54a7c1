#include "venues/venue_import.h"

#include <zlib.h>

#include <cctype>

#include "sources/acl/anthology.h"
#include "sources/cvf/openaccess.h"
#include "sources/openreview/notes.h"
#include "sources/pmlr/volume.h"

namespace coolpapers::venues {
namespace {

struct Parsed {
  std::string edition;
  std::vector<core::VenuePaper> papers;
  std::vector<std::string> skipped;
  int64_t not_accepted = 0;
};

template <typename T>
Parsed FromSource(T&& parsed) {
  Parsed out;
  out.edition = parsed.edition;
  out.papers = std::move(parsed.papers);
  out.skipped = std::move(parsed.skipped);
  return out;
}

Result<Parsed> ParseFile(VenueSource source, const std::string& text, const std::string& path,
                         const std::string& venue) {
  switch (source) {
    case VenueSource::kAcl: {
      auto c = sources::acl::ParseAnthologyXml(text, path);
      if (!c) return Err(c.error());
      return FromSource(*c);
    }
    case VenueSource::kPmlr: {
      auto v = sources::pmlr::ParseVolumeBib(text, path);
      if (!v) return Err(v.error());
      return FromSource(*v);
    }
    case VenueSource::kCvf: {
      auto l = sources::cvf::ParseListing(text, path);
      if (!l) return Err(l.error());
      return FromSource(*l);
    }
    case VenueSource::kOpenReview: {
      if (venue.empty()) {
        return Err(Status::InvalidArgument(
            "--source openreview needs --venue with the OpenReview venue id whose accepted "
            "papers to keep, e.g. --venue ICLR.cc/2024/Conference"));
      }
      auto page = sources::openreview::ParseNotes(text, venue, path);
      if (!page) return Err(page.error());
      Parsed out;
      out.edition = sources::openreview::EditionOfVenueId(venue);
      out.papers = std::move(page->accepted);
      out.skipped = std::move(page->skipped);
      out.not_accepted = page->not_accepted;
      return out;
    }
  }
  return Err(Status::InvalidArgument("unknown venue source"));
}

}  // namespace

std::optional<VenueSource> ParseVenueSource(std::string_view name) {
  std::string n(name);
  for (char& c : n) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (n == "acl") return VenueSource::kAcl;
  if (n == "pmlr") return VenueSource::kPmlr;
  if (n == "openreview") return VenueSource::kOpenReview;
  if (n == "cvf") return VenueSource::kCvf;
  return std::nullopt;
}

std::string KnownVenueSources() { return "acl, cvf, openreview, pmlr"; }

Result<std::string> ReadWholeFile(const std::string& path, size_t max_bytes) {
  gzFile f = gzopen(path.c_str(), "rb");  // reads plain files as they are
  if (!f) return Err(Status::NotFound(path + ": cannot open (check the path and permissions)"));
  std::string out;
  std::string buf(1 << 16, '\0');
  while (true) {
    int n = gzread(f, buf.data(), static_cast<unsigned>(buf.size()));
    if (n < 0) {
      int code = 0;
      std::string why = gzerror(f, &code);
      gzclose(f);
      return Err(Status::Corruption(path + ": cannot read (" + why +
                                    "); the file is damaged or cut short, download it again"));
    }
    if (n == 0) break;
    out.append(buf.data(), static_cast<size_t>(n));
    if (out.size() > max_bytes) {
      gzclose(f);
      return Err(Status::ResourceExhausted(path + ": larger than " +
                                           std::to_string(max_bytes >> 20) +
                                           " MiB; split it or check that it is the right file"));
    }
  }
  gzclose(f);
  return out;
}

Result<VenueFileResult> ImportVenueFile(store::Store& store, VenueSource source,
                                        const std::string& path, const std::string& venue) {
  Result<std::string> text = ReadWholeFile(path);
  if (!text) return Err(text.error());
  Result<Parsed> parsed = ParseFile(source, *text, path, venue);
  if (!parsed) return Err(parsed.error());
  if (source != VenueSource::kOpenReview && !venue.empty() && venue != parsed->edition) {
    return Err(Status::InvalidArgument(path + " holds " + parsed->edition + ", not " + venue +
                                       "; drop --venue or pass the file of " + venue));
  }
  VenueFileResult result;
  result.edition = parsed->edition;
  result.papers = static_cast<int64_t>(parsed->papers.size());
  result.skipped = std::move(parsed->skipped);
  result.not_accepted = parsed->not_accepted;
  if (!parsed->papers.empty()) {
    Result<store::VenueUpsertCounts> c = store.UpsertVenuePapers(parsed->papers);
    if (!c) return Err(c.error());
    result.counts = *c;
  }
  return result;
}

}  // namespace coolpapers::venues
