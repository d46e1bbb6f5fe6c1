// Election, replication, restart and failover of real RaftNodes on one loop.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <set>

#include "coordinator/raft/raft_test_util.h"

namespace gantry::coordinator::raft {
namespace {

using RaftCluster = RaftClusterTest;

std::vector<std::string> Payloads(size_t& seq, size_t n, size_t size) {
  std::vector<std::string> out;
  for (size_t i = 0; i < n; ++i) out.push_back(MakePayload(seq++, size));
  return out;
}

void Append(std::vector<std::string>& to, const std::vector<std::string>& from) {
  to.insert(to.end(), from.begin(), from.end());
}

TEST_F(RaftCluster, ElectsOneLeaderAndReplicatesToEveryNode) {
  AddSlots(3);
  ASSERT_TRUE(StartAll());
  int leader = WaitForReadyLeader();
  ASSERT_GE(leader, 0);
  EXPECT_FALSE(node(leader).RestartedForTesting());

  // Followers refuse, and name the leader once they have heard from it.
  for (int i : RunningNodes()) {
    if (i == leader) continue;
    EXPECT_FALSE(node(i).IsReadyLeader());
    Status s = ProposeAndWait(i, {"x"});
    EXPECT_EQ(s.code(), StatusCode::kUnavailable) << s.ToString();
    EXPECT_EQ(s.message(), "not the leader");
    ASSERT_TRUE(RunUntil([&] { return node(i).Leader().has_value(); }));
    EXPECT_EQ(*node(i).Leader(), (Peer{slots_[leader].id, slots_[leader].address}));
  }
  EXPECT_EQ(ProposeAndWait(leader, {}).code(), StatusCode::kInvalidArgument);

  size_t seq = 0;
  std::vector<std::string> expected;
  for (int call = 0; call < 5; ++call) {
    std::vector<std::string> batch = Payloads(seq, 3, 40);
    ASSERT_TRUE(ProposeAndWait(leader, batch).ok());
    Append(expected, batch);
    // Done means applied locally: every entry of the call, not just the first.
    EXPECT_EQ(sm(leader).entries().size(), expected.size());
  }
  ASSERT_TRUE(WaitForEntries(RunningNodes(), expected.size()));
  EXPECT_TRUE(SameEntries(RunningNodes(), expected));

  auto peers = node(leader).Peers();
  ASSERT_EQ(peers.size(), 3u);
  for (const auto& [peer, role] : peers) EXPECT_EQ(role, "voter") << peer.id;
}

// §6.1: unpadded entries made followers apply garbage (9 of every 10 with
// 201-byte entries, 10 per raft_apply) and a 100,005-byte entry made the log
// unloadable. With padding both replicate, and every node restarts from its
// dir (RAFT_CANTBOOTSTRAP path) with identical state, one of them with a
// wiped state machine rebuilt from the log.
TEST_F(RaftCluster, UnalignedPayloadsReplicateAndSurviveARestartOfAllNodes) {
  AddSlots(3);
  ASSERT_TRUE(StartAll());
  int leader = WaitForReadyLeader();
  ASSERT_GE(leader, 0);

  const size_t sizes[] = {201, 1, 3, 7, 9, 13, 100, 255, 1001, 4099};
  size_t seq = 0;
  std::vector<std::string> expected;
  int acked = 0;
  int calls = 0;
  for (int call = 0; call < 10; ++call) {  // pipelined: all in flight at once
    std::vector<std::string> batch;
    for (int k = 0; k < 10; ++k) batch.push_back(MakePayload(seq++, sizes[(call + k) % 10]));
    if (call == 9) batch[4] = MakePayload(seq++, 100005);
    Append(expected, batch);
    ++calls;
    node(leader).Propose(batch, [&](Status s) {
      EXPECT_TRUE(s.ok()) << s.ToString();
      ++acked;
    });
  }
  ASSERT_TRUE(RunUntil([&] { return acked == calls; }));
  ASSERT_TRUE(WaitForEntries(RunningNodes(), expected.size()));
  ASSERT_TRUE(SameEntries(RunningNodes(), expected));

  for (int i = 0; i < 3; ++i) ASSERT_TRUE(StopNode(i));
  int applies_before = sm(0).applies();
  slots_[2].sm = std::make_unique<TestStateMachine>();  // node 3's state was wiped
  ASSERT_TRUE(StartAll());
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(node(i).RestartedForTesting());
  leader = WaitForReadyLeader();
  ASSERT_GE(leader, 0);
  ASSERT_TRUE(WaitForEntries(RunningNodes(), expected.size()));
  EXPECT_TRUE(SameEntries(RunningNodes(), expected));
  // libraft re-delivered the whole log; the surviving state skipped it.
  EXPECT_EQ(sm(0).applies(), applies_before);

  std::vector<std::string> more;
  for (int k = 0; k < 10; ++k) more.push_back(MakePayload(seq++, 201));
  ASSERT_TRUE(ProposeAndWait(leader, more).ok());
  Append(expected, more);
  ASSERT_TRUE(WaitForEntries(RunningNodes(), expected.size()));
  EXPECT_TRUE(SameEntries(RunningNodes(), expected));
}

// §6.4: libraft does not append a no-op on election. The leader stops right
// after applying a batch, before any follower heard the new commit index;
// the new leader's barrier must get that batch applied, and IsReadyLeader
// must wait for it. And since 0.15 commits earlier-term entries by counting
// replicas (unsafe, Raft Figure 8), no survivor may apply the batch before
// its commit index covers an entry of the new term (the barrier).
TEST_F(RaftCluster, NewLeaderCommitsAndAppliesEntriesFromAnEarlierTerm) {
  // Snapshots are due while the batch is held back: they must wait.
  base_.snapshot_threshold = 4;
  base_.snapshot_trailing = 2;
  AddSlots(3);
  ASSERT_TRUE(StartAll());
  int leader = WaitForReadyLeader();
  ASSERT_GE(leader, 0);
  size_t seq = 0;
  std::vector<std::string> expected = Payloads(seq, 1, 16);
  ASSERT_TRUE(ProposeAndWait(leader, expected).ok());
  ASSERT_TRUE(WaitForEntries(RunningNodes(), 1));

  std::vector<int> followers;
  for (int i : RunningNodes()) {
    if (i != leader) followers.push_back(i);
  }
  size_t entries_when_ready = 0;
  for (int f : followers) {
    node(f).OnRoleChange([&, f](bool ready) {
      if (ready) entries_when_ready = sm(f).entries().size();
    });
  }

  std::vector<std::string> batch = Payloads(seq, 10, 64);
  Append(expected, batch);
  bool closed = false;
  uint64_t last_index = 0;
  int unsafe_applies = 0;
  for (int f : followers) {
    sm(f).on_apply = [&, f](uint64_t index) {
      // Entries of the old term are only safe once the commit index passed
      // them and reached the new leader's barrier.
      if (index <= last_index && node(f).CommitIndexForTesting() <= last_index) ++unsafe_applies;
    };
  }
  node(leader).Propose(batch, [&](Status s) {
    ASSERT_TRUE(s.ok()) << s.ToString();
    last_index = node(leader).LastIndexForTesting();
    node(leader).Close([&] { closed = true; });  // no heartbeat leaves after this
  });
  ASSERT_TRUE(RunUntil([&] { return closed; }));
  slots_[leader].node.reset();

  // The batch reached a majority, yet no follower has applied it.
  int holding = 0;
  for (int f : followers) {
    if (node(f).LastIndexForTesting() >= last_index) ++holding;
    EXPECT_EQ(sm(f).entries().size(), 1u) << "follower learned the commit before the leader stopped";
  }
  EXPECT_GE(holding, 1);

  int next = WaitForReadyLeader();
  ASSERT_GE(next, 0);
  EXPECT_NE(next, leader);
  EXPECT_EQ(entries_when_ready, expected.size());  // ready only after the old term's entries
  ASSERT_TRUE(WaitForEntries(followers, expected.size()));
  EXPECT_TRUE(SameEntries(followers, expected));
  EXPECT_EQ(unsafe_applies, 0) << "applied an entry committed only by counting replicas of an older term";
  for (int f : followers) sm(f).on_apply = nullptr;

  ASSERT_TRUE(StartNode(leader));
  ASSERT_TRUE(WaitForEntries(RunningNodes(), expected.size()));
  EXPECT_TRUE(SameEntries(RunningNodes(), expected));
}

// Leader stopped with proposals in flight: every acknowledged entry is on the
// survivors, the new leader takes writes, and the old leader catches up.
TEST_F(RaftCluster, LeaderStopLosesNoAcknowledgedEntry) {
  AddSlots(3);
  ASSERT_TRUE(StartAll());
  int leader = WaitForReadyLeader();
  ASSERT_GE(leader, 0);

  size_t seq = 0;
  std::set<std::string> acked;
  int in_flight = 0;
  int failed = 0;
  auto pump = [&](int on, size_t target) {
    while (in_flight < 16 && acked.size() + static_cast<size_t>(in_flight) * 3 < target + 48) {
      std::vector<std::string> batch = Payloads(seq, 1 + seq % 3, 100);
      ++in_flight;
      node(on).Propose(batch, [&, batch](Status s) {
        --in_flight;
        if (s.ok()) {
          acked.insert(batch.begin(), batch.end());
        } else {
          EXPECT_EQ(s.code(), StatusCode::kUnavailable) << s.ToString();
          ++failed;
        }
      });
    }
  };
  ASSERT_TRUE(RunUntil([&] {
    pump(leader, 300);
    return acked.size() >= 300;
  }));
  bool closed = false;
  node(leader).Close([&] { closed = true; });  // proposals still in flight
  ASSERT_TRUE(RunUntil([&] { return closed && in_flight == 0; }));
  slots_[leader].node.reset();

  int next = WaitForReadyLeader();
  ASSERT_GE(next, 0);
  std::set<std::string> have(sm(next).entries().begin(), sm(next).entries().end());
  for (const std::string& p : acked) ASSERT_TRUE(have.count(p)) << "acknowledged entry lost: " << p;

  size_t before = acked.size();
  ASSERT_TRUE(RunUntil([&] {
    pump(next, before + 100);
    return acked.size() >= before + 100 && in_flight == 0;
  }));
  ASSERT_TRUE(StartNode(leader));
  size_t total = sm(next).entries().size();
  ASSERT_TRUE(WaitForEntries(RunningNodes(), total));
  EXPECT_TRUE(SameEntries(RunningNodes(), sm(next).entries()));
  EXPECT_EQ(std::set<std::string>(sm(next).entries().begin(), sm(next).entries().end()).size(), total)
      << "an entry was applied twice";
}

TEST_F(RaftCluster, FiveNodesKeepCommittingWithTwoStopped) {
  AddSlots(5);
  ASSERT_TRUE(StartAll());
  int leader = WaitForReadyLeader();
  ASSERT_GE(leader, 0);
  size_t seq = 0;
  std::vector<std::string> expected = Payloads(seq, 20, 33);
  ASSERT_TRUE(ProposeAndWait(leader, expected).ok());
  ASSERT_TRUE(WaitForEntries(RunningNodes(), expected.size()));

  int other = (leader + 1) % 5;
  ASSERT_TRUE(StopNode(leader));
  ASSERT_TRUE(StopNode(other));
  int next = WaitForReadyLeader();
  ASSERT_GE(next, 0);
  std::vector<std::string> more = Payloads(seq, 20, 17);
  ASSERT_TRUE(ProposeAndWait(next, more).ok());
  Append(expected, more);
  ASSERT_TRUE(WaitForEntries(RunningNodes(), expected.size()));
  EXPECT_TRUE(SameEntries(RunningNodes(), expected));

  ASSERT_TRUE(StartNode(leader));
  ASSERT_TRUE(StartNode(other));
  ASSERT_TRUE(WaitForEntries(RunningNodes(), expected.size()));
  EXPECT_TRUE(SameEntries(RunningNodes(), expected));
}

TEST_F(RaftCluster, CloseWorksBeforeStartAndFailsLateCalls) {
  AddSlots(1);
  auto created = RaftNode::Create(&loop_, OptionsFor(0, true), &sm(0), NullLogger());
  ASSERT_TRUE(created.ok()) << created.status().ToString();
  slots_[0].node = std::move(created).value();
  Status s = Status::Ok();
  node(0).Propose({"x"}, [&](Status r) { s = r; });
  ASSERT_TRUE(StopNode(0));
  EXPECT_EQ(s.code(), StatusCode::kUnavailable);
}

TEST_F(RaftCluster, StartReportsATakenAddressAndCloseStillWorks) {
  AddSlots(1);
  int port = std::stoi(slots_[0].address.substr(slots_[0].address.find(':') + 1));
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  ASSERT_EQ(::listen(fd, 1), 0);

  auto created = RaftNode::Create(&loop_, OptionsFor(0, true), &sm(0), NullLogger());
  ASSERT_TRUE(created.ok()) << created.status().ToString();
  slots_[0].node = std::move(created).value();
  Status s = node(0).Start();
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.message().find("raft start"), std::string::npos) << s.ToString();
  ASSERT_TRUE(StopNode(0));
  ::close(fd);
}

// Not run by default (a measurement, not a check):
//   raft_test --gtest_also_run_disabled_tests --gtest_filter='*Measure*'
TEST_F(RaftCluster, DISABLED_MeasureCommitLatencyAndThroughput) {
  AddSlots(3);
  ASSERT_TRUE(StartAll());
  int leader = WaitForReadyLeader();
  ASSERT_GE(leader, 0);
  size_t seq = 0;
  using Clock = std::chrono::steady_clock;
  std::vector<double> us;
  for (int i = 0; i < 2000; ++i) {
    auto t0 = Clock::now();
    ASSERT_TRUE(ProposeAndWait(leader, Payloads(seq, 1, 200)).ok());
    us.push_back(std::chrono::duration<double, std::micro>(Clock::now() - t0).count());
  }
  std::sort(us.begin(), us.end());
  std::printf("sequential single-entry commit: p50 %.0f us, p99 %.0f us, max %.0f us\n", us[us.size() / 2],
              us[us.size() * 99 / 100], us.back());

  for (auto batch_and_window : {std::pair{1, 64}, std::pair{10, 8}, std::pair{50, 64}}) {
    const int k = batch_and_window.first, m = batch_and_window.second;
    const int kEntries = 30000;
    int done = 0, in_flight = 0, issued = 0;
    auto t0 = Clock::now();
    ASSERT_TRUE(RunUntil(
        [&] {
          while (in_flight < m && issued < kEntries) {
            ++in_flight;
            issued += k;
            node(leader).Propose(Payloads(seq, k, 200), [&, k](Status s) {
              EXPECT_TRUE(s.ok());
              --in_flight;
              done += k;
            });
          }
          return done >= kEntries;
        },
        60000));
    double secs = std::chrono::duration<double>(Clock::now() - t0).count();
    std::printf("%d entries/Propose x %d in flight: %.0f entries/s\n", k, m, done / secs);
  }
}

}  // namespace
}  // namespace gantry::coordinator::raft
