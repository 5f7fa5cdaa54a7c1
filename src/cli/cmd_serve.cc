// Placeholder for `coolpapers serve` until its implementation lands (replace this file).
#include <cstdio>
#include <CLI/CLI.hpp>
#include "cli/commands.h"

namespace coolpapers::cli {
Command AddServe(CLI::App& root) {
  Command c;
  c.app = root.add_subcommand("serve", "(not built yet)");
  c.app->allow_extras();
  c.run = [] { std::fprintf(stderr, "coolpapers serve: not built yet\n"); return 1; };
  return c;
}
}  // namespace coolpapers::cli
