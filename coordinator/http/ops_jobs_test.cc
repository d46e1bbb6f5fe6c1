#include "coordinator/http/ops_jobs.h"

#include <gtest/gtest.h>

#include "coordinator/http/ops_test_util.h"

namespace gantry::coordinator::http {
namespace {

using nlohmann::json;
using protocol::DescribeJobsRequest;
using protocol::JobStatus;
using protocol::ListJobsRequest;

protocol::Job MakeJob(std::string id) {
  protocol::Job job;
  job.jobId = std::move(id);
  job.jobName = "train";
  job.jobQueue = "high";
  job.jobDefinition = "trainer:3";
  job.status = JobStatus::kRunning;
  job.createdAt = 1700000000000;
  job.startedAt = 1700000001000;
  return job;
}

class JobsTest : public OpsTest {};

TEST_F(JobsTest, DescribeJobsNamesQueueAndDefinitionByArn) {
  protocol::Job tagged = MakeJob("id-1");
  tagged.tags = protocol::Tags{{"team", "ml"}};
  tagged.submittedBy = "alice";
  ReplyTo<DescribeJobsRequest>().jobs = {tagged, MakeJob("id-2")};
  Result<json> out = Run("describejobs", Body(R"({"jobs": ["id-1", "id-2", "unknown"]})"));
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_EQ(Sent<DescribeJobsRequest>().jobs, (std::vector<std::string>{"id-1", "id-2", "unknown"}));

  const json& jobs = (*out)["jobs"];
  ASSERT_EQ(jobs.size(), 2u);
  const json& first = jobs[0];
  EXPECT_EQ(first["jobId"], "id-1");
  EXPECT_EQ(first["jobArn"], TestArn("job/id-1"));
  EXPECT_EQ(first["jobQueue"], TestArn("job-queue/high"));
  EXPECT_EQ(first["jobDefinition"], TestArn("job-definition/trainer:3"));
  EXPECT_EQ(first["status"], "RUNNING");
  EXPECT_EQ(first["createdAt"], 1700000000000);
  EXPECT_EQ(first["startedAt"], 1700000001000);
  EXPECT_EQ(first["tags"], (json{{"team", "ml"}}));
  EXPECT_EQ(first["submittedBy"], "alice");
  EXPECT_FALSE(jobs[1].contains("tags"));
  EXPECT_FALSE(jobs[1].contains("submittedBy"));
}

TEST_F(JobsTest, DescribeJobsTakesOneToAHundredIds) {
  ExpectInvalid(Run("describejobs", Body(R"({"jobs": []})")), "jobs must list 1-100 job ids, got 0");
  json many = {{"jobs", std::vector<std::string>(101, "id")}};
  ExpectInvalid(Run("describejobs", many), "jobs must list 1-100 job ids, got 101");
  ExpectInvalid(Run("describejobs", Body(R"({"jobs": "id-1"})")), "jobs must be an array of strings");
  EXPECT_EQ(Calls<DescribeJobsRequest>(), 0);
  EXPECT_TRUE(Run("describejobs", {{"jobs", std::vector<std::string>(100, "id")}}).ok());
}

TEST_F(JobsTest, ListJobsListsRunningJobsByDefault) {
  ASSERT_TRUE(Run("listjobs", {{"jobQueue", TestArn("job-queue/high")}}).ok());
  const ListJobsRequest& req = Sent<ListJobsRequest>();
  EXPECT_EQ(req.jobQueue, "high");
  EXPECT_FALSE(req.arrayJobId.has_value());
  EXPECT_EQ(req.jobStatus, JobStatus::kRunning);
  EXPECT_EQ(req.maxResults, 100u);
  EXPECT_FALSE(req.nextToken.has_value());
  EXPECT_TRUE(req.filters.empty());
}

TEST_F(JobsTest, ListJobsPassesStatusPagingAndArrayScope) {
  ASSERT_TRUE(Run("listjobs", Body(R"({"arrayJobId": "parent", "jobStatus": "SUCCEEDED", "maxResults": 5,
                                       "nextToken": "opaque-from-backend"})"))
                  .ok());
  const ListJobsRequest& req = Sent<ListJobsRequest>();
  EXPECT_EQ(req.jobQueue, "");
  EXPECT_EQ(req.arrayJobId, "parent");
  EXPECT_EQ(req.jobStatus, JobStatus::kSucceeded);
  EXPECT_EQ(req.maxResults, 5u);
  EXPECT_EQ(req.nextToken, "opaque-from-backend");
}

TEST_F(JobsTest, ListJobsWithAFilterIgnoresJobStatus) {
  ASSERT_TRUE(Run("listjobs", Body(R"({"jobQueue": "high", "jobStatus": "FAILED",
                                       "filters": [{"name": "JOB_NAME", "values": ["train*"]}]})"))
                  .ok());
  const ListJobsRequest& req = Sent<ListJobsRequest>();
  EXPECT_FALSE(req.jobStatus.has_value());
  ASSERT_EQ(req.filters.size(), 1u);
  EXPECT_EQ(req.filters[0].name, "JOB_NAME");
  EXPECT_EQ(req.filters[0].values, (std::vector<std::string>{"train*"}));
}

TEST_F(JobsTest, ListJobsKeepsJobStatusWithAShareIdentifierFilter) {
  ASSERT_TRUE(Run("listjobs", Body(R"({"jobQueue": "high", "jobStatus": "RUNNING",
                                       "filters": [{"name": "SHARE_IDENTIFIER", "values": ["team-a"]}]})"))
                  .ok());
  EXPECT_EQ(Sent<ListJobsRequest>().jobStatus, JobStatus::kRunning);
}

TEST_F(JobsTest, ListJobsTakesAJobDefinitionArnAsNameAndRevision) {
  ASSERT_TRUE(Run("listjobs", Body(R"({"jobQueue": "high", "filters": [{"name": "JOB_DEFINITION",
                                       "values": [")" + TestArn("job-definition/train:3") + R"("]}]})"))
                  .ok());
  EXPECT_EQ(Sent<ListJobsRequest>().filters[0].values, (std::vector<std::string>{"train:3"}));
  ExpectInvalid(Run("listjobs", Body(R"({"jobQueue": "high", "filters": [{"name": "JOB_DEFINITION",
                                         "values": [")" + TestArn("job-queue/high") + R"("]}]})")),
                "filters.values");
}

TEST_F(JobsTest, ListJobsAnswersSummariesWithArnsAndTheToken) {
  ReplyTo<ListJobsRequest>().jobSummaryList = {MakeJob("id-1")};
  ReplyTo<ListJobsRequest>().nextToken = "next";
  Result<json> out = Run("listjobs", {{"jobQueue", "high"}});
  ASSERT_TRUE(out.ok());
  EXPECT_EQ((*out)["nextToken"], "next");
  const json& summary = (*out)["jobSummaryList"].at(0);
  EXPECT_EQ(summary["jobArn"], TestArn("job/id-1"));
  EXPECT_EQ(summary["jobDefinition"], TestArn("job-definition/trainer:3"));
  EXPECT_EQ(summary["jobName"], "train");
  EXPECT_EQ(summary["status"], "RUNNING");

  ReplyTo<ListJobsRequest>() = {};
  out = Run("listjobs", {{"jobQueue", "high"}});
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(*out, (json{{"jobSummaryList", json::array()}}));
}

TEST_F(JobsTest, ListJobsRefusesABadScopeOrPage) {
  ExpectInvalid(Run("listjobs", json::object()), "give exactly one of jobQueue and arrayJobId");
  ExpectInvalid(Run("listjobs", {{"jobQueue", "q"}, {"arrayJobId", "a"}}),
                "give exactly one of jobQueue and arrayJobId");
  ExpectInvalid(Run("listjobs", {{"multiNodeJobId", "m"}}), "multi-node jobs are not supported");
  ExpectInvalid(Run("listjobs", {{"jobQueue", "q"}, {"maxResults", 0}}), "maxResults must be between 1 and 100");
  ExpectInvalid(Run("listjobs", {{"jobQueue", "q"}, {"maxResults", 101}}), "maxResults must be between 1 and 100");
  ExpectInvalid(Run("listjobs", {{"jobQueue", "q"}, {"jobStatus", "DONE"}}), "jobStatus must be one of SUBMITTED|");
  ExpectInvalid(Run("listjobs", Body(R"({"jobQueue": "q", "filters": [{"values": ["x"]}]})")),
                "filters[0].name is required");
  EXPECT_EQ(Calls<ListJobsRequest>(), 0);
}

TEST_F(JobsTest, CancelAndTerminateSendIdAndReason) {
  Result<json> cancel = Run("canceljob", {{"jobId", "id-1"}, {"reason", "not needed"}});
  ASSERT_TRUE(cancel.ok());
  EXPECT_EQ(*cancel, json::object());
  EXPECT_EQ(Sent<protocol::CancelJobRequest>().jobId, "id-1");
  EXPECT_EQ(Sent<protocol::CancelJobRequest>().reason, "not needed");

  Result<json> terminate = Run("terminatejob", {{"jobId", "id-2"}, {"reason", "stuck"}});
  ASSERT_TRUE(terminate.ok());
  EXPECT_EQ(*terminate, json::object());
  EXPECT_EQ(Sent<protocol::TerminateJobRequest>().jobId, "id-2");
  EXPECT_EQ(Sent<protocol::TerminateJobRequest>().reason, "stuck");
}

}  // namespace
}  // namespace gantry::coordinator::http
