#pragma once
// Services: what the web layer reads from and enqueues into. Built by `coolpapers serve`
// and handed to every module's route registration; absent services are nullptr and the
// routes that need them answer 503 with a hint.

#include <cstddef>
#include <string>

namespace coolpapers::store { class Store; }
namespace coolpapers::search { class SearchService; }
namespace coolpapers::llm { class FaqService; class TranslationService; }

namespace coolpapers::web {

class PageCache;
class Metrics;
class ClickDedup;
class PaperFetchQueue;

struct ServerConfig {
  std::string listen = "127.0.0.1:8080";
  std::string static_dir = "static";   // static/ (app.js, style.css)
  std::string vendor_dir = "node_modules";  // npm packages (KaTeX, PDF.js) installed at build time
  size_t static_cache_bytes = size_t{48} << 20;  // static files in memory (static/, KaTeX, PDF.js)
  std::string admin_token;             // COOLPAPERS_ADMIN_TOKEN; "" disables admin actions
  std::string site_name = "coolpapers";
  std::string public_url = "http://127.0.0.1:8080";  // for feeds and canonical links
  int threads = 0;                     // 0: one per core
};

struct Services {
  store::Store* store = nullptr;
  search::SearchService* search = nullptr;
  llm::FaqService* faq = nullptr;
  llm::TranslationService* translate = nullptr;  // nullptr: translation turned off
  PaperFetchQueue* paper_fetch_queue = nullptr;  // web/paper_fetch_queue.h; nullptr: no fetching
  PageCache* page_cache = nullptr;
  Metrics* metrics = nullptr;  // web/metrics.h; modules register their own metrics here
  ClickDedup* click_dedup = nullptr;  // web/click_dedup.h; nullptr: every click counts
  ServerConfig config;
};

}  // namespace coolpapers::web
