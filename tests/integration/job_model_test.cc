// End-to-end: AWS Batch's job model on a real cluster (3 coordinator
// replicas, 2 agents, real processes on 127.0.0.1): arrays with N_TO_N
// dependencies, retries by attempts and by evaluateOnExit, timeouts,
// cancel and terminate.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <thread>

#include "tests/integration/cluster_harness.h"

namespace gantry::testing {
namespace {

using namespace std::chrono_literals;
using protocol::JobStatus;

protocol::SubmitJobRequest Job(const std::string& name, std::vector<std::string> command) {
  protocol::SubmitJobRequest req;
  req.jobName = name;
  req.jobQueue = "q";
  req.jobDefinition = "d";
  req.command = std::move(command);
  return req;
}

// The job model, not the sandbox, is under test here (see
// LoadTestAgentArgs; the sandbox_* tests and the agent's cover it).
HarnessOptions Options() {
  HarnessOptions o;
  o.replicas = 3;
  o.agent_vcpus = 16;
  o.agent_memory_mib = 65536;
  o.coordinator_args = {"--default-job-disk-mib", "0"};
  o.agent_args = LoadTestAgentArgs();
  return o;
}

class JobModelTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(cluster_.Start().ok()) << "see " << cluster_.root();
    ASSERT_TRUE(cluster_.CreateDefaults().ok());
  }
  void TearDown() override {
    if (HasFailure()) cluster_.KeepFiles();
  }
  std::string Submit(const protocol::SubmitJobRequest& req) {
    auto r = cluster_.rpc().Call(req);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? r->jobId : "";
  }
  protocol::Job Describe(const std::string& id) {
    auto r = cluster_.rpc().Call(protocol::DescribeJobsRequest{{id}});
    EXPECT_TRUE(r.ok() && r->jobs.size() == 1) << id;
    return r.ok() && r->jobs.size() == 1 ? r->jobs[0] : protocol::Job{};
  }
  // Every child of `parent`, through list-jobs paging.
  std::vector<protocol::Job> Children(const std::string& parent) {
    std::vector<protocol::Job> out;
    protocol::ListJobsRequest req;
    req.arrayJobId = parent;
    for (;;) {
      auto r = cluster_.rpc().Call(req);
      EXPECT_TRUE(r.ok()) << r.status().ToString();
      if (!r.ok()) return out;
      out.insert(out.end(), r->jobSummaryList.begin(), r->jobSummaryList.end());
      if (!r->nextToken) return out;
      req.nextToken = r->nextToken;
    }
  }

  ClusterHarness cluster_{GANTRY_BINARY, Options()};
};

TEST_F(JobModelTest, ArrayOfAThousandWithNToNDependenciesOnAnotherArray) {
  auto first = Job("first", {"sh", "-c", "echo $AWS_BATCH_JOB_ARRAY_INDEX > /dev/null"});
  first.arraySize = 1000;
  const std::string a = Submit(first);
  auto second = Job("second", {"sh", "-c", "test $AWS_BATCH_JOB_ARRAY_INDEX -lt 1000"});
  second.arraySize = 1000;
  second.dependsOn = {{a, protocol::ArrayJobDependency::kNToN}};
  const std::string b = Submit(second);
  // The parent waits in PENDING while its children run, as AWS's does.
  EXPECT_EQ(Describe(b).status, JobStatus::kPending);

  auto parents = cluster_.WaitForTerminal({a, b}, 300s);
  ASSERT_TRUE(parents.ok()) << parents.status().ToString();
  for (const protocol::Job& p : *parents) {
    EXPECT_EQ(p.status, JobStatus::kSucceeded) << p.jobId << " " << p.statusReason;
  }
  const protocol::Job parent_b = Describe(b);
  ASSERT_TRUE(parent_b.arrayProperties);
  EXPECT_EQ(parent_b.arrayProperties->size, 1000u);
  EXPECT_EQ(parent_b.arrayProperties->statusSummary.at("SUCCEEDED"), 1000u);

  const std::vector<protocol::Job> first_children = Children(a);
  const std::vector<protocol::Job> second_children = Children(b);
  ASSERT_EQ(first_children.size(), 1000u);
  ASSERT_EQ(second_children.size(), 1000u);
  for (uint32_t i = 0; i < 1000; ++i) {
    const protocol::Job& upstream = first_children[i];
    const protocol::Job& child = second_children[i];
    ASSERT_EQ(child.jobId, b + ":" + std::to_string(i));
    ASSERT_EQ(child.arrayProperties->index, i);
    ASSERT_EQ(child.status, JobStatus::kSucceeded);
    // Child i of the second array started only after child i of the first ended.
    ASSERT_EQ(child.dependsOn.size(), 1u);
    EXPECT_EQ(child.dependsOn[0].jobId, a + ":" + std::to_string(i));
    ASSERT_TRUE(upstream.stoppedAt && child.attempts.size() == 1);
    EXPECT_GE(child.attempts[0].placedAt, *upstream.stoppedAt) << i;
  }
}

TEST_F(JobModelTest, FailsTwiceThenSucceedsWithThreeAttempts) {
  auto req = Job("flaky", {"sh", "-c", "echo attempt $AWS_BATCH_JOB_ATTEMPT; test $AWS_BATCH_JOB_ATTEMPT -ge 3"});
  req.retryStrategy = protocol::RetryStrategy{.attempts = 3, .evaluateOnExit = {}};
  const std::string id = Submit(req);
  auto jobs = cluster_.WaitForTerminal({id}, 60s);
  ASSERT_TRUE(jobs.ok());
  const protocol::Job& j = (*jobs)[0];
  EXPECT_EQ(j.status, JobStatus::kSucceeded) << j.statusReason;
  ASSERT_EQ(j.attempts.size(), 3u);
  for (uint32_t n = 0; n < 3; ++n) {
    EXPECT_EQ(j.attempts[n].attemptNumber, n + 1);
    EXPECT_EQ(j.attempts[n].exitCode, n < 2 ? 1 : 0);
    EXPECT_EQ(j.attempts[n].logTail.value_or(""), "attempt " + std::to_string(n + 1) + "\n");
    EXPECT_TRUE(j.attempts[n].stoppedAt.has_value());
  }
}

TEST_F(JobModelTest, EvaluateOnExitStopsRetryingOnExitCodeThree) {
  auto req = Job("exit3", {"sh", "-c", "exit 3"});
  req.retryStrategy = protocol::RetryStrategy{
      .attempts = 5,
      .evaluateOnExit = {{.onExitCode = "3", .action = protocol::RetryAction::kExit},
                         {.onReason = "*", .action = protocol::RetryAction::kRetry}}};
  auto other = Job("exit4", {"sh", "-c", "exit 4"});
  other.retryStrategy = req.retryStrategy;
  const std::string exit3 = Submit(req);
  const std::string exit4 = Submit(other);
  auto jobs = cluster_.WaitForTerminal({exit3, exit4}, 60s);
  ASSERT_TRUE(jobs.ok());
  EXPECT_EQ((*jobs)[0].status, JobStatus::kFailed);
  EXPECT_EQ((*jobs)[0].attempts.size(), 1u) << "EXIT on code 3 must not retry";
  EXPECT_EQ((*jobs)[1].status, JobStatus::kFailed);
  EXPECT_EQ((*jobs)[1].attempts.size(), 5u) << "code 4 matches the RETRY rule";
}

TEST_F(JobModelTest, TimeoutStopsEachAttemptAndFollowsTheRetryStrategy) {
  auto req = Job("slow", {"sleep", "300"});
  req.timeout = protocol::JobTimeout{.attemptDurationSeconds = 1};
  req.retryStrategy = protocol::RetryStrategy{.attempts = 2, .evaluateOnExit = {}};
  const std::string id = Submit(req);
  auto jobs = cluster_.WaitForTerminal({id}, 90s);
  ASSERT_TRUE(jobs.ok());
  const protocol::Job& j = (*jobs)[0];
  EXPECT_EQ(j.status, JobStatus::kFailed);
  EXPECT_EQ(j.statusReason, "Job attempt duration exceeded timeout");
  ASSERT_EQ(j.attempts.size(), 2u);
  for (const auto& a : j.attempts) {
    EXPECT_EQ(a.statusReason.value_or(""), "Job attempt duration exceeded timeout");
    ASSERT_TRUE(a.startedAt && a.stoppedAt);
    EXPECT_GE(*a.stoppedAt - *a.startedAt, 900);
    EXPECT_LT(*a.stoppedAt - *a.startedAt, 60'000);
  }
}

TEST_F(JobModelTest, CancelFailsAWaitingJobAndItsDependents) {
  const std::string blocker = Submit(Job("blocker", {"sleep", "300"}));
  auto waiting = Job("waiting", {"true"});
  waiting.dependsOn = {{blocker, {}}};
  const std::string w = Submit(waiting);
  auto downstream = Job("downstream", {"true"});
  downstream.dependsOn = {{w, {}}};
  const std::string d = Submit(downstream);
  ASSERT_TRUE(cluster_.WaitForStatus(blocker, JobStatus::kRunning, 30s).ok());
  const protocol::Job pending = Describe(w);
  EXPECT_EQ(pending.status, JobStatus::kPending);
  EXPECT_NE(pending.statusReason.find(blocker), std::string::npos) << pending.statusReason;

  // A running job is not touched by cancel, as AWS.
  ASSERT_TRUE(cluster_.rpc().Call(protocol::CancelJobRequest{blocker, "too late"}).ok());
  ASSERT_TRUE(cluster_.rpc().Call(protocol::CancelJobRequest{w, "not needed"}).ok());
  auto jobs = cluster_.WaitForTerminal({w, d}, 30s);
  ASSERT_TRUE(jobs.ok());
  EXPECT_EQ((*jobs)[0].status, JobStatus::kFailed);
  EXPECT_EQ((*jobs)[0].statusReason, "not needed");
  EXPECT_TRUE((*jobs)[0].isCancelled);
  EXPECT_EQ((*jobs)[1].status, JobStatus::kFailed);
  EXPECT_NE((*jobs)[1].statusReason.find(w), std::string::npos) << (*jobs)[1].statusReason;
  EXPECT_EQ(Describe(blocker).status, JobStatus::kRunning);

  // terminate-job stops the running attempt; the job fails with the reason
  // and is not retried.
  ASSERT_TRUE(cluster_.rpc().Call(protocol::TerminateJobRequest{blocker, "stopped by the operator"}).ok());
  auto stopped = cluster_.WaitForTerminal({blocker}, 30s);
  ASSERT_TRUE(stopped.ok());
  EXPECT_EQ((*stopped)[0].status, JobStatus::kFailed);
  EXPECT_EQ((*stopped)[0].statusReason, "stopped by the operator");
  EXPECT_TRUE((*stopped)[0].isTerminated);
  EXPECT_EQ((*stopped)[0].attempts.size(), 1u);
}

TEST_F(JobModelTest, TerminateAnArrayStopsEveryChild) {
  auto req = Job("many", {"sleep", "300"});
  req.arraySize = 40;  // more than the 32 vCPUs: some run, some wait
  const std::string id = Submit(req);
  ASSERT_TRUE(cluster_.WaitForStatus(id + ":0", JobStatus::kRunning, 30s).ok());
  ASSERT_TRUE(cluster_.rpc().Call(protocol::TerminateJobRequest{id, "whole array"}).ok());
  auto parent = cluster_.WaitForTerminal({id}, 60s);
  ASSERT_TRUE(parent.ok());
  EXPECT_EQ((*parent)[0].status, JobStatus::kFailed);
  EXPECT_EQ((*parent)[0].arrayProperties->statusSummary.at("FAILED"), 40u);
  for (const protocol::Job& child : Children(id)) {
    EXPECT_EQ(child.statusReason, "whole array") << child.jobId;
  }
  // Every reservation is released.
  auto nodes = cluster_.rpc().Call(protocol::DescribeNodesRequest{});
  ASSERT_TRUE(nodes.ok());
  for (const auto& n : nodes->nodes) EXPECT_TRUE(n.runningAttempts.empty()) << n.node.nodeId;
}

TEST_F(JobModelTest, QueueTimeLimitCancelsAJobNoNodeCouldEverFit) {
  protocol::CreateJobQueueRequest q;
  q.jobQueue.jobQueueName = "limited";
  q.jobQueue.computeEnvironmentOrder = {{1, "ce"}};
  q.jobQueue.jobStateTimeLimitActions = {{.reason = "MISCONFIGURATION:JOB_RESOURCE_REQUIREMENT",
                                          .state = "RUNNABLE",
                                          .maxTimeSeconds = 1,
                                          .action = protocol::JobStateTimeLimitAction::kCancel}};
  ASSERT_TRUE(cluster_.rpc().Call(q).ok());
  auto huge = Job("huge", {"true"});
  huge.jobQueue = "limited";
  huge.vcpus = 64;  // every node has 16
  auto fits = Job("fits", {"true"});
  fits.jobQueue = "limited";
  const std::string huge_id = Submit(huge);
  const std::string fits_id = Submit(fits);
  auto jobs = cluster_.WaitForTerminal({huge_id, fits_id}, 30s);
  ASSERT_TRUE(jobs.ok());
  EXPECT_EQ((*jobs)[0].status, JobStatus::kFailed);
  EXPECT_TRUE((*jobs)[0].isCancelled);
  EXPECT_NE((*jobs)[0].statusReason.find("MISCONFIGURATION:JOB_RESOURCE_REQUIREMENT: RUNNABLE for more than 1 s"),
            std::string::npos)
      << (*jobs)[0].statusReason;
  EXPECT_EQ((*jobs)[1].status, JobStatus::kSucceeded);
}

// A cluster that keeps finished jobs for one second.
class RetentionTest : public ::testing::Test {
 protected:
  static HarnessOptions ShortRetention() {
    HarnessOptions o;
    o.coordinator_args.insert(o.coordinator_args.end(), {"--job-retention-seconds", "1"});
    return o;
  }
  void SetUp() override {
    ASSERT_TRUE(cluster_.Start().ok()) << "see " << cluster_.root();
    ASSERT_TRUE(cluster_.CreateDefaults().ok());
  }
  void TearDown() override {
    if (HasFailure()) cluster_.KeepFiles();
  }
  ClusterHarness cluster_{GANTRY_BINARY, ShortRetention()};
};

TEST_F(RetentionTest, FinishedJobsAndArraysAreRemovedAfterTheRetention) {
  auto single = Job("single", {"true"});
  auto array = Job("array", {"true"});
  array.arraySize = 3;
  auto blocker = Job("blocker", {"sleep", "300"});
  const std::string single_id = cluster_.rpc().Call(single)->jobId;
  const std::string array_id = cluster_.rpc().Call(array)->jobId;
  const std::string running_id = cluster_.rpc().Call(blocker)->jobId;
  ASSERT_TRUE(cluster_.WaitForTerminal({single_id, array_id}, 30s).ok());
  // The leader's housekeeping removes them once they stopped a second ago.
  const auto deadline = std::chrono::steady_clock::now() + 30s;
  std::vector<protocol::Job> left;
  do {
    auto r = cluster_.rpc().Call(protocol::DescribeJobsRequest{{single_id, array_id, array_id + ":2", running_id}});
    ASSERT_TRUE(r.ok());
    left = r->jobs;
    if (left.size() > 1) std::this_thread::sleep_for(50ms);  // the poll's pace
  } while (left.size() > 1 && std::chrono::steady_clock::now() < deadline);
  ASSERT_EQ(left.size(), 1u) << "finished jobs were not purged";
  EXPECT_EQ(left[0].jobId, running_id);  // an unfinished job is never removed
  protocol::ListJobsRequest list;
  list.jobQueue = "q";
  auto listed = cluster_.rpc().Call(list);
  ASSERT_TRUE(listed.ok());
  ASSERT_EQ(listed->jobSummaryList.size(), 1u);
  EXPECT_EQ(listed->jobSummaryList[0].jobId, running_id);
}

TEST_F(JobModelTest, FairShareSplitsFreedCapacityByWeight) {
  // A disabled compute environment holds every job back, so one pass sees
  // both shares' backlogs when it is enabled.
  protocol::CreateComputeEnvironmentRequest ce;
  ce.computeEnvironment.computeEnvironmentName = "shared";
  ce.computeEnvironment.state = protocol::ResourceState::kDisabled;
  ce.computeEnvironment.maxvCpus = 24;
  ASSERT_TRUE(cluster_.rpc().Call(ce).ok());
  protocol::CreateSchedulingPolicyRequest policy;
  policy.schedulingPolicy.name = "fair";
  policy.schedulingPolicy.fairsharePolicy.shareDistribution = {{"heavy", 0.5}, {"light", 1.0}};
  ASSERT_TRUE(cluster_.rpc().Call(policy).ok());
  protocol::CreateJobQueueRequest q;
  q.jobQueue.jobQueueName = "fairq";
  q.jobQueue.computeEnvironmentOrder = {{1, "shared"}};
  q.jobQueue.schedulingPolicyArn = "arn:aws:batch:local:0:scheduling-policy/fair";
  ASSERT_TRUE(cluster_.rpc().Call(q).ok());

  auto no_share = Job("x", {"true"});
  no_share.jobQueue = "fairq";
  auto refused = cluster_.rpc().Call(no_share);
  EXPECT_EQ(refused.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(refused.status().message().find("shareIdentifier is required"), std::string::npos)
      << refused.status().message();

  std::vector<std::string> ids;
  for (const char* share : {"light", "heavy"}) {  // light first: FIFO would favour it
    for (int i = 0; i < 30; ++i) {
      auto j = Job(std::string(share) + std::to_string(i), {"sleep", "300"});
      j.jobQueue = "fairq";
      j.shareIdentifier = share;
      ids.push_back(Submit(j));
    }
  }
  protocol::UpdateComputeEnvironmentRequest enable;
  enable.computeEnvironment = "shared";
  enable.state = protocol::ResourceState::kEnabled;
  ASSERT_TRUE(cluster_.rpc().Call(enable).ok());

  // 24 vCPUs: weight 0.5 against 1.0 gives the heavy share two thirds.
  std::map<std::string, int> placed;
  const auto deadline = std::chrono::steady_clock::now() + 30s;
  while (std::chrono::steady_clock::now() < deadline) {
    placed.clear();
    for (size_t i = 0; i < ids.size(); i += protocol::kMaxDescribeJobs) {
      protocol::DescribeJobsRequest req;
      req.jobs.assign(ids.begin() + static_cast<long>(i),
                      ids.begin() + static_cast<long>(std::min(ids.size(), i + protocol::kMaxDescribeJobs)));
      auto r = cluster_.rpc().Call(req);
      ASSERT_TRUE(r.ok());
      for (const auto& j : r->jobs) {
        if (j.status != JobStatus::kRunnable) placed[*j.shareIdentifier]++;
      }
    }
    if (placed["heavy"] + placed["light"] >= 24) break;
    std::this_thread::sleep_for(50ms);  // the poll's pace
  }
  EXPECT_EQ(placed["heavy"], 16);
  EXPECT_EQ(placed["light"], 8);
}

}  // namespace
}  // namespace gantry::testing
