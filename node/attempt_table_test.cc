#include "node/attempt_table.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace gantry::node {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

constexpr uint16_t kStarted = static_cast<uint16_t>(protocol::MessageType::kAttemptStarted);
constexpr uint16_t kEnded = static_cast<uint16_t>(protocol::MessageType::kAttemptEnded);

protocol::AttemptEnded Ended(const std::string& id) {
  protocol::AttemptEnded r;
  r.nodeId = "n1";
  r.bootId = "b1";
  r.attemptId = id;
  r.exitCode = 0;
  r.reason = "Essential container in task exited";
  return r;
}

protocol::NodeStatusAck Ack(uint64_t sequence, std::vector<std::string> current) {
  return protocol::NodeStatusAck{sequence, std::move(current)};
}

std::vector<std::string> Ids(const std::vector<const protocol::AttemptEnded*>& reports) {
  std::vector<std::string> ids;
  for (const auto* r : reports) ids.push_back(r->attemptId);
  return ids;
}

TEST(AttemptTable, LaunchesOnceWhileRunning) {
  AttemptTable t;
  EXPECT_EQ(t.OnLaunch("a1", 0), LaunchDecision::kLaunch);
  EXPECT_EQ(t.OnLaunch("a1", 1), LaunchDecision::kAlreadyRunning);
  EXPECT_THAT(t.RunningAttempts(), ElementsAre("a1"));
}

TEST(AttemptTable, IgnoresLaunchOfRecentlyEndedAttempt) {
  AttemptTable t(AttemptTableOptions{.recent_ended_ttl_ms = 1000});
  ASSERT_EQ(t.OnLaunch("a1", 0), LaunchDecision::kLaunch);
  EXPECT_FALSE(t.OnEnded(Ended("a1"), 10).has_value());
  EXPECT_THAT(t.RunningAttempts(), IsEmpty());
  EXPECT_EQ(t.OnLaunch("a1", 500), LaunchDecision::kRecentlyEnded);
  // Still pending a report: still known.
  EXPECT_EQ(t.OnLaunch("a1", 5000), LaunchDecision::kRecentlyEnded);
  ASSERT_TRUE(t.OnReportAck({"a1", kEnded}));
  EXPECT_EQ(t.OnLaunch("a1", 5000), LaunchDecision::kLaunch);
}

TEST(AttemptTable, ForgetsEndedAttemptsPastTheBound) {
  AttemptTable t(AttemptTableOptions{.max_recent_ended = 2});
  for (std::string id : {"a1", "a2", "a3"}) {
    ASSERT_EQ(t.OnLaunch(id, 0), LaunchDecision::kLaunch);
    ASSERT_FALSE(t.OnEnded(Ended(id), 0).has_value());
    ASSERT_TRUE(t.OnReportAck({id, kEnded}));
  }
  EXPECT_EQ(t.OnLaunch("a1", 0), LaunchDecision::kLaunch);
  EXPECT_EQ(t.OnLaunch("a2", 0), LaunchDecision::kRecentlyEnded);
  EXPECT_EQ(t.OnLaunch("a3", 0), LaunchDecision::kRecentlyEnded);
}

TEST(AttemptTable, StartedReportPendsUntilAcked) {
  AttemptTable t;
  ASSERT_EQ(t.OnLaunch("a1", 0), LaunchDecision::kLaunch);
  t.OnStarted("a1");
  t.OnStarted("a1");
  EXPECT_THAT(t.PendingStarted(), ElementsAre("a1"));
  EXPECT_FALSE(t.OnReportAck({"a1", kEnded}));  // the wrong report type acks nothing
  EXPECT_THAT(t.PendingStarted(), ElementsAre("a1"));
  EXPECT_TRUE(t.OnReportAck({"a1", kStarted}));
  EXPECT_THAT(t.PendingStarted(), IsEmpty());
}

TEST(AttemptTable, EndedReportSupersedesStartedAndPendsUntilAcked) {
  AttemptTable t;
  ASSERT_EQ(t.OnLaunch("a1", 0), LaunchDecision::kLaunch);
  ASSERT_EQ(t.OnLaunch("a2", 0), LaunchDecision::kLaunch);
  t.OnStarted("a1");
  t.OnStarted("a2");
  EXPECT_FALSE(t.OnEnded(Ended("a2"), 0).has_value());
  EXPECT_FALSE(t.OnEnded(Ended("a1"), 0).has_value());
  EXPECT_THAT(t.PendingStarted(), IsEmpty());
  EXPECT_THAT(Ids(t.PendingEnded()), ElementsAre("a2", "a1"));  // in end order
  EXPECT_TRUE(t.OnReportAck({"a2", kEnded}));
  EXPECT_FALSE(t.OnReportAck({"a2", kEnded}));
  EXPECT_THAT(Ids(t.PendingEnded()), ElementsAre("a1"));
}

TEST(AttemptTable, DropsOldestEndedReportPastTheBound) {
  AttemptTable t(AttemptTableOptions{.max_pending_ended = 2});
  for (std::string id : {"a1", "a2"}) {
    ASSERT_EQ(t.OnLaunch(id, 0), LaunchDecision::kLaunch);
    ASSERT_FALSE(t.OnEnded(Ended(id), 0).has_value());
  }
  ASSERT_EQ(t.OnLaunch("a3", 0), LaunchDecision::kLaunch);
  EXPECT_EQ(t.OnEnded(Ended("a3"), 0), std::optional<std::string>("a1"));
  EXPECT_THAT(Ids(t.PendingEnded()), ElementsAre("a2", "a3"));
}

TEST(AttemptTable, KeepsTheFirstKillReason) {
  AttemptTable t;
  EXPECT_FALSE(t.OnKillRequested("nope", "Terminated: x"));
  ASSERT_EQ(t.OnLaunch("a1", 0), LaunchDecision::kLaunch);
  EXPECT_EQ(t.KillReason("a1"), "");
  EXPECT_TRUE(t.OnKillRequested("a1", "Terminated: first"));
  EXPECT_FALSE(t.OnKillRequested("a1", "Terminated: second"));
  EXPECT_EQ(t.KillReason("a1"), "Terminated: first");
}

TEST(AttemptTable, KeepsEachRunningAttemptsFencingToken) {
  AttemptTable t;
  ASSERT_EQ(t.OnLaunch("a1", 0, 41), LaunchDecision::kLaunch);
  ASSERT_EQ(t.OnLaunch("a2", 0, 42), LaunchDecision::kLaunch);
  // A duplicate launch does not replace the token of the attempt that runs.
  EXPECT_EQ(t.OnLaunch("a1", 1, 99), LaunchDecision::kAlreadyRunning);
  EXPECT_EQ(t.FencingToken("a1"), std::optional<uint64_t>(41));
  EXPECT_EQ(t.FencingToken("a2"), std::optional<uint64_t>(42));
  EXPECT_EQ(t.FencingToken("nope"), std::nullopt);
  ASSERT_FALSE(t.OnEnded(Ended("a1"), 2).has_value());
  EXPECT_EQ(t.FencingToken("a1"), std::nullopt);  // the end report carries it from here
}

TEST(AttemptTable, AgentStopKeepsItsInterruptionAndBlocksLaterKills) {
  AttemptTable t;
  ASSERT_EQ(t.OnLaunch("a1", 0), LaunchDecision::kLaunch);
  ASSERT_EQ(t.OnLaunch("a2", 0), LaunchDecision::kLaunch);
  ASSERT_TRUE(t.OnAgentStop("a1", "Node reclaimed: n1", protocol::InterruptionKind::kReclaimed));
  EXPECT_FALSE(t.OnAgentStop("a1", "other", protocol::InterruptionKind::kDrained));
  EXPECT_FALSE(t.OnKillRequested("a1", "Terminated: user"));
  EXPECT_EQ(t.AgentStopReason("a1"), "Node reclaimed: n1");
  EXPECT_EQ(t.StopInterruption("a1"), std::optional(protocol::InterruptionKind::kReclaimed));
  // A stop that is the job's own business is no interruption.
  ASSERT_TRUE(t.OnAgentStop("a2", "scratch disk past its request"));
  EXPECT_EQ(t.StopInterruption("a2"), std::nullopt);
}

TEST(AttemptTable, NumbersStatusesFromOne) {
  AttemptTable t;
  EXPECT_EQ(t.last_status_sequence(), 0u);
  EXPECT_EQ(t.NextStatusSequence(), 1u);
  EXPECT_EQ(t.NextStatusSequence(), 2u);
  EXPECT_EQ(t.last_status_sequence(), 2u);
}

TEST(AttemptTable, AckKillsUnlistedAttemptsLaunchedBeforeItsStatus) {
  AttemptTable t;
  t.NextStatusSequence();                                    // status 1
  ASSERT_EQ(t.OnLaunch("old", 0), LaunchDecision::kLaunch);  // listed from status 2
  ASSERT_EQ(t.OnLaunch("kept", 0), LaunchDecision::kLaunch);
  t.NextStatusSequence();                                    // status 2
  ASSERT_EQ(t.OnLaunch("new", 0), LaunchDecision::kLaunch);  // listed from status 3

  // The ack of status 1 cannot know about any of them.
  EXPECT_THAT(*t.AttemptsToKill(Ack(1, {})), IsEmpty());
  // The ack of status 2 knows "old" and "kept", and lists only "kept".
  EXPECT_THAT(*t.AttemptsToKill(Ack(2, {"kept"})), ElementsAre("old"));
}

TEST(AttemptTable, AckDoesNotRepeatKillsInProgress) {
  AttemptTable t;
  ASSERT_EQ(t.OnLaunch("a1", 0), LaunchDecision::kLaunch);
  t.NextStatusSequence();
  ASSERT_THAT(*t.AttemptsToKill(Ack(1, {})), ElementsAre("a1"));
  ASSERT_TRUE(t.OnKillRequested("a1", "Terminated: gone"));
  EXPECT_THAT(*t.AttemptsToKill(Ack(1, {})), IsEmpty());
}

TEST(AttemptTable, RejectsAckForStatusNeverSent) {
  AttemptTable t;
  t.NextStatusSequence();
  auto r = t.AttemptsToKill(Ack(2, {}));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(t.AttemptsToKill(Ack(0, {})).status().code(), StatusCode::kInvalidArgument);
}

TEST(AttemptTable, EndedAttemptIsNotKilledByLaterAck) {
  AttemptTable t;
  ASSERT_EQ(t.OnLaunch("a1", 0), LaunchDecision::kLaunch);
  t.NextStatusSequence();
  ASSERT_FALSE(t.OnEnded(Ended("a1"), 0).has_value());
  EXPECT_THAT(*t.AttemptsToKill(Ack(1, {})), IsEmpty());
  EXPECT_EQ(t.running_count(), 0u);
}

}  // namespace
}  // namespace gantry::node
