#pragma once
// Page markup lives in templates/*.mustache (kainjow mustache), built into the binary at build
// time and compiled once. Handlers fill a View (the view model) and render a template by name:
//
//   View v;
//   v.Text("title", paper.title)            // {{title}}: escaped
//    .Markup("summary_html", highlighted);  // {{{summary_html}}}: an Html value, as is
//   Html body = RenderTemplate("paper_page", v);
//
// Rules the compiler checks (a template breaking them does not load): a value inserted unescaped
// ({{{name}}} or {{&name}}) must be named *_html, and View only stores Html under such names, so
// a plain string cannot reach a page unescaped; every {{> partial}} exists; no delimiter changes.
// Partials live in templates/partials/ and are referred to without the folder ({{> top_bar}}).
//
// A template may contain {{{body_html}}} once, outside any section: RenderTemplateAround then
// writes the body straight into the output between the two halves (a list page is megabytes;
// building it apart and copying it in costs page faults).

#include <functional>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <kainjow/mustache.hpp>

#include "core/status.h"
#include "web/html.h"

namespace coolpapers::web {

// The values one template (or one list item) shows. Setting a key that is already set
// overwrites it in place, reusing its storage: one View can serve many renders of a template
// (a list page's panels) without allocating again.
class View {
 public:
  View();

  View& Text(std::string_view key, std::string_view value);  // key must not end in "_html"
  View& Text(std::string_view key, int64_t n);
  // Shows `value` only when it is not empty: {{#key}}...{{key}}...{{/key}} (unset: false).
  View& OptionalText(std::string_view key, std::string_view value);
  View& Markup(std::string_view key, const Html& html);  // key must end in "_html"
  View& OptionalMarkup(std::string_view key, const Html& html);
  View& Flag(std::string_view key, bool on);  // {{#key}}...{{/key}}, {{^key}}...{{/key}}
  View& List(std::string_view key, std::vector<View> items);
  // A list of `n` items, each filled by fill(i, item); items already there are reused.
  View& Items(std::string_view key, size_t n, const std::function<void(size_t, View&)>& fill);
  View& Child(std::string_view key, View child);  // {{#key}}{{field}}{{/key}}

  const kainjow::mustache::data& data() const { return data_; }

 private:
  explicit View(kainjow::mustache::data&& data) : data_(std::move(data)) {}
  void Put(std::string_view key, kainjow::mustache::data value);
  void PutString(std::string_view key, std::string_view value);
  bool Has(std::string_view key) const;
  kainjow::mustache::data data_;
};

// One template's source: its name (path under templates/ without ".mustache") and text.
struct TemplateSource {
  std::string_view name;
  std::string_view text;
};

// A compiled set of templates. Immutable once compiled; rendering is thread-safe.
class TemplateSet {
 public:
  // Compiles `sources` and checks the rules above and that every name in `required` exists.
  // The error names the file (templates/<name>.mustache) and what is wrong with it.
  static Result<std::shared_ptr<const TemplateSet>> Compile(
      std::span<const TemplateSource> sources, std::span<const std::string_view> required);

  // Appends template `name` rendered with `view` to `out`.
  void RenderTo(std::string& out, std::string_view name, const View& view) const;
  // As RenderTo, with write_body(out) at the template's {{{body_html}}}.
  void RenderAround(std::string& out, std::string_view name, const View& view,
                    const std::function<void(std::string&)>& write_body) const;

  ~TemplateSet();

 private:
  struct Compiled;
  TemplateSet();
  const Compiled* Find(std::string_view name) const;
  void RenderPart(std::string& out, const Compiled& t, int part, const View& view) const;

  std::map<std::string, std::unique_ptr<Compiled>, std::less<>> templates_;
  kainjow::mustache::data partials_;  // partial name -> source, for {{> name}}
};

// templates/*.mustache as built into this binary.
std::span<const TemplateSource> BuiltinTemplateSources();

// The built-in templates, compiled on first use. CheckTemplates at start-up reports a broken
// one (the server does not start); after a failed check the Render functions render nothing.
Status CheckTemplates();
const TemplateSet* BuiltinTemplates();

// Template `name` of the built-in set rendered with `view`.
Html RenderTemplate(std::string_view name, const View& view);
void RenderTemplateTo(std::string& out, std::string_view name, const View& view);
void RenderTemplateAround(std::string& out, std::string_view name, const View& view,
                          const std::function<void(std::string&)>& write_body);

}  // namespace coolpapers::web
