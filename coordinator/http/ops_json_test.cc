#include "coordinator/http/ops_json.h"

#include <gtest/gtest.h>

namespace gantry::coordinator::http::ops {
namespace {

using nlohmann::json;
using protocol::ResourceKind;

Members Of(const json& j) {
  Result<Members> m = Members::Of(j);
  EXPECT_TRUE(m.ok()) << m.status().ToString();
  return std::move(m).value();
}

void ExpectError(const Status& s, const std::string& message) {
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(s.message(), message);
}

TEST(Members, TheBodyMustBeAnObject) {
  ExpectError(Members::Of(json::array()).status(), "the request body must be a JSON object");
  ExpectError(Members::Of(json("x"), "containerOverrides").status(), "containerOverrides must be a JSON object");
  EXPECT_TRUE(Members::Of(json()).ok());  // null: an empty body
}

TEST(Members, AbsentAndNullLeaveTheFieldAlone) {
  json body = {{"state", nullptr}};
  const Members m = Of(body);
  std::string state = "ENABLED";
  std::optional<uint32_t> priority;
  EXPECT_TRUE(m.Get("state", state).ok());
  EXPECT_TRUE(m.Get("priority", priority).ok());
  EXPECT_EQ(state, "ENABLED");
  EXPECT_FALSE(priority.has_value());
  ExpectError(m.Require("state", state), "state is required");
}

TEST(Members, ReadsEachType) {
  json body = {
      {"name", "x"},       {"n", 7}, {"flag", true}, {"list", {"a", "b"}}, {"map", {{"k", "v"}}}, {"status", "running"},
      {"other", "ignored"}};
  const Members m = Of(body);
  std::string name;
  std::optional<uint32_t> n;
  bool flag = false;
  std::vector<std::string> list;
  std::optional<protocol::Tags> map;
  protocol::JobStatus status = protocol::JobStatus::kSubmitted;
  ASSERT_TRUE(m.Require("name", name).ok());
  ASSERT_TRUE(m.Get("n", n).ok());
  ASSERT_TRUE(m.Get("flag", flag).ok());
  ASSERT_TRUE(m.Get("list", list).ok());
  ASSERT_TRUE(m.Get("map", map).ok());
  ASSERT_TRUE(m.Get("status", status).ok());
  EXPECT_EQ(name, "x");
  EXPECT_EQ(n, 7u);
  EXPECT_TRUE(flag);
  EXPECT_EQ(list, (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(map, (protocol::Tags{{"k", "v"}}));
  EXPECT_EQ(status, protocol::JobStatus::kRunning);
}

TEST(Members, WrongTypesNameTheMember) {
  json body = {{"s", 1},          {"n", -1},        {"f", "yes"}, {"l", json::array({1})},
               {"m", {{"k", 1}}}, {"e", "WALKING"}, {"u", "2"}};
  const Members m = Of(body);
  std::string s;
  uint32_t n = 0;
  bool f = false;
  std::vector<std::string> l;
  protocol::Tags map;
  protocol::ResourceState e = protocol::ResourceState::kEnabled;
  ExpectError(m.Get("s", s), "s must be a string");
  ExpectError(m.Get("n", n), "n must not be negative");
  ExpectError(m.Get("u", n), "u must be a number");
  ExpectError(m.Get("f", f), "f must be true or false");
  ExpectError(m.Get("l", l), "l must be an array of strings");
  ExpectError(m.Get("m", map), "m.k must be a string");
  ExpectError(m.Get("e", e), "e must be one of ENABLED|DISABLED, got \"WALKING\"");
}

TEST(Members, NestedMembersCarryTheirPath) {
  json body = {{"computeResources", {{"maxvCpus", "many"}}}, {"order", {{{"order", 1}}, {{"order", "x"}}}}};
  const Members m = Of(body);
  Result<std::optional<Members>> resources = m.Object("computeResources");
  ASSERT_TRUE(resources.ok() && resources->has_value());
  uint32_t max = 0;
  ExpectError((*resources)->Get("maxvCpus", max), "computeResources.maxvCpus must be a number");
  Result<std::vector<Members>> order = m.Objects("order");
  ASSERT_TRUE(order.ok());
  ASSERT_EQ(order->size(), 2u);
  ExpectError((*order)[1].Get("order", max), "order[1].order must be a number");
  ExpectError((*order)[0].Present("computeEnvironment"), "order[0].computeEnvironment is required");
}

TEST(Members, ObjectsAndArraysOfTheWrongShape) {
  json body = {{"o", 1}, {"a", {{{"x", 1}}, 2}}, {"b", "x"}};
  const Members m = Of(body);
  ExpectError(m.Object("o").status(), "o must be a JSON object");
  ExpectError(m.Objects("a").status(), "a[1] must be a JSON object");
  ExpectError(m.Objects("b").status(), "b must be an array of objects");
  Result<std::vector<Members>> none = m.Objects("absent");
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->empty());
}

TEST(Members, NamesMayBeArns) {
  json body = {{"q", "arn:aws:batch:us-west-2:123456789012:job-queue/high"},
               {"list", {"ce1", "arn:aws:batch:us-west-2:123456789012:compute-environment/ce2"}},
               {"wrong", json::array({"arn:aws:batch:us-west-2:123456789012:job-queue/high"})}};
  const Members m = Of(body);
  std::string q;
  ASSERT_TRUE(m.RequireName("q", ResourceKind::kJobQueue, q).ok());
  EXPECT_EQ(q, "high");
  std::vector<std::string> list;
  ASSERT_TRUE(m.GetNames("list", ResourceKind::kComputeEnvironment, list).ok());
  EXPECT_EQ(list, (std::vector<std::string>{"ce1", "ce2"}));
  Status s = m.GetNames("wrong", ResourceKind::kComputeEnvironment, list);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(s.message().rfind("wrong[0] \"arn:", 0), 0u) << s.message();
  ExpectError(m.RequireName("absent", ResourceKind::kJobQueue, q), "absent is required");
}

TEST(SetTags, OnlyWhenThereAreSome) {
  json j = json::object();
  SetTags(j, std::nullopt);
  SetTags(j, protocol::Tags{});
  EXPECT_FALSE(j.contains("tags"));
  SetTags(j, protocol::Tags{{"team", "ml"}});
  EXPECT_EQ(j["tags"], (json{{"team", "ml"}}));
}

}  // namespace
}  // namespace gantry::coordinator::http::ops
