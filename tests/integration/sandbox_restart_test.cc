// End to end: an agent killed with kill -9 while its jobs run, and what its
// restart leaves of them. A job's processes (a daemonised grandchild too),
// its loop-mounted scratch filesystem and its cgroups must all be gone within
// 5 s of the new agent starting, before it takes new work.
#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "node/cgroup_hierarchy.h"
#include "node/disk_quota.h"
#include "node/disk_quota_fs.h"
#include "tests/integration/cluster_harness.h"
#include "tests/integration/host_probe.h"

namespace gantry::testing {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;
using protocol::JobStatus;

HarnessOptions OneAgent() {
  HarnessOptions o;
  o.agents = 1;
  o.agent_vcpus = 4;
  return o;
}

class SandboxRestartTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(cluster_.Start().ok()) << "see " << cluster_.root();
    ASSERT_TRUE(cluster_.CreateDefaults().ok());
  }
  // The boot id the coordinator holds for agent-0; empty if none.
  std::string BootId() {
    auto r = cluster_.rpc().Call(protocol::DescribeNodesRequest{});
    if (!r.ok()) return "";
    for (const auto& n : r->nodes) {
      if (n.node.nodeId == "agent-0") return n.node.bootId;
    }
    return "";
  }
  void TearDown() override {
    if (HasFailure()) cluster_.KeepFiles();
    // Whatever the test left running must not outlive it.
    for (pid_t pid : ProcessesWith(marker_)) ::kill(pid, SIGKILL);
  }

  ClusterHarness cluster_{GANTRY_BINARY, OneAgent()};
  // Unique per run, so leftovers of another test never count.
  const std::string marker_ = "gantry-sandbox-test-" + std::to_string(::getpid());
};

TEST_F(SandboxRestartTest, AgentKilledMidJobsRestartsWithNothingOfThemLeft) {
  const fs::path data_dir = fs::canonical(cluster_.AgentDataDir(0));
  const std::string cgroup_prefix = node::AgentCgroupPrefix(data_dir.string());
  // Each job writes into its scratch, daemonises a grandchild out of its
  // process group, and runs on; the marker names both in /proc.
  std::vector<std::string> ids;
  for (int i = 0; i < 3; ++i) {
    protocol::SubmitJobRequest req;
    req.jobName = "busy-" + std::to_string(i);
    req.jobQueue = "q";
    req.jobDefinition = "d";
    // Shells that loop (rather than exec sleep) keep the marker in their
    // command line: "<marker>-main" for the job, "<marker>-main-daemon" for
    // the grandchild that left its session.
    req.command = {"sh", "-c",
                   "head -c 4194304 /dev/zero > \"$HOME/fill\" && "
                   "{ setsid sh -c 'while :; do sleep 1; done' \"$0-daemon\" & } && while :; do sleep 1; done",
                   marker_ + "-main"};
    auto r = cluster_.rpc().Call(req);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    ids.push_back(r->jobId);
  }
  for (const auto& id : ids) ASSERT_TRUE(cluster_.WaitForStatus(id, JobStatus::kRunning, 20s).ok()) << id;
  // Every job's daemon is up before the kill.
  auto deadline = Clock::now() + 10s;
  const std::string daemon = marker_ + "-main-daemon";
  while (ProcessesWith(daemon).size() < 3 && Clock::now() < deadline) std::this_thread::sleep_for(20ms);
  ASSERT_EQ(ProcessesWith(daemon).size(), 3u);
  const auto scratch_mounts = MountsUnder(data_dir / "scratch");
  std::vector<fs::path> images;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(node::ScratchImageRoot(data_dir), ec)) images.push_back(e.path());
  const auto cgroups = CgroupsWithPrefix(cgroup_prefix);
  std::printf("[   info   ] before the kill: %zu scratch mounts, %zu loop images, %zu attempt cgroups\n",
              scratch_mounts.size(), images.size(), cgroups.size());

  const std::string old_boot = BootId();
  ASSERT_FALSE(old_boot.empty());
  cluster_.StopAgent(0, /*kill9=*/true);
  // The jobs outlive their agent: nothing has cleaned up yet.
  EXPECT_EQ(ProcessesWith(daemon).size(), 3u);
  EXPECT_EQ(MountsUnder(data_dir / "scratch").size(), scratch_mounts.size());

  // The sweep runs before the new agent registers: once the coordinator
  // knows its new boot, nothing of the old jobs may be left.
  const auto t0 = Clock::now();
  ASSERT_TRUE(cluster_.StartAgent(0).ok());
  deadline = t0 + 20s;
  while ((BootId().empty() || BootId() == old_boot) && Clock::now() < deadline) std::this_thread::sleep_for(10ms);
  const double seconds = std::chrono::duration<double>(Clock::now() - t0).count();
  ASSERT_NE(BootId(), old_boot) << "the restarted agent never registered";
  EXPECT_LT(seconds, 5.0) << "the restart took too long to come back clean";
  EXPECT_TRUE(ProcessesWith(marker_).empty()) << "processes of the killed agent's jobs survived its restart";
  EXPECT_TRUE(MountsUnder(data_dir / "scratch").empty()) << "scratch filesystems still mounted";
  EXPECT_TRUE(CgroupsWithPrefix(cgroup_prefix).empty()) << "attempt cgroups left behind";
  EXPECT_EQ(EntriesOf(data_dir / "scratch").size(), 0u) << "scratch directories left behind";
  EXPECT_EQ(EntriesOf(node::ScratchImageRoot(data_dir)).size(), 0u) << "scratch images left behind";
  for (const auto& image : images) {
    EXPECT_TRUE(node::LoopDevicesBackedBy(image).empty()) << "a loop device still reads " << image;
  }
  std::printf("[   info   ] the restarted agent registered, with nothing of its jobs left, %.2f s after its start\n",
              seconds);
  EXPECT_TRUE(cluster_.WaitForReadyNodes(1, 10s).ok());
}

}  // namespace
}  // namespace gantry::testing
