#include "search/word_vectors.h"

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <map>

#include <gtest/gtest.h>

#include "search/randomized_svd.h"
#include "search/test_util.h"
#include "search/tokenizer.h"

namespace coolpapers::search {
namespace {

double Cos(const std::vector<float>& a, const std::vector<float>& b) {
  double ab = 0, aa = 0, bb = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    ab += a[i] * b[i];
    aa += a[i] * a[i];
    bb += b[i] * b[i];
  }
  return aa > 0 && bb > 0 ? ab / std::sqrt(aa * bb) : 0;
}

// Three topics with their own words, `per_topic` documents each, words in varying order so
// that the co-occurrence windows differ between documents.
std::vector<std::string> TopicCorpus(int per_topic) {
  const std::vector<std::vector<std::string>> topics = {
      {"graph", "neural", "networks", "message", "passing", "node", "embeddings", "molecular"},
      {"diffusion", "image", "synthesis", "generative", "score", "sampling", "pixels", "noise"},
      {"language", "translation", "multilingual", "tokens", "attention", "decoding", "corpus",
       "grammar"}};
  std::vector<std::string> docs;
  for (int i = 0; i < per_topic * 3; ++i) {
    const auto& words = topics[i % 3];
    std::string text;
    for (size_t k = 0; k < words.size(); ++k) {
      text += words[(k * 3 + static_cast<size_t>(i / 3)) % words.size()] + " ";
    }
    docs.push_back(text);
  }
  return docs;
}

WordVectorOptions SmallOptions() {
  WordVectorOptions o;
  o.dims = 6;
  o.min_count = 2;
  o.window = 3;
  return o;
}

TEST(RandomizedSvd, RecoversTheSingularValuesOfALowRankMatrix) {
  // Diagonal 5 x 4 matrix with singular values 5, 3, 2, 0.5.
  SparseRowMatrix a(5, 4);
  a.insert(0, 0) = 3.0f;
  a.insert(1, 1) = 5.0f;
  a.insert(2, 2) = 0.5f;
  a.insert(3, 3) = 2.0f;
  a.makeCompressed();
  const TruncatedSvd svd = RandomizedSvd(a, {.rank = 3, .oversampling = 1});
  ASSERT_EQ(svd.sigma.size(), 3);
  EXPECT_NEAR(svd.sigma(0), 5.0f, 1e-4);
  EXPECT_NEAR(svd.sigma(1), 3.0f, 1e-4);
  EXPECT_NEAR(svd.sigma(2), 2.0f, 1e-4);
  // u_1 = +-e_1 (row 1 holds the largest value), v_1 = +-e_1.
  EXPECT_NEAR(std::abs(svd.u(1, 0)), 1.0f, 1e-4);
  EXPECT_NEAR(std::abs(svd.v(1, 0)), 1.0f, 1e-4);
  // A * v = sigma * u.
  const Eigen::MatrixXf av = a * svd.v;
  for (int j = 0; j < 3; ++j) {
    EXPECT_LT((av.col(j) - svd.sigma(j) * svd.u.col(j)).norm(), 1e-4) << j;
  }
}

TEST(WordVectors, CooccurrenceCountsWeighNearerWordsMore) {
  // One document "0 1 2 0": with window 2, distance 1 weighs 1 and distance 2 weighs 0.5.
  const SparseRowMatrix c = CountCooccurrences({{0, 1, 2, 0}}, 3, 2);
  ASSERT_EQ(c.rows(), 3);
  ASSERT_EQ(c.cols(), 3);
  EXPECT_FLOAT_EQ(c.coeff(0, 1), 1.0f + 0.5f);  // positions (0,1) d=1 and (3,1) d=2
  EXPECT_FLOAT_EQ(c.coeff(1, 2), 1.0f);         // (1,2) d=1
  EXPECT_FLOAT_EQ(c.coeff(0, 2), 0.5f + 1.0f);  // (0,2) d=2 and (3,2) d=1
  EXPECT_FLOAT_EQ(c.coeff(0, 0), 0.0f);         // (0,3) is 3 apart: outside the window
  for (int i = 0; i < 3; ++i) {
    for (int j = 0; j < 3; ++j) EXPECT_FLOAT_EQ(c.coeff(i, j), c.coeff(j, i)) << i << "," << j;
  }
  // Window 0: every pair of positions in the document, weight 1 (0 and 0 now co-occur).
  const SparseRowMatrix all = CountCooccurrences({{0, 1, 2, 0}}, 3, 0);
  EXPECT_FLOAT_EQ(all.coeff(0, 0), 2.0f);
  EXPECT_FLOAT_EQ(all.coeff(0, 1), 2.0f);
  // Words of different documents never co-occur.
  const SparseRowMatrix two = CountCooccurrences({{0, 1}, {2}}, 3, 5);
  EXPECT_FLOAT_EQ(two.coeff(0, 2), 0.0f);
  EXPECT_FLOAT_EQ(two.coeff(0, 1), 1.0f);
}

TEST(WordVectors, PpmiOfAHandMadeMatrix) {
  // Counts (symmetric):  a-b 8, a-c 1, b-c 1, c-c 4. Row sums 9, 9, 6.
  SparseRowMatrix counts(3, 3);
  counts.insert(0, 1) = 8;
  counts.insert(0, 2) = 1;
  counts.insert(1, 0) = 8;
  counts.insert(1, 2) = 1;
  counts.insert(2, 0) = 1;
  counts.insert(2, 1) = 1;
  counts.insert(2, 2) = 4;
  counts.makeCompressed();
  // Without smoothing: PMI(a,b) = log(8 * 24 / (9 * 9)); PMI(a,c) = log(24 / 54) < 0 -> 0.
  const SparseRowMatrix plain = Ppmi(counts, 1.0);
  EXPECT_NEAR(plain.coeff(0, 1), std::log(8.0 * 24 / 81), 1e-5);
  EXPECT_NEAR(plain.coeff(2, 2), std::log(4.0 * 24 / 36), 1e-5);
  EXPECT_EQ(plain.coeff(0, 2), 0.0f);
  EXPECT_EQ(plain.nonZeros(), 3);  // a-b, b-a, c-c; the negative cells are dropped
  // Smoothed contexts: #c^0.75 / sum #c'^0.75 replaces #c / sum #c'.
  const double z = 2 * std::pow(9.0, 0.75) + std::pow(6.0, 0.75);
  const SparseRowMatrix smooth = Ppmi(counts, 0.75);
  EXPECT_NEAR(smooth.coeff(0, 1), std::log(8.0 * z / (9 * std::pow(9.0, 0.75))), 1e-5);
  EXPECT_NEAR(smooth.coeff(2, 2), std::log(4.0 * z / (6 * std::pow(6.0, 0.75))), 1e-5);
}

TEST(WordVectors, SifWeightFavoursRareWords) {
  EXPECT_FLOAT_EQ(SifWeight(1e-3, 1e-3), 0.5f);
  EXPECT_FLOAT_EQ(SifWeight(1e-3, 0.0), 1.0f);
  EXPECT_GT(SifWeight(1e-3, 1e-4), SifWeight(1e-3, 1e-2));
}

TEST(SifEmbedder, TextVectorIsTheSifWeightedAverageOfItsWords) {
  WordVectorOptions o = SmallOptions();
  o.remove_first_component = false;
  const std::vector<std::string> docs = TopicCorpus(10);
  auto m = SifEmbedder::Train(docs, o);
  ASSERT_TRUE(m) << m.error().ToString();
  // p(w) from the corpus: every document has 8 words, each word appears once in each of the
  // 10 documents of its topic: p = 10 / 240.
  const int graph = (*m)->RowOf("graph"), image = (*m)->RowOf("imag");
  ASSERT_GE(graph, 0);
  ASSERT_GE(image, 0);
  EXPECT_FLOAT_EQ((*m)->sif_weight(graph), SifWeight(1e-3, 10.0 / 240));
  const std::vector<float> v = (*m)->EmbedStems({"graph", "imag", "unknownword"}, false);
  ASSERT_EQ(v.size(), 6u);
  const SifEmbedder::WordMatrix& w = (*m)->word_vectors();
  for (int j = 0; j < 6; ++j) {
    const float expect =
        ((*m)->sif_weight(graph) * w(graph, j) + (*m)->sif_weight(image) * w(image, j)) / 3;
    EXPECT_NEAR(v[j], expect, 1e-6) << j;
  }
}

TEST(SifEmbedder, SameTopicIsCloserThanOtherTopicAndComponentIsRemoved) {
  auto m = SifEmbedder::Train(TopicCorpus(20), SmallOptions());
  ASSERT_TRUE(m) << m.error().ToString();
  EXPECT_EQ((*m)->id(), "ppmi-sif-6");
  auto graphs = (*m)->Embed("message passing neural networks");
  auto molecules = (*m)->Embed("molecular graph node embeddings");
  auto images = (*m)->Embed("image diffusion noise sampling");
  ASSERT_TRUE(graphs && molecules && images);
  EXPECT_GT(Cos(*graphs, *molecules), Cos(*graphs, *images) + 0.3);
  // Word neighbours stay within the topic.
  auto near = (*m)->Neighbours("graph", 3);
  ASSERT_EQ(near.size(), 3u);
  for (const auto& [stem, sim] : near) {
    EXPECT_TRUE(stem == "neural" || stem == "network" || stem == "messag" || stem == "pass" ||
                stem == "node" || stem == "embed" || stem == "molecular")
        << stem;
  }
  const Eigen::VectorXf& pc = (*m)->component();
  ASSERT_EQ(pc.size(), 6);
  EXPECT_NEAR(pc.norm(), 1.0f, 1e-4);
  EXPECT_NEAR(Eigen::Map<const Eigen::VectorXf>(graphs->data(), 6).dot(pc), 0.0f, 1e-5);
}

TEST(SifEmbedder, TrainingIsDeterministicForAFixedSeed) {
  const std::vector<std::string> docs = TopicCorpus(15);
  auto a = SifEmbedder::Train(docs, SmallOptions());
  auto b = SifEmbedder::Train(docs, SmallOptions());
  ASSERT_TRUE(a && b);
  EXPECT_EQ((*a)->word_vectors(), (*b)->word_vectors());
  auto va = (*a)->Embed("graph neural networks");
  auto vb = (*b)->Embed("graph neural networks");
  ASSERT_TRUE(va && vb);
  EXPECT_EQ(*va, *vb);
}

TEST(SifEmbedder, SaveLoadGivesIdenticalVectors) {
  testing::TempDir dir;
  WordVectorOptions o = SmallOptions();
  o.expand_neighbours = 2;  // the query-expansion setting is part of the model
  auto m = SifEmbedder::Train(TopicCorpus(10), o);
  ASSERT_TRUE(m);
  ASSERT_TRUE((*m)->Save(dir.path() + "/wv.bin").ok());
  auto loaded = SifEmbedder::Load(dir.path() + "/wv.bin");
  ASSERT_TRUE(loaded) << loaded.error().ToString();
  EXPECT_EQ((*loaded)->id(), (*m)->id());
  EXPECT_EQ((*loaded)->vocabulary_size(), (*m)->vocabulary_size());
  auto a = (*m)->Embed("language translation attention");
  auto b = (*loaded)->Embed("language translation attention");
  ASSERT_TRUE(a && b);
  EXPECT_EQ(*a, *b);
}

TEST(SifEmbedder, RejectsTinyCorporaAndDamagedFiles) {
  EXPECT_FALSE(SifEmbedder::Train({"one lonely document"}));
  testing::TempDir dir;
  auto m = SifEmbedder::Train(TopicCorpus(10), SmallOptions());
  ASSERT_TRUE(m);
  const std::string path = dir.path() + "/wv.bin";
  ASSERT_TRUE((*m)->Save(path).ok());
  // Truncated file.
  std::filesystem::resize_file(path, std::filesystem::file_size(path) - 3);
  auto bad = SifEmbedder::Load(path);
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code(), StatusCode::kCorruption);
  // Another file type.
  std::FILE* f = std::fopen(path.c_str(), "wb");
  std::fputs("CPLSA001garbage", f);
  std::fclose(f);
  auto other = SifEmbedder::Load(path);
  ASSERT_FALSE(other);
  EXPECT_EQ(other.error().code(), StatusCode::kCorruption);
}

}  // namespace
}  // namespace coolpapers::search
