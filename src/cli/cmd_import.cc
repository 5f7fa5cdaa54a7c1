// `coolpapers import arxiv-jsonl|oai|venue FILE...`: loads metadata files into the store.

#include <CLI/CLI.hpp>
#include <cstdio>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "cli/import/import_run.h"
#include "core/progress.h"
#include "store/store.h"
#include "venues/venue_import.h"

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
                  "database URL: sqlite:PATH or postgresql://user@host:port/db (default " +
                  std::string(kDefaultDb) + ")");
  sub->add_option("files", args.files, "files to import (.gz or plain)")->required();
  sub->add_option("--batch-size", args.batch_size,
                  "papers per store transaction (default 20000); an import into a database "
                  "without papers is one transaction")
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

// `import venue`: each file in turn; a file that cannot be read is reported and the others go on.
int ImportVenueFiles(store::Store& store, const ImportArgs& args) {
  std::optional<venues::VenueSource> source = venues::ParseVenueSource(args.source);
  if (!source) {
    std::fprintf(stderr, "coolpapers import venue: --source \"%s\" is not one of %s\n",
                 args.source.c_str(), venues::KnownVenueSources().c_str());
    return 2;
  }
  core::Progress progress("import venue", static_cast<int64_t>(args.files.size()));
  int failed = 0;
  int64_t papers = 0;
  for (const std::string& file : args.files) {
    progress.SetNote(file);
    Result<venues::VenueFileResult> r =
        venues::ImportVenueFile(store, *source, file, args.venue);
    progress.Add();
    if (!r) {
      ++failed;
      std::fprintf(stderr, "coolpapers import venue: %s\n", r.error().message().c_str());
      continue;
    }
    papers += r->papers;
    std::fprintf(stderr,
                 "%s: %s, %lld papers (%lld new, %lld updated, %lld unchanged), %zu skipped, "
                 "%lld linked to arXiv%s\n",
                 file.c_str(), r->edition.c_str(), static_cast<long long>(r->papers),
                 static_cast<long long>(r->counts.inserted),
                 static_cast<long long>(r->counts.updated),
                 static_cast<long long>(r->counts.unchanged), r->skipped.size(),
                 static_cast<long long>(r->counts.linked),
                 r->not_accepted ? (", " + std::to_string(r->not_accepted) +
                                    " not accepted left out").c_str()
                                 : "");
    for (size_t i = 0; i < r->skipped.size() && i < 10; ++i) {
      std::fprintf(stderr, "  skipped %s\n", r->skipped[i].c_str());
    }
  }
  double seconds = progress.elapsed_seconds();
  progress.Finish(std::to_string(papers) + " papers from " +
                  std::to_string(args.files.size() - failed) + " of " +
                  std::to_string(args.files.size()) + " files" +
                  (seconds > 0 ? ", " + std::to_string(static_cast<int64_t>(papers / seconds)) +
                                     " papers/s"
                               : ""));
  return failed ? 1 : 0;
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
  venue->add_option("--source", args->source, "acl|cvf|openreview|pmlr")->required();
  venue->add_option("--venue", args->venue,
                    "openreview: the venue id, e.g. ICLR.cc/2024/Conference; acl, pmlr, cvf: "
                    "the edition the files must hold, e.g. ACL.2024, CVPR.2024 (optional)");
  AddCommonOptions(venue, *args);

  c.run = [args, jsonl, oai, venue]() -> int {
    std::unique_ptr<store::Store> store = OpenOrReport(args->db);
    if (!store) return 1;
    if (venue->parsed()) return ImportVenueFiles(*store, *args);
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
