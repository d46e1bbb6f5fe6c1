#include "node/leader_tracker.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace gantry::node {
namespace {

using ::testing::ElementsAre;

protocol::ErrorReply Reply(StatusCode code, std::string message) {
  return protocol::ErrorReply{static_cast<uint8_t>(code), std::move(message)};
}

TEST(LeaderTracker, NoLeaderUntilAStatusAckAndReportsGoEverywhere) {
  LeaderTracker t(3);
  EXPECT_FALSE(t.leader().has_value());
  EXPECT_THAT(t.ReportTargets(), ElementsAre(0, 1, 2));
  EXPECT_TRUE(t.IsReportTarget(1));
  EXPECT_FALSE(t.IsReportTarget(3));
}

TEST(LeaderTracker, TheLastConnectionToAckLeads) {
  LeaderTracker t(3);
  EXPECT_TRUE(t.OnStatusAck(1));
  EXPECT_EQ(t.leader(), std::optional<size_t>(1));
  EXPECT_THAT(t.ReportTargets(), ElementsAre(1));
  EXPECT_FALSE(t.IsReportTarget(0));
  EXPECT_FALSE(t.OnStatusAck(1));  // every heartbeat: no change to log
  EXPECT_TRUE(t.OnStatusAck(2));
  EXPECT_EQ(t.leader(), std::optional<size_t>(2));
  EXPECT_THAT(t.ReportTargets(), ElementsAre(2));
}

TEST(LeaderTracker, TheLeaderRefusingOrDroppingForgetsIt) {
  LeaderTracker t(2);
  ASSERT_TRUE(t.OnStatusAck(0));
  EXPECT_TRUE(t.OnUnavailable(0));
  EXPECT_FALSE(t.leader().has_value());
  EXPECT_THAT(t.ReportTargets(), ElementsAre(0, 1));
  EXPECT_FALSE(t.OnUnavailable(0));

  ASSERT_TRUE(t.OnStatusAck(1));
  EXPECT_TRUE(t.OnDisconnected(1));
  EXPECT_FALSE(t.leader().has_value());
}

TEST(LeaderTracker, AFollowerRefusingOrDroppingChangesNothing) {
  LeaderTracker t(3);
  ASSERT_TRUE(t.OnStatusAck(2));
  EXPECT_FALSE(t.OnUnavailable(0));
  EXPECT_FALSE(t.OnDisconnected(1));
  EXPECT_EQ(t.leader(), std::optional<size_t>(2));
}

TEST(LeaderTracker, ASingleConnectionIsTheTargetWhetherLeaderOrNot) {
  LeaderTracker t(1);
  EXPECT_THAT(t.ReportTargets(), ElementsAre(0));
  ASSERT_TRUE(t.OnStatusAck(0));
  EXPECT_THAT(t.ReportTargets(), ElementsAre(0));
  ASSERT_TRUE(t.OnUnavailable(0));
  EXPECT_THAT(t.ReportTargets(), ElementsAre(0));
}

TEST(IsNotLeaderReply, MatchesOnlyAFollowersRefusal) {
  EXPECT_TRUE(IsNotLeaderReply(Reply(StatusCode::kUnavailable, "not the leader")));
  EXPECT_TRUE(IsNotLeaderReply(Reply(StatusCode::kUnavailable,
                                     "not the leader; the leader is replica 2 at 127.0.0.1:7421")));
  EXPECT_TRUE(
      IsNotLeaderReply(Reply(StatusCode::kUnavailable, "not the leader; no leader is known")));
  EXPECT_FALSE(IsNotLeaderReply(Reply(StatusCode::kUnavailable, "store busy")));
  EXPECT_FALSE(IsNotLeaderReply(Reply(StatusCode::kInvalidArgument, "not the leader")));
}

}  // namespace
}  // namespace gantry::node
