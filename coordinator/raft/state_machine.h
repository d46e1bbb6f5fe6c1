// StateMachine: what RaftNode applies committed entries to.
//
// Implemented by the owner (the coordinator's RocksDB-backed FSM; tests use
// an in-memory one). Every call except SerializeSnapshot happens on the loop
// thread that runs the RaftNode, never concurrently with another call.
//
// Durability contract. libraft persists neither the commit nor the applied
// index: after a restart it re-applies every entry after its last snapshot,
// and its snapshot may be older than the state (research/libraft.md §1). So
// the state machine persists its applied index atomically with the state
// (same RocksDB WriteBatch), and RaftNode skips every entry at or below
// AppliedIndex() and every snapshot whose index is at or below it. Entry
// indexes passed to Apply are strictly increasing but not contiguous
// (barrier and membership entries never reach the state machine).
//
// Snapshot lifecycle (libraft FSM v3, research §4):
//
//   loop:        pinned = PinSnapshot()        cheap: e.g. db->GetSnapshot()
//   thread pool: data = SerializeSnapshot(pinned)   may take seconds
//   loop:        ReleaseSnapshot(pinned)       always, even if serialising failed
//
// At most one snapshot is pinned at a time. Apply keeps being called while a
// snapshot is serialised; the pinned view must not change under it.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace gantry::coordinator::raft {

class StateMachine {
 public:
  virtual ~StateMachine() = default;

  // Index of the last entry whose effect is in the (persisted) state; 0 for
  // an empty state.
  virtual uint64_t AppliedIndex() const = 0;
  // Applies one committed entry; afterwards AppliedIndex() == index.
  // `payload` is exactly what was proposed (padding removed) and is valid
  // only during the call. Must not fail: an error that would make replicas
  // diverge (a write that did not happen, an undecodable command) aborts
  // the process (GANTRY_CHECK). index > AppliedIndex() is guaranteed.
  virtual void Apply(uint64_t index, std::string_view payload) = 0;

  // Pins a consistent read view of the current state, whose applied index
  // is AppliedIndex() at the time of the call.
  virtual std::shared_ptr<void> PinSnapshot() = 0;
  // Serialises a pinned view. Runs on a libuv thread-pool thread,
  // concurrently with Apply on the loop thread. Must not throw.
  virtual std::string SerializeSnapshot(const std::shared_ptr<void>& pinned) = 0;
  // Releases the view PinSnapshot returned.
  virtual void ReleaseSnapshot(std::shared_ptr<void> pinned) = 0;
  // Replaces the whole state with a serialised snapshot whose applied index
  // is `snapshot_index`; afterwards AppliedIndex() == snapshot_index. Only
  // called when snapshot_index > AppliedIndex(). Must not fail (abort on a
  // storage error or undecodable data). `data` is valid during the call.
  virtual void Restore(uint64_t snapshot_index, std::string_view data) = 0;
};

}  // namespace gantry::coordinator::raft
