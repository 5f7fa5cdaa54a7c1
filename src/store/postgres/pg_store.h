#pragma once
// PostgresStore: the Store on PostgreSQL 15 (libpqxx), for several `serve` nodes sharing one
// database. Same contract as SqliteStore (store/sqlite/sqlite_store.h: field merge rule of
// Upsert, change feed, read-your-writes of clicks and state); what differs is how:
//
//   - Connections: a bounded pool (PgPool, 8 by default); every method may be called from any
//     thread. A broken connection is replaced; failures come back as Status, never as
//     exceptions.
//   - Change sequence: one row (change_seq) locked by every write transaction that bumps it and
//     written in the same transaction, so sequence numbers commit in order across nodes (see
//     pg_store.cc, "Change sequence").
//   - Upsert: papers and memberships go in with COPY into temporary tables, then one merge
//     statement each (an import writes tens of thousands of papers per second).
//   - Clicks: AddClick queues in memory; a background thread writes the queue about once a
//     second in one statement (and on Flush() and destruction). GetClicks and ClickTotals add
//     what is still queued, so a click is seen at once by this node, and by the others after
//     the next flush.
//   - State: SetState and DeleteState write at once (they are small and rare).
//
// Schema: component "store" of postgres::Migrate (pg_migrations.cc).

#include <atomic>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <span>
#include <string>
#include <thread>
#include <unordered_map>
#include <utility>
#include <vector>

#include "store/postgres/pg_pool.h"
#include "store/store.h"

namespace coolpapers::store::postgres {

// The schema steps of component "store" (pg_migrations.cc).
std::span<const char* const> StoreSchemaSteps();

class PostgresStore : public Store {
 public:
  static constexpr size_t kDefaultPoolSize = 8;

  // Connects to `url` ("postgresql://user@host:port/db") and applies pending migrations. An
  // unreachable server is Unavailable, naming the URL (password redacted) and what to check.
  static Result<std::unique_ptr<PostgresStore>> Open(const std::string& url,
                                                     size_t pool_size = kDefaultPoolSize);
  // Writes the queued clicks.
  ~PostgresStore() override;

  Result<UpsertCounts> Upsert(std::span<const Paper> papers,
                              std::span<const Membership> memberships) override;
  Result<std::optional<Paper>> GetPaper(const std::string& id) override;
  Result<std::vector<Paper>> GetPapers(std::span<const std::string> ids) override;
  Result<std::vector<ListEntry>> ListDay(const ListQuery& q) override;
  // An empty `categories` means every category.
  Result<std::vector<DayCount>> Days(std::span<const std::string> categories) override;
  // An empty `categories` means every category.
  Result<std::optional<std::string>> LatestDay(std::span<const std::string> categories) override;
  Result<std::vector<Membership>> MembershipsOf(const std::string& paper_id) override;
  // `kind` must be pdf, kimi, copy or rel. Never touches the database.
  Status AddClick(const std::string& paper_id, const std::string& kind) override;
  // Every requested id is present in the result (zero counts when never clicked).
  Result<std::map<std::string, ClickCounts>> GetClicks(
      std::span<const std::string> paper_ids) override;
  Result<std::vector<std::pair<std::string, int64_t>>> ClickTotals() override;
  Status SetDayStatus(const DayStatus& s) override;
  Result<std::optional<DayStatus>> GetDayStatus(const std::string& category,
                                                const std::string& day) override;
  Result<std::optional<std::string>> GetState(const std::string& key) override;
  Status SetState(const std::string& key, const std::string& value) override;
  // Writes the queued clicks now; their error if that failed.
  Status Flush() override;
  Result<std::vector<std::pair<std::string, std::string>>> ListState(
      const std::string& prefix) override;
  Status DeleteState(const std::string& key) override;
  Result<std::optional<FaqRecord>> GetFaq(const std::string& paper_id, int version,
                                          const std::string& lang, const std::string& model,
                                          int prompt_version) override;
  Status PutFaq(const FaqRecord& faq) override;
  Result<std::unordered_map<std::string, std::string>> FaqTexts(
      const std::vector<std::string>& paper_ids) override;
  // One primary-key read of the change_seq row.
  Result<int64_t> ChangeSeq() override;
  Result<std::vector<std::pair<int64_t, Paper>>> ChangedSince(int64_t after_seq,
                                                              int limit) override;
  Result<StoreStats> Stats() override;
  Result<std::vector<CategoryStats>> CategoryCounts() override;
  // Venue papers (pg_venue_rows.cc).
  Result<VenueUpsertCounts> UpsertVenuePapers(std::span<const core::VenuePaper> papers) override;
  Result<std::vector<VenueEditionCount>> VenueEditions() override;
  Result<std::vector<core::VenuePaper>> ListVenue(const std::string& edition,
                                                  const std::string& group) override;
  Result<std::vector<core::VenuePaper>> GetVenuePapers(std::span<const std::string> ids) override;
  // Links (pg_paper_links.cc): kept current by Upsert and UpsertVenuePapers.
  Result<std::vector<PaperLink>> LinksOf(std::span<const std::string> paper_ids) override;
  Result<std::vector<PaperLink>> ListLinks() override;
  Result<RelinkCounts> Relink() override;

  // The schema version of component "store" recorded in the database.
  Result<int> SchemaVersion();
  // Connections the pool opened so far (replacements of broken ones included).
  size_t ConnectionsOpened() const { return pool_.opened(); }

 private:
  using ClickKey = std::pair<std::string, std::string>;  // (paper id, kind)

  explicit PostgresStore(const std::string& url, size_t pool_size);
  void FlushLoop();
  // Writes the queued clicks in one transaction; on failure they go back to the queue.
  Status FlushClicks();
  // Calls `add` for every queued click (under the queue lock).
  template <class F>
  void ForQueuedClicks(F&& add);

  PgPool pool_;

  // Clicks: AddClick only takes queue_mu_. A flush holds flush_mu_ exclusively from taking the
  // queue to its commit; readers hold it shared while reading the table and the queue, so a
  // click is counted either in the table or in the queue, never in both or neither.
  std::mutex queue_mu_;
  std::map<ClickKey, int64_t> queued_clicks_;
  std::shared_mutex flush_mu_;
  std::condition_variable wake_;
  bool stopping_ = false;  // guarded by queue_mu_
  std::thread flusher_;    // started last, joined first
};

}  // namespace coolpapers::store::postgres
