// Tests of the Validate() rules in types.cc, directly and through decoding.
#include "protocol/types.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "protocol/messages.h"
#include "protocol/test_fixtures.h"

namespace gantry::protocol {
namespace {

using namespace fixtures;  // NOLINT(google-build-using-namespace): Make*() factories
using ::testing::HasSubstr;

void ExpectInvalid(const Status& s, std::string_view message_part) {
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument) << "want error containing: " << message_part;
  EXPECT_THAT(s.message(), HasSubstr(std::string(message_part)));
}

TEST(Types, FixturesAreValid) {
  EXPECT_TRUE(MakeComputeEnvironment().Validate().ok());
  EXPECT_TRUE(MakeJobQueue().Validate().ok());
  EXPECT_TRUE(MakeResources().Validate().ok());
  EXPECT_TRUE(MakeJobDefinition().Validate().ok());
  EXPECT_TRUE(MakeNode().Validate().ok());
  EXPECT_TRUE(MakeSchedulingPolicy().Validate().ok());
}

// ---- names, commands, environments, labels ----------------------------------

TEST(Types, ValidateNameAcceptsAwsBatchNames) {
  for (std::string name : {std::string("a"), std::string("Queue_1-high"), std::string(128, 'z'),
                           std::string("0123456789")}) {
    EXPECT_TRUE(ValidateName("jobQueue", name).ok()) << name;
  }
}

TEST(Types, ValidateNameRejectsEmpty) {
  Status s = ValidateName("jobQueueName", "");
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(s.message(), "jobQueueName must not be empty");
}

TEST(Types, ValidateNameRejectsTooLong) {
  Status s = ValidateName("jobName", std::string(129, 'a'));
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(s.message(), "jobName is longer than 128 characters");
}

TEST(Types, ValidateNameRejectsBadCharacters) {
  const std::vector<std::string> names = {
      "a b",          "a.b", "a/b", "a:1", "caf\xc3\xa9", "tab\t", std::string("nul\0x", 5),
      "-ok-but-then!"};
  for (const std::string& name : names) {
    Status s = ValidateName("jobName", name);
    EXPECT_EQ(s.code(), StatusCode::kInvalidArgument) << name;
    EXPECT_THAT(s.message(), HasSubstr("may contain only letters, digits, '-' and '_'")) << name;
  }
}

TEST(Types, ValidateNameQuotesOnlyAPrefix) {
  Status s = ValidateName("jobName", std::string(100, 'a') + "!");
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);  // too long is checked first
  s = ValidateName("jobName", "!" + std::string(120, 'a'));
  EXPECT_THAT(s.message(), HasSubstr("\"!" + std::string(63, 'a') + "\""));
}

TEST(Types, ValidateCommandLimits) {
  EXPECT_TRUE(ValidateCommand({}).ok());
  EXPECT_TRUE(ValidateCommand(std::vector<std::string>(kMaxCommandArgs, "x")).ok());
  ExpectInvalid(ValidateCommand(std::vector<std::string>(kMaxCommandArgs + 1, "x")),
                "command has more than 1024 arguments");
  EXPECT_TRUE(ValidateCommand({std::string(kMaxCommandBytes, 'c')}).ok());
  ExpectInvalid(ValidateCommand({std::string(kMaxCommandBytes, 'c'), "d"}),
                "command is longer than 131072 bytes");
  ExpectInvalid(ValidateCommand({"ok", std::string("a\0b", 3)}),
                "command argument contains a NUL byte");
}

TEST(Types, ValidateEnvironmentRejectsEqualsAndNulInNames) {
  EXPECT_TRUE(ValidateEnvironment(MakeEnvironment()).ok());
  ExpectInvalid(ValidateEnvironment({{"A=B", "1"}}),
                "environment variable name \"A=B\" contains '='");
  ExpectInvalid(ValidateEnvironment({{"=", "1"}}), "contains '='");
  ExpectInvalid(ValidateEnvironment({{std::string("A\0B", 3), "1"}}), "NUL");
  ExpectInvalid(ValidateEnvironment({{"", "1"}}), "environment variable name must not be empty");
  ExpectInvalid(ValidateEnvironment({{"A", std::string("x\0y", 3)}}),
                "environment variable A contains a NUL byte");
  EXPECT_TRUE(ValidateEnvironment({{"A", "b=c"}}).ok());  // '=' is fine in values
}

TEST(Types, ValidateEnvironmentReservesAwsBatchPrefix) {
  for (const char* key : {"AWS_BATCH_JOB_ID", "AWS_BATCH_", "AWS_BATCH_JOB_ATTEMPT"}) {
    ExpectInvalid(ValidateEnvironment({{key, "x"}}), "is reserved (names starting with AWS_BATCH_");
  }
  for (const char* key : {"AWS_BATCH", "MY_AWS_BATCH_X", "aws_batch_job_id", "AWS_REGION"}) {
    EXPECT_TRUE(ValidateEnvironment({{key, "x"}}).ok()) << key;
  }
}

TEST(Types, ValidateEnvironmentLimitsEntries) {
  Environment env;
  for (size_t i = 0; i < kMaxEnvironmentEntries; ++i) env["V" + std::to_string(i)] = "1";
  EXPECT_TRUE(ValidateEnvironment(env).ok());
  env["ONE_MORE"] = "1";
  ExpectInvalid(ValidateEnvironment(env), "environment has more than 512 variables");
}

TEST(Types, ValidateLabelsLimits) {
  Labels labels;
  for (size_t i = 0; i < kMaxLabels; ++i) labels["k" + std::to_string(i)] = "v";
  EXPECT_TRUE(ValidateLabels(labels).ok());
  labels["extra"] = "v";
  ExpectInvalid(ValidateLabels(labels), "more than 64 labels");
  ExpectInvalid(ValidateLabels({{"", "v"}}), "label key must be 1-128 bytes");
  ExpectInvalid(ValidateLabels({{std::string(129, 'k'), "v"}}), "label key must be 1-128 bytes");
  EXPECT_TRUE(ValidateLabels({{std::string(128, 'k'), std::string(256, 'v')}}).ok());
  ExpectInvalid(ValidateLabels({{"k", std::string(257, 'v')}}),
                "label k has a value longer than 256 bytes");
}

// ---- tags ---------------------------------------------------------------------

TEST(Types, ValidateTagsLimits) {
  EXPECT_TRUE(ValidateTags({}).ok());
  EXPECT_TRUE(ValidateTags(MakeTags()).ok());
  Tags tags;
  for (size_t i = 0; i < kMaxTags; ++i) tags["k" + std::to_string(i)] = "v";
  EXPECT_TRUE(ValidateTags(tags).ok());
  tags["one-more"] = "v";
  ExpectInvalid(ValidateTags(tags), "more than 50 tags");
  // Keys 1-128 bytes, values 0-256: the edges pass, one past them does not.
  EXPECT_TRUE(ValidateTags({{std::string(128, 'k'), std::string(256, 'v')}, {"empty", ""}}).ok());
  ExpectInvalid(ValidateTags({{"", "v"}}), "must be 1-128 bytes");
  ExpectInvalid(ValidateTags({{std::string(129, 'k'), "v"}}), "must be 1-128 bytes");
  ExpectInvalid(ValidateTags({{"k", std::string(257, 'v')}}), "tag k has a value longer than 256 bytes");
}

TEST(Types, ValidateTagsReservesTheAwsPrefixAndControlCharacters) {
  ExpectInvalid(ValidateTags({{"aws:createdBy", "x"}}), "tag key aws:createdBy is reserved (aws: prefix)");
  // Only a prefix is reserved; a value may say anything.
  EXPECT_TRUE(ValidateTags({{"team:aws:x", "aws:y"}, {"aws", "v"}}).ok());
  ExpectInvalid(ValidateTags({{"tab\there", "v"}}), "contains a control character");
  ExpectInvalid(ValidateTags({{std::string("nul\0", 4), "v"}}), "contains a control character");
  ExpectInvalid(ValidateTags({{"del\x7f", "v"}}), "contains a control character");
  EXPECT_TRUE(ValidateTags({{"h\xc3\xa9", "UTF-8 keys are fine"}}).ok());
}

TEST(Types, ValidateTagKeysNeedsOneToFiftyValidKeys) {
  EXPECT_TRUE(ValidateTagKeys({"team"}).ok());
  ExpectInvalid(ValidateTagKeys({}), "tagKeys must hold 1-50 keys");
  std::vector<std::string> keys;
  for (size_t i = 0; i < kMaxTags; ++i) keys.push_back("k" + std::to_string(i));
  EXPECT_TRUE(ValidateTagKeys(keys).ok());
  keys.push_back("one-more");
  ExpectInvalid(ValidateTagKeys(keys), "tagKeys must hold 1-50 keys");
  ExpectInvalid(ValidateTagKeys({"team", ""}), "must be 1-128 bytes");
  ExpectInvalid(ValidateTagKeys({"aws:x"}), "reserved (aws: prefix)");
}

TEST(Types, RecordsValidateTheirTags) {
  ComputeEnvironment ce = MakeComputeEnvironment();
  ce.tags = Tags{{"aws:x", "v"}};
  ExpectInvalid(ce.Validate(), "reserved");
  JobQueue q = MakeJobQueue();
  q.tags = Tags{{"", "v"}};
  ExpectInvalid(q.Validate(), "must be 1-128 bytes");
  JobDefinition d = MakeJobDefinition();
  d.tags = Tags{{"k", std::string(257, 'v')}};
  ExpectInvalid(d.Validate(), "longer than 256 bytes");
  SchedulingPolicy p = MakeSchedulingPolicy();
  p.tags = Tags{{"aws:x", "v"}};
  ExpectInvalid(p.Validate(), "reserved");
  // Absent (state stored before tags existed) is as valid as empty.
  p.tags.reset();
  EXPECT_TRUE(p.Validate().ok());
}

TEST(Types, ResourceRefNamesOneResourceOfItsKind) {
  EXPECT_TRUE((ResourceRef{ResourceKind::kJobQueue, "high-priority"}).Validate().ok());
  EXPECT_TRUE((ResourceRef{ResourceKind::kComputeEnvironment, "spot-ce_1"}).Validate().ok());
  EXPECT_TRUE((ResourceRef{ResourceKind::kSchedulingPolicy, "fair"}).Validate().ok());
  EXPECT_TRUE((ResourceRef{ResourceKind::kJobDefinition, "render_frames:7"}).Validate().ok());
  EXPECT_TRUE((ResourceRef{ResourceKind::kJob, "5f1e2d3c-0000-4000-8000-000000000001"}).Validate().ok());
  EXPECT_TRUE((ResourceRef{ResourceKind::kJob, "5f1e2d3c-0000-4000-8000-000000000001:17"}).Validate().ok());

  ExpectInvalid((ResourceRef{ResourceKind::kJobQueue, ""}).Validate(), "job queue name must not be empty");
  ExpectInvalid((ResourceRef{ResourceKind::kComputeEnvironment, "a/b"}).Validate(), "compute environment name");
  ExpectInvalid((ResourceRef{ResourceKind::kSchedulingPolicy, "a b"}).Validate(), "scheduling policy name");
  // A tag belongs to one revision: the revision must be given, as digits.
  for (const char* id : {"render_frames", "render_frames:", "render_frames:latest", "render_frames:-1", ":3"}) {
    Status s = ResourceRef{ResourceKind::kJobDefinition, id}.Validate();
    EXPECT_EQ(s.code(), StatusCode::kInvalidArgument) << id;
  }
  ExpectInvalid((ResourceRef{ResourceKind::kJobDefinition, "render_frames"}).Validate(),
                "job definition \"render_frames\" must be name:revision");
  ExpectInvalid((ResourceRef{ResourceKind::kJobDefinition, "a b:3"}).Validate(), "job definition name");
  ExpectInvalid((ResourceRef{ResourceKind::kJob, "j:x"}).Validate(), "an array child's id is <parentId>:<index>");
  ExpectInvalid((ResourceRef{ResourceKind::kJob, ""}).Validate(), "job id must not be empty");
}

// ---- records ------------------------------------------------------------------

TEST(Types, ComputeEnvironmentRejectsMinOrDesiredAboveMax) {
  ComputeEnvironment ce = MakeComputeEnvironment();
  ce.maxvCpus = 8;
  ce.minvCpus = 8;
  ce.desiredvCpus = 8;
  EXPECT_TRUE(ce.Validate().ok());
  ce.minvCpus = 9;
  EXPECT_EQ(ce.Validate().message(), "minvCpus (9) exceeds maxvCpus (8)");
  ce.minvCpus = 0;
  ce.desiredvCpus = 9;
  EXPECT_EQ(ce.Validate().message(), "desiredvCpus (9) exceeds maxvCpus (8)");
  ce = MakeComputeEnvironment();
  ce.maxvCpus = 0;
  ce.minvCpus = 0;
  ce.desiredvCpus = 0;
  ExpectInvalid(ce.Validate(), "maxvCpus must be at least 1");
}

TEST(Types, ComputeEnvironmentChecksNameAndSelector) {
  ComputeEnvironment ce = MakeComputeEnvironment();
  ce.computeEnvironmentName = "bad name";
  ExpectInvalid(ce.Validate(), "computeEnvironmentName \"bad name\"");
  ce = MakeComputeEnvironment();
  ce.selector[""] = "x";
  ExpectInvalid(ce.Validate(), "label key must be 1-128 bytes");
}

TEST(Types, ComputeEnvironmentValidateRunsOnDecode) {
  ComputeEnvironment ce = MakeComputeEnvironment();
  ce.desiredvCpus = ce.maxvCpus + 1;
  Status s = Decode<ComputeEnvironment>(Encode(ce), "ComputeEnvironment").status();
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(s.message(), "ComputeEnvironment: desiredvCpus (70001) exceeds maxvCpus (70000)");
}

TEST(Types, JobQueueOrderMustNameOneToThreeEnvironments) {
  JobQueue q = MakeJobQueue();
  q.computeEnvironmentOrder.clear();
  EXPECT_EQ(q.Validate().message(),
            "computeEnvironmentOrder must name at least one compute environment");
  q.computeEnvironmentOrder = {{1, "a"}, {2, "b"}, {3, "c"}, {4, "d"}};
  EXPECT_EQ(q.Validate().message(),
            "computeEnvironmentOrder may name at most 3 compute environments");
  q.computeEnvironmentOrder.pop_back();
  EXPECT_TRUE(q.Validate().ok());
  q.computeEnvironmentOrder = {{0, "only"}};
  EXPECT_TRUE(q.Validate().ok());
}

TEST(Types, JobQueueOrderRejectsDuplicates) {
  JobQueue q = MakeJobQueue();
  q.computeEnvironmentOrder = {{1, "a"}, {2, "b"}, {1, "c"}};
  EXPECT_EQ(q.Validate().message(), "computeEnvironmentOrder has two entries with order 1");
  q.computeEnvironmentOrder = {{1, "a"}, {2, "b"}, {3, "a"}};
  EXPECT_EQ(q.Validate().message(), "computeEnvironmentOrder names a twice");
}

TEST(Types, JobQueueChecksNames) {
  JobQueue q = MakeJobQueue();
  q.jobQueueName = "";
  EXPECT_EQ(q.Validate().message(), "jobQueueName must not be empty");
  q = MakeJobQueue();
  q.computeEnvironmentOrder[1].computeEnvironment = "has space";
  ExpectInvalid(q.Validate(), "computeEnvironment \"has space\" may contain only");
}

TEST(Types, ResourcesRanges) {
  Resources r = MakeResources();
  for (uint32_t vcpus : {1u, kMaxVcpus}) {
    r.vcpus = vcpus;
    EXPECT_TRUE(r.Validate().ok()) << vcpus;
  }
  for (uint32_t vcpus : {0u, kMaxVcpus + 1}) {
    r.vcpus = vcpus;
    EXPECT_EQ(r.Validate().message(),
              "vcpus must be between 1 and 4096, got " + std::to_string(vcpus));
  }
  r = MakeResources();
  for (uint64_t mib : {uint64_t{4}, kMaxMemoryMib}) {
    r.memoryMib = mib;
    EXPECT_TRUE(r.Validate().ok()) << mib;
  }
  for (uint64_t mib : {uint64_t{0}, uint64_t{3}, kMaxMemoryMib + 1}) {
    r.memoryMib = mib;
    EXPECT_EQ(r.Validate().message(),
              "memory must be between 4 and 67108864 MiB, got " + std::to_string(mib));
  }
  r = MakeResources();
  r.diskMib = kMaxDiskMib;
  EXPECT_TRUE(r.Validate().ok());
  r.diskMib = kMaxDiskMib + 1;
  EXPECT_EQ(r.Validate().message(), "disk is larger than 1073741824 MiB");
}

TEST(Types, JobDefinitionRules) {
  JobDefinition d = MakeJobDefinition();
  d.status = "ACTIVE";
  EXPECT_TRUE(d.Validate().ok());
  d.status = "DELETED";
  EXPECT_EQ(d.Validate().message(), "status must be ACTIVE or INACTIVE, got DELETED");
  d = MakeJobDefinition();
  d.jobDefinitionName = std::string(129, 'n');
  ExpectInvalid(d.Validate(), "jobDefinitionName is longer than 128");
  d = MakeJobDefinition();
  d.environment["AWS_BATCH_CE_NAME"] = "x";
  ExpectInvalid(d.Validate(), "reserved");
  d = MakeJobDefinition();
  d.command.assign(kMaxCommandArgs + 1, "x");
  ExpectInvalid(d.Validate(), "more than 1024 arguments");
}

TEST(Types, JobDefinitionResourcesAreValidatedOnDecode) {
  JobDefinition d = MakeJobDefinition();
  d.resources.memoryMib = 1;
  Status s = Decode<JobDefinition>(Encode(d), "JobDefinition").status();
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(s.message(),
            "JobDefinition.resources: memory must be between 4 and 67108864 MiB, got 1");
}

// Found by tests/fuzz/cli_json_fuzz (corpus cli-input-bad-exit-code-pattern):
// register-job-definition --cli-input-json accepted an onExitCode pattern
// the coordinator then refused, as RetryStrategy::Validate() left its rules
// unchecked and only the decoder checked them.
TEST(Types, RetryStrategyValidatesItsRules) {
  RetryStrategy retry = MakeRetryStrategy();
  ASSERT_TRUE(retry.Validate().ok());
  retry.evaluateOnExit.push_back({.onExitCode = "*3", .action = RetryAction::kExit});
  Status s = retry.Validate();
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(s.message(), "evaluateOnExit.onExitCode \"*3\": '*' may only end the pattern");
  JobDefinition def = MakeJobDefinition();
  def.retryStrategy = retry;
  EXPECT_EQ(def.Validate().code(), StatusCode::kInvalidArgument);
}

TEST(Types, NodeRules) {
  Node n = MakeNode();
  n.nodeId = "node a";
  ExpectInvalid(n.Validate(), "nodeId");
  n = MakeNode();
  n.bootId = std::string(129, 'b');
  EXPECT_EQ(n.Validate().message(), "bootId must be 1-128 bytes");
  n = MakeNode();
  n.capacity.vcpus = 1'000'001;
  EXPECT_EQ(n.Validate().message(), "capacity.vcpus is implausibly large");
  n.capacity.vcpus = 1'000'000;
  EXPECT_TRUE(n.Validate().ok());
  n.logAddress.assign(257, 'a');
  EXPECT_EQ(n.Validate().message(), "logAddress is longer than 256 bytes");
  n = MakeNode();
  n.labels["k"] = std::string(257, 'v');
  ExpectInvalid(n.Validate(), "label k has a value longer than 256 bytes");
}

TEST(Types, RecordsWithoutValidateAcceptAnyValues) {
  Job j = MakeJob();
  j.jobId = "";
  j.resources.vcpus = 0;  // Resources inside a Job is still validated...
  Status s = Decode<Job>(Encode(j), "Job").status();
  EXPECT_EQ(s.message(), "Job.resources: vcpus must be between 1 and 4096, got 0");
  j.resources = MakeResources();  // ...but Job itself has no rules.
  Result<Job> back = Decode<Job>(Encode(j), "Job");
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(back->jobId, "");
}

}  // namespace
}  // namespace gantry::protocol

namespace gantry::protocol {
namespace {

TEST(EnforcesDiskQuota, OnlyAnAgentSayingNoneCannot) {
  Node n;
  EXPECT_TRUE(EnforcesDiskQuota(n)) << "an agent that predates the field";
  n.diskQuota = "loop-ext4";
  EXPECT_TRUE(EnforcesDiskQuota(n));
  n.diskQuota = "watch: no loop devices";
  EXPECT_TRUE(EnforcesDiskQuota(n));
  n.diskQuota = "none: disabled by --job-disk-quota none";
  EXPECT_FALSE(EnforcesDiskQuota(n));
}

}  // namespace
}  // namespace gantry::protocol
