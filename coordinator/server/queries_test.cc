#include "coordinator/server/queries.h"

#include <gtest/gtest.h>

#include "coordinator/server/server_test_util.h"

namespace gantry::coordinator {
namespace {

using protocol::JobStatus;

void Cluster(StateBuilder& b) { b.Ce("ce").Queue("q", "ce").Def("d").Node("n1"); }

TEST(Queries, DescribeJobsOmitsUnknownIds) {
  StateBuilder b;
  Cluster(b);
  b.Submit("j1", "q");
  auto reply = DescribeJobs(b.state(), {}, {{"j1", "nope"}});
  ASSERT_EQ(reply.jobs.size(), 1u);
  EXPECT_EQ(reply.jobs[0].jobId, "j1");
}

TEST(Queries, RunnableJobsShowTheLeadersWaitReason) {
  StateBuilder b;
  Cluster(b);
  b.Submit("j1", "q").Submit("j2", "q").Place("j2", "n1", "ce");
  WaitReasons reasons{{"j1", "needs 8 vCPU"}, {"j2", "stale reason"}};
  auto reply = DescribeJobs(b.state(), reasons, {{"j1", "j2"}});
  ASSERT_EQ(reply.jobs.size(), 2u);
  EXPECT_EQ(reply.jobs[0].statusReason, "needs 8 vCPU");
  // Not RUNNABLE any more: the stored reason wins.
  EXPECT_EQ(reply.jobs[1].statusReason, "placed on node n1");
  protocol::ListJobsRequest req;
  req.jobQueue = "q";
  EXPECT_EQ(ListJobs(b.state(), reasons, req)->jobSummaryList[0].statusReason, "needs 8 vCPU");
}

TEST(Queries, ListJobsUnknownQueueIsNotFound) {
  StateBuilder b;
  Cluster(b);
  protocol::ListJobsRequest req;
  req.jobQueue = "nope";
  EXPECT_EQ(ListJobs(b.state(), {}, req).status().code(), StatusCode::kNotFound);
}

TEST(Queries, ListJobsFiltersByStatusAndDropsLogTails) {
  StateBuilder b;
  Cluster(b);
  b.Submit("j1", "q").Submit("j2", "q").Place("j1", "n1", "ce").End("j1-1", "n1", 0);
  protocol::ListJobsRequest req;
  req.jobQueue = "q";
  req.jobStatus = JobStatus::kSucceeded;
  auto r = ListJobs(b.state(), {}, req);
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->jobSummaryList.size(), 1u);
  EXPECT_EQ(r->jobSummaryList[0].jobId, "j1");
  EXPECT_FALSE(r->jobSummaryList[0].attempts[0].logTail.has_value());
  req.jobStatus.reset();
  EXPECT_EQ(ListJobs(b.state(), {}, req)->jobSummaryList.size(), 2u);
}

TEST(Queries, ListJobsPagesInSubmissionOrderAndTokensAdvance) {
  StateBuilder b;
  Cluster(b);
  for (int i = 0; i < 5; ++i) b.Submit("j" + std::to_string(i), "q");
  protocol::ListJobsRequest req;
  req.jobQueue = "q";
  req.maxResults = 2;
  std::vector<std::string> seen;
  for (int page = 0; page < 10; ++page) {
    auto r = ListJobs(b.state(), {}, req);
    ASSERT_TRUE(r.ok());
    for (const auto& j : r->jobSummaryList) seen.push_back(j.jobId);
    if (!r->nextToken) break;
    ASSERT_NE(req.nextToken, r->nextToken);
    req.nextToken = r->nextToken;
  }
  EXPECT_EQ(seen, (std::vector<std::string>{"j0", "j1", "j2", "j3", "j4"}));
}

TEST(Queries, ListJobsRejectsForeignToken) {
  StateBuilder b;
  Cluster(b);
  protocol::ListJobsRequest req;
  req.jobQueue = "q";
  req.nextToken = "abc";
  EXPECT_EQ(ListJobs(b.state(), {}, req).status().code(), StatusCode::kInvalidArgument);
}

TEST(Queries, DescribeNamedObjectsNotFound) {
  StateBuilder b;
  Cluster(b);
  EXPECT_EQ(DescribeJobQueues(b.state(), {{"q"}})->jobQueues.size(), 1u);
  EXPECT_EQ(DescribeJobQueues(b.state(), {{"zz"}}).status().code(), StatusCode::kNotFound);
  NodeLiveness live(1000);
  EXPECT_EQ(DescribeComputeEnvironments(b.state(), live, {{"zz"}}).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(DescribeJobDefinitions(b.state(), {{"zz"}}).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(DescribeJobDefinitions(b.state(), {{"d:1"}})->jobDefinitions.size(), 1u);
}

TEST(Queries, ComputeEnvironmentShowsUsedVcpusAndReadyNodes) {
  StateBuilder b;
  b.Ce("ce", 16, {{"rack", "r1"}}).Queue("q", "ce").Def("d");
  b.Node("n1", 4, {{"rack", "r1"}}).Node("n2", 4, {{"rack", "r2"}});
  b.Submit("j1", "q", 3).Place("j1", "n1", "ce");
  NodeLiveness live(1000);
  live.Heard("n1", 0);
  live.Heard("n2", 0);
  auto r = DescribeComputeEnvironments(b.state(), live, {});
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->computeEnvironments.size(), 1u);
  EXPECT_EQ(r->computeEnvironments[0].usedvCpus, 3u);
  EXPECT_EQ(r->computeEnvironments[0].nodes, 1u);  // n2 does not match the selector
}

TEST(Queries, NodesShowFreeCapacityAndLostState) {
  StateBuilder b;
  Cluster(b);
  b.Submit("j1", "q", 2).Place("j1", "n1", "ce");
  NodeLiveness live(1000);
  live.Heard("n1", 0);
  auto ready = DescribeNodes(b.state(), live, 100);
  ASSERT_EQ(ready.nodes.size(), 1u);
  EXPECT_EQ(ready.nodes[0].state, protocol::NodeState::kReady);
  EXPECT_EQ(ready.nodes[0].free.vcpus, 2u);
  EXPECT_EQ(ready.nodes[0].runningAttempts, std::vector<std::string>{"j1-1"});
  live.Expire(5000);
  auto lost = DescribeNodes(b.state(), live, 5000);
  EXPECT_EQ(lost.nodes[0].state, protocol::NodeState::kLost);
  EXPECT_NE(lost.nodes[0].stateReason.find("silent for 5s"), std::string::npos);
}

TEST(Selector, NeedsEveryLabel) {
  EXPECT_TRUE(protocol::MatchesSelector({{"a", "1"}, {"b", "2"}}, {{"a", "1"}}));
  EXPECT_FALSE(protocol::MatchesSelector({{"a", "1"}}, {{"a", "1"}, {"b", "2"}}));
  EXPECT_FALSE(protocol::MatchesSelector({{"a", "2"}}, {{"a", "1"}}));
  EXPECT_TRUE(protocol::MatchesSelector({}, {}));
}

TEST(Queries, ReportAlreadyAppliedOnlyWhenTheStateSaysSo) {
  using protocol::MessageType;
  StateBuilder b;
  Cluster(b);
  b.Submit("j1", "q").Place("j1", "n1", "ce");
  const std::string attempt = MakeAttemptId("j1", 1);
  EXPECT_FALSE(ReportAlreadyApplied(b.state(), MessageType::kAttemptStarted, attempt));
  EXPECT_FALSE(ReportAlreadyApplied(b.state(), MessageType::kAttemptEnded, attempt));
  EXPECT_FALSE(ReportAlreadyApplied(b.state(), MessageType::kAttemptEnded, "unknown-1"));
  b.End(attempt, "n1", 0);
  EXPECT_TRUE(ReportAlreadyApplied(b.state(), MessageType::kAttemptStarted, attempt));
  EXPECT_TRUE(ReportAlreadyApplied(b.state(), MessageType::kAttemptEnded, attempt));
}

}  // namespace
}  // namespace gantry::coordinator
