#include "node/disk_watch.h"

#include <fcntl.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <string>
#include <vector>

#include "node/test_util.h"

namespace gantry::node {
namespace {

namespace fs = std::filesystem;
constexpr uint64_t kMiB = 1024 * 1024;

// Writes `mib` MiB of real (non-zero) data at `offset_mib` into `file`.
void WriteMib(const fs::path& file, uint64_t mib, uint64_t offset_mib = 0) {
  int fd = ::open(file.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
  ASSERT_GE(fd, 0);
  std::vector<char> block(kMiB, 'x');
  for (uint64_t i = 0; i < mib; ++i) {
    ASSERT_EQ(::pwrite(fd, block.data(), block.size(), static_cast<off_t>((offset_mib + i) * kMiB)),
              static_cast<ssize_t>(kMiB));
  }
  ASSERT_EQ(::fsync(fd), 0);  // allocate the blocks now, so st_blocks shows them
  ::close(fd);
}

TEST(DiskUsageBytes, CountsAllocatedBlocksOfEveryFileBelow) {
  testutil::TempDir dir;
  fs::create_directories(dir.path() / "a" / "b");
  WriteMib(dir.path() / "one", 1);
  WriteMib(dir.path() / "a" / "b" / "two", 2);
  Result<uint64_t> used = DiskUsageBytes(dir.path());
  ASSERT_TRUE(used.ok()) << used.status().ToString();
  EXPECT_GE(*used, 3 * kMiB);
  EXPECT_LT(*used, 4 * kMiB) << "directories hold a few KiB, not a MiB";
}

TEST(DiskUsageBytes, SparseFilesCountWhatTheyHoldAndHardLinksCountOnce) {
  testutil::TempDir dir;
  WriteMib(dir.path() / "sparse", 1, /*offset_mib=*/1000);  // 1001 MiB long, 1 MiB held
  WriteMib(dir.path() / "linked", 2);
  fs::create_hard_link(dir.path() / "linked", dir.path() / "linked-again");
  fs::create_symlink("/usr", dir.path() / "not-followed");
  Result<uint64_t> used = DiskUsageBytes(dir.path());
  ASSERT_TRUE(used.ok()) << used.status().ToString();
  EXPECT_GE(*used, 3 * kMiB);
  EXPECT_LT(*used, 4 * kMiB);
}

TEST(DiskUsageBytes, MissingRootIsUnavailable) {
  Result<uint64_t> used = DiskUsageBytes("/nonexistent/gantry-disk-watch");
  ASSERT_FALSE(used.ok());
  EXPECT_EQ(used.status().code(), StatusCode::kUnavailable);
  EXPECT_THAT(used.status().message(), ::testing::HasSubstr("/nonexistent/gantry-disk-watch"));
}

TEST(ExceedsDiskRequest, OnlyPastTheRequest) {
  EXPECT_FALSE(ExceedsDiskRequest(1024 * kMiB, 1024));
  EXPECT_TRUE(ExceedsDiskRequest(1024 * kMiB + 1, 1024));
  EXPECT_EQ(DiskExceededDetail(1200 * kMiB, 1024),
            "Job scratch disk exceeded its request: 1200 MiB used, 1024 MiB requested");
}

class DiskWatchTest : public ::testing::Test {
 protected:
  DiskWatchTest() { uv_loop_init(&loop_); }
  ~DiskWatchTest() override {
    bool closed = false;
    watch_.Close([&] { closed = true; });
    uv_run(&loop_, UV_RUN_DEFAULT);
    EXPECT_TRUE(closed);
    EXPECT_EQ(uv_loop_close(&loop_), 0);
  }
  // Polls and runs the loop until every measurement has returned.
  void PollOnce() {
    watch_.Poll();
    uv_run(&loop_, UV_RUN_DEFAULT);
  }

  uv_loop_t loop_{};
  struct Over {
    std::string attempt_id;
    uint64_t used = 0;
    uint64_t limit = 0;
  };
  std::vector<Over> over_;
  DiskWatch watch_{&loop_, [this](const std::string& id, uint64_t used, uint64_t limit) {
                     over_.push_back({id, used, limit});
                   }};
  testutil::TempDir dir_;
};

TEST_F(DiskWatchTest, ReportsAnAttemptPastItsRequestOnceAndForgetsIt) {
  fs::create_directories(dir_.path() / "big");
  fs::create_directories(dir_.path() / "small");
  WriteMib(dir_.path() / "big" / "f", 3);
  WriteMib(dir_.path() / "small" / "f", 1);
  watch_.Add("big", dir_.path() / "big", 2);
  watch_.Add("small", dir_.path() / "small", 2);
  PollOnce();
  ASSERT_EQ(over_.size(), 1u);
  EXPECT_EQ(over_[0].attempt_id, "big");
  EXPECT_GE(over_[0].used, 3 * kMiB);
  EXPECT_EQ(over_[0].limit, 2u);
  EXPECT_EQ(watch_.watched(), 1u);
  PollOnce();
  EXPECT_EQ(over_.size(), 1u) << "reported once";

  WriteMib(dir_.path() / "small" / "g", 2);  // now 3 MiB
  PollOnce();
  ASSERT_EQ(over_.size(), 2u);
  EXPECT_EQ(over_[1].attempt_id, "small");
}

TEST_F(DiskWatchTest, RemovedAttemptIsNotReportedEvenWithAMeasurementInFlight) {
  fs::create_directories(dir_.path() / "a");
  WriteMib(dir_.path() / "a" / "f", 2);
  watch_.Add("a", dir_.path() / "a", 1);
  watch_.Poll();
  EXPECT_EQ(watch_.in_flight(), 1u);
  watch_.Remove("a");
  uv_run(&loop_, UV_RUN_DEFAULT);
  EXPECT_TRUE(over_.empty());
  EXPECT_EQ(watch_.in_flight(), 0u);
}

TEST_F(DiskWatchTest, VanishedScratchIsNotOver) {
  watch_.Add("gone", dir_.path() / "never-created", 1);
  PollOnce();
  EXPECT_TRUE(over_.empty());
  EXPECT_EQ(watch_.watched(), 1u);
}

}  // namespace
}  // namespace gantry::node
