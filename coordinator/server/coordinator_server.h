// CoordinatorServer: one coordinator replica's I/O edge. One libuv loop owns
// the ZeroMQ ROUTER that clients and agents talk to, this replica's RaftNode,
// the pipeline that proposes commands through it, the node TTL timer and the
// scheduler trigger:
//
//   frame -> decode -> not the ready leader: kUnavailable naming the leader
//                      (agents' heartbeats are still noted: liveness)
//                   -> read: answer from ClusterState
//                   -> write: Command -> RaftPipeline -> reply once applied
//   agent status -> liveness, UpsertNode if changed, ack with current attempts
//                   (the agent kills the others: fencing), its reclaim notice
//                   -> ControlNode RECLAIMING
//   entry applied -> scheduler pass if anything relevant changed
//                 -> Place() -> ApplyPlan -> LaunchAttempt to agents
//                 -> jobs left waiting: PlanPreemptions -> InterruptAttempts
//                    -> KillAttempt to the victims' agents
//   TTL timer     -> nodes silent past the TTL with live attempts -> NodeLost
//   housekeeping  -> drains past their deadline -> InterruptAttempts
//   node control  -> ControlNode (cordon, drain, reclaim -> ReclaimNode)
//
// Every replica applies every committed entry, so each holds the whole
// ClusterState in memory; what only the leader keeps (waiting reasons, the
// scheduler's pacing) is rebuilt when a replica becomes the ready leader,
// and node TTLs restart then, so a failover never declares nodes lost.
//
// Lifecycle: Create -> Start -> ... -> Stop, then run the loop until it ends
// (RaftNode closes asynchronously), then destroy. Loop thread only.
#pragma once

#include <uv.h>

#include <chrono>
#include <functional>
#include <memory>
#include <random>
#include <set>
#include <string>
#include <vector>
#include <zmq.hpp>

#include "common/logging.h"
#include "common/zmq_socket.h"
#include "coordinator/raft/raft_node.h"
#include "coordinator/replication/raft_pipeline.h"
#include "coordinator/replication/replicated_fsm.h"
#include "coordinator/scheduler/scheduler.h"
#include "coordinator/server/node_liveness.h"
#include "coordinator/server/queries.h"
#include "coordinator/state/state_store.h"
#include "gantry/clock.h"

namespace gantry::coordinator {

struct CoordinatorConfig {
  std::string data_dir;  // state/ (RocksDB) and raft/ (the Raft log) go here
  std::string listen = "tcp://127.0.0.1:7400";
  int64_t node_ttl_ms = 5000;
  // A STARTING attempt the agent does not report as running is launched
  // again after this long (launches are idempotent on the agent).
  int64_t launch_resend_ms = 2000;
  // Finished jobs are removed from the state this long after they stopped.
  int64_t job_retention_ms = 7LL * 24 * 3600 * 1000;
  // The scratch disk of a job whose definition and submission ask for none:
  // scheduled like vCPUs and memory, and the agent's hard quota. 0: such
  // jobs ask for no disk (and may run on nodes that cannot enforce quotas).
  uint64_t default_job_disk_mib = 1024;
  // How often the leader looks for jobs to purge and for jobs past a
  // queue's jobStateTimeLimitActions.
  int64_t housekeeping_ms = 1000;
  // This replica in the Raft group: id, address, timing, snapshots, and
  // the initial voters (empty: wait to be added by the leader).
  raft::RaftOptions raft;
};

class CoordinatorServer {
 public:
  // Opens the state store under config.data_dir, loads the state and sets
  // up (does not start) the Raft node.
  static Result<std::unique_ptr<CoordinatorServer>> Create(uv_loop_t* loop, zmq::context_t* ctx,
                                                           CoordinatorConfig config, const Clock* clock);
  ~CoordinatorServer();

  // Starts Raft, binds the listen address and starts the timers.
  // kUnavailable if an address is taken. Stop is still needed after a
  // failed Start.
  Status Start();
  // Closes sockets, handles and the Raft node; the loop ends once they are
  // closed and in-flight writes finished.
  void Stop();
  // Called once when this replica learns it was removed from the group; it
  // has stopped itself by then.
  void OnRemoved(std::function<void()> fn) { on_removed_ = std::move(fn); }

 private:
  using Frames = LoopSocket::Frames;
  using Prefix = std::vector<std::string>;

  CoordinatorServer(uv_loop_t* loop, zmq::context_t* ctx, CoordinatorConfig config, const Clock* clock,
                    std::unique_ptr<StateStore> store, ClusterState state);

  void OnFrames(Frames& frames);
  void Dispatch(const Prefix& prefix, const protocol::Envelope& env);
  // Decodes a read request, runs `query` on it, replies with its result.
  template <class Req, class Query>
  void AnswerRead(const Prefix& prefix, const protocol::Envelope& env, Query&& query);
  void HandleWrite(const Prefix& prefix, const protocol::Envelope& env);
  void HandleNodeStatus(const Prefix& prefix, const protocol::Envelope& env);
  void HandleAttemptReport(const Prefix& prefix, const protocol::Envelope& env);
  // job_control_requests.cc: cancel/terminate, update-*, delete-*, policies.
  void HandleControl(const Prefix& prefix, const protocol::Envelope& env);
  // Sends KillAttempt for each order (terminate-job, time limits).
  void SendKills(const std::vector<KillOrder>& kills);
  // node_faults.cc: cordon, uncordon, drain, reclaim requests.
  void HandleNodeControl(const Prefix& prefix, const protocol::Envelope& env);
  // node_faults.cc, leader only: a node's own reclaim notice becomes its
  // RECLAIMING control; a RECLAIMING node that does not know yet is told.
  void ReconcileReclaim(const protocol::NodeStatus& status);
  void SendReclaim(const std::string& node_id, int64_t grace_ms, const std::string& reason);
  // node_faults.cc, leader only: drains past their deadline, reclaims past
  // theirs, nodes silent past their TTL with attempts still live.
  void EnforceNodeDeadlines(int64_t now_wall_ms);
  void DeclareSilentNodesLost();
  // node_faults.cc, leader only, after a scheduler pass: stops running
  // attempts of lower-priority queues in preemptible compute environments
  // for jobs `plan` left waiting.
  void MaybePreempt(const ClusterSnapshot& snapshot, const Plan& plan);
  // Proposes `command` unless one keyed `key` is in flight; logs notes,
  // sends kills, and calls `then` with the result.
  void ProposeNodeCommand(const std::string& key, Command command,
                          std::function<void(const ApplyResult&)> then = nullptr);
  // Leader only, every housekeeping_ms: purges finished jobs past their
  // retention and applies queues' jobStateTimeLimitActions.
  void Housekeep();
  // operator_requests.cc: Raft membership.
  void HandleRaftOperator(const Prefix& prefix, const protocol::Envelope& env);
  protocol::RaftPeersReply PeersReply() const;

  // kUnavailable for a replica that is not the ready leader, naming the
  // leader it knows of.
  Status NotLeader() const;

  template <class T>
  void Reply(const Prefix& prefix, uint64_t request_id, const T& body);
  void ReplyError(const Prefix& prefix, uint64_t request_id, const Status& status);
  void SendToNode(const std::string& node_id, const std::string& frame);

  void OnRoleChange(bool ready_leader);
  void OnBatchCommitted(RaftPipeline::BatchEffects& effects);
  void MaybeSchedule();
  void CheckLiveness();
  std::string NewJobId();

  uv_loop_t* loop_;
  zmq::context_t* ctx_;
  CoordinatorConfig config_;
  const Clock* clock_;
  Logger rpc_log_;
  Logger sched_log_;
  Logger fsm_log_;
  Logger raft_log_;
  std::unique_ptr<StateStore> store_;
  ClusterState state_;
  ReplicatedFsm fsm_;
  std::unique_ptr<raft::RaftNode> raft_;
  std::unique_ptr<RaftPipeline> pipeline_;
  NodeLiveness liveness_;
  std::unique_ptr<LoopSocket> socket_;
  uv_timer_t* ttl_timer_ = nullptr;
  uv_timer_t* pass_timer_ = nullptr;  // a deferred full scheduler pass
  uv_timer_t* housekeeping_timer_ = nullptr;
  bool purge_in_flight_ = false;
  std::set<std::string> time_limits_in_flight_;  // jobs whose time-limit action is committing
  std::set<std::string> node_commands_in_flight_;  // "lost/<node>", "drain/<node>", ...
  // When CheckLiveness last ran (monotonic ms): a much longer gap means this
  // replica itself was paused, and silence it saw is not the nodes' fault.
  int64_t last_liveness_check_ms_ = -1;
  // A full pass that took d is followed by the next no sooner than
  // kFullPassSpacing * d after its start: at most 1/4 of the loop's time.
  static constexpr int kFullPassSpacing = 4;
  std::chrono::steady_clock::time_point next_full_pass_{};
  std::mt19937_64 rng_;
  std::set<std::string> upserts_in_flight_;
  std::set<std::string> reports_in_flight_;  // "<type>/<attempt id>" being committed
  WaitBoard wait_board_;  // waiting reasons and codes from the latest scheduler passes
  bool schedule_wanted_ = true;                // a full pass is due
  std::vector<std::string> new_runnable_;      // jobs no pass has seen yet
  bool plan_in_flight_ = false;
  bool preemption_in_flight_ = false;
  bool leader_ = false;  // ready leader, as last reported by RaftNode
  bool stopped_ = false;
  bool raft_closed_ = false;
  std::function<void()> on_removed_;
};

}  // namespace gantry::coordinator
