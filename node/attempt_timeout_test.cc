// AttemptTable's timeout bookkeeping (timeout.attemptDurationSeconds) on a
// FakeClock: deadlines, expiry exactly once, and no timeout for an attempt
// that ended or was stopped first.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "gantry/clock.h"
#include "node/attempt_table.h"

namespace gantry::node {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

protocol::AttemptEnded Ended(const std::string& id) {
  protocol::AttemptEnded r;
  r.nodeId = "n1";
  r.bootId = "b1";
  r.attemptId = id;
  r.exitCode = 0;
  r.reason = "Essential container in task exited";
  return r;
}

class AttemptTimeoutTest : public ::testing::Test {
 protected:
  // Launches and starts `id` now, with a timeout of `seconds`.
  void Start(const std::string& id, uint32_t seconds) {
    ASSERT_EQ(table_.OnLaunch(id, Now()), LaunchDecision::kLaunch);
    table_.OnStarted(id);
    table_.ArmTimeout(id, Now(), seconds);
  }
  int64_t Now() const { return clock_.MonotonicMillis(); }

  FakeClock clock_;
  AttemptTable table_;
};

TEST_F(AttemptTimeoutTest, ExpiresAtTheDeadlineExactlyOnce) {
  const int64_t started = Now();
  Start("a1", 5);
  EXPECT_EQ(table_.NextDeadline(), std::optional<int64_t>(started + 5000));
  clock_.Advance(4999);
  EXPECT_THAT(table_.TakeExpired(Now()), IsEmpty());
  EXPECT_FALSE(table_.TimedOut("a1"));
  clock_.Advance(1);
  EXPECT_THAT(table_.TakeExpired(Now()), ElementsAre("a1"));
  EXPECT_TRUE(table_.TimedOut("a1"));
  // Being stopped now: no timer is needed and it is not returned again.
  EXPECT_EQ(table_.NextDeadline(), std::nullopt);
  clock_.Advance(60'000);
  EXPECT_THAT(table_.TakeExpired(Now()), IsEmpty());
  EXPECT_TRUE(table_.IsRunning("a1"));  // until its processes are gone
}

TEST_F(AttemptTimeoutTest, AttemptThatEndsFirstNeverTimesOutAndReleasesItsDeadline) {
  Start("a1", 5);
  clock_.Advance(4000);
  ASSERT_FALSE(table_.OnEnded(Ended("a1"), Now()).has_value());
  EXPECT_EQ(table_.NextDeadline(), std::nullopt);
  clock_.Advance(10'000);
  EXPECT_THAT(table_.TakeExpired(Now()), IsEmpty());
  EXPECT_FALSE(table_.TimedOut("a1"));
}

TEST_F(AttemptTimeoutTest, NextDeadlineIsTheEarliestAndExpiredComeSorted) {
  const int64_t t0 = Now();
  Start("late", 30);
  Start("b", 10);
  Start("a", 10);
  Start("none", 1);
  ASSERT_FALSE(table_.OnEnded(Ended("none"), Now()).has_value());  // ended: never expires
  EXPECT_EQ(table_.NextDeadline(), std::optional<int64_t>(t0 + 10'000));
  clock_.Advance(10'000);
  EXPECT_THAT(table_.TakeExpired(Now()), ElementsAre("a", "b"));
  EXPECT_EQ(table_.NextDeadline(), std::optional<int64_t>(t0 + 30'000));
  EXPECT_FALSE(table_.TimedOut("late"));
}

TEST_F(AttemptTimeoutTest, KillRequestedFirstCancelsTheTimeout) {
  Start("a1", 5);
  ASSERT_TRUE(table_.OnKillRequested("a1", "Terminated: user asked"));
  EXPECT_EQ(table_.NextDeadline(), std::nullopt);
  clock_.Advance(5000);
  EXPECT_THAT(table_.TakeExpired(Now()), IsEmpty());
  EXPECT_FALSE(table_.TimedOut("a1"));
  EXPECT_EQ(table_.KillReason("a1"), "Terminated: user asked");
}

TEST_F(AttemptTimeoutTest, TimeoutFirstWinsOverALaterKill) {
  Start("a1", 1);
  table_.NextStatusSequence();
  clock_.Advance(1000);
  ASSERT_THAT(table_.TakeExpired(Now()), ElementsAre("a1"));
  EXPECT_FALSE(table_.OnKillRequested("a1", "Terminated: user asked"));
  EXPECT_EQ(table_.KillReason("a1"), "");  // the reason stays the signal's
  // Already being stopped: a NodeStatusAck that omits it does not stop it again.
  EXPECT_THAT(*table_.AttemptsToKill(protocol::NodeStatusAck{1, {}}), IsEmpty());
}

TEST_F(AttemptTimeoutTest, ArmingAnAttemptThatIsNotRunningDoesNothing) {
  table_.ArmTimeout("nope", Now(), 1);
  EXPECT_EQ(table_.NextDeadline(), std::nullopt);
  Start("a1", 1);
  ASSERT_FALSE(table_.OnEnded(Ended("a1"), Now()).has_value());
  table_.ArmTimeout("a1", Now(), 1);
  EXPECT_EQ(table_.NextDeadline(), std::nullopt);
}

TEST_F(AttemptTimeoutTest, ArrayChildIdsWithAColonWork) {
  Start("6f1c2a9e-0b7d-4c1e-9a53-2d8f4e7b1c00:3-1", 2);
  clock_.Advance(2000);
  EXPECT_THAT(table_.TakeExpired(Now()), ElementsAre("6f1c2a9e-0b7d-4c1e-9a53-2d8f4e7b1c00:3-1"));
}

TEST_F(AttemptTimeoutTest, AgentStopCancelsTheTimeoutAndWinsOverALaterKill) {
  Start("a1", 5);
  EXPECT_EQ(table_.AgentStopReason("a1"), "");
  ASSERT_TRUE(table_.OnAgentStop("a1", "Job scratch disk exceeded its request"));
  EXPECT_FALSE(table_.OnAgentStop("a1", "again")) << "only the first stop counts";
  EXPECT_FALSE(table_.OnKillRequested("a1", "Terminated: later"));
  EXPECT_EQ(table_.NextDeadline(), std::nullopt);
  clock_.Advance(5000);
  EXPECT_THAT(table_.TakeExpired(Now()), IsEmpty());
  EXPECT_EQ(table_.AgentStopReason("a1"), "Job scratch disk exceeded its request");
  EXPECT_EQ(table_.KillReason("a1"), "");
}

TEST_F(AttemptTimeoutTest, TimeoutIsAnAgentStopReason) {
  Start("a1", 1);
  clock_.Advance(1000);
  ASSERT_THAT(table_.TakeExpired(Now()), ElementsAre("a1"));
  EXPECT_EQ(table_.AgentStopReason("a1"), "Job attempt duration exceeded timeout");
  EXPECT_FALSE(table_.OnAgentStop("a1", "Job scratch disk exceeded its request"));
}

}  // namespace
}  // namespace gantry::node
