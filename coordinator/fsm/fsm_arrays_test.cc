// Array jobs: children, N_TO_N and SEQUENTIAL dependencies, the parent's
// status, cancel and terminate on a parent, and purging.
#include <gtest/gtest.h>

#include "coordinator/fsm/array_jobs.h"
#include "coordinator/fsm/fsm_jobs_fixture.h"

namespace gantry::coordinator::testing {
namespace {

using protocol::JobStatus;

std::string Child(const std::string& parent, uint32_t i) { return parent + ":" + std::to_string(i); }

TEST(ArrayJobs, ChildDependenciesResolveEachForm) {
  const std::vector<protocol::JobDependency> submitted = {
      {"x", std::nullopt}, {"a", protocol::ArrayJobDependency::kNToN}, {"", protocol::ArrayJobDependency::kSequential}};
  const std::vector<protocol::JobDependency> first = ChildDependencies(submitted, "p", 0);
  ASSERT_EQ(first.size(), 2u);
  EXPECT_EQ(first[0].jobId, "x");
  EXPECT_EQ(first[1].jobId, "a:0");
  const std::vector<protocol::JobDependency> fifth = ChildDependencies(submitted, "p", 5);
  ASSERT_EQ(fifth.size(), 3u);
  EXPECT_EQ(fifth[1].jobId, "a:5");
  EXPECT_EQ(fifth[2].jobId, "p:4");
  for (const auto& d : fifth) EXPECT_FALSE(d.type.has_value());
}

class FsmArrays : public FsmJobsTest {};

TEST_F(FsmArrays, ArrayCreatesParentAndIndexedChildren) {
  Basics();
  Command c = SubmitArray("p", 3);
  c.submitJob->request.parameters = {{"x", "1"}};
  auto r = MustRun(c);
  EXPECT_EQ(r.jobId, "p");
  EXPECT_EQ(r.new_runnable, (std::vector<std::string>{"p:0", "p:1", "p:2"}));
  const protocol::Job& parent = JobAt("p");
  EXPECT_EQ(parent.status, JobStatus::kPending);
  EXPECT_EQ(parent.statusReason, "array job: 3 children");
  ASSERT_TRUE(parent.IsArrayParent());
  EXPECT_EQ(parent.arrayProperties->size, 3u);
  for (uint32_t i = 0; i < 3; ++i) {
    const protocol::Job& child = JobAt(Child("p", i));
    EXPECT_EQ(child.status, JobStatus::kRunnable);
    EXPECT_EQ(child.arrayProperties->index, i);
    EXPECT_EQ(child.arrayProperties->size, 3u);
    EXPECT_EQ(child.sequence, parent.sequence + 1 + i);
    EXPECT_EQ(child.jobName, parent.jobName);
    EXPECT_EQ(child.command, parent.command);
    EXPECT_EQ(child.parameters, parent.parameters);
    EXPECT_EQ(child.createdAt, parent.createdAt);
  }
  // Only the parent is listed in its queue; the children are what runs.
  EXPECT_EQ(state_.jobs_by_queue().at("q").size(), 1u);
  EXPECT_EQ(state_.runnable().at("q").begin()->second->jobId, "p:0");
  EXPECT_EQ(Count("p", JobStatus::kRunnable), 3u);
  auto placed = MustRun(Place("p:2"));
  ASSERT_EQ(placed.launches.size(), 1u);
  EXPECT_EQ(placed.launches[0].arrayIndex, 2u);
  EXPECT_EQ(placed.launches[0].arraySize, 3u);
  ExpectReloadMatches({"p", "p:0", "p:1", "p:2"});
}

TEST_F(FsmArrays, TenThousandChildrenInOneApply) {
  Basics();
  MustRun(SubmitArray("big", 10'000));
  EXPECT_EQ(state_.job_count(), 10'001u);
  EXPECT_EQ(Count("big", JobStatus::kRunnable), 10'000u);
  const auto& runnable = state_.runnable().at("q");
  ASSERT_EQ(runnable.size(), 10'000u);
  EXPECT_EQ(runnable.begin()->second->jobId, "big:0");
  EXPECT_EQ(runnable.rbegin()->second->jobId, "big:9999");
  EXPECT_EQ(JobAt("big:9999").arrayProperties->index, 9999u);
  ExpectReloadMatches({"big", "big:0", "big:9999"});
}

TEST_F(FsmArrays, ParentSucceedsWhenAllChildrenSucceed) {
  Basics();
  MustRun(SubmitArray("p", 3));
  MustRun(Submit("after", {On("p")}));
  MustRun(Place("p:0"));
  EXPECT_FALSE(JobAt("p").startedAt.has_value());
  MustRun(Started("p:0-1"));
  EXPECT_EQ(JobAt("p").startedAt, JobAt("p:0").startedAt);
  EXPECT_EQ(Count("p", JobStatus::kRunning), 1u);
  MustRun(Ended("p:0-1", 0));
  RunAttempt("p:1", 0);
  EXPECT_EQ(Count("p", JobStatus::kSucceeded), 2u);
  EXPECT_EQ(StatusOf("p"), JobStatus::kPending);
  EXPECT_EQ(StatusOf("after"), JobStatus::kPending);
  EXPECT_EQ(JobAt("after").statusReason, "waiting for dependency p (PENDING)");
  auto r = RunAttempt("p:2", 0);
  EXPECT_EQ(StatusOf("p"), JobStatus::kSucceeded);
  EXPECT_EQ(JobAt("p").stoppedAt, JobAt("p:2").stoppedAt);
  EXPECT_EQ(r.new_runnable, std::vector<std::string>{"after"});
  EXPECT_EQ(StatusOf("after"), JobStatus::kRunnable);
  EXPECT_EQ(state_.ActiveJobs("q"), 1u);  // only "after"
  ExpectReloadMatches({"p", "p:0", "p:1", "p:2", "after"});
}

TEST_F(FsmArrays, ParentFailsIfAnyChildFailedAndFailsItsDependents) {
  Basics();
  MustRun(SubmitArray("p", 3));
  MustRun(Submit("after", {On("p")}));
  RunAttempt("p:0", 0);
  RunAttempt("p:1", 5);
  EXPECT_EQ(StatusOf("p"), JobStatus::kPending);
  RunAttempt("p:2", 0);
  EXPECT_EQ(StatusOf("p"), JobStatus::kFailed);
  EXPECT_EQ(JobAt("p").statusReason, "1 of 3 children failed");
  EXPECT_EQ(JobAt("after").statusReason, "Dependency p failed");
  EXPECT_EQ(StatusOf("after"), JobStatus::kFailed);
}

TEST_F(FsmArrays, NToNChildWaitsOnItsPeer) {
  Basics();
  MustRun(SubmitArray("a", 3));
  MustRun(SubmitArray("b", 3, {NToN("a")}));
  EXPECT_EQ(JobAt("b:1").dependsOn, (std::vector<protocol::JobDependency>{{"a:1", std::nullopt}}));
  EXPECT_EQ(JobAt("b:1").statusReason, "waiting for dependency a:1 (RUNNABLE)");
  auto r = RunAttempt("a:1", 0);
  EXPECT_EQ(r.new_runnable, std::vector<std::string>{"b:1"});
  EXPECT_EQ(StatusOf("b:0"), JobStatus::kPending);
  RunAttempt("a:2", 7);
  EXPECT_EQ(StatusOf("b:2"), JobStatus::kFailed);
  EXPECT_EQ(JobAt("b:2").statusReason, "Dependency a:2 failed");
  EXPECT_EQ(Count("b", JobStatus::kPending), 1u);
  ExpectReloadMatches({"a", "b", "a:0", "b:0", "a:2", "b:2"});
}

TEST_F(FsmArrays, NToNNeedsAnArrayOfTheSameSize) {
  Basics();
  MustRun(SubmitArray("a", 3));
  MustRun(Submit("single"));
  auto r = Run(SubmitArray("b", 4, {NToN("a")}));
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(r.status().message().find("size"), std::string::npos);
  r = Run(SubmitArray("c", 3, {NToN("single")}));
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(r.status().message().find("single"), std::string::npos);
  EXPECT_EQ(state_.FindJob("b"), nullptr);
  EXPECT_EQ(state_.FindJob("c:0"), nullptr);
}

TEST_F(FsmArrays, SequentialChildrenRunOneAfterAnother) {
  Basics();
  auto r = MustRun(SubmitArray("s", 4, {Sequential()}));
  EXPECT_EQ(r.new_runnable, std::vector<std::string>{"s:0"});
  EXPECT_TRUE(JobAt("s:0").dependsOn.empty());
  EXPECT_EQ(JobAt("s:3").statusReason, "waiting for dependency s:2 (PENDING)");
  r = RunAttempt("s:0", 0);
  EXPECT_EQ(r.new_runnable, std::vector<std::string>{"s:1"});
  EXPECT_EQ(StatusOf("s:2"), JobStatus::kPending);
  // Reasons are refreshed when a dependency finishes, not on every move.
  EXPECT_EQ(JobAt("s:2").statusReason.rfind("waiting for dependency s:1 (", 0), 0u);
}

TEST_F(FsmArrays, SequentialFailureCascadesThroughTenThousandChildren) {
  Basics();
  MustRun(SubmitArray("s", 10'000, {Sequential()}));
  MustRun(Submit("after", {On("s")}));
  RunAttempt("s:0", 1);
  EXPECT_EQ(Count("s", JobStatus::kFailed), 10'000u);
  EXPECT_EQ(JobAt("s:9999").statusReason, "Dependency s:9998 failed");
  EXPECT_EQ(StatusOf("s"), JobStatus::kFailed);
  EXPECT_EQ(JobAt("s").statusReason, "10000 of 10000 children failed");
  EXPECT_EQ(StatusOf("after"), JobStatus::kFailed);
  EXPECT_TRUE(state_.runnable().empty());
  ExpectReloadMatches({"s", "s:0", "s:5000", "s:9999", "after"});
}

TEST_F(FsmArrays, ArrayOnFailedDependencyIsBornFailed) {
  Basics();
  MustRun(Submit("bad"));
  RunAttempt("bad", 1);
  MustRun(Submit("good"));
  RunAttempt("good", 0);
  auto r = MustRun(SubmitArray("p", 3, {On("good"), On("bad")}));
  EXPECT_TRUE(r.new_runnable.empty());
  EXPECT_EQ(Count("p", JobStatus::kFailed), 3u);
  EXPECT_EQ(JobAt("p:1").statusReason, "Dependency bad failed");
  EXPECT_EQ(StatusOf("p"), JobStatus::kFailed);
  r = MustRun(SubmitArray("q2", 2, {On("good")}));
  EXPECT_EQ(r.new_runnable, (std::vector<std::string>{"q2:0", "q2:1"}));
}

TEST_F(FsmArrays, CancelOfParentCancelsWaitingChildren) {
  Basics();
  MustRun(SubmitArray("p", 3));
  MustRun(Place("p:0"));
  MustRun(Started("p:0-1"));
  auto r = MustRun(Cancel("p", "enough"));
  EXPECT_EQ(r.name, "p");
  EXPECT_TRUE(r.kills.empty());
  EXPECT_EQ(StatusOf("p:0"), JobStatus::kRunning);
  for (const char* id : {"p:1", "p:2"}) {
    EXPECT_EQ(StatusOf(id), JobStatus::kFailed) << id;
    EXPECT_TRUE(JobAt(id).isCancelled) << id;
    EXPECT_EQ(JobAt(id).statusReason, "enough");
  }
  EXPECT_EQ(StatusOf("p"), JobStatus::kPending);  // p:0 still runs
  MustRun(Ended("p:0-1", 0));
  EXPECT_EQ(StatusOf("p"), JobStatus::kFailed);
  EXPECT_EQ(JobAt("p").statusReason, "2 of 3 children failed");
  ExpectReloadMatches({"p", "p:0", "p:1", "p:2"});
}

TEST_F(FsmArrays, TerminateOfParentKillsRunningChildren) {
  Basics();
  MustRun(SubmitArray("p", 3, {Sequential()}));
  MustRun(Place("p:0"));
  MustRun(Started("p:0-1"));
  auto r = MustRun(Terminate("p", "abort"));
  ASSERT_EQ(r.kills.size(), 1u);
  EXPECT_EQ(r.kills[0].attemptId, "p:0-1");
  EXPECT_TRUE(JobAt("p:1").isCancelled);
  // p:2 was failed by its predecessor's cancellation before its turn came.
  EXPECT_EQ(JobAt("p:2").statusReason, "Dependency p:1 failed");
  EXPECT_EQ(StatusOf("p"), JobStatus::kPending);
  MustRun(Ended("p:0-1", 143));
  EXPECT_EQ(JobAt("p:0").statusReason, "abort");
  EXPECT_EQ(StatusOf("p"), JobStatus::kFailed);
  EXPECT_EQ(JobAt("p").statusReason, "3 of 3 children failed");
}

TEST_F(FsmArrays, PurgeRemovesFinishedArrayWithItsChildren) {
  Basics();
  MustRun(SubmitArray("p", 3));
  MustRun(Cancel("p"));
  MustRun(Submit("live"));
  MustRun(Submit("done"));
  RunAttempt("done", 0);
  ASSERT_EQ(StatusOf("p"), JobStatus::kFailed);
  auto r = MustRun(Purge({"p:1", "live", "missing", "p", "done"}));
  ASSERT_EQ(r.notes.size(), 1u);
  EXPECT_EQ(r.notes[0], "purged 2 jobs and 3 array children");
  EXPECT_EQ(state_.job_count(), 1u);
  EXPECT_NE(state_.FindJob("live"), nullptr);
  for (const char* id : {"p", "p:0", "p:1", "p:2", "done"}) EXPECT_EQ(state_.FindJob(id), nullptr) << id;
  EXPECT_EQ(state_.ArrayCounts("p"), StatusCounts{});
  EXPECT_TRUE(state_.finished().empty());
  EXPECT_EQ(state_.jobs_by_queue().at("q").size(), 1u);
  EXPECT_EQ(state_.FindJobByAttempt("done-1"), nullptr);
  ExpectReloadMatches({"p", "p:0", "live", "done"});
  // A purge of what is gone is a no-op.
  EXPECT_EQ(MustRun(Purge({"p"})).notes[0], "purged 0 jobs");
}

}  // namespace
}  // namespace gantry::coordinator::testing
