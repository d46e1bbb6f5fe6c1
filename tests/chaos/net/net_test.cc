// The chaos topology for real: namespaces, a bridge, veths, and processes
// reaching each other across it. Skips unless root and `ip netns add` works.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>

#include "tests/chaos/net/delay_proxy.h"
#include "tests/chaos/net/netns_ops.h"
#include "tests/chaos/net/net_test_util.h"
#include "tests/chaos/net/topology.h"

namespace gantry::chaos::net {
namespace {

using testing::Child;
using testing::HelperBinary;
using testing::NamespacesStartingWith;

constexpr const char* kPort = "7700";

class NetTopologyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    static const std::string why = testing::WhyNoNetns();
    if (!why.empty()) GTEST_SKIP() << why;
  }
};

// Exit code of the helper's "connect" run inside `from`: 0 connected, 1
// timed out, 2 refused or failed.
int ConnectFrom(const Topology& topo, const std::string& from, const std::string& address, int timeout_ms = 3000) {
  auto argv = topo.RunIn(from, {HelperBinary(), "connect", address, kPort, std::to_string(timeout_ms)});
  if (!argv.ok()) return -1;
  auto r = RunCommand(*argv);
  return r.ok() ? r->exit_code : -1;
}

std::string RunLockPath(const Topology& topo) { return std::string(kLockDir) + "/gx" + topo.run_id() + ".lock"; }

TEST_F(NetTopologyTest, CreateWiresMembersAndDestroyLeavesNothing) {
  Topology topo;
  auto addrs = topo.Create({"c1", "a1", "a2"});
  ASSERT_TRUE(addrs.ok()) << addrs.status().ToString();
  const std::string k = std::to_string(topo.subnet());
  EXPECT_EQ((*addrs)["c1"], "10.77." + k + ".1");
  EXPECT_EQ((*addrs)["a2"], "10.77." + k + ".3");
  const std::string run_prefix = "gx" + topo.run_id() + "-";
  EXPECT_EQ(NamespacesStartingWith(run_prefix).size(), 4u);
  EXPECT_EQ(::access(RunLockPath(topo).c_str(), F_OK), 0);

  auto argv = topo.RunIn("a1", {"true"});
  ASSERT_TRUE(argv.ok());
  EXPECT_EQ(*argv, (std::vector<std::string>{topo.ip_path(), "netns", "exec", run_prefix + "a1", "true"}));
  EXPECT_EQ(topo.RunIn("zz", {"true"}).status().code(), StatusCode::kNotFound);
  auto routes = RunChecked({topo.ip_path(), "-n", run_prefix + "a1", "route", "show", "default"});
  ASSERT_TRUE(routes.ok());
  EXPECT_EQ(*routes, "") << "a member must have no default route";

  Child listener(*topo.RunIn("c1", {HelperBinary(), "listen", (*addrs)["c1"], kPort}));
  ASSERT_EQ(listener.ReadLine(), "ready");
  EXPECT_EQ(ConnectFrom(topo, "a1", (*addrs)["c1"]), 0);
  EXPECT_EQ(ConnectFrom(topo, "a2", (*addrs)["c1"]), 0);
  // The root namespace has no route to the made-up subnet.
  auto root = RunCommand({HelperBinary(), "connect", (*addrs)["c1"], kPort, "300"});
  ASSERT_TRUE(root.ok());
  EXPECT_NE(root->exit_code, 0);

  ASSERT_TRUE(topo.Destroy().ok());
  int status = listener.Wait();  // a process left inside is killed
  EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
  EXPECT_TRUE(NamespacesStartingWith(run_prefix).empty());
  auto links = RunChecked({topo.ip_path(), "-o", "link", "show"});
  ASSERT_TRUE(links.ok());
  EXPECT_EQ(links->find(" v-"), std::string::npos) << *links;
  EXPECT_NE(::access(RunLockPath(topo).c_str(), F_OK), 0);
  EXPECT_TRUE(topo.Destroy().ok());  // idempotent
}

TEST_F(NetTopologyTest, ConflictsAndConcurrentRunsGetTheirOwnSubnet) {
  Topology a, b;
  ASSERT_TRUE(a.Create({"c1"}).ok());
  ASSERT_TRUE(b.Create({"c1"}).ok());
  EXPECT_NE(a.subnet(), b.subnet());
  EXPECT_NE(a.run_id(), b.run_id());
  EXPECT_EQ(a.Create({"c2"}).status().code(), StatusCode::kConflict);
  Topology same_id(TopologyOptions{.run_id = a.run_id()});
  EXPECT_EQ(same_id.Create({"c9"}).status().code(), StatusCode::kConflict);
  Topology bad;
  EXPECT_EQ(bad.Create({"c1", "C2"}).status().code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(a.Destroy().ok());
  EXPECT_TRUE(b.Destroy().ok());
}

// Starts `own-topology` and returns its namespaces once it says "ready".
std::vector<std::string> StartOwner(Child& owner) {
  std::vector<std::string> names;
  for (std::string line = owner.ReadLine(); !line.empty() && line != "ready"; line = owner.ReadLine()) {
    names.push_back(line);
  }
  return names;
}

bool AnyExists(const std::vector<std::string>& names) {
  auto all = ListNamespaces();
  if (!all.ok()) return false;
  for (const auto& n : names) {
    for (const auto& e : *all) {
      if (e == n) return true;
    }
  }
  return false;
}

TEST_F(NetTopologyTest, SigtermToTheOwnerDestroysItsTopology) {
  Child owner({HelperBinary(), "own-topology", "x1", "x2"});
  auto names = StartOwner(owner);
  ASSERT_EQ(names.size(), 3u);
  ASSERT_TRUE(AnyExists(names));
  ::kill(owner.pid(), SIGTERM);
  int status = owner.Wait();
  EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGTERM) << "status " << status;
  EXPECT_FALSE(AnyExists(names));
}

TEST_F(NetTopologyTest, SweepRemovesDeadRunsAndKeepsLiveOnes) {
  Topology live;
  ASSERT_TRUE(live.Create({"c1"}).ok());
  Child owner({HelperBinary(), "own-topology", "y1", "y2"});
  auto dead = StartOwner(owner);
  ASSERT_EQ(dead.size(), 3u);
  ::kill(owner.pid(), SIGKILL);  // no cleanup runs: the namespaces stay
  owner.Wait();
  ASSERT_TRUE(AnyExists(dead));

  auto swept = Topology::SweepLeftovers();
  ASSERT_TRUE(swept.ok()) << swept.status().ToString();
  EXPECT_GE(*swept, 3);
  EXPECT_FALSE(AnyExists(dead));
  EXPECT_EQ(NamespacesStartingWith("gx" + live.run_id() + "-").size(), 2u);
  EXPECT_TRUE(live.Destroy().ok());
}

TEST_F(NetTopologyTest, DelayProxyInsideAMemberForwardsAcrossTheBridge) {
  Topology topo;
  auto addrs = topo.Create({"c1", "a1"});
  ASSERT_TRUE(addrs.ok()) << addrs.status().ToString();
  Child listener(*topo.RunIn("c1", {HelperBinary(), "listen", (*addrs)["c1"], kPort}));
  ASSERT_EQ(listener.ReadLine(), "ready");
  auto proxy = DelayProxy::Start({.target_host = (*addrs)["c1"],
                                  .target_port = 7700,
                                  .netns = *topo.NamespaceOf("a1"),
                                  .to_client = std::chrono::milliseconds(50)});
  ASSERT_TRUE(proxy.ok()) << proxy.status().ToString();
  auto argv = topo.RunIn("a1", {HelperBinary(), "connect", "127.0.0.1", std::to_string((*proxy)->port()), "3000"});
  auto t0 = std::chrono::steady_clock::now();
  auto r = RunCommand(*argv);
  ASSERT_TRUE(r.ok());
  // c1 answers "ok" on accept, so the delay that shows is the one back.
  EXPECT_EQ(r->exit_code, 0);
  EXPECT_GE(std::chrono::steady_clock::now() - t0, std::chrono::milliseconds(50));
  // From the root namespace the proxy's 127.0.0.1 port does not exist.
  auto root = RunCommand({HelperBinary(), "connect", "127.0.0.1", std::to_string((*proxy)->port()), "300"});
  EXPECT_NE(root->exit_code, 0);
  (*proxy)->Stop();  // before Destroy: its sockets pin the namespace
  EXPECT_TRUE(topo.Destroy().ok());
}

TEST_F(NetTopologyTest, TenMemberCreateAndDestroyTimes) {
  std::vector<std::string> members = {"c1", "c2", "c3", "a1", "a2", "a3", "a4", "a5", "a6", "a7"};
  Topology topo;
  auto t0 = std::chrono::steady_clock::now();
  ASSERT_TRUE(topo.Create(members).ok());
  auto t1 = std::chrono::steady_clock::now();
  ASSERT_TRUE(topo.Destroy().ok());
  auto t2 = std::chrono::steady_clock::now();
  auto ms = [](auto d) { return std::chrono::duration_cast<std::chrono::milliseconds>(d).count(); };
  std::printf("10-member topology: create %lld ms, destroy %lld ms\n", static_cast<long long>(ms(t1 - t0)),
              static_cast<long long>(ms(t2 - t1)));
  RecordProperty("create_ms", static_cast<int>(ms(t1 - t0)));
  RecordProperty("destroy_ms", static_cast<int>(ms(t2 - t1)));
  EXPECT_TRUE(NamespacesStartingWith("gx" + topo.run_id() + "-").empty());
}

}  // namespace
}  // namespace gantry::chaos::net
