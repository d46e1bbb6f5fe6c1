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
  WaitBoard reasons;
  reasons.File(b.state().FindJob("j1")->sequence, "needs 8 vCPU", "CAPACITY:INSUFFICIENT_INSTANCE_CAPACITY");
  reasons.File(b.state().FindJob("j2")->sequence, "stale reason", "CAPACITY:INSUFFICIENT_INSTANCE_CAPACITY");
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
  live.Heard("n1", 200, "free disk 10 MiB is below the 1024 MiB threshold");
  auto full = DescribeNodes(b.state(), live, 300);
  EXPECT_EQ(full.nodes[0].state, protocol::NodeState::kUnschedulable);
  EXPECT_EQ(full.nodes[0].stateReason, "free disk 10 MiB is below the 1024 MiB threshold");
  live.Expire(5200);
  auto lost = DescribeNodes(b.state(), live, 5200);
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

TEST(Queries, StaleReportsAreNamedWithTheirReason) {
  StateBuilder b;
  Cluster(b);
  b.Node("n2");
  b.Submit("j1", "q").Place("j1", "n1", "ce");
  const uint64_t token = b.state().FindJob("j1")->attempts[0].fencingToken;
  EXPECT_EQ(StaleReportReason(b.state(), "n1", "j1-1", std::nullopt), "");
  EXPECT_EQ(StaleReportReason(b.state(), "n1", "j1-1", token), "");
  EXPECT_EQ(StaleReportReason(b.state(), "n1", "j1-1", token + 1),
            "fencing token " + std::to_string(token + 1) + " is not the attempt's " + std::to_string(token));
  EXPECT_EQ(StaleReportReason(b.state(), "n2", "j1-1", token), "the attempt runs on n1");
  EXPECT_EQ(StaleReportReason(b.state(), "n1", "nope-1", token), "unknown attempt");
  EXPECT_EQ(EndedByCoordinator(b.state(), "j1-1"), "");
  Command lost{CommandType::kNodeLost};
  lost.target = "n1";
  b.Run(lost);
  EXPECT_EQ(StaleReportReason(b.state(), "n1", "j1-1", token), "not the live attempt of job j1 (FAILED)");
  EXPECT_EQ(EndedByCoordinator(b.state(), "j1-1"), "Node lost: n1");
  b.Submit("j2", "q").Place("j2", "n2", "ce").End("j2-1", "n2", 0);
  EXPECT_EQ(EndedByCoordinator(b.state(), "j2-1"), "") << "ended by its own report";
}

TEST(Queries, ArrayParentCountsItsChildrenPerStatus) {
  StateBuilder b;
  Cluster(b);
  b.Array("arr", "q", 3).Place("arr:1", "n1", "ce").Cancel("arr:2");
  auto reply = DescribeJobs(b.state(), {}, {{"arr", "arr:1"}});
  ASSERT_EQ(reply.jobs.size(), 2u);
  const auto& summary = reply.jobs[0].arrayProperties->statusSummary;
  EXPECT_EQ(summary.at("RUNNABLE"), 1u);
  EXPECT_EQ(summary.at("STARTING"), 1u);
  EXPECT_EQ(summary.at("FAILED"), 1u);
  EXPECT_EQ(summary.at("SUCCEEDED"), 0u);
  EXPECT_EQ(reply.jobs[0].arrayProperties->size, 3u);
  // A child carries its index and no summary.
  EXPECT_EQ(reply.jobs[1].arrayProperties->index, 1u);
  EXPECT_TRUE(reply.jobs[1].arrayProperties->statusSummary.empty());
}

TEST(Queries, ListJobsByArrayPagesThroughChildrenInIndexOrder) {
  StateBuilder b;
  Cluster(b);
  b.Array("arr", "q", 5).Cancel("arr:3");
  protocol::ListJobsRequest req;
  req.arrayJobId = "arr";
  req.maxResults = 2;
  std::vector<std::string> seen;
  for (int page = 0; page < 10; ++page) {
    auto reply = ListJobs(b.state(), {}, req);
    ASSERT_TRUE(reply.ok()) << reply.status().ToString();
    for (const auto& j : reply->jobSummaryList) seen.push_back(j.jobId);
    if (!reply->nextToken) break;
    ASSERT_NE(req.nextToken, reply->nextToken) << "a token must advance";
    req.nextToken = reply->nextToken;
  }
  EXPECT_EQ(seen, (std::vector<std::string>{"arr:0", "arr:1", "arr:2", "arr:3", "arr:4"}));
  req = {};
  req.arrayJobId = "arr";
  req.jobStatus = JobStatus::kFailed;
  auto failed = ListJobs(b.state(), {}, req);
  ASSERT_EQ(failed->jobSummaryList.size(), 1u);
  EXPECT_EQ(failed->jobSummaryList[0].jobId, "arr:3");
  // Children are listed through their parent only, as AWS does.
  protocol::ListJobsRequest by_queue;
  by_queue.jobQueue = "q";
  auto top = ListJobs(b.state(), {}, by_queue);
  ASSERT_EQ(top->jobSummaryList.size(), 1u);
  EXPECT_EQ(top->jobSummaryList[0].jobId, "arr");
  req = {};
  req.arrayJobId = "nope";
  EXPECT_EQ(ListJobs(b.state(), {}, req).status().code(), StatusCode::kNotFound);
}

TEST(Queries, ListJobsFiltersByNameNewestFirstAndIgnoresStatus) {
  StateBuilder b;
  Cluster(b);
  b.Submit("j1", "q").Submit("j2", "q").Submit("x3", "q").Submit("j4", "q");
  protocol::ListJobsRequest req;
  req.jobQueue = "q";
  req.jobStatus = JobStatus::kSucceeded;  // ignored with a filter, as AWS
  req.filters = {{.name = "JOB_NAME", .values = {"NJ*"}}};  // case-insensitive prefix
  req.maxResults = 2;
  auto first = ListJobs(b.state(), {}, req);
  ASSERT_TRUE(first.ok());
  ASSERT_EQ(first->jobSummaryList.size(), 2u);
  EXPECT_EQ(first->jobSummaryList[0].jobId, "j4");
  EXPECT_EQ(first->jobSummaryList[1].jobId, "j2");
  ASSERT_TRUE(first->nextToken);
  req.nextToken = first->nextToken;
  auto second = ListJobs(b.state(), {}, req);
  ASSERT_EQ(second->jobSummaryList.size(), 1u);
  EXPECT_EQ(second->jobSummaryList[0].jobId, "j1");
  EXPECT_FALSE(second->nextToken);

  req = {};
  req.jobQueue = "q";
  req.filters = {{.name = "JOB_NAME", .values = {"nx3"}}};
  EXPECT_EQ(ListJobs(b.state(), {}, req)->jobSummaryList.size(), 1u);
  req.filters = {{.name = "AFTER_CREATED_AT", .values = {"soon"}}};
  EXPECT_EQ(ListJobs(b.state(), {}, req).status().message(),
            "filter AFTER_CREATED_AT: \"soon\" is not a time in epoch milliseconds");
  req.filters = {{.name = "BEFORE_CREATED_AT", .values = {std::to_string(b.state().FindJob("x3")->createdAt)}}};
  EXPECT_EQ(ListJobs(b.state(), {}, req)->jobSummaryList.size(), 2u);
  req.filters = {{.name = "JOB_DEFINITION", .values = {"d"}}};
  EXPECT_EQ(ListJobs(b.state(), {}, req)->jobSummaryList.size(), 4u);
  req.filters = {{.name = "JOB_DEFINITION", .values = {"d:2"}}};
  EXPECT_EQ(ListJobs(b.state(), {}, req)->jobSummaryList.size(), 0u);
  req.filters = {{.name = "JOB_DEFINITION", .values = {"d*"}}};  // a name prefix, any revision
  EXPECT_EQ(ListJobs(b.state(), {}, req)->jobSummaryList.size(), 4u);
  req.filters = {{.name = "JOB_DEFINITION", .values = {"e*"}}};
  EXPECT_EQ(ListJobs(b.state(), {}, req)->jobSummaryList.size(), 0u);
}

TEST(Queries, ShareIdentifierCombinesWithJobStatusWhereOtherFiltersReplaceIt) {
  StateBuilder b;
  b.Ce("ce").Def("d").Node("n1");
  Command policy{CommandType::kCreateSchedulingPolicy};
  policy.schedulingPolicy = protocol::SchedulingPolicy{};
  policy.schedulingPolicy->name = "fair";
  b.Run(policy);
  Command queue{CommandType::kCreateJobQueue};
  queue.jobQueue = protocol::JobQueue{};
  queue.jobQueue->jobQueueName = "q";
  queue.jobQueue->computeEnvironmentOrder = {{1, "ce"}};
  queue.jobQueue->schedulingPolicyArn = "fair";
  b.Run(queue);
  for (const char* id : {"j1", "j2"}) {
    Command c{CommandType::kSubmitJob};
    SubmitJobCommand sub;
    sub.jobId = id;
    sub.request.jobName = std::string("n") + id;
    sub.request.jobQueue = "q";
    sub.request.jobDefinition = "d";
    sub.request.shareIdentifier = "team-a";
    c.submitJob = sub;
    b.Run(c);
  }
  b.Place("j1", "n1", "ce").End("j1-1", "n1", 0);  // j1 SUCCEEDED, j2 still waiting
  protocol::ListJobsRequest req;
  req.jobQueue = "q";
  req.filters = {{.name = "SHARE_IDENTIFIER", .values = {"team-a"}}};
  EXPECT_EQ(ListJobs(b.state(), {}, req)->jobSummaryList.size(), 2u);
  req.jobStatus = JobStatus::kSucceeded;
  auto succeeded = ListJobs(b.state(), {}, req);
  ASSERT_EQ(succeeded->jobSummaryList.size(), 1u);
  EXPECT_EQ(succeeded->jobSummaryList[0].jobId, "j1");
  req.filters = {{.name = "JOB_NAME", .values = {"nj*"}}};  // replaces the status
  EXPECT_EQ(ListJobs(b.state(), {}, req)->jobSummaryList.size(), 2u);
}

TEST(Queries, DescribeSchedulingPoliciesByNameOrArn) {
  StateBuilder b;
  Command c{CommandType::kCreateSchedulingPolicy};
  protocol::SchedulingPolicy p;
  p.name = "fair";
  c.schedulingPolicy = p;
  b.Run(c);
  auto all = DescribeSchedulingPolicies(b.state(), {});
  ASSERT_EQ(all->schedulingPolicies.size(), 1u);
  auto by_arn = DescribeSchedulingPolicies(b.state(), {{"arn:aws:batch:r:1:scheduling-policy/fair"}});
  ASSERT_TRUE(by_arn.ok());
  EXPECT_EQ(by_arn->schedulingPolicies[0].name, "fair");
  EXPECT_EQ(DescribeSchedulingPolicies(b.state(), {{"other"}}).status().message(),
            "scheduling policy other not found");
}

// The tags of `ref` as ListTagsForResource answers them (what the client
// gets for kListTagsForResource).
Result<protocol::Tags> Listed(const StateBuilder& b, protocol::ResourceKind kind, const std::string& id) {
  auto reply = ListTagsForResource(b.state(), {{kind, id}});
  if (!reply.ok()) return reply.status();
  return reply->tags;
}

TEST(Queries, ListTagsForResourceAnswersEveryKind) {
  using K = protocol::ResourceKind;
  StateBuilder b;
  Cluster(b);
  b.Submit("j1", "q");
  Command policy{CommandType::kCreateSchedulingPolicy};
  policy.schedulingPolicy = protocol::SchedulingPolicy{};
  policy.schedulingPolicy->name = "fair";
  b.Run(policy);
  const std::vector<std::pair<K, std::string>> refs = {
      {K::kComputeEnvironment, "ce"}, {K::kJobQueue, "q"}, {K::kJobDefinition, "d:1"},
      {K::kJob, "j1"}, {K::kSchedulingPolicy, "fair"}};
  for (const auto& ref : refs) {
    Result<protocol::Tags> none = Listed(b, ref.first, ref.second);
    ASSERT_TRUE(none.ok()) << ref.second << ": " << none.status().ToString();
    EXPECT_TRUE(none->empty()) << ref.second;
    Command tag{CommandType::kTagResource};
    tag.tagResource.emplace();
    tag.tagResource->resource.kind = ref.first;
    tag.tagResource->resource.id = ref.second;
    tag.tagResource->tags = {{"name", ref.second}};
    b.Run(tag);
    EXPECT_EQ(Listed(b, ref.first, ref.second).value(), (protocol::Tags{{"name", ref.second}})) << ref.second;
  }
}

TEST(Queries, ListTagsForResourceNamesWhatIsMissing) {
  using K = protocol::ResourceKind;
  StateBuilder b;
  Cluster(b);
  EXPECT_EQ(Listed(b, K::kJobQueue, "q1").status().message(), "job queue q1 not found");
  EXPECT_EQ(Listed(b, K::kComputeEnvironment, "x").status().message(), "compute environment x not found");
  EXPECT_EQ(Listed(b, K::kJobDefinition, "d:3").status().message(), "job definition d:3 not found");
  EXPECT_EQ(Listed(b, K::kSchedulingPolicy, "x").status().message(), "scheduling policy x not found");
  EXPECT_EQ(Listed(b, K::kJob, "x").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(Listed(b, K::kJob, "x").status().message(), "job x not found");
  // A definition's tags are per revision: the bare name is refused.
  EXPECT_EQ(Listed(b, K::kJobDefinition, "d").status().code(), StatusCode::kInvalidArgument);
}

TEST(Queries, DescribeJobsShowsTagsAndSubmitter) {
  StateBuilder b;
  Cluster(b);
  Command c{CommandType::kSubmitJob};
  c.submitJob = SubmitJobCommand{};
  c.submitJob->jobId = "j1";
  c.submitJob->request.jobName = "tagged";
  c.submitJob->request.jobQueue = "q";
  c.submitJob->request.jobDefinition = "d";
  c.submitJob->request.tags = protocol::Tags{{"team", "ml"}};
  c.submitJob->request.submittedBy = "ci-key";
  b.Run(c);
  auto reply = DescribeJobs(b.state(), {}, {{"j1"}});
  ASSERT_EQ(reply.jobs.size(), 1u);
  EXPECT_EQ(reply.jobs[0].tags, (protocol::Tags{{"team", "ml"}}));
  EXPECT_EQ(reply.jobs[0].submittedBy, "ci-key");
}

}  // namespace
}  // namespace gantry::coordinator
