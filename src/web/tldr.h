#pragma once
// The one-line TL;DR shown under a paper's title in lists: the first sentence of its FAQ's
// summary answer (the last of the FAQ questions, llm/faq_prompt.h: "Summarize the main content
// of the paper." / "总结一下论文的主要内容"), as plain text. Markdown markup (headings, list
// markers, bold, code ticks, links) is dropped; TeX ($...$, $$...$$, \(...\), \[...\]) is kept
// byte for byte for the reader's KaTeX and never cut. Pure functions; never an LLM call.

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "store/faq_content.h"

namespace coolpapers::web {

inline constexpr size_t kTldrMaxBytes = 320;

// The first sentence of a Markdown answer. Heading lines and lines that are one bold label
// ("**Summary**") are skipped; a lead-in sentence ending in a colon ("The main points are:")
// gives way to the next line's first sentence. A sentence ends at ". " "! " "? " (not after
// e.g., i.e., et al., etc., vs., Fig., Eq., cf.), at 。！？, or at the end of its
// line. Longer than `max_bytes`: cut at a word (or, for CJK, character) boundary outside math,
// with "…" appended. "" when the answer has no text.
std::string TldrOfAnswer(std::string_view markdown, size_t max_bytes = kTldrMaxBytes);

// The TL;DR of a complete FAQ: TldrOfAnswer of its summary answer (the item at the index of the
// summary question); "" when the FAQ has no such item or its answer has no text.
std::string TldrOfFaq(const std::vector<store::FaqItem>& items, size_t max_bytes = kTldrMaxBytes);

}  // namespace coolpapers::web
