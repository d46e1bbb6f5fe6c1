// The job lifecycle of single jobs: parameters and overrides, fair share,
// dependencies, retries, timeouts, cancel and terminate.
#include <gtest/gtest.h>

#include "coordinator/fsm/fsm_jobs_fixture.h"

namespace gantry::coordinator::testing {
namespace {

using protocol::JobStatus;
using protocol::RetryAction;

class FsmJobs : public FsmJobsTest {
 protected:
  // Definition "r": `attempts` tries, optional evaluateOnExit rules.
  void RetryDef(uint32_t attempts, std::vector<protocol::EvaluateOnExit> rules = {}) {
    Command c = DefCmd("r", {"work"});
    c.jobDefinition->retryStrategy = protocol::RetryStrategy{attempts, std::move(rules)};
    MustRun(c);
  }
  static Command SubmitWith(const std::string& id, const std::string& def) {
    Command c = Submit(id);
    c.submitJob->request.jobDefinition = def;
    return c;
  }
};

TEST_F(FsmJobs, SubmitSubstitutesParametersAndTakesDefinitionSettings) {
  Basics();
  Command def = DefCmd("p", {"run", "Ref::in", "--mode=Ref::mode", "Ref::other"});
  def.jobDefinition->parameters = {{"in", "a.txt"}, {"mode", "fast"}};
  def.jobDefinition->retryStrategy = protocol::RetryStrategy{2, {}};
  def.jobDefinition->timeout = protocol::JobTimeout{30};
  def.jobDefinition->schedulingPriority = 7;
  MustRun(def);
  Command c = SubmitWith("j1", "p");
  c.submitJob->request.parameters = {{"mode", "slow"}};
  MustRun(c);
  const protocol::Job& j = JobAt("j1");
  EXPECT_EQ(j.command, (std::vector<std::string>{"run", "a.txt", "--mode=slow", "Ref::other"}));
  EXPECT_EQ(j.parameters, (protocol::Parameters{{"in", "a.txt"}, {"mode", "slow"}}));
  EXPECT_EQ(j.retryStrategy.attempts, 2u);
  EXPECT_EQ(j.timeout, protocol::JobTimeout{30});
  EXPECT_EQ(j.schedulingPriority, 7u);
  EXPECT_EQ(j.status, JobStatus::kRunnable);
  EXPECT_EQ(j.runnableAt, j.createdAt);
  auto placed = MustRun(Place("j1"));
  ASSERT_EQ(placed.launches.size(), 1u);
  EXPECT_EQ(placed.launches[0].timeoutSeconds, 30u);
  EXPECT_FALSE(placed.launches[0].arrayIndex.has_value());
}

TEST_F(FsmJobs, SubmissionOverridesWinOverDefinition) {
  Basics();
  Command def = DefCmd("p", {"unused"});
  def.jobDefinition->parameters = {{"in", "a.txt"}};
  def.jobDefinition->retryStrategy = protocol::RetryStrategy{2, {}};
  def.jobDefinition->timeout = protocol::JobTimeout{30};
  def.jobDefinition->schedulingPriority = 7;
  MustRun(def);
  Command c = SubmitWith("j1", "p");
  c.submitJob->request.command = std::vector<std::string>{"cat", "Ref::in"};
  c.submitJob->request.retryStrategy = protocol::RetryStrategy{5, {}};
  c.submitJob->request.timeout = protocol::JobTimeout{10};
  c.submitJob->request.schedulingPriorityOverride = 9;
  MustRun(c);
  const protocol::Job& j = JobAt("j1");
  EXPECT_EQ(j.command, (std::vector<std::string>{"cat", "a.txt"}));
  EXPECT_EQ(j.retryStrategy.attempts, 5u);
  EXPECT_EQ(j.timeout, protocol::JobTimeout{10});
  EXPECT_EQ(j.schedulingPriority, 9u);
  // Nothing given anywhere: one attempt, no timeout, priority 0.
  MustRun(Submit("j2"));
  EXPECT_EQ(JobAt("j2").retryStrategy, protocol::RetryStrategy{});
  EXPECT_FALSE(JobAt("j2").timeout.has_value());
  EXPECT_EQ(JobAt("j2").schedulingPriority, 0u);
}

TEST_F(FsmJobs, DefaultDiskFromTheCommandFillsOnlyAMissingDiskRequest) {
  Basics();
  Command with_disk = DefCmd("big", {"true"});
  with_disk.jobDefinition->resources.diskMib = 4096;
  MustRun(with_disk);
  Command a = Submit("a");  // "d" asks for no disk
  a.submitJob->defaultDiskMib = 1024;
  MustRun(a);
  EXPECT_EQ(JobAt("a").resources.diskMib, 1024u);
  Command b = SubmitWith("b", "big");  // the definition's disk wins
  b.submitJob->defaultDiskMib = 1024;
  MustRun(b);
  EXPECT_EQ(JobAt("b").resources.diskMib, 4096u);
  Command c = Submit("c");  // the submission's override wins
  c.submitJob->defaultDiskMib = 1024;
  c.submitJob->request.diskMib = 10;
  MustRun(c);
  EXPECT_EQ(JobAt("c").resources.diskMib, 10u);
  MustRun(Submit("d"));  // a command logged before the default existed
  EXPECT_EQ(JobAt("d").resources.diskMib, 0u);
}

TEST_F(FsmJobs, CommandTooLongAfterSubstitutionIsRejected) {
  Basics();
  Command c = Submit("j1");
  c.submitJob->request.command = std::vector<std::string>{"Ref::v", "Ref::v", "Ref::v"};
  c.submitJob->request.parameters = {{"v", std::string(50 * 1024, 'x')}};
  auto r = Run(c);
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(state_.FindJob("j1"), nullptr);
}

TEST_F(FsmJobs, FairShareQueueRequiresShareIdentifierAndFifoQueueRefusesIt) {
  Basics();
  FairShareQueue();
  Command missing = Submit("j1");
  missing.submitJob->request.jobQueue = "fq";
  auto r = Run(missing);
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(r.status().message().find("job queue fq uses fair-share scheduling policy fs: shareIdentifier is required"),
            std::string::npos)
      << r.status().message();
  Command fifo = Submit("j2");
  fifo.submitJob->request.shareIdentifier = "teamA";
  r = Run(fifo);
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(r.status().message().find("job queue q"), std::string::npos);
  Command ok = Submit("j3");
  ok.submitJob->request.jobQueue = "fq";
  ok.submitJob->request.shareIdentifier = "teamA";
  MustRun(ok);
  EXPECT_EQ(JobAt("j3").shareIdentifier, "teamA");
  EXPECT_EQ(state_.job_count(), 1u);
}

TEST_F(FsmJobs, DependencyOnUnknownJobIsNotFound) {
  Basics();
  auto r = Run(Submit("j1", {On("nope")}));
  EXPECT_EQ(r.status().code(), StatusCode::kNotFound);
  EXPECT_EQ(r.status().message(), "dependsOn: job nope not found");
  EXPECT_EQ(state_.job_count(), 0u);
}

TEST_F(FsmJobs, DependencyOnFinishedJobsDecidesAtSubmission) {
  Basics();
  MustRun(Submit("ok"));
  RunAttempt("ok", 0);
  MustRun(Submit("bad"));
  RunAttempt("bad", 1);
  auto r = MustRun(Submit("after-ok", {On("ok")}));
  EXPECT_EQ(r.new_runnable, std::vector<std::string>{"after-ok"});
  EXPECT_EQ(StatusOf("after-ok"), JobStatus::kRunnable);
  r = MustRun(Submit("after-bad", {On("ok"), On("bad")}));
  EXPECT_TRUE(r.new_runnable.empty());
  const protocol::Job& j = JobAt("after-bad");
  EXPECT_EQ(j.status, JobStatus::kFailed);
  EXPECT_EQ(j.statusReason, "Dependency bad failed");
  EXPECT_EQ(j.stoppedAt, j.createdAt);
  EXPECT_EQ(state_.DependentsOf("bad"), nullptr);
  ExpectReloadMatches({"ok", "bad", "after-ok", "after-bad"});
}

TEST_F(FsmJobs, PendingJobBecomesRunnableWhenEveryDependencySucceeded) {
  Basics();
  MustRun(Submit("a"));
  MustRun(Submit("b"));
  auto r = MustRun(Submit("c", {On("a"), On("b")}));
  EXPECT_TRUE(r.new_runnable.empty());
  EXPECT_EQ(StatusOf("c"), JobStatus::kPending);
  EXPECT_EQ(JobAt("c").statusReason, "waiting for dependency a (RUNNABLE)");
  EXPECT_EQ(*state_.DependentsOf("a"), std::set<std::string>{"c"});
  ExpectReloadMatches({"a", "b", "c"});

  r = RunAttempt("a", 0);
  EXPECT_TRUE(r.new_runnable.empty());
  EXPECT_EQ(StatusOf("c"), JobStatus::kPending);
  EXPECT_EQ(JobAt("c").statusReason, "waiting for dependency b (RUNNABLE)");
  r = RunAttempt("b", 0);
  EXPECT_EQ(r.new_runnable, std::vector<std::string>{"c"});
  EXPECT_EQ(StatusOf("c"), JobStatus::kRunnable);
  EXPECT_EQ(JobAt("c").runnableAt, JobAt("b").stoppedAt);
  EXPECT_EQ(state_.DependentsOf("a"), nullptr);
  EXPECT_EQ(state_.DependentsOf("b"), nullptr);
  ExpectReloadMatches({"a", "b", "c"});
}

TEST_F(FsmJobs, FailureCascadesDownAChainOfDependents) {
  Basics();
  MustRun(Submit("a"));
  MustRun(Submit("b", {On("a")}));
  MustRun(Submit("c", {On("b")}));
  MustRun(Submit("d", {On("c"), On("a")}));
  RunAttempt("a", 2);
  EXPECT_EQ(JobAt("b").statusReason, "Dependency a failed");
  EXPECT_EQ(JobAt("c").statusReason, "Dependency b failed");
  EXPECT_EQ(StatusOf("d"), JobStatus::kFailed);
  for (const char* id : {"b", "c", "d"}) {
    EXPECT_EQ(StatusOf(id), JobStatus::kFailed) << id;
    EXPECT_FALSE(JobAt(id).isCancelled) << id;
    EXPECT_TRUE(JobAt(id).stoppedAt.has_value()) << id;
  }
  EXPECT_EQ(state_.finished().size(), 4u);
  ExpectReloadMatches({"a", "b", "c", "d"});
}

TEST_F(FsmJobs, CancelledDependencyFailsItsDependents) {
  Basics();
  MustRun(Submit("a"));
  MustRun(Submit("b", {On("a")}));
  auto r = MustRun(Cancel("a", "changed my mind"));
  EXPECT_EQ(r.name, "a");
  EXPECT_EQ(StatusOf("a"), JobStatus::kFailed);
  EXPECT_TRUE(JobAt("a").isCancelled);
  EXPECT_EQ(JobAt("a").statusReason, "changed my mind");
  EXPECT_EQ(JobAt("b").statusReason, "Dependency a failed");
  EXPECT_TRUE(state_.runnable().empty());
}

TEST_F(FsmJobs, PlacementOfJobThatStoppedWaitingIsDropped) {
  Basics();
  MustRun(Submit("a"));
  MustRun(Submit("b", {On("a")}));
  MustRun(Submit("c"));
  ASSERT_EQ(MustRun(Place("a")).launches.size(), 1u);
  // Plans made from older views: c is cancelled and b's dependency fails
  // before the plans placing them are applied.
  MustRun(Cancel("c"));
  MustRun(Ended("a-1", 1));
  EXPECT_EQ(StatusOf("b"), JobStatus::kFailed);
  for (const char* id : {"b", "c"}) {
    auto r = MustRun(Place(id));
    EXPECT_TRUE(r.launches.empty()) << id;
    ASSERT_EQ(r.notes.size(), 1u);
    EXPECT_NE(r.notes[0].find("dropped"), std::string::npos);
    EXPECT_TRUE(JobAt(id).attempts.empty()) << id;
  }
  EXPECT_EQ(state_.FindNode("n1")->Free().vcpus, 16u);
}

TEST_F(FsmJobs, FailedAttemptIsRetriedKeepingItsRecord) {
  Basics();
  RetryDef(3);
  MustRun(SubmitWith("j", "r"));
  auto r = RunAttempt("j", 1);
  EXPECT_EQ(r.new_runnable, std::vector<std::string>{"j"});
  const protocol::Job& j = JobAt("j");
  EXPECT_EQ(j.status, JobStatus::kRunnable);
  EXPECT_EQ(j.statusReason, "attempt 1 of 3 failed (Essential container in task exited, exit code 1); retrying");
  EXPECT_FALSE(j.stoppedAt.has_value());
  EXPECT_EQ(j.runnableAt, Now() - 1000);
  ASSERT_EQ(j.attempts.size(), 1u);
  EXPECT_EQ(j.attempts[0].exitCode, 1);
  EXPECT_EQ(j.attempts[0].logTail, "tail of j-1");
  EXPECT_EQ(j.attempts[0].statusReason, "Essential container in task exited");
  EXPECT_TRUE(j.attempts[0].stoppedAt.has_value());
  EXPECT_EQ(state_.runnable().at("q").size(), 1u);
  ExpectReloadMatches({"j"});

  r = RunAttempt("j", 0);
  EXPECT_EQ(StatusOf("j"), JobStatus::kSucceeded);
  EXPECT_EQ(JobAt("j").attempts.size(), 2u);
  EXPECT_EQ(JobAt("j").attempts[1].attemptId, "j-2");
  EXPECT_EQ(JobAt("j").startedAt, JobAt("j").attempts[0].startedAt);
}

TEST_F(FsmJobs, AttemptsExhaustedFailsTheJob) {
  Basics();
  RetryDef(2);
  MustRun(SubmitWith("j", "r"));
  RunAttempt("j", 1);
  auto r = RunAttempt("j", 1);
  EXPECT_TRUE(r.new_runnable.empty());
  EXPECT_EQ(StatusOf("j"), JobStatus::kFailed);
  EXPECT_EQ(JobAt("j").statusReason, "Essential container in task exited");
  EXPECT_EQ(JobAt("j").attempts.size(), 2u);
  EXPECT_TRUE(state_.runnable().empty());
}

TEST_F(FsmJobs, TimeoutIsRetriedWithTheAgentsStatusReason) {
  Basics();
  RetryDef(2);
  MustRun(SubmitWith("j", "r"));
  const std::string timeout = "Job attempt duration exceeded timeout";
  RunAttempt("j", 143, timeout);
  EXPECT_EQ(StatusOf("j"), JobStatus::kRunnable);
  EXPECT_EQ(JobAt("j").statusReason, "attempt 1 of 2 failed (" + timeout + ", exit code 143); retrying");
  EXPECT_EQ(JobAt("j").attempts[0].statusReason, timeout);
  EXPECT_EQ(JobAt("j").attempts[0].reason, "Essential container in task exited");
  RunAttempt("j", 143, timeout);
  EXPECT_EQ(StatusOf("j"), JobStatus::kFailed);
  EXPECT_EQ(JobAt("j").statusReason, timeout);
}

TEST_F(FsmJobs, EvaluateOnExitExitRuleStopsRetriesAndNoMatchRetries) {
  Basics();
  protocol::EvaluateOnExit exit3;
  exit3.onExitCode = "3";
  exit3.action = RetryAction::kExit;
  RetryDef(5, {exit3});
  MustRun(SubmitWith("three", "r"));
  MustRun(SubmitWith("four", "r"));
  auto r = RunAttempt("three", 3);
  EXPECT_TRUE(r.new_runnable.empty());
  EXPECT_EQ(StatusOf("three"), JobStatus::kFailed);
  EXPECT_EQ(JobAt("three").attempts.size(), 1u);
  r = RunAttempt("four", 4);
  EXPECT_EQ(r.new_runnable, std::vector<std::string>{"four"});
  EXPECT_EQ(StatusOf("four"), JobStatus::kRunnable);
}

TEST_F(FsmJobs, TerminateDuringStartingKillsAndFailsWithoutRetry) {
  Basics();
  RetryDef(3);
  MustRun(SubmitWith("j", "r"));
  MustRun(Place("j"));
  auto r = MustRun(Terminate("j", "operator stop"));
  EXPECT_EQ(r.name, "j");
  ASSERT_EQ(r.kills.size(), 1u);
  EXPECT_EQ(r.kills[0].nodeId, "n1");
  EXPECT_EQ(r.kills[0].attemptId, "j-1");
  EXPECT_EQ(r.kills[0].reason, "operator stop");
  EXPECT_EQ(StatusOf("j"), JobStatus::kStarting);
  EXPECT_TRUE(JobAt("j").isTerminated);
  EXPECT_EQ(JobAt("j").statusReason, "terminating: operator stop");
  ExpectReloadMatches({"j"});

  MustRun(Started("j-1"));
  EXPECT_EQ(StatusOf("j"), JobStatus::kRunning);
  EXPECT_EQ(JobAt("j").statusReason, "terminating: operator stop");
  r = MustRun(Ended("j-1", 137));
  EXPECT_TRUE(r.new_runnable.empty());
  EXPECT_EQ(StatusOf("j"), JobStatus::kFailed);
  EXPECT_EQ(JobAt("j").statusReason, "operator stop");
  EXPECT_EQ(JobAt("j").terminationReason, "operator stop");
  EXPECT_EQ(JobAt("j").attempts.size(), 1u);
  EXPECT_EQ(state_.FindNode("n1")->Free().vcpus, 16u);
}

TEST_F(FsmJobs, TerminatedJobFailsEvenIfItsProcessExitsZero) {
  Basics();
  MustRun(Submit("j"));
  MustRun(Place("j"));
  MustRun(Started("j-1"));
  EXPECT_EQ(MustRun(Terminate("j", "stop")).kills.size(), 1u);
  MustRun(Ended("j-1", 0));
  EXPECT_EQ(StatusOf("j"), JobStatus::kFailed);
  EXPECT_EQ(JobAt("j").statusReason, "stop");
}

TEST_F(FsmJobs, TerminateOfWaitingJobCancelsIt) {
  Basics();
  MustRun(Submit("a"));
  MustRun(Submit("b", {On("a")}));
  auto r = MustRun(Terminate("b", "stop"));
  EXPECT_TRUE(r.kills.empty());
  EXPECT_EQ(StatusOf("b"), JobStatus::kFailed);
  EXPECT_TRUE(JobAt("b").isCancelled);
  EXPECT_FALSE(JobAt("b").isTerminated);
  EXPECT_EQ(state_.DependentsOf("a"), nullptr);
}

TEST_F(FsmJobs, CancelOfStartedOrFinishedJobChangesNothing) {
  Basics();
  MustRun(Submit("running"));
  MustRun(Place("running"));
  MustRun(Started("running-1"));
  MustRun(Submit("done"));
  RunAttempt("done", 0);
  for (const char* id : {"running", "done"}) {
    const std::string before = protocol::Encode(JobAt(id));
    auto r = Run(Cancel(id));
    ASSERT_TRUE(r.ok()) << id;
    EXPECT_EQ(r->name, id);
    EXPECT_EQ(protocol::Encode(JobAt(id)), before) << id;
  }
  auto t = MustRun(Terminate("done"));
  EXPECT_TRUE(t.kills.empty());
  EXPECT_EQ(StatusOf("done"), JobStatus::kSucceeded);
}

TEST_F(FsmJobs, StoppingUnknownJobIsNotFound) {
  Basics();
  for (Command c : {Cancel("nope"), Terminate("nope")}) {
    auto r = Run(c);
    EXPECT_EQ(r.status().code(), StatusCode::kNotFound);
    EXPECT_EQ(r.status().message(), "job nope not found");
  }
}

TEST_F(FsmJobs, FinishedAttemptsAddToTheirShareUsage) {
  Basics();
  FairShareQueue(/*decay_seconds=*/3600);
  auto submit = [&](const std::string& id) {
    Command c = Submit(id);
    c.submitJob->request.jobQueue = "fq";
    c.submitJob->request.shareIdentifier = "teamA";
    c.submitJob->request.vcpus = 2;
    MustRun(c);
  };
  submit("a");
  submit("b");
  MustRun(Place("a"));
  MustRun(Started("a-1"));
  EXPECT_EQ(state_.share_running_vcpus().at("fq").at("teamA"), 2u);
  MustRun(Submit("fifo"));  // lets time pass
  MustRun(Ended("a-1", 1));
  const protocol::Attempt& a = JobAt("a").attempts[0];
  const double first = 2.0 * static_cast<double>(*a.stoppedAt - *a.startedAt) / 1000.0;
  ASSERT_GT(first, 0);
  const ShareUsage u1 = state_.share_usage().at("fq").at("teamA");
  EXPECT_DOUBLE_EQ(u1.vcpuSeconds, first);
  EXPECT_EQ(u1.at, *a.stoppedAt);
  EXPECT_EQ(state_.share_running_vcpus().count("fq"), 0u);

  RunAttempt("b", 0);
  const protocol::Attempt& b = JobAt("b").attempts[0];
  const double second = 2.0 * static_cast<double>(*b.stoppedAt - *b.startedAt) / 1000.0;
  const ShareUsage u2 = state_.share_usage().at("fq").at("teamA");
  EXPECT_DOUBLE_EQ(u2.vcpuSeconds, u1.DecayedTo(*b.stoppedAt, 3600) + second);
  EXPECT_LT(u2.vcpuSeconds, first + second);  // the first decayed
  // A FIFO queue keeps no usage.
  RunAttempt("fifo", 0);
  EXPECT_EQ(state_.share_usage().count("q"), 0u);
  ExpectReloadMatches({"a", "b", "fifo"});
}

TEST_F(FsmJobs, NodeRestartFollowsTheRetryStrategy) {
  Basics();
  RetryDef(2);
  MustRun(SubmitWith("j", "r"));
  MustRun(Place("j"));
  Command reboot{CommandType::kUpsertNode};
  reboot.node = state_.FindNode("n1")->node;
  reboot.node->bootId = "b2";
  EXPECT_TRUE(MustRun(reboot).schedule);
  EXPECT_EQ(StatusOf("j"), JobStatus::kRunnable);
  EXPECT_EQ(JobAt("j").attempts[0].reason, "Node restarted: n1");
  EXPECT_EQ(state_.runnable().at("q").size(), 1u);
}

}  // namespace
}  // namespace gantry::coordinator::testing
