#include "search/index_generations.h"

#include <filesystem>

#include <spdlog/spdlog.h>

#include "search/file_util.h"

namespace coolpapers::search {

std::string IndexGeneration::IdOf(Xapian::docid docid) {
  std::shared_lock lock(ids_mu);
  return docid < docid_ids.size() ? docid_ids[docid] : std::string();
}

void IndexGeneration::SetId(Xapian::docid docid, const std::string& id) {
  std::unique_lock lock(ids_mu);
  if (docid >= docid_ids.size()) docid_ids.resize(docid + 1);
  docid_ids[docid] = id;
}

std::shared_ptr<const StarOverrides> IndexGeneration::Stars() {
  std::lock_guard lock(stars_mu);
  return stars;
}

void IndexGeneration::SetStars(std::shared_ptr<const StarOverrides> fresh) {
  std::lock_guard lock(stars_mu);
  stars = std::move(fresh);
}

std::shared_ptr<const ImpactHeads> IndexGeneration::Heads() {
  std::lock_guard lock(heads_mu);
  return heads;
}

void IndexGeneration::SetHeads(std::shared_ptr<const ImpactHeads> fresh) {
  std::lock_guard lock(heads_mu);
  heads = std::move(fresh);
}

namespace {

// The generation's embedder and vectors: the corpus model stored with it (word vectors, or
// LSA), or the configured external embedder when its id matches; none (with a warning)
// otherwise.
void LoadSemantic(IndexGeneration& gen, const GenerationOptions& opts) {
  const std::string& path = gen.path;
  if (std::filesystem::exists(IndexLayout::WordVectorsPath(path))) {
    auto wv = SifEmbedder::Load(IndexLayout::WordVectorsPath(path));
    if (wv) {
      gen.word_vectors = std::move(*wv);
      gen.embedder = gen.word_vectors.get();
    } else {
      spdlog::warn("search: {}", wv.error().message());
    }
  } else if (std::filesystem::exists(IndexLayout::LsaPath(path))) {
    auto lsa = LsaEmbedder::Load(IndexLayout::LsaPath(path));
    if (lsa) {
      gen.lsa = std::move(*lsa);
      gen.embedder = gen.lsa.get();
      spdlog::info("search: index {} uses the older LSA model; `coolpapers index --rebuild` "
                   "trains the word-vector model, which ranks semantic search better",
                   path);
    } else {
      spdlog::warn("search: {}", lsa.error().message());
    }
  } else if (opts.external_embedder && opts.external_embedder->id() == gen.meta.embedder_id) {
    gen.embedder = opts.external_embedder;
  } else {
    spdlog::warn("search: index {} was built with embedder {}, which is not configured; "
                 "semantic search is off until `coolpapers index --rebuild`",
                 path, gen.meta.embedder_id);
  }
  if (gen.embedder && gen.embedder->id() == gen.meta.embedder_id) {
    auto vectors = VectorIndex::Load(IndexLayout::VectorsPath(path), gen.embedder->dim());
    if (vectors) {
      gen.vectors = std::move(*vectors);
    } else {
      spdlog::warn("search: {}", vectors.error().message());
      gen.embedder = nullptr;
    }
  } else {
    gen.embedder = nullptr;
  }
}

// The docid -> id map, from the unique id terms.
Status LoadDocids(IndexGeneration& gen, KeywordIndexSearcher& searcher) {
  try {
    Xapian::Database& db = searcher.db();
    gen.docid_ids.resize(db.get_lastdocid() + 1);
    for (auto t = db.allterms_begin(kPrefixId); t != db.allterms_end(kPrefixId); ++t) {
      const std::string term = *t;
      for (auto p = db.postlist_begin(term); p != db.postlist_end(term); ++p) {
        if (*p < gen.docid_ids.size()) gen.docid_ids[*p] = term.substr(1);
      }
    }
  } catch (const Xapian::Error& e) {
    return Status::Corruption("reading search index " + gen.path + ": " + e.get_description());
  }
  return Status::Ok();
}

}  // namespace

Result<std::shared_ptr<IndexGeneration>> LoadGeneration(const std::string& path,
                                                        const GenerationOptions& opts) {
  auto gen = std::make_shared<IndexGeneration>();
  gen->path = path;
  gen->keyword_options = opts.keyword;
  auto meta_text = ReadFile(IndexLayout::MetaPath(path));
  if (!meta_text) return Err(meta_text.error());
  auto meta = MetaFromJson(*meta_text);
  if (!meta) return Err(meta.error());
  if (Status s = CheckFormat(*meta, path); !s.ok()) return Err(s);
  gen->meta = *meta;
  auto stats = TermStats::Load(IndexLayout::TermsPath(path));
  if (stats) gen->stats = std::move(*stats);
  if (!gen->meta.embedder_id.empty()) LoadSemantic(*gen, opts);
  auto searcher = KeywordIndexSearcher::Open(IndexLayout::XapianPath(path), opts.keyword);
  if (!searcher) return Err(searcher.error());
  if (Status s = LoadDocids(*gen, **searcher); !s.ok()) return Err(s);
  if (!(*searcher)->has_doc_store()) {
    spdlog::info("search: index {} has no docs.bin (built by an earlier version): result pages "
                 "read their papers from the keyword index; `coolpapers index --rebuild` makes "
                 "them faster", path);
  }
  gen->pool.emplace_back(0, std::move(*searcher));
  return gen;
}

Result<SearcherLease> SearcherLease::Acquire(std::shared_ptr<IndexGeneration> gen) {
  SearcherLease l;
  l.gen_ = std::move(gen);
  const uint64_t epoch = l.gen_->epoch.load();
  {
    std::lock_guard lock(l.gen_->pool_mu);
    if (!l.gen_->pool.empty()) {
      auto [e, s] = std::move(l.gen_->pool.back());
      l.gen_->pool.pop_back();
      l.searcher_ = std::move(s);
      if (e != epoch) (void)l.searcher_->Reopen();
    }
  }
  if (!l.searcher_) {
    auto s = KeywordIndexSearcher::Open(IndexLayout::XapianPath(l.gen_->path),
                                        l.gen_->keyword_options);
    if (!s) return Err(s.error());
    l.searcher_ = std::move(*s);
  }
  l.epoch_ = epoch;
  return l;
}

SearcherLease::~SearcherLease() {
  if (gen_ && searcher_) {
    std::lock_guard lock(gen_->pool_mu);
    gen_->pool.emplace_back(epoch_, std::move(searcher_));
  }
}

LiveGeneration::LiveGeneration(std::string index_dir, GenerationOptions opts,
                               std::shared_ptr<IndexGeneration> current)
    : index_dir_(std::move(index_dir)), opts_(std::move(opts)), current_(std::move(current)) {}

Result<std::unique_ptr<LiveGeneration>> LiveGeneration::Open(const std::string& index_dir,
                                                              const GenerationOptions& opts) {
  IndexLayout layout(index_dir);
  auto path = layout.CurrentGeneration();
  if (!path) return Err(path.error());
  auto gen = LoadGeneration(*path, opts);
  if (!gen) return Err(gen.error());
  return std::make_unique<LiveGeneration>(index_dir, opts, std::move(*gen));
}

std::shared_ptr<IndexGeneration> LiveGeneration::Current() {
  std::lock_guard lock(mu_);
  return current_;
}

Result<bool> LiveGeneration::ReloadIfChanged() {
  IndexLayout layout(index_dir_);
  auto path = layout.CurrentGeneration();
  if (!path) return Err(path.error());
  if (*path == Current()->path) return false;
  auto gen = LoadGeneration(*path, opts_);
  if (!gen) return Err(gen.error());
  {
    std::lock_guard lock(mu_);
    current_ = std::move(*gen);
  }
  spdlog::info("search: switched to index generation {}", *path);
  return true;
}

}  // namespace coolpapers::search
