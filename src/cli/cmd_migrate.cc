// `coolpapers migrate --from URL --to URL [--into-non-empty]`: copies every row of one store into
// another (e.g. an SQLite site into PostgreSQL), then compares the counts of both.

#include <CLI/CLI.hpp>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>
#include <system_error>

#include "cli/commands.h"
#include "cli/migrate/migrate_run.h"
#include "core/text.h"
#include "store/store.h"

namespace coolpapers::cli {
namespace {

struct MigrateArgs {
  std::string from, to;
  bool into_non_empty = false;
  int batch_size = 20000;
};

// Opening an sqlite: URL creates the file: a mistyped --from must not become an empty source.
bool SourceMissing(const std::string& url) {
  if (!core::StartsWith(url, "sqlite:")) return false;
  std::string path = url.substr(7);
  if (core::StartsWith(path, "//")) path = path.substr(2);
  std::error_code ec;
  return !std::filesystem::exists(path, ec);
}

std::unique_ptr<store::Store> OpenOrReport(const char* flag, const std::string& url) {
  Result<std::unique_ptr<store::Store>> s = store::OpenStore(url);
  if (!s) {
    std::fprintf(stderr, "coolpapers migrate: cannot open %s %s: %s\n", flag,
                 ShownUrl(url).c_str(), s.error().message().c_str());
    return nullptr;
  }
  return std::move(*s);
}

int RunMigrate(const MigrateArgs& a) {
  const std::string from_url = ShownUrl(a.from), to_url = ShownUrl(a.to);
  if (a.from == a.to) {
    std::fprintf(stderr,
                 "coolpapers migrate: --from and --to both name %s; give the new database as --to\n",
                 from_url.c_str());
    return 2;
  }
  if (SourceMissing(a.from)) {
    std::fprintf(stderr, "coolpapers migrate: no database at --from %s; check the path\n",
                 from_url.c_str());
    return 1;
  }
  std::unique_ptr<store::Store> from = OpenOrReport("--from", a.from);
  if (!from) return 1;
  std::unique_ptr<store::Store> to = OpenOrReport("--to", a.to);
  if (!to) return 1;

  Result<std::string> held = DescribeContents(*to);
  if (!held) {
    std::fprintf(stderr, "coolpapers migrate: cannot read what --to %s holds: %s\n",
                 to_url.c_str(), held.error().message().c_str());
    return 1;
  }
  if (!held->empty() && !a.into_non_empty) {
    std::fprintf(stderr,
                 "coolpapers migrate: the destination %s is not empty: it holds %s. Migrate into "
                 "a new, empty database, or pass --into-non-empty to merge into it (papers merge "
                 "as an import would; FAQs, state and day statuses are replaced; click counts "
                 "are added)\n",
                 to_url.c_str(), held->c_str());
    return 1;
  }
  std::fprintf(stderr, "migrating %s -> %s%s\n", from_url.c_str(), to_url.c_str(),
               held->empty() ? "" : (" (merging into " + *held + ")").c_str());
  MigrateOptions options;
  options.batch_size = a.batch_size;
  Result<MigrateCounts> copied = CopyStore(*from, *to, options);
  if (!copied) {
    std::fprintf(stderr,
                 "coolpapers migrate: %s; what was written stays in %s: fix the cause and rerun "
                 "with --into-non-empty (click counts are then added again), or start over with "
                 "an empty database\n",
                 copied.error().message().c_str(), to_url.c_str());
    return 1;
  }
  Result<StoreCounts> source = CountRows(*from);
  Result<StoreCounts> dest = source ? CountRows(*to) : Result<StoreCounts>(Err(source.error()));
  if (!dest) {
    std::fprintf(stderr, "coolpapers migrate: cannot count the rows to verify: %s\n",
                 dest.error().message().c_str());
    return 1;
  }
  std::string differs = CompareCounts(*source, *dest, a.into_non_empty, stdout);
  if (!differs.empty()) {
    std::fprintf(stderr,
                 "coolpapers migrate: verification failed: %s; was the source written to during "
                 "the migration? Stop its writers (harvester, serve nodes) and migrate again "
                 "into an empty database\n",
                 differs.c_str());
    return 1;
  }
  std::printf("verified: %s holds every paper, membership, venue paper and FAQ of %s\n",
              to_url.c_str(), from_url.c_str());
  return 0;
}

}  // namespace

Command AddMigrate(CLI::App& root) {
  auto args = std::make_shared<MigrateArgs>();
  Command c;
  c.app = root.add_subcommand(
      "migrate", "copy every row of one database into another (e.g. SQLite into PostgreSQL)");
  c.app->add_option("--from", args->from, "source database URL, e.g. sqlite:var/coolpapers.db")
      ->required();
  c.app
      ->add_option("--to", args->to,
                   "destination database URL, e.g. postgresql://coolpapers@localhost/coolpapers")
      ->required();
  c.app->add_flag("--into-non-empty", args->into_non_empty,
                  "merge into a destination that already holds rows (refused otherwise)");
  c.app->add_option("--batch-size", args->batch_size, "papers per write (default 20000)")
      ->check(CLI::Range(1, 1000000));
  c.run = [args]() -> int { return RunMigrate(*args); };
  return c;
}

}  // namespace coolpapers::cli
