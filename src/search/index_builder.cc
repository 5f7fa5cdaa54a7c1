#include "search/index_builder.h"

#include <chrono>
#include <filesystem>
#include <unordered_set>
#include <ctime>
#include <memory>

#include "core/progress.h"
#include "search/file_util.h"
#include "search/index_layout.h"
#include "search/keywords.h"
#include "search/term_stats.h"
#include "search/tokenizer.h"

namespace coolpapers::search {
namespace {

std::string NowUtc() {
  std::time_t t = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S", &tm);
  return buf;
}

struct CorpusPass {
  TermStats stats;
  std::vector<std::string> training_texts;
  int64_t docs = 0;
};

// Pass 1: document frequencies and the embedder's training sample.
Result<CorpusPass> ScanCorpus(DocSource& src, const BuildOptions& opts, bool want_training) {
  CorpusPass pass;
  if (Status s = src.Rewind(); !s.ok()) return Err(s);
  core::Progress progress("index: scanning", src.SizeHint(), opts.progress ? stderr : nullptr);
  Tokenizer tok;
  std::vector<IndexDoc> batch;
  const int64_t hint = src.SizeHint();
  const int64_t stride =
      hint > 0 ? std::max<int64_t>(1, hint / static_cast<int64_t>(opts.lsa_max_train_docs) +
                                          (hint % static_cast<int64_t>(opts.lsa_max_train_docs)
                                               ? 1
                                               : 0))
               : 1;
  while (true) {
    if (Status s = src.Next(batch); !s.ok()) return Err(s);
    if (batch.empty()) break;
    for (const IndexDoc& d : batch) {
      std::string text = DocText(d);
      pass.stats.AddDocument(tok.Stems(text));
      if (want_training && pass.docs % stride == 0 &&
          pass.training_texts.size() < opts.lsa_max_train_docs) {
        pass.training_texts.push_back(std::move(text));
      }
      ++pass.docs;
    }
    progress.Add(static_cast<int64_t>(batch.size()));
  }
  progress.Finish(std::to_string(pass.docs) + " documents scanned");
  return pass;
}

}  // namespace

Result<BuildSummary> BuildIndex(const std::string& index_dir, DocSource& src,
                                const BuildOptions& opts) {
  const auto start = std::chrono::steady_clock::now();
  IndexLayout layout(index_dir);
  auto tmp = layout.BeginBuild();
  if (!tmp) return Err(tmp.error());

  const bool train_lsa = opts.semantic && opts.external_embedder == nullptr;
  auto pass = ScanCorpus(src, opts, train_lsa);
  if (!pass) return Err(pass.error());

  std::unique_ptr<LsaEmbedder> lsa;
  Embedder* embedder = opts.external_embedder;
  if (train_lsa && pass->docs >= 2) {
    auto trained = LsaEmbedder::Train(pass->training_texts, opts.lsa);
    if (trained) {
      lsa = std::move(*trained);
      embedder = lsa.get();
    }
  }
  pass->training_texts.clear();
  pass->training_texts.shrink_to_fit();

  const std::string build_path = IndexLayout::XapianPath(*tmp) + ".build";
  auto writer = KeywordIndexWriter::Open(opts.compact ? build_path : IndexLayout::XapianPath(*tmp),
                                         true, opts.keyword);
  if (!writer) return Err(writer.error());
  std::unique_ptr<VectorIndex> vectors;
  if (embedder) {
    vectors = std::make_unique<VectorIndex>(embedder->dim(),
                                            static_cast<size_t>(pass->docs) + 16, opts.hnsw);
  }

  if (Status s = src.Rewind(); !s.ok()) return Err(s);
  core::Progress progress("index: indexing", pass->docs, opts.progress ? stderr : nullptr);
  Tokenizer tok;
  std::vector<IndexDoc> batch;
  std::unordered_set<std::string> seen_ids;
  int64_t docs = 0;
  while (true) {
    if (Status s = src.Next(batch); !s.ok()) return Err(s);
    if (batch.empty()) break;
    std::vector<std::string> texts;
    std::vector<Xapian::docid> docids;
    for (IndexDoc& d : batch) {
      d.keywords = TopKeywords(tok, pass->stats, d.title, d.abstract, opts.keywords_per_doc);
      // A fresh index: plain adds, unless a source repeats an id (then the last one wins).
      auto docid = seen_ids.insert(d.id).second ? (*writer)->Add(d) : (*writer)->Put(d);
      if (!docid) return Err(docid.error());
      docids.push_back(*docid);
      if (embedder) texts.push_back(DocText(d));
    }
    if (embedder) {
      auto vecs = embedder->EmbedBatch(texts);
      if (!vecs) return Err(vecs.error());
      for (size_t i = 0; i < vecs->size(); ++i) {
        if (Status s = vectors->Add(docids[i], std::move((*vecs)[i])); !s.ok()) return Err(s);
      }
    }
    docs += static_cast<int64_t>(batch.size());
    progress.Add(static_cast<int64_t>(batch.size()));
  }

  IndexMeta meta;
  meta.embedder_id = embedder ? embedder->id() : "";
  meta.dims = embedder ? embedder->dim() : 0;
  meta.docs = docs;
  meta.store_seq = src.seq();
  meta.built_at = NowUtc();
  if (Status s = pass->stats.Save(IndexLayout::TermsPath(*tmp)); !s.ok()) return Err(s);
  if (lsa) {
    if (Status s = lsa->Save(IndexLayout::LsaPath(*tmp)); !s.ok()) return Err(s);
  }
  if (vectors) {
    if (Status s = vectors->Save(IndexLayout::VectorsPath(*tmp)); !s.ok()) return Err(s);
  }
  if (Status s = (*writer)->Commit({{"store_seq", std::to_string(meta.store_seq)},
                                    {"embedder_id", meta.embedder_id}});
      !s.ok()) {
    return Err(s);
  }
  writer->reset();
  if (opts.compact) {
    // A compacted database is about half the size and faster to search; docids are kept, as
    // the vector index refers to them.
    try {
      Xapian::Database(build_path).compact(IndexLayout::XapianPath(*tmp),
                                           Xapian::DBCOMPACT_NO_RENUMBER);
    } catch (const Xapian::Error& e) {
      return Err(Status::Internal("compacting the new index failed: " + e.get_description() +
                                  "; check free disk space"));
    }
    std::error_code ec;
    std::filesystem::remove_all(build_path, ec);
  }
  meta.build_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (Status s = WriteFileAtomically(IndexLayout::MetaPath(*tmp), MetaToJson(meta)); !s.ok()) {
    return Err(s);
  }
  SyncDirectory(*tmp);
  auto final_path = layout.CommitBuild(*tmp);
  if (!final_path) return Err(final_path.error());

  BuildSummary summary;
  summary.docs = docs;
  summary.store_seq = meta.store_seq;
  summary.embedder_id = meta.embedder_id;
  summary.generation = *final_path;
  summary.bytes = DirectorySize(*final_path);
  summary.seconds = meta.build_seconds;
  progress.Finish(std::to_string(docs) + " documents indexed in " +
                  std::to_string(static_cast<int>(summary.seconds)) + " s (" +
                  std::to_string(summary.bytes / (1024 * 1024)) + " MB)");
  return summary;
}

}  // namespace coolpapers::search
