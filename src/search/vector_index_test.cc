#include "search/vector_index.h"

#include <cmath>
#include <cstdio>
#include <map>
#include <random>

#include <gtest/gtest.h>

#include "search/test_util.h"

namespace coolpapers::search {
namespace {

// Clustered random vectors (like topic embeddings): 40 centres, noise around each.
std::vector<std::vector<float>> Clustered(int n, int dim, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<float> g;
  std::vector<std::vector<float>> centres(40, std::vector<float>(dim));
  for (auto& c : centres) {
    for (float& x : c) x = g(rng);
  }
  std::vector<std::vector<float>> out;
  for (int i = 0; i < n; ++i) {
    std::vector<float> v = centres[i % centres.size()];
    for (float& x : v) x += 0.7f * g(rng);
    out.push_back(std::move(v));
  }
  return out;
}

TEST(VectorIndex, AnnRecallAtTenAgainstExactOracle) {
  const int dim = 48;
  auto data = Clustered(4000, dim, 1);
  VectorIndex ann(dim, 100);  // grows as needed
  ExactVectorIndex exact(dim);
  for (size_t i = 0; i < data.size(); ++i) {
    ASSERT_TRUE(ann.Add(i, data[i]).ok());
    exact.Add(i, data[i]);
  }
  EXPECT_EQ(ann.size(), data.size());
  auto queries = Clustered(200, dim, 2);
  int found = 0, total = 0;
  for (const auto& q : queries) {
    auto truth = exact.Search(q, 10);
    auto got = ann.Search(q, 10);
    ASSERT_EQ(truth.size(), 10u);
    ASSERT_EQ(got.size(), 10u);
    for (const auto& t : truth) {
      for (const auto& g : got) found += g.label == t.label;
    }
    total += static_cast<int>(truth.size());
  }
  const double recall = static_cast<double>(found) / total;
  EXPECT_GE(recall, 0.95) << "recall@10 " << recall;
}

// The search breadth is the caller's: a wider one finds at least as many true neighbours, a
// breadth below k still returns k, and the index's own breadth is left alone for others.
TEST(VectorIndex, SearchBreadthPerCall) {
  const int dim = 48;
  auto data = Clustered(4000, dim, 4);
  VectorIndex ann(dim, data.size());
  ExactVectorIndex exact(dim);
  for (size_t i = 0; i < data.size(); ++i) {
    ASSERT_TRUE(ann.Add(i, data[i]).ok());
    exact.Add(i, data[i]);
  }
  auto queries = Clustered(200, dim, 5);
  ASSERT_EQ(queries.size(), 200u);
  std::map<int, int> found;  // breadth -> true neighbours found
  for (const auto& q : queries) {
    auto truth = exact.Search(q, 30);
    ASSERT_EQ(truth.size(), 30u);
    for (int ef : {1, 30, 48, 200}) {
      auto got = ann.Search(q, 30, ef);
      ASSERT_EQ(got.size(), 30u) << "ef " << ef;
      for (size_t i = 1; i < got.size(); ++i) ASSERT_GE(got[i - 1].score, got[i].score);
      for (const auto& t : truth) {
        for (const auto& g : got) found[ef] += g.label == t.label;
      }
    }
    // The default breadth is the index's (HnswOptions::ef_search) whatever came before.
    auto by_default = ann.Search(q, 10);
    auto explicit_default = ann.Search(q, 10, HnswOptions{}.ef_search);
    ASSERT_EQ(by_default.size(), explicit_default.size());
    for (size_t i = 0; i < by_default.size(); ++i) {
      EXPECT_EQ(by_default[i].label, explicit_default[i].label);
    }
  }
  const double total = 200.0 * 30;
  EXPECT_GE(found[200], found[48]);
  EXPECT_GE(found[48] / total, 0.8) << "recall@30 at breadth 48: " << found[48] / total;
  EXPECT_GE(found[200] / total, 0.97) << "recall@30 at breadth 200: " << found[200] / total;
  EXPECT_EQ(found[1], found[30]);  // a breadth below k is k
  std::printf("recall@30 by breadth: 30 %.3f, 48 %.3f, 200 %.3f\n", found[30] / total,
              found[48] / total, found[200] / total);
}

TEST(VectorIndex, ScoresAreCosinesBestFirst) {
  VectorIndex ann(3, 8);
  ASSERT_TRUE(ann.Add(1, {1, 0, 0}).ok());
  ASSERT_TRUE(ann.Add(2, {0, 1, 0}).ok());
  ASSERT_TRUE(ann.Add(3, {1, 1, 0}).ok());
  auto hits = ann.Search({2, 0, 0}, 3);
  ASSERT_EQ(hits.size(), 3u);
  EXPECT_EQ(hits[0].label, 1u);
  EXPECT_NEAR(hits[0].score, 1.0, 1e-5);
  EXPECT_EQ(hits[1].label, 3u);
  EXPECT_NEAR(hits[1].score, 0.7071, 1e-3);
  EXPECT_FALSE(ann.Add(4, {1, 0}).ok());  // wrong dimension
}

// The cosine with a stored vector is read in place: the same as from a copy of it.
TEST(VectorIndex, CosineOfAStoredVector) {
  VectorIndex ann(3, 8);
  ASSERT_TRUE(ann.Add(1, {3, 0, 0}).ok());
  ASSERT_TRUE(ann.Add(2, {1, 1, 0}).ok());
  const std::vector<float> unit = {0.6f, 0.8f, 0.0f};
  auto c1 = ann.Cosine(1, unit);
  auto c2 = ann.Cosine(2, unit);
  ASSERT_TRUE(c1 && c2);
  EXPECT_NEAR(*c1, 0.6, 1e-6);
  EXPECT_NEAR(*c2, (0.6 + 0.8) / std::sqrt(2.0), 1e-6);
  const std::vector<float> copy = ann.Get(2);
  ASSERT_EQ(copy.size(), 3u);
  EXPECT_NEAR(*c2, copy[0] * unit[0] + copy[1] * unit[1] + copy[2] * unit[2], 1e-6);
  // The score Search gives the same vector.
  const std::vector<VectorHit> hits = ann.Search(unit, 2);
  ASSERT_EQ(hits.size(), 2u);
  for (const VectorHit& h : hits) EXPECT_FLOAT_EQ(h.score, *ann.Cosine(h.label, unit)) << h.label;
  EXPECT_FALSE(ann.Cosine(3, unit));              // no such label
  EXPECT_FALSE(ann.Cosine(1, {1.0f, 0.0f}));      // wrong dimension
}

TEST(VectorIndex, SaveLoadRoundTripAndReplace) {
  testing::TempDir dir;
  VectorIndex ann(4, 4);
  ASSERT_TRUE(ann.Add(10, {1, 0, 0, 0}).ok());
  ASSERT_TRUE(ann.Add(11, {0, 1, 0, 0}).ok());
  ASSERT_TRUE(ann.Add(10, {0, 0, 1, 0}).ok());  // replaces label 10
  EXPECT_EQ(ann.size(), 2u);
  ASSERT_TRUE(ann.Save(dir.path() + "/v.hnsw").ok());
  auto loaded = VectorIndex::Load(dir.path() + "/v.hnsw", 4);
  ASSERT_TRUE(loaded) << loaded.error().ToString();
  auto hits = (*loaded)->Search({0, 0, 1, 0}, 1);
  ASSERT_EQ(hits.size(), 1u);
  EXPECT_EQ(hits[0].label, 10u);
  EXPECT_FALSE(VectorIndex::Load(dir.path() + "/missing.hnsw", 4));
}

// The AVX2 distances (where the CPU has them) are the portable ones up to rounding: the same
// data gives graphs that find the same neighbours with the same scores.
TEST(VectorIndex, SimdDistancesFindWhatPortableOnesFind) {
  const int dim = 70;  // not a multiple of the SIMD width: the tail is summed too
  auto data = Clustered(1500, dim, 3);
  HnswOptions portable_opts;
  portable_opts.simd = false;
  VectorIndex simd(dim, data.size());
  VectorIndex portable(dim, data.size(), portable_opts);
  std::vector<uint64_t> labels;
  std::vector<float> rows;
  for (size_t i = 0; i < data.size(); ++i) {
    labels.push_back(i);
    rows.insert(rows.end(), data[i].begin(), data[i].end());
  }
  ASSERT_TRUE(simd.AddMany(labels, rows, 1).ok());
  ASSERT_TRUE(portable.AddMany(labels, rows, 1).ok());
  auto queries = Clustered(100, dim, 4);
  int same = 0, total = 0;
  for (const auto& q : queries) {
    auto a = simd.Search(q, 10);
    auto b = portable.Search(q, 10);
    ASSERT_EQ(a.size(), 10u);
    ASSERT_EQ(b.size(), 10u);
    for (size_t i = 0; i < a.size(); ++i) {
      for (size_t j = 0; j < b.size(); ++j) {
        if (a[i].label != b[j].label) continue;
        ++same;
        EXPECT_NEAR(a[i].score, b[j].score, 1e-5);
      }
    }
    total += 10;
  }
  EXPECT_GE(same, total * 98 / 100);
}

}  // namespace
}  // namespace coolpapers::search
