// Snapshots (FSM v3) and catch-up through InstallSnapshot (§3, §4, §6.3).
#include <chrono>

#include "coordinator/raft/raft_test_util.h"

namespace gantry::coordinator::raft {
namespace {

using RaftSnapshot = RaftClusterTest;

// Proposes `n` entries of `size` bytes from `on`, `k` per call, up to 16
// calls in flight; appends them to `expected` in log order.
::testing::AssertionResult Pump(RaftClusterTest& t, int on, size_t& seq, size_t n, size_t k, size_t size,
                                std::vector<std::string>& expected) {
  size_t issued = 0, done = 0;
  int in_flight = 0;
  bool failed = false;
  bool ok = t.RunUntil([&] {
    while (in_flight < 16 && issued < n) {
      std::vector<std::string> batch;
      for (size_t i = 0; i < k && issued < n; ++i, ++issued) batch.push_back(MakePayload(seq++, size));
      expected.insert(expected.end(), batch.begin(), batch.end());
      ++in_flight;
      // Counted before the call: the order in which its arguments are
      // made is unspecified, and the vector may be moved from first.
      const size_t m = batch.size();
      t.node(on).Propose(std::move(batch), [&, m](Status s) {
        failed |= !s.ok();
        --in_flight;
        done += m;
      });
    }
    return done == n || failed;
  });
  if (!ok || failed) return ::testing::AssertionFailure() << "proposals failed or timed out";
  return ::testing::AssertionSuccess();
}

TEST_F(RaftSnapshot, StoppedFollowerCatchesUpThroughInstallSnapshotWithinSeconds) {
  base_.snapshot_threshold = 64;
  base_.snapshot_trailing = 16;
  base_.install_snapshot_timeout_ms = 3000;
  AddSlots(3);
  ASSERT_TRUE(StartAll());
  int leader = WaitForReadyLeader();
  ASSERT_GE(leader, 0);
  size_t seq = 0;
  std::vector<std::string> expected;
  ASSERT_TRUE(Pump(*this, leader, seq, 200, 5, 120, expected));
  ASSERT_TRUE(WaitForEntries(RunningNodes(), expected.size()));

  int f = (leader + 1) % 3;
  ASSERT_TRUE(StopNode(f));
  const int snapshots_before = sm(leader).snapshots();
  // Far past the leader's trailing entries: only a snapshot can catch f up.
  // How many snapshots the leader takes meanwhile depends on timing (one
  // in flight skips the next threshold); at least one must follow the stop.
  ASSERT_TRUE(Pump(*this, leader, seq, 3000, 10, 120, expected));
  EXPECT_GT(sm(leader).snapshots(), snapshots_before);
  // Every pinned view is released (one may still be serialising now).
  EXPECT_TRUE(RunUntil([&] { return sm(leader).pinned() == 0; }));

  auto t0 = std::chrono::steady_clock::now();
  ASSERT_TRUE(StartNode(f));
  ASSERT_TRUE(WaitForEntries({f}, expected.size(), 15000));
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  EXPECT_LT(secs, 10.0) << "catch-up took " << secs << " s";
  EXPECT_GE(sm(f).restores(), 1) << "caught up without InstallSnapshot";
  EXPECT_TRUE(SameEntries(RunningNodes(), expected));
  RecordProperty("install_snapshot_catch_up_ms", static_cast<int>(secs * 1000));
  std::printf("follower %d entries behind caught up in %.0f ms\n", 3000, secs * 1000);

  // Restart again: its own snapshot is not newer than its state, so
  // nothing is restored, and the log replay is skipped entry by entry.
  int restores = sm(f).restores();
  int applies = sm(f).applies();
  ASSERT_TRUE(StopNode(f));
  ASSERT_TRUE(StartNode(f));
  ASSERT_TRUE(Pump(*this, leader, seq, 20, 4, 77, expected));
  ASSERT_TRUE(WaitForEntries(RunningNodes(), expected.size()));
  EXPECT_TRUE(SameEntries(RunningNodes(), expected));
  EXPECT_EQ(sm(f).restores(), restores);
  EXPECT_EQ(sm(f).applies(), applies + 20);

  // And with a wiped state machine: restored from its local snapshot at
  // start, then the log after it.
  ASSERT_TRUE(StopNode(f));
  slots_[f].sm = std::make_unique<TestStateMachine>();
  ASSERT_TRUE(StartNode(f));
  EXPECT_EQ(sm(f).restores(), 1);  // synchronously, inside Start
  ASSERT_TRUE(WaitForEntries({f}, expected.size()));
  EXPECT_TRUE(SameEntries(RunningNodes(), expected));
}

// Every node restarts after many snapshots: each loads its own latest
// snapshot (restore skipped: the state is already there) and the log after.
TEST_F(RaftSnapshot, AllNodesRestartAfterSnapshotsWithIdenticalState) {
  base_.snapshot_threshold = 50;
  base_.snapshot_trailing = 10;
  AddSlots(3);
  ASSERT_TRUE(StartAll());
  int leader = WaitForReadyLeader();
  ASSERT_GE(leader, 0);
  size_t seq = 0;
  std::vector<std::string> expected;
  ASSERT_TRUE(Pump(*this, leader, seq, 777, 7, 201, expected));
  ASSERT_TRUE(WaitForEntries(RunningNodes(), expected.size()));
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(StopNode(i));
  ASSERT_TRUE(StartAll());
  for (int i = 0; i < 3; ++i) EXPECT_EQ(sm(i).restores(), 0);
  leader = WaitForReadyLeader();
  ASSERT_GE(leader, 0);
  ASSERT_TRUE(Pump(*this, leader, seq, 30, 3, 9, expected));
  ASSERT_TRUE(WaitForEntries(RunningNodes(), expected.size()));
  EXPECT_TRUE(SameEntries(RunningNodes(), expected));
}

}  // namespace
}  // namespace gantry::coordinator::raft
