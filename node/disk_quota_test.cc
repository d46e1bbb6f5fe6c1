#include "node/disk_quota.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace gantry::node {
namespace {

namespace fs = std::filesystem;
using ::testing::ElementsAre;

TEST(ParseDiskQuotaMode, AcceptsTheThreeModesAndNamesTheFlagOtherwise) {
  EXPECT_EQ(*ParseDiskQuotaMode("auto"), DiskQuotaMode::kAuto);
  EXPECT_EQ(*ParseDiskQuotaMode("none"), DiskQuotaMode::kNone);
  EXPECT_EQ(*ParseDiskQuotaMode("loop-ext4"), DiskQuotaMode::kLoopExt4);
  EXPECT_EQ(*ParseDiskQuotaMode("watch"), DiskQuotaMode::kWatch);
  Result<DiskQuotaMode> bad = ParseDiskQuotaMode("xfs");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(bad.status().message(), ::testing::HasSubstr("--job-disk-quota"));
}

TEST(DiskQuotaMethodName, NamesEachMethod) {
  EXPECT_EQ(DiskQuotaMethodName(DiskQuotaMethod::kNone), "none");
  EXPECT_EQ(DiskQuotaMethodName(DiskQuotaMethod::kLoopExt4), "loop-ext4");
  EXPECT_EQ(DiskQuotaMethodName(DiskQuotaMethod::kWatch), "watch");
}

TEST(JobDiskMib, UsesTheRequestOrTheDefaultForZero) {
  EXPECT_EQ(JobDiskMib(64, 1024), 64u);
  EXPECT_EQ(JobDiskMib(0, 1024), 1024u);
}

TEST(CheckFreeDisk, AcceptsAtOrAboveTheThreshold) {
  EXPECT_TRUE(CheckFreeDisk(1024, 1024).accept_work);
  EXPECT_TRUE(CheckFreeDisk(5000, 1024).reason.empty());
  EXPECT_TRUE(CheckFreeDisk(0, 0).accept_work);
}

TEST(CheckFreeDisk, RefusesBelowTheThresholdAndSaysWhy) {
  FreeDiskVerdict verdict = CheckFreeDisk(800, 1024);
  EXPECT_FALSE(verdict.accept_work);
  EXPECT_EQ(verdict.reason, "free disk 800 MiB is below the 1024 MiB threshold");
  EXPECT_FALSE(CheckFreeDisk(1023, 1024).accept_work);
}

TEST(ScratchImagePath, LivesBesideTheScratchRoot) {
  EXPECT_EQ(ScratchImagePath("/data", "a1.3"), fs::path("/data/scratch-images/a1.3.img"));
  EXPECT_EQ(ScratchImageRoot("/data"), fs::path("/data/scratch-images"));
}

constexpr std::string_view kMountinfo =
    "22 1 254:1 / / rw,relatime shared:1 - ext4 /dev/vda1 rw\n"
    "40 22 7:0 / /data/scratch/a1 rw,nosuid,nodev shared:20 - ext4 /dev/loop0 rw\n"
    "41 22 7:1 / /data/scratch/with\\040space rw shared:21 - ext4 /dev/loop1 rw\n"
    "42 40 0:50 / /data/scratch/a1/inner rw shared:22 - tmpfs tmpfs rw\n"
    "43 22 7:2 / /data/scratchy rw shared:23 - ext4 /dev/loop2 rw\n"
    "garbage\n"
    "44 22 0:51 / /data/scratch rw shared:24 - tmpfs tmpfs rw\n";

TEST(MountPointsUnder, ListsMountsBelowTheRootDeepestFirst) {
  EXPECT_THAT(MountPointsUnder(kMountinfo, "/data/scratch"),
              ElementsAre(fs::path("/data/scratch/a1/inner"), fs::path("/data/scratch/a1"),
                          fs::path("/data/scratch/with space"), fs::path("/data/scratch")));
  EXPECT_THAT(MountPointsUnder(kMountinfo, "/data/scratch/"),
              ElementsAre(fs::path("/data/scratch/a1/inner"), fs::path("/data/scratch/a1"),
                          fs::path("/data/scratch/with space"), fs::path("/data/scratch")));
  EXPECT_TRUE(MountPointsUnder(kMountinfo, "/elsewhere").empty());
  EXPECT_TRUE(MountPointsUnder("", "/data").empty());
}

TEST(ParseBackingFile, DropsTheNewlineAndTheDeletedMark) {
  EXPECT_EQ(ParseBackingFile("/data/scratch-images/a1.img\n"),
            fs::path("/data/scratch-images/a1.img"));
  EXPECT_EQ(ParseBackingFile("/data/scratch-images/a1.img (deleted)\n"),
            fs::path("/data/scratch-images/a1.img"));
}

}  // namespace
}  // namespace gantry::node
