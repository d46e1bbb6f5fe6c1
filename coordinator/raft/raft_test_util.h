// Test harness for RaftNode: an in-memory state machine and a fixture that
// runs several RaftNodes on one libuv loop in the test thread, on 127.0.0.1,
// each with its own data dir. No sleeps: RunUntil drives the loop until a
// condition holds, with a watchdog timer that fails the test.
#pragma once

#include <gtest/gtest.h>
#include <uv.h>

#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "coordinator/raft/raft_node.h"

namespace gantry::coordinator::raft {

// Records every applied payload in order. Its state survives RaftNode
// restarts as long as the object does (like RocksDB); a fresh object is a
// wiped state. Copy-on-write, so PinSnapshot is O(1) and the pinned view
// stays immutable while Apply continues.
class TestStateMachine final : public StateMachine {
 public:
  struct State {
    uint64_t applied = 0;
    std::vector<std::string> entries;
    std::vector<uint64_t> indexes;  // the log index of each entry
  };

  uint64_t AppliedIndex() const override { return state_->applied; }
  void Apply(uint64_t index, std::string_view payload) override;
  std::shared_ptr<void> PinSnapshot() override;
  std::string SerializeSnapshot(const std::shared_ptr<void>& pinned) override;
  void ReleaseSnapshot(std::shared_ptr<void> pinned) override;
  void Restore(uint64_t snapshot_index, std::string_view data) override;

  const std::vector<std::string>& entries() const { return state_->entries; }
  const std::vector<uint64_t>& indexes() const { return state_->indexes; }
  int applies() const { return applies_; }
  int restores() const { return restores_; }
  int snapshots() const { return serialized_.load(); }
  int pinned() const { return pins_ - releases_; }
  // Called after each Apply, with the entry's index.
  std::function<void(uint64_t index)> on_apply;

 private:
  State& Mutable();
  std::shared_ptr<State> state_ = std::make_shared<State>();
  int applies_ = 0;
  int restores_ = 0;
  int pins_ = 0;
  int releases_ = 0;
  std::atomic<int> serialized_{0};
};

// A TCP port on 127.0.0.1 below the ephemeral range, free a moment ago.
uint16_t FreePort();

// Deterministic, unique payloads: "p<seq>." then filler up to `size`.
std::string MakePayload(size_t seq, size_t size);

class RaftClusterTest : public ::testing::Test {
 public:  // free helpers in the tests drive the fixture too
  struct Slot {
    uint64_t id = 0;
    std::string address;
    std::string dir;
    std::unique_ptr<TestStateMachine> sm = std::make_unique<TestStateMachine>();
    std::unique_ptr<RaftNode> node;
  };

  RaftClusterTest();
  ~RaftClusterTest() override;

  // Adds n slots (ids continue from the last), on free ports.
  void AddSlots(int n);
  // The first `voters` slots are the bootstrap configuration.
  void SetBootstrapVoters(int voters) { bootstrap_voters_ = voters; }
  RaftOptions OptionsFor(int i, bool bootstrap) const;
  ::testing::AssertionResult StartNode(int i, bool bootstrap = true);
  ::testing::AssertionResult StartAll();
  ::testing::AssertionResult StopNode(int i);
  bool Running(int i) const { return slots_[i].node != nullptr; }

  // Runs the loop until pred() or the watchdog; false on timeout.
  bool RunUntil(const std::function<bool()>& pred, int timeout_ms = 20000);
  // Index of a ready leader among running nodes, or -1.
  int ReadyLeader() const;
  int WaitForReadyLeader(int timeout_ms = 20000);
  // Proposes and runs the loop until the callback ran; its status.
  Status ProposeAndWait(int i, std::vector<std::string> payloads);
  // Runs until every listed node's state machine holds `count` entries.
  ::testing::AssertionResult WaitForEntries(const std::vector<int>& nodes, size_t count, int timeout_ms = 20000);
  // Every listed state machine holds exactly `expected`, at the same log
  // indexes on every node.
  ::testing::AssertionResult SameEntries(const std::vector<int>& nodes, const std::vector<std::string>& expected);
  std::vector<int> RunningNodes() const;

  RaftNode& node(int i) { return *slots_[i].node; }
  TestStateMachine& sm(int i) { return *slots_[i].sm; }

  uv_loop_t loop_{};
  std::string root_;
  RaftOptions base_;  // timing and snapshot settings for every node
  std::vector<Slot> slots_;
  int bootstrap_voters_ = 0;
};

}  // namespace gantry::coordinator::raft
