// Real processes on a real libuv loop, in a temporary directory. Waiting is
// running the loop until the event arrives; a watchdog fails the test.
#include "node/executor.h"

#include <gtest/gtest.h>
#include <signal.h>

#include <cerrno>
#include <csignal>
#include <optional>

#include "node/disk_quota_fs.h"
#include "node/isolation_probe.h"
#include "node/sandbox_fs.h"
#include "node/test_util.h"

namespace gantry::node {
namespace {

namespace fs = std::filesystem;
using testutil::RunLoopUntil;
using testutil::TempDir;

// True when no process of the group is left (zombies count as left).
bool GroupGone(int pgid) { return ::kill(-pgid, 0) != 0 && errno == ESRCH; }
bool ProcessGone(int pid) { return ::kill(pid, 0) != 0 && errno == ESRCH; }

class ExecutorTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_EQ(uv_loop_init(&loop_), 0); }
  void TearDown() override {
    if (executor_ && executor_->size() > 0) {
      // A failed test may leave processes: kill them and let cleanup finish.
      for (const auto& id : started_) executor_->Kill(id);
      RunLoopUntil(&loop_, [&] { return executor_->size() == 0; });
    }
    executor_.reset();
    testutil::CloseLoop(&loop_);
  }

  Executor& executor(int64_t grace_ms = 10'000) {
    if (!executor_) {
      executor_ = std::make_unique<Executor>(&loop_, testutil::TestLogger("exec"),
                                             ExecutorOptions{grace_ms});
    }
    return *executor_;
  }

  LaunchSpec Spec(const std::string& id, std::vector<std::string> argv) {
    LaunchSpec spec;
    spec.attempt_id = id;
    spec.argv = std::move(argv);
    spec.env = {"PATH=/usr/bin:/bin", "HOME=" + (dir_.path() / "scratch" / id).string()};
    spec.paths = {dir_.path() / "scratch" / id, dir_.path() / "logs" / id,
                  dir_.path() / "logs" / id / "output.log"};
    return spec;
  }

  // Starts `spec`; the outcome lands in `out`.
  Result<int> Start(LaunchSpec spec, std::optional<Outcome>& out, int64_t grace_ms = 10'000) {
    started_.push_back(spec.attempt_id);
    return executor(grace_ms).Start(std::move(spec), [&out](Outcome o) { out = std::move(o); });
  }

  bool WaitFor(const std::optional<Outcome>& out) {
    return RunLoopUntil(&loop_, [&] { return out.has_value(); });
  }
  bool WaitForFile(const fs::path& file) {
    return RunLoopUntil(
        &loop_,
        [&] {
          std::error_code ec;
          return fs::file_size(file, ec) > 0 && !ec;
        },
        30'000, 5);
  }

  uv_loop_t loop_{};
  TempDir dir_;
  std::unique_ptr<Executor> executor_;
  std::vector<std::string> started_;
};

TEST_F(ExecutorTest, ReportsExitCodeAndOutputAndDeletesScratch) {
  std::optional<Outcome> out;
  LaunchSpec spec = Spec("a1", {"/bin/sh", "-c", "echo hi; touch file_in_scratch; exit 3"});
  SandboxPaths paths = spec.paths;
  Result<int> pid = Start(std::move(spec), out);
  ASSERT_TRUE(pid.ok()) << pid.status().ToString();
  EXPECT_GT(*pid, 0);
  ASSERT_TRUE(WaitFor(out));
  EXPECT_EQ(out->start_failure, StartFailure::kNone);
  EXPECT_EQ(out->exit_code, std::optional<int32_t>(3));
  EXPECT_FALSE(out->signal.has_value());
  EXPECT_FALSE(out->stopped);
  EXPECT_EQ(out->log_tail, "hi\n");
  EXPECT_FALSE(fs::exists(paths.scratch_dir));
  EXPECT_EQ(testutil::ReadFile(paths.log_file), "hi\n");  // the log is kept
  EXPECT_EQ(executor().size(), 0u);
}

TEST_F(ExecutorTest, InterleavesStdoutAndStderrInOrder) {
  std::optional<Outcome> out;
  ASSERT_TRUE(Start(Spec("a1", {"sh", "-c", "echo one; echo two >&2; echo three"}), out).ok());
  ASSERT_TRUE(WaitFor(out));
  EXPECT_EQ(out->exit_code, std::optional<int32_t>(0));
  EXPECT_EQ(out->log_tail, "one\ntwo\nthree\n");
}

TEST_F(ExecutorTest, RunsInScratchWithTheGivenEnvironment) {
  std::optional<Outcome> out;
  LaunchSpec spec = Spec("a1", {"sh", "-c", "pwd; echo \"$HOME\"; read x || echo stdin-empty"});
  std::string scratch = spec.paths.scratch_dir.string();
  ASSERT_TRUE(Start(std::move(spec), out).ok());
  ASSERT_TRUE(WaitFor(out));
  EXPECT_EQ(out->log_tail, scratch + "\n" + scratch + "\nstdin-empty\n");
}

TEST_F(ExecutorTest, SpawnFailureIsReportedAndScratchDeleted) {
  std::optional<Outcome> out;
  LaunchSpec spec = Spec("a1", {"/nonexistent/program"});
  fs::path scratch = spec.paths.scratch_dir;
  Result<int> pid = Start(std::move(spec), out);
  ASSERT_FALSE(pid.ok());
  EXPECT_EQ(pid.status().code(), StatusCode::kUnavailable);
  ASSERT_TRUE(WaitFor(out));
  EXPECT_EQ(out->start_failure, StartFailure::kSpawn);
  EXPECT_EQ(out->start_error, "no such file or directory");
  EXPECT_FALSE(out->exit_code.has_value());
  EXPECT_FALSE(fs::exists(scratch));
}

TEST_F(ExecutorTest, SandboxFailureIsReported) {
  std::optional<Outcome> out;
  testutil::WriteFile(dir_.path() / "file", "x");
  LaunchSpec spec = Spec("a1", {"true"});
  spec.paths.scratch_dir = dir_.path() / "file" / "scratch";
  ASSERT_FALSE(Start(std::move(spec), out).ok());
  ASSERT_TRUE(WaitFor(out));
  EXPECT_EQ(out->start_failure, StartFailure::kSandbox);
  EXPECT_NE(out->start_error.find("file/scratch"), std::string::npos) << out->start_error;
}

TEST_F(ExecutorTest, KillLeavesNoProcessOfTheGroup) {
  std::optional<Outcome> out;
  LaunchSpec spec = Spec("a1", {"sh", "-c", "sleep 100 & echo $! > ../bg.pid; sleep 100"});
  Result<int> pgid = Start(std::move(spec), out);
  ASSERT_TRUE(pgid.ok());
  ASSERT_TRUE(WaitForFile(dir_.path() / "scratch" / "bg.pid"));
  int background = std::stoi(testutil::ReadFile(dir_.path() / "scratch" / "bg.pid"));
  ASSERT_FALSE(GroupGone(*pgid));

  executor().Kill("a1");
  ASSERT_TRUE(WaitFor(out));
  EXPECT_EQ(out->signal, std::optional<int32_t>(SIGKILL));
  EXPECT_TRUE(out->stopped);
  EXPECT_TRUE(GroupGone(*pgid));
  EXPECT_TRUE(ProcessGone(background));
}

TEST_F(ExecutorTest, OrphansDieWhenTheLeaderExits) {
  std::optional<Outcome> out;
  LaunchSpec spec = Spec("a1", {"sh", "-c", "sleep 100 & echo $! > ../bg.pid; exit 0"});
  Result<int> pgid = Start(std::move(spec), out);
  ASSERT_TRUE(pgid.ok());
  ASSERT_TRUE(WaitFor(out));
  EXPECT_EQ(out->exit_code, std::optional<int32_t>(0));
  int background = std::stoi(testutil::ReadFile(dir_.path() / "scratch" / "bg.pid"));
  EXPECT_TRUE(GroupGone(*pgid));
  EXPECT_TRUE(ProcessGone(background));
}

TEST_F(ExecutorTest, StopSendsSigterm) {
  std::optional<Outcome> out;
  ASSERT_TRUE(Start(Spec("a1", {"sleep", "100"}), out).ok());
  executor().Stop("a1");
  ASSERT_TRUE(WaitFor(out));
  EXPECT_EQ(out->signal, std::optional<int32_t>(SIGTERM));
  EXPECT_TRUE(out->stopped);
}

TEST_F(ExecutorTest, StopEscalatesToSigkillAfterTheGrace) {
  std::optional<Outcome> out;
  // The shell and its child ignore SIGTERM; only SIGKILL ends them.
  LaunchSpec spec = Spec("a1", {"sh", "-c", "trap '' TERM; echo ready; sleep 100"});
  fs::path log = spec.paths.log_file;
  ASSERT_TRUE(Start(std::move(spec), out, /*grace_ms=*/50).ok());
  ASSERT_TRUE(WaitForFile(log));  // the trap is set
  executor().Stop("a1");
  executor().Stop("a1");  // a second stop changes nothing
  ASSERT_TRUE(WaitFor(out));
  EXPECT_EQ(out->signal, std::optional<int32_t>(SIGKILL));
  EXPECT_TRUE(out->stopped);
}

TEST_F(ExecutorTest, StopAndKillOfUnknownAttemptsDoNothing) {
  executor().Stop("nope");
  executor().Kill("nope");
  EXPECT_EQ(executor().size(), 0u);
}

TEST_F(ExecutorTest, RunsAnArrayChildWithColonIdsInItsSandbox) {
  // The sandbox's paths and environment for an array child, as the agent
  // builds them: ':' in the job and attempt ids.
  protocol::LaunchAttempt launch;
  launch.jobId = "6f1c2a9e-0b7d-4c1e-9a53-2d8f4e7b1c00:7";
  launch.attemptId = "6f1c2a9e-0b7d-4c1e-9a53-2d8f4e7b1c00:7-2";
  launch.attemptNumber = 2;
  launch.arrayIndex = 7;
  launch.arraySize = 8;
  launch.command = {"sh", "-c",
                    "echo $AWS_BATCH_JOB_ARRAY_INDEX/$AWS_BATCH_JOB_ARRAY_SIZE; pwd; "
                    "mkdir -p \"$HOME/bin\" && PATH=\"$HOME/bin:$PATH\" && "
                    "printf '#!/bin/sh\\necho own-tool\\n' > \"$HOME/bin/tool\" && "
                    "chmod +x \"$HOME/bin/tool\" && tool"};
  Result<SandboxPaths> paths = SandboxPathsFor(dir_.path(), launch);
  ASSERT_TRUE(paths.ok()) << paths.status().ToString();
  auto env = BuildEnvironment(launch, paths->scratch_dir.string(), "/usr/bin:/bin");
  ASSERT_TRUE(env.ok()) << env.status().ToString();
  std::optional<Outcome> out;
  LaunchSpec spec{launch.attemptId, launch.command, *env, *paths};
  ASSERT_TRUE(Start(std::move(spec), out).ok());
  ASSERT_TRUE(WaitFor(out));
  EXPECT_EQ(out->exit_code, std::optional<int32_t>(0)) << out->log_tail;
  // $HOME/bin on PATH works: the scratch directory's name holds no ':'.
  EXPECT_EQ(out->log_tail, "7/8\n" + paths->scratch_dir.string() + "\nown-tool\n");
  EXPECT_FALSE(fs::exists(paths->scratch_dir));
  EXPECT_EQ(testutil::ReadFile(dir_.path() / "logs" / launch.jobId / "2" / "output.log"),
            out->log_tail);
}

TEST_F(ExecutorTest, RunsAttemptsSideBySide) {
  std::optional<Outcome> a, b;
  ASSERT_TRUE(Start(Spec("a", {"sh", "-c", "exit 1"}), a).ok());
  ASSERT_TRUE(Start(Spec("b", {"sh", "-c", "exit 2"}), b).ok());
  ASSERT_TRUE(RunLoopUntil(&loop_, [&] { return a.has_value() && b.has_value(); }));
  EXPECT_EQ(a->exit_code, std::optional<int32_t>(1));
  EXPECT_EQ(b->exit_code, std::optional<int32_t>(2));
}

// Attempts started through the real `gantry sandbox-exec` with isolation on.
class IsolatedExecutorTest : public ExecutorTest {
 protected:
  // Why the namespaces cannot be used here, if they cannot.
  static std::optional<std::string> IsolationUnavailable() {
    IsolationChoice probe = ProbeIsolation(IsolationMode::kAuto, "/var/lib/gantry");
    if (probe.use.pid_namespace && probe.use.private_tmp) return std::nullopt;
    std::string why;
    for (const auto& w : probe.not_used) why += w + "; ";
    return why;
  }

  void MakeExecutor(bool cgroups, std::optional<UserIds> user = std::nullopt) {
    ExecutorOptions options;
    options.cgroups = cgroups;
    options.gantry_binary = GANTRY_BINARY;
    options.isolation = {.pid_namespace = true, .private_tmp = true, .user = user};
    executor_ = std::make_unique<Executor>(&loop_, testutil::TestLogger("exec"), options);
  }

  // Pids whose command line holds `marker`.
  static std::vector<int> Marked(const std::string& marker) {
    std::vector<int> pids;
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator("/proc", ec)) {
      const std::string name = entry.path().filename().string();
      if (name.find_first_not_of("0123456789") != std::string::npos) continue;
      std::string cmdline = testutil::ReadFile(entry.path() / "cmdline");
      for (char& c : cmdline) c = c == '\0' ? ' ' : c;
      if (cmdline.find(marker) != std::string::npos) pids.push_back(std::stoi(name));
    }
    return pids;
  }
};

TEST_F(IsolatedExecutorTest, KilledAttemptLeavesNoDescendants) {
  if (auto why = IsolationUnavailable()) GTEST_SKIP() << *why;
  MakeExecutor(/*cgroups=*/false);  // the pid namespace alone must do it
  // The shell computes the marker, so only the daemon's command line holds
  // it (every other process of the attempt carries the script).
  const int n = ::getpid();
  const std::string marker = "600." + std::to_string(n) + "7";
  const std::string sleep = "sleep 600.$((" + std::to_string(n) + "))7";
  std::optional<Outcome> out;
  // setsid and a second fork: the daemon leaves the attempt's process group.
  ASSERT_TRUE(
      Start(Spec("a1", {"sh", "-c", "setsid sh -c '" + sleep + " &'; sleep 100"}), out).ok());
  ASSERT_TRUE(testutil::WaitUntil([&] { return !Marked(marker).empty(); }));
  executor().Kill("a1");
  ASSERT_TRUE(WaitFor(out));
  EXPECT_EQ(out->signal, std::optional<int32_t>(SIGKILL));
  std::vector<int> left = Marked(marker);
  EXPECT_EQ(left, std::vector<int>{});
  for (int pid : left) ::kill(pid, SIGKILL);
}

TEST_F(IsolatedExecutorTest, StopReachesTheJobAndItsEndComesBackAsIs) {
  if (auto why = IsolationUnavailable()) GTEST_SKIP() << *why;
  MakeExecutor(/*cgroups=*/false);
  std::optional<Outcome> trapped, plain;
  LaunchSpec spec = Spec("a1", {"sh", "-c", "trap 'exit 3' TERM; echo ready; sleep 100 & wait"});
  fs::path log = spec.paths.log_file;
  ASSERT_TRUE(Start(std::move(spec), trapped).ok());
  ASSERT_TRUE(Start(Spec("a2", {"sleep", "100"}), plain).ok());
  ASSERT_TRUE(WaitForFile(log));  // the trap is set
  executor().Stop("a1");
  executor().Stop("a2");
  ASSERT_TRUE(RunLoopUntil(&loop_, [&] { return trapped.has_value() && plain.has_value(); }));
  EXPECT_EQ(trapped->exit_code, std::optional<int32_t>(3));
  EXPECT_EQ(plain->signal, std::optional<int32_t>(SIGTERM));
  EXPECT_FALSE(plain->exit_code.has_value());
}

TEST_F(IsolatedExecutorTest, JobRunsAsItsUserInItsCgroupsAndScratch) {
  if (auto why = IsolationUnavailable()) GTEST_SKIP() << *why;
  if (::geteuid() != 0) GTEST_SKIP() << "switching users needs root";
  MakeExecutor(/*cgroups=*/true, UserIds{65534, 65534});
  const bool cgroups = executor().cgroups_enabled();
  std::optional<Outcome> out;
  ASSERT_TRUE(Start(Spec("a1", {"sh", "-c",
                                "id -u; echo $$; touch own-file && echo wrote; "
                                "grep -q '/gantry-a1$' /proc/self/cgroup && echo in-cgroup; "
                                "touch /tmp/x && ls /tmp"}),
                    out)
                  .ok());
  ASSERT_TRUE(WaitFor(out));
  EXPECT_EQ(out->log_tail, std::string("65534\n2\nwrote\n") + (cgroups ? "in-cgroup\n" : "") +
                               "x\n");
}

TEST_F(IsolatedExecutorTest, ANamespaceDoesNotPinAnotherAttemptsScratchFilesystem) {
  if (auto why = IsolationUnavailable()) GTEST_SKIP() << *why;
  if (Status s = ProbeLoopExt4(dir_.path()); !s.ok()) GTEST_SKIP() << s.message();
  MakeExecutor(/*cgroups=*/false);
  std::optional<Outcome> first, second;
  // Its own scratch filesystem stays mounted in its own namespace.
  LaunchSpec spec = Spec("b", {"sh", "-c",
                               "grep -q \" $(pwd) \" /proc/self/mountinfo && echo own-mounted; "
                               "sleep 100"});
  spec.paths.scratch_image = dir_.path() / "b.img";
  spec.paths.scratch_disk_mib = 16;
  const SandboxPaths paths = spec.paths;
  ASSERT_TRUE(Start(std::move(spec), first).ok());
  ASSERT_TRUE(WaitForFile(paths.log_file));
  // The second attempt's mount namespace starts as a copy of the agent's,
  // with the first one's scratch filesystem in it.
  spec = Spec("a", {"sh", "-c", "echo ready; sleep 100"});
  const fs::path log = spec.paths.log_file;
  ASSERT_TRUE(Start(std::move(spec), second).ok());
  ASSERT_TRUE(WaitForFile(log));
  executor().Kill("b");
  ASSERT_TRUE(WaitFor(first));
  EXPECT_EQ(first->log_tail, "own-mounted\n");
  EXPECT_FALSE(fs::exists(paths.scratch_dir));
  EXPECT_FALSE(fs::exists(paths.scratch_image));
  for (const auto& pending : PendingScratchCleanups()) {
    EXPECT_NE(pending.paths.scratch_dir, paths.scratch_dir) << pending.error;
  }
  EXPECT_FALSE(second.has_value());
  executor().Kill("a");  // its outcome lands in this frame
  ASSERT_TRUE(WaitFor(second));
}

TEST_F(IsolatedExecutorTest, MissingCommandIsASpawnFailure) {
  if (auto why = IsolationUnavailable()) GTEST_SKIP() << *why;
  MakeExecutor(/*cgroups=*/false);
  std::optional<Outcome> out;
  ASSERT_FALSE(Start(Spec("a1", {"no-such-program-here"}), out).ok());
  ASSERT_TRUE(WaitFor(out));
  EXPECT_EQ(out->start_failure, StartFailure::kSpawn);
  EXPECT_EQ(out->start_error, "no such file or directory");
}

}  // namespace
}  // namespace gantry::node
