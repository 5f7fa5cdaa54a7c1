#include "web/paper_json.h"

namespace coolpapers::web {

nlohmann::json PaperJson(const core::Paper& paper) {
  return nlohmann::json{
      {"id", paper.id},
      {"version", paper.version},
      {"title", paper.title},
      {"abstract", paper.abstract},
      {"authors", paper.authors},
      {"categories", paper.categories},
      {"comments", paper.comments},
      {"journal_ref", paper.journal_ref},
      {"doi", paper.doi},
      {"published", paper.published},
      {"updated", paper.updated},
      {"pdf_url", paper.pdf_url()},
      {"abs_url", paper.abs_url()},
  };
}

nlohmann::json VenuePaperJson(const core::VenuePaper& paper) {
  return nlohmann::json{
      {"id", paper.id},           {"title", paper.title},       {"abstract", paper.abstract},
      {"authors", paper.authors}, {"edition", paper.venue},     {"group", paper.group},
      {"position", paper.position}, {"pdf_url", paper.pdf_url}, {"page_url", paper.page_url},
      {"doi", paper.doi},         {"pages", paper.pages},       {"other_ids", paper.other_ids},
  };
}

nlohmann::json AlsoAtJson(const std::vector<store::PaperLink>& links) {
  nlohmann::json out = nlohmann::json::array();
  for (const store::PaperLink& l : links) {
    out.push_back({{"id", l.venue_id},
                   {"edition", l.edition},
                   {"group", l.group},
                   {"method", l.method},
                   {"url", "/venue/" + l.venue_id}});
  }
  return out;
}

nlohmann::json MembershipsJson(const std::vector<core::Membership>& memberships) {
  nlohmann::json out = nlohmann::json::array();
  for (const core::Membership& m : memberships) {
    out.push_back({{"category", m.category},
                   {"day", m.day},
                   {"type", std::string(core::AnnounceTypeName(m.type))}});
  }
  return out;
}

nlohmann::json ClicksJson(const store::ClickCounts& clicks) {
  return nlohmann::json{
      {"pdf", clicks.pdf}, {"kimi", clicks.kimi}, {"copy", clicks.copy}, {"rel", clicks.rel}};
}

std::string DumpJson(const nlohmann::json& j) {
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace coolpapers::web
