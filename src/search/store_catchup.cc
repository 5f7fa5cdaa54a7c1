#include "search/store_catchup.h"

#include <stdio.h>
#include <sys/types.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include <spdlog/spdlog.h>

#include "core/progress.h"
#include "core/text.h"
#include "search/doc_source.h"
#include "search/index_builder.h"
#include "search/keywords.h"
#include "search/tokenizer.h"
#include "store/store.h"

namespace coolpapers::search {
namespace {

// How far the store is ahead of `gen`'s index (cheap: no writer lock and no commit when nothing
// changed).
struct StoreLag {
  int64_t changes = 0;  // store sequence minus the indexed one: an upper bound on the papers
  int64_t indexed_docs = 0;
};
Result<StoreLag> StoreLagOf(const std::shared_ptr<IndexGeneration>& gen, store::Store& store) {
  auto store_seq = store.ChangeSeq();
  if (!store_seq) return Err(store_seq.error());
  auto lease = SearcherLease::Acquire(gen);
  if (!lease) return Err(lease.error());
  (void)(*lease)->Reopen();
  int64_t indexed = 0;
  core::ParseInt64((*lease)->GetMetadata("store_seq"), indexed);
  StoreLag lag;
  lag.changes = std::max<int64_t>(0, *store_seq - indexed);
  lag.indexed_docs = static_cast<int64_t>((*lease)->DocCount());
  return lag;
}

// A stdio stream whose lines go to the log (spdlog, info level): core::Progress lines of a long
// catch-up in a server appear in its log like its other messages.
class LogStream {
 public:
  LogStream() {
    cookie_io_functions_t io{};
    io.write = &LogStream::Write;
    file_ = fopencookie(this, "w", io);
  }
  ~LogStream() {
    if (file_ != nullptr) std::fclose(file_);
  }
  LogStream(const LogStream&) = delete;
  LogStream& operator=(const LogStream&) = delete;
  std::FILE* get() const { return file_; }

 private:
  static ssize_t Write(void* cookie, const char* buf, size_t n) {
    auto* self = static_cast<LogStream*>(cookie);
    self->pending_.append(buf, n);
    for (size_t nl; (nl = self->pending_.find('\n')) != std::string::npos;) {
      if (nl > 0) spdlog::info("search: {}", self->pending_.substr(0, nl));
      self->pending_.erase(0, nl + 1);
    }
    return static_cast<ssize_t>(n);
  }
  std::string pending_;
  std::FILE* file_ = nullptr;
};

// Writes store changes into one generation, committing every 10,000 documents and at the end.
class CatchUpWriter {
 public:
  CatchUpWriter(const std::shared_ptr<IndexGeneration>& gen, KeywordIndexWriter& writer)
      : gen_(gen), writer_(writer) {}

  // Indexes one document (with its keywords and vector).
  Status Put(IndexDoc& d) {
    d.keywords = TopKeywords(tok_, gen_->stats, d.title, d.abstract, 8);
    auto docid = writer_.Put(d);
    if (!docid) return docid.error();
    gen_->SetId(*docid, d.id);
    if (gen_->embedder && gen_->vectors) {
      auto v = gen_->embedder->Embed(DocText(d));
      if (v && gen_->vectors->Add(*docid, std::move(*v)).ok()) vectors_changed_ = true;
    }
    return Status::Ok();
  }
  // Makes the writes durable with the store sequence they reach, and visible to searchers.
  Status Commit(int64_t store_seq) {
    if (vectors_changed_ && gen_->vectors) {
      if (Status s = gen_->vectors->Save(IndexLayout::VectorsPath(gen_->path)); !s.ok()) return s;
    }
    if (Status s = writer_.Commit({{"store_seq", std::to_string(store_seq)}}); !s.ok()) return s;
    gen_->epoch.fetch_add(1);
    vectors_changed_ = false;
    return Status::Ok();
  }

 private:
  const std::shared_ptr<IndexGeneration>& gen_;
  KeywordIndexWriter& writer_;
  Tokenizer tok_;
  bool vectors_changed_ = false;
};

// An index that holds no papers (a new server's) while the store has many: a full build from
// the store (parallel, sharded) publishes a new generation, which the service loads on its
// next refresh. Semantic vectors are built when `gen` has them (with its external embedder,
// or a freshly trained model).
Result<int64_t> BuildFromStore(const std::shared_ptr<IndexGeneration>& gen, store::Store& store,
                               const KeywordIndexOptions& keyword, std::FILE* progress_out) {
  BuildOptions opts;
  opts.keyword = keyword;
  opts.semantic = gen->embedder != nullptr && gen->vectors != nullptr;
  if (opts.semantic && !gen->lsa && !gen->word_vectors) opts.external_embedder = gen->embedder;
  opts.progress = progress_out != nullptr;
  opts.progress_out = progress_out;
  StoreDocSource src(store);
  const std::string dir = std::filesystem::path(gen->path).parent_path().string();
  auto built = BuildIndex(dir, src, opts);
  if (!built) return Err(built.error());
  return built->docs;
}

}  // namespace

Result<int64_t> ApplyStoreChanges(const std::shared_ptr<IndexGeneration>& gen,
                                  store::Store& store, const KeywordIndexOptions& keyword,
                                  bool progress, int64_t large_from) {
  auto lag = StoreLagOf(gen, store);
  if (!lag) return Err(lag.error());
  if (lag->changes == 0) return int64_t{0};
  // A large catch-up logs its progress even when the caller asked for none (a server's
  // refresher), and into an empty index it is a full build.
  const bool large = lag->changes >= large_from;
  LogStream log;
  std::FILE* progress_out = progress ? stderr : large ? log.get() : nullptr;
  auto writer = KeywordIndexWriter::Open(IndexLayout::XapianPath(gen->path), false, keyword);
  if (!writer) return Err(writer.error());
  if (large && (*writer)->DocCount() == 0) {
    // The sequence also counts changes that are not papers: build only for many papers.
    auto stats = store.Stats();
    if (stats && stats->papers >= large_from) {
      writer->reset();  // the build publishes a new generation; this one is left as it is
      return BuildFromStore(gen, store, keyword, progress_out);
    }
  }
  auto seq_text = (*writer)->GetMetadata("store_seq");
  if (!seq_text) return Err(seq_text.error());
  int64_t seq = 0;
  if (!seq_text->empty() && !core::ParseInt64(*seq_text, seq)) seq = 0;
  StoreDocSource src(store, seq, 1000);
  if (Status s = src.Rewind(); !s.ok()) return Err(s);
  // Started with the first paper to write (the sequence also moves for changes that are not
  // papers, and those catch-ups write nothing and say nothing).
  std::optional<core::Progress> prog;
  CatchUpWriter out(gen, **writer);
  std::vector<IndexDoc> batch;
  int64_t written = 0;
  while (true) {
    if (Status s = src.Next(batch); !s.ok()) return Err(s);
    if (batch.empty()) break;
    if (!prog) prog.emplace("index: catching up", lag->changes, progress_out);
    for (IndexDoc& d : batch) {
      if (Status s = out.Put(d); !s.ok()) return Err(s);
    }
    written += static_cast<int64_t>(batch.size());
    prog->Add(static_cast<int64_t>(batch.size()));
    if (written % 10000 < static_cast<int64_t>(batch.size())) {
      if (Status s = out.Commit(src.seq()); !s.ok()) return Err(s);
    }
  }
  if (written > 0 || src.seq() > seq) {
    if (Status s = out.Commit(src.seq()); !s.ok()) return Err(s);
  }
  if (prog) {
    prog->Finish(std::to_string(written) + " papers added or updated (store seq " +
                 std::to_string(src.seq()) + ")");
  }
  return written;
}

Status RefreshStars(const std::shared_ptr<IndexGeneration>& gen, store::Store& store) {
  auto totals = store.ClickTotals();
  if (!totals) {
    return totals.error().code() == StatusCode::kUnavailable ? Status::Ok() : totals.error();
  }
  auto lease = SearcherLease::Acquire(gen);
  if (!lease) return lease.error();
  (void)(*lease)->Reopen();  // see papers another process indexed
  auto stars = std::make_shared<StarOverrides>();
  stars->reserve(totals->size());
  for (const auto& [id, total] : *totals) {
    auto docid = (*lease)->DocidOf(id);
    if (!docid) return docid.error();
    if (*docid) stars->emplace(**docid, total);
  }
  gen->SetStars(std::move(stars));
  return Status::Ok();
}

void PeriodicThread::Start(std::function<void()> tick, std::chrono::milliseconds interval) {
  Stop();
  {
    std::lock_guard lock(mu_);
    stop_ = false;
  }
  thread_ = std::thread([this, tick = std::move(tick), interval] {
    std::unique_lock lock(mu_);
    while (!stop_) {
      lock.unlock();
      tick();
      lock.lock();
      cv_.wait_for(lock, interval, [this] { return stop_; });
    }
  });
}

void PeriodicThread::Stop() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

}  // namespace coolpapers::search
