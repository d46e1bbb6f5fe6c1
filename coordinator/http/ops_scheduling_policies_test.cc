#include "coordinator/http/ops_scheduling_policies.h"

#include <gtest/gtest.h>

#include "coordinator/http/ops_test_util.h"

namespace gantry::coordinator::http {
namespace {

using nlohmann::json;
using protocol::DescribeSchedulingPoliciesRequest;
using protocol::UpdateSchedulingPolicyRequest;

protocol::SchedulingPolicy MakePolicy(std::string name) {
  protocol::SchedulingPolicy p;
  p.name = std::move(name);
  p.fairsharePolicy.shareDecaySeconds = 3600;
  p.fairsharePolicy.shareDistribution = {{"teamA", 0.5}};
  return p;
}

class SchedulingPoliciesTest : public OpsTest {};

TEST_F(SchedulingPoliciesTest, CreateReadsTheFairsharePolicy) {
  Result<json> out = Run("createschedulingpolicy", Body(R"({"name": "fair", "tags": {"team": "ml"},
      "fairsharePolicy": {"shareDecaySeconds": 3600, "computeReservation": 10,
                          "shareDistribution": [{"shareIdentifier": "teamA", "weightFactor": 0.5}]}})"));
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_EQ(*out, (json{{"name", "fair"}, {"arn", TestArn("scheduling-policy/fair")}}));
  const protocol::SchedulingPolicy& p = Sent<protocol::CreateSchedulingPolicyRequest>().schedulingPolicy;
  EXPECT_EQ(p.name, "fair");
  EXPECT_EQ(p.fairsharePolicy, (protocol::FairsharePolicy{3600, 10, {{"teamA", 0.5}}}));
  EXPECT_EQ(p.tags, (protocol::Tags{{"team", "ml"}}));
  ExpectInvalid(Run("createschedulingpolicy", Body(R"({"name": "p", "fairsharePolicy": {"shareDecaySeconds": "1h"}})")),
                "fairsharePolicy.shareDecaySeconds must be a number");
}

TEST_F(SchedulingPoliciesTest, DescribeAnswersTheKnownPolicies) {
  protocol::SchedulingPolicy fair = MakePolicy("fair");
  fair.tags = protocol::Tags{{"team", "ml"}};
  ReplyTo<DescribeSchedulingPoliciesRequest>().schedulingPolicies = {MakePolicy("other"), fair};
  Result<json> out = Run("describeschedulingpolicies", {{"arns", {TestArn("scheduling-policy/fair"), "missing"}}});
  ASSERT_TRUE(out.ok());
  ASSERT_EQ((*out)["schedulingPolicies"].size(), 1u);
  const json& p = (*out)["schedulingPolicies"][0];
  EXPECT_EQ(p["name"], "fair");
  EXPECT_EQ(p["arn"], TestArn("scheduling-policy/fair"));
  EXPECT_EQ(p["fairsharePolicy"]["shareDecaySeconds"], 3600);
  EXPECT_EQ(p["fairsharePolicy"]["shareDistribution"][0]["shareIdentifier"], "teamA");
  EXPECT_EQ(p["tags"], (json{{"team", "ml"}}));
  ExpectInvalid(Run("describeschedulingpolicies", {{"arns", json::array({TestArn("job/x")})}}),
                "is not a scheduling-policy ARN");
}

TEST_F(SchedulingPoliciesTest, ListPagesArns) {
  ReplyTo<DescribeSchedulingPoliciesRequest>().schedulingPolicies = {MakePolicy("c"), MakePolicy("a"), MakePolicy("b")};
  Result<json> first = Run("listschedulingpolicies", {{"maxResults", 2}});
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(
      (*first)["schedulingPolicies"],
      (json::array({json{{"arn", TestArn("scheduling-policy/a")}}, json{{"arn", TestArn("scheduling-policy/b")}}})));
  Result<json> second = Run("listschedulingpolicies", {{"maxResults", 2}, {"nextToken", (*first)["nextToken"]}});
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(*second, (json{{"schedulingPolicies", json::array({json{{"arn", TestArn("scheduling-policy/c")}}})}}));
  ExpectInvalid(Run("listschedulingpolicies", {{"nextToken", "%%"}}), "nextToken is not valid");
}

TEST_F(SchedulingPoliciesTest, UpdateReplacesTheFairsharePolicy) {
  Result<json> out =
      Run("updateschedulingpolicy", Body(R"({"arn": "arn:aws:batch:us-west-2:123456789012:scheduling-policy/fair",
      "fairsharePolicy": {"computeReservation": 5}})"));
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(*out, json::object());
  EXPECT_EQ(Sent<UpdateSchedulingPolicyRequest>().arn, "fair");
  EXPECT_EQ(Sent<UpdateSchedulingPolicyRequest>().fairsharePolicy.computeReservation, 5u);
}

TEST_F(SchedulingPoliciesTest, UpdateWithoutAPolicyOnlyChecksItExists) {
  ASSERT_TRUE(Run("updateschedulingpolicy", {{"arn", "fair"}}).ok());
  EXPECT_EQ(Calls<UpdateSchedulingPolicyRequest>(), 0);
  EXPECT_EQ(Sent<DescribeSchedulingPoliciesRequest>().arns, (std::vector<std::string>{"fair"}));
  backend.fail = Status::NotFound("scheduling policy gone not found");
  Result<json> gone = Run("updateschedulingpolicy", {{"arn", "gone"}});
  EXPECT_EQ(gone.status().code(), StatusCode::kNotFound);
}

TEST_F(SchedulingPoliciesTest, DeleteTakesAnArnOrAName) {
  Result<json> out = Run("deleteschedulingpolicy", {{"arn", TestArn("scheduling-policy/fair")}});
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(*out, json::object());
  EXPECT_EQ(Sent<protocol::DeleteSchedulingPolicyRequest>().arn, "fair");
}

}  // namespace
}  // namespace gantry::coordinator::http
