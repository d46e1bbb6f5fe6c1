#include <gtest/gtest.h>

#include "coordinator/http/ops_test_util.h"

namespace gantry::coordinator::http {
namespace {

using nlohmann::json;
using protocol::ResourceKind;
using protocol::ResourceRef;

class TagsTest : public OpsTest {};

TEST_F(TagsTest, TagResourceSendsTheParsedArnAndTags) {
  Result<json> out =
      TagResource(TestArn("job-definition/trainer:3"), Body(R"({"tags": {"team": "ml", "env": ""}})"), ctx);
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_EQ(*out, json::object());
  const protocol::TagResourceRequest& req = Sent<protocol::TagResourceRequest>();
  EXPECT_EQ(req.resource, (ResourceRef{ResourceKind::kJobDefinition, "trainer:3"}));
  EXPECT_EQ(req.tags, (protocol::Tags{{"env", ""}, {"team", "ml"}}));
}

TEST_F(TagsTest, TagResourceNeedsSomeTags) {
  const std::string arn = TestArn("job-queue/q");
  ExpectInvalid(TagResource(arn, json::object(), ctx), "tags is required");
  ExpectInvalid(TagResource(arn, Body(R"({"tags": {}})"), ctx), "tags must hold at least one tag");
  ExpectInvalid(TagResource(arn, Body(R"({"tags": ["a"]})"), ctx), "tags must be a JSON object of strings");
  ExpectInvalid(TagResource(arn, Body(R"({"tags": {"a": 1}})"), ctx), "tags.a must be a string");
  EXPECT_EQ(Calls<protocol::TagResourceRequest>(), 0);
}

TEST_F(TagsTest, EveryOperationRefusesAForeignArn) {
  const char* arn = "arn:aws:sqs:us-west-2:123456789012:queue/q";
  ExpectInvalid(TagResource(arn, Body(R"({"tags": {"a": "b"}})"), ctx), "is not a valid AWS Batch ARN");
  ExpectInvalid(UntagResource(arn, {"a"}, ctx), "is not a valid AWS Batch ARN");
  ExpectInvalid(ListTagsForResource(arn, ctx), "is not a valid AWS Batch ARN");
}

TEST_F(TagsTest, UntagResourceSendsTheKeys) {
  Result<json> out = UntagResource(TestArn("compute-environment/ce"), {"team", "env"}, ctx);
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(*out, json::object());
  const protocol::UntagResourceRequest& req = Sent<protocol::UntagResourceRequest>();
  EXPECT_EQ(req.resource, (ResourceRef{ResourceKind::kComputeEnvironment, "ce"}));
  EXPECT_EQ(req.tagKeys, (std::vector<std::string>{"team", "env"}));
  ExpectInvalid(UntagResource(TestArn("compute-environment/ce"), {}, ctx), "tagKeys is required");
}

TEST_F(TagsTest, ListTagsAnswersAnObjectEvenWhenEmpty) {
  Result<json> none = ListTagsForResource(TestArn("job/abc"), ctx);
  ASSERT_TRUE(none.ok());
  EXPECT_EQ(*none, (json{{"tags", json::object()}}));
  EXPECT_EQ(Sent<protocol::ListTagsForResourceRequest>().resource, (ResourceRef{ResourceKind::kJob, "abc"}));

  ReplyTo<protocol::ListTagsForResourceRequest>().tags = {{"team", "ml"}};
  Result<json> some = ListTagsForResource(TestArn("scheduling-policy/fair"), ctx);
  ASSERT_TRUE(some.ok());
  EXPECT_EQ(*some, (json{{"tags", {{"team", "ml"}}}}));
}

TEST_F(TagsTest, BackendErrorsPassThrough) {
  backend.fail = Status::NotFound("job queue q not found");
  Result<json> out = ListTagsForResource(TestArn("job-queue/q"), ctx);
  EXPECT_EQ(out.status().code(), StatusCode::kNotFound);
  EXPECT_EQ(out.status().message(), "job queue q not found");
  EXPECT_EQ(TagResource(TestArn("job-queue/q"), Body(R"({"tags": {"a": "b"}})"), ctx).status().code(),
            StatusCode::kNotFound);
  EXPECT_EQ(UntagResource(TestArn("job-queue/q"), {"a"}, ctx).status().code(), StatusCode::kNotFound);
}

}  // namespace
}  // namespace gantry::coordinator::http
