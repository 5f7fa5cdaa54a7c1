#include "llm/faq_prompt.h"

#include <cassert>

#include "core/text.h"

namespace coolpapers::llm {

bool IsFaqLang(std::string_view lang) { return lang == "zh" || lang == "en"; }

const std::vector<std::string>& FaqQuestions(std::string_view lang) {
  static const std::vector<std::string> kZh = {
      "这篇论文试图解决什么问题？", "有哪些相关研究？",           "论文如何解决这个问题？",
      "论文做了哪些实验？",         "有什么可以进一步探索的点？", "总结一下论文的主要内容",
  };
  static const std::vector<std::string> kEn = {
      "What problem does this paper try to solve?",
      "What related research is there?",
      "How does the paper solve this problem?",
      "What experiments does the paper conduct?",
      "What points could be explored further?",
      "Summarize the main content of the paper.",
  };
  return lang == "en" ? kEn : kZh;
}

std::string FaqSystemPrompt(std::string_view lang) {
  std::string p =
      "You are an academic assistant who reads research papers carefully and answers questions "
      "about them accurately for researchers. Rules:\n"
      "- Answer only from the paper provided; say so when the paper does not contain the "
      "answer. Do not invent results, numbers or references.\n"
      "- Never write in the first person (no \"I\", \"we\" as the assistant); refer to the "
      "paper and its authors in the third person.\n"
      "- Use Markdown: short paragraphs, bullet or numbered lists for separate points, **bold** "
      "for key terms. Do not use HTML.\n"
      "- Write formulas in LaTeX, inline as $...$ and displayed as $$...$$.\n"
      "- The paper text was extracted from a PDF: formulas, tables and symbols in it may be "
      "garbled or out of order; reconstruct them from context where the meaning is clear, and "
      "do not quote garbled fragments.\n"
      "- Be concise and specific: name the methods, datasets, metrics and findings.\n";
  if (lang == "en") {
    p += "- Answer in English.\n";
  } else {
    p += "- 请用简体中文回答（专有名词、方法名与公式保留原文）。\n";
  }
  return p;
}

std::string PaperMessage(const core::Paper& paper, std::string_view text,
                         std::string_view source) {
  std::string m = "The paper follows.\n\n";
  m += "Title: " + paper.title + "\n";
  if (!paper.authors.empty()) m += "Authors: " + core::Join(paper.authors, ", ") + "\n";
  m += "arXiv: " + paper.id + "v" + std::to_string(paper.version) + "\n";
  if (source == "abstract") {
    m += "\nOnly the title and abstract are available (the full text could not be obtained). "
         "Answer from them, and say briefly where the abstract does not tell.\n\nAbstract:\n";
    m += paper.abstract;
  } else {
    m += "\nFull text (extracted from the PDF):\n\n";
    m += text;
  }
  return m;
}

std::vector<ChatMessage> FaqMessages(std::string_view lang, const std::string& paper_message,
                                     const std::vector<std::string>& earlier_answers, int index) {
  assert(index >= 0 && index < kFaqQuestionCount);
  assert(static_cast<int>(earlier_answers.size()) >= index);
  const auto& questions = FaqQuestions(lang);
  std::vector<ChatMessage> msgs;
  msgs.push_back({"system", FaqSystemPrompt(lang)});
  msgs.push_back({"system", paper_message});
  for (int i = 0; i < index; ++i) {
    msgs.push_back({"user", questions[i]});
    msgs.push_back({"assistant", earlier_answers[i]});
  }
  msgs.push_back({"user", questions[index]});
  return msgs;
}

}  // namespace coolpapers::llm
