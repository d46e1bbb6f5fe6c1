// CoordinatorConnections: the agent's connections to the coordinator's Raft
// replicas, and which of them is the leader.
//
// Only the leader handles agent traffic, and every replica tracks node
// liveness. One DEALER connected to every endpoint would round-robin messages
// between replicas, so each endpoint gets its own DEALER (routing id = node
// id, so the replica routes LaunchAttempt and KillAttempt back on it) and its
// own socket monitor, which reports handshakes and drops per replica. The
// leader is judged by a LeaderTracker from what the agent decodes; leader
// changes, connects and drops are logged here.
//
//   Connect ──> per endpoint: DEALER + monitor ──handshake──> on_connected(i)
//   message on i ──> on_message(i); the agent calls OnStatusAck / OnUnavailable
//   drop on i ──> the leader is forgotten if it was i
//   CloseAll: stop each monitor, close it, close the DEALER
//
// Not thread-safe: use from the loop thread only.
#pragma once

#include <uv.h>

#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>
#include <zmq.hpp>

#include "common/logging.h"
#include "common/zmq_socket.h"
#include "gantry/status.h"
#include "node/leader_tracker.h"

namespace gantry::node {

class CoordinatorConnections {
 public:
  struct Handlers {
    // A multipart message arrived on connection `index`.
    std::function<void(size_t index, LoopSocket::Frames&)> on_message;
    // Connection `index` completed a handshake (the first or a reconnect).
    std::function<void(size_t index)> on_connected;
  };

  // `log` is the agent's logger.
  CoordinatorConnections(Logger log, Handlers handlers);
  // Closes whatever CloseAll has not.
  ~CoordinatorConnections();
  CoordinatorConnections(const CoordinatorConnections&) = delete;
  CoordinatorConnections& operator=(const CoordinatorConnections&) = delete;

  // Opens one DEALER per endpoint, numbered in `endpoints` order, watched on
  // `loop`. `context` must outlive this object; `monitor_prefix` names the
  // inproc monitor endpoints and must be unique in `context`.
  // kInvalidArgument for an endpoint ZeroMQ refuses, kInternal for other
  // setup failures; the connections made so far then stay open until
  // CloseAll. Call at most once.
  Status Connect(uv_loop_t* loop, zmq::context_t& context,
                 const std::vector<std::string>& endpoints, const std::string& node_id,
                 const std::string& monitor_prefix);

  // Below, `index` must be < size(); breaking that is a bug (abort).
  size_t size() const { return connections_.size(); }
  const std::string& endpoint(size_t index) const;

  // What connection `index` answered, for the leader bookkeeping: a
  // NodeStatusAck, or an ErrorReply kUnavailable with `message`. Only after
  // Connect succeeded.
  void OnStatusAck(size_t index);
  void OnUnavailable(size_t index, const std::string& message);

  // Every connection, ascending.
  std::vector<size_t> All() const;
  // Where reports go: the leader, or every connection while none is known;
  // none before Connect succeeded.
  std::vector<size_t> ReportTargets() const { return tracker_.ReportTargets(); }
  bool IsReportTarget(size_t index) const { return tracker_.IsReportTarget(index); }

  // Queues one frame on connection `index` without blocking. kUnavailable if
  // it cannot be queued now (not connected, closed).
  Status Send(size_t index, std::string_view frame);

  // Stops watching and closes every socket; the loop can then end. Idempotent.
  void CloseAll();

 private:
  struct Connection {
    std::string endpoint;
    std::unique_ptr<LoopSocket> dealer;
    std::unique_ptr<LoopSocket> monitor;
  };

  Status Add(uv_loop_t* loop, zmq::context_t& context, const std::string& endpoint,
             const std::string& node_id, const std::string& monitor_addr);
  void OnMonitorEvent(size_t index, LoopSocket::Frames& frames);
  void LogLeaderLost(size_t index, std::string_view reason);

  Logger log_;
  Handlers handlers_;
  std::vector<Connection> connections_;
  LeaderTracker tracker_;  // sized when Connect succeeds
  bool closed_ = false;
};

}  // namespace gantry::node
