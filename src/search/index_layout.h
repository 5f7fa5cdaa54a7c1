#pragma once
// IndexLayout: the on-disk layout of a node-local search index directory, and the crash-safe
// way a new index replaces the old one.
//
//   DIR/CURRENT          one line naming the live generation, replaced atomically
//   DIR/gen-000007/      xapian/ (keyword index), docs.bin (its documents, see DocStore),
//                        vectors.hnsw, wordvec.bin (or lsa.bin), terms.tsv, meta.json
//   DIR/gen-000008.tmp/  a build in progress (or left behind by a crash; removed by the next build)
//
// A build writes a complete generation under a .tmp name, renames it into place and only then
// points CURRENT at it, so a crash at any moment leaves the previous index usable.

#include <cstdint>
#include <string>

#include "core/status.h"

namespace coolpapers::search {

// The layout of the keyword index this version writes and reads. 2: free text is one field
// (title, abstract, authors, extra text), plus S/A/B fields for ti:/au:/abs:. 3: venue papers
// carry the branch term and their edition and conference terms (XBvenue, XV...). An index of
// another format is rebuilt (`coolpapers index` does it; `serve` starts a fresh one).
inline constexpr int kIndexFormat = 3;

// What meta.json records about a generation.
struct IndexMeta {
  int format = kIndexFormat;  // meta.json without one is format 1
  std::string embedder_id;  // "" when built without semantic vectors
  int dims = 0;
  int64_t docs = 0;
  int64_t store_seq = 0;    // store change sequence the build covered
  std::string built_at;     // "YYYY-MM-DD HH:MM:SS" UTC
  double build_seconds = 0;
};

std::string MetaToJson(const IndexMeta& m);
Result<IndexMeta> MetaFromJson(const std::string& json);
// FailedPrecondition naming the fix when `meta` (of generation `path`) is not kIndexFormat.
Status CheckFormat(const IndexMeta& meta, const std::string& path);

class IndexLayout {
 public:
  explicit IndexLayout(std::string dir) : dir_(std::move(dir)) {}
  const std::string& dir() const { return dir_; }

  // Path of the live generation, or NotFound when no index has been built.
  Result<std::string> CurrentGeneration() const;
  // Creates a fresh "<dir>/gen-N.tmp" (N above every existing generation), removing stale
  // .tmp directories left by crashed builds. Returns its path.
  Result<std::string> BeginBuild() const;
  // Renames `tmp_path` (from BeginBuild) into place, points CURRENT at it and deletes older
  // generations. Returns the final path.
  Result<std::string> CommitBuild(const std::string& tmp_path) const;

  static std::string XapianPath(const std::string& gen) { return gen + "/xapian"; }
  static std::string VectorsPath(const std::string& gen) { return gen + "/vectors.hnsw"; }
  static std::string LsaPath(const std::string& gen) { return gen + "/lsa.bin"; }
  static std::string WordVectorsPath(const std::string& gen) { return gen + "/wordvec.bin"; }
  static std::string TermsPath(const std::string& gen) { return gen + "/terms.tsv"; }
  static std::string MetaPath(const std::string& gen) { return gen + "/meta.json"; }

 private:
  std::string dir_;
};

// The default index directory for a store URL: "sqlite:var/coolpapers.db" -> "var/index";
// a server database -> "var/index-<host>-<port>-<database>" (user and password left out), so
// indexes of two databases served from one directory never mix:
// "postgresql://cp:pw@127.0.0.1:5432/coolpapers" -> "var/index-127.0.0.1-5432-coolpapers".
std::string DefaultIndexDir(const std::string& db_url);

}  // namespace coolpapers::search
