#include "coordinator/replication/replicated_fsm.h"

#include <gtest/gtest.h>

#include "coordinator/replication/state_snapshot.h"
#include "coordinator/replication/test_commands.h"
#include "coordinator/state/mem_state_store.h"

namespace gantry::coordinator {
namespace {

using namespace test_commands;  // NOLINT(google-build-using-namespace): command builders

std::string Entry(uint64_t nonce, const std::vector<Command>& commands) {
  CommandEntry e{nonce, {}};
  for (const auto& c : commands) e.commands.push_back(EncodeCommand(c));
  return EncodeCommandEntry(e);
}

// A replica's durable and in-memory state, built the way the server builds it.
struct Replica {
  MemStateStore store;
  ClusterState state = ClusterState::Load(store).value();
  ReplicatedFsm fsm{&state, &store, NullLogger("fsm")};
  std::vector<std::pair<uint64_t, std::vector<Result<ApplyResult>>>> applied;

  Replica() {
    fsm.SetOnEntryApplied([this](uint64_t nonce, std::vector<Result<ApplyResult>>& r) {
      applied.emplace_back(nonce, std::move(r));
    });
  }
  // What a restart would load from the store.
  ClusterState Reloaded() const { return ClusterState::Load(store).value(); }
};

std::vector<std::string> Contents(const StateStore& store) {
  std::vector<std::string> out;
  EXPECT_TRUE(store.Pin()->Scan("", [&](std::string_view k, std::string_view v) {
    out.push_back(std::string(k) + "=" + std::string(v));
    return true;
  }).ok());
  return out;
}

TEST(CommandIndex, PacksPositionsBelowTheRaftIndex) {
  EXPECT_EQ(CommandIndex(5, 0), uint64_t{5} << 16);
  EXPECT_LT(CommandIndex(5, 1023), EntryEndIndex(5));
  EXPECT_LT(EntryEndIndex(5), CommandIndex(6, 0));
  EXPECT_EQ(RaftIndexOf(CommandIndex(5, 77)), 5u);
  EXPECT_EQ(RaftIndexOf(EntryEndIndex(5)), 5u);
}

TEST(CommandEntry, RoundTripsAndRejectsGarbage) {
  std::string bytes = Entry(42, {Ce("ce"), Queue("q", "ce")});
  auto back = DecodeCommandEntry(bytes);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(back->nonce, 42u);
  ASSERT_EQ(back->commands.size(), 2u);
  EXPECT_EQ(DecodeCommand(back->commands[1])->jobQueue->jobQueueName, "q");
  EXPECT_FALSE(DecodeCommandEntry("\x93\x01\x02").ok());
  EXPECT_FALSE(DecodeCommandEntry(bytes.substr(0, bytes.size() - 3)).ok());
}

TEST(ReplicatedFsm, AppliesEveryCommandOfAnEntryWithItsOwnResult) {
  Replica r;
  r.fsm.Apply(3, Entry(7, {Ce("ce"), Queue("q", "ce"), Queue("q", "ce"), Def("d")}));
  EXPECT_EQ(r.fsm.AppliedIndex(), 3u);
  ASSERT_EQ(r.applied.size(), 1u);
  EXPECT_EQ(r.applied[0].first, 7u);
  const auto& results = r.applied[0].second;
  ASSERT_EQ(results.size(), 4u);
  EXPECT_TRUE(results[0].ok());
  EXPECT_EQ(results[1]->name, "q");
  EXPECT_EQ(results[2].status().code(), StatusCode::kConflict);  // only the duplicate fails
  EXPECT_EQ(results[3]->revision, 1u);

  r.fsm.Apply(9, Entry(8, {Submit("j1", "q", "tok"), Submit("j2", "q", "tok"), Submit("j3", "nope")}));
  EXPECT_EQ(r.fsm.AppliedIndex(), 9u);
  const auto& submits = r.applied[1].second;
  EXPECT_EQ(submits[0]->jobId, "j1");
  EXPECT_EQ(submits[1]->jobId, "j1");  // same client token: the same job
  EXPECT_EQ(submits[2].status().code(), StatusCode::kNotFound);
  EXPECT_EQ(r.state.job_count(), 1u);

  // The store holds exactly what memory holds, applied index included.
  ClusterState reloaded = r.Reloaded();
  EXPECT_EQ(reloaded.applied_index(), r.state.applied_index());
  EXPECT_EQ(RaftIndexOf(reloaded.applied_index()), 9u);
  EXPECT_NE(reloaded.FindJob("j1"), nullptr);
}

TEST(ReplicatedFsm, AnEmptyEntryStillMovesTheAppliedIndex) {
  Replica r;
  r.fsm.Apply(4, Entry(1, {}));
  EXPECT_EQ(r.fsm.AppliedIndex(), 4u);
  EXPECT_EQ(RaftIndexOf(r.Reloaded().applied_index()), 4u);
}

TEST(ReplicatedFsm, AttemptTokensDifferBetweenPlansOfOneEntry) {
  // Fencing tokens are command indexes: two plans packed into one entry must
  // still get different tokens.
  Replica r;
  Command node;
  node.type = CommandType::kUpsertNode;
  node.node.emplace();
  node.node->nodeId = "n1";
  node.node->bootId = "b";
  node.node->capacity = {8, 8192, 1000};
  auto place = [](const std::string& job) {
    Command c;
    c.type = CommandType::kApplyPlan;
    c.plan.emplace();
    c.plan->placements.push_back({job, "n1", "ce"});
    return c;
  };
  r.fsm.Apply(1, Entry(1, {Ce("ce"), Queue("q", "ce"), Def("d"), node, Submit("a", "q"), Submit("b", "q")}));
  r.fsm.Apply(2, Entry(2, {place("a"), place("b")}));
  const protocol::Job* a = r.state.FindJob("a");
  const protocol::Job* b = r.state.FindJob("b");
  ASSERT_TRUE(a && b);
  ASSERT_EQ(a->attempts.size(), 1u);
  ASSERT_EQ(b->attempts.size(), 1u);
  EXPECT_EQ(a->attempts[0].fencingToken, CommandIndex(2, 0));
  EXPECT_EQ(b->attempts[0].fencingToken, CommandIndex(2, 1));
}

TEST(ReplicatedFsm, SnapshotIsThePinnedStateAndRestoresIntoAnotherReplica) {
  Replica leader;
  leader.fsm.Apply(1, Entry(1, {Ce("ce"), Queue("q", "ce"), Def("d"), Submit("j1", "q", "t1")}));
  std::shared_ptr<void> pinned = leader.fsm.PinSnapshot();
  const std::vector<std::string> at_pin = Contents(leader.store);
  // Applying goes on while the snapshot is serialised; the pin must not see it.
  leader.fsm.Apply(2, Entry(2, {Submit("j2", "q")}));
  std::string data = leader.fsm.SerializeSnapshot(pinned);
  leader.fsm.ReleaseSnapshot(std::move(pinned));

  Replica follower;
  follower.fsm.Apply(1, Entry(9, {Ce("stale")}));  // state the snapshot replaces
  follower.fsm.Restore(1, data);
  EXPECT_EQ(follower.fsm.AppliedIndex(), 1u);
  EXPECT_EQ(Contents(follower.store), at_pin);
  EXPECT_EQ(follower.state.FindComputeEnvironment("stale"), nullptr);
  EXPECT_NE(follower.state.FindJob("j1"), nullptr);
  EXPECT_EQ(follower.state.FindJob("j2"), nullptr);
  EXPECT_EQ(follower.state.FindJobByClientToken("t1"), std::optional<std::string>("j1"));

  // And it goes on from there exactly as the leader did.
  follower.fsm.Apply(2, Entry(2, {Submit("j2", "q")}));
  EXPECT_EQ(Contents(follower.store), Contents(leader.store));
}

TEST(StateSnapshot, RejectsWhatItDidNotWrite) {
  MemStateStore store;
  WriteBatch b;
  b.Put("k", "v");
  ASSERT_TRUE(store.Commit(b).ok());
  std::string data = SerializeState(*store.Pin()).value();
  ASSERT_TRUE(ParseState(data).ok());
  EXPECT_EQ(ParseState(data.substr(0, data.size() / 2)).status().code(), StatusCode::kCorruption);
  EXPECT_EQ(ParseState("").status().code(), StatusCode::kCorruption);
  std::string other = protocol::Encode(CommandEntry{1, {}});
  EXPECT_EQ(ParseState(other).status().code(), StatusCode::kCorruption);
}

TEST(ReplicatedFsmDeathTest, AnUndecodableEntryStopsTheReplica) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  MemStateStore store;
  ClusterState state;
  ReplicatedFsm fsm(&state, &store, MakeLogger("fsm"));  // the reason must reach the log
  EXPECT_DEATH(fsm.Apply(1, "not msgpack at all"), "log entry 1 does not decode");
}

}  // namespace
}  // namespace gantry::coordinator
