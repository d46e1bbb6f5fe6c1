#include "node/sandbox_fs.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include "node/test_util.h"

namespace gantry::node {
namespace {

namespace fs = std::filesystem;
using ::testing::UnorderedElementsAre;
using testutil::TempDir;

TEST(PrepareSandbox, CreatesDirectoriesAndTruncatesTheLog) {
  TempDir tmp;
  SandboxPaths paths{tmp.path() / "scratch/a1", tmp.path() / "logs/j1/1",
                     tmp.path() / "logs/j1/1/output.log"};
  fs::create_directories(paths.log_dir);
  testutil::WriteFile(paths.log_file, "old output");
  Result<int> fd = PrepareSandbox(paths);
  ASSERT_TRUE(fd.ok()) << fd.status().ToString();
  ::close(*fd);
  EXPECT_TRUE(fs::is_directory(paths.scratch_dir));
  EXPECT_EQ(fs::file_size(paths.log_file), 0u);
}

TEST(PrepareSandbox, FailsWhenAParentIsAFile) {
  TempDir tmp;
  testutil::WriteFile(tmp.path() / "file", "x");
  SandboxPaths paths{tmp.path() / "file/scratch", tmp.path() / "logs", tmp.path() / "logs/o.log"};
  Result<int> fd = PrepareSandbox(paths);
  ASSERT_FALSE(fd.ok());
  EXPECT_EQ(fd.status().code(), StatusCode::kUnavailable);
}

TEST(RemoveScratch, RemovesAPlainScratchDirectory) {
  TempDir tmp;
  SandboxPaths paths{tmp.path() / "scratch/a1", tmp.path() / "logs/j1/1",
                     tmp.path() / "logs/j1/1/output.log"};
  Result<int> fd = PrepareSandbox(paths);
  ASSERT_TRUE(fd.ok()) << fd.status().ToString();
  ::close(*fd);
  testutil::WriteFile(paths.scratch_dir / "f", "x");
  EXPECT_TRUE(RemoveScratch(paths).ok());
  EXPECT_FALSE(fs::exists(paths.scratch_dir));
  EXPECT_TRUE(fs::exists(paths.log_file));
}

TEST(PrepareSandbox, ReportsAScratchFilesystemItCannotMake) {
  TempDir tmp;
  // The image's directory is a file, so the scratch filesystem cannot be made
  // whoever runs the test.
  testutil::WriteFile(tmp.path() / "images", "x");
  SandboxPaths paths{tmp.path() / "scratch/a1", tmp.path() / "logs/j1/1",
                     tmp.path() / "logs/j1/1/output.log", tmp.path() / "images/a1.img", 64};
  Result<int> fd = PrepareSandbox(paths);
  ASSERT_FALSE(fd.ok());
  EXPECT_EQ(fd.status().code(), StatusCode::kUnavailable);
  EXPECT_THAT(fd.status().message(), ::testing::HasSubstr("scratch filesystem"));
  EXPECT_TRUE(RemoveScratch(paths).ok());
}

TEST(RemoveTree, RemovesReadOnlyTreesAndNotSymlinkTargets) {
  TempDir tmp;
  fs::path keep = tmp.path() / "keep";
  fs::create_directories(keep);
  testutil::WriteFile(keep / "precious", "x");
  fs::path victim = tmp.path() / "victim";
  fs::create_directories(victim / "a/b");
  testutil::WriteFile(victim / "a/b/f", "x");
  fs::create_directory_symlink(keep, victim / "link");
  fs::permissions(victim / "a/b", fs::perms::owner_read | fs::perms::owner_exec);
  fs::permissions(victim / "a", fs::perms::owner_read | fs::perms::owner_exec);
  EXPECT_TRUE(RemoveTree(victim).ok());
  EXPECT_FALSE(fs::exists(victim));
  EXPECT_TRUE(fs::exists(keep / "precious"));
  EXPECT_TRUE(RemoveTree(tmp.path() / "missing").ok());
}

TEST(SweepScratch, RemovesLeftoversAndCreatesTheRoot) {
  TempDir tmp;
  SweepResult empty = SweepScratch(tmp.path());
  EXPECT_TRUE(empty.status.ok());
  EXPECT_TRUE(empty.removed.empty());
  EXPECT_TRUE(fs::is_directory(ScratchRoot(tmp.path())));

  fs::create_directories(ScratchRoot(tmp.path()) / "a1/deep");
  testutil::WriteFile(ScratchRoot(tmp.path()) / "a2", "stray file");
  fs::create_directories(LogRoot(tmp.path()) / "j1/1");
  SweepResult swept = SweepScratch(tmp.path());
  EXPECT_TRUE(swept.status.ok()) << swept.status.ToString();
  EXPECT_THAT(swept.removed, UnorderedElementsAre("a1", "a2"));
  EXPECT_TRUE(fs::is_empty(ScratchRoot(tmp.path())));
  EXPECT_TRUE(fs::exists(LogRoot(tmp.path()) / "j1/1"));  // logs are kept
}

}  // namespace
}  // namespace gantry::node

namespace gantry::node {
namespace {

TEST(SummarizePendingCleanups, CountsWhatTheyHoldAndQuotesTheLatestError) {
  EXPECT_EQ(SummarizePendingCleanups({}).text, "");
  EXPECT_EQ(SummarizePendingCleanups({}).held_mib, 0u);
  ScratchCleanupFailure loop{.paths = {.scratch_disk_mib = 1024}, .error = "first"};
  ScratchCleanupFailure watched{.paths = {.watched_disk_mib = 64}, .error = "unmount: busy"};
  PendingCleanupSummary one = SummarizePendingCleanups({loop});
  EXPECT_EQ(one.held_mib, 1024u);
  EXPECT_EQ(one.text, "1 scratch cleanup pending, 1024 MiB held: first");
  PendingCleanupSummary two = SummarizePendingCleanups({loop, watched});
  EXPECT_EQ(two.held_mib, 1088u);
  EXPECT_EQ(two.text, "2 scratch cleanups pending, 1088 MiB held: unmount: busy");
  watched.error.assign(2000, 'e');
  EXPECT_EQ(SummarizePendingCleanups({watched}).text.size(), 512u);
}

}  // namespace
}  // namespace gantry::node
