// Agent: the node agent's loop. One libuv loop in the calling thread owns the
// connections to the coordinator's replicas, the heartbeat timer, the signal
// handlers and the executor; messages are decoded, passed to the
// AttemptTable's rules, and acted on (spawn, signal, send) here.
//
//   start: sweep DATA/scratch, connect one DEALER per replica, NodeStatus at
//          once and every heartbeat to every replica (followers track liveness
//          too), and to one replica right after its handshake
//   LaunchAttempt (from any replica) ─> AttemptTable::OnLaunch ─> Executor::Start ─> AttemptStarted
//   (both reports carry the launch's fencingToken)
//   KillAttempt, NodeStatusAck ─> Executor::Stop (SIGTERM, SIGKILL after the grace)
//   timeoutSeconds passed since the start (AttemptTable::TakeExpired, one
//   loop timer set to the next deadline) ─> Executor::Stop, and the end
//   reports statusReason "Job attempt duration exceeded timeout"
//   processes gone, scratch deleted ─> AttemptEnded
//   AttemptStarted and AttemptEnded go to the leader (every replica while none
//   is known) and are resent every heartbeat until acked.
//   NodeStatusAck makes its replica the leader; ErrorReply kUnavailable from
//   the leader or its drop forgets it. An ErrorReply, or no answer at all,
//   never kills anything.
//   logs: the log server (log_server.h) answers ReadLog for DATA/logs; its
//   address goes out as Node.logAddress. Ended attempts' logs past the log
//   budget are deleted at start and on every heartbeat (log_retention.h).
//   reclaim (reclaim.h; agent_reclaim.cc): ReclaimNode, the notice file
//   appearing (checked every heartbeat) or SIGUSR1 ─> deadline = now + grace
//   (the first one holds); no new work (NodeStatus.reclaim and
//   unschedulableReason every heartbeat, one sent at once); each running
//   attempt finds the deadline (epoch seconds) in GANTRY_RECLAIM_DEADLINE in
//   its scratch, then gets SIGTERM (no SIGKILL after the kill grace); at the
//   deadline a loop timer SIGKILLs what
//   still runs. Ends report "Node reclaimed: <node>", interruption RECLAIMED;
//   a launch meanwhile ends at once the same way. The agent then stays up,
//   taking no work, until it is stopped.
//   SIGINT, SIGTERM, RequestStop ─> SIGKILL every attempt, wait for cleanup, close, return
//   a second signal ─> _Exit(128 + signal) at once
#pragma once

#include "node/disk_quota.h"

#include <uv.h>

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>
#include <zmq.hpp>

#include "common/logging.h"
#include "common/zmq_socket.h"
#include "gantry/clock.h"
#include "gantry/status.h"
#include "node/agent_config.h"
#include "node/attempt_table.h"
#include "node/coordinator_connections.h"
#include "node/disk_watch.h"
#include "node/end_reason.h"
#include "node/executor.h"
#include "node/log_retention.h"
#include "node/log_server.h"
#include "node/reclaim.h"
#include "protocol/messages.h"

namespace gantry::node {

class Agent {
 public:
  // `clock` (monotonic time for the duplicate-launch window and attempts'
  // timeouts) must outlive the agent. `log` is the "agent" logger, `exec_log` the "exec" one.
  Agent(AgentConfig config, Logger log, Logger exec_log, const Clock& clock);
  ~Agent();
  Agent(const Agent&) = delete;
  Agent& operator=(const Agent&) = delete;

  // Runs the agent in the calling thread until SIGINT, SIGTERM or
  // RequestStop, and returns once every attempt's processes are killed and
  // its scratch deleted. kInvalidArgument or kUnavailable if it cannot start
  // (an endpoint ZeroMQ refuses, a scratch directory it cannot create).
  // Call at most once.
  Status Run();

  // Asks Run to shut down as on SIGTERM. Thread-safe; may come before Run.
  void RequestStop();

  const std::string& boot_id() const { return boot_id_; }

 private:
  Status Start();
  Status Connect();
  // The log retention's first run and the log server.
  Status StartLogs();
  void CloseAll();

  void OnFrames(size_t connection, LoopSocket::Frames& frames);
  void OnConnected(size_t connection);
  void HandleLaunch(const protocol::LaunchAttempt& launch);
  void HandleKill(const protocol::KillAttempt& kill);
  void HandleStatusAck(size_t connection, const protocol::NodeStatusAck& ack);
  void HandleReportAck(const protocol::AttemptReportAck& ack);
  void HandleErrorReply(size_t connection, const protocol::ErrorReply& reply);
  void StopAttempt(const std::string& attempt_id, std::string reason);
  // Stops the attempts whose timeout has passed, then re-arms the timer.
  void OnDeadline();
  // Points deadline_timer_ at the table's next deadline, or stops it.
  void RearmDeadlineTimer(int64_t now_ms);
  void FinishAttempt(const std::string& attempt_id, const std::string& argv0, Outcome outcome);

  // Reclaim (agent_reclaim.cc). BeginReclaim does nothing after the first time.
  void HandleReclaim(const protocol::ReclaimNode& reclaim);
  void BeginReclaim(int64_t grace_ms, std::string source);
  // Every heartbeat until a reclaim starts: has the notice file appeared?
  void CheckReclaimNotice();
  // Tells a running attempt its deadline and sends it SIGTERM.
  void TerminateForReclaim(const std::string& attempt_id, const std::string& deadline_text);
  // Ends a launch that came during the reclaim without running it.
  void RefuseLaunchForReclaim(const protocol::LaunchAttempt& launch);
  // Kills what still runs once the deadline has passed, else re-arms.
  void OnReclaimDeadline();

  // NodeStatus, then the pending reports, to `targets` (reports only to
  // those of them that are report targets).
  void SendStatusAndReports(const std::vector<size_t>& targets);
  // Every heartbeat: free disk against the threshold, pending scratch cleanups,
  // and a log retention run unless one is in flight.
  void CheckDisk();
  // Sends `message` to each connection in `targets`. False when none could
  // queue it (none connected).
  template <class T>
  bool SendTo(const std::vector<size_t>& targets, const T& message);
  // To the leader, or to every connection while none is known.
  template <class T>
  void SendReport(const T& message);

  void OnSignal(int signum);
  void BeginShutdown(const std::string& why);
  void MaybeFinishShutdown();

  AgentConfig config_;
  Logger log_;
  Logger exec_log_;
  const Clock& clock_;
  const std::string boot_id_;
  std::string agent_path_;  // this process's PATH, the jobs' default

  uv_loop_t loop_{};
  uv_timer_t heartbeat_{};
  uv_timer_t deadline_timer_{};  // attempts' timeouts; idle while none is armed
  uv_signal_t sigint_{};
  uv_signal_t sigterm_{};
  uv_signal_t sigusr1_{};        // starts a reclaim
  uv_timer_t reclaim_timer_{};  // the reclaim's deadline; idle until one starts
  uv_async_t stop_async_{};
  bool ran_ = false;
  bool handles_open_ = false;
  bool shutting_down_ = false;

  std::mutex stop_mu_;  // guards the two below against RequestStop's thread
  bool stop_requested_ = false;
  bool async_live_ = false;

  AttemptTable table_;
  std::unique_ptr<Executor> executor_;
  zmq::context_t context_;
  std::unique_ptr<CoordinatorConnections> coordinators_;
  std::unique_ptr<LogServer> log_server_;
  std::unique_ptr<LogRetention> log_retention_;
  std::unique_ptr<DiskWatch> disk_watch_;  // with the watch disk quota method
  std::string log_address_;  // the log server's, for NodeStatus; empty without one
  uint64_t next_request_id_ = 1;
  FreeDiskVerdict free_disk_;  // the latest CheckDisk; accepts work until it says otherwise
  Reclaim reclaim_;
};

}  // namespace gantry::node
