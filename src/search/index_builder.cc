#include "search/index_builder.h"

#include <chrono>
#include <climits>
#include <deque>
#include <filesystem>
#include <unordered_set>
#include <ctime>
#include <map>
#include <memory>
#include <mutex>

#include "core/progress.h"
#include "search/batch_pipeline.h"
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

// Pass 1: document frequencies (counted on every worker, then merged) and the embedder's
// training sample (an even sample, taken in source order on the reading thread).
Result<CorpusPass> ScanCorpus(DocSource& src, const BuildOptions& opts, int workers,
                              bool want_training) {
  CorpusPass pass;
  if (Status s = src.Rewind(); !s.ok()) return Err(s);
  core::Progress progress("index: scanning", src.SizeHint(), opts.progress ? stderr : nullptr);
  std::mutex progress_mu;
  const int64_t hint = src.SizeHint();
  const auto max_train = static_cast<int64_t>(opts.lsa_max_train_docs);
  const int64_t stride = hint > 0 ? std::max<int64_t>(1, (hint + max_train - 1) / max_train) : 1;
  std::vector<TermStats> stats(workers);
  std::vector<Tokenizer> toks(workers);
  auto on_read = [&](std::vector<IndexDoc>& batch) {
    for (const IndexDoc& d : batch) {
      if (want_training && pass.docs % stride == 0 &&
          pass.training_texts.size() < opts.lsa_max_train_docs) {
        pass.training_texts.push_back(DocText(d));
      }
      ++pass.docs;
    }
    return Status::Ok();
  };
  auto work = [&](int w, std::vector<IndexDoc>& batch) {
    for (const IndexDoc& d : batch) stats[w].AddDocument(toks[w].Stems(DocText(d)));
    std::lock_guard lock(progress_mu);
    progress.Add(static_cast<int64_t>(batch.size()));
    return Status::Ok();
  };
  if (Status s = RunBatchPipeline(src, workers, on_read, work); !s.ok()) return Err(s);
  for (const TermStats& part : stats) pass.stats.Merge(part);
  progress.Finish(std::to_string(pass.docs) + " documents scanned");
  return pass;
}

// One part of pass 2, written by one worker: its own Xapian database (documents get docids 1, 2, ... in the
// order the worker added them) and the vectors of those documents.
struct Shard {
  std::string path;
  std::unique_ptr<KeywordIndexWriter> writer;
  Tokenizer tok;
  std::string first_id;                 // id of the shard's docid 1
  int64_t docs = 0;
  std::vector<Xapian::docid> local_ids;  // docid in this shard of each vector row
  std::vector<float> rows;
};

// Merges the shards into one database at `out` (docids renumbered shard after shard) and
// returns, per shard, the offset from its docids to the merged ones.
Result<std::vector<Xapian::docid>> MergeShards(std::deque<Shard>& shards, const std::string& out,
                                               bool renumber) {
  std::vector<Xapian::docid> offsets(shards.size(), 0);
  try {
    Xapian::Database all;
    for (const Shard& sh : shards) all.add_database(Xapian::Database(sh.path));
    all.compact(out, renumber ? 0 : Xapian::DBCOMPACT_NO_RENUMBER);
    Xapian::Database merged(out);
    for (size_t k = 0; k < shards.size(); ++k) {
      if (shards[k].first_id.empty()) continue;
      Xapian::PostingIterator it = merged.postlist_begin(kPrefixId + shards[k].first_id);
      if (it == merged.postlist_end(kPrefixId + shards[k].first_id)) {
        return Err(Status::Internal("merged index lost paper " + shards[k].first_id));
      }
      offsets[k] = *it - 1;
    }
  } catch (const Xapian::Error& e) {
    return Err(Status::Internal("merging the new index failed: " + e.get_description() +
                                "; check free disk space"));
  }
  for (const Shard& sh : shards) {
    std::error_code ec;
    std::filesystem::remove_all(sh.path, ec);
  }
  return offsets;
}

}  // namespace

Result<BuildSummary> BuildIndex(const std::string& index_dir, DocSource& src,
                                const BuildOptions& opts) {
  const auto start = std::chrono::steady_clock::now();
  IndexLayout layout(index_dir);
  auto tmp = layout.BeginBuild();
  if (!tmp) return Err(tmp.error());
  const int workers = WorkerCount(opts.threads);

  const bool train_lsa = opts.semantic && opts.external_embedder == nullptr;
  auto pass = ScanCorpus(src, opts, workers, train_lsa);
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

  // Pass 2: every worker indexes into shards of its own, starting a new one every
  // `shard_docs` documents (Xapian's cost per added document grows with the size of the
  // database being written); the shards are then merged and compacted (about half the size
  // and faster to search). A single worker without compaction writes the final database.
  const std::string final_path = IndexLayout::XapianPath(*tmp);
  const bool direct = workers == 1 && !opts.compact;
  std::deque<Shard> shards;  // stable addresses: workers keep pointers to their current shard
  std::mutex shards_mu;
  std::vector<Shard*> current(workers, nullptr);
  auto open_shard = [&](int w) -> Status {
    Shard* sh;
    {
      std::lock_guard lock(shards_mu);
      sh = &shards.emplace_back();
      sh->path = direct ? final_path : final_path + ".build." + std::to_string(shards.size());
    }
    auto writer = KeywordIndexWriter::Open(sh->path, true, opts.keyword);
    if (!writer) return writer.error();
    sh->writer = std::move(*writer);
    current[w] = sh;
    return Status::Ok();
  };
  const int64_t shard_docs = direct ? INT64_MAX : std::max<int64_t>(1000, opts.shard_docs);

  if (Status s = src.Rewind(); !s.ok()) return Err(s);
  core::Progress progress("index: indexing", pass->docs, opts.progress ? stderr : nullptr);
  std::mutex progress_mu;
  std::unordered_set<std::string> seen_ids;
  std::vector<IndexDoc> repeats;  // ids a source gave twice: the last one wins, applied last
  int64_t docs = 0;
  auto on_read = [&](std::vector<IndexDoc>& batch) {
    std::vector<IndexDoc> fresh;
    fresh.reserve(batch.size());
    for (IndexDoc& d : batch) {
      if (seen_ids.insert(d.id).second) {
        fresh.push_back(std::move(d));
      } else {
        repeats.push_back(std::move(d));
      }
    }
    batch = std::move(fresh);
    docs += static_cast<int64_t>(batch.size());
    return Status::Ok();
  };
  auto work = [&](int w, std::vector<IndexDoc>& batch) -> Status {
    if (current[w] == nullptr || current[w]->docs >= shard_docs) {
      if (current[w] != nullptr) {
        if (Status s = current[w]->writer->Commit(); !s.ok()) return s;
        current[w]->writer.reset();
      }
      if (Status s = open_shard(w); !s.ok()) return s;
    }
    Shard& sh = *current[w];
    std::vector<std::string> texts;
    for (IndexDoc& d : batch) {
      d.keywords = TopKeywords(sh.tok, pass->stats, d.title, d.abstract, opts.keywords_per_doc);
      auto docid = sh.writer->Add(d);
      if (!docid) return docid.error();
      if (sh.first_id.empty()) sh.first_id = d.id;
      ++sh.docs;
      if (embedder) {
        sh.local_ids.push_back(*docid);
        texts.push_back(DocText(d));
      }
    }
    if (embedder && !texts.empty()) {
      auto vecs = embedder->EmbedBatch(texts);
      if (!vecs) return vecs.error();
      for (const std::vector<float>& v : *vecs) {
        if (static_cast<int>(v.size()) != embedder->dim()) {
          return Status::Internal("embedder " + embedder->id() + " returned a vector of " +
                                  std::to_string(v.size()) + " dimensions");
        }
        sh.rows.insert(sh.rows.end(), v.begin(), v.end());
      }
    }
    std::lock_guard lock(progress_mu);
    progress.Add(static_cast<int64_t>(batch.size()));
    return Status::Ok();
  };
  if (Status s = RunBatchPipeline(src, workers, on_read, work); !s.ok()) return Err(s);

  IndexMeta meta;
  meta.embedder_id = embedder ? embedder->id() : "";
  meta.dims = embedder ? embedder->dim() : 0;
  meta.docs = docs;
  meta.store_seq = src.seq();
  meta.built_at = NowUtc();
  const std::map<std::string, std::string> xapian_meta = {
      {"store_seq", std::to_string(meta.store_seq)}, {"embedder_id", meta.embedder_id}};
  if (shards.empty()) {  // an empty corpus still gets an (empty) database
    if (Status s = open_shard(0); !s.ok()) return Err(s);
  }
  for (Shard& sh : shards) {
    if (!sh.writer) continue;
    if (Status s = sh.writer->Commit(xapian_meta); !s.ok()) return Err(s);
    sh.writer.reset();
  }
  std::vector<Xapian::docid> offsets(shards.size(), 0);
  if (!direct) {
    progress.SetNote("merging " + std::to_string(shards.size()) + " parts");
    auto merged = MergeShards(shards, final_path, shards.size() > 1);
    if (!merged) return Err(merged.error());
    offsets = std::move(*merged);
  }

  std::unique_ptr<VectorIndex> vectors;
  if (embedder) {
    vectors = std::make_unique<VectorIndex>(embedder->dim(), static_cast<size_t>(docs) + 16,
                                            opts.hnsw);
    for (size_t k = 0; k < shards.size(); ++k) {
      std::vector<uint64_t> labels;
      labels.reserve(shards[k].local_ids.size());
      for (Xapian::docid id : shards[k].local_ids) labels.push_back(id + offsets[k]);
      if (Status s = vectors->AddMany(labels, std::move(shards[k].rows), workers); !s.ok()) {
        return Err(s);
      }
    }
  }

  {  // ids repeated by the source, and the metadata (shards closed early were written without)
    auto writer = KeywordIndexWriter::Open(final_path, false, opts.keyword);
    if (!writer) return Err(writer.error());
    Tokenizer tok;
    for (IndexDoc& d : repeats) {
      d.keywords = TopKeywords(tok, pass->stats, d.title, d.abstract, opts.keywords_per_doc);
      auto docid = (*writer)->Put(d);
      if (!docid) return Err(docid.error());
      if (embedder) {
        auto v = embedder->Embed(DocText(d));
        if (!v) return Err(v.error());
        if (Status s = vectors->Add(*docid, std::move(*v)); !s.ok()) return Err(s);
      }
    }
    if (Status s = (*writer)->Commit(xapian_meta); !s.ok()) return Err(s);
  }

  if (Status s = pass->stats.Save(IndexLayout::TermsPath(*tmp)); !s.ok()) return Err(s);
  if (lsa) {
    if (Status s = lsa->Save(IndexLayout::LsaPath(*tmp)); !s.ok()) return Err(s);
  }
  if (vectors) {
    if (Status s = vectors->Save(IndexLayout::VectorsPath(*tmp)); !s.ok()) return Err(s);
  }
  meta.build_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (Status s = WriteFileAtomically(IndexLayout::MetaPath(*tmp), MetaToJson(meta)); !s.ok()) {
    return Err(s);
  }
  SyncDirectory(*tmp);
  auto generation = layout.CommitBuild(*tmp);
  if (!generation) return Err(generation.error());

  BuildSummary summary;
  summary.docs = docs;
  summary.store_seq = meta.store_seq;
  summary.embedder_id = meta.embedder_id;
  summary.generation = *generation;
  summary.bytes = DirectorySize(*generation);
  summary.seconds = meta.build_seconds;
  progress.Finish(std::to_string(docs) + " documents indexed in " +
                  std::to_string(static_cast<int>(summary.seconds)) + " s (" +
                  std::to_string(summary.bytes / (1024 * 1024)) + " MB) on " +
                  std::to_string(workers) + " threads");
  return summary;
}

}  // namespace coolpapers::search
