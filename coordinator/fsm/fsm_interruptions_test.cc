// Node loss, node control and interruptions (reclaim, preemption, drain) in
// the FSM: what each does to attempts and jobs, and the separate budgets.
#include <gtest/gtest.h>

#include "coordinator/fsm/fsm_jobs_fixture.h"

namespace gantry::coordinator::testing {
namespace {

using protocol::InterruptionKind;
using protocol::JobStatus;
using protocol::NodeControl;
using protocol::NodeControlState;

class FsmInterruptionsTest : public FsmJobsTest {
 protected:
  static Command Lost(const std::string& node) {
    Command c{CommandType::kNodeLost};
    c.target = node;
    return c;
  }
  static Command Control(const std::string& node, std::optional<NodeControl> control) {
    Command c{CommandType::kControlNode};
    c.controlNode = ControlNodeCommand{node, std::move(control)};
    return c;
  }
  static NodeControl Reclaiming(int64_t deadline) {
    return NodeControl{.state = NodeControlState::kReclaiming, .reason = "spot", .deadlineAt = deadline};
  }
  static Command Interrupt(const std::string& attempt, InterruptionKind kind, const std::string& reason) {
    Command c{CommandType::kInterruptAttempts};
    c.interrupt = InterruptAttemptsCommand{{{attempt, {kind, reason}}}};
    return c;
  }
  // Submits `id` with `attempts` retry attempts and places it on n1.
  void Running(const std::string& id, uint32_t attempts = 1, std::optional<uint32_t> preemption_retries = {}) {
    Command s = Submit(id);
    s.submitJob->request.retryStrategy = protocol::RetryStrategy{.attempts = attempts};
    s.submitJob->request.preemptionRetries = preemption_retries;
    MustRun(s);
    MustRun(Place(id));
    MustRun(Started(MakeAttemptId(id, 1)));
  }
};

TEST_F(FsmInterruptionsTest, ALostNodesAttemptsEndAndFollowTheRetryStrategy) {
  Basics();
  Running("retried", 2);
  Running("single", 1);
  ApplyResult r = MustRun(Lost("n1"));
  EXPECT_TRUE(r.schedule);
  EXPECT_EQ(r.notes.size(), 2u);
  const protocol::Job& retried = JobAt("retried");
  EXPECT_EQ(retried.status, JobStatus::kRunnable);
  EXPECT_EQ(retried.attempts[0].statusReason, "Node lost: n1");
  EXPECT_FALSE(retried.attempts[0].interruption) << "a lost node spends an attempt, as any failure does";
  EXPECT_EQ(StatusOf("single"), JobStatus::kFailed);
  EXPECT_EQ(JobAt("single").statusReason, "Node lost: n1");
  EXPECT_TRUE(state_.FindNode("n1")->live_attempts.empty());
  EXPECT_EQ(Run(Lost("nope")).status().code(), StatusCode::kNotFound);
}

TEST_F(FsmInterruptionsTest, EvaluateOnExitCanMatchNodeLost) {
  Basics();
  Command s = Submit("j");
  s.submitJob->request.retryStrategy = protocol::RetryStrategy{
      .attempts = 5, .evaluateOnExit = {{.onStatusReason = "Node lost*", .action = protocol::RetryAction::kExit}}};
  MustRun(s);
  MustRun(Place("j"));
  MustRun(Lost("n1"));
  EXPECT_EQ(StatusOf("j"), JobStatus::kFailed);
}

TEST_F(FsmInterruptionsTest, ALateReportFromTheLostAttemptChangesNothing) {
  Basics();
  Running("j", 2);
  MustRun(Lost("n1"));
  MustRun(Place("j"));
  ApplyResult r = MustRun(Ended("j-1", 0));  // the old attempt finished after all
  ASSERT_EQ(r.notes.size(), 1u);
  EXPECT_NE(r.notes[0].find("stale AttemptEnded for j-1"), std::string::npos);
  EXPECT_EQ(StatusOf("j"), JobStatus::kStarting) << "the job follows its live attempt j-2 only";
  MustRun(Ended("j-2", 0));
  EXPECT_EQ(StatusOf("j"), JobStatus::kSucceeded);
  MustRun(Ended("j-2", 1));
  EXPECT_EQ(StatusOf("j"), JobStatus::kSucceeded) << "a finished job never changes again";
}

TEST_F(FsmInterruptionsTest, AReportWithAnotherFencingTokenIsStale) {
  Basics();
  Running("j");
  const uint64_t token = JobAt("j").attempts[0].fencingToken;
  Command wrong = Ended("j-1", 0);
  wrong.attemptEnded->fencingToken = token + 1;
  EXPECT_NE(MustRun(wrong).notes.at(0).find("stale"), std::string::npos);
  EXPECT_EQ(StatusOf("j"), JobStatus::kRunning);
  Command right = Ended("j-1", 0);
  right.attemptEnded->fencingToken = token;
  MustRun(right);
  EXPECT_EQ(StatusOf("j"), JobStatus::kSucceeded);
}

TEST_F(FsmInterruptionsTest, PreemptionRequeuesWithoutSpendingAttemptsUntilTheBudgetIsSpent) {
  Basics();
  Running("j", /*attempts=*/1, /*preemption_retries=*/2);
  for (uint32_t n = 1; n <= 3; ++n) {
    const std::string attempt = MakeAttemptId("j", n);
    if (n > 1) {
      MustRun(Place("j"));
      MustRun(Started(attempt));
    }
    ApplyResult r = MustRun(Interrupt(attempt, InterruptionKind::kPreempted, "Preempted by job x"));
    ASSERT_EQ(r.kills.size(), 1u);
    EXPECT_EQ(r.kills[0].attemptId, attempt);
    MustRun(Ended(attempt, std::nullopt, "Job attempt killed"));  // SIGKILLed: no exit code
    const protocol::Attempt& a = JobAt("j").attempts.back();
    ASSERT_TRUE(a.interruption);
    EXPECT_EQ(a.statusReason, "Preempted by job x");
    if (n <= 2) {
      EXPECT_EQ(StatusOf("j"), JobStatus::kRunnable) << n;
      EXPECT_EQ(JobAt("j").statusReason,
                "Preempted by job x; requeued (interruption " + std::to_string(n) + " of 2 allowed)");
    }
  }
  EXPECT_EQ(StatusOf("j"), JobStatus::kFailed);
  EXPECT_EQ(JobAt("j").statusReason,
            "Preemption retries exhausted: interrupted 3 times, preemptionRetries is 2 (last: Preempted by job x)");
}

TEST_F(FsmInterruptionsTest, InterruptionsLeaveTheRetryStrategyWhole) {
  Basics();
  Running("j", /*attempts=*/2);
  MustRun(Interrupt("j-1", InterruptionKind::kDrained, "Node drained: n1 (deadline passed)"));
  MustRun(Ended("j-1", 143));
  MustRun(Place("j"));
  MustRun(Ended("j-2", 1));
  EXPECT_EQ(StatusOf("j"), JobStatus::kRunnable) << "one real failure of two allowed";
  EXPECT_EQ(JobAt("j").statusReason.substr(0, 24), "attempt 1 of 2 failed (E");
  MustRun(Place("j"));
  MustRun(Ended("j-3", 1));
  EXPECT_EQ(StatusOf("j"), JobStatus::kFailed);
}

TEST_F(FsmInterruptionsTest, AJobThatSucceedsInsideItsGraceSucceeds) {
  Basics();
  Running("j");
  MustRun(Interrupt("j-1", InterruptionKind::kPreempted, "Preempted by job x"));
  MustRun(Ended("j-1", 0));
  EXPECT_EQ(StatusOf("j"), JobStatus::kSucceeded);
  EXPECT_FALSE(JobAt("j").attempts[0].interruption);
}

TEST_F(FsmInterruptionsTest, TerminationWinsOverInterruption) {
  Basics();
  Running("j");
  MustRun(Terminate("j"));
  ApplyResult r = MustRun(Interrupt("j-1", InterruptionKind::kPreempted, "Preempted by job x"));
  EXPECT_TRUE(r.kills.empty());
  MustRun(Ended("j-1", std::nullopt));
  EXPECT_EQ(StatusOf("j"), JobStatus::kFailed);
  EXPECT_EQ(JobAt("j").statusReason, "operator stop");
}

TEST_F(FsmInterruptionsTest, QueueSetsThePreemptionBudgetWhenTheJobDoesNot) {
  Basics();
  Command u{CommandType::kUpdateJobQueue};
  u.updateJobQueue = protocol::UpdateJobQueueRequest{.jobQueue = "q", .preemptionRetries = 0};
  MustRun(u);
  Running("j", 3);
  MustRun(Interrupt("j-1", InterruptionKind::kPreempted, "Preempted by job x"));
  MustRun(Ended("j-1", std::nullopt));
  EXPECT_EQ(StatusOf("j"), JobStatus::kFailed);
}

TEST_F(FsmInterruptionsTest, ReclaimMarksAttemptsAndAnyEndCountsAsReclaimed) {
  Basics();
  Running("j", 1);
  ApplyResult r = MustRun(Control("n1", Reclaiming(/*deadline=*/10'000'000'000'000)));
  ASSERT_TRUE(r.reclaimGraceMs);
  EXPECT_GT(*r.reclaimGraceMs, 0);
  EXPECT_EQ(state_.FindNode("n1")->node.ControlState(), NodeControlState::kReclaiming);
  EXPECT_EQ(JobAt("j").attempts[0].interruption->kind, InterruptionKind::kReclaimed);
  MustRun(Ended("j-1", 143));  // the job's own exit after SIGTERM
  EXPECT_EQ(StatusOf("j"), JobStatus::kRunnable) << "requeued although it had one attempt";
  EXPECT_EQ(JobAt("j").attempts[0].statusReason, "Node reclaimed: n1");
}

TEST_F(FsmInterruptionsTest, ALostNodeBeingReclaimedEndsItsAttemptsAsReclaimed) {
  Basics();
  Running("j", 1);
  MustRun(Control("n1", Reclaiming(100'000)));
  Running("late", 1);  // placed after the notice (a stale plan): not marked yet
  MustRun(Lost("n1"));
  EXPECT_EQ(StatusOf("j"), JobStatus::kRunnable);
  EXPECT_EQ(StatusOf("late"), JobStatus::kRunnable) << "the machine went away with its notice";
  EXPECT_EQ(JobAt("late").attempts[0].statusReason, "Node reclaimed: n1");
}

TEST_F(FsmInterruptionsTest, TheAgentsOwnReclaimReportCountsAsAnInterruption) {
  Basics();
  Running("j", 1);
  Command e = Ended("j-1", std::nullopt, "Node reclaimed: n1");
  e.attemptEnded->interruption = InterruptionKind::kReclaimed;
  MustRun(e);
  EXPECT_EQ(StatusOf("j"), JobStatus::kRunnable);
  EXPECT_EQ(JobAt("j").attempts[0].interruption->reason, "Node reclaimed: n1");
}

TEST_F(FsmInterruptionsTest, ControlSurvivesReregistrationAndReclaimKeepsItsFirstDeadline) {
  Basics();
  MustRun(Control("n1", Reclaiming(100'000)));
  ApplyResult again = MustRun(Control("n1", Reclaiming(900'000)));
  EXPECT_EQ(state_.FindNode("n1")->node.control->deadlineAt, 100'000);
  ASSERT_TRUE(again.reclaimGraceMs);
  EXPECT_EQ(Run(Control("n1", NodeControl{.state = NodeControlState::kCordoned})).status().code(),
            StatusCode::kInvalidArgument);
  Command n{CommandType::kUpsertNode};
  n.node = state_.FindNode("n1")->node;
  n.node->control.reset();
  n.node->capacity.vcpus = 8;  // the agent re-registers with other capacity
  MustRun(n);
  EXPECT_EQ(state_.FindNode("n1")->node.ControlState(), NodeControlState::kReclaiming);
  MustRun(Control("n1", std::nullopt));  // uncordon
  EXPECT_FALSE(state_.FindNode("n1")->node.control);
  EXPECT_EQ(Run(Control("ghost", std::nullopt)).status().code(), StatusCode::kNotFound);
  ExpectReloadMatches({});
}

TEST_F(FsmInterruptionsTest, TheStateDigestFollowsEveryChange) {
  Basics();
  Running("j", 2);
  const std::string before = state_.Digest();
  EXPECT_EQ(before.size(), 16u);
  EXPECT_EQ(state_.Digest(), before) << "deterministic";
  MustRun(Lost("n1"));
  EXPECT_NE(state_.Digest(), before);
  ExpectReloadMatches({"j"});
}

}  // namespace
}  // namespace gantry::coordinator::testing
