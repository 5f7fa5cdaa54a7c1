#include "store/faq_content.h"

#include <nlohmann/json.hpp>

namespace coolpapers::store {
namespace {

Status Bad(const std::string& what) {
  return Status::Corruption("stored FAQ content " + what +
                            "; the FAQ is treated as missing and generated again when asked");
}

}  // namespace

std::string EncodeFaqContent(const std::vector<FaqItem>& items) {
  nlohmann::json j = nlohmann::json::array();
  for (const FaqItem& it : items) j.push_back({{"q", it.q}, {"a", it.a}});
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

Result<std::vector<FaqItem>> DecodeFaqContent(std::string_view json) {
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(json.begin(), json.end());
  } catch (const nlohmann::json::parse_error& e) {
    return Err(Bad("is not valid JSON (at byte " + std::to_string(e.byte) + ")"));
  }
  if (!j.is_array()) {
    return Err(Bad(std::string("is a JSON ") + j.type_name() + ", not an array of {\"q\",\"a\"}"));
  }
  std::vector<FaqItem> items;
  items.reserve(j.size());
  for (size_t i = 0; i < j.size(); ++i) {
    const nlohmann::json& e = j[i];
    const std::string where = "item " + std::to_string(i);
    if (!e.is_object()) {
      return Err(Bad(where + " is a JSON " + e.type_name() + ", not an object"));
    }
    FaqItem item;
    for (auto [key, field] : {std::pair{"q", &item.q}, std::pair{"a", &item.a}}) {
      auto it = e.find(key);
      if (it == e.end()) return Err(Bad(where + " has no \"" + key + "\""));
      if (!it->is_string()) {
        return Err(Bad(where + ": \"" + key + "\" is a JSON " + it->type_name() +
                       ", not a string"));
      }
      *field = it->get<std::string>();
    }
    items.push_back(std::move(item));
  }
  return items;
}

}  // namespace coolpapers::store
