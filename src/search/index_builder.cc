#include "search/index_builder.h"

#include <atomic>
#include <chrono>
#include <climits>
#include <cstdio>
#include <deque>
#include <filesystem>
#include <functional>
#include <unordered_set>
#include <ctime>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>

#include "core/progress.h"
#include "search/batch_pipeline.h"
#include "search/doc_store.h"
#include "search/file_util.h"
#include "search/index_layout.h"
#include "search/keywords.h"
#include "search/term_stats.h"
#include "search/tokenizer.h"

namespace coolpapers::search {
namespace {

// Embeds a document from the stems of its text (see BuildEmbedder::StemEmbedder).
using StemEmbedFn = std::function<std::vector<float>(const std::vector<std::string>&)>;

std::string NowUtc() {
  std::time_t t = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S", &tm);
  return buf;
}

std::FILE* ProgressOut(const BuildOptions& opts) {
  if (!opts.progress) return nullptr;
  return opts.progress_out != nullptr ? opts.progress_out : stderr;
}

// Wall time between successive Lap() calls.
class PhaseClock {
 public:
  double Lap() {
    const auto now = std::chrono::steady_clock::now();
    const double seconds = std::chrono::duration<double>(now - last_).count();
    last_ = now;
    return seconds;
  }

 private:
  std::chrono::steady_clock::time_point last_ = std::chrono::steady_clock::now();
};

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
  core::Progress progress("index: scanning", src.SizeHint(), ProgressOut(opts));
  std::mutex progress_mu;
  const int64_t hint = src.SizeHint();
  const size_t max_train_docs = opts.corpus_model == BuildOptions::CorpusModel::kLsa
                                    ? opts.lsa.max_train_docs
                                    : opts.word_vectors.max_train_docs;
  const auto max_train = static_cast<int64_t>(max_train_docs);
  const int64_t stride = hint > 0 ? std::max<int64_t>(1, (hint + max_train - 1) / max_train) : 1;
  std::vector<TermStats> stats(workers);
  std::vector<Tokenizer> toks(workers);
  auto on_read = [&](std::vector<IndexDoc>& batch) {
    for (const IndexDoc& d : batch) {
      if (want_training && pass.docs % stride == 0 &&
          pass.training_texts.size() < max_train_docs) {
        pass.training_texts.push_back(DocText(d));
      }
      ++pass.docs;
    }
    return Status::Ok();
  };
  auto work = [&](int w, std::vector<IndexDoc>& batch) {
    // Title and abstract tokenized apart give the stems of DocText (they are separated by a
    // newline), without building that text.
    std::vector<std::string> stems;
    for (const IndexDoc& d : batch) {
      stems.clear();
      for (Token& t : toks[w].Tokenize(d.title)) stems.push_back(std::move(t.stem));
      for (Token& t : toks[w].Tokenize(d.abstract)) stems.push_back(std::move(t.stem));
      stats[w].AddDocument(stems);
    }
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
    all.compact(out, renumber ? 0 : Xapian::DBCOMPACT_NO_RENUMBER, kIndexBlockSize);
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

// The embedder of a build: the external one, or the corpus model trained on the scan's sample
// (which is then released): word vectors, or LSA when so configured or when the corpus is too
// small for word vectors.
struct BuildEmbedder {
  std::unique_ptr<SifEmbedder> word_vectors;
  std::unique_ptr<LsaEmbedder> lsa;
  Embedder* embedder = nullptr;

  // A corpus model's embedding of a text from its stems (the same vector as Embed of the
  // text); empty for an external embedder, which is given the texts.
  StemEmbedFn StemEmbedder() const {
    if (word_vectors) {
      return [m = word_vectors.get()](const std::vector<std::string>& stems) {
        return m->EmbedStems(stems, true);
      };
    }
    if (lsa) {
      return [m = lsa.get()](const std::vector<std::string>& stems) {
        return m->EmbedStems(stems);
      };
    }
    return nullptr;
  }
};
BuildEmbedder ChooseEmbedder(CorpusPass& pass, const BuildOptions& opts, bool train_lsa) {
  BuildEmbedder out;
  out.embedder = opts.external_embedder;
  if (train_lsa && pass.docs >= 2 &&
      opts.corpus_model == BuildOptions::CorpusModel::kWordVectors) {
    auto trained = SifEmbedder::Train(pass.training_texts, opts.word_vectors);
    if (trained) {
      out.word_vectors = std::move(*trained);
      out.embedder = out.word_vectors.get();
    }
  }
  if (train_lsa && pass.docs >= 2 && !out.word_vectors) {
    auto trained = LsaEmbedder::Train(pass.training_texts, opts.lsa);
    if (trained) {
      out.lsa = std::move(*trained);
      out.embedder = out.lsa.get();
    }
  }
  pass.training_texts.clear();
  pass.training_texts.shrink_to_fit();
  return out;
}

// Pass 2: every worker indexes into shards of its own, starting a new one every `shard_docs`
// documents (Xapian's cost per added document grows with the size of the database being
// written); the shards are then merged and compacted (about half the size and faster to
// search). A single worker without compaction writes the final database directly.
class ShardedWriter {
 public:
  // `embed_stems`, when set, is `embedder` itself: documents are embedded from the tokens
  // already made for their keywords.
  ShardedWriter(std::string final_path, bool direct, int workers, const BuildOptions& opts,
                const TermStats& stats, Embedder* embedder, StemEmbedFn embed_stems)
      : final_path_(std::move(final_path)), direct_(direct), opts_(opts), stats_(stats),
        embedder_(embedder), embed_stems_(std::move(embed_stems)), current_(workers, nullptr),
        embed_ns_(0),
        shard_docs_(direct ? INT64_MAX : std::max<int64_t>(100, opts.shard_docs)),
        flush_docs_(std::max<int64_t>(1, opts.flush_docs)) {}

  // Indexes `batch` (with keywords and vectors) on worker `w`'s current shard.
  Status Write(int w, std::vector<IndexDoc>& batch) {
    if (current_[w] == nullptr || current_[w]->docs >= shard_docs_) {
      if (current_[w] != nullptr) {
        if (Status s = current_[w]->writer->Commit(); !s.ok()) return s;
        current_[w]->writer.reset();
      }
      if (Status s = OpenShard(w); !s.ok()) return s;
    }
    Shard& sh = *current_[w];
    std::vector<std::string> texts;
    for (IndexDoc& d : batch) {
      const std::vector<Token> title = sh.tok.Tokenize(d.title);
      const std::vector<Token> abstract = sh.tok.Tokenize(d.abstract);
      d.keywords = TopKeywords(stats_, title, abstract, opts_.keywords_per_doc);
      auto docid = sh.writer->Add(d, &title);
      if (!docid) return docid.error();
      if (sh.first_id.empty()) sh.first_id = d.id;
      ++sh.docs;
      // Xapian keeps a database's uncommitted documents in an in-memory inverted index whose
      // cost per document grows with its size: committing a temporary shard (no fsync) every
      // few hundred documents is much faster than its default of 10,000.
      if (!direct_ && sh.writer->pending() >= flush_docs_) {
        if (Status s = sh.writer->Flush(); !s.ok()) return s;
      }
      if (embedder_) {
        sh.local_ids.push_back(*docid);
        if (embed_stems_) {
          EmbedTokens(sh, title, abstract);
        } else {
          texts.push_back(DocText(d));
        }
      }
    }
    if (embedder_ && !texts.empty()) {
      const auto t0 = std::chrono::steady_clock::now();
      Status s = AddVectors(sh, texts);
      embed_ns_ += std::chrono::duration_cast<std::chrono::nanoseconds>(
                       std::chrono::steady_clock::now() - t0)
                       .count();
      return s;
    }
    return Status::Ok();
  }

  // Thread time spent embedding documents so far (all workers together), in seconds.
  double embed_seconds() const { return static_cast<double>(embed_ns_.load()) / 1e9; }

  // Commits every open shard with `metadata` (an empty corpus still gets an empty database)
  // and merges them into the final database; returns, per shard, the offset from its docids
  // to the final ones.
  Result<std::vector<Xapian::docid>> Finish(const std::map<std::string, std::string>& metadata,
                                            core::Progress& progress) {
    if (shards_.empty()) {
      if (Status s = OpenShard(0); !s.ok()) return Err(s);
    }
    for (Shard& sh : shards_) {
      if (!sh.writer) continue;
      if (Status s = sh.writer->Commit(metadata); !s.ok()) return Err(s);
      sh.writer.reset();
    }
    if (direct_) return std::vector<Xapian::docid>(shards_.size(), 0);
    progress.SetNote("merging " + std::to_string(shards_.size()) + " parts");
    return MergeShards(shards_, final_path_, shards_.size() > 1);
  }

  std::deque<Shard>& shards() { return shards_; }

  // Per shard, the offset Finish will return, known before the merge: compaction renumbers
  // the shards' docids (1, 2, ... each) shard after shard; one part keeps its own.
  std::vector<Xapian::docid> PlannedOffsets() const {
    std::vector<Xapian::docid> offsets(shards_.size(), 0);
    if (direct_ || shards_.size() < 2) return offsets;
    Xapian::docid next = 0;
    for (size_t k = 0; k < shards_.size(); ++k) {
      offsets[k] = next;
      next += static_cast<Xapian::docid>(shards_[k].docs);
    }
    return offsets;
  }

 private:
  Status OpenShard(int w) {
    Shard* sh;
    {
      std::lock_guard lock(shards_mu_);
      sh = &shards_.emplace_back();
      sh->path = direct_ ? final_path_ : final_path_ + ".build." + std::to_string(shards_.size());
    }
    // Partial shards are merged into the final database (which is synced) and removed: they
    // need no fsync of their own.
    auto writer = KeywordIndexWriter::Open(sh->path, true, opts_.keyword, /*no_sync=*/!direct_);
    if (!writer) return writer.error();
    sh->writer = std::move(*writer);
    current_[w] = sh;
    return Status::Ok();
  }

  // Appends the vector of a document given its title and abstract tokens: the stems of
  // DocText (title and abstract are separated by a newline), without tokenizing it again.
  void EmbedTokens(Shard& sh, const std::vector<Token>& title, const std::vector<Token>& abstract) {
    const auto t0 = std::chrono::steady_clock::now();
    std::vector<std::string> stems;
    stems.reserve(title.size() + abstract.size());
    for (const Token& t : title) stems.push_back(t.stem);
    for (const Token& t : abstract) stems.push_back(t.stem);
    const std::vector<float> v = embed_stems_(stems);
    sh.rows.insert(sh.rows.end(), v.begin(), v.end());
    embed_ns_ += std::chrono::duration_cast<std::chrono::nanoseconds>(
                     std::chrono::steady_clock::now() - t0)
                     .count();
  }

  Status AddVectors(Shard& sh, const std::vector<std::string>& texts) {
    auto vecs = embedder_->EmbedBatch(texts);
    if (!vecs) return vecs.error();
    for (const std::vector<float>& v : *vecs) {
      if (static_cast<int>(v.size()) != embedder_->dim()) {
        return Status::Internal("embedder " + embedder_->id() + " returned a vector of " +
                                std::to_string(v.size()) + " dimensions");
      }
      sh.rows.insert(sh.rows.end(), v.begin(), v.end());
    }
    return Status::Ok();
  }

  const std::string final_path_;
  const bool direct_;
  const BuildOptions& opts_;
  const TermStats& stats_;
  Embedder* const embedder_;
  const StemEmbedFn embed_stems_;
  std::deque<Shard> shards_;  // stable addresses: workers keep pointers to their current shard
  std::mutex shards_mu_;
  std::vector<Shard*> current_;
  std::atomic<int64_t> embed_ns_;
  const int64_t shard_docs_;
  const int64_t flush_docs_;
};

// What pass 2 read: documents written, and those whose id the source gave again (the last one
// wins, applied after the merge).
struct IndexPass {
  int64_t docs = 0;
  std::vector<IndexDoc> repeats;
};

Result<IndexPass> WriteDocuments(DocSource& src, int workers, ShardedWriter& writer,
                                 core::Progress& progress) {
  if (Status s = src.Rewind(); !s.ok()) return Err(s);
  std::mutex progress_mu;
  std::unordered_set<std::string> seen_ids;
  IndexPass pass;
  auto on_read = [&](std::vector<IndexDoc>& batch) {
    std::vector<IndexDoc> fresh;
    fresh.reserve(batch.size());
    for (IndexDoc& d : batch) {
      if (seen_ids.insert(d.id).second) {
        fresh.push_back(std::move(d));
      } else {
        pass.repeats.push_back(std::move(d));
      }
    }
    batch = std::move(fresh);
    pass.docs += static_cast<int64_t>(batch.size());
    return Status::Ok();
  };
  auto work = [&](int w, std::vector<IndexDoc>& batch) -> Status {
    if (Status s = writer.Write(w, batch); !s.ok()) return s;
    std::lock_guard lock(progress_mu);
    progress.Add(static_cast<int64_t>(batch.size()));
    return Status::Ok();
  };
  if (Status s = RunBatchPipeline(src, workers, on_read, work); !s.ok()) return Err(s);
  return pass;
}

// The vector index of the merged shards' rows, labelled with the final docids.
Result<std::unique_ptr<VectorIndex>> MergeVectors(std::deque<Shard>& shards,
                                                  const std::vector<Xapian::docid>& offsets,
                                                  const Embedder& embedder, int64_t docs,
                                                  const BuildOptions& opts, int workers) {
  auto vectors =
      std::make_unique<VectorIndex>(embedder.dim(), static_cast<size_t>(docs) + 16, opts.hnsw);
  for (size_t k = 0; k < shards.size(); ++k) {
    std::vector<uint64_t> labels;
    labels.reserve(shards[k].local_ids.size());
    for (Xapian::docid id : shards[k].local_ids) labels.push_back(id + offsets[k]);
    if (Status s = vectors->AddMany(labels, std::move(shards[k].rows), workers); !s.ok()) {
      return Err(s);
    }
  }
  return vectors;
}

// Writes the documents whose ids the source repeated over the first ones, and the metadata
// (shards closed early were written without).
Status ApplyRepeats(const std::string& final_path, std::vector<IndexDoc>& repeats,
                    const TermStats& stats, Embedder* embedder, VectorIndex* vectors,
                    const BuildOptions& opts,
                    const std::map<std::string, std::string>& metadata) {
  auto writer = KeywordIndexWriter::Open(final_path, false, opts.keyword);
  if (!writer) return writer.error();
  Tokenizer tok;
  for (IndexDoc& d : repeats) {
    d.keywords = TopKeywords(tok, stats, d.title, d.abstract, opts.keywords_per_doc);
    auto docid = (*writer)->Put(d);
    if (!docid) return docid.error();
    if (embedder) {
      auto v = embedder->Embed(DocText(d));
      if (!v) return v.error();
      if (Status s = vectors->Add(*docid, std::move(*v)); !s.ok()) return s;
    }
  }
  return (*writer)->Commit(metadata);
}

// Saves the generation's other files into `dir`: term statistics, the corpus model, vectors,
// and last the meta (with the build's time since `start`).
Status SaveGeneration(const std::string& dir, const TermStats& stats, const BuildEmbedder& emb,
                      const VectorIndex* vectors, IndexMeta& meta,
                      std::chrono::steady_clock::time_point start) {
  if (Status s = stats.Save(IndexLayout::TermsPath(dir)); !s.ok()) return s;
  if (emb.word_vectors) {
    if (Status s = emb.word_vectors->Save(IndexLayout::WordVectorsPath(dir)); !s.ok()) return s;
  }
  if (emb.lsa) {
    if (Status s = emb.lsa->Save(IndexLayout::LsaPath(dir)); !s.ok()) return s;
  }
  if (vectors) {
    if (Status s = vectors->Save(IndexLayout::VectorsPath(dir)); !s.ok()) return s;
  }
  meta.build_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (Status s = WriteFileAtomically(IndexLayout::MetaPath(dir), MetaToJson(meta)); !s.ok()) {
    return s;
  }
  SyncDirectory(dir);
  return Status::Ok();
}

}  // namespace

std::string DescribePhases(const BuildPhases& p) {
  char buf[256];
  std::snprintf(buf, sizeof buf,
                "scan %.1f s, train %.1f s, index %.1f s (embed %.1f s), merge/compact %.1f s, "
                "vectors %.1f s, documents %.1f s, save %.1f s",
                p.scan, p.train, p.index, p.embed, p.merge, p.vectors, p.docs, p.save);
  return buf;
}

Result<BuildSummary> BuildIndex(const std::string& index_dir, DocSource& src,
                                const BuildOptions& opts) {
  const auto start = std::chrono::steady_clock::now();
  PhaseClock clock;
  BuildSummary summary;
  BuildPhases& phases = summary.phases;
  IndexLayout layout(index_dir);
  auto tmp = layout.BeginBuild();
  if (!tmp) return Err(tmp.error());
  const int workers = WorkerCount(opts.threads);
  const bool train_lsa = opts.semantic && opts.external_embedder == nullptr;
  auto scan = ScanCorpus(src, opts, workers, train_lsa);
  if (!scan) return Err(scan.error());
  phases.scan = clock.Lap();
  BuildEmbedder emb = ChooseEmbedder(*scan, opts, train_lsa);
  phases.train = clock.Lap();

  const std::string final_path = IndexLayout::XapianPath(*tmp);
  ShardedWriter writer(final_path, workers == 1 && !opts.compact, workers, opts, scan->stats,
                       emb.embedder, emb.StemEmbedder());
  core::Progress progress("index: indexing", scan->docs, ProgressOut(opts));
  auto written = WriteDocuments(src, workers, writer, progress);
  if (!written) return Err(written.error());
  phases.index = clock.Lap();
  phases.embed = writer.embed_seconds();

  IndexMeta meta;
  meta.embedder_id = emb.embedder ? emb.embedder->id() : "";
  meta.dims = emb.embedder ? emb.embedder->dim() : 0;
  meta.docs = written->docs;
  meta.store_seq = src.seq();
  meta.built_at = NowUtc();
  const std::map<std::string, std::string> xapian_meta = {
      {"store_seq", std::to_string(meta.store_seq)}, {"embedder_id", meta.embedder_id}};
  // The vector index is built while Xapian merges the shards (a merge keeps one core busy),
  // with the docid offsets the merge is planned to give; they are checked against the merged
  // database before the vectors are used.
  const std::vector<Xapian::docid> planned = writer.PlannedOffsets();
  std::optional<Result<std::unique_ptr<VectorIndex>>> merged_vectors;
  std::jthread vector_thread;  // joins on every way out, an exception from the merge included
  if (emb.embedder && !writer.shards().empty()) {
    vector_thread = std::jthread([&] {
      try {
        merged_vectors.emplace(
            MergeVectors(writer.shards(), planned, *emb.embedder, written->docs, opts, workers));
      } catch (const std::exception& e) {  // e.g. out of memory: fail the build, not the process
        merged_vectors.emplace(
            Err(Status::Internal(std::string("building the vector index failed: ") + e.what())));
      }
    });
  }
  auto offsets = writer.Finish(xapian_meta, progress);
  phases.merge = clock.Lap();
  if (vector_thread.joinable()) vector_thread.join();
  if (!offsets) return Err(offsets.error());
  std::unique_ptr<VectorIndex> vectors;
  if (emb.embedder) {
    if (!merged_vectors) {  // no shard before Finish (an empty corpus)
      merged_vectors.emplace(
          MergeVectors(writer.shards(), *offsets, *emb.embedder, written->docs, opts, workers));
    } else if (*offsets != planned) {
      return Err(Status::Internal(
          "the merged index numbered its papers other than planned, so its vectors would be "
          "mislabelled; rebuild with `coolpapers index --rebuild --threads 1`"));
    }
    if (!*merged_vectors) return Err(merged_vectors->error());
    vectors = std::move(**merged_vectors);
  }
  phases.vectors = clock.Lap();
  if (Status s = ApplyRepeats(final_path, written->repeats, scan->stats, emb.embedder,
                              vectors.get(), opts, xapian_meta);
      !s.ok()) {
    return Err(s);
  }
  phases.merge += clock.Lap();
  // Result pages read their documents from this copy (see DocStore).
  if (Status s = DocStore::Write(final_path, DocStore::PathFor(final_path)); !s.ok()) {
    return Err(s);
  }
  phases.docs = clock.Lap();
  if (Status s = SaveGeneration(*tmp, scan->stats, emb, vectors.get(), meta, start);
      !s.ok()) {
    return Err(s);
  }
  auto generation = layout.CommitBuild(*tmp);
  if (!generation) return Err(generation.error());
  phases.save = clock.Lap();

  summary.docs = written->docs;
  summary.store_seq = meta.store_seq;
  summary.embedder_id = meta.embedder_id;
  summary.generation = *generation;
  summary.bytes = DirectorySize(*generation);
  summary.seconds = meta.build_seconds;
  summary.threads = workers;
  progress.Finish(std::to_string(summary.docs) + " documents indexed in " +
                  std::to_string(static_cast<int>(summary.seconds)) + " s (" +
                  std::to_string(summary.bytes / (1024 * 1024)) + " MB) on " +
                  std::to_string(workers) + " threads: " + DescribePhases(phases));
  return summary;
}

}  // namespace coolpapers::search
