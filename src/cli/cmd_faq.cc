// `coolpapers faq ARXIV_ID [--lang zh|en] [--db URL] [--base-url URL]`: prints the paper's FAQ
// as Markdown, streaming while it is generated. A stored FAQ is printed at once (no upstream
// call). A paper missing from the database is looked up through the arXiv API first.

#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>
#include <spdlog/spdlog.h>

#include "cli/commands.h"
#include "core/arxiv_id.h"
#include "sources/arxiv/api.h"
#include "net/polite_fetcher.h"
#include "llm/chat_client.h"
#include "llm/faq_prompt.h"
#include "llm/faq_service.h"
#include "llm/llm_config.h"
#include "store/store.h"

namespace coolpapers::cli {
namespace {

struct FaqArgs {
  std::string id;
  std::string lang = "zh";
  std::string db = kDefaultDb;
  std::string base_url;
};

int Fail(const std::string& message) {
  std::fprintf(stderr, "coolpapers faq: %s\n", message.c_str());
  return 1;
}

// Makes sure the paper is stored, asking the arXiv API when it is not.
Status EnsurePaper(store::Store& store, net::Fetcher& fetcher,
                   const sources::arxiv::ArxivEndpoints& endpoints, const std::string& id) {
  auto have = store.GetPaper(id);
  if (!have) return have.error();
  if (*have) return Status::Ok();
  std::fprintf(stderr, "paper %s is not in the database; looking it up on arXiv...\n", id.c_str());
  std::vector<std::string> ids{id};
  net::FetchRequest req;
  req.url = sources::arxiv::ApiIdListUrl(endpoints, ids);
  req.priority = net::FetchPriority::kReader;
  req.what = "arXiv API " + id;
  auto resp = fetcher.Fetch(req);
  if (!resp) {
    return Status(resp.error().code(),
                  "paper " + id + " is not in the database and the arXiv API lookup failed (" +
                      resp.error().message() +
                      "): run `coolpapers harvest arxiv` or `coolpapers import` first");
  }
  auto feed = sources::arxiv::ParseArxivApi(resp->body, req.url);
  if (!feed) return feed.error();
  std::vector<core::Paper> found;
  for (const core::Paper& p : feed->papers) {
    if (p.id == id) found.push_back(p);
  }
  if (found.empty()) return Status::NotFound("arXiv has no paper " + id);
  auto up = store.Upsert(found, {});
  return up ? Status::Ok() : up.error();
}

void PrintEvents(const std::vector<llm::FaqEvent>& events, bool tty) {
  for (const llm::FaqEvent& e : events) {
    switch (e.kind) {
      case llm::FaqEvent::Kind::kProgress:
        if (tty) std::fprintf(stderr, "\r%s   ", e.text.c_str());
        break;
      case llm::FaqEvent::Kind::kQuestion:
        if (tty) std::fprintf(stderr, "\r%20s\r", "");
        std::printf("%s## %d. %s\n\n", e.index > 0 ? "\n\n" : "", e.index + 1, e.text.c_str());
        break;
      case llm::FaqEvent::Kind::kDelta:
        std::fwrite(e.text.data(), 1, e.text.size(), stdout);
        break;
      default:
        break;
    }
  }
  std::fflush(stdout);
}

int RunFaq(const FaqArgs& args) {
  auto id = core::ArxivId::Parse(args.id);
  if (!id) return Fail("not an arXiv id: \"" + args.id + "\" (" + id.error().message() + ")");
  if (!llm::IsFaqLang(args.lang)) return Fail("unknown --lang \"" + args.lang + "\": use zh or en");
  auto store = store::OpenStore(args.db);
  if (!store) return Fail("cannot open " + args.db + ": " + store.error().message());

  sources::arxiv::ArxivEndpoints endpoints;
  endpoints.base_url = args.base_url;
  if (endpoints.base_url.empty()) {
    if (const char* env = std::getenv("COOLPAPERS_ARXIV_BASE_URL")) endpoints.base_url = env;
  }
  net::PoliteFetcherOptions fopts;
  fopts.contact = net::ContactFromEnv();
  net::PoliteFetcher fetcher(fopts);
  if (Status s = EnsurePaper(**store, fetcher, endpoints, id->base()); !s.ok()) {
    return Fail(s.message());
  }

  llm::FaqServiceOptions opts;
  opts.llm = llm::LlmConfigFromEnv();
  opts.llm.concurrency = 1;
  opts.llm.rate_per_hour = 0;
  opts.arxiv = endpoints;
  opts.persist_queue = false;
  std::unique_ptr<llm::ChatClient> chat;
  if (opts.llm.has_key()) chat = llm::MakeHttpChatClient(opts.llm);
  llm::FaqService service(opts, **store, &fetcher, std::move(chat));
  if (Status s = service.Start(); !s.ok()) return Fail(s.message());

  llm::FaqRequest req;
  req.paper_id = id->base();
  req.version = id->version();
  req.lang = args.lang;
  if (auto started = service.Request(req); !started) return Fail(started.error().message());
  auto sub = service.Subscribe(req);  // joins the job started (or the FAQ found) above
  if (!sub) return Fail(sub.error().message());
  bool tty = isatty(fileno(stderr)) != 0;
  std::vector<llm::FaqEvent> events;
  llm::FaqEvent last;
  while ((*sub)->Next(events, std::chrono::seconds(1))) {
    PrintEvents(events, tty);
    if (!events.empty()) last = events.back();
    events.clear();
  }
  if (last.kind == llm::FaqEvent::Kind::kError) {
    std::printf("\n");
    return Fail("FAQ generation failed: " + last.text);
  }
  llm::FaqView view = (*sub)->View();
  std::printf("\n");
  if (view.source == "abstract") {
    std::fprintf(stderr, "(generated from the title and abstract only: no PDF was available)\n");
  }
  return 0;
}

}  // namespace

Command AddFaq(CLI::App& root) {
  auto args = std::make_shared<FaqArgs>();
  Command c;
  c.app = root.add_subcommand("faq", "Print a paper's FAQ (generated once by the LLM, then cached)");
  c.app->add_option("id", args->id, "arXiv id, e.g. 2402.12354")->required();
  c.app->add_option("--lang", args->lang, "FAQ language: zh or en")->capture_default_str();
  c.app->add_option("--db", args->db, "database URL (sqlite:PATH or postgresql://...)")
      ->capture_default_str();
  c.app->add_option("--base-url", args->base_url,
                    "arXiv base URL (default: env COOLPAPERS_ARXIV_BASE_URL, else arXiv itself)");
  c.run = [args] { return RunFaq(*args); };
  return c;
}

}  // namespace coolpapers::cli
