#include "search/lsa_embedder.h"

#include <algorithm>

#include <gtest/gtest.h>

#include "search/test_util.h"
#include "search/tokenizer.h"
#include "search/vector_index.h"

namespace coolpapers::search {
namespace {

std::vector<std::string> Texts() {
  std::vector<std::string> t;
  for (const IndexDoc& d : testing::FixtureCorpus()) t.push_back(DocText(d));
  // More documents so co-occurrence carries topics.
  t.push_back("Graph convolutional networks learn node embeddings on citation graphs.");
  t.push_back("Message passing neural networks on molecular graphs predict properties.");
  t.push_back("Neural machine translation with large language models and attention.");
  t.push_back("Multilingual language models translate low resource languages.");
  t.push_back("Image generation with diffusion and score based generative models.");
  t.push_back("Latent diffusion models synthesize high resolution images.");
  return t;
}

double Cos(const std::vector<float>& a, const std::vector<float>& b) {
  double ab = 0, aa = 0, bb = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    ab += a[i] * b[i];
    aa += a[i] * a[i];
    bb += b[i] * b[i];
  }
  return aa > 0 && bb > 0 ? ab / std::sqrt(aa * bb) : 0;
}

TEST(LsaEmbedder, SameTopicIsCloserThanOtherTopic) {
  LsaOptions opts;
  opts.dims = 6;
  auto m = LsaEmbedder::Train(Texts(), opts);
  ASSERT_TRUE(m) << m.error().ToString();
  EXPECT_EQ((*m)->dim(), 6);
  EXPECT_EQ((*m)->id(), "lsa-6");
  auto graphs = (*m)->Embed("neural networks on graphs");
  auto molecules = (*m)->Embed("molecular graphs property prediction");
  auto images = (*m)->Embed("diffusion image synthesis");
  ASSERT_TRUE(graphs && molecules && images);
  EXPECT_GT(Cos(*graphs, *molecules), Cos(*graphs, *images));
}

TEST(LsaEmbedder, SaveLoadGivesIdenticalVectors) {
  testing::TempDir dir;
  LsaOptions opts;
  opts.dims = 4;
  auto m = LsaEmbedder::Train(Texts(), opts);
  ASSERT_TRUE(m);
  ASSERT_TRUE((*m)->Save(dir.path() + "/lsa.bin").ok());
  auto loaded = LsaEmbedder::Load(dir.path() + "/lsa.bin");
  ASSERT_TRUE(loaded) << loaded.error().ToString();
  auto a = (*m)->Embed("language models translate");
  auto b = (*loaded)->Embed("language models translate");
  ASSERT_TRUE(a && b);
  EXPECT_EQ(*a, *b);
}

TEST(LsaEmbedder, RejectsTinyCorporaAndDamagedFiles) {
  EXPECT_FALSE(LsaEmbedder::Train({"one lonely document"}));
  testing::TempDir dir;
  std::FILE* f = std::fopen((dir.path() + "/bad.bin").c_str(), "wb");
  std::fputs("CPLSA001garbage", f);
  std::fclose(f);
  auto bad = LsaEmbedder::Load(dir.path() + "/bad.bin");
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code(), StatusCode::kCorruption);
}

TEST(LsaEmbedder, UnknownWordsGiveAZeroVector) {
  auto m = LsaEmbedder::Train(Texts(), {.dims = 4});
  ASSERT_TRUE(m);
  auto v = (*m)->Embed("zzzz qqqq");
  ASSERT_TRUE(v);
  ASSERT_EQ(v->size(), 4u);
  for (float x : *v) EXPECT_EQ(x, 0.0f);
}

// Three topics, `per_topic` documents each, in round-robin order; documents whose index ends
// in 1 or 2 also carry the word "offbeat".
std::vector<std::string> TopicCorpus(int per_topic) {
  const char* topics[] = {
      "graph neural networks message passing node embeddings molecular graphs",
      "diffusion models image synthesis generative score sampling pixels",
      "language models translation multilingual tokens attention decoding"};
  std::vector<std::string> docs;
  for (int i = 0; i < per_topic * 3; ++i) {
    docs.push_back(topics[i % 3]);
    if (i % 10 == 1 || i % 10 == 2) docs.back() += " offbeat";
  }
  return docs;
}

TEST(LsaEmbedder, LargeCorporaTrainOnAnEvenSample) {
  const std::vector<std::string> docs = TopicCorpus(100);  // 300 documents
  LsaOptions opts;
  opts.dims = 3;
  opts.max_train_docs = 30;  // every 10th document
  auto m = LsaEmbedder::Train(docs, opts);
  ASSERT_TRUE(m) << m.error().ToString();
  // The sample spans all three topics: related texts stay nearer than unrelated ones.
  auto graphs = (*m)->Embed("message passing on molecular graphs");
  auto nodes = (*m)->Embed("node embeddings with graph neural networks");
  auto images = (*m)->Embed("image synthesis with diffusion");
  ASSERT_TRUE(graphs && nodes && images);
  EXPECT_GT(Cos(*graphs, *nodes), 0.9);
  EXPECT_GT(Cos(*graphs, *nodes), Cos(*graphs, *images) + 0.5);
  // The vocabulary comes from the sample only: "offbeat" is in 60 of the 300 documents but in
  // none of the sampled ones (indices 0, 10, 20, ...), so it is unknown.
  auto unsampled = (*m)->Embed("offbeat");
  ASSERT_TRUE(unsampled);
  ASSERT_EQ(unsampled->size(), 3u);
  for (float x : *unsampled) EXPECT_EQ(x, 0.0f);
  // Trained on every document, the same word is known.
  opts.max_train_docs = 1000;
  auto full = LsaEmbedder::Train(docs, opts);
  ASSERT_TRUE(full);
  auto known = (*full)->Embed("offbeat");
  ASSERT_TRUE(known);
  EXPECT_GT(Cos(*known, *known), 0.99);
}

TEST(LsaEmbedder, TrainingIsDeterministic) {
  const std::vector<std::string> docs = TopicCorpus(40);
  LsaOptions opts;
  opts.dims = 3;
  auto a = LsaEmbedder::Train(docs, opts);
  auto b = LsaEmbedder::Train(docs, opts);
  ASSERT_TRUE(a && b);
  auto va = (*a)->Embed("graph neural networks");
  auto vb = (*b)->Embed("graph neural networks");
  ASSERT_TRUE(va && vb);
  EXPECT_EQ(*va, *vb);
}

// A small corpus with its own vocabulary, for the recorded vectors below.
std::vector<std::string> RecordedCorpus() {
  return {"Graph convolutional networks learn node embeddings on citation graphs.",
          "Message passing neural networks on molecular graphs predict properties.",
          "Neural machine translation with large language models and attention.",
          "Multilingual language models translate low resource languages.",
          "Image generation with diffusion and score based generative models.",
          "Latent diffusion models synthesize high resolution images.",
          "Graph neural networks for molecule property prediction and drug discovery.",
          "Attention based translation models for speech and text.",
          "Score based diffusion for image and audio generation.",
          "Citation graphs and node classification benchmarks."};
}

// The randomized SVD's products and the embedding's sums are computed in a fixed order: the
// same corpus and options give these floats (recorded from the column-by-column products),
// whatever the memory layout the products use.
TEST(LsaEmbedder, TrainingGivesTheRecordedVectors) {
  LsaOptions opts;
  opts.dims = 5;
  opts.power_iterations = 2;
  opts.oversampling = 3;
  auto m = LsaEmbedder::Train(RecordedCorpus(), opts);
  ASSERT_TRUE(m) << m.error().ToString();
  auto v = (*m)->Embed("neural networks on molecular graphs\ndiffusion models");
  ASSERT_TRUE(v);
  const std::vector<float> recorded = {0.567964792f, -0.279447466f, 0.0927110538f,
                                       -0.164129794f, 0.17672424f};
  ASSERT_EQ(v->size(), recorded.size());
  for (size_t i = 0; i < recorded.size(); ++i) EXPECT_NEAR((*v)[i], recorded[i], 1e-6) << i;
}

// Index builds embed a paper from the stems its keywords were computed from: exactly the
// vector of its text (title, newline, abstract).
TEST(LsaEmbedder, EmbedStemsGivesTheVectorOfTheText) {
  LsaOptions opts;
  opts.dims = 6;
  auto m = LsaEmbedder::Train(Texts(), opts);
  ASSERT_TRUE(m) << m.error().ToString();
  Tokenizer tok;
  int nonzero = 0;
  const std::vector<std::string> texts = Texts();
  ASSERT_GE(texts.size(), 6u);
  for (const std::string& text : texts) {
    const size_t nl = text.find('\n');
    std::vector<std::string> stems = tok.Stems(text.substr(0, nl));
    if (nl != std::string::npos) {
      for (std::string& s : tok.Stems(text.substr(nl + 1))) stems.push_back(std::move(s));
    }
    auto whole = (*m)->Embed(text);
    ASSERT_TRUE(whole);
    EXPECT_EQ((*m)->EmbedStems(stems), *whole) << text;
    nonzero += std::any_of(whole->begin(), whole->end(), [](float x) { return x != 0; });
  }
  EXPECT_GE(nonzero, 6);
}

}  // namespace
}  // namespace coolpapers::search
