// `gantry sandbox-exec` run as the executor runs it: the real binary, in a
// new session, with its output in files. Waiting is poll() on a pidfd with a
// deadline. Cases that need a namespace skip, saying why, where the kernel
// does not allow it.
#include "node/sandbox_exec.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <filesystem>
#include <string>
#include <vector>

#include "node/isolation_probe.h"
#include "node/sandbox_exec_command.h"
#include "node/test_util.h"

namespace gantry::node {
namespace {

namespace fs = std::filesystem;
using testutil::ReadFile;

TEST(SandboxExecArgv, ListsEveryFlagThenTheJob) {
  SandboxExecSpec spec{.cgroup_procs = {"/cg/a/cgroup.procs", "/cg/b/cgroup.procs"},
                       .pid_namespace = true,
                       .private_tmp = "/data/scratch/a1/.tmp",
                       .scratch = "/data/scratch/a1",
                       .user = UserIds{65534, 65533},
                       .argv = {"sh", "-c", "echo hi"}};
  EXPECT_EQ(SandboxExecArgv("/usr/bin/gantry", spec),
            (std::vector<std::string>{"/usr/bin/gantry", "sandbox-exec", "--cgroup-procs",
                                      "/cg/a/cgroup.procs", "--cgroup-procs", "/cg/b/cgroup.procs",
                                      "--pid-namespace", "--private-tmp", "/data/scratch/a1/.tmp",
                                      "--scratch", "/data/scratch/a1", "--user", "65534:65533",
                                      "--", "sh", "-c", "echo hi"}));
  EXPECT_EQ(SandboxExecArgv("g", SandboxExecSpec{.argv = {"true"}}),
            (std::vector<std::string>{"g", "sandbox-exec", "--", "true"}));
}

TEST(SandboxExecArgv, ParsesBackToTheSameSpecWhateverTheJobsArgs) {
  SandboxExecSpec spec{.cgroup_procs = {"/cg/cgroup.procs"},
                       .pid_namespace = true,
                       .private_tmp = "/s/.tmp",
                       .scratch = "/s",
                       .user = UserIds{1000, 100},
                       .argv = {"prog", "--user", "0:0", "--", "--pid-namespace", "-c"}};
  std::vector<std::string> argv = SandboxExecArgv("gantry", spec);
  Result<SandboxExecSpec> parsed =
      ParseSandboxExecArgs(std::vector<std::string>(argv.begin() + 2, argv.end()));
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  EXPECT_EQ(*parsed, spec);
  // A lone --cgroup-procs right before "--" leaves the job's flags alone.
  SandboxExecSpec cgroups_only{.cgroup_procs = {"/a", "/b"}, .argv = {"sh", "-c", "x"}};
  argv = SandboxExecArgv("gantry", cgroups_only);
  parsed = ParseSandboxExecArgs(std::vector<std::string>(argv.begin() + 2, argv.end()));
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  EXPECT_EQ(*parsed, cgroups_only);
  SandboxExecSpec plain{.argv = {"true"}};
  argv = SandboxExecArgv("gantry", plain);
  parsed = ParseSandboxExecArgs(std::vector<std::string>(argv.begin() + 2, argv.end()));
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  EXPECT_EQ(*parsed, plain);
  EXPECT_EQ(ParseSandboxExecArgs({"--user", "nobody", "--", "true"}).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(ParseSandboxExecArgs({"--"}).status().code(), StatusCode::kInvalidArgument);
}

TEST(ParseUserIds, TakesDecimalUidColonGid) {
  EXPECT_EQ(ParseUserIds("65534:100").value(), (UserIds{65534, 100}));
  EXPECT_EQ(ParseUserIds("0:0").value(), (UserIds{0, 0}));
  for (const char* bad : {"", "1", "1:", ":1", "a:1", "1:b", "1:2:3", "-1:0", "4294967295:0",
                          "1:99999999999", " 1:1"}) {
    EXPECT_EQ(ParseUserIds(bad).status().code(), StatusCode::kInvalidArgument) << bad;
  }
}

struct Ran {
  int status = -1;  // waitpid's
  std::string out;  // stdout and stderr, interleaved
};

class SandboxExecTest : public ::testing::Test {
 protected:
  void SetUp() override {
    number_ = std::to_string(::getpid()) + std::to_string(++counter_);
    marker_ = "600." + number_;
  }
  void TearDown() override {
    for (int pid : MarkedProcesses()) ::kill(pid, SIGKILL);  // a failed case's leftovers
  }

  // Skips the calling test unless the kernel allows the namespaces.
  bool NamespacesAllowed() {
    IsolationChoice probe = ProbeIsolation(IsolationMode::kAuto, "/var/lib/gantry");
    why_not_.clear();
    for (const auto& w : probe.not_used) why_not_ += w + "; ";
    return probe.use.pid_namespace && probe.use.private_tmp;
  }

  // Starts `gantry sandbox-exec ARGS` the way the executor does: in a new
  // session, cwd dir_, stdin /dev/null, stdout and stderr to one file.
  pid_t Start(const std::vector<std::string>& args) {
    std::vector<std::string> argv = {GANTRY_BINARY, "sandbox-exec"};
    argv.insert(argv.end(), args.begin(), args.end());
    std::vector<char*> c;
    for (auto& a : argv) c.push_back(a.data());
    c.push_back(nullptr);
    const std::string out = (dir_.path() / "out").string();
    const std::string cwd = dir_.path().string();
    pid_t pid = ::fork();
    if (pid == 0) {
      ::setsid();
      int in = ::open("/dev/null", O_RDONLY);
      int fd = ::open(out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      if (in < 0 || fd < 0 || ::chdir(cwd.c_str()) != 0) ::_exit(99);
      ::dup2(in, 0);
      ::dup2(fd, 1);
      ::dup2(fd, 2);
      ::execv(c[0], c.data());
      ::_exit(98);
    }
    return pid;
  }

  Ran Wait(pid_t pid, int timeout_ms = 30'000) {
    Ran ran;
    int pidfd = static_cast<int>(::syscall(SYS_pidfd_open, pid, 0));
    EXPECT_GE(pidfd, 0) << std::strerror(errno);
    pollfd p{pidfd, POLLIN, 0};
    if (::poll(&p, 1, timeout_ms) != 1) {
      ADD_FAILURE() << "sandbox-exec did not end within " << timeout_ms << " ms";
      ::kill(pid, SIGKILL);
    }
    ::close(pidfd);
    EXPECT_EQ(::waitpid(pid, &ran.status, 0), pid);
    ran.out = ReadFile(dir_.path() / "out");
    return ran;
  }

  Ran Run(const std::vector<std::string>& args) { return Wait(Start(args)); }

  // Pids of every process whose command line holds marker_.
  std::vector<int> MarkedProcesses() {
    std::vector<int> pids;
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator("/proc", ec)) {
      const std::string name = entry.path().filename().string();
      if (name.find_first_not_of("0123456789") != std::string::npos) continue;
      std::string cmdline = ReadFile(entry.path() / "cmdline");
      for (char& ch : cmdline) ch = ch == '\0' ? ' ' : ch;
      if (cmdline.find(marker_) != std::string::npos) {
        pids.push_back(std::stoi(name));
      }
    }
    return pids;
  }

  // A job that leaves a daemon behind (setsid, then a second fork whose
  // parent exits), waits until the daemon runs as `sleep marker_`, and exits.
  // The shell computes the marker: only the daemon's command line holds it.
  std::vector<std::string> DaemonisingJob() {
    const std::string marker = "600.$((" + number_ + "))";
    return {"sh", "-c",
            "setsid sh -c 'sleep " + marker +
                " & echo $! > daemon.pid'; "
                "until grep -q " +
                marker + " /proc/$(cat daemon.pid)/cmdline 2>/dev/null; do :; done"};
  }

  static bool Exited(const Ran& r, int code) {
    return WIFEXITED(r.status) && WEXITSTATUS(r.status) == code;
  }

  testutil::TempDir dir_;
  std::string number_;
  std::string marker_;  // "600.<number_>", unique to the test
  std::string why_not_;
  static inline int counter_ = 0;
};

TEST_F(SandboxExecTest, ExitCodesPassThrough) {
  const bool ns = NamespacesAllowed();
  for (int code : {0, 1, 42}) {
    const std::vector<std::string> job = {"--", "sh", "-c", "exit " + std::to_string(code)};
    EXPECT_TRUE(Exited(Run(job), code)) << code;
    if (!ns) continue;
    std::vector<std::string> isolated = {"--pid-namespace", "--private-tmp",
                                         (dir_.path() / "tmp").string()};
    isolated.insert(isolated.end(), job.begin(), job.end());
    EXPECT_TRUE(Exited(Run(isolated), code)) << code;
  }
}

TEST_F(SandboxExecTest, DaemonisedGrandchildIsGoneWhenTheJobExits) {
  if (!NamespacesAllowed()) GTEST_SKIP() << why_not_;
  std::vector<std::string> args = {"--pid-namespace", "--"};
  for (auto& a : DaemonisingJob()) args.push_back(a);
  Ran ran = Run(args);
  EXPECT_TRUE(Exited(ran, 0)) << ran.out;
  // The job saw its daemon run; the namespace's end took it along.
  EXPECT_TRUE(fs::exists(dir_.path() / "daemon.pid"));
  EXPECT_EQ(MarkedProcesses(), std::vector<int>{});
}

TEST_F(SandboxExecTest, WithoutAPidNamespaceTheDaemonOutlivesTheJob) {
  // The control for the case above: what the namespace prevents.
  std::vector<std::string> args = {"--"};
  for (auto& a : DaemonisingJob()) args.push_back(a);
  Ran ran = Run(args);
  EXPECT_TRUE(Exited(ran, 0)) << ran.out;
  EXPECT_EQ(MarkedProcesses().size(), 1u);
}

TEST_F(SandboxExecTest, JobIsPidTwoUnderAnInitWithItsOwnProc) {
  if (!NamespacesAllowed()) GTEST_SKIP() << why_not_;
  Ran ran = Run({"--pid-namespace", "--", "sh", "-c", "echo $$; tr '\\0' ' ' < /proc/1/cmdline"});
  EXPECT_TRUE(Exited(ran, 0)) << ran.out;
  EXPECT_EQ(ran.out.substr(0, 2), "2\n") << ran.out;
  // PID 1 is the init (a fork of sandbox-exec): /proc shows this namespace.
  EXPECT_NE(ran.out.find("sandbox-exec --pid-namespace -- sh -c"), std::string::npos) << ran.out;
}

TEST_F(SandboxExecTest, TmpIsPrivate) {
  if (!NamespacesAllowed()) GTEST_SKIP() << why_not_;
  const fs::path tmp = dir_.path() / ".tmp";
  const std::string name = "gantry-private-tmp-" + marker_;
  Ran ran = Run({"--private-tmp", tmp.string(), "--", "sh", "-c",
                 "echo inside > /tmp/" + name + " && ls /tmp"});
  EXPECT_TRUE(Exited(ran, 0)) << ran.out;
  EXPECT_EQ(ran.out, name + "\n");  // nothing of the host's /tmp in view
  EXPECT_FALSE(fs::exists("/tmp/" + name));
  EXPECT_EQ(ReadFile(tmp / name), "inside\n");
  struct stat st {};
  ASSERT_EQ(::stat(tmp.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 01777u);
}

TEST_F(SandboxExecTest, SigtermToTheOuterReachesTheJobsTrap) {
  if (!NamespacesAllowed()) GTEST_SKIP() << why_not_;
  for (bool to_group : {false, true}) {
    fs::remove(dir_.path() / "ready");
    pid_t pid = Start({"--pid-namespace", "--", "sh", "-c",
                       "trap 'echo got TERM; exit 3' TERM; touch ready; sleep 100 & wait"});
    ASSERT_TRUE(testutil::WaitUntil([&] { return fs::exists(dir_.path() / "ready"); }));
    // The executor signals the group; an operator may signal the process.
    ASSERT_EQ(::kill(to_group ? -pid : pid, SIGTERM), 0);
    Ran ran = Wait(pid);
    EXPECT_TRUE(Exited(ran, 3)) << "to_group=" << to_group << " status=" << ran.status;
    EXPECT_EQ(ran.out, "got TERM\n") << "to_group=" << to_group;
  }
}

TEST_F(SandboxExecTest, AJobKilledBySignalIsMirrored) {
  if (!NamespacesAllowed()) GTEST_SKIP() << why_not_;
  for (int sig : {SIGKILL, SIGTERM, SIGSEGV}) {
    Ran ran = Run({"--pid-namespace", "--", "sh", "-c", "kill -" + std::to_string(sig) + " $$"});
    EXPECT_TRUE(WIFSIGNALED(ran.status)) << sig << " status=" << ran.status;
    EXPECT_EQ(WTERMSIG(ran.status), sig);
    EXPECT_FALSE(WCOREDUMP(ran.status)) << "the outer dumps no core of its own";
  }
  // And exit 137 stays an exit code, not a signal.
  EXPECT_TRUE(Exited(Run({"--pid-namespace", "--", "sh", "-c", "exit 137"}), 137));
}

TEST_F(SandboxExecTest, JobStartsWithNoSignalIgnoredOrBlocked) {
  // gantry itself ignores SIGPIPE, and the init blocks what it waits for.
  const std::string job = "grep -E '^Sig(Blk|Ign)' /proc/self/status";
  const std::string zero = "0000000000000000";
  const std::string want = "SigBlk:\t" + zero + "\nSigIgn:\t" + zero + "\n";
  Ran ran = Run({"--", "sh", "-c", job});
  EXPECT_EQ(ran.out, want);
  if (!NamespacesAllowed()) GTEST_SKIP() << why_not_;
  ran = Run({"--pid-namespace", "--", "sh", "-c", job});
  EXPECT_EQ(ran.out, want);
}

TEST_F(SandboxExecTest, RunsAsTheGivenUser) {
  if (::geteuid() != 0) GTEST_SKIP() << "switching users needs root";
  Ran ran = Run({"--user", "65534:65534", "--", "sh", "-c", "id -u; id -g; id -G"});
  EXPECT_TRUE(Exited(ran, 0)) << ran.out;
  EXPECT_EQ(ran.out, "65534\n65534\n65534\n");  // no supplementary group of root's left
  if (!NamespacesAllowed()) GTEST_SKIP() << why_not_;
  const fs::path tmp = dir_.path() / ".tmp";
  ran = Run({"--pid-namespace", "--private-tmp", tmp.string(), "--user", "65534:65534", "--", "sh",
             "-c", "id -u && touch /tmp/mine && stat -c %u /tmp/mine /tmp"});
  EXPECT_TRUE(Exited(ran, 0)) << ran.out;
  EXPECT_EQ(ran.out, "65534\n65534\n65534\n");
}

TEST_F(SandboxExecTest, MissingCgroupFileFailsBeforeTheJob) {
  Ran ran = Run({"--cgroup-procs", "/nonexistent/cgroup.procs", "--", "sh", "-c", "echo ran"});
  EXPECT_TRUE(Exited(ran, kSandboxExecSetupFailed)) << ran.status;
  EXPECT_EQ(ran.out,
            "gantry sandbox-exec: cannot join cgroup /nonexistent/cgroup.procs: No such file or "
            "directory\n");
}

TEST_F(SandboxExecTest, MissingCommandExits127) {
  Ran ran = Run({"--", "/nonexistent/program"});
  EXPECT_TRUE(Exited(ran, 127)) << ran.status;
  EXPECT_EQ(ran.out,
            "gantry sandbox-exec: cannot exec /nonexistent/program: No such file or directory\n");
  if (!NamespacesAllowed()) GTEST_SKIP() << why_not_;
  EXPECT_TRUE(Exited(Run({"--pid-namespace", "--", "no-such-program-here"}), 127));
}

}  // namespace
}  // namespace gantry::node
