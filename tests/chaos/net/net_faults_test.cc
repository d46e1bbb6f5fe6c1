// Bridge-level faults for real: nft rules in the switch namespace, checked
// by TCP connects and UDP datagrams between member namespaces. Skips unless
// root, `ip netns add` works and nft is installed.
#include <gtest/gtest.h>

#include "tests/chaos/net/faults.h"
#include "tests/chaos/net/net_test_util.h"
#include "tests/chaos/net/topology.h"

namespace gantry::chaos::net {
namespace {

using testing::Child;
using testing::HelperBinary;

constexpr const char* kPort = "7701";
// A blocked connect must not succeed within this; an open one takes ~1 ms.
constexpr int kBlockedMs = 400;

class NetFaultsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    static const std::string why = testing::WhyNoNetns() + testing::WhyNoNft();
    if (!why.empty()) GTEST_SKIP() << why;
  }

  void Build(const std::vector<std::string>& members, const std::vector<std::string>& listening) {
    auto a = topo_.Create(members);
    ASSERT_TRUE(a.ok()) << a.status().ToString();
    addrs_ = *a;
    for (const auto& m : listening) {
      listeners_[m] = std::make_unique<Child>(*topo_.RunIn(m, {HelperBinary(), "listen", addrs_[m], kPort}));
      ASSERT_EQ(listeners_[m]->ReadLine(), "ready");
    }
    faults_ = std::make_unique<NetFaults>(topo_);
  }

  // 0 connected, 1 timed out (dropped), 2 refused or failed.
  int Connect(const std::string& from, const std::string& to, int timeout_ms = 3000) {
    auto argv = topo_.RunIn(from, {HelperBinary(), "connect", addrs_[to], kPort, std::to_string(timeout_ms)});
    auto r = RunCommand(*argv);
    return r.ok() ? r->exit_code : -1;
  }
  bool Open(const std::string& from, const std::string& to) { return Connect(from, to) == 0; }
  bool Blocked(const std::string& from, const std::string& to) { return Connect(from, to, kBlockedMs) == 1; }

  // Sends n datagrams from `from` to `to`'s listener; returns how many
  // arrived, reading until `quiet` passes without one.
  int UdpDelivered(const std::string& from, const std::string& to, int n,
                   std::chrono::milliseconds quiet = std::chrono::milliseconds(300)) {
    auto r = RunCommand(*topo_.RunIn(from, {HelperBinary(), "udp-send", addrs_[to], kPort, std::to_string(n)}));
    EXPECT_TRUE(r.ok() && r->exit_code == 0);
    int got = 0;
    while (listeners_[to]->ReadLine(quiet).rfind("udp ", 0) == 0) ++got;
    return got;
  }

  Topology topo_;
  std::map<std::string, std::string> addrs_;
  std::map<std::string, std::unique_ptr<Child>> listeners_;
  std::unique_ptr<NetFaults> faults_;
};

TEST_F(NetFaultsTest, IsolateBlocksBothWaysAndHealRestores) {
  Build({"c1", "a1", "a2"}, {"c1", "a1"});
  ASSERT_TRUE(Open("a1", "c1"));
  auto f = faults_->Isolate("a1");
  ASSERT_TRUE(f.ok()) << f.status().ToString();
  EXPECT_TRUE(Blocked("a1", "c1"));
  EXPECT_TRUE(Blocked("c1", "a1"));
  EXPECT_TRUE(Open("a2", "c1"));  // others unaffected
  ASSERT_TRUE(faults_->Heal(*f).ok());
  EXPECT_TRUE(Open("a1", "c1"));
  EXPECT_TRUE(Open("c1", "a1"));
  EXPECT_EQ(faults_->Heal(*f).code(), StatusCode::kNotFound);
  auto h = faults_->History();
  ASSERT_EQ(h.size(), 1u);
  EXPECT_EQ(h[0].description, "isolate v-a1");
  EXPECT_GE(h[0].stop_ms, h[0].start_ms);
  EXPECT_EQ(faults_->Isolate("nobody").status().code(), StatusCode::kNotFound);
}

TEST_F(NetFaultsTest, HealRemovesOnlyThatFault) {
  Build({"c1", "a1", "a2"}, {"c1"});
  auto f1 = faults_->Isolate("a1");
  auto f2 = faults_->Isolate("a2");
  ASSERT_TRUE(f1.ok() && f2.ok());
  ASSERT_TRUE(faults_->Heal(*f1).ok());
  EXPECT_TRUE(Open("a1", "c1"));
  EXPECT_TRUE(Blocked("a2", "c1"));
  EXPECT_EQ(faults_->Active(), std::vector<FaultId>{*f2});
  ASSERT_TRUE(faults_->HealAll().ok());
  EXPECT_TRUE(Open("a2", "c1"));
  EXPECT_TRUE(faults_->Active().empty());
  EXPECT_TRUE(faults_->HealAll().ok());  // nothing active: still fine
}

TEST_F(NetFaultsTest, PartitionBlocksAcrossGroupsOnly) {
  // c1 (a "leader") alone against c2+c3; a1 is in neither group.
  Build({"c1", "c2", "c3", "a1"}, {"c1", "c3"});
  auto f = faults_->Partition({"c1"}, {"c2", "c3"});
  ASSERT_TRUE(f.ok()) << f.status().ToString();
  EXPECT_TRUE(Blocked("c2", "c1"));
  EXPECT_TRUE(Blocked("c1", "c3"));
  EXPECT_TRUE(Open("c2", "c3"));  // within a group
  EXPECT_TRUE(Open("a1", "c1"));  // outside both groups
  EXPECT_TRUE(Open("a1", "c3"));
  EXPECT_EQ(faults_->Partition({"c1"}, {"c1"}).status().code(), StatusCode::kInvalidArgument);
  ASSERT_TRUE(faults_->Heal(*f).ok());
  EXPECT_TRUE(Open("c2", "c1"));
}

TEST_F(NetFaultsTest, OneWayDropsOnlyTheChosenDirection) {
  Build({"c1", "a1"}, {"c1", "a1"});
  // Every fault also drops ARP; resolve both neighbours first, as an
  // established cluster would have, so unicast shows the direction.
  ASSERT_TRUE(Open("a1", "c1"));
  ASSERT_TRUE(Open("c1", "a1"));

  auto to = faults_->IsolateOneWay("a1", Direction::kToMember);
  ASSERT_TRUE(to.ok()) << to.status().ToString();
  EXPECT_EQ(UdpDelivered("a1", "c1", 5), 5);
  EXPECT_EQ(UdpDelivered("c1", "a1", 5), 0);
  ASSERT_TRUE(faults_->Heal(*to).ok());

  auto from = faults_->IsolateOneWay("a1", Direction::kFromMember);
  ASSERT_TRUE(from.ok());
  EXPECT_EQ(UdpDelivered("a1", "c1", 5), 0);
  EXPECT_EQ(UdpDelivered("c1", "a1", 5), 5);
  EXPECT_TRUE(Blocked("a1", "c1"));  // TCP needs both directions
}

TEST_F(NetFaultsTest, LossDropsAShareOfFrames) {
  Build({"c1", "a1"}, {"c1"});
  ASSERT_TRUE(Open("a1", "c1"));  // ARP resolved before the loss starts
  auto f = faults_->Loss("a1", 50);
  ASSERT_TRUE(f.ok()) << f.status().ToString();
  int got = UdpDelivered("a1", "c1", 200);
  // Binomial(200, 0.5): outside [40, 160] has probability < 1e-17.
  EXPECT_GE(got, 40);
  EXPECT_LE(got, 160);
  EXPECT_EQ(faults_->Loss("a1", 0).status().code(), StatusCode::kInvalidArgument);
  ASSERT_TRUE(faults_->HealAll().ok());
  EXPECT_EQ(UdpDelivered("a1", "c1", 50), 50);
}

TEST_F(NetFaultsTest, DestroyRemovesTheFaultTablesAndTheRootRulesetIsUntouched) {
  auto nft = FindTool("nft");
  ASSERT_TRUE(nft.ok());
  auto before = RunChecked({*nft, "list", "ruleset"});  // read-only, root namespace
  ASSERT_TRUE(before.ok());
  Build({"c1", "a1"}, {});
  ASSERT_TRUE(faults_->Isolate("a1").ok());
  const std::string sw = topo_.switch_namespace();
  auto table = RunChecked({topo_.ip_path(), "netns", "exec", sw, *nft, "list", "tables"});
  ASSERT_TRUE(table.ok());
  EXPECT_NE(table->find("table bridge gxchaos"), std::string::npos);
  EXPECT_EQ(RunChecked({*nft, "list", "ruleset"}).value(), *before);
  ASSERT_TRUE(topo_.Destroy().ok());
  EXPECT_TRUE(testing::NamespacesStartingWith(sw).empty());
  EXPECT_EQ(RunChecked({*nft, "list", "ruleset"}).value(), *before);
  // With the switch gone, fault calls fail cleanly.
  EXPECT_EQ(faults_->Isolate("a1").status().code(), StatusCode::kNotFound);
}

}  // namespace
}  // namespace gantry::chaos::net
