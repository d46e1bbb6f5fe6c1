// What the leader decides about nodes from the state and the time, as pure
// functions: which attempts a drain's deadline stops, what a node's control
// turns into for an operator, and which controls a NodeControlRequest
// makes. The edge (node_faults.cc) proposes and sends what these return.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "coordinator/fsm/fsm.h"
#include "coordinator/state/cluster_state.h"
#include "protocol/messages.h"

namespace gantry::coordinator {

// Live attempts, not yet interrupted or terminated, on DRAINING nodes whose
// deadline is at or before `now_ms`: each to be stopped with kind DRAINED
// and reason "Node drained: <node> (deadline passed)".
std::vector<AttemptInterruption> SelectDrainDeadlineStops(const ClusterState& s, int64_t now_ms);

// Live attempts on RECLAIMING nodes whose deadline passed more than
// `slack_ms` ago: the agent should have killed them by then; a kill order
// makes sure (kills are idempotent).
std::vector<KillOrder> SelectOverdueReclaimKills(const ClusterState& s, int64_t now_ms, int64_t slack_ms);

// What the leader does about reclaims when a node's status arrives.
enum class ReclaimAction {
  kNone,
  kRecord,  // the node reports a reclaim the state does not hold: ControlNode RECLAIMING
  kResend,  // the state's reclaim never reached this boot, which still runs
            // the reclaimed attempts: ReclaimNode again
};
// `known` is the node's record (null: not registered yet).
ReclaimAction DecideReclaim(const NodeRecord* known, const protocol::NodeStatus& status);

// The NodeControl a request asks for at `now_ms` (absent: ACTIVE again).
// Reasons default to what the operator did; a reclaim without a deadline
// gets kDefaultReclaimGraceSeconds. Precondition: request.Validate() is ok.
std::optional<protocol::NodeControl> ControlFor(const protocol::NodeControlRequest& request, int64_t now_ms);

// The node's control as `gantry nodes` shows it: its state and a reason
// with the time left to its deadline, e.g. "drained by operator; running
// jobs stopped in 42 s". nullopt for ACTIVE.
struct ControlView {
  protocol::NodeState state = protocol::NodeState::kCordoned;
  std::string reason;
};
std::optional<ControlView> ViewOfControl(const protocol::Node& node, int64_t now_wall_ms);

}  // namespace gantry::coordinator
