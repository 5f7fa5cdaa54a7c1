// SqliteStore's export (`coolpapers migrate`): every table read in pages of keys, each page in
// one read transaction. Venue papers are exported by venue_rows.cc, which knows their rows.

#include <algorithm>

#include "core/text.h"
#include "store/sqlite/sqlite_store.h"

namespace coolpapers::store::sqlite {
namespace {

// The paper columns, in the order ReadPaper below reads them.
constexpr const char* kExportPaperColumns =
    "p.id, p.version, p.title, p.abstract, p.authors, p.categories, p.comments, p.journal_ref, "
    "p.doi, p.published, p.updated";

Paper ReadExportedPaper(const Stmt& s) {
  Paper p;
  p.id = s.Text(0);
  p.version = static_cast<int>(s.Int(1));
  p.title = s.Text(2);
  p.abstract = s.Text(3);
  p.authors = core::Split(s.TextView(4), '\n');
  p.categories = core::Split(s.TextView(5), ' ');
  p.comments = s.Text(6);
  p.journal_ref = s.Text(7);
  p.doi = s.Text(8);
  p.published = s.Text(9);
  p.updated = s.Text(10);
  return p;
}

Status CheckLimit(int limit) {
  if (limit >= 1) return Status::Ok();
  return Status::InvalidArgument("export page size " + std::to_string(limit) +
                                 " must be at least 1");
}

// "<column> > ?1 AND <column> <= (the `limit`-th distinct <column> after ?1)": the rows of the
// first ?2 keys after ?1 of `table`.
std::string FirstKeys(const std::string& table, const std::string& column) {
  return column + " > ?1 AND " + column + " <= (SELECT MAX(k) FROM (SELECT DISTINCT " + column +
         " AS k FROM " + table + " WHERE " + column + " > ?1 ORDER BY " + column + " LIMIT ?2))";
}

// Appends the memberships whose paper id is in (after, last] (last "" means no upper bound).
Status ReadMemberships(Connection& c, const std::string& after, const std::string& last,
                       std::vector<Membership>& out) {
  Result<Stmt> s = c.Prepare(
      "SELECT paper_id, category, day, type, position FROM memberships "
      "WHERE paper_id > ?1 AND (?2 = '' OR paper_id <= ?2) ORDER BY paper_id, day, category");
  if (!s) return s.error();
  s->Bind(1, after, true);
  s->Bind(2, last, true);
  int rc;
  while ((rc = s->Step()) == SQLITE_ROW) {
    Membership m;
    m.paper_id = s->Text(0);
    m.category = s->Text(1);
    m.day = s->Text(2);
    m.type = static_cast<AnnounceType>(std::clamp<int64_t>(s->Int(3), 0, 3));
    m.position = static_cast<int>(s->Int(4));
    out.push_back(std::move(m));
  }
  if (rc != SQLITE_DONE) return c.Error("exporting memberships after '" + after + "'");
  return Status::Ok();
}

}  // namespace

Result<Store::PaperPage> SqliteStore::ExportPapers(const std::string& after, int limit) {
  if (Status st = CheckLimit(limit); !st.ok()) return Err(st);
  Result<ReaderLease> r = Reader();
  if (!r) return Err(r.error());
  Connection& c = **r;
  Result<Transaction> txn = Transaction::Begin(c, /*immediate=*/false);  // one snapshot
  if (!txn) return Err(txn.error());
  PaperPage page;
  {
    Result<Stmt> s = c.Prepare(
        std::string("SELECT ") + kExportPaperColumns +
        " FROM papers p WHERE p.id > ?1 AND NOT EXISTS "
        "(SELECT 1 FROM venue_papers v WHERE v.paper_id = p.id) ORDER BY p.id LIMIT ?2");
    if (!s) return Err(s.error());
    s->Bind(1, after, true);
    s->Bind(2, static_cast<int64_t>(limit));
    int rc;
    while ((rc = s->Step()) == SQLITE_ROW) page.papers.push_back(ReadExportedPaper(*s));
    if (rc != SQLITE_DONE) return Err(c.Error("exporting papers after '" + after + "'"));
  }
  // A full page bounds the memberships by its last paper; the last page takes all that remain.
  const bool last_page = page.papers.size() < static_cast<size_t>(limit);
  std::string upto = last_page ? std::string() : page.papers.back().id;
  if (Status st = ReadMemberships(c, after, upto, page.memberships); !st.ok()) return Err(st);
  (void)txn->Commit();
  return page;
}

Result<std::vector<DayStatus>> SqliteStore::ExportDayStatuses(const std::string& after,
                                                              int limit) {
  if (Status st = CheckLimit(limit); !st.ok()) return Err(st);
  Result<ReaderLease> r = Reader();
  if (!r) return Err(r.error());
  Result<Stmt> s = (*r)->Prepare("SELECT category, day, expected, stored FROM day_status WHERE " +
                                 FirstKeys("day_status", "category") + " ORDER BY category, day");
  if (!s) return Err(s.error());
  s->Bind(1, after, true);
  s->Bind(2, static_cast<int64_t>(limit));
  std::vector<DayStatus> out;
  int rc;
  while ((rc = s->Step()) == SQLITE_ROW) {
    out.push_back(DayStatus{s->Text(0), s->Text(1), static_cast<int>(s->Int(2)),
                            static_cast<int>(s->Int(3))});
  }
  if (rc != SQLITE_DONE) return Err((*r)->Error("exporting day statuses after '" + after + "'"));
  return out;
}

Result<std::vector<std::pair<std::string, std::string>>> SqliteStore::ExportState(
    const std::string& after, int limit) {
  if (Status st = CheckLimit(limit); !st.ok()) return Err(st);
  Result<ReaderLease> r = Reader();
  if (!r) return Err(r.error());
  Result<Stmt> s = (*r)->Prepare(
      "SELECT key, value FROM state WHERE key > ?1 AND key <> ?3 ORDER BY key LIMIT ?2");
  if (!s) return Err(s.error());
  s->Bind(1, after, true);
  s->Bind(2, static_cast<int64_t>(limit));
  s->Bind(3, std::string_view(BatchedWriter::kBatchMarkerKey), true);
  std::vector<std::pair<std::string, std::string>> out;
  int rc;
  while ((rc = s->Step()) == SQLITE_ROW) out.emplace_back(s->Text(0), s->Text(1));
  if (rc != SQLITE_DONE) return Err((*r)->Error("exporting state after '" + after + "'"));
  return out;
}

Result<std::vector<FaqRecord>> SqliteStore::ExportFaqs(const std::string& after, int limit) {
  if (Status st = CheckLimit(limit); !st.ok()) return Err(st);
  Result<ReaderLease> r = Reader();
  if (!r) return Err(r.error());
  Result<Stmt> s = (*r)->Prepare(
      "SELECT paper_id, version, lang, model, prompt_version, content_json, source, tokens, "
      "created FROM faqs WHERE " +
      FirstKeys("faqs", "paper_id") + " ORDER BY paper_id, version, lang, model, prompt_version");
  if (!s) return Err(s.error());
  s->Bind(1, after, true);
  s->Bind(2, static_cast<int64_t>(limit));
  std::vector<FaqRecord> out;
  int rc;
  while ((rc = s->Step()) == SQLITE_ROW) {
    FaqRecord f;
    f.paper_id = s->Text(0);
    f.version = static_cast<int>(s->Int(1));
    f.lang = s->Text(2);
    f.model = s->Text(3);
    f.prompt_version = static_cast<int>(s->Int(4));
    f.content_json = s->Text(5);
    f.source = s->Text(6);
    f.tokens = s->Int(7);
    f.created = s->Text(8);
    out.push_back(std::move(f));
  }
  if (rc != SQLITE_DONE) return Err((*r)->Error("exporting FAQs after '" + after + "'"));
  return out;
}

Result<std::vector<std::pair<std::string, ClickCounts>>> SqliteStore::ExportClicks(
    const std::string& after, int limit) {
  if (Status st = CheckLimit(limit); !st.ok()) return Err(st);
  Result<ReaderLease> r = Reader();
  if (!r) return Err(r.error());
  Result<Stmt> s = (*r)->Prepare("SELECT paper_id, kind, n FROM clicks WHERE " +
                                 FirstKeys("clicks", "paper_id") + " ORDER BY paper_id, kind");
  if (!s) return Err(s.error());
  s->Bind(1, after, true);
  s->Bind(2, static_cast<int64_t>(limit));
  std::vector<std::pair<std::string, ClickCounts>> out;
  int rc;
  while ((rc = s->Step()) == SQLITE_ROW) {
    std::string_view id = s->TextView(0);
    if (out.empty() || out.back().first != id) out.emplace_back(std::string(id), ClickCounts{});
    ClickCounts& cc = out.back().second;
    std::string_view kind = s->TextView(1);
    int64_t n = s->Int(2);
    if (kind == "pdf") cc.pdf += n;
    if (kind == "kimi") cc.kimi += n;
    if (kind == "copy") cc.copy += n;
    if (kind == "rel") cc.rel += n;
  }
  if (rc != SQLITE_DONE) return Err((*r)->Error("exporting clicks after '" + after + "'"));
  return out;
}

Status SqliteStore::AddClicks(const std::string& paper_id, const std::string& kind, int64_t n) {
  if (n < 0) {
    return Status::InvalidArgument("click count " + std::to_string(n) + " for " + paper_id +
                                   " (" + kind + ") is negative; counts are 0 or more");
  }
  if (kind != "pdf" && kind != "kimi" && kind != "copy" && kind != "rel") {
    return Status::InvalidArgument("unknown click kind '" + kind + "'; use pdf, kimi, copy or rel");
  }
  if (paper_id.empty()) return Status::InvalidArgument("click without a paper id");
  if (n == 0) return Status::Ok();
  return writer_->AddClick(paper_id, kind, n);
}

}  // namespace coolpapers::store::sqlite
