#pragma once
// The FAQ conversation: a versioned system prompt, the paper text, then the six questions of
// SPEC §6 asked one at a time in the same conversation, each answer kept in the history.
// Changing any prompt text means bumping kPromptVersion (it is part of the FAQ cache key, so
// FAQs made with older prompts are regenerated on request instead of being mixed).

#include <string>
#include <string_view>
#include <vector>

#include "core/paper.h"
#include "llm/chat_client.h"

namespace coolpapers::llm {

inline constexpr int kPromptVersion = 1;
inline constexpr int kFaqQuestionCount = 6;

// "zh" and "en" are supported.
bool IsFaqLang(std::string_view lang);

// The six questions in `lang` ("zh" when lang is not supported).
const std::vector<std::string>& FaqQuestions(std::string_view lang);

// The system prompt: academic assistant, no first person, Markdown for points, LaTeX for
// formulas, formulas in the extracted text may be garbled.
std::string FaqSystemPrompt(std::string_view lang);

// The message carrying the paper: title, authors, id, then the text. `source` is "pdf" (full
// text) or "abstract" (title and abstract only; the model is told so).
std::string PaperMessage(const core::Paper& paper, std::string_view text, std::string_view source);

// Messages for asking question `index` (0-based) given the answers to the earlier ones:
// system prompt, paper message (as a second system message, as Kimi recommends for documents),
// then for each earlier question its user turn and assistant answer, then the new question.
std::vector<ChatMessage> FaqMessages(std::string_view lang, const std::string& paper_message,
                                     const std::vector<std::string>& earlier_answers, int index);

}  // namespace coolpapers::llm
