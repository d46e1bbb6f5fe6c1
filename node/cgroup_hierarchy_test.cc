#include "node/cgroup_hierarchy.h"

#include <gtest/gtest.h>

namespace gantry::node {
namespace {

// Recorded on the development VM (2026-11-27): v1 hierarchies per controller,
// the process inside a memory cgroup its supervisor owns, and a cgroup2 mount
// that holds only hugetlb.
constexpr std::string_view kHybridSelf =
    "9:name=systemd:/\n8:pids:/\n7:blkio:/\n6:freezer:/\n5:devices:/\n"
    "4:memory:/process_api/5a4fcd6025aefb3da8cefa3cc88ff2fd\n3:cpuset:/\n2:cpuacct:/\n1:cpu:/\n"
    "0::/\n";
constexpr std::string_view kHybridMountinfo =
    "23 1 0:21 / /sys rw,nosuid - sysfs sysfs rw\n"
    "31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755\n"
    "32 31 0:29 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu\n"
    "33 31 0:30 / /sys/fs/cgroup/cpuacct rw,relatime - cgroup cgroup rw,cpuacct\n"
    "34 31 0:31 / /sys/fs/cgroup/cpuset rw,relatime - cgroup cgroup rw,cpuset\n"
    "35 31 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory\n"
    "36 31 0:33 / /sys/fs/cgroup/devices rw,relatime - cgroup cgroup rw,devices\n"
    "37 31 0:34 / /sys/fs/cgroup/freezer rw,relatime - cgroup cgroup rw,freezer\n"
    "38 31 0:35 / /sys/fs/cgroup/blkio rw,relatime - cgroup cgroup rw,blkio\n"
    "39 31 0:36 / /sys/fs/cgroup/pids rw,relatime - cgroup cgroup rw,pids\n"
    "40 31 0:37 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup rw,name=systemd\n"
    "41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw\n";

// A systemd host on cgroup v2 only (Debian 12 style), the agent in its unit.
constexpr std::string_view kUnifiedSelf = "0::/system.slice/gantry-agent.service\n";
constexpr std::string_view kUnifiedMountinfo =
    "22 28 0:21 / /sys rw,nosuid,nodev,noexec,relatime shared:7 - sysfs sysfs rw\n"
    "26 22 0:23 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime shared:9 - cgroup2 cgroup2 "
    "rw,nsdelegate,memory_recursiveprot\n";
constexpr std::string_view kUnifiedControllers = "cpuset cpu io memory hugetlb pids rdma misc\n";

CgroupLayout Resolve(std::string_view self, std::string_view mountinfo,
                     std::string_view controllers) {
  auto entries = ParseProcCgroup(self);
  auto mounts = ParseCgroupMounts(mountinfo);
  EXPECT_TRUE(entries.ok()) << entries.status().ToString();
  EXPECT_TRUE(mounts.ok()) << mounts.status().ToString();
  if (!entries.ok() || !mounts.ok()) return {};
  return ResolveCgroupLayout(*entries, *mounts, controllers);
}

TEST(CgroupHierarchy, ParsesProcSelfCgroupLines) {
  auto entries = ParseProcCgroup(kHybridSelf);
  ASSERT_TRUE(entries.ok());
  ASSERT_EQ(entries->size(), 10u);
  EXPECT_EQ((*entries)[0].controllers, std::vector<std::string>{"name=systemd"});
  EXPECT_EQ((*entries)[5].hierarchy_id, 4);
  EXPECT_EQ((*entries)[5].path, "/process_api/5a4fcd6025aefb3da8cefa3cc88ff2fd");
  EXPECT_TRUE((*entries)[9].controllers.empty());
}

TEST(CgroupHierarchy, RejectsMalformedLinesNamingThem) {
  auto no_path = ParseProcCgroup("4:memory\n");
  ASSERT_FALSE(no_path.ok());
  EXPECT_EQ(no_path.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(no_path.status().message().find("4:memory"), std::string::npos);
  EXPECT_FALSE(ParseProcCgroup("x:memory:/\n").ok());
  EXPECT_FALSE(ParseProcCgroup("4:memory:relative\n").ok());
  auto mount = ParseCgroupMounts("35 31 0:32 / - cgroup cgroup rw,memory\n");
  ASSERT_FALSE(mount.ok());
  EXPECT_EQ(mount.status().code(), StatusCode::kInvalidArgument);
}

TEST(CgroupHierarchy, ReadsControllersFromV1SuperOptions) {
  auto mounts = ParseCgroupMounts(
      "32 31 0:29 / /sys/fs/cgroup/cpu,cpuacct rw - cgroup cgroup rw,cpu,cpuacct\n"
      "40 31 0:37 / /sys/fs/cgroup/systemd rw - cgroup cgroup rw,xattr,name=systemd\n"
      "23 1 0:21 / /sys rw - sysfs sysfs rw\n");
  ASSERT_TRUE(mounts.ok());
  ASSERT_EQ(mounts->size(), 2u);
  EXPECT_EQ((*mounts)[0].controllers, (std::vector<std::string>{"cpu", "cpuacct"}));
  EXPECT_EQ((*mounts)[0].mount_point, "/sys/fs/cgroup/cpu,cpuacct");
  EXPECT_TRUE((*mounts)[1].controllers.empty());
}

TEST(CgroupHierarchy, ThisMachinesHybridLayoutUsesV1UnderTheOwnCgroups) {
  CgroupLayout layout = Resolve(kHybridSelf, kHybridMountinfo, "hugetlb\n");
  ASSERT_TRUE(layout.memory && layout.cpu && layout.pids && layout.freezer);
  EXPECT_EQ(layout.memory->version, CgroupVersion::kV1);
  EXPECT_EQ(layout.memory->own_dir,
            "/sys/fs/cgroup/memory/process_api/5a4fcd6025aefb3da8cefa3cc88ff2fd");
  EXPECT_EQ(layout.cpu->own_dir, "/sys/fs/cgroup/cpu");
  EXPECT_EQ(layout.pids->own_dir, "/sys/fs/cgroup/pids");
  EXPECT_EQ(layout.freezer->own_dir, "/sys/fs/cgroup/freezer");
  EXPECT_EQ(layout.unified_own_dir, std::filesystem::path("/sys/fs/cgroup/unified"));
  EXPECT_TRUE(layout.unavailable.empty());
}

TEST(CgroupHierarchy, PureV2LayoutUsesTheUnifiedOwnCgroup) {
  CgroupLayout layout = Resolve(kUnifiedSelf, kUnifiedMountinfo, kUnifiedControllers);
  const std::filesystem::path own = "/sys/fs/cgroup/system.slice/gantry-agent.service";
  ASSERT_TRUE(layout.memory && layout.cpu && layout.pids);
  EXPECT_EQ(layout.memory->version, CgroupVersion::kV2);
  EXPECT_EQ(layout.memory->own_dir, own);
  EXPECT_EQ(layout.cpu->own_dir, own);
  EXPECT_EQ(layout.pids->own_dir, own);
  EXPECT_FALSE(layout.freezer);  // v2 kills with cgroup.kill
  EXPECT_TRUE(layout.unavailable.empty());
}

TEST(CgroupHierarchy, SaysWhyALimitIsMissing) {
  CgroupLayout layout = Resolve(kUnifiedSelf, kUnifiedMountinfo, "cpu memory\n");
  EXPECT_TRUE(layout.memory && layout.cpu);
  EXPECT_FALSE(layout.pids);
  EXPECT_EQ(layout.unavailable,
            std::vector<std::string>{"pids: no v1 hierarchy and cgroup v2 has no pids controller"});

  CgroupLayout none = Resolve("0::/\n", "23 1 0:21 / /sys rw - sysfs sysfs rw\n", "");
  EXPECT_FALSE(none.memory || none.cpu || none.pids);
  ASSERT_EQ(none.unavailable.size(), 3u);
  EXPECT_EQ(none.unavailable[0], "memory: no v1 hierarchy and no cgroup v2 mount");
}

TEST(CgroupHierarchy, MountOfASubtreeMapsTheOwnPath) {
  // Inside a container: the host's /kubepods/pod1 hierarchy mounted at /sys/fs/cgroup/memory.
  CgroupLayout layout =
      Resolve("4:memory:/kubepods/pod1/agent\n",
              "35 31 0:32 /kubepods/pod1 /sys/fs/cgroup/memory rw - cgroup cgroup rw,memory\n", "");
  ASSERT_TRUE(layout.memory);
  EXPECT_EQ(layout.memory->own_dir, "/sys/fs/cgroup/memory/agent");

  CgroupLayout elsewhere =
      Resolve("4:memory:/kubepods/pod10\n",
              "35 31 0:32 /kubepods/pod1 /sys/fs/cgroup/memory rw - cgroup cgroup rw,memory\n", "");
  EXPECT_FALSE(elsewhere.memory);
}

TEST(CgroupHierarchy, AttemptCgroupNameSpellsColonsAsDots) {
  EXPECT_EQ(AttemptCgroupName("gantry-", "6f1c:7-2"), "gantry-6f1c.7-2");
}

TEST(AgentCgroupPrefix, IsStablePerDataDirAndDiffersBetweenAgents) {
  const std::string a = AgentCgroupPrefix("/var/lib/gantry-agent");
  EXPECT_EQ(a, AgentCgroupPrefix("/var/lib/gantry-agent"));
  EXPECT_NE(a, AgentCgroupPrefix("/var/lib/gantry-agent-2"));
  ASSERT_EQ(a.size(), std::string("gantry-12345678-").size());
  EXPECT_EQ(a.rfind("gantry-", 0), 0u);
  EXPECT_EQ(a.back(), '-');
  EXPECT_EQ(a.find('/'), std::string::npos);
}

}  // namespace
}  // namespace gantry::node
