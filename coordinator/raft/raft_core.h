// RaftCore: the part of RaftNode that owns the libraft objects and makes
// every libraft call. Internal to coordinator/raft/ (it includes raft.h);
// RaftNode is its public face, and the contracts are documented there.
//
// The code is split by concern:
//   raft_core.cc             lifecycle, the check-phase poll, election barrier,
//                            close after the leader's log writes drained
//   raft_core_fsm.cc         libraft's FSM callbacks (apply, snapshot, restore)
//                            and holding back unsafely committed entries
//   raft_core_propose.cc     Propose and per-call completion
//   raft_core_membership.cc  add / remove / transfer, Peers, removal detection
//
// Loop plumbing. A uv_check handle runs Poll() after every loop iteration:
// 0.15 has no state-change callback (§6.4), so role, term and leader are
// polled there, the election barrier is issued there, and multi-step
// membership changes advance there (never from inside a libraft callback).
// Owner callbacks are queued with Defer() and run from the same check
// callback, or from an idle handle that keeps poll from blocking while the
// queue is non-empty.
#pragma once

extern "C" {
#include <raft.h>
#include <raft/uv.h>
}

#include <uv.h>

#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_set>
#include <utility>
#include <vector>

#include "common/logging.h"
#include "coordinator/raft/nodelay_transport.h"
#include "coordinator/raft/raft_options.h"
#include "coordinator/raft/state_machine.h"
#include "gantry/status.h"

namespace gantry::coordinator::raft {

// libraft names some request structs like the functions taking them; C++
// needs the elaborated names. And our namespace shadows `struct raft`.
using LibRaft = struct ::raft;
using RaftApplyReq = struct ::raft_apply;
using RaftBarrierReq = struct ::raft_barrier;
using RaftTransferReq = struct ::raft_transfer;

// A libraft return code as a Status: "<what>: <raft_strerror>[ (<errmsg>)]".
Status FromRaftError(int rv, std::string_view what, const char* errmsg = nullptr);

class RaftCore {
 public:
  using Done = std::function<void(Status)>;

  RaftCore(uv_loop_t* loop, RaftOptions options, StateMachine* sm, Logger log);
  ~RaftCore();
  RaftCore(const RaftCore&) = delete;
  RaftCore& operator=(const RaftCore&) = delete;

  Status Init();  // after Validate: dir, transport, I/O, raft_init, tuning
  Status Start();
  void Close(std::function<void()> done);
  bool closed() const { return phase_ == Phase::kNew || phase_ == Phase::kClosed; }

  void Propose(std::vector<std::string> payloads, Done done);
  bool IsReadyLeader() const;
  std::optional<Peer> Leader() const;
  void OnRoleChange(std::function<void(bool)> cb) { on_role_change_ = std::move(cb); }
  void OnRemoved(std::function<void()> cb) { on_removed_ = std::move(cb); }

  void AddVoter(Peer peer, Done done);
  void RemovePeer(uint64_t id, Done done);
  void TransferLeadership(uint64_t id, Done done);
  std::vector<std::pair<Peer, std::string>> Peers() const;
  bool RemovedFromCluster() const;

  bool restarted() const { return restarted_; }
  uint64_t last_index() const;
  uint64_t last_applied() const;
  uint64_t commit_index() const { return raft_.commit_index; }
  uint64_t term() const { return raft_.current_term; }

 private:
  enum class Phase { kNew, kInitialized, kStarted, kClosing, kClosed };
  struct Proposal;
  struct ElectionBarrier;
  struct ChangeOp;
  struct TransferOp;

  // raft_core.cc
  static void OnCheck(uv_check_t* h);
  const char* ErrMsg() const;
  void Defer(std::function<void()> fn);
  void DrainDeferred();
  void Poll();
  void PollRole(int state, uint64_t term);
  void IssueElectionBarrier(uint64_t term);
  static void ElectionBarrierCb(RaftBarrierReq* req, int status);
  static void OnRaftClosed(LibRaft* r);
  static int CountedAppend(raft_io* io, raft_io_append* req, const raft_entry entries[], unsigned n,
                           raft_io_append_cb cb);
  void CloseRaftWhenDrained();
  void FailOutstanding();
  void CloseHandles();

  // raft_core_fsm.cc
  static int FsmApply(raft_fsm* fsm, const raft_buffer* buf, void** result);
  static int FsmSnapshot(raft_fsm* fsm, raft_buffer* bufs[], unsigned* n_bufs);
  static int FsmSnapshotAsync(raft_fsm* fsm, raft_buffer* bufs[], unsigned* n_bufs);
  static int FsmSnapshotFinalize(raft_fsm* fsm, raft_buffer* bufs[], unsigned* n_bufs);
  static int FsmRestore(raft_fsm* fsm, raft_buffer* buf);
  bool CommitIsSafe() const;
  void ApplyToStateMachine(uint64_t index, std::string_view payload);
  void ReleaseHeld();

  // raft_core_propose.cc
  static void ApplyCb(RaftApplyReq* req, int status, void* result);
  void OnEntryApplied(uint64_t index);
  void FailWaiting(uint64_t term, bool leader);
  void Complete(Proposal* p, Status s);

  // raft_core_membership.cc
  Status CheckCanChange() const;
  static void ChangeCb(raft_change* req, int status);
  static void RemovalBarrierCb(RaftBarrierReq* req, int status);
  static void TransferCb(RaftTransferReq* req);
  void AdvanceTransfer();
  void FinishTransfer(Status s);
  void AdvanceChange();
  void FinishChange(Status s);
  bool ComputeRemoved() const;
  void PollRemoved();

  uv_loop_t* loop_;
  RaftOptions options_;
  StateMachine* sm_;
  Logger log_;
  Phase phase_ = Phase::kNew;

  // libraft objects; their addresses are handed to libraft, so RaftCore is
  // never moved (it lives behind RaftNode's unique_ptr).
  LibRaft raft_{};
  // raft_io with its append entry point wrapped to count leader appends in
  // flight (see Close). Standard layout, `io` first: found from raft_io*.
  struct IoBox {
    raft_io io;
    RaftCore* core;
    int (*inner_append)(raft_io*, raft_io_append*, const raft_entry[], unsigned, raft_io_append_cb);
  };
  IoBox io_box_{};
  raft_io& io_ = io_box_.io;
  int leader_appends_ = 0;
  bool raft_close_called_ = false;
  NodelayTransport transport_{};
  raft_fsm fsm_{};
  uv_check_t check_{};
  uv_idle_t wake_{};
  int open_handles_ = 0;
  bool handles_closing_ = false;
  std::function<void()> close_done_;

  std::deque<std::function<void()>> deferred_;
  std::function<void(bool)> on_role_change_;
  std::function<void()> on_removed_;

  // Role tracking (Poll).
  bool restarted_ = false;
  uint64_t last_leader_id_ = 0;
  uint64_t ready_term_ = 0;  // term whose election barrier was applied
  bool reported_ready_ = false;
  ElectionBarrier* election_barrier_ = nullptr;
  bool removed_ = false;
  bool removed_reported_ = false;

  // Proposals: all outstanding ones, and those whose first entry was
  // applied (libraft's callback fired) but whose last entry was not yet,
  // in index order (§6.7).
  std::unordered_set<Proposal*> proposals_;
  std::deque<Proposal*> waiting_;
  uint64_t applied_through_ = 0;  // last command entry applied (or skipped) in the state machine

  // Committed entries libraft handed to apply before their commit was
  // provably safe (see raft_core_fsm.cc), in index order.
  std::deque<std::pair<uint64_t, std::string>> held_;

  ChangeOp* change_ = nullptr;      // at most one membership change
  TransferOp* transfer_ = nullptr;  // at most one leadership transfer

  // The snapshot being taken (at most one, libraft serialises them).
  bool pinned_active_ = false;
  std::shared_ptr<void> pinned_;
  uint64_t pinned_index_ = 0;
  uint64_t snapshot_started_ms_ = 0;
};

}  // namespace gantry::coordinator::raft
