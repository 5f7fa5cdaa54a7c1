// Placeholder for `coolpapers harvest` until its implementation lands (replace this file).
#include <cstdio>
#include <CLI/CLI.hpp>
#include "cli/commands.h"

namespace coolpapers::cli {
Command AddHarvest(CLI::App& root) {
  Command c;
  c.app = root.add_subcommand("harvest", "(not built yet)");
  c.app->allow_extras();
  c.run = [] { std::fprintf(stderr, "coolpapers harvest: not built yet\n"); return 1; };
  return c;
}
}  // namespace coolpapers::cli
