// Real loop-ext4 scratch filesystems: needs root, /dev/loop-control and
// mkfs.ext4, and skips with the reason otherwise.
#include "node/disk_quota_fs.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "node/sandbox.h"
#include "node/sandbox_fs.h"
#include "node/test_util.h"

namespace gantry::node {
namespace {

namespace fs = std::filesystem;
using ::testing::Contains;
using ::testing::HasSubstr;

std::string MissingPrerequisite() {
  if (::geteuid() != 0) return "mounting needs root";
  if (::access("/dev/loop-control", R_OK | W_OK) != 0) return "no /dev/loop-control";
  if (::access("/usr/sbin/mkfs.ext4", X_OK) != 0 && ::access("/sbin/mkfs.ext4", X_OK) != 0) {
    return "mkfs.ext4 (e2fsprogs) is not installed";
  }
  return "";
}

// Checked without the code under test: the kernel's own lists.
bool MountinfoMentions(const fs::path& path) {
  return testutil::ReadFile("/proc/self/mountinfo").find(" " + path.string() + " ") !=
         std::string::npos;
}

bool SomeLoopDeviceReads(const fs::path& path) {
  std::error_code ec;
  for (fs::directory_iterator it("/sys/block", ec); !ec && it != fs::directory_iterator();
       it.increment(ec)) {
    fs::path backing = it->path() / "loop/backing_file";
    if (fs::exists(backing) &&
        testutil::ReadFile(backing).starts_with(path.string())) {
      return true;
    }
  }
  return false;
}

double MsSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
      .count();
}

// A process holding `file` open until killed; returns its pid once the file is open.
pid_t HoldOpen(const fs::path& file) {
  int ready[2];
  EXPECT_EQ(::pipe(ready), 0);
  pid_t pid = ::fork();
  if (pid == 0) {
    int fd = ::open(file.c_str(), O_WRONLY | O_CREAT, 0600);
    char ok = fd >= 0 ? 'y' : 'n';
    (void)!::write(ready[1], &ok, 1);
    for (;;) ::pause();
  }
  ::close(ready[1]);
  char ok = 0;
  EXPECT_EQ(::read(ready[0], &ok, 1), 1);
  EXPECT_EQ(ok, 'y');
  ::close(ready[0]);
  return pid;
}

void Kill(pid_t pid) {
  ::kill(pid, SIGKILL);
  ::waitpid(pid, nullptr, 0);
}

class ScratchFilesystem : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string missing = MissingPrerequisite();
    if (!missing.empty()) GTEST_SKIP() << missing;
    data_ = fs::canonical(tmp_.path());
  }
  // Whatever a failed test left mounted comes off before TempDir deletes.
  void TearDown() override {
    if (!data_.empty()) SweepScratch(data_).status.IgnoreError();
  }
  fs::path Scratch(const std::string& name) const { return ScratchRoot(data_) / name; }
  fs::path Image(const std::string& name) const { return ScratchImagePath(data_, name); }

  testutil::TempDir tmp_;
  fs::path data_;
};

TEST_F(ScratchFilesystem, AJobWritingPastItsSizeGetsEnospc) {
  ASSERT_TRUE(CreateScratchFilesystem(Image("a1"), Scratch("a1"), 64).ok());
  EXPECT_TRUE(IsMountPoint(Scratch("a1")));
  EXPECT_TRUE(fs::is_empty(Scratch("a1")));  // no lost+found in the job's HOME
  // What a job would run in its scratch directory.
  const fs::path out = data_ / "dd.out";
  std::string command = "cd " + Scratch("a1").string() +
                        " && dd if=/dev/zero of=f bs=1M count=200 2>" + out.string();
  EXPECT_NE(std::system(command.c_str()), 0);
  EXPECT_THAT(testutil::ReadFile(out), HasSubstr("No space left on device"));
  EXPECT_LT(fs::file_size(Scratch("a1") / "f"), uint64_t{64} << 20);
  // The node's disk holds at most the image's size, not the 200 MiB asked.
  struct stat image {};
  ASSERT_EQ(::stat(Image("a1").c_str(), &image), 0);
  EXPECT_LE(static_cast<uint64_t>(image.st_blocks) * 512, uint64_t{64} << 20);
  EXPECT_TRUE(RemoveScratchFilesystem(Image("a1"), Scratch("a1")).ok());
}

TEST_F(ScratchFilesystem, TwoAttemptsGetSeparateFilesystems) {
  ASSERT_TRUE(CreateScratchFilesystem(Image("a1"), Scratch("a1"), 16).ok());
  ASSERT_TRUE(CreateScratchFilesystem(Image("a2"), Scratch("a2"), 16).ok());
  struct stat one {}, two {}, root {};
  ASSERT_EQ(::stat(Scratch("a1").c_str(), &one), 0);
  ASSERT_EQ(::stat(Scratch("a2").c_str(), &two), 0);
  ASSERT_EQ(::stat(data_.c_str(), &root), 0);
  EXPECT_NE(one.st_dev, two.st_dev);
  EXPECT_NE(one.st_dev, root.st_dev);
  // Filling one leaves the other writable.
  std::string fill = "dd if=/dev/zero of=" + (Scratch("a1") / "f").string() +
                     " bs=1M count=64 2>/dev/null";
  EXPECT_NE(std::system(fill.c_str()), 0);
  testutil::WriteFile(Scratch("a2") / "g", std::string(1 << 20, 'x'));
  EXPECT_EQ(fs::file_size(Scratch("a2") / "g"), uint64_t{1} << 20);
  EXPECT_TRUE(RemoveScratchFilesystem(Image("a1"), Scratch("a1")).ok());
  EXPECT_TRUE(RemoveScratchFilesystem(Image("a2"), Scratch("a2")).ok());
}

TEST_F(ScratchFilesystem, RemovalLeavesNoMountLoopDeviceOrImage) {
  constexpr int kRounds = 5;
  double create_ms = 0, remove_ms = 0;
  for (int i = 0; i < kRounds; ++i) {
    auto start = std::chrono::steady_clock::now();
    ASSERT_TRUE(CreateScratchFilesystem(Image("a1"), Scratch("a1"), 1024).ok());
    create_ms += MsSince(start);
    testutil::WriteFile(Scratch("a1") / "f", std::string(10 << 20, 'x'));
    ASSERT_TRUE(MountinfoMentions(Scratch("a1")));
    ASSERT_TRUE(SomeLoopDeviceReads(Image("a1")));
    start = std::chrono::steady_clock::now();
    Status removed = RemoveScratchFilesystem(Image("a1"), Scratch("a1"));
    remove_ms += MsSince(start);
    ASSERT_TRUE(removed.ok()) << removed.ToString();
    EXPECT_FALSE(MountinfoMentions(Scratch("a1")));
    EXPECT_FALSE(SomeLoopDeviceReads(Image("a1")));
    EXPECT_FALSE(fs::exists(Image("a1")));
  }
  std::printf("loop-ext4 1024 MiB scratch, 10 MiB written: create+mount %.1f ms, "
              "unmount+detach+delete %.1f ms (mean of %d)\n",
              create_ms / kRounds, remove_ms / kRounds, kRounds);
}

TEST_F(ScratchFilesystem, RemovingWhatWasNeverMadeIsFine) {
  EXPECT_TRUE(RemoveScratchFilesystem(Image("never"), Scratch("never")).ok());
}

TEST_F(ScratchFilesystem, RejectsAZeroSize) {
  EXPECT_EQ(CreateScratchFilesystem(Image("a1"), Scratch("a1"), 0).code(),
            StatusCode::kInvalidArgument);
}

TEST_F(ScratchFilesystem, SweepClearsWhatACrashedAgentLeftHeldOpen) {
  ASSERT_TRUE(CreateScratchFilesystem(Image("a1"), Scratch("a1"), 64).ok());
  testutil::WriteFile(Scratch("a1") / "data", "job output");
  // The job held a file in its scratch when the agent died; the attempt's
  // cgroup kill got it afterwards.
  Kill(HoldOpen(Scratch("a1") / "held"));
  SweepResult swept = SweepScratch(data_);
  ASSERT_TRUE(swept.status.ok()) << swept.status.ToString();
  EXPECT_THAT(swept.unmounted, Contains(Scratch("a1").string()));
  EXPECT_THAT(swept.removed_images, Contains("a1.img"));
  EXPECT_THAT(swept.removed, Contains("a1"));
  EXPECT_FALSE(MountinfoMentions(Scratch("a1")));
  EXPECT_FALSE(SomeLoopDeviceReads(ScratchImageRoot(data_)));
  EXPECT_FALSE(fs::exists(Image("a1")));
  EXPECT_FALSE(fs::exists(Scratch("a1")));
}

TEST_F(ScratchFilesystem, CleanupHeldUpByALiveProcessIsReportedAndRetried) {
  SandboxPaths paths{Scratch("a1"), data_ / "logs/j/1", data_ / "logs/j/1/output.log",
                     Image("a1"), 32};
  Result<int> log = PrepareSandbox(paths);
  ASSERT_TRUE(log.ok()) << log.status().ToString();
  ::close(*log);
  ASSERT_TRUE(IsMountPoint(paths.scratch_dir));
  pid_t holder = HoldOpen(paths.scratch_dir / "held");
  Status removed = RemoveScratch(paths);
  EXPECT_EQ(removed.code(), StatusCode::kUnavailable);
  EXPECT_THAT(removed.message(), HasSubstr("still backed by"));
  std::vector<ScratchCleanupFailure> pending = PendingScratchCleanups();
  auto mine = std::find_if(pending.begin(), pending.end(), [&](const ScratchCleanupFailure& f) {
    return f.paths.scratch_dir == paths.scratch_dir;
  });
  ASSERT_NE(mine, pending.end());
  EXPECT_THAT(mine->error, HasSubstr("still backed by"));
  EXPECT_TRUE(fs::exists(paths.scratch_image));  // kept, so the retry can find it

  Kill(holder);
  RetryPendingScratchCleanups();
  pending = PendingScratchCleanups();
  EXPECT_EQ(std::count_if(pending.begin(), pending.end(),
                          [&](const ScratchCleanupFailure& f) {
                            return f.paths.scratch_dir == paths.scratch_dir;
                          }),
            0);
  EXPECT_FALSE(MountinfoMentions(paths.scratch_dir));
  EXPECT_FALSE(SomeLoopDeviceReads(paths.scratch_image));
  EXPECT_FALSE(fs::exists(paths.scratch_image));
  EXPECT_FALSE(fs::exists(paths.scratch_dir));
}

TEST_F(ScratchFilesystem, ProbeChoosesLoopExt4AndLeavesNothingBehind) {
  Result<DiskQuotaChoice> choice = ChooseDiskQuota(data_, DiskQuotaMode::kAuto);
  ASSERT_TRUE(choice.ok()) << choice.status().ToString();
  EXPECT_EQ(choice->method, DiskQuotaMethod::kLoopExt4) << choice->reason;
  EXPECT_THAT(choice->reason, HasSubstr("btrfs-qgroup"));
  EXPECT_FALSE(SomeLoopDeviceReads(ScratchImageRoot(data_)));
  EXPECT_TRUE(fs::is_empty(ScratchRoot(data_)));
  EXPECT_TRUE(fs::is_empty(ScratchImageRoot(data_)));
}

}  // namespace
}  // namespace gantry::node
