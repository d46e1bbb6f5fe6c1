// Flags -> requests for job control, updates, deletes and scheduling policies.
#include "client/control_requests.h"

#include <gtest/gtest.h>

namespace gantry::client {
namespace {

void ExpectInvalid(const Status& s, const std::string& message) {
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument) << s.ToString();
  EXPECT_EQ(s.message(), message);
}

TEST(StopJob, CancelAndTerminateNeedAReason) {
  auto cancel = BuildCancelJob({"abc:3", "no longer needed"});
  ASSERT_TRUE(cancel.ok()) << cancel.status().ToString();
  EXPECT_EQ(cancel->jobId, "abc:3");
  EXPECT_EQ(cancel->reason, "no longer needed");
  auto terminate = BuildTerminateJob({"arn:aws:batch:eu:1:job/abc", "stop"});
  ASSERT_TRUE(terminate.ok());
  EXPECT_EQ(terminate->jobId, "abc");
  ExpectInvalid(BuildCancelJob({"abc", ""}).status(), "--reason is required (it becomes the job's statusReason)");
  ExpectInvalid(BuildTerminateJob({"", "r"}).status(), "--job-id is required");
  ExpectInvalid(BuildCancelJob({"a b", "r"}).status(),
                "--job-id \"a b\" may contain only letters, digits, '-' and '_'");
  ExpectInvalid(BuildCancelJob({"abc", std::string(1025, 'x')}).status(), "--reason is longer than 1024 bytes");
}

TEST(DeregisterJobDefinition, NeedsARevision) {
  EXPECT_EQ(BuildDeregisterJobDefinition("sleeper:3")->jobDefinition, "sleeper:3");
  EXPECT_EQ(BuildDeregisterJobDefinition("arn:aws:batch:eu:1:job-definition/sleeper:4")->jobDefinition, "sleeper:4");
  ExpectInvalid(BuildDeregisterJobDefinition("sleeper").status(),
                "--job-definition must be NAME:REVISION, got \"sleeper\"");
  ExpectInvalid(BuildDeregisterJobDefinition("sleeper:x").status(),
                "--job-definition must be NAME:REVISION, got \"sleeper:x\"");
}

TEST(UpdateJobQueue, OnlyGivenFieldsAreSet) {
  UpdateJobQueueFlags f;
  f.queue = "q";
  f.state = "disabled";
  auto req = BuildUpdateJobQueue(f);
  ASSERT_TRUE(req.ok()) << req.status().ToString();
  EXPECT_EQ(req->state, protocol::ResourceState::kDisabled);
  EXPECT_FALSE(req->priority);
  EXPECT_FALSE(req->computeEnvironmentOrder);
  EXPECT_FALSE(req->schedulingPolicyArn);
  EXPECT_FALSE(req->jobStateTimeLimitActions);
  EXPECT_FALSE(req->preemptionRetries);
}

TEST(UpdateJobQueue, PreemptionRetriesAlone) {
  UpdateJobQueueFlags f;
  f.queue = "q";
  f.preemption_retries = "3";
  auto req = BuildUpdateJobQueue(f);
  ASSERT_TRUE(req.ok()) << req.status().ToString();
  EXPECT_EQ(req->preemptionRetries, 3u);
  EXPECT_FALSE(req->state);
  f.preemption_retries = "200";
  ExpectInvalid(BuildUpdateJobQueue(f).status(), "--preemption-retries must be a whole number from 0 to 100, got 200");
}

TEST(UpdateJobQueue, EveryFlag) {
  UpdateJobQueueFlags f;
  f.queue = "arn:aws:batch:eu:1:job-queue/q";
  f.priority = 9;
  f.compute_environment_order = {"order=1,computeEnvironment=a", "order=2,computeEnvironment=b"};
  f.scheduling_policy_arn = "arn:aws:batch:eu:1:scheduling-policy/fair";
  f.job_state_time_limit_actions =
      R"([{"reason":"CAPACITY:INSUFFICIENT_INSTANCE_CAPACITY","state":"RUNNABLE","maxTimeSeconds":60,"action":"CANCEL"}])";
  auto req = BuildUpdateJobQueue(f);
  ASSERT_TRUE(req.ok()) << req.status().ToString();
  EXPECT_EQ(req->jobQueue, "q");
  EXPECT_EQ(req->priority, 9u);
  ASSERT_TRUE(req->computeEnvironmentOrder);
  EXPECT_EQ(req->computeEnvironmentOrder->size(), 2u);
  EXPECT_EQ((*req->computeEnvironmentOrder)[1].computeEnvironment, "b");
  EXPECT_EQ(req->schedulingPolicyArn, "arn:aws:batch:eu:1:scheduling-policy/fair");
  ASSERT_TRUE(req->jobStateTimeLimitActions);
  EXPECT_EQ(req->jobStateTimeLimitActions->at(0).maxTimeSeconds, 60u);
}

TEST(UpdateJobQueue, EmptyListClearsTimeLimitActions) {
  UpdateJobQueueFlags f;
  f.queue = "q";
  f.job_state_time_limit_actions = "[]";
  auto req = BuildUpdateJobQueue(f);
  ASSERT_TRUE(req.ok()) << req.status().ToString();
  ASSERT_TRUE(req->jobStateTimeLimitActions);
  EXPECT_TRUE(req->jobStateTimeLimitActions->empty());
}

TEST(UpdateJobQueue, Errors) {
  UpdateJobQueueFlags f;
  f.queue = "q";
  ExpectInvalid(BuildUpdateJobQueue(f).status(),
                "nothing to update: give --state, --priority, --compute-environment-order, "
                "--scheduling-policy-arn, --job-state-time-limit-actions or --preemption-retries");
  f.state = "off";
  ExpectInvalid(BuildUpdateJobQueue(f).status(), "--state must be one of ENABLED|DISABLED, got \"off\"");
  f.state = "";
  f.compute_environment_order = {"order=1,computeEnvironment=a"};
  f.compute_environments = "a";
  ExpectInvalid(BuildUpdateJobQueue(f).status(), "give --compute-environment-order or --compute-environments, not both");
  f.compute_environment_order.clear();
  f.compute_environments = "a,b,c,d";
  ExpectInvalid(BuildUpdateJobQueue(f).status(),
                "--compute-environments: computeEnvironmentOrder may name at most 3 compute environments");
  f.compute_environments = "";
  f.job_state_time_limit_actions = "{oops";
  EXPECT_EQ(BuildUpdateJobQueue(f).status().message().rfind("--job-state-time-limit-actions is not valid JSON", 0), 0u);
  f.job_state_time_limit_actions = "";
  f.queue = "";
  f.priority = 1;
  ExpectInvalid(BuildUpdateJobQueue(f).status(), "--job-queue is required");
}

TEST(UpdateComputeEnvironment, AwsAndShortForms) {
  UpdateComputeEnvironmentFlags f;
  f.compute_environment = "ce";
  f.compute_resources = "minvCpus=1,maxvCpus=32,desiredvCpus=4";
  auto req = BuildUpdateComputeEnvironment(f);
  ASSERT_TRUE(req.ok()) << req.status().ToString();
  EXPECT_EQ(req->minvCpus, 1u);
  EXPECT_EQ(req->maxvCpus, 32u);
  EXPECT_EQ(req->desiredvCpus, 4u);
  EXPECT_FALSE(req->state);

  UpdateComputeEnvironmentFlags s;
  s.compute_environment = "arn:aws:batch:eu:1:compute-environment/ce";
  s.state = "ENABLED";
  s.max_vcpus = 8;
  req = BuildUpdateComputeEnvironment(s);
  ASSERT_TRUE(req.ok()) << req.status().ToString();
  EXPECT_EQ(req->computeEnvironment, "ce");
  EXPECT_EQ(req->state, protocol::ResourceState::kEnabled);
  EXPECT_EQ(req->maxvCpus, 8u);
  EXPECT_FALSE(req->minvCpus);
  EXPECT_FALSE(req->preemptible);
}

TEST(UpdateComputeEnvironment, PreemptibleTrueOrFalse) {
  UpdateComputeEnvironmentFlags f;
  f.compute_environment = "ce";
  f.preemptible = "True";
  auto req = BuildUpdateComputeEnvironment(f);
  ASSERT_TRUE(req.ok()) << req.status().ToString();
  EXPECT_EQ(req->preemptible, true);
  f.preemptible = "false";
  req = BuildUpdateComputeEnvironment(f);
  ASSERT_TRUE(req.ok()) << req.status().ToString();
  EXPECT_EQ(req->preemptible, false);  // sent: false is a change too
  f.preemptible = "yes";
  ExpectInvalid(BuildUpdateComputeEnvironment(f).status(), "--preemptible must be true or false, got \"yes\"");
}

TEST(UpdateComputeEnvironment, Errors) {
  UpdateComputeEnvironmentFlags f;
  f.compute_environment = "ce";
  f.compute_resources = "maxvCpus=8";
  f.max_vcpus = 8;
  ExpectInvalid(BuildUpdateComputeEnvironment(f).status(), "give --max-vcpus or --compute-resources, not both");
  f.compute_resources = "";
  f.max_vcpus = 4;
  f.min_vcpus = 8;
  ExpectInvalid(BuildUpdateComputeEnvironment(f).status(), "minvCpus (8) exceeds maxvCpus (4)");
  UpdateComputeEnvironmentFlags empty;
  empty.compute_environment = "ce";
  ExpectInvalid(BuildUpdateComputeEnvironment(empty).status(),
                "nothing to update: give --state, --compute-resources, --min-vcpus, --max-vcpus, --desired-vcpus "
                "or --preemptible");
  empty.compute_resources = "{\"maxvCpus\": -3}";
  ExpectInvalid(BuildUpdateComputeEnvironment(empty).status(), "--compute-resources.maxvCpus must not be negative");
}

TEST(Delete, NamesOrArns) {
  EXPECT_EQ(BuildDeleteJobQueue("arn:aws:batch:eu:1:job-queue/q")->jobQueue, "q");
  EXPECT_EQ(BuildDeleteComputeEnvironment("ce")->computeEnvironment, "ce");
  ExpectInvalid(BuildDeleteJobQueue("").status(), "--job-queue is required");
  ExpectInvalid(BuildDeleteComputeEnvironment("c e").status(),
                "--compute-environment \"c e\" may contain only letters, digits, '-' and '_'");
}

TEST(SchedulingPolicy, CreateUpdateDeleteDescribe) {
  auto create = BuildCreateSchedulingPolicy(
      {"fair", R"({"shareDecaySeconds":3600,"computeReservation":10,"shareDistribution":[{"shareIdentifier":"team*","weightFactor":0.5}]})"});
  ASSERT_TRUE(create.ok()) << create.status().ToString();
  EXPECT_EQ(create->schedulingPolicy.name, "fair");
  EXPECT_EQ(create->schedulingPolicy.fairsharePolicy.shareDistribution[0].weightFactor, 0.5);
  auto bare = BuildCreateSchedulingPolicy({"fair", ""});
  ASSERT_TRUE(bare.ok());
  EXPECT_TRUE(bare->schedulingPolicy.fairsharePolicy.shareDistribution.empty());

  auto update = BuildUpdateSchedulingPolicy({"arn:aws:batch:eu:1:scheduling-policy/fair", R"({"computeReservation":5})"});
  ASSERT_TRUE(update.ok()) << update.status().ToString();
  EXPECT_EQ(update->arn, "arn:aws:batch:eu:1:scheduling-policy/fair");
  EXPECT_EQ(update->fairsharePolicy.computeReservation, 5u);

  EXPECT_EQ(BuildDeleteSchedulingPolicy("fair")->arn, "fair");
  EXPECT_EQ(BuildDescribeSchedulingPolicies({"a", "b"})->arns, (std::vector<std::string>{"a", "b"}));
  EXPECT_TRUE(BuildDescribeSchedulingPolicies({})->arns.empty());
}

TEST(SchedulingPolicy, Errors) {
  ExpectInvalid(BuildCreateSchedulingPolicy({"fair", R"({"computeReservation":100})"}).status(),
                "--fairshare-policy: fairsharePolicy.computeReservation must be between 0 and 99, got 100");
  ExpectInvalid(BuildCreateSchedulingPolicy({"", ""}).status(), "--name is required");
  ExpectInvalid(BuildUpdateSchedulingPolicy({"fair", ""}).status(),
                "--fairshare-policy is required: it replaces the policy's");
  ExpectInvalid(BuildUpdateSchedulingPolicy({"fair", R"({"shareDistribution":[{"shareIdentifier":"a","weightFactor":0}]})"})
                    .status(),
                "--fairshare-policy: weightFactor of share a must be above 0 and at most 999.9999");
  ExpectInvalid(BuildDeleteSchedulingPolicy("").status(), "--arn is required");
  ExpectInvalid(BuildDescribeSchedulingPolicies({"a b"}).status(),
                "--arns \"a b\" may contain only letters, digits, '-' and '_'");
}

}  // namespace
}  // namespace gantry::client
