// coolpapers: command-line entry point. Each subcommand lives in its own cmd_*.cc.

#include <cstdio>
#include <exception>
#include <vector>

#include <CLI/CLI.hpp>

#include "cli/commands.h"

int main(int argc, char** argv) {
  using namespace coolpapers::cli;
  CLI::App app{"coolpapers: fast, self-hosted paper discovery (arXiv daily lists, venues, FAQ)"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "coolpapers 0.1");
  std::vector<Command> commands = {AddServe(app),  AddImport(app), AddHarvest(app),
                                   AddIndex(app),  AddSearch(app), AddEval(app),
                                   AddFaq(app),    AddStats(app),  AddMigrate(app)};
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int rc = app.exit(e);
    return rc == 0 ? 0 : 2;
  }
  for (const Command& c : commands) {
    if (c.app && c.app->parsed() && c.run) {
      try {
        return c.run();
      } catch (const std::exception& e) {
        std::fprintf(stderr, "coolpapers: %s\n", e.what());
        return 1;
      }
    }
  }
  std::fprintf(stderr, "coolpapers: no command given; see `coolpapers --help`\n");
  return 2;
}
