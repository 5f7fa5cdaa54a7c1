#include "core/huge_array.h"

#include <cstdint>
#include <utility>

#include <gtest/gtest.h>

namespace coolpapers::core {
namespace {

TEST(HugeArrayTest, StartsFilledAndKeepsWrites) {
  HugeArray<uint32_t> a(3'000'000, 7);  // spans two 2 MiB pages and part of a third
  ASSERT_EQ(a.size(), 3'000'000u);
  EXPECT_GE(a.bytes(), a.size() * sizeof(uint32_t));
  EXPECT_EQ(a.bytes() % HugeArray<uint32_t>::kHugePage, 0u);
  EXPECT_EQ(a[0], 7u);
  EXPECT_EQ(a[a.size() - 1], 7u);
  a[1'234'567] = 42;
  uint64_t sum = 0;
  for (uint32_t v : a) sum += v;
  EXPECT_EQ(sum, uint64_t{7} * (a.size() - 1) + 42);
}

TEST(HugeArrayTest, ZeroedByDefaultAndMovable) {
  HugeArray<uint8_t> a(100);
  for (uint8_t v : a) EXPECT_EQ(v, 0);
  a[99] = 5;
  HugeArray<uint8_t> b(std::move(a));
  EXPECT_TRUE(a.empty());  // NOLINT(bugprone-use-after-move): moved-from is empty
  EXPECT_EQ(b.size(), 100u);
  EXPECT_EQ(b[99], 5);
  HugeArray<uint8_t> c;
  EXPECT_TRUE(c.empty());
  EXPECT_EQ(c.bytes(), 0u);
  c = std::move(b);
  EXPECT_EQ(c[99], 5);
  EXPECT_TRUE(b.empty());  // NOLINT(bugprone-use-after-move)
}

}  // namespace
}  // namespace coolpapers::core
