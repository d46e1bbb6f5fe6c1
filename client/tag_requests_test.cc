#include "client/tag_requests.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "client/control_requests.h"
#include "client/job_text.h"
#include "client/json_format.h"
#include "client/requests.h"
#include "client/resource_tables.h"
#include "protocol/arn.h"

namespace gantry::client {
namespace {

using protocol::ResourceKind;
using protocol::ResourceRef;
using protocol::Tags;

void ExpectInvalid(const Status& s, const std::string& message) {
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument) << s.ToString();
  EXPECT_EQ(s.message(), message);
}

// Checks the message's start only (the rest comes from protocol/).
void ExpectInvalidPrefix(const Status& s, const std::string& prefix) {
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument) << s.ToString();
  EXPECT_EQ(s.message().rfind(prefix, 0), 0u) << s.message();
}

// ---- --tags ------------------------------------------------------------------

TEST(TagsFlag, ShorthandJsonRepeatedAndLaterWins) {
  auto tags = ParseTagsFlags({"team=ml,env=prod", R"({"cost center": "42", "env": "dev"})", "owner=ana"});
  ASSERT_TRUE(tags.ok()) << tags.status().ToString();
  EXPECT_EQ(*tags, (Tags{{"team", "ml"}, {"env", "dev"}, {"cost center", "42"}, {"owner", "ana"}}));
  auto later = ParseTagsFlags({"a=1", "a=2"});
  ASSERT_TRUE(later.ok());
  EXPECT_EQ(*later, (Tags{{"a", "2"}}));
}

TEST(TagsFlag, AwsStyleKeysEmptyValuesAndCommasInValues) {
  auto tags = ParseTagsFlags({"app.kubernetes.io/name=web,team:owner=a b", "empty=", "list=a,b,c", " k = v "});
  ASSERT_TRUE(tags.ok()) << tags.status().ToString();
  EXPECT_EQ(*tags, (Tags{{"app.kubernetes.io/name", "web"},
                         {"team:owner", "a b"},
                         {"empty", ""},
                         {"list", "a,b,c"},
                         {"k", " v "}}));  // keys trimmed, values as typed
  auto eq = ParseTagsFlags({"url=a=b"});
  ASSERT_TRUE(eq.ok());
  EXPECT_EQ(*eq, (Tags{{"url", "a=b"}}));
}

TEST(TagsFlag, NoneGivenIsEmpty) {
  auto tags = ParseTagsFlags({});
  ASSERT_TRUE(tags.ok());
  EXPECT_TRUE(tags->empty());
}

TEST(TagsFlag, BadInputNamesTheFlag) {
  ExpectInvalid(ParseTagsFlags({"team"}).status(), "--tags: \"team\" is not KEY=VALUE");
  ExpectInvalid(ParseTagsFlags({""}).status(), "--tags: \"\" is not KEY=VALUE");
  ExpectInvalid(ParseTagsFlags({"=v"}).status(), "--tags: \"=v\" has a tag without a key");
  ExpectInvalid(ParseTagsFlags({"a=1, =2"}).status(), "--tags: \"a=1, =2\" has a tag without a key");
  ExpectInvalid(ParseTagsFlags({R"({"a": 1})"}).status(), "--tags.a must be a string");
  ExpectInvalid(ParseTagsFlags({R"(["a"])"}).status(), "--tags must be a JSON object of strings");
  ExpectInvalidPrefix(ParseTagsFlags({R"({"a":)"}).status(), "--tags is not valid JSON");
  ExpectInvalid(ParseTagsFlags({"aws:created=x"}).status(), "--tags: tag key aws:created is reserved (aws: prefix)");
  ExpectInvalid(ParseTagsFlags({"k=" + std::string(257, 'v')}).status(),
                "--tags: tag k has a value longer than 256 bytes");
  std::vector<std::string> many;
  for (int i = 0; i < 51; ++i) many.push_back("k" + std::to_string(i) + "=v");
  ExpectInvalid(ParseTagsFlags(many).status(), "--tags: more than 50 tags");
  // Another flag's name when given.
  ExpectInvalid(ParseTagsFlags({"x"}, "--other").status(), "--other: \"x\" is not KEY=VALUE");
}

// ---- --tag-keys --------------------------------------------------------------

TEST(TagKeysFlag, RepeatedCommaListsAndJson) {
  auto keys = ParseTagKeysFlags({"a", "b,c", R"(["d", "e f"])", " g "});
  ASSERT_TRUE(keys.ok()) << keys.status().ToString();
  EXPECT_EQ(*keys, (std::vector<std::string>{"a", "b", "c", "d", "e f", "g"}));
}

TEST(TagKeysFlag, BadInputNamesTheFlag) {
  ExpectInvalid(ParseTagKeysFlags({}).status(), "--tag-keys is required");
  ExpectInvalid(ParseTagKeysFlags({"a,,b"}).status(), "--tag-keys: empty key in \"a,,b\"");
  ExpectInvalid(ParseTagKeysFlags({""}).status(), "--tag-keys: empty key in \"\"");
  ExpectInvalid(ParseTagKeysFlags({R"(["a", 2])"}).status(), "--tag-keys[1] must be a string");
  ExpectInvalid(ParseTagKeysFlags({R"([])"}).status(), "--tag-keys is required");
  ExpectInvalidPrefix(ParseTagKeysFlags({"[x"}).status(), "--tag-keys is not valid JSON");
  ExpectInvalid(ParseTagKeysFlags({"aws:x"}).status(), "--tag-keys: tag key aws:x is reserved (aws: prefix)");
  std::vector<std::string> many;
  for (int i = 0; i < 51; ++i) many.push_back("k" + std::to_string(i));
  ExpectInvalid(ParseTagKeysFlags(many).status(), "--tag-keys: tagKeys must hold 1-50 keys");
}

// ---- --resource-arn ------------------------------------------------------------

TEST(ResourceArnFlag, TakesArnsOfAnyRegionAndAccount) {
  const protocol::ArnScheme schemes[] = {
      {}, {"aws", "eu-west-1", "111111111111"}, {"aws-cn", "cn-north-1", "999999999999"}};
  const ResourceRef refs[] = {{ResourceKind::kComputeEnvironment, "ce-1"},
                              {ResourceKind::kJobQueue, "q_1"},
                              {ResourceKind::kJobDefinition, "def:12"},
                              {ResourceKind::kJob, "3f6b2c1e-aaaa-bbbb-cccc-0123456789ab"},
                              {ResourceKind::kSchedulingPolicy, "fair"}};
  for (const auto& scheme : schemes) {
    for (const ResourceRef& ref : refs) {
      std::string arn = scheme.Arn(ref.kind, ref.id);
      auto parsed = ParseResourceArnFlag(arn);
      ASSERT_TRUE(parsed.ok()) << arn << ": " << parsed.status().ToString();
      EXPECT_EQ(*parsed, ref) << arn;
    }
  }
}

TEST(ResourceArnFlag, TakesTheArnsGantryPrints) {
  auto q = ParseResourceArnFlag(JobQueueArn("q"));
  ASSERT_TRUE(q.ok()) << q.status().ToString();
  EXPECT_EQ(*q, (ResourceRef{ResourceKind::kJobQueue, "q"}));
  auto ce = ParseResourceArnFlag(ComputeEnvironmentArn("spot"));
  ASSERT_TRUE(ce.ok());
  EXPECT_EQ(*ce, (ResourceRef{ResourceKind::kComputeEnvironment, "spot"}));
  auto def = ParseResourceArnFlag(JobDefinitionArn("sleeper", 3));
  ASSERT_TRUE(def.ok());
  EXPECT_EQ(*def, (ResourceRef{ResourceKind::kJobDefinition, "sleeper:3"}));
  auto policy = ParseResourceArnFlag(SchedulingPolicyArn("fair"));
  ASSERT_TRUE(policy.ok());
  EXPECT_EQ(*policy, (ResourceRef{ResourceKind::kSchedulingPolicy, "fair"}));
  // The account-bearing form with gantry's partition and region too.
  auto full = ParseResourceArnFlag("arn:gantry:batch:local:000000000000:job-queue/q");
  ASSERT_TRUE(full.ok()) << full.status().ToString();
  EXPECT_EQ(*full, (ResourceRef{ResourceKind::kJobQueue, "q"}));
}

TEST(ResourceArnFlag, BadArnsNameTheFlag) {
  ExpectInvalid(ParseResourceArnFlag("").status(), "--resource-arn is required");
  for (const char* bad : {"q", "job-queue/q", "arn:aws:s3:us-west-2:123456789012:job-queue/q",
                          "arn:aws:batch:us-west-2:123456789012:queue/q",
                          "arn:aws:batch:us-west-2:123456789012:job-definition/d",
                          "arn:gantry:batch:local:job-definition/d", "arn:gantry:batch:local:job-queue/a b"}) {
    Status s = ParseResourceArnFlag(bad).status();
    ExpectInvalidPrefix(s, std::string("--resource-arn \"") + bad + "\" is not a valid AWS Batch ARN");
  }
}

// ---- the tag verbs' requests ----------------------------------------------------

TEST(TagRequests, TagResource) {
  auto req = BuildTagResource({"arn:aws:batch:us-east-1:123456789012:job-queue/q", {"a=1,b=2", R"({"c":"3"})"}});
  ASSERT_TRUE(req.ok()) << req.status().ToString();
  EXPECT_EQ(req->resource, (ResourceRef{ResourceKind::kJobQueue, "q"}));
  EXPECT_EQ(req->tags, (Tags{{"a", "1"}, {"b", "2"}, {"c", "3"}}));
  ExpectInvalid(BuildTagResource({JobQueueArn("q"), {}}).status(), "--tags is required: at least one KEY=VALUE");
  ExpectInvalid(BuildTagResource({JobQueueArn("q"), {"{}"}}).status(), "--tags is required: at least one KEY=VALUE");
  ExpectInvalid(BuildTagResource({JobQueueArn("q"), {"a"}}).status(), "--tags: \"a\" is not KEY=VALUE");
  ExpectInvalid(BuildTagResource({"", {"a=1"}}).status(), "--resource-arn is required");
  ExpectInvalidPrefix(BuildTagResource({"q", {"a=1"}}).status(), "--resource-arn \"q\" is not a valid AWS Batch ARN");
}

TEST(TagRequests, UntagResource) {
  auto req = BuildUntagResource({JobDefinitionArn("d", 2), {"a", "b,c"}});
  ASSERT_TRUE(req.ok()) << req.status().ToString();
  EXPECT_EQ(req->resource, (ResourceRef{ResourceKind::kJobDefinition, "d:2"}));
  EXPECT_EQ(req->tagKeys, (std::vector<std::string>{"a", "b", "c"}));
  auto json = BuildUntagResource({"arn:aws:batch:us-east-1:123456789012:job/j-1", {R"(["x"])"}});
  ASSERT_TRUE(json.ok()) << json.status().ToString();
  EXPECT_EQ(json->tagKeys, std::vector<std::string>{"x"});
  ExpectInvalid(BuildUntagResource({JobQueueArn("q"), {}}).status(), "--tag-keys is required");
  ExpectInvalidPrefix(BuildUntagResource({"arn:x", {"a"}}).status(), "--resource-arn \"arn:x\"");
}

TEST(TagRequests, ListTagsForResource) {
  auto req = BuildListTagsForResource(ComputeEnvironmentArn("ce"));
  ASSERT_TRUE(req.ok()) << req.status().ToString();
  EXPECT_EQ(req->resource, (ResourceRef{ResourceKind::kComputeEnvironment, "ce"}));
  ExpectInvalid(BuildListTagsForResource("").status(), "--resource-arn is required");
}

// ---- --tags on submit-job and the create verbs ------------------------------------

TEST(TagsOnCreate, SubmitJob) {
  SubmitJobFlags flags;
  flags.name = "a";
  flags.queue = "q";
  auto none = BuildSubmitJob(flags, "tok");
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none->tags);  // absent, not empty
  flags.tags = {"team=ml", R"({"env":"prod"})"};
  auto req = BuildSubmitJob(flags, "tok");
  ASSERT_TRUE(req.ok()) << req.status().ToString();
  EXPECT_EQ(req->tags, (Tags{{"team", "ml"}, {"env", "prod"}}));
  flags.tags = {"team"};
  ExpectInvalid(BuildSubmitJob(flags, "tok").status(), "--tags: \"team\" is not KEY=VALUE");
}

TEST(TagsOnCreate, ComputeEnvironmentAndJobQueue) {
  ComputeEnvironmentFlags ce;
  ce.name = "ce";
  EXPECT_FALSE(BuildCreateComputeEnvironment(ce)->computeEnvironment.tags);
  ce.tags = {"a=1,b=2"};
  auto ce_req = BuildCreateComputeEnvironment(ce);
  ASSERT_TRUE(ce_req.ok()) << ce_req.status().ToString();
  EXPECT_EQ(ce_req->computeEnvironment.tags, (Tags{{"a", "1"}, {"b", "2"}}));
  ce.tags = {"aws:x=1"};
  ExpectInvalid(BuildCreateComputeEnvironment(ce).status(), "--tags: tag key aws:x is reserved (aws: prefix)");

  JobQueueFlags q;
  q.name = "q";
  q.priority = 1;
  q.compute_environments = "ce";
  EXPECT_FALSE(BuildCreateJobQueue(q)->jobQueue.tags);
  q.tags = {R"({"team": "hpc"})"};
  auto q_req = BuildCreateJobQueue(q);
  ASSERT_TRUE(q_req.ok()) << q_req.status().ToString();
  EXPECT_EQ(q_req->jobQueue.tags, (Tags{{"team", "hpc"}}));
  q.tags = {"=x"};
  ExpectInvalid(BuildCreateJobQueue(q).status(), "--tags: \"=x\" has a tag without a key");
}

TEST(TagsOnCreate, JobDefinitionMergesOverCliInputJson) {
  JobDefinitionFlags def;
  def.name = "d";
  EXPECT_FALSE(BuildRegisterJobDefinition(def)->jobDefinition.tags);
  def.tags = {"a=1"};
  auto only_flag = BuildRegisterJobDefinition(def);
  ASSERT_TRUE(only_flag.ok()) << only_flag.status().ToString();
  EXPECT_EQ(only_flag->jobDefinition.tags, (Tags{{"a", "1"}}));
  def.cli_input_json = R"({"jobDefinitionName": "d", "type": "container", "tags": {"a": "0", "b": "2"}})";
  auto merged = BuildRegisterJobDefinition(def);
  ASSERT_TRUE(merged.ok()) << merged.status().ToString();
  EXPECT_EQ(merged->jobDefinition.tags, (Tags{{"a", "1"}, {"b", "2"}}));
  def.tags.clear();
  auto only_json = BuildRegisterJobDefinition(def);
  ASSERT_TRUE(only_json.ok());
  EXPECT_EQ(only_json->jobDefinition.tags, (Tags{{"a", "0"}, {"b", "2"}}));
  def.cli_input_json = R"({"jobDefinitionName": "d", "tags": {"a": 1}})";
  ExpectInvalid(BuildRegisterJobDefinition(def).status(), "--cli-input-json.tags.a must be a string");
  def.cli_input_json = R"({"jobDefinitionName": "d", "tags": {"aws:a": "1"}})";
  ExpectInvalid(BuildRegisterJobDefinition(def).status(),
                "--cli-input-json.tags: tag key aws:a is reserved (aws: prefix)");
  def.cli_input_json.clear();
  def.tags = {"x"};
  ExpectInvalid(BuildRegisterJobDefinition(def).status(), "--tags: \"x\" is not KEY=VALUE");
}

TEST(TagsOnCreate, SchedulingPolicy) {
  SchedulingPolicyFlags p;
  p.name_or_arn = "fair";
  EXPECT_FALSE(BuildCreateSchedulingPolicy(p)->schedulingPolicy.tags);
  p.tags = {"a=1", "b=2"};
  auto req = BuildCreateSchedulingPolicy(p);
  ASSERT_TRUE(req.ok()) << req.status().ToString();
  EXPECT_EQ(req->schedulingPolicy.tags, (Tags{{"a", "1"}, {"b", "2"}}));
  p.tags = {R"({"a": true})"};
  ExpectInvalid(BuildCreateSchedulingPolicy(p).status(), "--tags.a must be a string");
}

// ---- output ----------------------------------------------------------------------

TEST(TagOutput, JsonIsAnObjectEvenWhenEmpty) {
  EXPECT_EQ(ListTagsReplyToAwsJson({}), nlohmann::json::parse(R"({"tags": {}})"));
  EXPECT_EQ(ListTagsReplyToAwsJson({{{"a", "1"}, {"b c", "two words"}}}),
            nlohmann::json::parse(R"({"tags": {"a": "1", "b c": "two words"}})"));
}

TEST(TagOutput, Table) {
  EXPECT_EQ(FormatTagTable({}), "KEY  VALUE\n");
  EXPECT_EQ(FormatTagTable({{"team", "ml"}, {"cost-center", "4\n2"}}),
            "KEY          VALUE\n"
            "cost-center  4 2\n"
            "team         ml\n");
}

TEST(TagOutput, JobTextShowsTagsWhenSet) {
  protocol::Job job;
  job.jobId = "j1";
  job.jobName = "n";
  EXPECT_EQ(FormatJobText(job).find("tags:"), std::string::npos);
  job.tags = Tags{};
  EXPECT_EQ(FormatJobText(job).find("tags:"), std::string::npos);
  job.submittedBy = "ci-key";
  job.tags = Tags{{"team", "ml"}, {"env", "prod"}};
  std::string text = FormatJobText(job);
  EXPECT_NE(text.find("  submitted by: ci-key\n  tags:       env=prod,team=ml\n"), std::string::npos) << text;
}

}  // namespace
}  // namespace gantry::client
