#include "coordinator/http/ops_compute_environments.h"

#include <gtest/gtest.h>

#include "coordinator/http/ops_test_util.h"

namespace gantry::coordinator::http {
namespace {

using nlohmann::json;
using protocol::ComputeEnvironmentType;
using protocol::CreateComputeEnvironmentRequest;
using protocol::DescribeComputeEnvironmentsRequest;
using protocol::ResourceState;
using protocol::UpdateComputeEnvironmentRequest;

protocol::ComputeEnvironmentView MakeView(std::string name) {
  protocol::ComputeEnvironmentView view;
  view.computeEnvironment.computeEnvironmentName = std::move(name);
  view.computeEnvironment.maxvCpus = 64;
  return view;
}

class ComputeEnvironmentsTest : public OpsTest {
 protected:
  // The environment names in a DescribeComputeEnvironments answer.
  std::vector<std::string> Names(const json& out) {
    std::vector<std::string> names;
    for (const json& ce : out["computeEnvironments"]) names.push_back(ce["computeEnvironmentName"]);
    return names;
  }
};

TEST_F(ComputeEnvironmentsTest, CreateManaged) {
  Result<json> out = Run("createcomputeenvironment", Body(R"({
    "computeEnvironmentName": "gpu-spot", "type": "managed", "state": "DISABLED",
    "computeResources": {"type": "SPOT", "minvCpus": 0, "maxvCpus": 256, "desiredvCpus": 16,
                         "subnets": ["subnet-1"], "instanceTypes": ["optimal"],
                         "tags": {"pool": "batch", "zone": "a"}},
    "serviceRole": "arn:aws:iam::123456789012:role/x", "tags": {"team": "ml"}})"));
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_EQ(*out, (json{{"computeEnvironmentName", "gpu-spot"},
                        {"computeEnvironmentArn", TestArn("compute-environment/gpu-spot")}}));
  const protocol::ComputeEnvironment& ce = Sent<CreateComputeEnvironmentRequest>().computeEnvironment;
  EXPECT_EQ(ce.computeEnvironmentName, "gpu-spot");
  EXPECT_EQ(ce.type, ComputeEnvironmentType::kManaged);
  EXPECT_EQ(ce.state, ResourceState::kDisabled);
  EXPECT_EQ(ce.provisioningModel, protocol::ProvisioningModel::kSpot);
  EXPECT_EQ(ce.minvCpus, 0u);
  EXPECT_EQ(ce.maxvCpus, 256u);
  EXPECT_EQ(ce.desiredvCpus, 16u);
  EXPECT_EQ(ce.selector, (protocol::Labels{{"pool", "batch"}, {"zone", "a"}}));
  EXPECT_EQ(ce.tags, (protocol::Tags{{"team", "ml"}}));
}

TEST_F(ComputeEnvironmentsTest, CreateUnmanagedTakesUnmanagedvCpus) {
  ASSERT_TRUE(Run("createcomputeenvironment", Body(R"({"computeEnvironmentName": "metal", "type": "UNMANAGED",
                                                      "unmanagedvCpus": 96})"))
                  .ok());
  const protocol::ComputeEnvironment& ce = Sent<CreateComputeEnvironmentRequest>().computeEnvironment;
  EXPECT_EQ(ce.type, ComputeEnvironmentType::kUnmanaged);
  EXPECT_EQ(ce.state, ResourceState::kEnabled);
  EXPECT_EQ(ce.provisioningModel, protocol::ProvisioningModel::kOnDemand);
  EXPECT_EQ(ce.maxvCpus, 96u);
  EXPECT_TRUE(ce.selector.empty());
  EXPECT_FALSE(ce.tags.has_value());
}

TEST_F(ComputeEnvironmentsTest, CreateRefusesWhatGantryCannotRun) {
  for (const char* type : {"FARGATE", "fargate_spot"}) {
    json body = {{"computeEnvironmentName", "f"}, {"type", "MANAGED"}, {"computeResources", {{"type", type}}}};
    ExpectInvalid(Run("createcomputeenvironment", body), "is not supported");
  }
  ExpectInvalid(Run("createcomputeenvironment", Body(R"({"computeEnvironmentName": "f", "type": "MANAGED",
                                                         "computeResources": {"type": "EC3"}})")),
                "computeResources.type must be one of EC2|SPOT");
  ExpectInvalid(Run("createcomputeenvironment", Body(R"({"computeEnvironmentName": "f", "type": "MANAGED",
                                                         "unmanagedvCpus": 4})")),
                "unmanagedvCpus is only for UNMANAGED compute environments");
  ExpectInvalid(Run("createcomputeenvironment", Body(R"({"computeEnvironmentName": "f", "type": "SHARED"})")),
                "type must be one of MANAGED|UNMANAGED");
  ExpectInvalid(Run("createcomputeenvironment", Body(R"({"computeEnvironmentName": "f", "type": "MANAGED",
                                                         "computeResources": {"tags": ["a"]}})")),
                "computeResources.tags must be a JSON object of strings");
  EXPECT_EQ(Calls<CreateComputeEnvironmentRequest>(), 0);
}

TEST_F(ComputeEnvironmentsTest, UpdateSendsOnlyWhatIsGiven) {
  Result<json> out = Run("updatecomputeenvironment",
                         {{"computeEnvironment", TestArn("compute-environment/metal")}, {"state", "DISABLED"}});
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(*out, (json{{"computeEnvironmentName", "metal"},
                        {"computeEnvironmentArn", TestArn("compute-environment/metal")}}));
  const UpdateComputeEnvironmentRequest& req = Sent<UpdateComputeEnvironmentRequest>();
  EXPECT_EQ(req.computeEnvironment, "metal");
  EXPECT_EQ(req.state, ResourceState::kDisabled);
  EXPECT_FALSE(req.minvCpus || req.maxvCpus || req.desiredvCpus);

  ASSERT_TRUE(Run("updatecomputeenvironment", Body(R"({"computeEnvironment": "metal",
      "computeResources": {"minvCpus": 1, "maxvCpus": 8, "desiredvCpus": 2}})"))
                  .ok());
  EXPECT_EQ(Sent<UpdateComputeEnvironmentRequest>().minvCpus, 1u);
  EXPECT_EQ(Sent<UpdateComputeEnvironmentRequest>().maxvCpus, 8u);
  EXPECT_EQ(Sent<UpdateComputeEnvironmentRequest>().desiredvCpus, 2u);
  EXPECT_FALSE(Sent<UpdateComputeEnvironmentRequest>().state.has_value());

  ASSERT_TRUE(Run("updatecomputeenvironment", {{"computeEnvironment", "metal"}, {"unmanagedvCpus", 48}}).ok());
  EXPECT_EQ(Sent<UpdateComputeEnvironmentRequest>().maxvCpus, 48u);
}

TEST_F(ComputeEnvironmentsTest, DeleteTakesANameOrAnArn) {
  Result<json> out = Run("deletecomputeenvironment", {{"computeEnvironment", TestArn("compute-environment/old")}});
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(*out, json::object());
  EXPECT_EQ(Sent<protocol::DeleteComputeEnvironmentRequest>().computeEnvironment, "old");
  ExpectInvalid(Run("deletecomputeenvironment", {{"computeEnvironment", TestArn("job-queue/old")}}),
                "is not a compute-environment ARN");
}

TEST_F(ComputeEnvironmentsTest, DescribeRendersAwsDetail) {
  protocol::ComputeEnvironmentView view = MakeView("metal");
  view.computeEnvironment.type = ComputeEnvironmentType::kUnmanaged;
  view.computeEnvironment.selector = {{"pool", "batch"}};
  view.computeEnvironment.tags = protocol::Tags{{"team", "ml"}};
  view.usedvCpus = 3;
  ReplyTo<DescribeComputeEnvironmentsRequest>().computeEnvironments = {view};
  Result<json> out = Run("describecomputeenvironments", json::object());
  ASSERT_TRUE(out.ok());
  const json& ce = (*out)["computeEnvironments"].at(0);
  EXPECT_EQ(ce["computeEnvironmentName"], "metal");
  EXPECT_EQ(ce["computeEnvironmentArn"], TestArn("compute-environment/metal"));
  EXPECT_EQ(ce["type"], "UNMANAGED");
  EXPECT_EQ(ce["state"], "ENABLED");
  EXPECT_EQ(ce["status"], "VALID");
  EXPECT_EQ(ce["unmanagedvCpus"], 64);
  EXPECT_EQ(ce["computeResources"]["maxvCpus"], 64);
  EXPECT_EQ(ce["computeResources"]["tags"], (json{{"pool", "batch"}}));
  EXPECT_EQ(ce["tags"], (json{{"team", "ml"}}));
  EXPECT_EQ(ce["usedvCpus"], 3);
  EXPECT_FALSE(out->contains("nextToken"));
}

TEST_F(ComputeEnvironmentsTest, DescribeSelectsNamesAndArnsAndLeavesOutUnknownOnes) {
  ReplyTo<DescribeComputeEnvironmentsRequest>().computeEnvironments = {MakeView("b"), MakeView("a"), MakeView("c")};
  Result<json> out =
      Run("describecomputeenvironments", {{"computeEnvironments", {"c", TestArn("compute-environment/a"), "missing"}}});
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(Names(*out), (std::vector<std::string>{"a", "c"}));
  // The backend is asked for every environment: it fails on unknown names.
  EXPECT_TRUE(Sent<DescribeComputeEnvironmentsRequest>().computeEnvironments.empty());
}

TEST_F(ComputeEnvironmentsTest, DescribePagesAdvanceWhileEnvironmentsAreDeleted) {
  auto& all = ReplyTo<DescribeComputeEnvironmentsRequest>().computeEnvironments;
  all = {MakeView("d"), MakeView("b"), MakeView("c"), MakeView("a")};
  Result<json> first = Run("describecomputeenvironments", {{"maxResults", 2}});
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(Names(*first), (std::vector<std::string>{"a", "b"}));
  ASSERT_TRUE(first->contains("nextToken"));

  all.erase(all.begin() + 1);  // "b", the last one returned, is deleted
  Result<json> second = Run("describecomputeenvironments", {{"maxResults", 2}, {"nextToken", (*first)["nextToken"]}});
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(Names(*second), (std::vector<std::string>{"c", "d"}));
  EXPECT_FALSE(second->contains("nextToken"));

  ExpectInvalid(Run("describecomputeenvironments", {{"nextToken", "garbage"}}), "nextToken is not valid");
  ExpectInvalid(Run("describecomputeenvironments", {{"maxResults", 101}}), "maxResults must be between 1 and 100");
}

}  // namespace
}  // namespace gantry::coordinator::http
