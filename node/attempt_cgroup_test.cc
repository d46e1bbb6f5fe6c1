// Attempt cgroups with real processes, as root on a host with cgroups (the
// development VM: v1 memory, cpu, pids, freezer). Skipped elsewhere, saying
// why. cgroup_test_env.cc keeps this process's cgroups apart from others'.
#include "node/attempt_cgroup.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>

#include <cerrno>
#include <chrono>
#include <optional>
#include <set>

#include "node/executor.h"
#include "node/test_util.h"

extern char** environ;

namespace gantry::node {
namespace {

namespace fs = std::filesystem;
using testutil::RunLoopUntil;

bool ProcessGone(int pid) { return ::kill(pid, 0) != 0 && errno == ESRCH; }

// The layout, or the reason the test cannot run here.
std::optional<std::string> NoCgroups(const Result<CgroupLayout>& layout) {
  if (::geteuid() != 0) return "needs root";
  if (!layout.ok()) return "no cgroup layout: " + layout.status().message();
  if (!layout->memory || !layout->cpu || !layout->pids) {
    return "memory, cpu or pids controller missing";
  }
  return std::nullopt;
}

// Starts `argv` inside `cg` with the same shim the executor uses.
int SpawnInto(const AttemptCgroup& cg, std::vector<std::string> argv) {
  std::vector<std::string> all = {
      "/bin/sh", "-c", "while [ \"$1\" != -- ]; do echo $$ > \"$1\" || exit 125; shift; done; "
                       "shift; exec \"$@\"",
      "shim"};
  for (const auto& f : cg.ProcsFiles()) all.push_back(f);
  all.push_back("--");
  all.insert(all.end(), argv.begin(), argv.end());
  std::vector<char*> args;
  for (auto& a : all) args.push_back(a.data());
  args.push_back(nullptr);
  pid_t pid = 0;
  EXPECT_EQ(::posix_spawn(&pid, "/bin/sh", nullptr, nullptr, args.data(), environ), 0);
  return pid;
}

bool HasProcesses(const AttemptCgroup& cg) {
  for (const auto& f : cg.ProcsFiles()) {
    if (testutil::ReadFile(f).empty()) return false;
  }
  return true;
}

class AttemptCgroupTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (auto why = NoCgroups(layout_)) GTEST_SKIP() << *why;
    ASSERT_EQ(uv_loop_init(&loop_), 0);
    loop_open_ = true;
  }
  void TearDown() override {
    if (executor_ && executor_->size() > 0) {
      for (const auto& id : started_) executor_->Kill(id);
      RunLoopUntil(&loop_, [&] { return executor_->size() == 0; });
    }
    executor_.reset();
    if (loop_open_) testutil::CloseLoop(&loop_);
  }

  Executor& executor(int64_t pids_max = 4096) {
    if (!executor_) {
      executor_ = std::make_unique<Executor>(
          &loop_, testutil::TestLogger("exec"),
          ExecutorOptions{.kill_grace_ms = 10'000, .pids_max = pids_max});
    }
    return *executor_;
  }

  Outcome Run(const std::string& id, std::vector<std::string> argv, uint64_t memory_mib,
              uint32_t vcpus = 1, int64_t pids_max = 4096) {
    LaunchSpec spec;
    spec.attempt_id = id;
    spec.argv = std::move(argv);
    spec.env = {"PATH=/usr/bin:/bin"};
    spec.paths = {dir_.path() / "scratch" / id, dir_.path() / "logs" / id,
                  dir_.path() / "logs" / id / "output.log"};
    spec.memory_mib = memory_mib;
    spec.vcpus = vcpus;
    std::optional<Outcome> out;
    started_.push_back(id);
    Result<int> pid =
        executor(pids_max).Start(std::move(spec), [&out](Outcome o) { out = std::move(o); });
    EXPECT_TRUE(pid.ok()) << pid.status().ToString();
    EXPECT_TRUE(executor().cgroups_enabled());
    EXPECT_TRUE(RunLoopUntil(&loop_, [&] { return out.has_value(); }));
    return out.value_or(Outcome{});
  }

  fs::path AttemptDir(const std::optional<CgroupPlace>& place, const std::string& id) {
    return place->own_dir / AttemptCgroupName("gantry-", id);
  }

  Result<CgroupLayout> layout_ = DetectCgroupLayout();
  uv_loop_t loop_{};
  bool loop_open_ = false;
  testutil::TempDir dir_;
  std::unique_ptr<Executor> executor_;
  std::vector<std::string> started_;
};

TEST_F(AttemptCgroupTest, JobRunsInsideItsCgroupsWithTheLimitsAndTheyAreRemovedAfter) {
  const fs::path memory = AttemptDir(layout_->memory, "j:1");
  const fs::path cpu = AttemptDir(layout_->cpu, "j:1");
  const fs::path pids = AttemptDir(layout_->pids, "j:1");
  const bool v1 = layout_->memory->version == CgroupVersion::kV1;
  const fs::path memory_file = memory / (v1 ? "memory.limit_in_bytes" : "memory.max");
  const fs::path cpu_file = cpu / (v1 ? "cpu.cfs_quota_us" : "cpu.max");
  Outcome out = Run("j:1",
                    {"sh", "-c", "cat \"$1\" \"$2\" \"$3\"; grep -c gantry-j.1 /proc/self/cgroup",
                     "sh", memory_file.string(), cpu_file.string(), (pids / "pids.max").string()},
                    /*memory_mib=*/64, /*vcpus=*/2, /*pids_max=*/77);
  EXPECT_EQ(out.exit_code, std::optional<int32_t>(0)) << out.log_tail;
  const std::string cpu_limit = v1 ? "200000\n" : "200000 100000\n";
  // One line per hierarchy that holds the job: memory, cpu, pids and freezer on v1.
  const std::string hierarchies = v1 ? (layout_->freezer ? "4\n" : "3\n") : "1\n";
  EXPECT_EQ(out.log_tail, "67108864\n" + cpu_limit + "77\n" + hierarchies);
  EXPECT_FALSE(out.oom_killed);
  EXPECT_FALSE(fs::exists(memory));
  EXPECT_FALSE(fs::exists(cpu));
  EXPECT_FALSE(fs::exists(pids));
}

TEST_F(AttemptCgroupTest, MemoryHogEndsWithTheOutOfMemoryReason) {
  Outcome out =
      Run("hog", {"/usr/bin/python3", "-c", "s = 'x' * (300 << 20); print('survived')"}, 64);
  EXPECT_TRUE(out.oom_killed);
  EXPECT_EQ(out.signal, std::optional<int32_t>(SIGKILL));
  EXPECT_EQ(out.log_tail.find("survived"), std::string::npos);
  EXPECT_EQ(EndReason(out, "python3", ""), kReasonOutOfMemory);
}

TEST_F(AttemptCgroupTest, ForkBombIsHeldByThePidsLimit) {
  // Forks 100 sleepers; with pids.max 20 most forks fail, and the sleepers
  // die with the attempt.
  const std::string script =
      "import os, time\n"
      "ok = fail = 0\n"
      "for _ in range(100):\n"
      "    try:\n"
      "        pid = os.fork()\n"
      "    except OSError:\n"
      "        fail += 1\n"
      "        continue\n"
      "    if pid == 0:\n"
      "        time.sleep(300)\n"
      "        os._exit(0)\n"
      "    ok += 1\n"
      "print(f'ok={ok} fail={fail}')\n";
  const auto begin = std::chrono::steady_clock::now();
  Outcome out = Run("bomb", {"/usr/bin/python3", "-c", script}, 256, 1, /*pids_max=*/20);
  EXPECT_EQ(out.exit_code, std::optional<int32_t>(0)) << out.log_tail;
  EXPECT_EQ(out.log_tail, "ok=19 fail=81\n");  // 19 sleepers + python itself = 20
  // The sleepers did not hold the end for their 300 s.
  EXPECT_LT(std::chrono::steady_clock::now() - begin, std::chrono::seconds(60));
}

TEST_F(AttemptCgroupTest, DaemonisedGrandchildIsGoneWhenTheAttemptEnds) {
  // setsid + double fork: a new session, so the process-group kill misses it.
  Outcome out = Run("daemon",
                    {"/usr/bin/python3", "-c",
                     "import os, time\n"
                     "r, w = os.pipe()\n"
                     "if os.fork() == 0:\n"
                     "    os.setsid()\n"
                     "    if os.fork() == 0:\n"
                     "        os.write(w, b'%d\\n' % os.getpid())\n"
                     "        time.sleep(300)\n"
                     "    os._exit(0)\n"
                     "os.wait()\n"
                     "print(os.read(r, 64).decode(), end='', flush=True)\n"},
                    256);
  EXPECT_EQ(out.exit_code, std::optional<int32_t>(0)) << out.log_tail;
  ASSERT_FALSE(out.log_tail.empty());
  const int daemon = std::stoi(out.log_tail);
  EXPECT_TRUE(ProcessGone(daemon)) << "daemon pid " << daemon;
}

TEST_F(AttemptCgroupTest, SweepKillsAndRemovesALeftoverCgroup) {
  Result<AttemptCgroup> cg = AttemptCgroup::Create(*layout_, "gantry-leftover", {});
  ASSERT_TRUE(cg.ok()) << cg.status().ToString();
  const int pid = SpawnInto(*cg, {"sleep", "300"});
  ASSERT_TRUE(testutil::WaitUntil([&] { return HasProcesses(*cg); }));

  CgroupSweepResult swept = SweepAttemptCgroups(*layout_, "gantry-");
  EXPECT_TRUE(swept.status.ok()) << swept.status.ToString();
  EXPECT_EQ(swept.removed, std::vector<std::string>{"gantry-leftover"});
  int status = 0;
  ASSERT_EQ(::waitpid(pid, &status, 0), pid);
  EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
  for (const auto& dir : cg->dirs()) EXPECT_FALSE(fs::exists(dir)) << dir;
}

TEST_F(AttemptCgroupTest, MeasuresSetUpAndTearDown) {
  // Not an assertion: the numbers go to the test output for the report.
  constexpr int kRounds = 20;
  int64_t create_us = 0, teardown_us = 0;
  for (int i = 0; i < kRounds; ++i) {
    auto t0 = std::chrono::steady_clock::now();
    Result<AttemptCgroup> cg = AttemptCgroup::Create(
        *layout_, "gantry-timing", CgroupLimits{.memory_bytes = 64 << 20, .vcpus = 1, .pids_max = 64});
    auto t1 = std::chrono::steady_clock::now();
    ASSERT_TRUE(cg.ok()) << cg.status().ToString();
    const int pid = SpawnInto(*cg, {"sleep", "300"});
    ASSERT_TRUE(testutil::WaitUntil([&] { return HasProcesses(*cg); }, 30'000, 1));
    auto t2 = std::chrono::steady_clock::now();
    Result<std::vector<int>> killed = cg->KillAll();
    ASSERT_TRUE(killed.ok());
    ReapKilled(*killed);
    ASSERT_TRUE(cg->Remove().ok());
    auto t3 = std::chrono::steady_clock::now();
    EXPECT_TRUE(ProcessGone(pid));
    create_us += std::chrono::duration_cast<std::chrono::microseconds>(t1 - t0).count();
    teardown_us += std::chrono::duration_cast<std::chrono::microseconds>(t3 - t2).count();
  }
  std::printf("attempt cgroup timing rounds=%d create_avg_us=%lld teardown_avg_us=%lld\n", kRounds,
              static_cast<long long>(create_us / kRounds),
              static_cast<long long>(teardown_us / kRounds));
}

// A fake v2 kernel for DelegateV2Controllers: subtree_control is refused
// while the own cgroup holds a process, as the "no internal processes" rule
// has it; writing a pid to a leaf's cgroup.procs moves that process out.
struct FakeV2Kernel {
  fs::path own;
  std::set<int> in_own;
  std::vector<std::string> writes;
  Status Write(const fs::path& file, const std::string& text) {
    writes.push_back(file.lexically_relative(own).string() + " < " + text);
    if (file.filename() == "cgroup.subtree_control") {
      if (!in_own.empty()) return Status::Unavailable("write: Device or resource busy");
      return Status::Ok();
    }
    if (file.filename() == "cgroup.procs") in_own.erase(std::stoi(text));
    return Status::Ok();
  }
};

CgroupLayout V2Layout(const fs::path& own) {
  CgroupLayout l;
  l.memory = CgroupPlace{CgroupVersion::kV2, own};
  l.pids = CgroupPlace{CgroupVersion::kV2, own};
  l.unified_own_dir = own;
  return l;
}

TEST(DelegateV2Controllers, AgentInItsOwnCgroupStepsIntoALeafFirst) {
  testutil::TempDir dir;
  FakeV2Kernel kernel{dir.path(), {42}, {}};
  auto write = [&](const fs::path& f, const std::string& t) { return kernel.Write(f, t); };
  Status s = DelegateV2Controllers(V2Layout(dir.path()), "gantry-ab.agent", 42, write);
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_TRUE(fs::is_directory(dir.path() / "gantry-ab.agent"));
  EXPECT_THAT(kernel.writes, ::testing::ElementsAre("cgroup.subtree_control < +memory",
                                                    "gantry-ab.agent/cgroup.procs < 42",
                                                    "cgroup.subtree_control < +memory",
                                                    "cgroup.subtree_control < +pids"));
}

TEST(DelegateV2Controllers, NothingToMoveWhenTheCgroupAcceptsAtOnce) {
  testutil::TempDir dir;
  FakeV2Kernel kernel{dir.path(), {}, {}};
  auto write = [&](const fs::path& f, const std::string& t) { return kernel.Write(f, t); };
  ASSERT_TRUE(DelegateV2Controllers(V2Layout(dir.path()), "gantry-ab.agent", 42, write).ok());
  EXPECT_EQ(kernel.writes.size(), 2u);
  EXPECT_FALSE(fs::exists(dir.path() / "gantry-ab.agent"));
}

TEST(DelegateV2Controllers, OtherProcessesInTheCgroupAreAClearError) {
  testutil::TempDir dir;
  FakeV2Kernel kernel{dir.path(), {42, 7}, {}};
  auto write = [&](const fs::path& f, const std::string& t) { return kernel.Write(f, t); };
  Status s = DelegateV2Controllers(V2Layout(dir.path()), "gantry-ab.agent", 42, write);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.code(), StatusCode::kUnavailable);
  EXPECT_THAT(s.message(), ::testing::HasSubstr("other processes in it?"));
  EXPECT_EQ(kernel.in_own, (std::set<int>{7})) << "only the agent itself is moved";
}

TEST(DelegateV2Controllers, V1LayoutsAreLeftAlone) {
  CgroupLayout l;
  l.memory = CgroupPlace{CgroupVersion::kV1, "/sys/fs/cgroup/memory/x"};
  int writes = 0;
  auto write = [&](const fs::path&, const std::string&) {
    ++writes;
    return Status::Ok();
  };
  EXPECT_TRUE(DelegateV2Controllers(l, "gantry-ab.agent", 42, write).ok());
  EXPECT_EQ(writes, 0);
}

}  // namespace
}  // namespace gantry::node
