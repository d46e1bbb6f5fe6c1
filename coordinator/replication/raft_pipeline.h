// RaftPipeline: group commit of commands through the Raft log.
//
//   Propose(cmd) ... Propose(cmd)       commands queue on the leader
//        |
//   [check phase] Flush: pack what is queued into entries of at most
//        |        kMaxCommandsPerEntry commands / kMaxEntryBytes, while fewer
//        |        than kMaxEntriesInFlight are in flight
//   RaftNode::Propose(entry) -> replicated, committed, applied on every
//        |        replica by ReplicatedFsm, which hands this replica the
//        |        results of its own entries (matched by nonce)
//   [loop]  each proposer's callback runs with its own command's result;
//           then the committed-batch hook; then the next Flush
//
// Commands that arrive while entries are in flight go together into the next
// ones: the busier the leader, the more commands share an fsync and a round
// trip. A caller hears back only once its command is applied here, i.e.
// committed by a majority.
//
// Leadership lost before an entry was applied: its callers get kUnavailable
// (the command may still commit under the next leader; clients retry with
// the same client token). Commands still queued when this replica is not a
// ready leader get kUnavailable("not the leader") at once.
//
// Loop thread only.
#pragma once

#include <uv.h>

#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/logging.h"
#include "coordinator/fsm/fsm.h"
#include "coordinator/raft/raft_node.h"
#include "coordinator/replication/replicated_fsm.h"

namespace gantry::coordinator {

class RaftPipeline {
 public:
  using Done = std::function<void(Result<ApplyResult>&)>;
  static constexpr size_t kMaxEntriesInFlight = 8;

  // Registers itself as `fsm`'s entry listener. All three must outlive it.
  RaftPipeline(uv_loop_t* loop, raft::RaftNode* raft, ReplicatedFsm* fsm, Logger log);
  ~RaftPipeline();
  RaftPipeline(const RaftPipeline&) = delete;
  RaftPipeline& operator=(const RaftPipeline&) = delete;

  void Propose(Command command, Done done);

  // What applied commands ask of the scheduler, summed over them. Collected
  // from every applied entry, whoever proposed it.
  struct BatchEffects {
    bool schedule = false;                  // a full pass
    std::vector<std::string> new_runnable;  // at least these jobs
  };
  // Runs after the callbacks of each entry this replica proposed.
  void SetOnBatchCommitted(std::function<void(BatchEffects&)> fn) { on_batch_committed_ = std::move(fn); }
  // Takes the effects gathered since the last call (e.g. on becoming leader).
  BatchEffects TakeEffects();

  size_t queued() const { return pending_.size(); }
  size_t entries_in_flight() const { return in_flight_.size(); }
  uint64_t entries_committed() const { return entries_committed_; }
  // Stops accepting work; queued commands get kUnavailable. Entries in
  // flight are answered by RaftNode (which fails them when it closes).
  void Close();

 private:
  struct Pending {
    Command command;
    Done done;
  };
  struct InFlight {
    std::vector<Done> dones;
    std::optional<std::vector<Result<ApplyResult>>> results;  // once applied
  };
  void Flush();
  void FailQueued(const Status& status);
  void OnEntryApplied(uint64_t nonce, std::vector<Result<ApplyResult>>& results);
  void OnProposed(uint64_t nonce, const Status& status);

  uv_loop_t* loop_;
  raft::RaftNode* raft_;
  ReplicatedFsm* fsm_;
  Logger log_;
  uv_check_t* check_ = nullptr;
  uv_idle_t* wake_ = nullptr;  // active while work waits: keeps poll from blocking
  std::deque<Pending> pending_;
  std::map<uint64_t, InFlight> in_flight_;  // by nonce
  uint64_t next_nonce_;
  BatchEffects effects_;
  bool closed_ = false;
  uint64_t entries_committed_ = 0;
  std::function<void(BatchEffects&)> on_batch_committed_;
};

}  // namespace gantry::coordinator
