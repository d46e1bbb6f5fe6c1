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

TEST(NodeLiveness, AnUnschedulableReasonKeepsANodeReadyButOutOfPlacements) {
  NodeLiveness live(1000);
  EXPECT_FALSE(live.Heard("n1", 0, "free disk 10 MiB is below the 1024 MiB threshold"));
  EXPECT_TRUE(live.IsReady("n1"));
  EXPECT_FALSE(live.IsSchedulable("n1"));
  EXPECT_EQ(live.UnschedulableReason("n1"), "free disk 10 MiB is below the 1024 MiB threshold");
  EXPECT_FALSE(live.Heard("n1", 100, "still full"));
  // The reason cleared: schedulable again, which the caller must act on.
  EXPECT_TRUE(live.Heard("n1", 200));
  EXPECT_TRUE(live.IsSchedulable("n1"));
  EXPECT_EQ(live.UnschedulableReason("n1"), "");
  EXPECT_FALSE(live.Heard("n1", 300));
}

TEST(NodeLiveness, PendingCleanupIsShownButLeavesTheNodeSchedulable) {
  NodeLiveness live(5000);
  EXPECT_TRUE(live.Heard("n1", 0, "", "1 scratch cleanup pending"));
  EXPECT_TRUE(live.IsSchedulable("n1"));
  EXPECT_EQ(live.CleanupPending("n1"), "1 scratch cleanup pending");
  EXPECT_FALSE(live.Heard("n1", 100));
  EXPECT_EQ(live.CleanupPending("n1"), "") << "a status without the note clears it";
  EXPECT_EQ(live.CleanupPending("unknown"), "");
}

TEST(NodeLiveness, RestartTtlsGivesKnownNodesAFreshTtlButReadiesNone) {
  NodeLiveness live(1000);
  live.Heard("fresh", 0);
  live.Heard("gone", 0);
  EXPECT_EQ(live.Expire(1001), (std::vector<std::string>{"fresh", "gone"}));
  live.Heard("fresh", 900);  // heard again before a failover at 950
  live.RestartTtls(950);
  EXPECT_FALSE(live.IsReady("gone"));
  EXPECT_TRUE(live.IsReady("fresh"));
  EXPECT_TRUE(live.Expire(1920).empty());  // 1020 ms after it was heard, 970 after the restart
  EXPECT_EQ(live.Expire(1951), std::vector<std::string>{"fresh"});
}

TEST(NodeLiveness, AWatchedNodeThatStaysSilentPassesItsTtlWithoutEverBeingReady) {
  NodeLiveness live(1000);
  live.Heard("known", 0);
  live.Watch("known", 5000);  // no-op: it has its own history
  EXPECT_TRUE(live.IsSilentPastTtl("known", 1001));
  live.Watch("from-state", 2000);
  EXPECT_FALSE(live.IsReady("from-state"));
  EXPECT_FALSE(live.IsSilentPastTtl("from-state", 3000));
  EXPECT_TRUE(live.IsSilentPastTtl("from-state", 3001));
  EXPECT_EQ(live.Expire(3001), std::vector<std::string>{"known"}) << "only ready nodes expire";
  EXPECT_TRUE(live.Heard("from-state", 3100));
  EXPECT_FALSE(live.IsSilentPastTtl("from-state", 3200));
  EXPECT_FALSE(live.IsSilentPastTtl("never-seen", 1'000'000));
}

}  // namespace
}  // namespace gantry::coordinator
