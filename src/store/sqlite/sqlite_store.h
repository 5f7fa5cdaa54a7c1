#pragma once
// SqliteStore: the embedded Store (SQLite 3, WAL). Every write goes through one writer thread
// (BatchedWriter: one connection, everything queued committed in one transaction, each Upsert /
// PutFaq / SetDayStatus atomic in its own savepoint); a pool of reader connections, so page
// reads never wait for a write in progress (WAL readers see the last committed state, and their
// busy timeout is short: WAL readers only ever wait on recovery, never on the write lock).
//
// AddClick and SetState are fire-and-forget: they return once queued (Unavailable when the
// queue is full), never waiting on the write lock, so they are safe on I/O threads. Their
// effect is visible to GetClicks / ClickTotals / GetState at once (queued writes are overlaid
// on what the database holds). Upsert, SetDayStatus and PutFaq wait for their commit: call them
// off the I/O threads. Flush() waits for everything queued.
//
// Field merge rule of Upsert, chosen so the result does not depend on import order:
//   - an empty incoming field never erases a stored one (sources differ in what they carry:
//     the bulk file has no DOI, OAI has no listing day);
//   - a paper with a lower version than the stored one is ignored as stale; version 0 means
//     "unknown": it applies only if its `updated` is not older than the stored one, and keeps
//     the stored version;
//   - `published` keeps the earliest and `updated` the latest date seen (sources differ in
//     precision: a listing day vs. a submission time).
// Re-upserting identical data changes nothing and does not bump the change sequence. Clicks
// and state do not bump the change sequence (they do not alter lists); a changed FAQ bumps it
// and its paper's row sequence (FAQ text is part of the paper's search document).

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "store/sqlite/batched_writer.h"
#include "store/sqlite/sqlite_db.h"
#include "store/store.h"

namespace coolpapers::store::sqlite {

class SqliteStore : public Store {
 public:
  // Opens or creates the database file at `path` (its directory must exist), switches it to WAL
  // and applies pending migrations.
  static Result<std::unique_ptr<SqliteStore>> Open(const std::string& path);

  Result<UpsertCounts> Upsert(std::span<const Paper> papers,
                              std::span<const Membership> memberships) override;
  // Into an empty database only (store/sqlite/bulk_load.cc): one transaction in the rollback
  // journal, the secondary indexes built at the end; nullptr when the database holds papers.
  Result<std::unique_ptr<BulkLoad>> BeginBulkLoad() override;
  Result<std::optional<Paper>> GetPaper(const std::string& id) override;
  Result<std::vector<Paper>> GetPapers(std::span<const std::string> ids) override;
  Result<std::vector<ListEntry>> ListDay(const ListQuery& q) override;
  // An empty `categories` means every category.
  Result<std::vector<DayCount>> Days(std::span<const std::string> categories) override;
  // An empty `categories` means every category.
  Result<std::optional<std::string>> LatestDay(std::span<const std::string> categories) override;
  Result<std::vector<Membership>> MembershipsOf(const std::string& paper_id) override;
  // `kind` must be pdf, kimi, copy or rel.
  Status AddClick(const std::string& paper_id, const std::string& kind) override;
  // Every requested id is present in the result (zero counts when never clicked).
  Result<std::map<std::string, ClickCounts>> GetClicks(
      std::span<const std::string> paper_ids) override;
  // One GROUP BY over the clicks table.
  Result<std::vector<std::pair<std::string, int64_t>>> ClickTotals() override;
  Status SetDayStatus(const DayStatus& s) override;
  Result<std::optional<DayStatus>> GetDayStatus(const std::string& category,
                                                const std::string& day) override;
  Result<std::optional<std::string>> GetState(const std::string& key) override;
  Status SetState(const std::string& key, const std::string& value) override;
  Status Flush() override;
  Result<std::vector<std::pair<std::string, std::string>>> ListState(
      const std::string& prefix) override;
  Status DeleteState(const std::string& key) override;
  Result<std::optional<FaqRecord>> GetFaq(const std::string& paper_id, int version,
                                          const std::string& lang, const std::string& model,
                                          int prompt_version) override;
  Status PutFaq(const FaqRecord& faq) override;
  // One query per 500 ids.
  Result<std::unordered_map<std::string, std::string>> FaqTexts(
      const std::vector<std::string>& paper_ids) override;
  Result<int64_t> ChangeSeq() override;
  Result<std::vector<std::pair<int64_t, Paper>>> ChangedSince(int64_t after_seq,
                                                              int limit) override;
  Result<StoreStats> Stats() override;
  Result<std::vector<CategoryStats>> CategoryCounts() override;
  // Venue papers (store/sqlite/venue_rows.cc).
  Result<VenueUpsertCounts> UpsertVenuePapers(std::span<const core::VenuePaper> papers) override;
  Result<std::vector<VenueEditionCount>> VenueEditions() override;
  Result<std::vector<core::VenuePaper>> ListVenue(const std::string& edition,
                                                  const std::string& group) override;
  Result<std::vector<core::VenuePaper>> GetVenuePapers(std::span<const std::string> ids) override;
  // Links (store/sqlite/paper_links.cc): kept current by Upsert and UpsertVenuePapers.
  // One indexed lookup per id.
  Result<std::vector<PaperLink>> LinksOf(std::span<const std::string> paper_ids) override;
  Result<std::vector<PaperLink>> ListLinks() override;
  Result<RelinkCounts> Relink() override;
  // Export (store/sqlite/sqlite_export.cc; venue papers in venue_rows.cc): committed rows only,
  // each page read in one snapshot; the click batch marker is left out of ExportState.
  Result<PaperPage> ExportPapers(const std::string& after, int limit) override;
  Result<std::vector<core::VenuePaper>> ExportVenuePapers(const std::string& after,
                                                          int limit) override;
  Result<std::vector<DayStatus>> ExportDayStatuses(const std::string& after, int limit) override;
  Result<std::vector<std::pair<std::string, std::string>>> ExportState(const std::string& after,
                                                                       int limit) override;
  Result<std::vector<FaqRecord>> ExportFaqs(const std::string& after, int limit) override;
  Result<std::vector<std::pair<std::string, ClickCounts>>> ExportClicks(const std::string& after,
                                                                        int limit) override;
  // Queued like AddClick.
  Status AddClicks(const std::string& paper_id, const std::string& kind, int64_t n) override;

  const std::string& path() const { return path_; }
  // Counters of the writer thread (committed batches and writes).
  BatchedWriter::Stats WriterStats() const { return writer_->GetStats(); }
  // The schema version recorded in the database.
  Result<int> SchemaVersion();

  // Internal to the store: the rows of one Upsert (papers, memberships, change sequence), on
  // the writer connection inside a transaction; `inserted` gets one flag per paper, true when
  // it was inserted as a new row. Link keys are LinkArxivPapers' (paper_links.h).
  static Result<UpsertCounts> UpsertLocked(Connection& w, std::span<const Paper> papers,
                                           std::span<const Membership> memberships,
                                           std::vector<bool>* inserted);

 private:
  // A reader connection borrowed from the pool; returned when the lease ends.
  class ReaderLease {
   public:
    ReaderLease(SqliteStore* owner, std::unique_ptr<Connection> c)
        : owner_(owner), c_(std::move(c)) {}
    ReaderLease(ReaderLease&&) = default;
    ~ReaderLease();
    Connection& operator*() { return *c_; }
    Connection* operator->() { return c_.get(); }

   private:
    SqliteStore* owner_;
    std::unique_ptr<Connection> c_;
  };

  SqliteStore(std::string path, std::unique_ptr<Connection> writer)
      : path_(std::move(path)), writer_(std::make_unique<BatchedWriter>(std::move(writer))) {}
  Result<ReaderLease> Reader();
  Status FillVenuePapers(Connection& c, std::vector<core::VenuePaper>& papers);

  std::string path_;
  std::mutex pool_mu_;
  std::vector<std::unique_ptr<Connection>> idle_readers_;
  std::unique_ptr<BatchedWriter> writer_;  // destroyed first: writes what is queued
};

}  // namespace coolpapers::store::sqlite
