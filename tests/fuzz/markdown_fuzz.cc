// Fuzz target: the FAQ Markdown renderer. Besides crashes, checks the sanitiser's promise: no
// tag outside its own list and no javascript: link ever reaches the output.
#include <cctype>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "web/markdown.h"

namespace {

bool KnownTag(std::string_view tag) {
  static const char* kAllowed[] = {"p", "h3", "h4", "h5", "h6", "ul", "ol", "li", "strong", "em",
                                   "del", "code", "pre", "blockquote", "hr", "table", "thead",
                                   "tbody", "tr", "th", "td", "a", "div"};
  for (const char* a : kAllowed) {
    if (tag == a) return true;
  }
  return false;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view md(reinterpret_cast<const char*>(data), size);
  std::string html = coolpapers::web::RenderMarkdown(md);
  for (size_t i = html.find('<'); i != std::string::npos; i = html.find('<', i + 1)) {
    size_t j = i + 1;
    if (j < html.size() && html[j] == '/') ++j;
    size_t k = j;
    while (k < html.size() && std::isalnum(static_cast<unsigned char>(html[k]))) ++k;
    if (!KnownTag(std::string_view(html).substr(j, k - j))) __builtin_trap();
  }
  if (html.find("href=\"javascript:") != std::string::npos) __builtin_trap();
  return 0;
}
