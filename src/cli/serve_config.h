#pragma once
// ConfigFile: the TOML configuration of `coolpapers serve` (--config FILE), flattened to dotted
// keys so each section of cmd_serve.cc reads its own settings:
//
//   listen = "127.0.0.1:8080"          db = "sqlite:var/coolpapers.db"     threads = 4
//   admin_token = "..."                public_url = "https://papers.example"
//   [harvest]  follow = ["cs.CL", "cs.LG"]  interval = 600
//   [llm]      base_url = "..."  model = "..."
//
// Reading a key marks it known; keys nobody read are reported by UnreadKeys() so `serve` can
// warn about typos.

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace coolpapers::cli {

class ConfigFile {
 public:
  // Reads and parses the TOML file at `path`; the error names the file, line and column.
  static Result<ConfigFile> Load(const std::string& path);
  // Parses TOML text; `source` names it in errors.
  static Result<ConfigFile> Parse(std::string_view toml, const std::string& source);

  // A scalar value as text (strings as is; numbers, booleans and dates in TOML spelling).
  std::optional<std::string> GetString(std::string_view key) const;
  // An integer value; InvalidArgument naming the key when the value is not an integer.
  Result<std::optional<int64_t>> GetInt(std::string_view key) const;
  // An array of scalars (a single scalar counts as a one-element list); empty when absent.
  std::vector<std::string> GetList(std::string_view key) const;
  // Marks keys as known without reading them (settings consumed elsewhere).
  void MarkKnown(std::initializer_list<std::string_view> keys) const;

  // Keys present in the file that nothing read or marked, sorted.
  std::vector<std::string> UnreadKeys() const;

 private:
  std::map<std::string, std::vector<std::string>, std::less<>> values_;  // scalar = 1 element
  std::set<std::string, std::less<>> integers_;  // keys whose value is a TOML integer
  mutable std::set<std::string, std::less<>> read_;
};

}  // namespace coolpapers::cli
