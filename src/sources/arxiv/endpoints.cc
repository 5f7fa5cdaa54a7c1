#include "sources/arxiv/endpoints.h"

namespace coolpapers::sources::arxiv {
namespace {
std::string Base(const std::string& base_url, const char* real_host) {
  if (base_url.empty()) return real_host;
  std::string b = base_url;
  while (!b.empty() && b.back() == '/') b.pop_back();
  return b;
}
}  // namespace

std::string ArxivEndpoints::Rss(const std::string& categories) const {
  return Base(base_url, "https://rss.arxiv.org") + "/rss/" + categories;
}
std::string ArxivEndpoints::Oai() const {
  return Base(base_url, "https://oaipmh.arxiv.org") + "/oai";
}
std::string ArxivEndpoints::ApiQuery() const {
  return Base(base_url, "https://export.arxiv.org") + "/api/query";
}
std::string ArxivEndpoints::Pdf(const std::string& id_with_version) const {
  return Base(base_url, "https://arxiv.org") + "/pdf/" + id_with_version;
}
std::string ArxivEndpoints::Abs(const std::string& id) const {
  return Base(base_url, "https://arxiv.org") + "/abs/" + id;
}
std::string ArxivEndpoints::ListNew(const std::string& category) const {
  return Base(base_url, "https://arxiv.org") + "/list/" + category + "/new";
}

}  // namespace coolpapers::sources::arxiv
