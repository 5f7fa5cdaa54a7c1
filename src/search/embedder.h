#pragma once
// Embedder: turns text into a dense vector for semantic search. The index records the
// embedder's id and never mixes vectors of two embedders (a changed id means a rebuild).

#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace coolpapers::search {

class Embedder {
 public:
  virtual ~Embedder() = default;
  // Stable identity of the model, e.g. "lsa-256" or "openai:text-embedding-3-small".
  virtual std::string id() const = 0;
  virtual int dim() const = 0;
  // The vector of `text` (dim() floats, not necessarily normalized). Thread-safe.
  virtual Result<std::vector<float>> Embed(std::string_view text) = 0;
  // Vectors of several texts, in order. The default calls Embed for each.
  virtual Result<std::vector<std::vector<float>>> EmbedBatch(const std::vector<std::string>& texts);
};

// Scales `v` to unit length (a zero vector stays zero).
void Normalize(std::vector<float>& v);

}  // namespace coolpapers::search
