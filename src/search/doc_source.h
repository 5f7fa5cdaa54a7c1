#pragma once
// DocSource: where an index build reads its documents from, in batches, twice (one pass for
// corpus statistics and the embedder, one for indexing). StoreDocSource reads the store's
// change feed; VectorDocSource serves documents held in memory (eval corpora, tests, bench).

#include <cstdint>
#include <vector>

#include "core/status.h"
#include "search/index_doc.h"

namespace coolpapers::store { class Store; }

namespace coolpapers::search {

class DocSource {
 public:
  virtual ~DocSource() = default;
  // Starts a pass from the beginning.
  virtual Status Rewind() = 0;
  // Replaces `batch` with the next documents; an empty batch ends the pass.
  virtual Status Next(std::vector<IndexDoc>& batch) = 0;
  // Highest store change sequence seen so far (0 when not from a store).
  virtual int64_t seq() const { return 0; }
  // Number of documents if known (for progress), else 0.
  virtual int64_t SizeHint() const { return 0; }
};

class VectorDocSource : public DocSource {
 public:
  explicit VectorDocSource(std::vector<IndexDoc> docs, size_t batch = 2000)
      : docs_(std::move(docs)), batch_(batch) {}
  Status Rewind() override {
    pos_ = 0;
    return Status::Ok();
  }
  Status Next(std::vector<IndexDoc>& batch) override;
  int64_t SizeHint() const override { return static_cast<int64_t>(docs_.size()); }

 private:
  std::vector<IndexDoc> docs_;
  size_t batch_;
  size_t pos_ = 0;
};

// Reads papers changed after `after_seq` (0 = all) from the store's change feed, with their
// click totals as stars and their FAQ text (Store::FaqTexts) as extra searchable text.
class StoreDocSource : public DocSource {
 public:
  StoreDocSource(store::Store& store, int64_t after_seq = 0, int batch = 2000)
      : store_(store), start_seq_(after_seq), batch_(batch), seq_(after_seq) {}
  Status Rewind() override;
  Status Next(std::vector<IndexDoc>& batch) override;
  int64_t seq() const override { return seq_; }
  int64_t SizeHint() const override { return size_hint_; }

 private:
  store::Store& store_;
  int64_t start_seq_;
  int batch_;
  int64_t seq_;
  int64_t pos_seq_ = 0;
  int64_t size_hint_ = 0;
};

}  // namespace coolpapers::search
