// Placeholder for `coolpapers faq` until its implementation lands (replace this file).
#include <cstdio>
#include <CLI/CLI.hpp>
#include "cli/commands.h"

namespace coolpapers::cli {
Command AddFaq(CLI::App& root) {
  Command c;
  c.app = root.add_subcommand("faq", "(not built yet)");
  c.app->allow_extras();
  c.run = [] { std::fprintf(stderr, "coolpapers faq: not built yet\n"); return 1; };
  return c;
}
}  // namespace coolpapers::cli
