// CommitPipeline: group commit of commands into the state store.
//
//   Propose(cmd) ... Propose(cmd)   commands queue while a batch is written
//        |
//   [check phase] Flush: apply every queued command to the FSM (in memory),
//        |        collecting all their changes into one WriteBatch
//   [worker]      StateStore::Commit(batch), synced
//        |
//   [loop]        each proposer's callback runs with its own result;
//                 then the next batch, if any, starts
//
// One batch is written at a time, so everything that arrived meanwhile goes
// into the next one: one fsync for many commands is where throughput comes
// from. A client is answered only after its command is on disk. The in-memory
// state runs at most one batch ahead of the disk; a failed write is fatal,
// because memory would then describe a state the disk does not hold.
//
// Loop thread only.
#pragma once

#include <uv.h>

#include <deque>
#include <functional>
#include <memory>
#include <vector>

#include "common/logging.h"
#include "coordinator/fsm/fsm.h"
#include "coordinator/state/state_store.h"

namespace gantry::coordinator {

class CommitPipeline {
 public:
  using Done = std::function<void(Result<ApplyResult>&)>;

  CommitPipeline(uv_loop_t* loop, Fsm* fsm, StateStore* store, Logger log);
  ~CommitPipeline();

  void Propose(Command command, Done done);
  // What a committed batch asks of the scheduler, summed over its commands.
  struct BatchEffects {
    bool schedule = false;                  // a full pass
    std::vector<std::string> new_runnable;  // at least these jobs
  };
  // Runs after every committed batch, after the proposers' callbacks.
  void SetOnBatchCommitted(std::function<void(BatchEffects&)> fn) { on_batch_committed_ = std::move(fn); }
  bool idle() const { return !in_flight_ && pending_.empty(); }
  // Stops accepting work; callbacks of queued commands get kUnavailable.
  void Close();

  uint64_t batches_committed() const { return batches_committed_; }

 private:
  struct Pending {
    Command command;
    Done done;
  };
  struct InFlight;
  void Flush();
  void OnWritten(InFlight* batch);

  uv_loop_t* loop_;
  Fsm* fsm_;
  StateStore* store_;
  Logger log_;
  uv_check_t* check_ = nullptr;
  uv_idle_t* wake_ = nullptr;  // active while work waits: keeps poll from blocking
  std::deque<Pending> pending_;
  bool in_flight_ = false;
  bool closed_ = false;
  uint64_t batches_committed_ = 0;
  std::function<void(BatchEffects&)> on_batch_committed_;
};

}  // namespace gantry::coordinator
