#include <gtest/gtest.h>

#include <filesystem>
#include <random>

#include "coordinator/state/mem_state_store.h"
#include "coordinator/state/rocks_state_store.h"

namespace gantry::coordinator {
namespace {

std::string TempDir() {
  std::random_device rd;
  auto dir = std::filesystem::temp_directory_path() / ("gantry-store-test-" + std::to_string(rd()));
  std::filesystem::create_directories(dir);
  return dir.string();
}

void ExerciseStore(StateStore& store) {
  WriteBatch b;
  b.Put("job/a", "1");
  b.Put("job/b", "2");
  b.Put("node/x", "3");
  ASSERT_TRUE(store.Commit(b).ok());
  EXPECT_EQ(*store.Get("job/a"), "1");
  EXPECT_EQ(store.Get("job/zz").status().code(), StatusCode::kNotFound);

  std::vector<std::string> keys;
  ASSERT_TRUE(store.Scan("job/", [&](std::string_view k, std::string_view) {
    keys.emplace_back(k);
    return true;
  }).ok());
  EXPECT_EQ(keys, (std::vector<std::string>{"job/a", "job/b"}));

  WriteBatch d;
  d.Delete("job/a");
  d.Put("job/b", "22");
  ASSERT_TRUE(store.Commit(d).ok());
  EXPECT_EQ(store.Get("job/a").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(*store.Get("job/b"), "22");
}

std::vector<std::string> AllPairs(const StateView& view) {
  std::vector<std::string> out;
  EXPECT_TRUE(view.Scan("", [&](std::string_view k, std::string_view v) {
    out.push_back(std::string(k) + "=" + std::string(v));
    return true;
  }).ok());
  return out;
}

// A pinned view keeps what was there when it was taken; a buffered commit is
// visible at once; ReplaceAll leaves exactly the new contents.
void ExercisePinAndReplace(StateStore& store) {
  WriteBatch b;
  b.Put("job/a", "1");
  b.Put("m/applied", "7");
  ASSERT_TRUE(store.CommitBuffered(b).ok());
  std::shared_ptr<const StateView> pinned = store.Pin();

  WriteBatch later;
  later.Put("job/a", "changed");
  later.Put("job/b", "2");
  ASSERT_TRUE(store.Commit(later).ok());
  EXPECT_EQ(AllPairs(*pinned), (std::vector<std::string>{"job/a=1", "m/applied=7"}));
  EXPECT_EQ(AllPairs(*store.Pin()), (std::vector<std::string>{"job/a=changed", "job/b=2", "m/applied=7"}));

  ASSERT_TRUE(store.ReplaceAll({{"job/z", "26"}, {"m/applied", "9"}}).ok());
  EXPECT_EQ(AllPairs(*store.Pin()), (std::vector<std::string>{"job/z=26", "m/applied=9"}));
  EXPECT_EQ(store.Get("job/a").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(AllPairs(*pinned), (std::vector<std::string>{"job/a=1", "m/applied=7"}));
}

TEST(MemStateStore, PinnedViewsAndReplaceAll) {
  MemStateStore store;
  ExercisePinAndReplace(store);
}

TEST(RocksStateStore, PinnedViewsAndReplaceAll) {
  auto dir = TempDir();
  {
    auto store = RocksStateStore::Open(dir);
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    ExercisePinAndReplace(**store);
  }
  auto again = RocksStateStore::Open(dir);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(AllPairs(*(*again)->Pin()), (std::vector<std::string>{"job/z=26", "m/applied=9"}));
  std::filesystem::remove_all(dir);
}

TEST(MemStateStore, PutGetScanDelete) {
  MemStateStore store;
  ExerciseStore(store);
}

TEST(MemStateStore, FailedCommitChangesNothing) {
  MemStateStore store;
  store.FailCommitForTesting(1);
  WriteBatch b;
  b.Put("k", "v");
  EXPECT_EQ(store.Commit(b).code(), StatusCode::kUnavailable);
  EXPECT_EQ(store.SizeForTesting(), 0u);
  EXPECT_TRUE(store.Commit(b).ok());
  EXPECT_EQ(store.SizeForTesting(), 1u);
}

TEST(RocksStateStore, PutGetScanDelete) {
  auto dir = TempDir();
  auto store = RocksStateStore::Open(dir);
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  ExerciseStore(**store);
  std::filesystem::remove_all(dir);
}

TEST(RocksStateStore, SurvivesReopen) {
  auto dir = TempDir();
  {
    auto store = RocksStateStore::Open(dir);
    ASSERT_TRUE(store.ok());
    WriteBatch b;
    b.Put("m/applied", "42");
    ASSERT_TRUE((*store)->Commit(b).ok());
  }
  auto again = RocksStateStore::Open(dir);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(*(*again)->Get("m/applied"), "42");
  std::filesystem::remove_all(dir);
}

TEST(RocksStateStore, SecondOpenOfSameDirIsRefused) {
  auto dir = TempDir();
  auto first = RocksStateStore::Open(dir);
  ASSERT_TRUE(first.ok());
  auto second = RocksStateStore::Open(dir);
  EXPECT_FALSE(second.ok());
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace gantry::coordinator
