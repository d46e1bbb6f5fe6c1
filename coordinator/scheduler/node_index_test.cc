#include "coordinator/scheduler/node_index.h"

#include <gtest/gtest.h>

namespace gantry::coordinator {
namespace {

TEST(NodeIndex, EmptyIndexHasNoFitAndNoMostFree) {
  NodeIndex index;
  EXPECT_TRUE(index.empty());
  EXPECT_EQ(index.BestFit({1, 1, 0}), std::nullopt);
  EXPECT_EQ(index.MostFree(), std::nullopt);
}

TEST(NodeIndex, BestFitPrefersLeastVcpusThenMemoryThenDiskThenSlot) {
  NodeIndex index;
  index.Insert(0, {8, 4096, 100});
  index.Insert(1, {4, 8192, 100});
  index.Insert(2, {4, 4096, 200});
  index.Insert(3, {4, 4096, 100});
  index.Insert(4, {4, 4096, 100});
  EXPECT_EQ(index.BestFit({2, 1024, 50}), 3u);
  EXPECT_EQ(index.BestFit({2, 1024, 150}), 2u);
  EXPECT_EQ(index.BestFit({2, 5000, 0}), 1u);
  EXPECT_EQ(index.BestFit({5, 0, 0}), 0u);
  EXPECT_EQ(index.BestFit({9, 0, 0}), std::nullopt);
  EXPECT_EQ(index.MostFree(), 0u);
}

TEST(NodeIndex, SkipsGroupsWithoutEnoughMemory) {
  NodeIndex index;
  index.Insert(0, {2, 512, 0});
  index.Insert(1, {3, 256, 0});
  index.Insert(2, {7, 4096, 0});
  EXPECT_EQ(index.BestFit({1, 1024, 0}), 2u);
}

TEST(NodeIndex, JumpsOverMemoryValuesWithoutEnoughDisk) {
  NodeIndex index;
  index.Insert(0, {4, 1000, 5});
  index.Insert(1, {4, 2000, 5});
  index.Insert(2, {4, 2000, 50});
  index.Insert(3, {4, 3000, 5});
  index.Insert(4, {4, 4000, 60});
  EXPECT_EQ(index.BestFit({1, 500, 10}), 2u);
  EXPECT_EQ(index.BestFit({1, 500, 55}), 4u);
  EXPECT_EQ(index.BestFit({1, 500, 61}), std::nullopt);
}

TEST(NodeIndex, UpdateMovesNodeBetweenGroups) {
  NodeIndex index;
  index.Insert(0, {8, 4096, 0});
  index.Insert(1, {6, 4096, 0});
  EXPECT_EQ(index.BestFit({5, 0, 0}), 1u);
  index.Update(1, {6, 4096, 0}, {1, 3000, 0});
  EXPECT_EQ(index.BestFit({5, 0, 0}), 0u);
  EXPECT_EQ(index.BestFit({1, 0, 0}), 1u);
  index.Update(0, {8, 4096, 0}, {0, 0, 0});
  EXPECT_EQ(index.MostFree(), 1u);
  EXPECT_EQ(index.size(), 2u);
}

}  // namespace
}  // namespace gantry::coordinator
