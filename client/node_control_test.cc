// What gantry node cordon | uncordon | drain | reclaim send, and what they
// print once accepted.
#include "client/node_control.h"

#include <gtest/gtest.h>

namespace gantry::client {
namespace {

using protocol::NodeAction;

void ExpectInvalid(const Status& s, const std::string& message) {
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument) << s.ToString();
  EXPECT_EQ(s.message(), message);
}

// 2026-12-05T01:00:00Z.
constexpr int64_t kNow = 1'796'432'400'000;

TEST(NodeControl, CordonAndUncordon) {
  auto cordon = BuildNodeControl(NodeAction::kCordon, {"node-3", std::nullopt, "disk swap"});
  ASSERT_TRUE(cordon.ok()) << cordon.status().ToString();
  EXPECT_EQ(cordon->nodeId, "node-3");
  EXPECT_EQ(cordon->action, NodeAction::kCordon);
  EXPECT_FALSE(cordon->deadlineSeconds);
  EXPECT_EQ(cordon->reason, "disk swap");
  auto uncordon = BuildNodeControl(NodeAction::kUncordon, {"node-3", std::nullopt, ""});
  ASSERT_TRUE(uncordon.ok()) << uncordon.status().ToString();
  EXPECT_EQ(uncordon->action, NodeAction::kUncordon);
  EXPECT_FALSE(uncordon->reason);  // empty is not sent
}

TEST(NodeControl, DrainTakesADeadlineAndReclaimAGrace) {
  auto drain = BuildNodeControl(NodeAction::kDrain, {"node-3", "600", "kernel upgrade"});
  ASSERT_TRUE(drain.ok()) << drain.status().ToString();
  EXPECT_EQ(drain->action, NodeAction::kDrain);
  EXPECT_EQ(drain->deadlineSeconds, 600u);
  EXPECT_EQ(drain->reason, "kernel upgrade");
  auto open_ended = BuildNodeControl(NodeAction::kDrain, {"node-3", std::nullopt, ""});
  ASSERT_TRUE(open_ended.ok());
  EXPECT_FALSE(open_ended->deadlineSeconds);
  auto reclaim = BuildNodeControl(NodeAction::kReclaim, {"node-3", "0", ""});
  ASSERT_TRUE(reclaim.ok()) << reclaim.status().ToString();
  EXPECT_EQ(reclaim->action, NodeAction::kReclaim);
  EXPECT_EQ(reclaim->deadlineSeconds, 0u);
  auto longest = BuildNodeControl(NodeAction::kReclaim, {"node-3", "604800", ""});
  ASSERT_TRUE(longest.ok()) << longest.status().ToString();
  EXPECT_EQ(longest->deadlineSeconds, protocol::kMaxControlDeadlineSeconds);
}

TEST(NodeControl, ErrorsNameTheArgumentOrFlag) {
  ExpectInvalid(BuildNodeControl(NodeAction::kDrain, {"", std::nullopt, ""}).status(),
                "NODE is required: gantry node drain NODE");
  ExpectInvalid(BuildNodeControl(NodeAction::kCordon, {"node 3", std::nullopt, ""}).status(),
                "NODE \"node 3\" may contain only letters, digits, '-' and '_'");
  ExpectInvalid(BuildNodeControl(NodeAction::kDrain, {"n", "ten", ""}).status(),
                "--deadline must be a whole number of seconds, got \"ten\"");
  ExpectInvalid(BuildNodeControl(NodeAction::kDrain, {"n", "-5", ""}).status(),
                "--deadline must be a whole number of seconds, got \"-5\"");
  ExpectInvalid(BuildNodeControl(NodeAction::kDrain, {"n", "", ""}).status(),
                "--deadline must be a whole number of seconds, got \"\"");
  ExpectInvalid(BuildNodeControl(NodeAction::kDrain, {"n", "1.5", ""}).status(),
                "--deadline must be a whole number of seconds, got \"1.5\"");
  ExpectInvalid(BuildNodeControl(NodeAction::kReclaim, {"n", "604801", ""}).status(),
                "--grace must be at most 604800 seconds (7 days), got 604801");
  ExpectInvalid(BuildNodeControl(NodeAction::kReclaim, {"n", "99999999999", ""}).status(),
                "--grace must be a whole number of seconds, got \"99999999999\"");
  ExpectInvalid(BuildNodeControl(NodeAction::kCordon, {"n", "60", ""}).status(),
                "a deadline is for drain (--deadline) and reclaim (--grace), not cordon");
  ExpectInvalid(BuildNodeControl(NodeAction::kUncordon, {"n", "60", ""}).status(),
                "a deadline is for drain (--deadline) and reclaim (--grace), not uncordon");
  ExpectInvalid(BuildNodeControl(NodeAction::kDrain, {"n", std::nullopt, std::string(513, 'x')}).status(),
                "--reason is longer than 512 bytes");
}

TEST(NodeControl, DoneTextSaysWhatHappensAndWhen) {
  protocol::NodeControlRequest req;
  req.nodeId = "node-3";
  req.action = NodeAction::kCordon;
  EXPECT_EQ(NodeControlDoneText(req, kNow), "node node-3 cordoned");
  req.action = NodeAction::kUncordon;
  EXPECT_EQ(NodeControlDoneText(req, kNow), "node node-3 uncordoned");
  req.action = NodeAction::kDrain;
  req.deadlineSeconds = 600;
  EXPECT_EQ(NodeControlDoneText(req, kNow + 250), "node node-3 draining; running jobs stopped at 2026-12-05T01:10:00Z");
  req.deadlineSeconds.reset();
  EXPECT_EQ(NodeControlDoneText(req, kNow), "node node-3 draining; running jobs run to their end (no deadline)");
  req.action = NodeAction::kReclaim;
  EXPECT_EQ(NodeControlDoneText(req, kNow), "node node-3 being reclaimed: jobs get SIGTERM now and SIGKILL in 120 s");
  req.deadlineSeconds = 30;
  EXPECT_EQ(NodeControlDoneText(req, kNow), "node node-3 being reclaimed: jobs get SIGTERM now and SIGKILL in 30 s");
}

TEST(NodeControl, DeadlineFlags) {
  EXPECT_STREQ(DeadlineFlag(NodeAction::kDrain), "--deadline");
  EXPECT_STREQ(DeadlineFlag(NodeAction::kReclaim), "--grace");
  EXPECT_EQ(DeadlineFlag(NodeAction::kCordon), nullptr);
  EXPECT_EQ(DeadlineFlag(NodeAction::kUncordon), nullptr);
}

}  // namespace
}  // namespace gantry::client
