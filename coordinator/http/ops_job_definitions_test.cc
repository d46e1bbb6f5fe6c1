#include "coordinator/http/ops_job_definitions.h"

#include <gtest/gtest.h>

#include "coordinator/http/ops_test_util.h"

namespace gantry::coordinator::http {
namespace {

using nlohmann::json;
using protocol::DescribeJobDefinitionsRequest;
using protocol::RegisterJobDefinitionRequest;

protocol::JobDefinition MakeDefinition(std::string name, uint32_t revision, std::string status = "ACTIVE") {
  protocol::JobDefinition d;
  d.jobDefinitionName = std::move(name);
  d.revision = revision;
  d.status = std::move(status);
  d.command = {"echo", "hi"};
  return d;
}

class JobDefinitionsTest : public OpsTest {
 protected:
  // "name:revision" of each definition in a DescribeJobDefinitions answer.
  static std::vector<std::string> Ids(const json& out) {
    std::vector<std::string> ids;
    for (const json& d : out["jobDefinitions"]) {
      ids.push_back(d["jobDefinitionName"].get<std::string>() + ":" + std::to_string(d["revision"].get<uint32_t>()));
    }
    return ids;
  }
};

TEST_F(JobDefinitionsTest, RegisterReadsTheAwsInput) {
  ReplyTo<RegisterJobDefinitionRequest>() = {"trainer", 4};
  Result<json> out = Run("registerjobdefinition", Body(R"({
    "jobDefinitionName": "trainer", "type": "container",
    "containerProperties": {"image": "busybox", "command": ["python", "train.py"],
      "resourceRequirements": [{"type": "VCPU", "value": "2"}, {"type": "MEMORY", "value": "4096"}],
      "environment": [{"name": "K", "value": "V"}]},
    "parameters": {"p": "v"}, "retryStrategy": {"attempts": 2}, "timeout": {"attemptDurationSeconds": 60},
    "schedulingPriority": 5, "propagateTags": true, "platformCapabilities": ["EC2"],
    "tags": {"team": "ml"}})"));
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_EQ(*out, (json{{"jobDefinitionName", "trainer"},
                        {"jobDefinitionArn", TestArn("job-definition/trainer:4")},
                        {"revision", 4}}));
  const protocol::JobDefinition& d = Sent<RegisterJobDefinitionRequest>().jobDefinition;
  EXPECT_EQ(d.jobDefinitionName, "trainer");
  EXPECT_EQ(d.command, (std::vector<std::string>{"python", "train.py"}));
  EXPECT_EQ(d.resources, (protocol::Resources{2, 4096, 0}));
  EXPECT_EQ(d.environment, (protocol::Environment{{"K", "V"}}));
  EXPECT_EQ(d.parameters, (protocol::Parameters{{"p", "v"}}));
  EXPECT_EQ(d.retryStrategy->attempts, 2u);
  EXPECT_EQ(d.timeout, (protocol::JobTimeout{60}));
  EXPECT_EQ(d.schedulingPriority, 5u);
  EXPECT_EQ(d.tags, (protocol::Tags{{"team", "ml"}}));
}

TEST_F(JobDefinitionsTest, RegisterRefusesMultiNodeAndBadProperties) {
  ExpectInvalid(Run("registerjobdefinition", {{"jobDefinitionName", "d"}, {"type", "multinode"}}),
                "multi-node job definitions are not supported");
  ExpectInvalid(Run("registerjobdefinition", {{"jobDefinitionName", "d"}, {"type", "batch"}}),
                "type must be \"container\"");
  ExpectInvalid(Run("registerjobdefinition", Body(R"({"jobDefinitionName": "d", "type": "container",
      "containerProperties": {"resourceRequirements": [{"type": "GPU", "value": "1"}]}})")),
                "containerProperties.resourceRequirements[0].type: unsupported resource type \"GPU\"");
  EXPECT_EQ(Calls<RegisterJobDefinitionRequest>(), 0);
}

TEST_F(JobDefinitionsTest, DeregisterTakesNameRevisionOrArn) {
  Result<json> out = Run("deregisterjobdefinition", {{"jobDefinition", TestArn("job-definition/trainer:4")}});
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(*out, json::object());
  EXPECT_EQ(Sent<protocol::DeregisterJobDefinitionRequest>().jobDefinition, "trainer:4");
  ASSERT_TRUE(Run("deregisterjobdefinition", {{"jobDefinition", "trainer:5"}}).ok());
  EXPECT_EQ(Sent<protocol::DeregisterJobDefinitionRequest>().jobDefinition, "trainer:5");
  ExpectInvalid(Run("deregisterjobdefinition", {{"jobDefinition", TestArn("job-definition/trainer")}}),
                "must be name:revision");
}

TEST_F(JobDefinitionsTest, DescribeRendersArnAndTags) {
  protocol::JobDefinition d = MakeDefinition("trainer", 4);
  d.tags = protocol::Tags{{"team", "ml"}};
  ReplyTo<DescribeJobDefinitionsRequest>().jobDefinitions = {d};
  Result<json> out = Run("describejobdefinitions", json::object());
  ASSERT_TRUE(out.ok());
  const json& detail = (*out)["jobDefinitions"].at(0);
  EXPECT_EQ(detail["jobDefinitionArn"], TestArn("job-definition/trainer:4"));
  EXPECT_EQ(detail["status"], "ACTIVE");
  EXPECT_EQ(detail["type"], "container");
  EXPECT_EQ(detail["containerProperties"]["command"], (json{"echo", "hi"}));
  EXPECT_EQ(detail["tags"], (json{{"team", "ml"}}));
  EXPECT_TRUE(Sent<DescribeJobDefinitionsRequest>().jobDefinitions.empty());
}

TEST_F(JobDefinitionsTest, DescribeFilters) {
  ReplyTo<DescribeJobDefinitionsRequest>().jobDefinitions = {MakeDefinition("b", 1), MakeDefinition("a", 2, "INACTIVE"),
                                                             MakeDefinition("a", 1), MakeDefinition("a", 10)};
  auto ids = [&](const json& body) {
    Result<json> out = Run("describejobdefinitions", body);
    EXPECT_TRUE(out.ok()) << out.status().ToString();
    return out.ok() ? Ids(*out) : std::vector<std::string>{};
  };
  using IdList = std::vector<std::string>;
  EXPECT_EQ(ids(json::object()), (IdList{"a:1", "a:2", "a:10", "b:1"}));
  EXPECT_EQ(ids({{"jobDefinitions", json::array({"a"})}}), (IdList{"a:1", "a:2", "a:10"}));
  EXPECT_EQ(ids({{"jobDefinitions", {"a:10", TestArn("job-definition/b:1"), "zzz", "a:3"}}}), (IdList{"a:10", "b:1"}));
  EXPECT_EQ(ids({{"jobDefinitionName", "a"}, {"status", "active"}}), (IdList{"a:1", "a:10"}));
  EXPECT_EQ(ids({{"status", "INACTIVE"}}), (IdList{"a:2"}));
  ExpectInvalid(Run("describejobdefinitions", {{"status", "GONE"}}), "status must be one of ACTIVE|INACTIVE");
  ExpectInvalid(Run("describejobdefinitions", {{"jobDefinitions", json::array({TestArn("job-queue/a")})}}),
                "jobDefinitions[0] \"");
}

TEST_F(JobDefinitionsTest, DescribePagesByNameThenRevisionAcrossADeregistration) {
  auto& all = ReplyTo<DescribeJobDefinitionsRequest>().jobDefinitions;
  all = {MakeDefinition("a", 10), MakeDefinition("a", 9), MakeDefinition("a-b", 1), MakeDefinition("b", 1)};
  Result<json> first = Run("describejobdefinitions", {{"maxResults", 2}});
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(Ids(*first), (std::vector<std::string>{"a:9", "a:10"}));
  all.erase(all.begin());  // a:10, the last one returned, is gone
  Result<json> second = Run("describejobdefinitions", {{"maxResults", 2}, {"nextToken", (*first)["nextToken"]}});
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(Ids(*second), (std::vector<std::string>{"a-b:1", "b:1"}));
  EXPECT_FALSE(second->contains("nextToken"));
}

TEST(JobDefinitionKey, OrdersByNameThenRevision) {
  protocol::JobDefinition a9 = MakeDefinition("a", 9);
  protocol::JobDefinition a10 = MakeDefinition("a", 10);
  protocol::JobDefinition ab = MakeDefinition("a-b", 1);
  EXPECT_LT(ops::JobDefinitionKey(a9), ops::JobDefinitionKey(a10));
  EXPECT_LT(ops::JobDefinitionKey(a10), ops::JobDefinitionKey(ab));
}

}  // namespace
}  // namespace gantry::coordinator::http
