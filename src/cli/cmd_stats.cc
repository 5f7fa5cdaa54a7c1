// `coolpapers stats [--db URL] [--json] [--top N]`: what the database holds.

#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <system_error>

#include "cli/commands.h"
#include "core/text.h"
#include "store/postgres/pg_url.h"
#include "store/store.h"

namespace coolpapers::cli {
namespace {

struct StatsArgs {
  std::string db = kDefaultDb;
  bool json = false;
  size_t top = 15;
};

// Bytes used by an SQLite database (main file plus WAL); -1 when not an sqlite: URL.
int64_t DatabaseBytes(const std::string& url) {
  if (!core::StartsWith(url, "sqlite:")) return -1;
  std::string path = url.substr(7);
  if (core::StartsWith(path, "//")) path = path.substr(2);
  int64_t total = 0;
  for (const std::string& p : {path, path + "-wal"}) {
    std::error_code ec;
    auto n = std::filesystem::file_size(p, ec);
    if (!ec) total += static_cast<int64_t>(n);
  }
  return total;
}

std::string Grouped(int64_t v) {
  std::string digits = std::to_string(v < 0 ? -v : v), out = v < 0 ? "-" : "";
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return out;
}

int PrintStats(const StatsArgs& args) {
  if (DatabaseBytes(args.db) == 0) {
    std::fprintf(stderr,
                 "coolpapers stats: no database at %s; create one with `coolpapers import "
                 "arxiv-jsonl --db %s FILE`\n",
                 args.db.c_str(), args.db.c_str());
    return 1;
  }
  Result<std::unique_ptr<store::Store>> s = store::OpenStore(args.db);
  if (!s) {
    std::fprintf(stderr, "coolpapers stats: %s\n", s.error().message().c_str());
    return 1;
  }
  Result<store::StoreStats> st = (*s)->Stats();
  if (!st) {
    std::fprintf(stderr, "coolpapers stats: %s\n", st.error().message().c_str());
    return 1;
  }
  Result<std::vector<store::CategoryStats>> cats = (*s)->CategoryCounts();
  std::vector<store::CategoryStats> top = cats ? *cats : std::vector<store::CategoryStats>{};
  if (top.size() > args.top) top.resize(args.top);
  int64_t bytes = DatabaseBytes(args.db);

  if (args.json) {
    nlohmann::json j = {{"database", store::postgres::RedactUrl(args.db)},      {"bytes", bytes},
                        {"papers", st->papers},     {"memberships", st->memberships},
                        {"days", st->days},         {"first_day", st->first_day},
                        {"last_day", st->last_day}, {"categories", st->categories},
                        {"faqs", st->faqs},         {"change_seq", st->change_seq}};
    j["top_categories"] = nlohmann::json::array();
    for (const store::CategoryStats& c : top) {
      j["top_categories"].push_back({{"category", c.category},
                                     {"papers", c.papers},
                                     {"first_day", c.first_day},
                                     {"last_day", c.last_day}});
    }
    fmt::print("{}\n", j.dump(2));
    return 0;
  }
  fmt::print("database     {}", store::postgres::RedactUrl(args.db));
  if (bytes >= 0) fmt::print(" ({:.1f} MB)", static_cast<double>(bytes) / 1e6);
  fmt::print("\npapers       {}\n", Grouped(st->papers));
  fmt::print("memberships  {}\n", Grouped(st->memberships));
  fmt::print("days         {}", Grouped(st->days));
  if (st->days > 0) fmt::print(" ({} .. {})", st->first_day, st->last_day);
  fmt::print("\ncategories   {}\n", Grouped(st->categories));
  fmt::print("FAQs         {}\n", Grouped(st->faqs));
  fmt::print("change seq   {}\n", Grouped(st->change_seq));
  if (!top.empty()) {
    fmt::print("top categories (papers listed new or cross, last day):\n");
    for (const store::CategoryStats& c : top) {
      fmt::print("  {:<18} {:>9}  {}\n", c.category, Grouped(c.papers), c.last_day);
    }
  }
  return 0;
}

}  // namespace

Command AddStats(CLI::App& root) {
  auto args = std::make_shared<StatsArgs>();
  Command c;
  c.app = root.add_subcommand("stats", "papers, days, categories and FAQs in the database");
  c.app->add_option("--db", args->db,
                    "database URL: sqlite:PATH or postgresql://user@host:port/db (default " +
                    std::string(kDefaultDb) + ")");
  c.app->add_flag("--json", args->json, "print the figures as JSON");
  c.app->add_option("--top", args->top, "how many categories to list (default 15)");
  c.run = [args] { return PrintStats(*args); };
  return c;
}

}  // namespace coolpapers::cli
