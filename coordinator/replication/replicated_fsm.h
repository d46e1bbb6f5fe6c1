// ReplicatedFsm: the coordinator's Fsm behind libraft's state machine
// interface, with its state in RocksDB.
//
//   committed entry -> DecodeCommandEntry -> Fsm::Apply each command
//                   -> one WriteBatch (all changes + applied index) -> store
//                   -> results to the replica that proposed the entry
//
// The write is buffered (not synced): the Raft log is already durable, and a
// machine crash that loses recent state writes leaves an older applied index
// next to that log, so the lost entries are applied again at restart
// (everything at or below the applied index is skipped, which makes replay
// harmless). A failed write or an undecodable entry would make this replica
// diverge from the others, so both abort the process.
//
// Snapshots pin a RocksDB snapshot on the loop (O(1)) and serialise it on a
// worker thread; Restore swaps the whole store in one batch and reloads the
// in-memory ClusterState from it.
//
// Loop thread only, except SerializeSnapshot (see raft::StateMachine).
#pragma once

#include <functional>
#include <vector>

#include "common/logging.h"
#include "coordinator/fsm/fsm.h"
#include "coordinator/raft/state_machine.h"
#include "coordinator/replication/command_entry.h"
#include "coordinator/state/cluster_state.h"
#include "coordinator/state/state_store.h"

namespace gantry::coordinator {

class ReplicatedFsm final : public raft::StateMachine {
 public:
  // Called after each applied entry with its nonce and one result per
  // command, in order. Runs inside Apply: it must not call into RaftNode.
  using EntryApplied = std::function<void(uint64_t nonce, std::vector<Result<ApplyResult>>& results)>;

  // `state` must have been loaded from `store`; both outlive this object.
  ReplicatedFsm(ClusterState* state, StateStore* store, Logger log);

  void SetOnEntryApplied(EntryApplied fn) { on_entry_applied_ = std::move(fn); }
  const ClusterState& state() const { return *state_; }

  uint64_t AppliedIndex() const override { return RaftIndexOf(state_->applied_index()); }
  void Apply(uint64_t index, std::string_view payload) override;
  std::shared_ptr<void> PinSnapshot() override;
  std::string SerializeSnapshot(const std::shared_ptr<void>& pinned) override;
  void ReleaseSnapshot(std::shared_ptr<void> pinned) override;
  void Restore(uint64_t snapshot_index, std::string_view data) override;

 private:
  [[noreturn]] void Fatal(const std::string& what);

  ClusterState* state_;
  StateStore* store_;
  Logger log_;
  Fsm fsm_;
  EntryApplied on_entry_applied_;
};

}  // namespace gantry::coordinator
