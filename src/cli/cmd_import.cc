// Placeholder for `coolpapers import` until its implementation lands (replace this file).
#include <cstdio>
#include <CLI/CLI.hpp>
#include "cli/commands.h"

namespace coolpapers::cli {
Command AddImport(CLI::App& root) {
  Command c;
  c.app = root.add_subcommand("import", "(not built yet)");
  c.app->allow_extras();
  c.run = [] { std::fprintf(stderr, "coolpapers import: not built yet\n"); return 1; };
  return c;
}
}  // namespace coolpapers::cli
