#include "client/requests.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>

namespace gantry::protocol {
// Found by ADL from std::vector's operator==.
bool operator==(const ComputeEnvironmentOrder& a, const ComputeEnvironmentOrder& b) {
  return a.order == b.order && a.computeEnvironment == b.computeEnvironment;
}
}  // namespace gantry::protocol

namespace gantry::client {
namespace {

using protocol::ComputeEnvironmentOrder;

void ExpectError(const Status& s, StatusCode code, const std::string& message) {
  EXPECT_EQ(s.code(), code) << s.ToString();
  EXPECT_EQ(s.message(), message);
}

TEST(KeyValues, ParsesAndLaterWins) {
  auto kv = ParseKeyValues({"A=1", "B=x=y", "C=", "A=2"}, "--env");
  ASSERT_TRUE(kv.ok());
  EXPECT_EQ(*kv, (std::map<std::string, std::string>{{"A", "2"}, {"B", "x=y"}, {"C", ""}}));
}

TEST(KeyValues, RejectsItemsWithoutAKey) {
  ExpectError(ParseKeyValues({"FOO"}, "--env").status(), StatusCode::kInvalidArgument,
              "--env: \"FOO\" is not KEY=VALUE");
  ExpectError(ParseKeyValues({"=1"}, "--selector").status(), StatusCode::kInvalidArgument,
              "--selector: \"=1\" is not KEY=VALUE");
}

TEST(ComputeEnvironmentOrderFlag, ParsesAwsShorthand) {
  auto o = ParseComputeEnvironmentOrder({"order=1,computeEnvironment=spot",
                                         "computeEnvironment=od, order=2",
                                         "order=3,computeEnvironment=arn:aws:batch:eu:1:compute-environment/x"});
  ASSERT_TRUE(o.ok()) << o.status().ToString();
  EXPECT_EQ(*o, (std::vector<ComputeEnvironmentOrder>{{1, "spot"}, {2, "od"}, {3, "x"}}));
}

TEST(ComputeEnvironmentOrderFlag, ParsesAwsJson) {
  auto o = ParseComputeEnvironmentOrder(
      {R"([{"order": 1, "computeEnvironment": "a"}, {"order": 2, "computeEnvironment": "b"}])"});
  ASSERT_TRUE(o.ok()) << o.status().ToString();
  EXPECT_EQ(*o, (std::vector<ComputeEnvironmentOrder>{{1, "a"}, {2, "b"}}));
}

TEST(ComputeEnvironmentOrderFlag, RejectsMalformedItems) {
  ExpectError(ParseComputeEnvironmentOrder({"spot"}).status(), StatusCode::kInvalidArgument,
              "--compute-environment-order \"spot\": expected order=N,computeEnvironment=NAME");
  ExpectError(ParseComputeEnvironmentOrder({"order=1"}).status(), StatusCode::kInvalidArgument,
              "--compute-environment-order \"order=1\": expected order=N,computeEnvironment=NAME");
  ExpectError(ParseComputeEnvironmentOrder({"order=x,computeEnvironment=a"}).status(),
              StatusCode::kInvalidArgument, "--compute-environment-order order must be a whole number, got \"x\"");
  ExpectError(ParseComputeEnvironmentOrder({"order=1,ce=a"}).status(), StatusCode::kInvalidArgument,
              "--compute-environment-order: unknown key \"ce\" in \"order=1,ce=a\" "
              "(expected order=N,computeEnvironment=NAME)");
  ExpectError(ParseComputeEnvironmentOrder({R"([{"order": "1", "computeEnvironment": "a"}])"}).status(),
              StatusCode::kInvalidArgument, "--compute-environment-order[0].order must be a whole number");
}

TEST(ComputeEnvironmentList, OrderIsPosition) {
  auto o = ParseComputeEnvironmentList("a, b,c");
  ASSERT_TRUE(o.ok());
  EXPECT_EQ(*o, (std::vector<ComputeEnvironmentOrder>{{1, "a"}, {2, "b"}, {3, "c"}}));
  ExpectError(ParseComputeEnvironmentList("a,,b").status(), StatusCode::kInvalidArgument,
              "--compute-environments: empty name in \"a,,b\"");
}

TEST(EnumFlag, IsCaseInsensitiveAndListsChoices) {
  EXPECT_EQ(*ParseEnumFlag<protocol::JobStatus>("--job-status", "running"), protocol::JobStatus::kRunning);
  ExpectError(ParseEnumFlag<protocol::ResourceState>("--state", "on").status(), StatusCode::kInvalidArgument,
              "--state must be one of ENABLED|DISABLED, got \"on\"");
}

TEST(ClientToken, IsRandomHex) {
  std::string a = NewClientToken(), b = NewClientToken();
  EXPECT_EQ(a.size(), 32u);
  EXPECT_EQ(a.find_first_not_of("0123456789abcdef"), std::string::npos);
  EXPECT_NE(a, b);
}

TEST(CreateComputeEnvironment, BuildsTheRequest) {
  ComputeEnvironmentFlags f;
  f.name = "spot";
  f.type = "unmanaged";
  f.state = "DISABLED";
  f.max_vcpus = 64;
  f.min_vcpus = 4;
  f.desired_vcpus = 8;
  f.provisioning_model = "SPOT";
  f.selector = {"capacity=spot", "rack=r1"};
  auto req = BuildCreateComputeEnvironment(f);
  ASSERT_TRUE(req.ok()) << req.status().ToString();
  const auto& ce = req->computeEnvironment;
  EXPECT_EQ(ce.computeEnvironmentName, "spot");
  EXPECT_EQ(ce.type, protocol::ComputeEnvironmentType::kUnmanaged);
  EXPECT_EQ(ce.state, protocol::ResourceState::kDisabled);
  EXPECT_EQ(ce.provisioningModel, protocol::ProvisioningModel::kSpot);
  EXPECT_EQ(ce.minvCpus, 4u);
  EXPECT_EQ(ce.maxvCpus, 64u);
  EXPECT_EQ(ce.desiredvCpus, 8u);
  EXPECT_EQ(ce.selector, (protocol::Labels{{"capacity", "spot"}, {"rack", "r1"}}));
  EXPECT_FALSE(ce.preemptible);  // not given: not sent
  f.preemptible = true;
  req = BuildCreateComputeEnvironment(f);
  ASSERT_TRUE(req.ok()) << req.status().ToString();
  EXPECT_EQ(req->computeEnvironment.preemptible, true);
}

TEST(CreateComputeEnvironment, DefaultsAndEc2Alias) {
  ComputeEnvironmentFlags f;
  f.name = "od";
  f.provisioning_model = "EC2";
  auto req = BuildCreateComputeEnvironment(f);
  ASSERT_TRUE(req.ok());
  EXPECT_EQ(req->computeEnvironment.provisioningModel, protocol::ProvisioningModel::kOnDemand);
  EXPECT_EQ(req->computeEnvironment.maxvCpus, 256u);
  EXPECT_TRUE(req->computeEnvironment.selector.empty());
}

TEST(CreateComputeEnvironment, RejectsBadFlags) {
  ComputeEnvironmentFlags f;
  f.name = "bad name";
  EXPECT_EQ(BuildCreateComputeEnvironment(f).status().code(), StatusCode::kInvalidArgument);
  f.name = "ok";
  f.min_vcpus = 10;
  f.max_vcpus = 5;
  ExpectError(BuildCreateComputeEnvironment(f).status(), StatusCode::kInvalidArgument,
              "minvCpus (10) exceeds maxvCpus (5)");
  f = {};
  f.name = "ok";
  f.type = "FARGATE";
  ExpectError(BuildCreateComputeEnvironment(f).status(), StatusCode::kInvalidArgument,
              "--type must be one of MANAGED|UNMANAGED, got \"FARGATE\"");
  f.type = "MANAGED";
  f.selector = {"spot"};
  ExpectError(BuildCreateComputeEnvironment(f).status(), StatusCode::kInvalidArgument,
              "--selector: \"spot\" is not KEY=VALUE");
}

TEST(CreateJobQueue, ShortAndAwsForms) {
  JobQueueFlags f;
  f.name = "high";
  f.priority = 10;
  f.compute_environments = "spot,od";
  auto req = BuildCreateJobQueue(f);
  ASSERT_TRUE(req.ok()) << req.status().ToString();
  EXPECT_EQ(req->jobQueue.priority, 10u);
  EXPECT_EQ(req->jobQueue.computeEnvironmentOrder,
            (std::vector<ComputeEnvironmentOrder>{{1, "spot"}, {2, "od"}}));
  f.compute_environments.clear();
  f.compute_environment_order = {"order=5,computeEnvironment=od"};
  req = BuildCreateJobQueue(f);
  ASSERT_TRUE(req.ok());
  EXPECT_EQ(req->jobQueue.computeEnvironmentOrder, (std::vector<ComputeEnvironmentOrder>{{5, "od"}}));
  EXPECT_FALSE(req->jobQueue.preemptionRetries);
  f.preemption_retries = "12";
  req = BuildCreateJobQueue(f);
  ASSERT_TRUE(req.ok()) << req.status().ToString();
  EXPECT_EQ(req->jobQueue.preemptionRetries, 12u);
}

TEST(CreateJobQueue, RejectsBadFlags) {
  JobQueueFlags f;
  f.name = "q";
  f.priority = 1;
  ExpectError(BuildCreateJobQueue(f).status(), StatusCode::kInvalidArgument,
              "a job queue needs compute environments: --compute-environments ce1,ce2 or "
              "--compute-environment-order order=1,computeEnvironment=ce1");
  f.compute_environments = "a";
  f.compute_environment_order = {"order=1,computeEnvironment=a"};
  ExpectError(BuildCreateJobQueue(f).status(), StatusCode::kInvalidArgument,
              "give --compute-environment-order or --compute-environments, not both");
  f.compute_environment_order.clear();
  f.compute_environments = "a,a";
  ExpectError(BuildCreateJobQueue(f).status(), StatusCode::kInvalidArgument,
              "computeEnvironmentOrder names a twice");
  f.compute_environments = "a,b,c,d";
  EXPECT_EQ(BuildCreateJobQueue(f).status().code(), StatusCode::kInvalidArgument);
  f.compute_environments = "a";
  f.priority.reset();
  ExpectError(BuildCreateJobQueue(f).status(), StatusCode::kInvalidArgument, "--priority is required");
  f.priority = 1;
  f.preemption_retries = "101";
  ExpectError(BuildCreateJobQueue(f).status(), StatusCode::kInvalidArgument,
              "--preemption-retries must be a whole number from 0 to 100, got 101");
}

TEST(RegisterJobDefinition, FlagsOverrideJson) {
  JobDefinitionFlags f;
  f.cli_input_json = R"({"jobDefinitionName": "from-json", "containerProperties": {
      "command": ["json-cmd"], "vcpus": 2, "memory": 512,
      "environment": [{"name": "A", "value": "json"}, {"name": "B", "value": "json"}]}})";
  f.container_properties = R"({"memory": 1024})";
  f.name = "from-flag";
  f.vcpus = 4;
  f.disk_mib = 100;
  f.env = {"A=flag"};
  f.command = {"echo", "hi"};
  auto req = BuildRegisterJobDefinition(f);
  ASSERT_TRUE(req.ok()) << req.status().ToString();
  const auto& d = req->jobDefinition;
  EXPECT_EQ(d.jobDefinitionName, "from-flag");
  EXPECT_EQ(d.command, (std::vector<std::string>{"echo", "hi"}));
  EXPECT_EQ(d.resources, (protocol::Resources{4, 1024, 100}));
  EXPECT_EQ(d.environment, (protocol::Environment{{"A", "flag"}, {"B", "json"}}));
}

TEST(RegisterJobDefinition, JsonAlone) {
  JobDefinitionFlags f;
  f.cli_input_json = R"({"jobDefinitionName": "j", "containerProperties": {"command": ["true"]}})";
  auto req = BuildRegisterJobDefinition(f);
  ASSERT_TRUE(req.ok()) << req.status().ToString();
  EXPECT_EQ(req->jobDefinition.command, std::vector<std::string>{"true"});
}

TEST(RegisterJobDefinition, RejectsBadInput) {
  JobDefinitionFlags f;
  ExpectError(BuildRegisterJobDefinition(f).status(), StatusCode::kInvalidArgument,
              "a job definition needs a name: --job-definition-name NAME, or jobDefinitionName in "
              "--cli-input-json");
  f.name = "d";
  f.cli_input_json = R"({"containerProperties": {"command": "echo"}})";
  ExpectError(BuildRegisterJobDefinition(f).status(), StatusCode::kInvalidArgument,
              "--cli-input-json: containerProperties.command must be an array of strings");
  f.cli_input_json.clear();
  f.container_properties = R"({"vcpus": "2"})";
  ExpectError(BuildRegisterJobDefinition(f).status(), StatusCode::kInvalidArgument,
              "--container-properties.vcpus must be a number");
  f.container_properties = "not json";
  EXPECT_EQ(BuildRegisterJobDefinition(f).status().message().rfind("--container-properties is not valid JSON", 0),
            0u);
  f.container_properties.clear();
  f.vcpus = 0;
  ExpectError(BuildRegisterJobDefinition(f).status(), StatusCode::kInvalidArgument,
              "vcpus must be between 1 and 4096, got 0");
  f.vcpus.reset();
  f.type = "multinode";
  ExpectError(BuildRegisterJobDefinition(f).status(), StatusCode::kInvalidArgument,
              "--type must be container, got \"multinode\"");
  f.type.clear();
  f.env = {"AWS_BATCH_JOB_ID=x"};
  EXPECT_EQ(BuildRegisterJobDefinition(f).status().code(), StatusCode::kInvalidArgument);
}

TEST(SubmitJob, BuildsTheRequest) {
  SubmitJobFlags f;
  f.name = "train";
  f.queue = "high";
  f.vcpus = 2;
  f.env = {"MODE=fast"};
  f.command = {"python", "-c", "print(1)"};
  auto req = BuildSubmitJob(f, "tok");
  ASSERT_TRUE(req.ok()) << req.status().ToString();
  EXPECT_EQ(req->jobName, "train");
  EXPECT_EQ(req->jobQueue, "high");
  EXPECT_EQ(req->jobDefinition, "default");
  EXPECT_EQ(req->vcpus, 2u);
  EXPECT_FALSE(req->memoryMib.has_value());
  EXPECT_EQ(req->environment, (protocol::Environment{{"MODE", "fast"}}));
  EXPECT_EQ(req->command, (std::vector<std::string>{"python", "-c", "print(1)"}));
  EXPECT_EQ(req->clientToken, "tok");
  EXPECT_FALSE(req->preemptionRetries);  // not given: the queue's
  f.preemption_retries = "0";
  req = BuildSubmitJob(f, "tok");
  ASSERT_TRUE(req.ok()) << req.status().ToString();
  EXPECT_EQ(req->preemptionRetries, 0u);
}

TEST(SubmitJob, NoCommandMeansTheDefinitions) {
  SubmitJobFlags f;
  f.name = "n";
  f.queue = "q";
  f.definition = "sleeper:3";
  auto req = BuildSubmitJob(f, "tok");
  ASSERT_TRUE(req.ok());
  EXPECT_FALSE(req->command.has_value());
  EXPECT_EQ(req->jobDefinition, "sleeper:3");
}

TEST(SubmitJob, RejectsBadFlags) {
  SubmitJobFlags f;
  f.name = "has space";
  f.queue = "q";
  ExpectError(BuildSubmitJob(f, "t").status(), StatusCode::kInvalidArgument,
              "jobName \"has space\" may contain only letters, digits, '-' and '_'");
  f.name = "n";
  f.memory_mib = 1;
  ExpectError(BuildSubmitJob(f, "t").status(), StatusCode::kInvalidArgument,
              "memory must be between 4 and 67108864 MiB");
  f.memory_mib.reset();
  f.env = {"NOEQUALS"};
  ExpectError(BuildSubmitJob(f, "t").status(), StatusCode::kInvalidArgument,
              "--env: \"NOEQUALS\" is not KEY=VALUE");
  f.env.clear();
  f.preemption_retries = "-1";
  ExpectError(BuildSubmitJob(f, "t").status(), StatusCode::kInvalidArgument,
              "--preemption-retries must be a whole number from 0 to 100, got \"-1\"");
  f.preemption_retries = "4294967297";
  ExpectError(BuildSubmitJob(f, "t").status(), StatusCode::kInvalidArgument,
              "--preemption-retries must be a whole number from 0 to 100, got 4294967297");
}

TEST(ListJobs, BuildsTheRequest) {
  ListJobsFlags f;
  f.queue = "q";
  auto req = BuildListJobs(f);
  ASSERT_TRUE(req.ok());
  EXPECT_FALSE(req->jobStatus.has_value());
  EXPECT_FALSE(req->nextToken.has_value());
  f.status = "failed";
  f.max_results = 10;
  f.next_token = "abc";
  req = BuildListJobs(f);
  ASSERT_TRUE(req.ok());
  EXPECT_EQ(req->jobStatus, protocol::JobStatus::kFailed);
  EXPECT_EQ(req->maxResults, 10u);
  EXPECT_EQ(req->nextToken, "abc");
}

TEST(ListJobs, RejectsBadFlags) {
  ListJobsFlags f;
  f.queue = "q";
  f.status = "DONE";
  ExpectError(BuildListJobs(f).status(), StatusCode::kInvalidArgument,
              "--job-status must be one of SUBMITTED|PENDING|RUNNABLE|STARTING|RUNNING|SUCCEEDED|FAILED, "
              "got \"DONE\"");
  f.status.clear();
  f.max_results = 0;
  ExpectError(BuildListJobs(f).status(), StatusCode::kInvalidArgument, "maxResults must be between 1 and 1000");
}

TEST(RaftPeerFlags, BuildEachRequest) {
  RaftPeerFlags f;
  f.id = "4";
  f.address = "10.0.0.4:7420";
  auto add = BuildRaftAddVoter(f);
  ASSERT_TRUE(add.ok()) << add.status().ToString();
  EXPECT_EQ(add->id, 4u);
  EXPECT_EQ(add->address, "10.0.0.4:7420");
  EXPECT_EQ(BuildRaftRemovePeer(f)->id, 4u);
  EXPECT_EQ(BuildRaftTransferLeader(f)->id, 4u);
  EXPECT_EQ(BuildRaftTransferLeader(RaftPeerFlags{})->id, 0u);  // any voter
}

TEST(RaftPeerFlags, RejectsMissingZeroAndMalformedIds) {
  RaftPeerFlags f;
  f.address = "10.0.0.4:7420";
  ExpectError(BuildRaftAddVoter(f).status(), StatusCode::kInvalidArgument, "--id is required");
  ExpectError(BuildRaftRemovePeer(f).status(), StatusCode::kInvalidArgument, "--id is required");
  for (const char* bad : {"0", "-1", "+1", "1x", " 1", "18446744073709551616"}) {
    f.id = bad;
    for (const Status& s : {BuildRaftAddVoter(f).status(), BuildRaftRemovePeer(f).status(),
                            BuildRaftTransferLeader(f).status()}) {
      ExpectError(s, StatusCode::kInvalidArgument,
                  "--id must be a replica id > 0, got \"" + std::string(bad) + "\"");
    }
  }
}

TEST(RaftPeerFlags, AddressMustBeADottedQuadAndPort) {
  RaftPeerFlags f;
  f.id = "4";
  for (const char* ok : {"10.0.0.4:7420", "127.0.0.1:1", "255.255.255.255:65535"}) {
    f.address = ok;
    EXPECT_TRUE(BuildRaftAddVoter(f).ok()) << ok;
  }
  for (const char* bad : {"", "10.0.0.4", "10.0.0.4:", "10.0.0.4:0", "10.0.0.4:65536", "10.0.0.4:74x",
                          "10.0.0.4:+1", "10.0.0:7420", "10.0.0.256:7420", "node4:7420",
                          "tcp://10.0.0.4:7420", "[::1]:7420"}) {
    f.address = bad;
    auto r = BuildRaftAddVoter(f);
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument) << bad;
    EXPECT_EQ(r.status().message().rfind("--address \"" + std::string(bad) + "\": ", 0), 0u)
        << r.status().message();
  }
}

TEST(JsonArgument, LiteralFileAndMissingFile) {
  EXPECT_EQ(*ReadJsonArgument(R"({"a": 1})", "--x"), R"({"a": 1})");
  std::string path = testing::TempDir() + "/gantry_client_json_arg.json";
  {
    std::ofstream out(path);
    out << R"({"jobDefinitionName": "f"})";
  }
  EXPECT_EQ(*ReadJsonArgument(path, "--x"), R"({"jobDefinitionName": "f"})");
  EXPECT_EQ(*ReadJsonArgument("file://" + path, "--x"), R"({"jobDefinitionName": "f"})");
  std::remove(path.c_str());
  ExpectError(ReadJsonArgument("file:///nonexistent/x.json", "--cli-input-json").status(), StatusCode::kNotFound,
              "--cli-input-json: cannot read /nonexistent/x.json: No such file or directory");
}

}  // namespace
}  // namespace gantry::client
