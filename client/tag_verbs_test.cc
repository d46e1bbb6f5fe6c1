// gantry tag-resource, untag-resource, list-tags-for-resource and the --tags
// flag of submit-job and the create verbs, end to end: the real CLI parser
// and RpcClient against a fake coordinator that keeps tags per resource.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <map>
#include <mutex>
#include <utility>

#include "client/fake_coordinator_test_util.h"
#include "client/verb_test_util.h"

namespace gantry::client {
namespace {

using protocol::Envelope;
using protocol::MessageType;
using protocol::ResourceKind;
using protocol::Tags;

using Key = std::pair<ResourceKind, std::string>;

// Keeps each resource's tags as the coordinator would (TagResource merges,
// UntagResource removes) and records the create requests' tags.
class TagStore {
 public:
  TagStore() : coord_([this](const Envelope& env) { return Handle(env); }) {}

  std::string endpoint() const { return coord_.endpoint(); }
  int requests() const { return coord_.requests(); }
  Tags tags(ResourceKind kind, const std::string& id) {
    std::lock_guard<std::mutex> lock(mu_);
    return tags_[{kind, id}];
  }
  std::optional<std::vector<std::string>> submitted_command() {
    std::lock_guard<std::mutex> lock(mu_);
    return submitted_command_;
  }
  void SetJob(protocol::Job job) {
    std::lock_guard<std::mutex> lock(mu_);
    job_ = std::move(job);
  }

 private:
  template <class Req>
  static Req Decode(const Envelope& env) {
    auto req = protocol::DecodeBody<Req>(env);
    EXPECT_TRUE(req.ok()) << req.status().ToString();
    return req.ok() ? *req : Req{};
  }

  // Records a created record's tags (absent: none).
  void Created(ResourceKind kind, const std::string& id, const std::optional<Tags>& tags) {
    tags_[{kind, id}] = tags.value_or(Tags{});
  }

  std::vector<std::string> Handle(const Envelope& env) {
    std::lock_guard<std::mutex> lock(mu_);
    switch (env.type) {
      case MessageType::kTagResource: {
        auto req = Decode<protocol::TagResourceRequest>(env);
        for (const auto& [k, v] : req.tags) tags_[{req.resource.kind, req.resource.id}][k] = v;
        return Reply(env, protocol::DoneReply{req.resource.id});
      }
      case MessageType::kUntagResource: {
        auto req = Decode<protocol::UntagResourceRequest>(env);
        for (const auto& k : req.tagKeys) tags_[{req.resource.kind, req.resource.id}].erase(k);
        return Reply(env, protocol::DoneReply{req.resource.id});
      }
      case MessageType::kListTagsForResource: {
        auto req = Decode<protocol::ListTagsForResourceRequest>(env);
        auto it = tags_.find({req.resource.kind, req.resource.id});
        if (it == tags_.end()) {
          return {FakeCoordinator::Error(env.requestId, StatusCode::kNotFound, "no such resource: " + req.resource.id)};
        }
        return Reply(env, protocol::ListTagsForResourceReply{it->second});
      }
      case MessageType::kSubmitJob: {
        auto req = Decode<protocol::SubmitJobRequest>(env);
        Created(ResourceKind::kJob, "job-0001", req.tags);
        submitted_command_ = req.command;
        return Reply(env, protocol::SubmitJobReply{"job-0001", req.jobName});
      }
      case MessageType::kCreateComputeEnvironment: {
        auto req = Decode<protocol::CreateComputeEnvironmentRequest>(env);
        const auto& ce = req.computeEnvironment;
        Created(ResourceKind::kComputeEnvironment, ce.computeEnvironmentName, ce.tags);
        return Reply(env, protocol::CreateComputeEnvironmentReply{ce.computeEnvironmentName});
      }
      case MessageType::kCreateJobQueue: {
        auto req = Decode<protocol::CreateJobQueueRequest>(env);
        Created(ResourceKind::kJobQueue, req.jobQueue.jobQueueName, req.jobQueue.tags);
        return Reply(env, protocol::CreateJobQueueReply{req.jobQueue.jobQueueName});
      }
      case MessageType::kRegisterJobDefinition: {
        auto req = Decode<protocol::RegisterJobDefinitionRequest>(env);
        const auto& def = req.jobDefinition;
        Created(ResourceKind::kJobDefinition, def.jobDefinitionName + ":1", def.tags);
        return Reply(env, protocol::RegisterJobDefinitionReply{def.jobDefinitionName, 1});
      }
      case MessageType::kCreateSchedulingPolicy: {
        auto req = Decode<protocol::CreateSchedulingPolicyRequest>(env);
        Created(ResourceKind::kSchedulingPolicy, req.schedulingPolicy.name, req.schedulingPolicy.tags);
        return Reply(env, protocol::DoneReply{req.schedulingPolicy.name});
      }
      case MessageType::kDescribeJobs: {
        protocol::DescribeJobsReply rep;
        rep.jobs.push_back(job_);
        return Reply(env, rep);
      }
      default:
        return {FakeCoordinator::Error(env.requestId, StatusCode::kInvalidArgument, "unexpected")};
    }
  }

  std::mutex mu_;
  std::map<Key, Tags> tags_;
  protocol::Job job_;
  std::optional<std::vector<std::string>> submitted_command_;
  FakeCoordinator coord_;  // last: its thread stops before the rest goes
};

constexpr const char* kQueueArn = "arn:aws:batch:us-east-1:123456789012:job-queue/q";

TEST(TagVerbs, TagListAndUntag) {
  TagStore fake;
  const std::string e = fake.endpoint();
  RunResult r = RunGantry({"create-job-queue", "--endpoint", e, "--job-queue-name", "q", "--priority", "1",
                           "--compute-environments", "ce"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  r = RunGantry({"tag-resource", "--endpoint", e, "--resource-arn", kQueueArn, "--tags", "team=ml,env=prod",
                 "--tags", R"({"cost center": "42"})"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "q\n");
  EXPECT_EQ(fake.tags(ResourceKind::kJobQueue, "q"), (Tags{{"team", "ml"}, {"env", "prod"}, {"cost center", "42"}}));

  r = RunGantry({"list-tags-for-resource", "--endpoint", e, "--resource-arn", kQueueArn});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out,
            "KEY          VALUE\n"
            "cost center  42\n"
            "env          prod\n"
            "team         ml\n");
  // gantry's own ARN names the same queue.
  r = RunGantry({"list-tags-for-resource", "--endpoint", e, "--resource-arn", "arn:gantry:batch:local:job-queue/q",
                 "-o", "json"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(nlohmann::json::parse(r.out),
            nlohmann::json::parse(R"({"tags": {"team": "ml", "env": "prod", "cost center": "42"}})"));

  r = RunGantry({"untag-resource", "--endpoint", e, "--resource-arn", kQueueArn, "--tag-keys", "team,env",
                 "--tag-keys", "absent", "-o", "json"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(nlohmann::json::parse(r.out), nlohmann::json::object());  // AWS answers {}
  r = RunGantry({"untag-resource", "--endpoint", e, "--resource-arn", kQueueArn, "--tag-keys", R"(["cost center"])"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "q\n");
  r = RunGantry({"list-tags-for-resource", "--endpoint", e, "--resource-arn", kQueueArn, "-o", "json"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(nlohmann::json::parse(r.out), nlohmann::json::parse(R"({"tags": {}})"));
}

TEST(TagVerbs, AwsCliStyleSpaceSeparatedTagKeys) {
  TagStore fake;
  const std::string e = fake.endpoint();
  RunResult r = RunGantry({"tag-resource", "--endpoint", e, "--resource-arn", kQueueArn, "--tags", "a=1", "b=2"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(fake.tags(ResourceKind::kJobQueue, "q"), (Tags{{"a", "1"}, {"b", "2"}}));
  r = RunGantry({"untag-resource", "--endpoint", e, "--resource-arn", kQueueArn, "--tag-keys", "a", "b"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(fake.tags(ResourceKind::kJobQueue, "q").empty());
}

TEST(TagVerbs, TheCoordinatorsErrorIsOneLine) {
  TagStore fake;
  RunResult r = RunGantry({"list-tags-for-resource", "--endpoint", fake.endpoint(), "--resource-arn",
                           "arn:aws:batch:local:000000000000:scheduling-policy/nope"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.out, "");
  EXPECT_THAT(r.err, testing::HasSubstr("no such resource: nope"));
}

TEST(TagVerbs, CreateVerbsAndSubmitJobSendTheirTags) {
  TagStore fake;
  const std::string e = fake.endpoint();
  const std::vector<std::vector<std::string>> runs = {
      {"create-compute-environment", "--compute-environment-name", "ce", "--tags", "a=1,b=2"},
      {"create-job-queue", "--job-queue-name", "q", "--priority", "1", "--compute-environments", "ce", "--tags",
       R"({"a": "1"})", "--tags", "b=2"},
      {"register-job-definition", "--job-definition-name", "d", "--tags", "a=1", "--tags", "b=2", "--", "true"},
      {"create-scheduling-policy", "--name", "fair", "--tags", R"({"a": "1", "b": "2"})"},
      {"submit-job", "--job-name", "j", "--job-queue", "q", "--tags", "a=1", "--tags", "b=2", "--", "echo", "hi"},
  };
  for (const auto& run : runs) {
    std::vector<std::string> args = run;
    args.insert(args.begin() + 1, {"--endpoint", e});
    RunResult r = RunGantry(args);
    EXPECT_EQ(r.exit_code, 0) << run[0] << ": " << r.err;
  }
  const Tags want{{"a", "1"}, {"b", "2"}};
  EXPECT_EQ(fake.tags(ResourceKind::kComputeEnvironment, "ce"), want);
  EXPECT_EQ(fake.tags(ResourceKind::kJobQueue, "q"), want);
  EXPECT_EQ(fake.tags(ResourceKind::kJobDefinition, "d:1"), want);
  EXPECT_EQ(fake.tags(ResourceKind::kSchedulingPolicy, "fair"), want);
  EXPECT_EQ(fake.tags(ResourceKind::kJob, "job-0001"), want);
  EXPECT_EQ(fake.submitted_command(), (std::vector<std::string>{"echo", "hi"}));
}

TEST(TagVerbs, BadFlagsAreUsageErrorsNamingTheFlagAndSendNothing) {
  TagStore fake;
  struct Case {
    std::vector<std::string> args;
    std::string err;  // empty: any (CLI11's own)
  };
  const std::vector<Case> cases = {
      {{"tag-resource", "--resource-arn", kQueueArn, "--tags", "team"}, "gantry: --tags: \"team\" is not KEY=VALUE\n"},
      {{"tag-resource", "--resource-arn", kQueueArn, "--tags", "{}"},
       "gantry: --tags is required: at least one KEY=VALUE\n"},
      {{"tag-resource", "--resource-arn", kQueueArn, "--tags", "aws:x=1"},
       "gantry: --tags: tag key aws:x is reserved (aws: prefix)\n"},
      {{"tag-resource", "--resource-arn", "q", "--tags", "a=1"},
       "gantry: --resource-arn \"q\" is not a valid AWS Batch ARN "
       "(arn:<partition>:batch:<region>:<account>:<type>/<id>)\n"},
      {{"tag-resource", "--resource-arn", kQueueArn}, ""},
      {{"untag-resource", "--resource-arn", kQueueArn, "--tag-keys", "a,,b"},
       "gantry: --tag-keys: empty key in \"a,,b\"\n"},
      {{"untag-resource", "--resource-arn", kQueueArn}, ""},
      {{"untag-resource", "--resource-arn", "arn:aws:batch:us-east-1:123456789012:job-definition/d", "--tag-keys",
        "a"},
       "gantry: --resource-arn \"arn:aws:batch:us-east-1:123456789012:job-definition/d\" is not a valid AWS Batch "
       "ARN (job definition \"d\" must be name:revision)\n"},
      {{"list-tags-for-resource", "--resource-arn", "arn:aws:batch:us-east-1:123456789012:queue/q"}, ""},
      {{"list-tags-for-resource"}, ""},
      {{"submit-job", "--job-name", "j", "--job-queue", "q", "--tags", "x"},
       "gantry: --tags: \"x\" is not KEY=VALUE\n"},
      {{"create-compute-environment", "--compute-environment-name", "ce", "--tags", "=1"},
       "gantry: --tags: \"=1\" has a tag without a key\n"},
      {{"create-job-queue", "--job-queue-name", "q", "--priority", "1", "--compute-environments", "ce", "--tags",
        R"({"a": 1})"},
       "gantry: --tags.a must be a string\n"},
      {{"register-job-definition", "--job-definition-name", "d", "--tags", "aws:a=1"},
       "gantry: --tags: tag key aws:a is reserved (aws: prefix)\n"},
      {{"create-scheduling-policy", "--name", "p", "--tags", "[1]"},
       "gantry: --tags must be a JSON object of strings\n"},
  };
  for (const Case& c : cases) {
    std::vector<std::string> args = c.args;
    args.push_back("--endpoint");
    args.push_back(fake.endpoint());
    RunResult r = RunGantry(args);
    std::string what = testing::PrintToString(c.args);
    EXPECT_EQ(r.exit_code, 2) << what << r.err;
    EXPECT_NE(r.err, "") << what;
    if (!c.err.empty()) {
      EXPECT_EQ(r.err, c.err) << what;
    }
    if (c.args[0] == "list-tags-for-resource" && c.args.size() > 1) {
      EXPECT_THAT(r.err, testing::StartsWith("gantry: --resource-arn \"")) << what;
    }
    EXPECT_EQ(r.out, "") << what;
  }
  EXPECT_EQ(fake.requests(), 0);
}

TEST(TagVerbs, DescribeJobsShowsTags) {
  TagStore fake;
  protocol::Job job;
  job.jobId = "j1";
  job.jobName = "n";
  job.jobQueue = "q";
  job.tags = Tags{{"team", "ml"}};
  fake.SetJob(job);
  RunResult r = RunGantry({"describe-jobs", "--endpoint", fake.endpoint(), "j1"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, testing::HasSubstr("\n  tags:       team=ml\n"));
  r = RunGantry({"describe-jobs", "--endpoint", fake.endpoint(), "j1", "-o", "json"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(nlohmann::json::parse(r.out)["jobs"][0]["tags"], nlohmann::json::parse(R"({"team": "ml"})"));
}

TEST(TagVerbs, HelpListsTheVerbsAndTheFlag) {
  RunResult r = RunGantry({"--help"});
  EXPECT_EQ(r.exit_code, 0);
  for (const char* verb : {"tag-resource", "untag-resource", "list-tags-for-resource"}) {
    EXPECT_NE(r.out.find(std::string("\n  ") + verb), std::string::npos) << verb << "\n" << r.out;
  }
  for (const char* verb : {"submit-job", "create-compute-environment", "create-job-queue", "register-job-definition",
                           "create-scheduling-policy", "tag-resource"}) {
    RunResult help = RunGantry({verb, "--help"});
    EXPECT_THAT(help.out, testing::HasSubstr("--tags")) << verb;
  }
}

}  // namespace
}  // namespace gantry::client
