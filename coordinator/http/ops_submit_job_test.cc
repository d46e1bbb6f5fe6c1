#include <gtest/gtest.h>

#include "coordinator/http/ops_test_util.h"

namespace gantry::coordinator::http {
namespace {

using nlohmann::json;
using protocol::SubmitJobRequest;

class SubmitJobTest : public OpsTest {
 protected:
  void SetUp() override { ReplyTo<SubmitJobRequest>() = {"4b1d-id", "train"}; }
};

TEST_F(SubmitJobTest, MapsEveryMember) {
  Result<json> out = Run("submitjob", Body(R"({
    "jobName": "train", "jobQueue": "high", "jobDefinition": "trainer:3",
    "containerOverrides": {
      "command": ["python", "train.py"],
      "environment": [{"name": "EPOCHS", "value": "5"}],
      "resourceRequirements": [{"type": "VCPU", "value": "2"}, {"type": "MEMORY", "value": "2048"},
                               {"type": "DISK", "value": "4096"}],
      "instanceType": "m5.large"},
    "parameters": {"input": "s3://x"},
    "retryStrategy": {"attempts": 3, "evaluateOnExit": [{"onExitCode": "137", "action": "RETRY"}]},
    "timeout": {"attemptDurationSeconds": 600},
    "arrayProperties": {"size": 10},
    "dependsOn": [{"jobId": "parent-id", "type": "N_TO_N"}],
    "shareIdentifier": "teamA", "schedulingPriorityOverride": 7,
    "tags": {"team": "ml"}, "propagateTags": true})"));
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_EQ(*out, (json{{"jobArn", TestArn("job/4b1d-id")}, {"jobName", "train"}, {"jobId", "4b1d-id"}}));

  const SubmitJobRequest& req = Sent<SubmitJobRequest>();
  EXPECT_EQ(req.jobName, "train");
  EXPECT_EQ(req.jobQueue, "high");
  EXPECT_EQ(req.jobDefinition, "trainer:3");
  EXPECT_EQ(req.command, (std::vector<std::string>{"python", "train.py"}));
  EXPECT_EQ(req.environment, (protocol::Environment{{"EPOCHS", "5"}}));
  EXPECT_EQ(req.vcpus, 2u);
  EXPECT_EQ(req.memoryMib, 2048u);
  EXPECT_EQ(req.diskMib, 4096u);
  EXPECT_EQ(req.parameters, (protocol::Parameters{{"input", "s3://x"}}));
  ASSERT_TRUE(req.retryStrategy.has_value());
  EXPECT_EQ(req.retryStrategy->attempts, 3u);
  EXPECT_EQ(req.retryStrategy->evaluateOnExit.at(0).onExitCode, "137");
  EXPECT_EQ(req.timeout, (protocol::JobTimeout{600}));
  EXPECT_EQ(req.arraySize, 10u);
  EXPECT_EQ(req.dependsOn, (std::vector<protocol::JobDependency>{{"parent-id", protocol::ArrayJobDependency::kNToN}}));
  EXPECT_EQ(req.shareIdentifier, "teamA");
  EXPECT_EQ(req.schedulingPriorityOverride, 7u);
  EXPECT_EQ(req.tags, (protocol::Tags{{"team", "ml"}}));
  EXPECT_EQ(req.submittedBy, "alice");
}

TEST_F(SubmitJobTest, AbsentOverridesLeaveTheDefinitionAlone) {
  ASSERT_TRUE(Run("submitjob", Body(R"({"jobName": "j", "jobQueue": "q", "jobDefinition": "d",
                                        "containerOverrides": {}})"))
                  .ok());
  const SubmitJobRequest& req = Sent<SubmitJobRequest>();
  EXPECT_FALSE(req.command || req.vcpus || req.memoryMib || req.diskMib || req.retryStrategy || req.timeout ||
               req.arraySize || req.shareIdentifier || req.schedulingPriorityOverride || req.tags);
  EXPECT_TRUE(req.environment.empty());
  EXPECT_TRUE(req.dependsOn.empty());
}

TEST_F(SubmitJobTest, QueueAndDefinitionMayBeArns) {
  ASSERT_TRUE(Run("submitjob", {{"jobName", "j"},
                                {"jobQueue", TestArn("job-queue/high")},
                                {"jobDefinition", "arn:aws:batch:eu-west-1:111111111111:job-definition/trainer:12"}})
                  .ok());
  EXPECT_EQ(Sent<SubmitJobRequest>().jobQueue, "high");
  EXPECT_EQ(Sent<SubmitJobRequest>().jobDefinition, "trainer:12");
  ExpectInvalid(
      Run("submitjob", {{"jobName", "j"}, {"jobQueue", TestArn("compute-environment/ce")}, {"jobDefinition", "d"}}),
      "is not a job-queue ARN");
}

TEST_F(SubmitJobTest, LegacyVcpusAndMemoryLoseToResourceRequirements) {
  ASSERT_TRUE(Run("submitjob", Body(R"({"jobName": "j", "jobQueue": "q", "jobDefinition": "d",
      "containerOverrides": {"vcpus": 4, "memory": 1024, "resourceRequirements": [{"type": "VCPU", "value": "8"}]}})"))
                  .ok());
  const SubmitJobRequest& req = Sent<SubmitJobRequest>();
  EXPECT_EQ(req.vcpus, 8u);
  EXPECT_EQ(req.memoryMib, 1024u);
  EXPECT_FALSE(req.diskMib.has_value());
}

TEST_F(SubmitJobTest, GpuAndMultiNodeAreRefused) {
  ExpectInvalid(Run("submitjob", Body(R"({"jobName": "j", "jobQueue": "q", "jobDefinition": "d",
      "containerOverrides": {"resourceRequirements": [{"type": "VCPU", "value": "1"}, {"type": "GPU", "value": "1"}]}})")),
                "containerOverrides.resourceRequirements[1]: GPU is not supported");
  ExpectInvalid(Run("submitjob", Body(R"({"jobName": "j", "jobQueue": "q", "jobDefinition": "d",
      "nodeOverrides": {"numNodes": 2}})")),
                "multi-node jobs are not supported");
  EXPECT_EQ(Calls<SubmitJobRequest>(), 0);
}

TEST_F(SubmitJobTest, WrongTypesNameTheMember) {
  const std::pair<const char*, const char*> cases[] = {
      {R"("containerOverrides": {"command": "echo hi"})", "containerOverrides.command must be an array of strings"},
      {R"("containerOverrides": {"resourceRequirements": [{"type": "MEMORY", "value": "lots"}]})",
       "containerOverrides.resourceRequirements[0].value must be a whole number"},
      {R"("containerOverrides": [])", "containerOverrides must be a JSON object"},
      {R"("arrayProperties": {"size": "10"})", "arrayProperties.size must be a number"},
      {R"("retryStrategy": {"attempts": -1})", "retryStrategy.attempts must not be negative"},
      {R"("tags": {"team": 1})", "tags.team must be a string"},
      {R"("shareIdentifier": 5)", "shareIdentifier must be a string"},
  };
  for (const auto& [member, message] : cases) {
    std::string body = std::string(R"({"jobName": "j", "jobQueue": "q", "jobDefinition": "d", )") + member + "}";
    ExpectInvalid(Run("submitjob", Body(body)), message);
  }
}

TEST_F(SubmitJobTest, AnAnonymousCallerSubmitsWithoutSubmittedBy) {
  ctx.caller.reset();
  ASSERT_TRUE(Run("submitjob", {{"jobName", "j"}, {"jobQueue", "q"}, {"jobDefinition", "d"}}).ok());
  EXPECT_FALSE(Sent<SubmitJobRequest>().submittedBy.has_value());
}

}  // namespace
}  // namespace gantry::coordinator::http
