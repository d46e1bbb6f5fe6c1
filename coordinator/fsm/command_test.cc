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
