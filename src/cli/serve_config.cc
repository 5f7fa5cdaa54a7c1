// ConfigFile over toml++ (exceptions from the parser are caught here, at the edge).

#include "cli/serve_config.h"

#include <fstream>
#include <sstream>

#include <toml++/toml.h>

namespace coolpapers::cli {
namespace {

// TOML spelling of a scalar node; nullopt for tables and arrays.
std::optional<std::string> ScalarText(const toml::node& node) {
  if (auto s = node.as_string()) return s->get();
  if (auto i = node.as_integer()) return std::to_string(i->get());
  if (auto b = node.as_boolean()) return b->get() ? "true" : "false";
  if (node.is_floating_point() || node.is_date() || node.is_time() || node.is_date_time()) {
    std::ostringstream out;
    node.visit([&out](const auto& v) { out << v; });
    return out.str();
  }
  return std::nullopt;
}

}  // namespace

Result<ConfigFile> ConfigFile::Load(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return Err(Status::NotFound("cannot read config file " + path +
                                "; check the path given to --config"));
  }
  std::stringstream text;
  text << in.rdbuf();
  return Parse(text.str(), path);
}

Result<ConfigFile> ConfigFile::Parse(std::string_view toml_text, const std::string& source) {
  toml::table root;
  try {
    root = toml::parse(toml_text, source);
  } catch (const toml::parse_error& e) {
    const auto& where = e.source().begin;
    return Err(Status::InvalidArgument(source + ":" + std::to_string(where.line) + ":" +
                                       std::to_string(where.column) + ": " +
                                       std::string(e.description()) + "; fix the TOML syntax"));
  }
  ConfigFile cfg;
  // Depth-first flattening of nested tables to dotted keys.
  std::vector<std::pair<std::string, const toml::table*>> todo = {{"", &root}};
  while (!todo.empty()) {
    auto [prefix, table] = todo.back();
    todo.pop_back();
    for (const auto& [k, node] : *table) {
      std::string key = prefix.empty() ? std::string(k.str()) : prefix + "." + std::string(k.str());
      if (const toml::table* sub = node.as_table()) {
        todo.emplace_back(key, sub);
      } else if (const toml::array* arr = node.as_array()) {
        std::vector<std::string> items;
        for (const toml::node& item : *arr) {
          if (auto text = ScalarText(item)) items.push_back(*text);
        }
        cfg.values_[key] = std::move(items);
      } else if (auto text = ScalarText(node)) {
        cfg.values_[key] = {*text};
        if (node.is_integer()) cfg.integers_.insert(key);
      }
    }
  }
  return cfg;
}

std::optional<std::string> ConfigFile::GetString(std::string_view key) const {
  read_.emplace(key);
  auto it = values_.find(key);
  if (it == values_.end() || it->second.size() != 1) return std::nullopt;
  return it->second.front();
}

Result<std::optional<int64_t>> ConfigFile::GetInt(std::string_view key) const {
  read_.emplace(key);
  auto it = values_.find(key);
  if (it == values_.end()) return std::optional<int64_t>();
  if (integers_.find(key) == integers_.end()) {
    return Err(Status::InvalidArgument("config key '" + std::string(key) +
                                       "' must be an integer, e.g. " + std::string(key) + " = 4"));
  }
  return std::optional<int64_t>(std::stoll(it->second.front()));
}

std::vector<std::string> ConfigFile::GetList(std::string_view key) const {
  read_.emplace(key);
  auto it = values_.find(key);
  return it == values_.end() ? std::vector<std::string>() : it->second;
}

void ConfigFile::MarkKnown(std::initializer_list<std::string_view> keys) const {
  for (std::string_view k : keys) read_.emplace(k);
}

std::vector<std::string> ConfigFile::UnreadKeys() const {
  std::vector<std::string> out;
  for (const auto& [k, v] : values_) {
    if (read_.find(k) == read_.end()) out.push_back(k);
  }
  return out;
}

}  // namespace coolpapers::cli
