// Log retention: the choice (pure), measuring and deleting real directories,
// and a background run on a real libuv loop.
#include "node/log_retention.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <set>

#include "node/test_util.h"

namespace gantry::node {
namespace {

namespace fs = std::filesystem;
using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::UnorderedElementsAre;

auto LiveIn(std::set<fs::path> live) {
  return [live = std::move(live)](const fs::path& p) { return live.contains(p); };
}

TEST(ChooseLogVictims, DeletesOldestEndedFirstUntilUnderTheBudget) {
  std::vector<AttemptLogDir> dirs = {
      {"/l/c/1", 300, 30}, {"/l/a/1", 100, 10}, {"/l/b/1", 200, 20}, {"/l/d/1", 400, 40}};
  RetentionPlan plan = ChooseLogVictims(dirs, LiveIn({}), 700);
  EXPECT_THAT(plan.victims, ElementsAre("/l/a/1", "/l/b/1"));
  EXPECT_EQ(plan.total_bytes, 1000u);
  EXPECT_EQ(plan.bytes_after, 700u);  // exactly the budget is fine
}

TEST(ChooseLogVictims, NeverChoosesALiveAttemptEvenTheOldest) {
  std::vector<AttemptLogDir> dirs = {{"/l/a/1", 100, 10}, {"/l/b/1", 200, 20}, {"/l/c/1", 300, 30}};
  RetentionPlan plan = ChooseLogVictims(dirs, LiveIn({"/l/a/1"}), 250);
  EXPECT_THAT(plan.victims, ElementsAre("/l/b/1", "/l/c/1"));
  EXPECT_EQ(plan.bytes_after, 100u);
}

TEST(ChooseLogVictims, OnlyLiveLogsOverTheBudgetLeaveNothingToDelete) {
  std::vector<AttemptLogDir> dirs = {{"/l/a/1", 100, 10}, {"/l/b/1", 200, 20}};
  RetentionPlan plan = ChooseLogVictims(dirs, LiveIn({"/l/a/1", "/l/b/1"}), 10);
  EXPECT_THAT(plan.victims, IsEmpty());
  EXPECT_EQ(plan.bytes_after, 300u);
  EXPECT_THAT(ChooseLogVictims(dirs, LiveIn({}), 300).victims, IsEmpty());
}

TEST(ChooseLogVictims, EqualAgesGoInPathOrder) {
  std::vector<AttemptLogDir> dirs = {{"/l/b/1", 10, 5}, {"/l/a/2", 10, 5}, {"/l/a/1", 10, 5}};
  EXPECT_THAT(ChooseLogVictims(dirs, LiveIn({}), 10).victims, ElementsAre("/l/a/1", "/l/a/2"));
}

class LogRetentionFsTest : public ::testing::Test {
 protected:
  // An attempt log of `bytes` bytes last written `age_s` seconds ago.
  fs::path MakeLog(const std::string& job, int n, size_t bytes, int age_s) {
    fs::path dir = root_ / job / std::to_string(n);
    fs::create_directories(dir);
    testutil::WriteFile(dir / "output.log", std::string(bytes, 'x'));
    const auto when = fs::file_time_type::clock::now() - std::chrono::seconds(age_s);
    fs::last_write_time(dir / "output.log", when);
    fs::last_write_time(dir, when);
    return dir;
  }

  testutil::TempDir tmp_;
  fs::path root_ = tmp_.path() / "logs";
};

TEST_F(LogRetentionFsTest, MeasuresEachAttemptDirectory) {
  fs::path a = MakeLog("job-a", 1, 1000, 300);
  fs::path b = MakeLog("job-a", 2, 10, 100);
  testutil::WriteFile(b / "output.log.1", std::string(500, 'y'));
  fs::last_write_time(b / "output.log.1", fs::file_time_type::clock::now() - std::chrono::seconds(200));
  testutil::WriteFile(root_ / "stray-file", "not an attempt");
  Result<std::vector<AttemptLogDir>> dirs = MeasureLogDirs(root_);
  ASSERT_TRUE(dirs.ok()) << dirs.status().ToString();
  ASSERT_EQ(dirs->size(), 2u);
  const AttemptLogDir& first = (*dirs)[0].dir == a ? (*dirs)[0] : (*dirs)[1];
  const AttemptLogDir& second = (*dirs)[0].dir == a ? (*dirs)[1] : (*dirs)[0];
  EXPECT_EQ(first.bytes, 1000u);
  EXPECT_EQ(second.bytes, 510u);
  EXPECT_LT(first.last_write_ns, second.last_write_ns);  // b was written to since

  EXPECT_TRUE(MeasureLogDirs(tmp_.path() / "none").ok());  // no logs yet
}

TEST_F(LogRetentionFsTest, DeletesAttemptsAndEmptiedJobDirectories) {
  fs::path a1 = MakeLog("job-a", 1, 10, 10);
  fs::path a2 = MakeLog("job-a", 2, 10, 10);
  fs::path b1 = MakeLog("job-b", 1, 10, 10);
  EXPECT_TRUE(DeleteLogDirs({a1, b1}).ok());
  EXPECT_TRUE(fs::exists(root_ / "job-b"));
  RemoveEmptyJobDirs({a1, b1});
  EXPECT_FALSE(fs::exists(a1));
  EXPECT_TRUE(fs::exists(a2));  // job-a still holds attempt 2
  EXPECT_FALSE(fs::exists(root_ / "job-b"));
}

TEST_F(LogRetentionFsTest, BackgroundRunKeepsLiveAndNewestLogs) {
  fs::path oldest = MakeLog("job-a", 1, 4000, 400);
  fs::path live = MakeLog("job-b", 1, 4000, 300);  // old, but still written to
  fs::path older = MakeLog("job-c", 1, 4000, 200);
  fs::path newest = MakeLog("job-d", 1, 4000, 100);
  uv_loop_t loop;
  ASSERT_EQ(uv_loop_init(&loop), 0);
  {
    LogRetention retention(&loop, testutil::TestLogger("agent"), root_, 9000,
                           [&] { return std::vector<fs::path>{live}; });
    retention.Trigger();
    EXPECT_TRUE(retention.busy());
    retention.Trigger();  // one run at a time: this one does nothing
    ASSERT_TRUE(testutil::RunLoopUntil(&loop, [&] { return !retention.busy(); }));
  }
  testutil::CloseLoop(&loop);
  EXPECT_FALSE(fs::exists(oldest));
  EXPECT_FALSE(fs::exists(older));
  EXPECT_FALSE(fs::exists(root_ / "job-a"));  // emptied, so gone too
  EXPECT_TRUE(fs::exists(live));
  EXPECT_TRUE(fs::exists(newest));
  Result<std::vector<AttemptLogDir>> left = MeasureLogDirs(root_);
  ASSERT_TRUE(left.ok());
  std::vector<fs::path> kept;
  for (const auto& d : *left) kept.push_back(d.dir);
  EXPECT_THAT(kept, UnorderedElementsAre(live, newest));
}

TEST_F(LogRetentionFsTest, RunNowAtStartDeletesWhatAnEarlierRunLeft) {
  fs::path old_log = MakeLog("job-a", 1, 3000, 200);
  fs::path new_log = MakeLog("job-a", 2, 3000, 100);
  uv_loop_t loop;
  ASSERT_EQ(uv_loop_init(&loop), 0);
  {
    LogRetention retention(&loop, testutil::TestLogger("agent"), root_, 5000,
                           [] { return std::vector<fs::path>{}; });
    retention.RunNow();
  }
  testutil::CloseLoop(&loop);
  EXPECT_FALSE(fs::exists(old_log));
  EXPECT_TRUE(fs::exists(new_log));
}

}  // namespace
}  // namespace gantry::node
