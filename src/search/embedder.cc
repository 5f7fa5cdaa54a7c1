#include "search/embedder.h"

#include <cmath>

namespace coolpapers::search {

Result<std::vector<std::vector<float>>> Embedder::EmbedBatch(
    const std::vector<std::string>& texts) {
  std::vector<std::vector<float>> out;
  out.reserve(texts.size());
  for (const std::string& t : texts) {
    auto v = Embed(t);
    if (!v) return Err(v.error());
    out.push_back(std::move(*v));
  }
  return out;
}

void Normalize(std::vector<float>& v) {
  double sum = 0;
  for (float x : v) sum += static_cast<double>(x) * x;
  if (sum <= 0) return;
  const float inv = static_cast<float>(1.0 / std::sqrt(sum));
  for (float& x : v) x *= inv;
}

}  // namespace coolpapers::search
