// Placeholder for `coolpapers stats` until its implementation lands (replace this file).
#include <cstdio>
#include <CLI/CLI.hpp>
#include "cli/commands.h"

namespace coolpapers::cli {
Command AddStats(CLI::App& root) {
  Command c;
  c.app = root.add_subcommand("stats", "(not built yet)");
  c.app->allow_extras();
  c.run = [] { std::fprintf(stderr, "coolpapers stats: not built yet\n"); return 1; };
  return c;
}
}  // namespace coolpapers::cli
