#include "web/templates.h"

#include <cassert>
#include <cstdio>
#include <utility>

#include <spdlog/spdlog.h>

#include "core/text.h"

namespace coolpapers::web {
namespace {

namespace mu = kainjow::mustache;

constexpr std::string_view kBodySlot = "{{{body_html}}}";
constexpr std::string_view kPartialsDir = "partials/";

// The page templates the code renders by name: a build without one of them does not start.
constexpr std::string_view kRequired[] = {
    "page",           "paper_panel",         "list_page",        "list_section",
    "list_day",
    "paper_page",     "paper_list",          "home_page",        "venues_empty",
    "error_page",     "no_listing",          "missing_paper",    "fetching_paper",
    "redirect",       "search_form_page",    "search_results",   "related_page",
    "citation_meta",  "refresh_meta",        "partials/show_more",
};

bool IsHtmlName(std::string_view key) { return core::EndsWith(key, "_html"); }

std::string FileOf(std::string_view name) {
  return "templates/" + std::string(name) + ".mustache";
}

// Checks the tags of `text` against the rules of templates.h; "" when they hold.
std::string CheckTags(std::string_view text, const std::map<std::string, bool, std::less<>>& names) {
  for (size_t open = text.find("{{"); open != std::string_view::npos;
       open = text.find("{{", open + 2)) {
    const bool triple = text.substr(open, 3) == "{{{";
    const size_t close = text.find(triple ? "}}}" : "}}", open);
    if (close == std::string_view::npos) return "an unclosed tag";
    std::string_view tag = core::Trim(text.substr(open + (triple ? 3 : 2),
                                                  close - open - (triple ? 3 : 2)));
    const char sigil = tag.empty() ? ' ' : tag.front();
    if (sigil == '!') {
      open = close;
      continue;
    }
    if (sigil == '=') return "a delimiter change ({{=...=}}), which the checks cannot follow";
    const std::string_view name = core::Trim(
        std::string_view("&#^/>").find(sigil) != std::string_view::npos ? tag.substr(1) : tag);
    if ((triple || sigil == '&') && !IsHtmlName(name)) {
      return "{{{" + std::string(name) + "}}} inserts a value unescaped; only Html values, " +
             "named *_html, may be (use {{" + std::string(name) + "}} to escape it)";
    }
    if (!triple && sigil != '#' && sigil != '^' && sigil != '/' && sigil != '>' &&
        IsHtmlName(name)) {
      return "{{" + std::string(name) + "}} would escape an Html value twice; use {{{" +
             std::string(name) + "}}}";
    }
    if (sigil == '>' && !names.count(std::string(kPartialsDir) + std::string(name))) {
      return "{{> " + std::string(name) + "}} names no partial (templates/partials/" +
             std::string(name) + ".mustache)";
    }
    open = close;
  }
  return "";
}

// The text of a partial as inserted: without its final newline, so that "{{> name}}\n" in a
// template gives the partial's lines and one newline.
std::string PartialText(std::string_view text) {
  if (!text.empty() && text.back() == '\n') text.remove_suffix(1);
  return std::string(text);
}

// Appends the rendered text straight to a std::string (the stream type kainjow renders into).
struct Appender {
  std::string* out;
  Appender& operator<<(const std::string& s) {
    out->append(s);
    return *this;
  }
};

std::string EscapeForTemplate(const std::string& s) { return core::HtmlEscape(s); }

// The view's values, with {{> name}} looked up among the partials only (a view value of the
// same name does not hide a partial).
class RenderContext : public mu::context<std::string> {
 public:
  RenderContext(const mu::data* view, const mu::data* partials)
      : mu::context<std::string>(view), partials_(partials) {}
  const mu::data* get_partial(const std::string& name) const override {
    return partials_->get(name);
  }

 private:
  const mu::data* partials_;
};

}  // namespace

// ---------------------------------------------------------------------------------------------
// View

View::View() : data_(mu::data::type::object) {}

void View::Put(std::string_view key, mu::data value) {
  // operator[] then move: no deep copy of the value (set() would copy it).
  mu::data& slot = data_[std::string(key)];
  slot = std::move(value);
}

void View::PutString(std::string_view key, std::string_view value) {
  mu::data& slot = data_[std::string(key)];
  if (slot.is_string()) {
    // In place: the string keeps its capacity across renders of a reused View.
    const_cast<std::string&>(slot.string_value()).assign(value);
  } else {
    slot = mu::data(std::string(value));
  }
}

bool View::Has(std::string_view key) const { return data_.get(std::string(key)) != nullptr; }

View& View::Text(std::string_view key, std::string_view value) {
  assert(!IsHtmlName(key) && "Html values go through Markup()");
  if (IsHtmlName(key)) {
    spdlog::error("template value {} is named like Html but is text; not set", key);
    return *this;
  }
  PutString(key, value);
  return *this;
}

View& View::Text(std::string_view key, int64_t n) {
  char buf[24];
  const int len = std::snprintf(buf, sizeof(buf), "%lld", static_cast<long long>(n));
  return Text(key, std::string_view(buf, static_cast<size_t>(len)));
}

View& View::OptionalText(std::string_view key, std::string_view value) {
  if (!value.empty()) return Text(key, value);
  if (Has(key)) Flag(key, false);  // a reused View: clear the previous value
  return *this;
}

View& View::Markup(std::string_view key, const Html& html) {
  assert(IsHtmlName(key) && "Html values are named *_html");
  if (!IsHtmlName(key)) {
    spdlog::error("template Html value {} is not named *_html; not set", key);
    return *this;
  }
  PutString(key, html.str());
  return *this;
}

View& View::OptionalMarkup(std::string_view key, const Html& html) {
  if (!html.empty()) return Markup(key, html);
  if (Has(key)) Flag(key, false);
  return *this;
}

View& View::Flag(std::string_view key, bool on) {
  Put(key, mu::data(on));
  return *this;
}

View& View::List(std::string_view key, std::vector<View> items) {
  mu::data list(mu::data::type::list);
  // kainjow's push_back copies its argument; the list is ours, so move the items in instead.
  auto& storage = const_cast<mu::list&>(list.list_value());
  storage.reserve(items.size());
  for (View& item : items) storage.push_back(std::move(item.data_));
  Put(key, std::move(list));
  return *this;
}

View& View::Items(std::string_view key, size_t n,
                  const std::function<void(size_t, View&)>& fill) {
  mu::data& slot = data_[std::string(key)];
  if (!slot.is_list()) slot = mu::data(mu::data::type::list);
  auto& items = const_cast<mu::list&>(slot.list_value());
  items.resize(n);  // new items are empty objects
  for (size_t i = 0; i < n; ++i) {
    View item(std::move(items[i]));  // pointer moves: the item's storage is kept
    fill(i, item);
    items[i] = std::move(item.data_);
  }
  return *this;
}

View& View::Child(std::string_view key, View child) {
  Put(key, std::move(child.data_));
  return *this;
}

// ---------------------------------------------------------------------------------------------
// TemplateSet

struct TemplateSet::Compiled {
  // parts[0]: the whole template, or the part before {{{body_html}}}; parts[1]: the part after.
  std::vector<mu::mustache> parts;
};

TemplateSet::TemplateSet() : partials_(mu::data::type::object) {}
TemplateSet::~TemplateSet() = default;

Result<std::shared_ptr<const TemplateSet>> TemplateSet::Compile(
    std::span<const TemplateSource> sources, std::span<const std::string_view> required) {
  std::shared_ptr<TemplateSet> set(new TemplateSet());
  std::map<std::string, bool, std::less<>> names;
  for (const TemplateSource& s : sources) names[std::string(s.name)] = true;
  for (std::string_view name : required) {
    if (!names.count(name)) {
      return Err(Status::NotFound(FileOf(name) + " is missing; it ships with the source tree "
                                  "(restore it and rebuild)"));
    }
  }
  for (const TemplateSource& s : sources) {
    const std::string file = FileOf(s.name);
    if (std::string why = CheckTags(s.text, names); !why.empty()) {
      return Err(Status::InvalidArgument(file + ": " + why));
    }
    auto compiled = std::make_unique<Compiled>();
    const size_t slot = s.text.find(kBodySlot);
    std::vector<std::string> texts;
    if (slot == std::string_view::npos) {
      texts.emplace_back(s.text);
    } else {
      texts.emplace_back(s.text.substr(0, slot));
      texts.emplace_back(s.text.substr(slot + kBodySlot.size()));
      if (texts[1].find(kBodySlot) != std::string::npos) {
        return Err(Status::InvalidArgument(file + ": {{{body_html}}} appears more than once"));
      }
    }
    for (const std::string& text : texts) {
      mu::mustache m(text);
      if (!m.is_valid()) {
        return Err(Status::InvalidArgument(
            file + ": " + m.error_message() +
            (texts.size() > 1 ? " ({{{body_html}}} must sit outside every section)" : "")));
      }
      m.set_custom_escape(EscapeForTemplate);
      compiled->parts.push_back(std::move(m));
    }
    if (core::StartsWith(s.name, kPartialsDir)) {
      const std::string_view short_name = s.name.substr(kPartialsDir.size());
      set->partials_.set(std::string(short_name), mu::data(PartialText(s.text)));
      // Rendered by name (code rebuilding a piece of a cached page), a partial gives its whole
      // text, final newline included.
    }
    set->templates_[std::string(s.name)] = std::move(compiled);
  }
  return std::shared_ptr<const TemplateSet>(std::move(set));
}

const TemplateSet::Compiled* TemplateSet::Find(std::string_view name) const {
  auto it = templates_.find(name);
  if (it == templates_.end()) {
    spdlog::error("no template {} (expected {})", name, FileOf(name));
    return nullptr;
  }
  return it->second.get();
}

void TemplateSet::RenderPart(std::string& out, const Compiled& t, int part,
                             const View& view) const {
  RenderContext ctx(&view.data(), &partials_);
  Appender sink{&out};
  // Rendering reads the compiled tree only: kainjow writes to the template object only to
  // record an error, which a checked template with a lambda-free view cannot raise.
  auto& m = const_cast<mu::mustache&>(t.parts[static_cast<size_t>(part)]);
  m.render(ctx, sink);
}

void TemplateSet::RenderTo(std::string& out, std::string_view name, const View& view) const {
  const Compiled* t = Find(name);
  if (!t) return;
  RenderPart(out, *t, 0, view);
  if (t->parts.size() > 1) RenderPart(out, *t, 1, view);
}

void TemplateSet::RenderAround(std::string& out, std::string_view name, const View& view,
                               const std::function<void(std::string&)>& write_body) const {
  const Compiled* t = Find(name);
  if (!t) return;
  RenderPart(out, *t, 0, view);
  write_body(out);
  if (t->parts.size() > 1) RenderPart(out, *t, 1, view);
}

// ---------------------------------------------------------------------------------------------
// The built-in set

namespace {

const Result<std::shared_ptr<const TemplateSet>>& Builtin() {
  static const Result<std::shared_ptr<const TemplateSet>> set =
      TemplateSet::Compile(BuiltinTemplateSources(), kRequired);
  return set;
}

}  // namespace

Status CheckTemplates() {
  const auto& set = Builtin();
  return set ? Status::Ok() : set.error();
}

const TemplateSet* BuiltinTemplates() {
  const auto& set = Builtin();
  if (!set) {
    spdlog::error("templates did not compile: {}", set.error().message());
    return nullptr;
  }
  return set->get();
}

Html RenderTemplate(std::string_view name, const View& view) {
  std::string out;
  RenderTemplateTo(out, name, view);
  return Html::Trusted(std::move(out));
}

void RenderTemplateTo(std::string& out, std::string_view name, const View& view) {
  if (const TemplateSet* set = BuiltinTemplates()) set->RenderTo(out, name, view);
}

void RenderTemplateAround(std::string& out, std::string_view name, const View& view,
                          const std::function<void(std::string&)>& write_body) {
  if (const TemplateSet* set = BuiltinTemplates()) set->RenderAround(out, name, view, write_body);
}

}  // namespace coolpapers::web
