// RaftNode: one replica's Raft server, a thin adapter over Debian's libraft
// 0.15 with its libuv disk I/O and TCP transport.
//
// libraft does the protocol; this adapter applies the mitigations of
// research/libraft.md §6 so that its users never meet them: entries padded
// to 8 bytes with an explicit length (§6.1), TCP_NODELAY on every peer
// connection (§6.2), a short InstallSnapshot retry (§6.3), a barrier on
// election before the node serves as leader (§6.4), pre-vote (§6.5),
// io->version 2 so FSM v3 async snapshots are accepted (§6.6), per-call
// completion after the last entry of a batch (§6.7), libraft's buffer
// ownership rules (§6.8), configuration checked here (§6.13), entry indexes
// computed from r->last_applied (§6.14) and idempotent apply/restore against
// StateMachine::AppliedIndex(). Beyond §6, found while building this:
//   - 0.15 commits entries of earlier terms by counting replicas (Raft's
//     Figure 8 bug, canonical/raft #220); entries reach the state machine
//     only once a commit of the current term makes them safe;
//   - raft_close with a leader's log write in flight crashes; Close waits
//     for those writes first;
//   - TimeoutNow reaches a just-added voter before it knows it is one;
//     TransferLeadership waits for the target to catch up first;
//   - a removed node is never told; RemovePeer demotes it first so it can
//     tell (RemovedFromCluster);
//   - libuv raises SIGPIPE on a write to a closed peer; Create ignores it.
//
// Nothing outside coordinator/raft/ includes raft.h; this header does not.
//
// Threading: every method, and every callback it takes, runs on the thread
// running `loop` (the owner's one loop per process). Callbacks never run
// inside the call that was given them: they are deferred to a later phase of
// the loop, so the owner may call back into the node from them. Work from
// other threads reaches the loop through uv_async.
//
// Lifecycle:
//
//   Create --> Start --> (serving) --> Close(done) --> done() --> destroy
//      \__________________________________/
//   Close is required once Create succeeded, started or not; destroying a
//   node before its Close callback ran aborts (libuv still points into it).
#pragma once

#include <uv.h>

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "common/logging.h"
#include "coordinator/raft/raft_options.h"
#include "coordinator/raft/state_machine.h"
#include "gantry/status.h"

namespace gantry::coordinator::raft {

class RaftCore;  // raft_core.h: the part that touches libraft

class RaftNode {
 public:
  using Done = std::function<void(Status)>;

  // Validates `options`, creates options.dir (and parents), sets up libuv
  // I/O and the TCP transport and initialises libraft, which probes the
  // file system (a file system without O_DIRECT that is not tmpfs fails
  // here, §6.10). kInvalidArgument for bad options, kUnavailable/kInternal
  // for I/O errors. `loop` and `state_machine` must outlive the node.
  // Sets SIGPIPE to ignored if it is at its default (which would kill the
  // process when a peer closes a connection libuv is writing to).
  static Result<std::unique_ptr<RaftNode>> Create(uv_loop_t* loop, RaftOptions options, StateMachine* state_machine,
                                                  Logger log);
  ~RaftNode();
  RaftNode(const RaftNode&) = delete;
  RaftNode& operator=(const RaftNode&) = delete;

  // Bootstraps options.bootstrap (when non-empty) and starts the server. A
  // dir that already holds state makes libraft refuse the bootstrap
  // (RAFT_CANTBOOTSTRAP): that is a restart and takes the same path. Loads
  // the last snapshot (restoring it if newer than the state machine) and
  // every later entry into RAM, then listens. Call once. kInternal("raft
  // start on <address>: I/O error") when the address is taken (0.15 says
  // no more). The node must still be closed after a failed Start.
  Status Start();

  // Proposes each payload as one log entry, in order. Only a ready leader
  // (IsReadyLeader) accepts; otherwise `done` gets kUnavailable("not the
  // leader") and Leader() is the hint. kInvalidArgument for no payloads or
  // one over kMaxPayloadBytes. `done(Ok)` runs once every entry of this
  // call has been applied to the local state machine; kUnavailable if
  // leadership was lost first (the entries may or may not commit later:
  // the outcome is unknown, as after any timeout).
  void Propose(std::vector<std::string> payloads, Done done);

  // Leader, the barrier issued on election has been applied (every entry
  // of earlier terms is in the state machine), and no leadership transfer
  // is under way.
  bool IsReadyLeader() const;
  // The leader this node knows of (itself when leader), if any.
  std::optional<Peer> Leader() const;
  // Called with true when this node becomes a ready leader and with false
  // when it stops being one (step-down, transfer, Close). Replaces any
  // earlier callback.
  void OnRoleChange(std::function<void(bool ready_leader)> cb);

  // Membership (operator commands). Each needs a ready leader (else
  // kUnavailable) and no other membership change in flight (kUnavailable
  // from libraft: RAFT_CANTCHANGE).
  //
  // Adds `peer` (started with an empty bootstrap) as a spare, then promotes
  // it to voter once it has caught up. kConflict for an id or address
  // already in the configuration.
  void AddVoter(Peer peer, Done done);
  // Removes `id` (kNotFound if absent). A voter is first demoted to standby
  // and the leader waits (up to a few election timeouts) until the node has
  // seen that demotion committed, so it can tell it was removed
  // (RemovedFromCluster); then it leaves the configuration. A leader may
  // remove itself: it steps down once that commits.
  void RemovePeer(uint64_t id, Done done);
  // Hands leadership to voter `id` (0: the most up-to-date other voter).
  // Waits up to two election timeouts for the target to match this log,
  // then asks libraft (TimeoutNow). Ok once the target leads; kUnavailable
  // if it did not within an election timeout; kInvalidArgument if `id` is
  // this node or not a voter; kNotFound if there is no other voter.
  void TransferLeadership(uint64_t id, Done done);
  // The latest configuration this node knows (possibly not yet committed),
  // with each member's role: "voter", "standby" or "spare".
  std::vector<std::pair<Peer, std::string>> Peers() const;
  // This node was removed: its committed configuration no longer lists it
  // as a voter (it is absent, or a standby, which only RemovePeer makes).
  // The owner must then Close it and not restart it from the same dir.
  bool RemovedFromCluster() const;
  // Called once when RemovedFromCluster() becomes true.
  void OnRemoved(std::function<void()> cb);

  // Stops the server: nothing new is accepted and pending Propose and
  // membership callbacks get kUnavailable; log writes a leader has in
  // flight finish first (milliseconds); then libraft, its I/O and
  // transport close. `done` runs on the loop once every handle is closed;
  // the node may be destroyed then. Call once.
  void Close(std::function<void()> done);

  // Start found existing state (RAFT_CANTBOOTSTRAP) or had nothing to
  // bootstrap, i.e. this was not a first bootstrap.
  bool RestartedForTesting() const;
  // libraft's view (log, last applied, term, commit), for tests.
  uint64_t LastIndexForTesting() const;
  uint64_t LastAppliedForTesting() const;
  uint64_t TermForTesting() const;
  uint64_t CommitIndexForTesting() const;

 private:
  explicit RaftNode(std::unique_ptr<RaftCore> core);
  std::unique_ptr<RaftCore> core_;
};

}  // namespace gantry::coordinator::raft
