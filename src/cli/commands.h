#pragma once
// Subcommands of the `coolpapers` binary. Each Add* registers its CLI11 subcommand on `root`
// and returns what to run when that subcommand was chosen; main() dispatches.
//
// Exit codes: 0 success, 1 failure (one clear line on stderr naming the input and the fix),
// 2 bad usage.

#include <functional>
#include <string>
#include <vector>

namespace CLI { class App; }

namespace coolpapers::cli {

struct Command {
  CLI::App* app = nullptr;
  std::function<int()> run;
};

inline constexpr const char* kDefaultDb = "sqlite:var/coolpapers.db";

Command AddServe(CLI::App& root);    // cmd_serve.cc
Command AddImport(CLI::App& root);   // cmd_import.cc  (arxiv-jsonl, oai, venue)
Command AddHarvest(CLI::App& root);  // cmd_harvest.cc
Command AddIndex(CLI::App& root);    // cmd_search.cc
Command AddSearch(CLI::App& root);   // cmd_search.cc
Command AddEval(CLI::App& root);     // cmd_eval.cc
Command AddFaq(CLI::App& root);      // cmd_faq.cc
Command AddStats(CLI::App& root);    // cmd_stats.cc
Command AddMigrate(CLI::App& root);  // cmd_migrate.cc

}  // namespace coolpapers::cli
