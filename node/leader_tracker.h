// LeaderTracker: which of the agent's coordinator connections leads the Raft
// group, judged from what the replicas answer; no I/O.
//
// Only the leader acknowledges NodeStatus; a follower answers every agent
// message with ErrorReply kUnavailable "not the leader ...". So the connection
// that last acknowledged a NodeStatus is taken as the leader until it refuses
// something or drops:
//
//   unknown ──NodeStatusAck on c──> leader c ──NodeStatusAck on d──> leader d
//      ^                               │
//      └── kUnavailable or disconnect on c (the same from any other
//          connection changes nothing)
//
// Reports (AttemptStarted, AttemptEnded) go to the leader; while none is
// known they go to every connection, since a follower refuses them and the
// leader takes them. Connections are numbered 0..connections-1.
// Thread-compatible.
#pragma once

#include <cstddef>
#include <optional>
#include <vector>

#include "protocol/messages.h"

namespace gantry::node {

class LeaderTracker {
 public:
  explicit LeaderTracker(size_t connections = 0);

  // Each returns true when the leader changed, for the caller to log.
  // Precondition: connection < connections.
  bool OnStatusAck(size_t connection);
  bool OnUnavailable(size_t connection);
  bool OnDisconnected(size_t connection);

  std::optional<size_t> leader() const { return leader_; }
  size_t connections() const { return connections_; }

  // The leader alone, or every connection while none is known; ascending.
  std::vector<size_t> ReportTargets() const;
  bool IsReportTarget(size_t connection) const;

 private:
  bool Forget(size_t connection);

  size_t connections_;
  std::optional<size_t> leader_;
};

// True for the refusal a follower sends (kUnavailable, "not the leader...");
// it comes every heartbeat, so the agent logs it quietly.
bool IsNotLeaderReply(const protocol::ErrorReply& reply);

}  // namespace gantry::node
