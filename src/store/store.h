#pragma once
// Store: the source of truth for papers, their announcement memberships, click counters,
// FAQs, harvest checkpoints and day completeness. SqliteStore is the default implementation;
// a PostgreSQL one follows the same contract. Every write bumps a change sequence number so
// derived indexes (search, page caches) can catch up incrementally.
//
// Thread-safety: all methods may be called from any thread concurrently.

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "core/paper.h"
#include "core/status.h"
#include "core/venue.h"

namespace coolpapers::store {

using core::AnnounceType;
using core::Membership;
using core::Paper;

// One entry of a day's list: the paper and how it was announced in the listed categories.
struct ListEntry {
  Paper paper;
  AnnounceType type = AnnounceType::kNew;  // best type across the matched categories
  std::string category;                    // the matched category that gave `type`/`position`
  int position = 0;
};

struct DayCount {
  std::string day;  // "YYYY-MM-DD"
  int count = 0;    // papers listed that day (new + cross, each paper once)
};

// Expected vs. stored counts of a (category, day) announcement.
struct DayStatus {
  std::string category;
  std::string day;
  int expected = 0;  // papers the announcement listed
  int stored = 0;    // papers we have full metadata for
  bool complete() const { return stored >= expected; }
};

struct ClickCounts {
  int64_t pdf = 0, kimi = 0, copy = 0, rel = 0;
  int64_t total() const { return pdf + kimi + copy + rel; }
};

// A cached FAQ (generated once per paper version, language, model and prompt version).
struct FaqRecord {
  std::string paper_id;
  int version = 1;
  std::string lang;    // "zh" | "en"
  std::string model;
  int prompt_version = 1;
  std::string content_json;  // [{"q": "...", "a": "..."}...]: store/faq_content.h
  std::string source;        // "pdf" | "abstract"
  int64_t tokens = 0;
  std::string created;       // "YYYY-MM-DD HH:MM:SS" UTC
};

struct StoreStats {
  int64_t papers = 0;
  int64_t memberships = 0;
  int64_t days = 0;
  int64_t categories = 0;
  int64_t faqs = 0;
  int64_t change_seq = 0;
  std::string first_day, last_day;
};

// Listing counts of one category (papers announced as new or cross, each once).
struct CategoryStats {
  std::string category;
  int64_t papers = 0;
  std::string first_day, last_day;
};

struct UpsertCounts {
  int64_t inserted = 0;     // new papers
  int64_t updated = 0;      // existing papers whose stored fields changed
  int64_t unchanged = 0;
  int64_t memberships_added = 0;
};

// One edition of a venue ("ACL.2024") with its papers per group, groups in the order of their
// first paper.
struct VenueEditionCount {
  std::string edition;
  int64_t papers = 0;
  std::vector<std::pair<std::string, int64_t>> groups;
};

struct VenueUpsertCounts {
  int64_t inserted = 0;   // papers new to the store
  int64_t updated = 0;    // papers whose stored fields (paper or venue row) changed
  int64_t unchanged = 0;  // a re-import of the same file counts every paper here
  int64_t aliases_added = 0;
  int64_t linked = 0;     // papers of the call linked to their arXiv version (new or kept)
};

// A venue paper's link to its arXiv version. Made when the venue names the arXiv id
// (other_ids "arXiv:2402.12354"), else when both carry the same DOI, else when the title key
// (core/title_key.h: normalised title + first author's surname) matches exactly one arXiv
// paper; several arXiv candidates at the same step mean no link. Links are recomputed for the
// venue papers of each venue import, and for the venue papers sharing a key with each arXiv
// paper whose key changes, so the result does not depend on import order.
struct PaperLink {
  std::string venue_id;   // "2024.acl-long.3@ACL"
  std::string arxiv_id;   // "2402.12354"
  std::string method;     // "id" | "doi" | "title"
  // The arXiv paper's version stored when the link was made (or, when the link came before
  // the arXiv paper, when it was first stored); 0 while the arXiv paper is not stored. A
  // relink to the same arXiv paper keeps it.
  int arxiv_version = 0;
  std::string edition;    // the venue paper's edition ("ACL.2024") and group ("Long")
  std::string group;
};

struct RelinkCounts {
  int64_t venue_papers = 0;  // venue papers looked at
  int64_t linked = 0;        // of them, linked after the run
  int64_t added = 0, changed = 0, removed = 0;  // what the run changed
};

struct ListQuery {
  std::vector<std::string> include;  // categories (exact ids); a paper matches if listed in any
  std::vector<std::string> exclude;  // drop papers having any of these among their categories
  std::string day;                   // "YYYY-MM-DD"
  bool include_replacements = false;
};

// A bulk load into an empty store (Store::BeginBulkLoad): a run of Upserts with the same
// merge rule, counts and change sequence as calling Store::Upsert with each, written as ONE
// transaction that Commit() makes visible. Destroyed without a successful Commit(), nothing of
// it is kept (a crash mid-load loses the load, never data stored before). Other writes of the
// same Store wait until the load ends. Never use it from two threads at once; end it before
// the Store.
class BulkLoad {
 public:
  virtual ~BulkLoad() = default;
  virtual Result<UpsertCounts> Upsert(std::span<const Paper> papers,
                                      std::span<const Membership> memberships) = 0;
  virtual Status Commit() = 0;
};

class Store {
 public:
  virtual ~Store() = default;

  // Inserts or updates papers and adds memberships, atomically (all or nothing). A paper whose
  // id exists is updated in place (e.g. a new version); a membership already present is kept.
  virtual Result<UpsertCounts> Upsert(std::span<const Paper> papers,
                                      std::span<const Membership> memberships) = 0;
  // A bulk load when the store holds no papers and has a faster path for filling an empty
  // database; nullptr otherwise (then write with Upsert, one transaction per call).
  virtual Result<std::unique_ptr<BulkLoad>> BeginBulkLoad() {
    return std::unique_ptr<BulkLoad>();
  }

  // nullopt when the paper is not stored.
  virtual Result<std::optional<Paper>> GetPaper(const std::string& id) = 0;
  // The stored papers among `ids`, in the order of `ids`, each once.
  virtual Result<std::vector<Paper>> GetPapers(std::span<const std::string> ids) = 0;

  // A day's list for a category filter: new submissions first, then cross-lists (then
  // replacements if asked), each in arXiv's order, each paper once.
  virtual Result<std::vector<ListEntry>> ListDay(const ListQuery& q) = 0;
  // Announcement days (newest first) with counts, for papers listed in any of `categories`.
  virtual Result<std::vector<DayCount>> Days(std::span<const std::string> categories) = 0;
  // The newest day on which any of `categories` had a listing; nullopt if none.
  virtual Result<std::optional<std::string>> LatestDay(std::span<const std::string> categories) = 0;
  // All memberships of one paper.
  virtual Result<std::vector<Membership>> MembershipsOf(const std::string& paper_id) = 0;

  // Click counters. AddClick may return before the click is durable (a store may queue it, see
  // Flush) but never waits on a database lock; GetClicks sees it at once.
  virtual Status AddClick(const std::string& paper_id, const std::string& kind) = 0;
  virtual Result<std::map<std::string, ClickCounts>> GetClicks(
      std::span<const std::string> paper_ids) = 0;
  // Every paper with at least one click and its total over all kinds (ClickCounts::total()),
  // ordered by paper id: what derived indexes use to keep sort-by-stars current between
  // reindexes. Stores that cannot list clicks return Unavailable.
  virtual Result<std::vector<std::pair<std::string, int64_t>>> ClickTotals() {
    return Err(Status::Unavailable(
        "this store cannot list click totals; sort=stars uses the stars recorded when each "
        "paper was last indexed (`coolpapers index --rebuild` refreshes them)"));
  }

  // Day completeness, written by the harvester.
  virtual Status SetDayStatus(const DayStatus& s) = 0;
  virtual Result<std::optional<DayStatus>> GetDayStatus(const std::string& category,
                                                        const std::string& day) = 0;

  // Small durable key/value state (harvest checkpoints, index positions).
  virtual Result<std::optional<std::string>> GetState(const std::string& key) = 0;
  // May return before the value is durable (a store may queue it); GetState sees it at once.
  virtual Status SetState(const std::string& key, const std::string& value) = 0;
  // Waits until every write accepted so far (queued clicks and state included) is durable, and
  // returns the error of the last batch if it failed. Never call on an I/O thread.
  virtual Status Flush() { return Status::Ok(); }
  // Every state key starting with `prefix`, with its value, ordered by key (e.g. the FAQ queue's
  // one record per job). Stores that cannot list keys return Unavailable.
  virtual Result<std::vector<std::pair<std::string, std::string>>> ListState(
      const std::string& prefix) {
    (void)prefix;
    return Err(Status::Unavailable("this store cannot list state keys"));
  }
  // Removes a state key (absent is fine). The default blanks it; GetState then returns "".
  virtual Status DeleteState(const std::string& key) { return SetState(key, ""); }

  // FAQs.
  virtual Result<std::optional<FaqRecord>> GetFaq(const std::string& paper_id, int version,
                                                  const std::string& lang,
                                                  const std::string& model,
                                                  int prompt_version) = 0;
  // Stores (or replaces) a FAQ. A changed FAQ bumps the change sequence and its paper's row
  // sequence, so derived indexes re-read the paper (FAQ text is searchable).
  virtual Status PutFaq(const FaqRecord& faq) = 0;
  // The searchable text of the FAQs of `paper_ids`: for each listed paper with at least one
  // FAQ, the questions and answers of its FAQs (every language; per language only the newest
  // record by `created`), one per line. A FAQ whose content_json store/faq_content.h does not
  // accept contributes nothing; that is never an error. Papers
  // without FAQ text are absent from the map. Stores that cannot do this return an empty map.
  virtual Result<std::unordered_map<std::string, std::string>> FaqTexts(
      const std::vector<std::string>& paper_ids) {
    (void)paper_ids;
    return std::unordered_map<std::string, std::string>();
  }

  // Change feed for derived indexes: the current sequence number, and papers whose row changed
  // after `after_seq` (ascending by sequence), at most `limit`, with the sequence of each.
  virtual Result<int64_t> ChangeSeq() = 0;
  virtual Result<std::vector<std::pair<int64_t, Paper>>> ChangedSince(int64_t after_seq,
                                                                     int limit) = 0;

  virtual Result<StoreStats> Stats() = 0;

  // Venue papers (conference proceedings). Each is also a paper row (id "<local>@<Source>", no
  // categories), so FAQs, clicks, search and the change feed treat it like any paper; its
  // edition, group, position, PDF and page live beside it, and its other ids (`other_ids`) are
  // aliases that GetVenuePapers resolves. Writing the same papers again changes nothing.
  // Stores without venues return Unavailable.
  virtual Result<VenueUpsertCounts> UpsertVenuePapers(std::span<const core::VenuePaper> papers) {
    (void)papers;
    return Err(Status::Unavailable("this store does not keep venue papers"));
  }
  // Every edition with its counts, by conference then newest year first.
  virtual Result<std::vector<VenueEditionCount>> VenueEditions() {
    return Err(Status::Unavailable("this store does not keep venue papers"));
  }
  // The papers of one edition in the venue's order; `group` "" means every group.
  virtual Result<std::vector<core::VenuePaper>> ListVenue(const std::string& edition,
                                                          const std::string& group) {
    (void)edition, (void)group;
    return Err(Status::Unavailable("this store does not keep venue papers"));
  }
  // The stored venue papers among `ids` (each an id or an alias), in the order of `ids`, each
  // paper once.
  virtual Result<std::vector<core::VenuePaper>> GetVenuePapers(
      std::span<const std::string> ids) {
    (void)ids;
    return Err(Status::Unavailable("this store does not keep venue papers"));
  }

  // Links between venue papers and arXiv papers (see PaperLink). LinksOf takes ids of either
  // side and returns the links of any of them, each once, by venue id; ListLinks returns every link by venue id. Relink
  // recomputes every title key and link (a database written before links existed, or a
  // check); a second run changes nothing.
  virtual Result<std::vector<PaperLink>> LinksOf(std::span<const std::string> paper_ids) {
    (void)paper_ids;
    return std::vector<PaperLink>();
  }
  virtual Result<std::vector<PaperLink>> ListLinks() { return std::vector<PaperLink>(); }
  virtual Result<RelinkCounts> Relink() {
    return Err(Status::Unavailable("this store does not link venue papers to arXiv"));
  }

  // FAQ reuse across a link (contract): a FAQ of one side serves the other when the versions
  // match. A venue paper (FAQs at version 1) is served the arXiv paper's FAQ of the version
  // stored when the link was made (PaperLink::arxiv_version, when not 0); an arXiv paper at
  // `version` is served a linked venue paper's FAQ (version 1) when that link's arxiv_version
  // equals `version`. Returns the (paper id, version) pairs to look up, in order (by venue id),
  // for a FAQ missing under (`paper_id`, `version`); empty when there is none.
  Result<std::vector<std::pair<std::string, int>>> FaqStandIns(const std::string& paper_id,
                                                               int version);

  // Per-category counts and day ranges, most papers first (for `coolpapers stats`).
  virtual Result<std::vector<CategoryStats>> CategoryCounts() {
    return Err(Status::Unavailable("per-category counts are not supported by this store"));
  }

  // ---- Export: everything the store holds, read in pages (`coolpapers migrate`). ----
  // Each call returns the rows whose key comes after `after` ("" for the first page), in key
  // order, at most `limit` keys (`limit` >= 1); a page with fewer than `limit` keys is the last.
  // Rows written meanwhile may or may not be seen, and writes not yet durable (see Flush) may
  // be missing: Flush first. Stores that cannot export return Unavailable.
  struct PaperPage {
    std::vector<Paper> papers;
    std::vector<Membership> memberships;
  };
  // Papers that are not venue papers, by id; and the memberships whose paper id is in
  // (`after`, last paper id of the page], or above `after` on the last page (so memberships of
  // papers not stored are exported too), by paper id.
  virtual Result<PaperPage> ExportPapers(const std::string& after, int limit) {
    (void)after, (void)limit;
    return Err(Status::Unavailable("this store cannot export its papers"));
  }
  // Venue papers with their other ids (as GetVenuePapers returns them), by id.
  virtual Result<std::vector<core::VenuePaper>> ExportVenuePapers(const std::string& after,
                                                                  int limit) {
    (void)after, (void)limit;
    return Err(Status::Unavailable("this store cannot export its venue papers"));
  }
  // Every day status of the first `limit` categories after `after`, by category then day.
  virtual Result<std::vector<DayStatus>> ExportDayStatuses(const std::string& after, int limit) {
    (void)after, (void)limit;
    return Err(Status::Unavailable("this store cannot export its day statuses"));
  }
  // State keys with their values, by key; keys that are the store's own bookkeeping (not
  // written through SetState) are left out.
  virtual Result<std::vector<std::pair<std::string, std::string>>> ExportState(
      const std::string& after, int limit) {
    (void)after, (void)limit;
    return Err(Status::Unavailable("this store cannot export its state"));
  }
  // Every FAQ of the first `limit` paper ids (having FAQs) after `after`, by paper id, version,
  // language, model, prompt version.
  virtual Result<std::vector<FaqRecord>> ExportFaqs(const std::string& after, int limit) {
    (void)after, (void)limit;
    return Err(Status::Unavailable("this store cannot export its FAQs"));
  }
  // Click counts per kind of the papers with clicks, by paper id.
  virtual Result<std::vector<std::pair<std::string, ClickCounts>>> ExportClicks(
      const std::string& after, int limit) {
    (void)after, (void)limit;
    return Err(Status::Unavailable("this store cannot export its clicks"));
  }
  // Adds `n` (>= 0) clicks of `kind` at once (what AddClick does n times).
  virtual Status AddClicks(const std::string& paper_id, const std::string& kind, int64_t n) {
    if (n < 0) return Status::InvalidArgument("negative click count for " + paper_id);
    for (int64_t i = 0; i < n; ++i) {
      if (Status st = AddClick(paper_id, kind); !st.ok()) return st;
    }
    return Status::Ok();
  }
};

// Opens the store named by a URL: "sqlite:PATH" (creating the file and running migrations) or
// "postgresql://..." when built with PostgreSQL support.
Result<std::unique_ptr<Store>> OpenStore(const std::string& url);

}  // namespace coolpapers::store
