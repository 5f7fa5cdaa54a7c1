#pragma once
// A small, sanitising Markdown -> HTML renderer for LLM answers shown in FAQ panels.
//
// Safety is the point: the output contains only the tags this renderer writes itself
// (p, h3-h6, ul, ol, li, strong, em, del, code, pre, blockquote, hr, table/thead/tbody/tr/th/td,
// a, div.faq-math) and every piece of input text is HTML-escaped. Raw HTML in the input is shown
// as text. Links are kept only for http(s) URLs (rel="nofollow noopener noreferrer"); any other
// scheme (javascript:, data:, ...) leaves just the link text. Images become plain links.
//
// Supported: paragraphs, ATX headings (# -> h3 ... shifted so answers never outrank the page),
// bullet and numbered lists (nested by indentation), fenced code blocks, blockquotes, horizontal
// rules, pipe tables, **bold**, *italic*, ~~strike~~, `code`, [text](url), <https://url>.
// LaTeX ($...$, $$...$$, \(...\), \[...\]) is left intact (escaped, never reformatted) for
// KaTeX auto-render in the browser; a $$ block on its own lines becomes div.faq-math.

#include <string>
#include <string_view>

namespace coolpapers::web {

// Renders `markdown` (any bytes; invalid UTF-8 is replaced) to safe HTML.
std::string RenderMarkdown(std::string_view markdown);

}  // namespace coolpapers::web
