// Puts each agent_test process in cgroups of its own ("gtest-<pid>" under the
// cgroups it started in) for the whole run, and leaves them at the end.
//
// Why: attempt cgroups are made under the agent's own cgroup, and the
// start-up sweep kills every "gantry-*" there. ctest runs test processes side
// by side (and other people's test runs share this host), so without this
// one test's sweep would kill another's jobs. Only v1 places move: a v2
// parent with processes in it cannot hand controllers to children.
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>

#include "node/attempt_cgroup.h"

namespace gantry::node {
namespace {

namespace fs = std::filesystem;

class OwnCgroupEnvironment : public ::testing::Environment {
 public:
  void SetUp() override {
    Result<CgroupLayout> layout = DetectCgroupLayout();
    if (!layout.ok()) return;
    const std::string name = "gtest-" + std::to_string(::getpid());
    for (const auto* place : {&layout->memory, &layout->cpu, &layout->pids, &layout->freezer}) {
      if (!*place || (*place)->version != CgroupVersion::kV1) continue;
      const fs::path parent = (*place)->own_dir;
      const fs::path dir = parent / name;
      if (::mkdir(dir.c_str(), 0755) != 0 && errno != EEXIST) continue;
      if (!Join(dir)) {
        ::rmdir(dir.c_str());
        continue;
      }
      moved_.emplace_back(parent, dir);
    }
  }

  void TearDown() override {
    for (const auto& [parent, dir] : moved_) {
      if (!Join(parent) || !RemoveTree(dir)) {
        std::fprintf(stderr, "cgroup_test_env: cannot leave %s: %s\n", dir.c_str(),
                     std::strerror(errno));
      }
    }
  }

 private:
  static bool Join(const fs::path& dir) {
    std::ofstream procs(dir / "cgroup.procs");
    procs << ::getpid() << std::flush;
    return static_cast<bool>(procs);
  }

  // Children first: a death test's child process (it re-runs this
  // environment, then _Exits, as a crashed agent would) leaves its own
  // "gtest-<pid>" and the attempt cgroups of the agent it ran, with their
  // processes still in them.
  static bool RemoveTree(const fs::path& dir) {
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(dir, ec)) {
      if (entry.is_directory(ec)) RemoveTree(entry.path());
    }
    for (int round = 0; round < 1000; ++round) {
      std::ifstream procs(dir / "cgroup.procs");
      int pid = 0;
      bool any = false;
      while (procs >> pid) {
        any = true;
        ::kill(pid, SIGKILL);
      }
      if (!any) break;
      ::usleep(1000);
    }
    return ::rmdir(dir.c_str()) == 0;
  }

  std::vector<std::pair<fs::path, fs::path>> moved_;
};

[[maybe_unused]] ::testing::Environment* const kOwnCgroupEnvironment =
    ::testing::AddGlobalTestEnvironment(new OwnCgroupEnvironment);

}  // namespace
}  // namespace gantry::node
