#pragma once

// The URLs of arXiv's services: the request side of the arXiv source.

#include <string>

namespace coolpapers::sources::arxiv {

// Where arXiv lives. `base_url` empty means arXiv's real hosts; otherwise every URL is
// base_url + the path shown.
struct ArxivEndpoints {
  std::string base_url;

  std::string Rss(const std::string& categories) const;     // /rss/<cat>[+<cat>...]
  std::string Oai() const;                                   // /oai
  std::string ApiQuery() const;                              // /api/query
  std::string Pdf(const std::string& id_with_version) const; // /pdf/<id>
  std::string Abs(const std::string& id) const;              // /abs/<id>
  std::string ListNew(const std::string& category) const;    // /list/<cat>/new
};

}  // namespace coolpapers::sources::arxiv
