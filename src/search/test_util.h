#pragma once
// Helpers shared by the search module's unit tests (header-only, test binaries only).

#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "search/index_doc.h"
#include "store/testing/temp_store.h"

namespace coolpapers::search::testing {

// A fresh temporary directory named after the running test, removed on destruction.
using store::testing::TempDir;

inline IndexDoc Doc(std::string id, std::string title, std::string abstract,
                    std::vector<std::string> cats = {"cs.CL"},
                    std::string date = "2026-06-15 12:00:00",
                    std::vector<std::string> authors = {"Ada Lovelace"}) {
  IndexDoc d;
  d.id = std::move(id);
  d.title = std::move(title);
  d.abstract = std::move(abstract);
  d.categories = std::move(cats);
  d.date = std::move(date);
  d.authors = std::move(authors);
  return d;
}

// A small corpus with known answers (used by ranking and service tests).
inline std::vector<IndexDoc> FixtureCorpus() {
  return {
      Doc("2601.00001", "Graph neural networks for molecule property prediction",
          "We train graph neural networks on molecular graphs to predict chemical properties.",
          {"cs.LG", "q-bio.BM"}, "2026-01-10 10:00:00", {"Marie Curie", "Linus Pauling"}),
      Doc("2601.00002", "Large language models as zero-shot translators",
          "Large language models translate between languages without parallel training data.",
          {"cs.CL"}, "2026-02-11 10:00:00", {"Noam Chomsky"}),
      Doc("2601.00003", "Diffusion models for image synthesis",
          "Denoising diffusion probabilistic models generate high fidelity images.",
          {"cs.CV"}, "2026-03-12 10:00:00", {"Ada Lovelace"}),
      Doc("2601.00004", "A survey of graph learning",
          "This survey reviews graph learning methods including graph neural networks, "
          "spectral methods and random walks.",
          {"cs.LG"}, "2026-04-13 10:00:00", {"Alan Turing"}),
      Doc("2601.00005", "Learned index structures",
          "Indexes learned from data replace B-trees in databases; a learned model predicts "
          "positions.",
          {"cs.DB"}, "2026-05-14 10:00:00", {"Edgar Codd"}),
      Doc("2601.00006", "Learning to rank with gradient boosting",
          "Learning to rank for web search using gradient boosted trees and click data.",
          {"cs.IR"}, "2026-06-15 10:00:00", {"Karen Sparck Jones"}),
      Doc("2601.00007", "大语言模型的中文评测",
          "我们提出一个新的中文基准，用于评测大语言模型的推理能力。",
          {"cs.CL"}, "2026-06-16 10:00:00", {"Li Wei"}),
      Doc("2601.00008", "Speech recognition with transformers",
          "Transformer encoders improve automatic speech recognition on noisy audio <b>bold</b> "
          "& friends.",
          {"eess.AS", "cs.CL"}, "2026-06-20 10:00:00", {"Alan Turing", "Grace Hopper"}),
  };
}

}  // namespace coolpapers::search::testing
