#include "coordinator/http/ops_job_queues.h"

#include <gtest/gtest.h>

#include "coordinator/http/ops_test_util.h"

namespace gantry::coordinator::http {
namespace {

using nlohmann::json;
using protocol::ComputeEnvironmentOrder;
using protocol::CreateJobQueueRequest;
using protocol::DescribeJobQueuesRequest;
using protocol::ResourceState;
using protocol::UpdateJobQueueRequest;

using OrderList = std::vector<std::pair<uint32_t, std::string>>;

OrderList Orders(const std::vector<ComputeEnvironmentOrder>& order) {
  OrderList out;
  for (const ComputeEnvironmentOrder& o : order) out.emplace_back(o.order, o.computeEnvironment);
  return out;
}

protocol::JobQueue MakeQueue(std::string name) {
  protocol::JobQueue q;
  q.jobQueueName = std::move(name);
  q.priority = 10;
  q.computeEnvironmentOrder = {{1, "metal"}, {2, "spot"}};
  return q;
}

class JobQueuesTest : public OpsTest {};

TEST_F(JobQueuesTest, CreateMapsEveryMember) {
  Result<json> out = Run("createjobqueue", Body(R"({
    "jobQueueName": "high", "priority": 10, "state": "DISABLED",
    "computeEnvironmentOrder": [{"order": 1, "computeEnvironment": "metal"},
      {"order": 2, "computeEnvironment": "arn:aws:batch:us-west-2:123456789012:compute-environment/spot"}],
    "schedulingPolicyArn": "arn:aws:batch:us-west-2:123456789012:scheduling-policy/fair",
    "jobStateTimeLimitActions": [{"reason": "CAPACITY:INSUFFICIENT_INSTANCE_CAPACITY", "state": "RUNNABLE",
                                  "maxTimeSeconds": 600, "action": "CANCEL"}],
    "tags": {"team": "ml"}, "jobQueueType": "ECS"})"));
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_EQ(*out, (json{{"jobQueueName", "high"}, {"jobQueueArn", TestArn("job-queue/high")}}));
  const protocol::JobQueue& q = Sent<CreateJobQueueRequest>().jobQueue;
  EXPECT_EQ(q.jobQueueName, "high");
  EXPECT_EQ(q.priority, 10u);
  EXPECT_EQ(q.state, ResourceState::kDisabled);
  EXPECT_EQ(Orders(q.computeEnvironmentOrder), (OrderList{{1, "metal"}, {2, "spot"}}));
  EXPECT_EQ(q.schedulingPolicyArn, "fair");
  ASSERT_EQ(q.jobStateTimeLimitActions.size(), 1u);
  EXPECT_EQ(q.jobStateTimeLimitActions[0].maxTimeSeconds, 600u);
  EXPECT_EQ(q.tags, (protocol::Tags{{"team", "ml"}}));
}

TEST_F(JobQueuesTest, CreateRefusesBadOrders) {
  ExpectInvalid(Run("createjobqueue", Body(R"({"jobQueueName": "q", "priority": 1,
                    "computeEnvironmentOrder": [{"order": 1}]})")),
                "computeEnvironmentOrder[0].computeEnvironment is required");
  ExpectInvalid(Run("createjobqueue", Body(R"({"jobQueueName": "q", "priority": 1,
                    "computeEnvironmentOrder": [{"order": "first", "computeEnvironment": "ce"}]})")),
                "computeEnvironmentOrder[0].order must be a number");
  ExpectInvalid(
      Run("createjobqueue", Body(R"({"jobQueueName": "q", "priority": 1,
                    "computeEnvironmentOrder": [{"order": 1, "computeEnvironment": "ce"}],
                    "schedulingPolicyArn": "arn:aws:batch:us-west-2:123456789012:job-queue/q"})")),
      "schedulingPolicyArn \"arn:aws:batch:us-west-2:123456789012:job-queue/q\" is not a scheduling-policy ARN");
  EXPECT_EQ(Calls<CreateJobQueueRequest>(), 0);
}

TEST_F(JobQueuesTest, UpdateSendsOnlyWhatIsGiven) {
  Result<json> out = Run("updatejobqueue", {{"jobQueue", TestArn("job-queue/high")}, {"state", "DISABLED"}});
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(*out, (json{{"jobQueueName", "high"}, {"jobQueueArn", TestArn("job-queue/high")}}));
  const UpdateJobQueueRequest& req = Sent<UpdateJobQueueRequest>();
  EXPECT_EQ(req.jobQueue, "high");
  EXPECT_EQ(req.state, ResourceState::kDisabled);
  EXPECT_FALSE(req.priority || req.computeEnvironmentOrder || req.schedulingPolicyArn || req.jobStateTimeLimitActions);

  ASSERT_TRUE(Run("updatejobqueue", Body(R"({"jobQueue": "high", "priority": 5, "schedulingPolicyArn": "fair",
      "computeEnvironmentOrder": [{"order": 1, "computeEnvironment": "spot"}],
      "jobStateTimeLimitActions": []})"))
                  .ok());
  const UpdateJobQueueRequest& full = Sent<UpdateJobQueueRequest>();
  EXPECT_EQ(full.priority, 5u);
  EXPECT_EQ(full.schedulingPolicyArn, "fair");
  ASSERT_TRUE(full.computeEnvironmentOrder.has_value());
  EXPECT_EQ(Orders(*full.computeEnvironmentOrder), (OrderList{{1, "spot"}}));
  EXPECT_EQ(full.jobStateTimeLimitActions, std::vector<protocol::JobStateTimeLimit>{});
  EXPECT_FALSE(full.state.has_value());
}

TEST_F(JobQueuesTest, DeleteTakesANameOrAnArn) {
  Result<json> out = Run("deletejobqueue", {{"jobQueue", TestArn("job-queue/old")}});
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(*out, json::object());
  EXPECT_EQ(Sent<protocol::DeleteJobQueueRequest>().jobQueue, "old");
}

TEST_F(JobQueuesTest, DescribeNamesEverythingByArn) {
  protocol::JobQueue q = MakeQueue("high");
  q.schedulingPolicyArn = "arn:aws:batch:other:111111111111:scheduling-policy/fair";
  q.tags = protocol::Tags{{"team", "ml"}};
  ReplyTo<DescribeJobQueuesRequest>().jobQueues = {q};
  Result<json> out = Run("describejobqueues", json::object());
  ASSERT_TRUE(out.ok());
  const json& detail = (*out)["jobQueues"].at(0);
  EXPECT_EQ(detail["jobQueueName"], "high");
  EXPECT_EQ(detail["jobQueueArn"], TestArn("job-queue/high"));
  EXPECT_EQ(detail["state"], "ENABLED");
  EXPECT_EQ(detail["status"], "VALID");
  EXPECT_EQ(detail["priority"], 10);
  EXPECT_EQ(detail["computeEnvironmentOrder"],
            (json::array({json{{"order", 1}, {"computeEnvironment", TestArn("compute-environment/metal")}},
                          json{{"order", 2}, {"computeEnvironment", TestArn("compute-environment/spot")}}})));
  EXPECT_EQ(detail["schedulingPolicyArn"], TestArn("scheduling-policy/fair"));
  EXPECT_EQ(detail["tags"], (json{{"team", "ml"}}));
}

TEST_F(JobQueuesTest, DescribeSelectsAndPages) {
  ReplyTo<DescribeJobQueuesRequest>().jobQueues = {MakeQueue("c"), MakeQueue("a"), MakeQueue("b")};
  Result<json> out = Run("describejobqueues", {{"jobQueues", {TestArn("job-queue/c"), "a", "nope"}}});
  ASSERT_TRUE(out.ok());
  ASSERT_EQ((*out)["jobQueues"].size(), 2u);
  EXPECT_EQ((*out)["jobQueues"][0]["jobQueueName"], "a");
  EXPECT_EQ((*out)["jobQueues"][1]["jobQueueName"], "c");
  EXPECT_TRUE(Sent<DescribeJobQueuesRequest>().jobQueues.empty());

  std::vector<std::string> seen;
  json body = {{"maxResults", 1}};
  for (int page = 0; page < 10; ++page) {
    Result<json> r = Run("describejobqueues", body);
    ASSERT_TRUE(r.ok());
    for (const json& q : (*r)["jobQueues"]) seen.push_back(q["jobQueueName"]);
    if (!r->contains("nextToken")) break;
    body["nextToken"] = (*r)["nextToken"];
  }
  EXPECT_EQ(seen, (std::vector<std::string>{"a", "b", "c"}));
}

}  // namespace
}  // namespace gantry::coordinator::http
