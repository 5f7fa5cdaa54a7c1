// `coolpapers import arxiv-jsonl|oai|venue FILE...`: loads metadata files into the store.

#include <CLI/CLI.hpp>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "cli/import/import_run.h"
#include "store/store.h"

namespace coolpapers::cli {
namespace {

struct ImportArgs {
  std::string db = kDefaultDb;
  std::vector<std::string> files;
  size_t batch_size = 20000;
  size_t max_line_mb = 16;
  std::string source, venue;
};

void AddCommonOptions(CLI::App* sub, ImportArgs& args) {
  sub->add_option("--db", args.db,
                  "database URL: sqlite:PATH (default " + std::string(kDefaultDb) + ")");
  sub->add_option("files", args.files, "files to import (.gz or plain)")->required();
  sub->add_option("--batch-size", args.batch_size, "papers per store transaction (default 20000)")
      ->check(CLI::Range(1, 10000000));
}

// Opens the store or prints why not (exit 1).
std::unique_ptr<store::Store> OpenOrReport(const std::string& db) {
  Result<std::unique_ptr<store::Store>> s = store::OpenStore(db);
  if (!s) {
    std::fprintf(stderr, "coolpapers import: %s\n", s.error().message().c_str());
    return nullptr;
  }
  return std::move(*s);
}

}  // namespace

Command AddImport(CLI::App& root) {
  auto args = std::make_shared<ImportArgs>();
  Command c;
  c.app = root.add_subcommand("import", "load paper metadata files into the database");
  c.app->require_subcommand(1);

  CLI::App* jsonl =
      c.app->add_subcommand("arxiv-jsonl",
                            "JSON lines, .gz accepted: the shared arXiv bulk format or Kaggle's "
                            "arxiv-metadata-oai-snapshot");
  AddCommonOptions(jsonl, *args);
  jsonl->add_option("--max-line-mb", args->max_line_mb,
                    "longest line (one record) read, in MiB; longer ones are errors (default 16)")
      ->envname("COOLPAPERS_IMPORT_MAX_LINE_MB")
      ->check(CLI::Range(1, 4096));
  CLI::App* oai = c.app->add_subcommand(
      "oai", "saved OAI-PMH ListRecords/GetRecord XML (metadataPrefix=arXiv or arXivRaw)");
  AddCommonOptions(oai, *args);
  CLI::App* venue = c.app->add_subcommand("venue", "conference proceedings metadata");
  venue->add_option("--source", args->source, "acl|openreview|pmlr|ijcai|cvf");
  venue->add_option("--venue", args->venue, "e.g. ACL.2024");
  AddCommonOptions(venue, *args);

  c.run = [args, jsonl, oai, venue]() -> int {
    if (venue->parsed()) {
      std::fprintf(stderr,
                   "coolpapers import venue: venue import is not available yet; import arXiv "
                   "metadata with `coolpapers import arxiv-jsonl FILE`\n");
      return 1;
    }
    std::unique_ptr<store::Store> store = OpenOrReport(args->db);
    if (!store) return 1;
    ImportOptions options;
    options.batch_size = args->batch_size;
    options.max_line = args->max_line_mb << 20;
    if (jsonl->parsed()) return ImportJsonlFiles(*store, args->files, options);
    if (oai->parsed()) return ImportOaiFiles(*store, args->files, options);
    return 2;
  };
  return c;
}

}  // namespace coolpapers::cli
