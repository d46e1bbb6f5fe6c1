#include "coordinator/scheduler/shape_set.h"

#include <gtest/gtest.h>

namespace gantry::coordinator {
namespace {

TEST(FailedShapes, CoversLargerOrEqualShapesOnly) {
  FailedShapes failed;
  EXPECT_FALSE(failed.Covers({1, 1, 1}));
  failed.Add({4, 1024, 10});
  EXPECT_TRUE(failed.Covers({4, 1024, 10}));
  EXPECT_TRUE(failed.Covers({8, 2048, 10}));
  EXPECT_FALSE(failed.Covers({8, 512, 10}));
  EXPECT_FALSE(failed.Covers({3, 4096, 100}));
}

TEST(FailedShapes, KeepsOnlyMinimalShapes) {
  FailedShapes failed;
  failed.Add({8, 2048, 0});
  failed.Add({8, 4096, 0});  // already covered
  EXPECT_EQ(failed.size(), 1u);
  failed.Add({4, 1024, 0});  // covers the first
  EXPECT_EQ(failed.size(), 1u);
  failed.Add({1, 8192, 0});  // incomparable
  EXPECT_EQ(failed.size(), 2u);
  EXPECT_TRUE(failed.Covers({2, 9000, 0}));
}

TEST(FailedShapes, StopsGrowingAtItsLimit) {
  FailedShapes failed;
  for (uint32_t i = 0; i < 100; ++i) failed.Add({i, 1000 - i, 0});
  EXPECT_EQ(failed.size(), FailedShapes::kMaxShapes);
  EXPECT_TRUE(failed.Covers({0, 1000, 0}));
  EXPECT_FALSE(failed.Covers({99, 901, 0}));  // dropped: a search will answer instead
}

TEST(CapacityFrontier, AnswersWhetherAnyNodeCouldFit) {
  CapacityFrontier none;
  none.Finish();
  EXPECT_TRUE(none.empty());
  EXPECT_FALSE(none.AnyFits({0, 0, 0}));

  CapacityFrontier totals;
  totals.Add({64, 4096, 100});
  totals.Add({4, 262144, 100});
  totals.Add({16, 4096, 50});  // dominated by the first
  totals.Add({64, 4096, 100});
  totals.Finish();
  EXPECT_EQ(totals.size(), 2u);
  EXPECT_EQ(totals.max(), (Shape{64, 262144, 100}));
  EXPECT_TRUE(totals.AnyFits({32, 4096, 0}));
  EXPECT_TRUE(totals.AnyFits({4, 100000, 0}));
  EXPECT_FALSE(totals.AnyFits({32, 65536, 0}));
  EXPECT_FALSE(totals.AnyFits({1, 1, 101}));
}

}  // namespace
}  // namespace gantry::coordinator
