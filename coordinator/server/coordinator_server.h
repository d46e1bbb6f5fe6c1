// CoordinatorServer: the coordinator's I/O edge. One libuv loop owns the
// ZeroMQ ROUTER that clients and agents talk to, the commit pipeline, the
// node TTL timer and the scheduler trigger:
//
//   frame -> decode -> read: answer from ClusterState
//                   -> write: Command -> CommitPipeline -> reply after commit
//   agent status -> liveness, UpsertNode if changed, ack with current attempts
//   batch committed -> scheduler pass if anything relevant changed
//                   -> Place() -> ApplyPlan -> LaunchAttempt to agents
//
// Loop thread only.
#pragma once

#include <uv.h>

#include <chrono>
#include <memory>
#include <random>
#include <set>
#include <string>
#include <vector>
#include <zmq.hpp>

#include "common/logging.h"
#include "common/zmq_socket.h"
#include "coordinator/fsm/fsm.h"
#include "coordinator/server/commit_pipeline.h"
#include "coordinator/server/node_liveness.h"
#include "coordinator/server/queries.h"
#include "coordinator/state/state_store.h"
#include "gantry/clock.h"

namespace gantry::coordinator {

struct CoordinatorConfig {
  std::string data_dir;
  std::string listen = "tcp://127.0.0.1:7400";
  int64_t node_ttl_ms = 5000;
  // A STARTING attempt the agent does not report as running is launched
  // again after this long (launches are idempotent on the agent).
  int64_t launch_resend_ms = 2000;
};

class CoordinatorServer {
 public:
  // Opens the state store under config.data_dir and loads the state.
  static Result<std::unique_ptr<CoordinatorServer>> Create(uv_loop_t* loop, zmq::context_t* ctx,
                                                           CoordinatorConfig config, const Clock* clock);
  ~CoordinatorServer();

  // Binds the listen address and starts the timers. kUnavailable if the
  // address is taken.
  Status Start();
  // Closes sockets and handles; the loop ends once in-flight writes finish.
  void Stop();

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

  template <class T>
  void Reply(const Prefix& prefix, uint64_t request_id, const T& body);
  void ReplyError(const Prefix& prefix, uint64_t request_id, const Status& status);
  void SendToNode(const std::string& node_id, const std::string& frame);

  void OnBatchCommitted(CommitPipeline::BatchEffects& effects);
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
  std::unique_ptr<StateStore> store_;
  ClusterState state_;
  Fsm fsm_;
  std::unique_ptr<CommitPipeline> pipeline_;
  NodeLiveness liveness_;
  std::unique_ptr<LoopSocket> socket_;
  uv_timer_t* ttl_timer_ = nullptr;
  uv_timer_t* pass_timer_ = nullptr;  // a deferred full scheduler pass
  // A full pass that took d is followed by the next no sooner than
  // kFullPassSpacing * d after its start: at most 1/4 of the loop's time.
  static constexpr int kFullPassSpacing = 4;
  std::chrono::steady_clock::time_point next_full_pass_{};
  std::mt19937_64 rng_;
  std::set<std::string> upserts_in_flight_;
  WaitReasons wait_reasons_;  // from the latest scheduler pass
  bool schedule_wanted_ = true;                // a full pass is due
  std::vector<std::string> new_runnable_;      // jobs no pass has seen yet
  bool plan_in_flight_ = false;
  bool stopped_ = false;
};

}  // namespace gantry::coordinator
