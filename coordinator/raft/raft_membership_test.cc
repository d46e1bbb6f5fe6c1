// Membership changes and leadership transfer (§5).
#include "coordinator/raft/raft_test_util.h"

namespace gantry::coordinator::raft {
namespace {
using RaftMembership = RaftClusterTest;

Status Await(RaftClusterTest& t, const std::function<void(RaftNode::Done)>& call) {
  bool done = false;
  Status result = Status::Internal("callback did not run");
  call([&](Status s) {
    result = std::move(s);
    done = true;
  });
  t.RunUntil([&] { return done; }, 30000);
  return result;
}

std::vector<uint64_t> Ids(const std::vector<std::pair<Peer, std::string>>& peers, const std::string& role) {
  std::vector<uint64_t> out;
  for (const auto& [p, r] : peers) {
    if (r == role) out.push_back(p.id);
  }
  std::sort(out.begin(), out.end());
  return out;
}

TEST_F(RaftMembership, AddVoterTransferLeadershipToItAndRemoveAnOldNode) {
  AddSlots(3);
  ASSERT_TRUE(StartAll());
  int leader = WaitForReadyLeader();
  ASSERT_GE(leader, 0);
  size_t seq = 0;
  std::vector<std::string> expected;
  for (int i = 0; i < 30; ++i) expected.push_back(MakePayload(seq++, 50));
  ASSERT_TRUE(ProposeAndWait(leader, expected).ok());

  // A fourth node joins: empty dir, no bootstrap.
  AddSlots(1);
  ASSERT_TRUE(StartNode(3, /*bootstrap=*/false));
  int follower = (leader + 1) % 3;
  EXPECT_EQ(Await(*this,
                  [&](auto d) {
                    node(follower).AddVoter({4, slots_[3].address}, d);
                  })
                .code(),
            StatusCode::kUnavailable);
  Status added = Await(*this, [&](auto d) { node(leader).AddVoter({4, slots_[3].address}, d); });
  ASSERT_TRUE(added.ok()) << added.ToString();
  EXPECT_EQ(Ids(node(leader).Peers(), "voter"), (std::vector<uint64_t>{1, 2, 3, 4}));
  ASSERT_TRUE(WaitForEntries({3}, expected.size()));
  EXPECT_TRUE(SameEntries(RunningNodes(), expected));
  EXPECT_EQ(Await(*this, [&](auto d) { node(leader).AddVoter({4, "127.0.0.1:1"}, d); }).code(), StatusCode::kConflict);

  Status moved = Await(*this, [&](auto d) { node(leader).TransferLeadership(4, d); });
  ASSERT_TRUE(moved.ok()) << moved.ToString();
  ASSERT_TRUE(RunUntil([&] { return node(3).IsReadyLeader(); }));
  EXPECT_FALSE(node(leader).IsReadyLeader());

  // The new leader removes the old one, which learns it was removed.
  bool told = false;
  node(leader).OnRemoved([&] { told = true; });
  EXPECT_EQ(Await(*this, [&](auto d) { node(3).RemovePeer(99, d); }).code(), StatusCode::kNotFound);
  Status removed = Await(*this, [&](auto d) { node(3).RemovePeer(slots_[leader].id, d); });
  ASSERT_TRUE(removed.ok()) << removed.ToString();
  ASSERT_TRUE(RunUntil([&] { return node(leader).RemovedFromCluster() && told; }));
  std::vector<uint64_t> remaining;
  for (int i = 0; i < 4; ++i) {
    if (i != leader) remaining.push_back(slots_[i].id);
  }
  EXPECT_EQ(Ids(node(3).Peers(), "voter"), remaining);
  EXPECT_EQ(node(3).Peers().size(), 3u);
  for (int i : RunningNodes()) {
    if (i != leader) {
      EXPECT_FALSE(node(i).RemovedFromCluster()) << slots_[i].id;
    }
  }
  ASSERT_TRUE(StopNode(leader));  // what the owner does when told

  std::vector<std::string> more;
  for (int i = 0; i < 10; ++i) more.push_back(MakePayload(seq++, 201));
  ASSERT_TRUE(ProposeAndWait(3, more).ok());
  expected.insert(expected.end(), more.begin(), more.end());
  ASSERT_TRUE(WaitForEntries(RunningNodes(), expected.size()));
  EXPECT_TRUE(SameEntries(RunningNodes(), expected));

  // Transfer to "any voter", then to a non-member.
  Status any = Await(*this, [&](auto d) { node(3).TransferLeadership(0, d); });
  ASSERT_TRUE(any.ok()) << any.ToString();
  int next = WaitForReadyLeader();
  ASSERT_GE(next, 0);
  EXPECT_NE(next, 3);
  EXPECT_EQ(Await(*this, [&](auto d) { node(next).TransferLeadership(99, d); }).code(), StatusCode::kInvalidArgument);
}

// A leader removing itself steps down once the change commits, knows it
// was removed, and the others elect a leader among themselves.
TEST_F(RaftMembership, LeaderRemovesItself) {
  AddSlots(3);
  ASSERT_TRUE(StartAll());
  int leader = WaitForReadyLeader();
  ASSERT_GE(leader, 0);
  Status s = Await(*this, [&](auto d) { node(leader).RemovePeer(slots_[leader].id, d); });
  ASSERT_TRUE(s.ok()) << s.ToString();
  ASSERT_TRUE(RunUntil([&] { return node(leader).RemovedFromCluster(); }));
  ASSERT_TRUE(StopNode(leader));
  int next = WaitForReadyLeader();
  ASSERT_GE(next, 0);
  EXPECT_EQ(node(next).Peers().size(), 2u);
  ASSERT_TRUE(ProposeAndWait(next, {"after"}).ok());
  ASSERT_TRUE(WaitForEntries(RunningNodes(), 1));
}

}  // namespace
}  // namespace gantry::coordinator::raft
