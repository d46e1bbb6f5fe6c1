#include "coordinator/server/node_liveness.h"

#include <gtest/gtest.h>

namespace gantry::coordinator {
namespace {

TEST(NodeLiveness, UnheardNodeIsNotReady) {
  NodeLiveness live(1000);
  EXPECT_FALSE(live.IsReady("n1"));
  EXPECT_EQ(live.SilentFor("n1", 5), -1);
}

TEST(NodeLiveness, ExpiresAfterTtlAndComesBack) {
  NodeLiveness live(1000);
  EXPECT_TRUE(live.Heard("n1", 0));   // new: became ready
  EXPECT_FALSE(live.Heard("n1", 500));  // already ready
  EXPECT_TRUE(live.Expire(1500).empty());  // 1000 ms silent: not past the TTL
  EXPECT_EQ(live.Expire(1501), std::vector<std::string>{"n1"});
  EXPECT_FALSE(live.IsReady("n1"));
  EXPECT_TRUE(live.Expire(5000).empty());  // reported once
  EXPECT_TRUE(live.Heard("n1", 6000));
  EXPECT_TRUE(live.IsReady("n1"));
  EXPECT_EQ(live.SilentFor("n1", 6250), 250);
}

}  // namespace
}  // namespace gantry::coordinator
