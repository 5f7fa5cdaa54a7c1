#include "sources/arxiv/oai.h"

#include "core/category.h"
#include "core/text.h"

namespace coolpapers::sources::arxiv {

std::string OaiListRecordsUrl(const ArxivEndpoints& endpoints, const OaiListRequest& req) {
  std::string url = endpoints.Oai() + "?verb=ListRecords&metadataPrefix=" +
                    core::UrlEncode(req.metadata_prefix);
  if (!req.from.empty()) url += "&from=" + core::UrlEncode(req.from);
  if (!req.until.empty()) url += "&until=" + core::UrlEncode(req.until);
  if (!req.set.empty()) url += "&set=" + core::UrlEncode(req.set);
  return url;
}

std::string OaiResumeUrl(const ArxivEndpoints& endpoints, const std::string& token) {
  return endpoints.Oai() + "?verb=ListRecords&resumptionToken=" + core::UrlEncode(token);
}

std::string OaiSetForArchive(const std::string& archive) {
  const core::Archive* a = core::Taxonomy::Default().FindArchive(archive);
  if (a && a->group == "Physics") return "physics:" + archive;
  return archive;
}

namespace {
// The envelope's <responseDate>, which precedes every record; a plain search of the head of the
// document is enough (the records themselves are read by sources::arxiv::ParseOaiListRecords).
std::string ResponseDate(std::string_view body) {
  std::string_view head = body.substr(0, 4096);
  size_t open = head.find("responseDate>");
  if (open == std::string_view::npos) return "";
  size_t start = open + 13;
  size_t end = head.find('<', start);
  if (end == std::string_view::npos) return "";
  return std::string(core::Trim(head.substr(start, end - start)));
}
}  // namespace

Result<sources::arxiv::OaiPage> ParseOaiResponse(std::string_view body, const std::string& url,
                                        std::string* response_date) {
  if (response_date) *response_date = ResponseDate(body);
  auto page = sources::arxiv::ParseOaiListRecords(body);
  if (!page) {
    return Err(Status(page.error().code(), url + ": " + page.error().message()));
  }
  if (page->error_code.empty() || page->error_code == "noRecordsMatch") return page;
  return Err(Status::InvalidArgument(url + ": OAI-PMH error " + page->error_code + ": " +
                                     page->error_message +
                                     (page->error_code == "badResumptionToken"
                                          ? " (the list expired; the harvest restarts it)"
                                          : "")));
}

}  // namespace coolpapers::sources::arxiv
