#include "core/venue.h"

#include <gtest/gtest.h>

namespace coolpapers::core {
namespace {

TEST(VenueTest, SplitsAnEditionIntoConferenceAndYear) {
  std::string conf;
  int year = 0;
  ASSERT_TRUE(SplitEdition("ACL.2024", &conf, &year));
  EXPECT_EQ(conf, "ACL");
  EXPECT_EQ(year, 2024);
  ASSERT_TRUE(SplitEdition("Findings.ACL.2023", &conf, &year));
  EXPECT_EQ(conf, "Findings.ACL");
  EXPECT_EQ(year, 2023);
  EXPECT_FALSE(SplitEdition("ACL", &conf, &year));
  EXPECT_FALSE(SplitEdition(".2024", &conf, &year));
  EXPECT_FALSE(SplitEdition("ACL.24", &conf, &year));
  EXPECT_FALSE(SplitEdition("ACL.20x4", &conf, &year));
}

}  // namespace
}  // namespace coolpapers::core
