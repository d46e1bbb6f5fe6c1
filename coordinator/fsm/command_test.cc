#include "coordinator/fsm/command.h"

#include <gtest/gtest.h>

namespace gantry::coordinator {
namespace {

TEST(Command, RoundTripsThroughCodec) {
  Command c;
  c.type = CommandType::kApplyPlan;
  c.at = 123;
  c.plan = ApplyPlanCommand{{{"j", "n", "ce"}}};
  std::string bytes = EncodeCommand(c);
  auto back = DecodeCommand(bytes);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(back->type, CommandType::kApplyPlan);
  EXPECT_EQ(back->at, 123);
  ASSERT_TRUE(back->plan.has_value());
  EXPECT_EQ(back->plan->placements[0].nodeId, "n");
  EXPECT_EQ(back->plan->placements[0].computeEnvironment, "ce");
  EXPECT_EQ(EncodeCommand(*back), bytes);
}

TEST(Command, TagCommandsRoundTripThroughCodec) {
  protocol::TagResourceRequest tag_request;
  tag_request.resource.kind = protocol::ResourceKind::kJobDefinition;
  tag_request.resource.id = "d:3";
  tag_request.tags = {{"team", "ml"}, {"empty", ""}};
  Command tag{CommandType::kTagResource};
  tag.at = 7;
  tag.tagResource = tag_request;
  std::string bytes = EncodeCommand(tag);
  auto back = DecodeCommand(bytes);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(back->type, CommandType::kTagResource);
  ASSERT_TRUE(back->tagResource.has_value());
  EXPECT_EQ(back->tagResource->resource, tag.tagResource->resource);
  EXPECT_EQ(back->tagResource->tags, tag.tagResource->tags);
  EXPECT_EQ(EncodeCommand(*back), bytes);

  protocol::UntagResourceRequest untag_request;
  untag_request.resource.kind = protocol::ResourceKind::kJob;
  untag_request.resource.id = "j1:2";
  untag_request.tagKeys = {"team", "gone"};
  Command untag{CommandType::kUntagResource};
  untag.untagResource = untag_request;
  bytes = EncodeCommand(untag);
  back = DecodeCommand(bytes);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(back->type, CommandType::kUntagResource);
  ASSERT_TRUE(back->untagResource.has_value());
  EXPECT_EQ(back->untagResource->resource, untag.untagResource->resource);
  EXPECT_EQ(back->untagResource->tagKeys, (std::vector<std::string>{"team", "gone"}));
  EXPECT_EQ(EncodeCommand(*back), bytes);
  EXPECT_STREQ(protocol::EnumName(CommandType::kUntagResource), "UntagResource");
}

TEST(Command, TagCommandsCarryOnlyTheirOwnPayload) {
  Command c{CommandType::kTagResource};
  EXPECT_EQ(c.Validate().code(), StatusCode::kInvalidArgument);
  c.untagResource.emplace();
  EXPECT_EQ(c.Validate().code(), StatusCode::kInvalidArgument);
  c.type = CommandType::kUntagResource;
  EXPECT_TRUE(c.Validate().ok());
  c.tagResource.emplace();
  EXPECT_EQ(c.Validate().code(), StatusCode::kInvalidArgument);
}

TEST(Command, PayloadMustMatchType) {
  Command c;
  c.type = CommandType::kSubmitJob;
  c.plan = ApplyPlanCommand{};
  EXPECT_EQ(c.Validate().code(), StatusCode::kInvalidArgument);
  auto decoded = DecodeCommand(EncodeCommand(c));
  EXPECT_EQ(decoded.status().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace gantry::coordinator
