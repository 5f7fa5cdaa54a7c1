// Placeholder for `coolpapers index` until its implementation lands (replace this file).
#include <cstdio>
#include <CLI/CLI.hpp>
#include "cli/commands.h"

namespace coolpapers::cli {
Command AddIndex(CLI::App& root) {
  Command c;
  c.app = root.add_subcommand("index", "(not built yet)");
  c.app->allow_extras();
  c.run = [] { std::fprintf(stderr, "coolpapers index: not built yet\n"); return 1; };
  return c;
}
}  // namespace coolpapers::cli
