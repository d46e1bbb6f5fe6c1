#include "tests/chaos/run/host_faults.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include <gtest/gtest.h>

#include "node/attempt_cgroup.h"
#include "node/cgroup_hierarchy.h"

namespace gantry::chaos {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

class HostFaultsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/host-faults-test-XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override {
    for (const auto& m : mounted_) ::umount2(m.c_str(), MNT_DETACH);
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }
  HostFaultsOptions Options(int agents = 3) {
    HostFaultsOptions o{.seed = 4, .replicas = 3, .agents = agents, .dir = dir_};
    for (int i = 0; i < agents; ++i) o.agent_data_dirs.push_back(dir_ + "/agent-" + std::to_string(i));
    o.disk_mib = 16;
    return o;
  }
  static bool Mounted(const std::string& path) {
    std::ifstream in("/proc/self/mountinfo");
    std::string line;
    while (std::getline(in, line)) {
      if (line.find(" " + path + " ") != std::string::npos) return true;
    }
    return false;
  }
  std::string dir_;
  std::vector<std::string> mounted_;
};

// Runs `command` with `env` added and returns its first line of output.
std::string RunWith(const std::vector<std::string>& env, const std::string& command) {
  std::string line = "env";
  for (const auto& e : env) line += " '" + e + "'";
  line += " " + command;
  FILE* p = ::popen(line.c_str(), "r");
  if (p == nullptr) return "";
  char buf[256] = {};
  std::string out = std::fgets(buf, sizeof buf, p) != nullptr ? buf : "";
  ::pclose(p);
  return out;
}

TEST_F(HostFaultsTest, SkewMovesOnlyTheChosenProcessesWallClock) {
  auto host = HostFaults::Create(Options());
  if (host->Skewable().empty()) GTEST_SKIP() << host->notes().front();
  // Seed 4: replica 4 % 3, agent 4 % 3.
  EXPECT_TRUE(host->CanSkew("coordinator-1"));
  EXPECT_TRUE(host->CanSkew("agent-1"));
  EXPECT_FALSE(host->CanSkew("agent-0"));
  EXPECT_TRUE(host->EnvOf("agent-0").empty());
  EXPECT_FALSE(host->SetSkew("agent-0", 60s).ok());

  const std::vector<std::string> env = host->EnvOf("agent-1");
  ASSERT_TRUE(host->SetSkew("agent-1", 600s).ok());
  const long skewed = std::atol(RunWith(env, "date +%s").c_str()) - std::time(nullptr);
  EXPECT_NEAR(skewed, 600, 5);
  ASSERT_TRUE(host->SetSkew("agent-1", -900s).ok());
  EXPECT_NEAR(std::atol(RunWith(env, "date +%s").c_str()) - std::time(nullptr), -900, 5);
  ASSERT_TRUE(host->SetSkew("agent-1", 0s).ok());
  EXPECT_NEAR(std::atol(RunWith(env, "date +%s").c_str()) - std::time(nullptr), 0, 5);
}

TEST_F(HostFaultsTest, FillTakesTheAgentsDiskToItsLastPageAndUnfillGivesItBack) {
  if (::geteuid() != 0) GTEST_SKIP() << "mounting needs root";
  auto host = HostFaults::Create(Options(2));
  ASSERT_TRUE(host->MountDisks().ok());
  ASSERT_TRUE(host->CanFill()) << (host->notes().empty() ? "" : host->notes().front());
  const std::string disk = dir_ + "/agent-1";
  mounted_ = {dir_ + "/agent-0", disk};
  ASSERT_TRUE(Mounted(disk));
  auto free_bytes = [&] {
    struct statvfs st {};
    ::statvfs(disk.c_str(), &st);
    return static_cast<uint64_t>(st.f_bavail) * st.f_frsize;
  };
  EXPECT_GT(free_bytes(), uint64_t{15} << 20);
  ASSERT_TRUE(host->Fill(1).ok());
  EXPECT_EQ(free_bytes(), 0u);
  std::ofstream(disk + "/more") << "x";
  EXPECT_FALSE(std::ofstream(disk + "/more") << std::string(8192, 'x') << std::flush);
  ASSERT_TRUE(host->Unfill(1).ok());
  EXPECT_GT(free_bytes(), uint64_t{15} << 20);

  host->Teardown();
  EXPECT_FALSE(Mounted(disk));
  EXPECT_FALSE(Mounted(dir_ + "/agent-0"));
}

TEST_F(HostFaultsTest, TeardownRemovesTheAgentsLeftoverAttemptCgroups) {
  if (::geteuid() != 0) GTEST_SKIP() << "cgroups need root";
  auto layout = node::DetectCgroupLayout();
  if (!layout.ok()) GTEST_SKIP() << layout.status().ToString();
  auto host = HostFaults::Create(Options(2));
  const std::string mine = node::AgentCgroupPrefix(dir_ + "/agent-1") + "attempt-1";
  const std::string other = "host-faults-test-" + std::to_string(::getpid());
  auto left = node::AttemptCgroup::Create(*layout, mine, {});
  if (!left.ok()) GTEST_SKIP() << left.status().ToString();
  auto unrelated = node::AttemptCgroup::Create(*layout, other, {});
  ASSERT_TRUE(unrelated.ok()) << unrelated.status().ToString();
  ASSERT_FALSE(left->dirs().empty());

  host->Teardown();
  for (const auto& d : left->dirs()) EXPECT_FALSE(fs::exists(d)) << d;
  for (const auto& d : unrelated->dirs()) EXPECT_TRUE(fs::exists(d)) << d;
  EXPECT_TRUE(unrelated->Remove().ok());
}

TEST_F(HostFaultsTest, SweepUnmountsDisksOfDeadRunsOnly) {
  if (::geteuid() != 0) GTEST_SKIP() << "mounting needs root";
  const std::string dead = dir_ + "/dead", alive = dir_ + "/alive";
  fs::create_directories(dead);
  fs::create_directories(alive);
  // A pid past pid_max belongs to no process.
  ASSERT_EQ(::mount("gantry-chaos-disk-99999999", dead.c_str(), "tmpfs", 0, "size=1m"), 0);
  const std::string mine = "gantry-chaos-disk-" + std::to_string(::getpid());
  ASSERT_EQ(::mount(mine.c_str(), alive.c_str(), "tmpfs", 0, "size=1m"), 0);
  mounted_ = {dead, alive};
  HostFaults::SweepLeftovers();
  EXPECT_FALSE(Mounted(dead));
  EXPECT_TRUE(Mounted(alive));
}

TEST_F(HostFaultsTest, DelayedAgentsReachTheReplicasThroughTheirProxies) {
  // A stand-in replica: a listening socket on 127.0.0.1.
  int listener = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::bind(listener, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  ASSERT_EQ(::listen(listener, 4), 0);
  socklen_t len = sizeof addr;
  ::getsockname(listener, reinterpret_cast<sockaddr*>(&addr), &len);
  const std::string replica = "tcp://127.0.0.1:" + std::to_string(ntohs(addr.sin_port));

  auto host = HostFaults::Create(Options(4));
  ASSERT_TRUE(host->StartProxies({replica, replica}, {}).ok());
  // Seed 4 of 4 agents: agents 1 and 2.
  EXPECT_EQ(host->Delayable(), (std::vector<int>{1, 2}));
  EXPECT_EQ(host->CoordinatorsFor(0), "");
  const std::string list = host->CoordinatorsFor(1);
  EXPECT_EQ(std::count(list.begin(), list.end(), ','), 1) << list;
  ASSERT_TRUE(list.starts_with("tcp://127.0.0.1:")) << list;

  // A byte sent through the proxy arrives after the delay set.
  host->SetDelay(1, 300ms);
  const int port = std::atoi(list.substr(list.rfind(':') + 1).c_str());
  int client = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in proxy = addr;
  proxy.sin_port = htons(static_cast<uint16_t>(port));
  ASSERT_EQ(::connect(client, reinterpret_cast<sockaddr*>(&proxy), sizeof proxy), 0);
  int served = ::accept4(listener, nullptr, nullptr, SOCK_CLOEXEC);
  ASSERT_GE(served, 0);
  const auto sent = std::chrono::steady_clock::now();
  ASSERT_EQ(::write(client, "x", 1), 1);
  char c = 0;
  ASSERT_EQ(::read(served, &c, 1), 1);
  EXPECT_GE(std::chrono::steady_clock::now() - sent, 290ms);
  ::close(client);
  ::close(served);
  ::close(listener);
  host->Teardown();
}

}  // namespace
}  // namespace gantry::chaos
