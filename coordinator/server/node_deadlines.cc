#include "coordinator/server/node_deadlines.h"

namespace gantry::coordinator {
namespace {

using protocol::NodeControlState;

std::string SecondsLeft(int64_t deadline_ms, int64_t now_ms) {
  const int64_t left = deadline_ms - now_ms;
  if (left <= 0) return "deadline passed";
  return std::to_string((left + 999) / 1000) + " s left";
}

}  // namespace

std::vector<AttemptInterruption> SelectDrainDeadlineStops(const ClusterState& s, int64_t now_ms) {
  std::vector<AttemptInterruption> stops;
  for (const auto& [id, n] : s.nodes()) {
    const std::optional<protocol::NodeControl>& control = n.node.control;
    if (!control || control->state != NodeControlState::kDraining) continue;
    if (!control->deadlineAt || *control->deadlineAt > now_ms) continue;
    for (const std::string& attempt_id : n.live_attempts) {
      const protocol::Job* job = s.FindJobByAttempt(attempt_id);
      const protocol::Attempt* live = job ? LiveAttempt(*job) : nullptr;
      if (!live || live->attemptId != attempt_id || live->interruption || job->isTerminated) continue;
      stops.push_back({attempt_id, {protocol::InterruptionKind::kDrained, "Node drained: " + id + " (deadline passed)"}});
    }
  }
  return stops;
}

std::vector<KillOrder> SelectOverdueReclaimKills(const ClusterState& s, int64_t now_ms, int64_t slack_ms) {
  std::vector<KillOrder> kills;
  for (const auto& [id, n] : s.nodes()) {
    const std::optional<protocol::NodeControl>& control = n.node.control;
    if (!control || control->state != NodeControlState::kReclaiming || !control->deadlineAt) continue;
    if (now_ms - *control->deadlineAt <= slack_ms) continue;
    for (const std::string& attempt_id : n.live_attempts) kills.push_back({id, attempt_id, "Node reclaimed: " + id});
  }
  return kills;
}

ReclaimAction DecideReclaim(const NodeRecord* known, const protocol::NodeStatus& status) {
  if (!known) return ReclaimAction::kNone;
  const bool reclaiming = known->node.ControlState() == NodeControlState::kReclaiming;
  if (status.reclaim && !reclaiming) return ReclaimAction::kRecord;
  // A restarted agent (another boot) has none of the reclaimed jobs left.
  if (!status.reclaim && reclaiming && !known->live_attempts.empty() && known->node.bootId == status.node.bootId) {
    return ReclaimAction::kResend;
  }
  return ReclaimAction::kNone;
}

std::optional<protocol::NodeControl> ControlFor(const protocol::NodeControlRequest& request, int64_t now_ms) {
  protocol::NodeControl c;
  c.requestedAt = now_ms;
  switch (request.action) {
    case protocol::NodeAction::kUncordon:
      return std::nullopt;
    case protocol::NodeAction::kCordon:
      c.state = NodeControlState::kCordoned;
      c.reason = request.reason.value_or("cordoned by operator");
      break;
    case protocol::NodeAction::kDrain:
      c.state = NodeControlState::kDraining;
      c.reason = request.reason.value_or("drained by operator");
      if (request.deadlineSeconds) c.deadlineAt = now_ms + int64_t{*request.deadlineSeconds} * 1000;
      break;
    case protocol::NodeAction::kReclaim:
      c.state = NodeControlState::kReclaiming;
      c.reason = request.reason.value_or("reclaimed by operator");
      c.deadlineAt =
          now_ms + int64_t{request.deadlineSeconds.value_or(protocol::kDefaultReclaimGraceSeconds)} * 1000;
      break;
  }
  return c;
}

std::optional<ControlView> ViewOfControl(const protocol::Node& node, int64_t now_wall_ms) {
  if (!node.control || node.control->state == NodeControlState::kActive) return std::nullopt;
  const protocol::NodeControl& c = *node.control;
  ControlView v;
  v.reason = c.reason;
  switch (c.state) {
    case NodeControlState::kActive:
    case NodeControlState::kCordoned:
      v.state = protocol::NodeState::kCordoned;
      break;
    case NodeControlState::kDraining:
      v.state = protocol::NodeState::kDraining;
      v.reason += c.deadlineAt ? "; running jobs stopped at the deadline, " + SecondsLeft(*c.deadlineAt, now_wall_ms)
                               : "; running jobs may finish, no deadline";
      break;
    case NodeControlState::kReclaiming:
      v.state = protocol::NodeState::kReclaiming;
      if (c.deadlineAt) v.reason += "; jobs killed at the deadline, " + SecondsLeft(*c.deadlineAt, now_wall_ms);
      break;
  }
  return v;
}

}  // namespace gantry::coordinator
