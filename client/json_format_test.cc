#include "client/json_format.h"

#include <gtest/gtest.h>

namespace gantry::client {
namespace {

using nlohmann::json;

protocol::Job FinishedJob() {
  protocol::Job job;
  job.jobId = "j-1";
  job.jobName = "train";
  job.jobQueue = "high";
  job.jobDefinition = "trainer:2";
  job.status = protocol::JobStatus::kFailed;
  job.statusReason = "Essential container in task exited";
  job.createdAt = 1000;
  job.startedAt = 2000;
  job.stoppedAt = 9000;
  job.command = {"python", "train.py"};
  job.environment = {{"B", "2"}, {"A", "1"}};
  job.resources = {2, 2048, 4096};
  protocol::Attempt first;
  first.attemptNumber = 1;
  first.node = "n1";
  first.startedAt = 2000;
  first.stoppedAt = 3000;
  first.reason = "Node lost: n1";
  first.statusReason = "Node lost: n1";
  protocol::Attempt second;
  second.attemptNumber = 2;
  second.node = "n2";
  second.startedAt = 4000;
  second.stoppedAt = 9000;
  second.exitCode = 3;
  second.reason = "Essential container in task exited";
  job.attempts = {first, second};
  return job;
}

TEST(JsonFormat, JobHasAwsDescribeJobsShape) {
  json j = JobToAwsJson(FinishedJob());
  EXPECT_EQ(j["jobId"], "j-1");
  EXPECT_EQ(j["jobName"], "train");
  EXPECT_EQ(j["jobQueue"], "high");
  EXPECT_EQ(j["jobDefinition"], "trainer:2");
  EXPECT_EQ(j["status"], "FAILED");
  EXPECT_EQ(j["statusReason"], "Essential container in task exited");
  EXPECT_EQ(j["createdAt"], 1000);
  EXPECT_EQ(j["startedAt"], 2000);
  EXPECT_EQ(j["stoppedAt"], 9000);
  const json& c = j["container"];
  EXPECT_EQ(c["command"], json::array({"python", "train.py"}));
  EXPECT_EQ(c["environment"], json::parse(R"([{"name":"A","value":"1"},{"name":"B","value":"2"}])"));
  EXPECT_EQ(c["vcpus"], 2);
  EXPECT_EQ(c["memory"], 2048);
  EXPECT_EQ(c["exitCode"], 3);
  EXPECT_EQ(c["reason"], "Essential container in task exited");
  EXPECT_EQ(c["resourceRequirements"][2], json::parse(R"({"type":"DISK","value":"4096"})"));
  ASSERT_EQ(j["attempts"].size(), 2u);
  EXPECT_EQ(j["attempts"][0], json::parse(R"({"container":{"reason":"Node lost: n1"},
      "statusReason":"Node lost: n1","startedAt":2000,"stoppedAt":3000,"node":"n1"})"));
  EXPECT_EQ(j["attempts"][1]["container"]["exitCode"], 3);
}

TEST(JsonFormat, AbsentValuesAreLeftOut) {
  protocol::Job job;
  job.jobId = "j-2";
  job.status = protocol::JobStatus::kRunnable;
  json j = JobToAwsJson(job);
  EXPECT_FALSE(j.contains("startedAt"));
  EXPECT_FALSE(j.contains("stoppedAt"));
  EXPECT_FALSE(j.contains("statusReason"));
  EXPECT_FALSE(j["container"].contains("exitCode"));
  EXPECT_EQ(j["attempts"], json::array());
}

TEST(JsonFormat, JobSummary) {
  json j = JobSummaryToAwsJson(FinishedJob());
  EXPECT_EQ(j, json::parse(R"({"jobId":"j-1","jobName":"train","jobQueue":"high","jobDefinition":"trainer:2","status":"FAILED",
      "statusReason":"Essential container in task exited","createdAt":1000,"startedAt":2000,
      "stoppedAt":9000,"container":{"exitCode":3,"reason":"Essential container in task exited"}})"));
}

TEST(JsonFormat, JobQueue) {
  protocol::JobQueue q;
  q.jobQueueName = "high";
  q.priority = 10;
  q.state = protocol::ResourceState::kDisabled;
  q.computeEnvironmentOrder = {{1, "spot"}, {2, "od"}};
  EXPECT_EQ(JobQueueToAwsJson(q), json::parse(R"({"jobQueueName":"high",
      "jobQueueArn":"arn:gantry:batch:local:job-queue/high","state":"DISABLED","priority":10,
      "computeEnvironmentOrder":[{"order":1,"computeEnvironment":"spot"},
                                 {"order":2,"computeEnvironment":"od"}]})"));
}

TEST(JsonFormat, ComputeEnvironment) {
  protocol::ComputeEnvironmentView v;
  v.computeEnvironment.computeEnvironmentName = "spot";
  v.computeEnvironment.provisioningModel = protocol::ProvisioningModel::kSpot;
  v.computeEnvironment.minvCpus = 0;
  v.computeEnvironment.maxvCpus = 64;
  v.computeEnvironment.desiredvCpus = 8;
  v.computeEnvironment.selector = {{"capacity", "spot"}};
  v.usedvCpus = 12;
  v.nodes = 3;
  EXPECT_EQ(ComputeEnvironmentToAwsJson(v), json::parse(R"({"computeEnvironmentName":"spot",
      "computeEnvironmentArn":"arn:gantry:batch:local:compute-environment/spot","type":"MANAGED",
      "state":"ENABLED","computeResources":{"minvCpus":0,"maxvCpus":64,"desiredvCpus":8,"type":"SPOT"},
      "selector":{"capacity":"spot"},"preemptible":false,"usedvCpus":12,"nodes":3})"));
  v.computeEnvironment.provisioningModel = protocol::ProvisioningModel::kOnDemand;
  EXPECT_EQ(ComputeEnvironmentToAwsJson(v)["computeResources"]["type"], "EC2");
  v.computeEnvironment.preemptible = true;
  EXPECT_EQ(ComputeEnvironmentToAwsJson(v)["preemptible"], true);
}

TEST(JsonFormat, JobDefinition) {
  protocol::JobDefinition d;
  d.jobDefinitionName = "sleeper";
  d.revision = 3;
  d.command = {"sleep", "1"};
  d.resources = {1, 256, 0};
  d.environment = {{"K", "V"}};
  EXPECT_EQ(JobDefinitionToAwsJson(d), json::parse(R"({"jobDefinitionName":"sleeper",
      "jobDefinitionArn":"arn:gantry:batch:local:job-definition/sleeper:3","revision":3,
      "status":"ACTIVE","type":"container","containerProperties":{"command":["sleep","1"],
      "resourceRequirements":[{"type":"VCPU","value":"1"},{"type":"MEMORY","value":"256"}],
      "environment":[{"name":"K","value":"V"}]}})"));
}

TEST(JsonFormat, NodeViewUsesItsFieldNames) {
  protocol::NodeView n;
  n.node.nodeId = "n1";
  n.node.bootId = "b";
  n.node.capacity = {4, 8192, 1000};
  n.node.labels = {{"rack", "r1"}};
  n.state = protocol::NodeState::kLost;
  n.stateReason = "silent for 10s";
  n.free = {2, 4096, 500};
  n.runningAttempts = {"j1#1"};
  n.lastSeenAgoMs = 10'000;
  json j = NodeViewToJson(n);
  EXPECT_EQ(j["node"]["nodeId"], "n1");
  EXPECT_EQ(j["node"]["capacity"]["memoryMib"], 8192);
  EXPECT_EQ(j["node"]["labels"]["rack"], "r1");
  EXPECT_EQ(j["state"], "LOST");
  EXPECT_EQ(j["stateReason"], "silent for 10s");
  EXPECT_EQ(j["free"]["vcpus"], 2);
  EXPECT_EQ(j["runningAttempts"], json::array({"j1#1"}));
  EXPECT_EQ(j["lastSeenAgoMs"], 10'000);
}

TEST(JsonFormat, JobModelKeepsAwsNames) {
  protocol::Job job = FinishedJob();
  job.arrayProperties = protocol::ArrayProperties{4, std::nullopt, {{"SUCCEEDED", 4}}};
  job.dependsOn = {{"a1", protocol::ArrayJobDependency::kNToN}};
  job.retryStrategy = {3, {protocol::EvaluateOnExit{std::nullopt, "OOM*", "3*", protocol::RetryAction::kExit}}};
  job.timeout = protocol::JobTimeout{60};
  job.parameters = {{"k", "v"}};
  job.shareIdentifier = "team";
  job.schedulingPriority = 7;
  job.isTerminated = true;
  job.attempts[0].statusReason = "Job attempt duration exceeded timeout";
  json j = JobToAwsJson(job);
  EXPECT_EQ(j["arrayProperties"], json::parse(R"({"size":4,"statusSummary":{"SUCCEEDED":4}})"));
  EXPECT_EQ(j["dependsOn"], json::parse(R"([{"jobId":"a1","type":"N_TO_N"}])"));
  EXPECT_EQ(j["retryStrategy"],
            json::parse(R"({"attempts":3,"evaluateOnExit":[{"onReason":"OOM*","onExitCode":"3*","action":"EXIT"}]})"));
  EXPECT_EQ(j["timeout"], json::parse(R"({"attemptDurationSeconds":60})"));
  EXPECT_EQ(j["parameters"], json::parse(R"({"k":"v"})"));
  EXPECT_EQ(j["shareIdentifier"], "team");
  EXPECT_EQ(j["schedulingPriority"], 7);
  EXPECT_EQ(j["isCancelled"], false);
  EXPECT_EQ(j["isTerminated"], true);
  EXPECT_EQ(j["attempts"][0]["statusReason"], "Job attempt duration exceeded timeout");
}

TEST(JsonFormat, ArrayChildHasIndexNotSummary) {
  protocol::Job child = FinishedJob();
  child.arrayProperties = protocol::ArrayProperties{4, 2, {}};
  EXPECT_EQ(JobToAwsJson(child)["arrayProperties"], json::parse(R"({"size":4,"index":2})"));
  EXPECT_EQ(JobSummaryToAwsJson(child)["arrayProperties"], json::parse(R"({"size":4,"index":2})"));
  EXPECT_FALSE(JobToAwsJson(FinishedJob()).contains("arrayProperties"));
  EXPECT_FALSE(JobToAwsJson(FinishedJob()).contains("timeout"));
}

TEST(JsonFormat, DefinitionQueueAndPolicyJobModel) {
  protocol::JobDefinition d;
  d.jobDefinitionName = "d";
  d.revision = 2;
  d.parameters = {{"a", "1"}};
  d.retryStrategy = protocol::RetryStrategy{2, {}};
  d.timeout = protocol::JobTimeout{30};
  d.schedulingPriority = 4;
  json dj = JobDefinitionToAwsJson(d);
  EXPECT_EQ(dj["parameters"], json::parse(R"({"a":"1"})"));
  EXPECT_EQ(dj["retryStrategy"], json::parse(R"({"attempts":2,"evaluateOnExit":[]})"));
  EXPECT_EQ(dj["timeout"]["attemptDurationSeconds"], 30);
  EXPECT_EQ(dj["schedulingPriority"], 4);

  protocol::JobQueue q;
  q.jobQueueName = "q";
  q.schedulingPolicyArn = "fair";
  q.jobStateTimeLimitActions = {{"CAPACITY:INSUFFICIENT_INSTANCE_CAPACITY", "RUNNABLE", 60,
                                 protocol::JobStateTimeLimitAction::kTerminate}};
  json qj = JobQueueToAwsJson(q);
  EXPECT_EQ(qj["schedulingPolicyArn"], "arn:gantry:batch:local:scheduling-policy/fair");
  EXPECT_EQ(qj["jobStateTimeLimitActions"][0]["action"], "TERMINATE");
  EXPECT_EQ(qj["jobStateTimeLimitActions"][0]["maxTimeSeconds"], 60);

  protocol::SchedulingPolicy p{"fair", {3600, 10, {{"team*", 0.5}}}, 0};
  EXPECT_EQ(SchedulingPolicyToAwsJson(p), json::parse(R"({"name":"fair",
      "arn":"arn:gantry:batch:local:scheduling-policy/fair",
      "fairsharePolicy":{"shareDecaySeconds":3600,"computeReservation":10,
                         "shareDistribution":[{"shareIdentifier":"team*","weightFactor":0.5}]}})"));
}

TEST(JsonFormat, InterruptionsAndPreemptionRetries) {
  protocol::Job job = FinishedJob();
  json plain = JobToAwsJson(job);
  EXPECT_FALSE(plain.contains("preemptionRetries"));
  EXPECT_FALSE(plain["attempts"][0].contains("interruption"));
  job.preemptionRetries = 2;
  job.attempts[0].interruption = protocol::Interruption{protocol::InterruptionKind::kReclaimed, "Node reclaimed: n1"};
  json j = JobToAwsJson(job);
  EXPECT_EQ(j["preemptionRetries"], 2);
  EXPECT_EQ(j["attempts"][0]["interruption"], json::parse(R"({"kind":"RECLAIMED","reason":"Node reclaimed: n1"})"));
  EXPECT_FALSE(j["attempts"][1].contains("interruption"));

  protocol::JobQueue q;
  q.jobQueueName = "low";
  EXPECT_FALSE(JobQueueToAwsJson(q).contains("preemptionRetries"));
  q.preemptionRetries = 0;
  EXPECT_EQ(JobQueueToAwsJson(q)["preemptionRetries"], 0);
}

TEST(JsonFormat, JobTagsAndSubmitterOnlyWhenSet) {
  protocol::Job job = FinishedJob();
  json plain = JobToAwsJson(job);
  EXPECT_FALSE(plain.contains("tags"));
  EXPECT_FALSE(plain.contains("submittedBy"));
  job.tags = protocol::Tags{};  // untagged down to nothing: still no member
  EXPECT_FALSE(JobToAwsJson(job).contains("tags"));
  job.tags = protocol::Tags{{"team", "ml"}, {"cost-center", ""}};
  job.submittedBy = "ci-key";
  json j = JobToAwsJson(job);
  EXPECT_EQ(j["tags"], json::parse(R"({"team":"ml","cost-center":""})"));
  EXPECT_EQ(j["submittedBy"], "ci-key");
  // ListJobs' summary is AWS's JobSummary, which has neither.
  EXPECT_FALSE(JobSummaryToAwsJson(job).contains("tags"));
}

TEST(JsonFormat, ResourcesShowTheirTagsAsAnObject) {
  const protocol::Tags tags = {{"env", "prod"}, {"owner", "batch-team"}};
  const json expected = json::parse(R"({"env":"prod","owner":"batch-team"})");

  protocol::JobQueue q;
  q.jobQueueName = "q";
  EXPECT_FALSE(JobQueueToAwsJson(q).contains("tags"));
  q.tags = tags;
  EXPECT_EQ(JobQueueToAwsJson(q)["tags"], expected);

  protocol::ComputeEnvironmentView v;
  v.computeEnvironment.computeEnvironmentName = "ce";
  EXPECT_FALSE(ComputeEnvironmentToAwsJson(v).contains("tags"));
  v.computeEnvironment.tags = tags;
  EXPECT_EQ(ComputeEnvironmentToAwsJson(v)["tags"], expected);

  protocol::JobDefinition d;
  d.jobDefinitionName = "d";
  d.revision = 1;
  EXPECT_FALSE(JobDefinitionToAwsJson(d).contains("tags"));
  d.tags = tags;
  EXPECT_EQ(JobDefinitionToAwsJson(d)["tags"], expected);

  protocol::SchedulingPolicy p;
  p.name = "fair";
  EXPECT_FALSE(SchedulingPolicyToAwsJson(p).contains("tags"));
  p.tags = tags;
  EXPECT_EQ(SchedulingPolicyToAwsJson(p)["tags"], expected);
}

TEST(JsonFormat, NodeControlAndItsRequest) {
  protocol::NodeView n;
  n.node.nodeId = "n1";
  n.state = protocol::NodeState::kDraining;
  n.node.control = protocol::NodeControl{protocol::NodeControlState::kDraining, "kernel upgrade", 1000, 61'000};
  json j = NodeViewToJson(n);
  EXPECT_EQ(j["state"], "DRAINING");
  EXPECT_EQ(j["node"]["control"],
            json::parse(R"({"state":"DRAINING","reason":"kernel upgrade","requestedAt":1000,"deadlineAt":61000})"));

  protocol::NodeControlRequest req;
  req.nodeId = "n1";
  req.action = protocol::NodeAction::kReclaim;
  EXPECT_EQ(NodeControlRequestToJson(req), json::parse(R"({"nodeId":"n1","action":"RECLAIM"})"));
  req.deadlineSeconds = 30;
  req.reason = "spot";
  EXPECT_EQ(NodeControlRequestToJson(req),
            json::parse(R"({"nodeId":"n1","action":"RECLAIM","deadlineSeconds":30,"reason":"spot"})"));
}

TEST(JsonFormat, DumpSurvivesInvalidUtf8) {
  json j = {{"logTail", std::string("ok \xff\xfe end")}};
  std::string out = DumpJson(j);
  EXPECT_NE(out.find("ok \xef\xbf\xbd"), std::string::npos) << out;
}

}  // namespace
}  // namespace gantry::client
