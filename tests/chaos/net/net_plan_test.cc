// The pure half of the chaos network layer: names, ip scripts, nft scripts,
// and the command runner's error messages. No root needed.
#include <gtest/gtest.h>

#include "tests/chaos/net/command.h"
#include "tests/chaos/net/faults.h"
#include "tests/chaos/net/topology_plan.h"

namespace gantry::chaos::net {
namespace {

TEST(TopologyPlan, NamesFitInterfaceNamesAndRejectBadMembers) {
  EXPECT_TRUE(ValidateMemberName("a1").ok());
  EXPECT_TRUE(ValidateMemberName("abcdefghijklm").ok());  // 13: "v-" + 13 = IFNAMSIZ - 1
  EXPECT_EQ(PortName("abcdefghijklm").size(), 15u);
  EXPECT_EQ(ValidateMemberName("abcdefghijklmn").code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(ValidateMemberName("").code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(ValidateMemberName("sw-1").code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(ValidateMemberName("A1").code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(ValidateRunId("3f2a").code(), StatusCode::kOk);
  EXPECT_EQ(ValidateRunId("3g2a").code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(MemberNamespace("gx", "3f2a", "c1"), "gx3f2a-c1");
  EXPECT_EQ(SwitchNamespace("gx", "3f2a", 7), "gx3f2a-sw-7");
  EXPECT_EQ(MemberAddress(7, 0), "10.77.7.1");
  EXPECT_EQ(MemberAddress(7, 252), "10.77.7.253");
}

TEST(TopologyPlan, ParsesSwitchAndMemberNames) {
  auto sw = ParseNamespace("gx", "gx3f2a-sw-7");
  ASSERT_TRUE(sw.has_value());
  EXPECT_EQ(sw->run_id, "3f2a");
  EXPECT_TRUE(sw->is_switch);
  EXPECT_EQ(sw->subnet, 7);
  auto m = ParseNamespace("gx", "gx3f2a-a12");
  ASSERT_TRUE(m.has_value());
  EXPECT_EQ(m->run_id, "3f2a");
  EXPECT_FALSE(m->is_switch);
  EXPECT_EQ(m->member, "a12");
  EXPECT_FALSE(ParseNamespace("gx", "other-ns").has_value());
  EXPECT_FALSE(ParseNamespace("gx", "gx").has_value());
  // Hand-made setups ("gx-sw") belong to the empty run id: swept as dead.
  EXPECT_EQ(ParseNamespace("gx", "gx-sw")->run_id, "");
}

TEST(TopologyPlan, ChoosesTheSmallestSubnetNoSwitchUses) {
  EXPECT_EQ(*ChooseSubnet({}), 1);
  EXPECT_EQ(*ChooseSubnet({"gx1111-sw-1", "gx1111-a1", "gx2222-sw-2", "zz9-sw-4", "gx-sw"}), 3);
  std::vector<std::string> all;
  for (int k = 0; k <= 254; ++k) all.push_back("gx" + std::to_string(k) + "-sw-" + std::to_string(k));
  EXPECT_EQ(ChooseSubnet(all).status().code(), StatusCode::kUnavailable);
}

TEST(TopologyPlan, ScriptsBuildSwitchVethsAndAddresses) {
  auto s = PlanTopology("gx", "3f2a", 7, {"c1", "a1"});
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(s->root,
            "netns add gx3f2a-sw-7\n"
            "netns add gx3f2a-c1\n"
            "netns add gx3f2a-a1\n"
            "link add v-c1 netns gx3f2a-sw-7 type veth peer name eth0 netns gx3f2a-c1\n"
            "link add v-a1 netns gx3f2a-sw-7 type veth peer name eth0 netns gx3f2a-a1\n");
  EXPECT_EQ(s->bridge,
            "link set lo up\nlink add br0 type bridge\nlink set br0 up\n"
            "link set v-c1 master br0 up\nlink set v-a1 master br0 up\n");
  ASSERT_EQ(s->members.size(), 2u);
  EXPECT_EQ(s->members[1].first, "gx3f2a-a1");
  EXPECT_EQ(s->members[1].second, "link set lo up\naddr add 10.77.7.2/24 dev eth0\nlink set eth0 up\n");
  // No route is ever added: the /24 is on-link only.
  EXPECT_EQ(s->root.find("route"), std::string::npos);
  EXPECT_EQ(s->members[0].second.find("route"), std::string::npos);
}

TEST(TopologyPlan, RejectsDuplicateTooManyOrNoMembers) {
  EXPECT_EQ(PlanTopology("gx", "1", 1, {"a1", "a1"}).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(PlanTopology("gx", "1", 1, {}).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(PlanTopology("gx", "1", 0, {"a1"}).status().code(), StatusCode::kInvalidArgument);
  std::vector<std::string> many;
  for (int i = 0; i < 254; ++i) many.push_back("m" + std::to_string(i));
  EXPECT_EQ(PlanTopology("gx", "1", 1, many).status().code(), StatusCode::kInvalidArgument);
  many.pop_back();
  EXPECT_TRUE(PlanTopology("gx", "1", 1, many).ok());
}

constexpr const char* kHeader =
    "add table bridge gxchaos\n"
    "add chain bridge gxchaos f3 { type filter hook forward priority 0; policy accept; }\n";

TEST(FaultScript, IsolateDropsBothDirections) {
  auto s = FaultStartScript(3, {.kind = FaultKind::kIsolate, .ports = {"v-a1"}});
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(*s, std::string(kHeader) +
                    "add rule bridge gxchaos f3 iifname \"v-a1\" drop\n"
                    "add rule bridge gxchaos f3 oifname \"v-a1\" drop\n");
}

TEST(FaultScript, OneWayDropsOnlyTheChosenDirection) {
  auto to = FaultStartScript(3, {.kind = FaultKind::kIsolateOneWay, .ports = {"v-a1"}, .direction = Direction::kToMember});
  auto from =
      FaultStartScript(3, {.kind = FaultKind::kIsolateOneWay, .ports = {"v-a1"}, .direction = Direction::kFromMember});
  EXPECT_EQ(*to, std::string(kHeader) + "add rule bridge gxchaos f3 oifname \"v-a1\" drop\n");
  EXPECT_EQ(*from, std::string(kHeader) + "add rule bridge gxchaos f3 iifname \"v-a1\" drop\n");
}

TEST(FaultScript, PartitionDropsBetweenGroupsBothWays) {
  auto s = FaultStartScript(3, {.kind = FaultKind::kPartition, .ports = {"v-c1", "v-a1"}, .ports_b = {"v-c2"}});
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(*s, std::string(kHeader) +
                    "add rule bridge gxchaos f3 iifname { \"v-c1\", \"v-a1\" } oifname { \"v-c2\" } drop\n"
                    "add rule bridge gxchaos f3 iifname { \"v-c2\" } oifname { \"v-c1\", \"v-a1\" } drop\n");
}

TEST(FaultScript, LossDropsARandomShareEachWay) {
  auto s = FaultStartScript(3, {.kind = FaultKind::kLoss, .ports = {"v-a1"}, .loss_percent = 30});
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(*s, std::string(kHeader) +
                    "add rule bridge gxchaos f3 iifname \"v-a1\" numgen random mod 100 < 30 drop\n"
                    "add rule bridge gxchaos f3 oifname \"v-a1\" numgen random mod 100 < 30 drop\n");
}

TEST(FaultScript, HealDeletesExactlyOneChainAndHealAllTheTable) {
  EXPECT_EQ(FaultHealScript(3), "delete chain bridge gxchaos f3\n");
  EXPECT_EQ(HealAllScript(), "add table bridge gxchaos\ndelete table bridge gxchaos\n");
}

TEST(FaultScript, RejectsMalformedFaults) {
  auto code = [](int id, FaultSpec spec) { return FaultStartScript(id, spec).status().code(); };
  EXPECT_EQ(code(0, {.kind = FaultKind::kIsolate, .ports = {"v-a1"}}), StatusCode::kInvalidArgument);
  EXPECT_EQ(code(1, {.kind = FaultKind::kIsolate, .ports = {"v-a1", "v-a2"}}), StatusCode::kInvalidArgument);
  EXPECT_EQ(code(1, {.kind = FaultKind::kIsolate, .ports = {"v-a1\" accept; \""}}), StatusCode::kInvalidArgument);
  EXPECT_EQ(code(1, {.kind = FaultKind::kPartition, .ports = {"v-a1"}}), StatusCode::kInvalidArgument);
  EXPECT_EQ(code(1, {.kind = FaultKind::kPartition, .ports = {"v-a1"}, .ports_b = {"v-a2", "v-a1"}}),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(code(1, {.kind = FaultKind::kLoss, .ports = {"v-a1"}, .loss_percent = 0}), StatusCode::kInvalidArgument);
  EXPECT_EQ(code(1, {.kind = FaultKind::kLoss, .ports = {"v-a1"}, .loss_percent = 101}), StatusCode::kInvalidArgument);
  EXPECT_EQ(DescribeFault({.kind = FaultKind::kPartition, .ports = {"v-c1", "v-a1"}, .ports_b = {"v-c2"}}),
            "partition {v-c1,v-a1} | {v-c2}");
}

TEST(Command, ReturnsOutputAndFeedsStdin) {
  auto r = RunCommand({"cat"}, "hello\n");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->exit_code, 0);
  EXPECT_EQ(r->out, "hello\n");
  // A child that exits without reading its input must not kill us (SIGPIPE).
  auto t = RunCommand({"true"}, std::string(1 << 20, 'x'));
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t->exit_code, 0);
}

TEST(Command, ErrorNamesTheCommandItsStderrAndTheBatchLine) {
  auto ip = FindTool("ip");
  if (!ip.ok()) GTEST_SKIP() << ip.status().ToString();
  // Read-only commands in our own namespace: nothing is changed.
  auto r = RunChecked({*ip, "-batch", "-"}, "link show dev lo\nlink show dev gxnosuch0\n");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInternal);
  const std::string m = r.status().message();
  EXPECT_NE(m.find(*ip + " -batch - failed (exit 1)"), std::string::npos) << m;
  EXPECT_NE(m.find("gxnosuch0"), std::string::npos) << m;
  EXPECT_NE(m.find("[line 2: link show dev gxnosuch0]"), std::string::npos) << m;
}

TEST(Command, MissingProgramAndTimeoutAreReported) {
  auto r = RunChecked({"/nonexistent/gx-tool"});
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("/nonexistent/gx-tool failed (exit 127)"), std::string::npos);
  auto slow = RunCommand({"sleep", "5"}, "", std::chrono::milliseconds(100));
  ASSERT_FALSE(slow.ok());
  EXPECT_NE(slow.status().message().find("timed out"), std::string::npos);
  EXPECT_EQ(FindTool("gx-no-such-tool").status().code(), StatusCode::kNotFound);
}

}  // namespace
}  // namespace gantry::chaos::net
