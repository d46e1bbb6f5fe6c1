// The job invariants of the chaos checker: submissions, attempt
// exclusivity, run records, terminal stability and expected outcomes. Each
// has a history where it holds and one where it is violated.
#include "tests/chaos/checker.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/chaos/checker_test_util.h"

namespace gantry::chaos {
namespace {

using namespace fixtures;  // NOLINT(google-build-using-namespace): the history factories
using protocol::JobStatus;
using ::testing::ElementsAre;
using ::testing::IsEmpty;

// ---- submissions ------------------------------------------------------------

TEST(ChaosChecker, SubmissionsHoldForAckedInfoAndFailedTokens) {
  History h;
  Submit(h, "c1", 10, "a", OpKind::kOk, "j-a");
  Submit(h, "c1", 30, "b", OpKind::kInfo);  // timed out, never created
  Submit(h, "c2", 30, "c", OpKind::kInfo);  // timed out, created all the same
  Submit(h, "c2", 50, "d", OpKind::kFail);  // certainly not created
  h.final_jobs = {MakeFinal("a", "j-a", JobStatus::kSucceeded), MakeFinal("c", "j-c", JobStatus::kFailed)};
  const InvariantResult r = Get(Check(h), "submissions");
  EXPECT_TRUE(r.held()) << ::testing::PrintToString(r.examples);
  EXPECT_EQ(r.checked, 4u);
  EXPECT_EQ(r.counts.at("indeterminate submits absent"), 1u);
  EXPECT_EQ(r.counts.at("indeterminate submits present"), 1u);
}

TEST(ChaosChecker, SubmissionsCatchLostDuplicatedStuckAndPhantomJobs) {
  History h;
  Submit(h, "c1", 10, "a", OpKind::kOk, "j-a");  // lost
  Submit(h, "c1", 30, "b", OpKind::kInfo);       // duplicated
  Submit(h, "c2", 10, "c", OpKind::kOk, "j-c");  // never finished
  Submit(h, "c2", 30, "d", OpKind::kFail);       // failed, yet there
  h.final_jobs = {MakeFinal("b", "j-b1", JobStatus::kSucceeded), MakeFinal("b", "j-b2", JobStatus::kSucceeded),
                  MakeFinal("c", "j-c", JobStatus::kRunning), MakeFinal("d", "j-d", JobStatus::kSucceeded),
                  MakeFinal("e", "j-e", JobStatus::kSucceeded)};  // nobody submitted "e"
  const InvariantResult r = Get(Check(h, AllExamples()), "submissions");
  EXPECT_FALSE(r.held());
  EXPECT_THAT(
      r.examples,
      ElementsAre("token a: submit acknowledged at t=20 as job j-a, which is not in the final state",
                  "token b: 2 final jobs (j-b1, j-b2)", "job j-c (token c) ended RUNNING, not SUCCEEDED or FAILED",
                  "token d: every submit failed (queue not found), yet job j-d is in the final state",
                  "token e: job j-e is in the final state, but no client submitted it"));
  EXPECT_EQ(r.violations, 5u);
}

TEST(ChaosChecker, AnInvokeThatNeverCompletedIsIndeterminate) {
  History h;
  h.ops.push_back(Op(10, "c1", OpKind::kInvoke, OpName::kSubmit, "a"));
  h.final_jobs = {MakeFinal("a", "j-a1", JobStatus::kSucceeded), MakeFinal("a", "j-a2", JobStatus::kSucceeded)};
  const InvariantResult r = Get(Check(h), "submissions");
  EXPECT_THAT(r.examples, ElementsAre("token a: 2 final jobs (j-a1, j-a2)"));
  h.final_jobs.pop_back();
  EXPECT_EQ(Get(Check(h), "submissions").counts.at("indeterminate submits present"), 1u);
}

TEST(ChaosChecker, ExamplesAreCappedButEveryViolationCounted) {
  History h;
  for (int i = 0; i < 9; ++i) Submit(h, "c1", 10 * i, "t" + std::to_string(i), OpKind::kOk);
  const InvariantResult r = Get(Check(h, CheckOptions{.max_examples = 3}), "submissions");
  EXPECT_EQ(r.violations, 9u);
  EXPECT_EQ(r.examples.size(), 3u);
  EXPECT_EQ(r.examples[0], "token t0: submit acknowledged at t=10, but no final job carries the token");
}

// ---- attempt exclusivity ----------------------------------------------------

TEST(ChaosChecker, SequentialAttemptsHoldExclusivity) {
  History h;
  h.final_jobs = {
      MakeFinal("a", "j", JobStatus::kSucceeded, {MakeAttempt(1, "n1", 100, 200), MakeAttempt(2, "n2", 200, 300)})};
  h.runs = {RunAt(110, "n1", "j", 1, true), RunAt(190, "n1", "j", 1, false), RunAt(210, "n2", "j", 2, true),
            RunAt(290, "n2", "j", 2, false)};
  const InvariantResult r = Get(Check(h), "attempt-exclusivity");
  EXPECT_TRUE(r.held()) << ::testing::PrintToString(r.examples);
  EXPECT_EQ(r.checked, 2u);
  EXPECT_THAT(r.counts, IsEmpty());
}

TEST(ChaosChecker, OverlappingRunsOfAnUnfencedAttemptAreAViolation) {
  History h;
  h.final_jobs = {
      MakeFinal("a", "j", JobStatus::kSucceeded, {MakeAttempt(1, "n1", 100, 200), MakeAttempt(2, "n2", 200, 300)})};
  h.runs = {RunAt(110, "n1", "j", 1, true), RunAt(250, "n1", "j", 1, false), RunAt(210, "n2", "j", 2, true),
            RunAt(290, "n2", "j", 2, false)};
  const InvariantResult r = Get(Check(h), "attempt-exclusivity");
  EXPECT_THAT(r.examples, ElementsAre("job j: attempt 1 (node n1) and attempt 2 (node n2) ran at once for 40 ms "
                                      "by the run records; attempt 1 was not fenced (statusReason \"Essential "
                                      "container in task exited\")"));
}

TEST(ChaosChecker, AFencedOverlapIsCountedNotViolated) {
  History h;
  // n1 was partitioned away: the coordinator declared it lost at 200 and
  // placed attempt 2 on n2, while attempt 1 ran on until the agent killed it.
  h.final_jobs = {MakeFinal("a", "j", JobStatus::kSucceeded,
                            {MakeAttempt(1, "n1", 100, 200, "Node lost: n1"), MakeAttempt(2, "n2", 200, 300)})};
  h.runs = {RunAt(110, "n1", "j", 1, true), RunAt(260, "n1", "j", 1, false), RunAt(210, "n2", "j", 2, true),
            RunAt(290, "n2", "j", 2, false)};
  const InvariantResult r = Get(Check(h), "attempt-exclusivity");
  EXPECT_TRUE(r.held()) << ::testing::PrintToString(r.examples);
  EXPECT_EQ(r.counts.at("fenced overlaps"), 1u);

  // The same overlap, bounded tighter than it lasted.
  const InvariantResult bounded =
      Get(Check(h, CheckOptions{.max_examples = 5, .max_fenced_overlap_ms = 30}), "attempt-exclusivity");
  EXPECT_THAT(bounded.examples,
              ElementsAre("job j: attempt 1 (node n1) and attempt 2 (node n2) ran at once for 50 ms by the run "
                          "records, longer than the 30 ms a fenced attempt may outlive its replacement"));
}

TEST(ChaosChecker, AnInterruptedAttemptIsFenced) {
  History h;
  protocol::Attempt preempted = MakeAttempt(1, "n1", 100, 200, "Preempted by job j-hi");
  preempted.interruption = protocol::Interruption{protocol::InterruptionKind::kPreempted, "Preempted by j-hi"};
  h.final_jobs = {MakeFinal("a", "j", JobStatus::kSucceeded, {preempted, MakeAttempt(2, "n1", 200, 300)})};
  h.runs = {RunAt(110, "n1", "j", 1, true), RunAt(220, "n1", "j", 1, false), RunAt(210, "n1", "j", 2, true)};
  const InvariantResult r = Get(Check(h), "attempt-exclusivity");
  EXPECT_TRUE(r.held()) << ::testing::PrintToString(r.examples);
  EXPECT_EQ(r.counts.at("fenced overlaps"), 1u);
}

TEST(ChaosChecker, TwoLiveAttemptsInTheCoordinatorAreAViolation) {
  History h;  // no run records: the coordinator's own times are judged
  h.final_jobs = {MakeFinal("a", "j", JobStatus::kRunning,
                            {MakeAttempt(1, "n1", 100, std::nullopt), MakeAttempt(2, "n2", 200, std::nullopt)})};
  const InvariantResult r = Get(Check(h), "attempt-exclusivity");
  EXPECT_THAT(r.examples, ElementsAre("job j: attempt 1 (node n1) and attempt 2 (node n2) ran at once with no end "
                                      "by the coordinator's times; attempt 1 was not fenced (statusReason \"\")"));
}

TEST(ChaosChecker, ARunWithNoEndRecordEndsAtItsStoppedAt) {
  History h;  // attempt 1 was SIGKILLed (no end record); the coordinator saw it stop at 200
  h.final_jobs = {
      MakeFinal("a", "j", JobStatus::kSucceeded, {MakeAttempt(1, "n1", 100, 200), MakeAttempt(2, "n2", 200, 300)})};
  h.runs = {RunAt(110, "n1", "j", 1, true), RunAt(210, "n2", "j", 2, true), RunAt(290, "n2", "j", 2, false)};
  EXPECT_TRUE(Get(Check(h), "attempt-exclusivity").held());
  h.final_jobs[0].job.attempts[0].stoppedAt = 230;
  EXPECT_EQ(Get(Check(h), "attempt-exclusivity").violations, 1u);
}

// ---- run records ------------------------------------------------------------

TEST(ChaosChecker, RunRecordsOfCreatedAttemptsHold) {
  History h;
  h.final_jobs = {MakeFinal("a", "j", JobStatus::kSucceeded, {MakeAttempt(1, "n1", 100, 200)})};
  h.runs = {RunAt(110, "n1", "j", 1, true, 101), RunAt(190, "n1", "j", 1, false, 101)};
  const InvariantResult r = Get(Check(h), "runs-known");
  EXPECT_TRUE(r.held()) << ::testing::PrintToString(r.examples);
  EXPECT_EQ(r.checked, 3u);  // two records, one success
}

TEST(ChaosChecker, ASuccessWhoseLastAttemptNeverEndedWithExitZeroIsAViolation) {
  History h;
  h.final_jobs = {MakeFinal("a", "ok", JobStatus::kSucceeded, {MakeAttempt(1, "n1", 100, 200)}),
                  MakeFinal("b", "exit3", JobStatus::kSucceeded, {MakeAttempt(1, "n1", 100, 200)}),
                  MakeFinal("c", "elsewhere", JobStatus::kSucceeded,
                            {MakeAttempt(1, "n1", 100, 200), MakeAttempt(2, "n2", 210, 300)}),
                  MakeFinal("d", "failed", JobStatus::kFailed, {MakeAttempt(1, "n1", 100, 200)})};
  RunRecord exit3 = RunAt(190, "n1", "exit3", 1, false);
  exit3.exit = 3;
  h.runs = {RunAt(110, "n1", "ok", 1, true), RunAt(190, "n1", "ok", 1, false), exit3,
            // Attempt 1 of "elsewhere" ended well, but the coordinator's success is attempt 2.
            RunAt(190, "n1", "elsewhere", 1, false)};
  const InvariantResult r = Get(Check(h), "runs-known");
  EXPECT_THAT(r.examples,
              ElementsAre("job exit3 SUCCEEDED, but its attempt 1 on n1 left no run record ending with exit 0",
                          "job elsewhere SUCCEEDED, but its attempt 2 on n2 left no run record ending with exit 0"));
}

TEST(ChaosChecker, RunRecordsOfUnknownAttemptsAreViolations) {
  History h;
  h.final_jobs = {MakeFinal("a", "j", JobStatus::kSucceeded, {MakeAttempt(1, "n1", 100, 200)})};
  h.runs = {RunAt(110, "n1", "ghost", 1, true), RunAt(120, "n2", "j", 2, true), RunAt(130, "n2", "j", 1, true),
            RunAt(140, "n1", "j", 1, true, 99), RunAt(150, "n1", "j", 1, true, 101)};
  const InvariantResult r = Get(Check(h), "runs-known");
  EXPECT_THAT(r.examples,
              ElementsAre("run record (start on n1 at t=110) of job ghost attempt 1: the job is not in the final state",
                          "run record (start on n2 at t=120) of job j attempt 2: the coordinator created 1 "
                          "attempt(s), not that one",
                          "run record (start on n2 at t=130) of job j attempt 1: the coordinator placed that "
                          "attempt on n1",
                          "run record (start on n1 at t=140) of job j attempt 1: it carries fencing token 99, the "
                          "coordinator issued 101",
                          "job j SUCCEEDED, but its attempt 1 on n1 left no run record ending with exit 0"));
  EXPECT_EQ(r.counts.at("attempts started more than once"), 1u);  // j attempt 1
}

// ---- terminal states never change -------------------------------------------

TEST(ChaosChecker, TerminalObservationsThatAgreeHold) {
  History h;
  Describe(h, "c1", 10, 20, "j", JobStatus::kRunning);
  Describe(h, "c1", 30, 40, "j", JobStatus::kSucceeded);
  // Invoked before the SUCCEEDED read completed: it may be ordered first.
  Describe(h, "c2", 35, 60, "j", JobStatus::kRunning);
  Describe(h, "c1", 50, 55, "j", JobStatus::kSucceeded);
  h.final_jobs = {MakeFinal("", "j", JobStatus::kSucceeded)};
  const InvariantResult r = Get(Check(h), "terminal-stable");
  EXPECT_TRUE(r.held()) << ::testing::PrintToString(r.examples);
  EXPECT_EQ(r.checked, 4u);
}

TEST(ChaosChecker, ATerminalStateThatChangedIsAViolation) {
  History h;
  Describe(h, "c1", 30, 40, "j1", JobStatus::kSucceeded);
  Describe(h, "c2", 50, 60, "j1", JobStatus::kRunning);
  Describe(h, "c1", 30, 40, "j2", JobStatus::kFailed);
  h.final_jobs = {MakeFinal("", "j1", JobStatus::kSucceeded), MakeFinal("", "j2", JobStatus::kSucceeded)};
  const InvariantResult r = Get(Check(h), "terminal-stable");
  EXPECT_THAT(r.examples,
              ElementsAre("job j1: a describe saw SUCCEEDED (process c1, invoked t=30, done t=40), another RUNNING "
                          "(process c2, invoked t=50, done t=60)",
                          "job j2: a describe saw FAILED (process c1, invoked t=30, done t=40), the final state "
                          "says SUCCEEDED"));
}

// ---- expected outcomes ------------------------------------------------------

TEST(ChaosChecker, OutcomesAsExpectedOrExcusedHold) {
  History h;
  Submit(h, "c1", 10, "a", OpKind::kOk, "j-a", Expect::kSucceed);
  Submit(h, "c1", 30, "b", OpKind::kOk, "j-b", Expect::kFail);
  Submit(h, "c1", 50, "c", OpKind::kOk, "j-c", Expect::kAny);
  Submit(h, "c1", 70, "d", OpKind::kOk, "j-d", Expect::kSucceed);
  h.ops.push_back(Op(90, "c2", OpKind::kInvoke, OpName::kTerminate, "d", "j-d"));
  h.ops.push_back(Op(95, "c2", OpKind::kInfo, OpName::kTerminate, "d", "j-d"));  // may have happened
  h.final_jobs = {MakeFinal("a", "j-a", JobStatus::kSucceeded), MakeFinal("b", "j-b", JobStatus::kFailed),
                  MakeFinal("c", "j-c", JobStatus::kFailed), MakeFinal("d", "j-d", JobStatus::kFailed)};
  const InvariantResult r = Get(Check(h), "expected-outcome");
  EXPECT_TRUE(r.held()) << ::testing::PrintToString(r.examples);
  EXPECT_EQ(r.checked, 2u);
  EXPECT_EQ(r.counts.at("cancelled or terminated"), 1u);
}

TEST(ChaosChecker, UnexpectedOutcomesAreViolations) {
  History h;
  Submit(h, "c1", 10, "a", OpKind::kOk, "j-a", Expect::kSucceed);
  Submit(h, "c1", 30, "b", OpKind::kInfo, std::nullopt, Expect::kFail);
  // A cancel that certainly failed excuses nothing.
  h.ops.push_back(Op(90, "c2", OpKind::kInvoke, OpName::kCancel, "a", "j-a"));
  h.ops.push_back(Op(95, "c2", OpKind::kFail, OpName::kCancel, "a", "j-a"));
  h.final_jobs = {MakeFinal("a", "j-a", JobStatus::kFailed), MakeFinal("b", "j-b", JobStatus::kSucceeded)};
  const InvariantResult r = Get(Check(h), "expected-outcome");
  EXPECT_THAT(r.examples,
              ElementsAre("job j-a (token a, expect succeed) ended FAILED (statusReason \"Essential container in "
                          "task exited\")",
                          "job j-b (token b, expect fail) ended SUCCEEDED (statusReason \"\")"));
}

}  // namespace
}  // namespace gantry::chaos
