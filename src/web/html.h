#pragma once
// Html: a fragment of markup that may be inserted into a page unescaped. The only ways to make
// one are Escape (text made safe) and Trusted (markup the caller vouches for: rendered
// templates, Xapian's escaped snippets, meta tags built from escaped values), so a plain string
// can never reach a page unescaped by accident. Templates insert Html values with {{{name_html}}}
// and everything else with {{name}}, which escapes (web/templates.h checks the naming).

#include <string>
#include <string_view>
#include <utility>

namespace coolpapers::web {

class Html {
 public:
  Html() = default;

  // `html` is inserted as is: the caller guarantees it is well-formed markup whose text parts
  // are escaped.
  static Html Trusted(std::string html) { return Html(std::move(html)); }
  // `text` with & < > " ' replaced by entities.
  static Html Escape(std::string_view text);

  const std::string& str() const& { return html_; }
  std::string str() && { return std::move(html_); }
  bool empty() const { return html_.empty(); }
  size_t size() const { return html_.size(); }

  // Concatenation keeps the type: Html + Html is still trusted.
  Html& operator+=(const Html& more) {
    html_ += more.html_;
    return *this;
  }
  bool operator==(const Html&) const = default;

 private:
  explicit Html(std::string html) : html_(std::move(html)) {}
  std::string html_;
};

}  // namespace coolpapers::web
