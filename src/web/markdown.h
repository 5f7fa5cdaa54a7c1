#pragma once
// Markdown -> safe HTML for LLM answers shown in FAQ panels: md4c parses (CommonMark with
// tables, strikethrough and $-math spans), and a whitelist writer of our own emits the HTML.
//
// Safety is the point: the output contains only the tags this writer emits itself (p, h3-h6,
// ul, ol, li, strong, em, del, code, pre, blockquote, hr, table/thead/tbody/tr/th/td, a,
// div.faq-math) and every piece of input text is HTML-escaped. Raw HTML in the input is shown
// as text (md4c's MD_FLAG_NOHTML). Links are kept only for http(s) URLs (rel="nofollow noopener
// noreferrer"); any other scheme (javascript:, data:, mailto:, relative URLs) leaves just the
// link text. Images become plain links to the image (their alt text), never <img>.
//
// Shape: headings shifted two levels (# -> h3) so answers never outrank the page; list items
// hold their text without <p> (paragraphs of one item are separated by a newline); soft and
// hard line breaks are kept as "\n"; entities are shown as written; tables without alignment.
//
// TeX is left intact (escaped, never reformatted) for KaTeX auto-render in the browser
// (static/math.js): $...$ and $$...$$ (md4c math spans) and \(...\), \[...\] on one line are
// written as text with their delimiters; a paragraph that is only a display block ($$ or \[
// starting a line, up to its closing delimiter, possibly over several lines) becomes
// div.faq-math, its lines kept as written.

#include <string>
#include <string_view>

namespace coolpapers::web {

// Renders `markdown` (any bytes; invalid UTF-8 is replaced) to safe HTML.
std::string RenderMarkdown(std::string_view markdown);

}  // namespace coolpapers::web
