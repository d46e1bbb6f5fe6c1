// Apply handlers for what happens to nodes from outside a job: a node lost
// past its TTL, an operator's cordon, drain or reclaim, and the attempts the
// leader interrupts (preemption victims, what a drain's deadline stops).
//
// A lost node's attempts end "Node lost: <node>" and follow the job's retry
// strategy, as any failure does. Interruptions are recorded on the attempt
// when they are decided, so whatever its end report says later, the end
// counts against the job's preemption budget instead.
#include "coordinator/fsm/fsm.h"
#include "coordinator/fsm/job_transitions.h"

namespace gantry::coordinator {
namespace {

using protocol::NodeControlState;

// Records `interruption` on the live attempt `attempt_id` unless the attempt
// is gone, already interrupted, or its job is being terminated (the user's
// stop wins). True if it was recorded.
bool MarkInterrupted(ClusterState& state, const std::string& attempt_id, const protocol::Interruption& interruption,
                     int64_t at, WriteBatch& batch, ApplyResult& r) {
  const protocol::Job* job = state.FindJobByAttempt(attempt_id);
  const protocol::Attempt* live = job ? LiveAttempt(*job) : nullptr;
  if (!live || live->attemptId != attempt_id || live->interruption || job->isTerminated) return false;
  protocol::Job next = *job;
  next.attempts.back().interruption = interruption;
  next.statusReason = "stopping: " + interruption.reason;
  CommitJob(state, std::move(next), at, batch, r);
  return true;
}

}  // namespace

Result<ApplyResult> Fsm::NodeLost(const Command& c, WriteBatch& batch) {
  const std::string& node_id = *c.target;
  const NodeRecord* node = state_->FindNode(node_id);
  if (!node) return Status::NotFound("node " + node_id + " not found");
  ApplyResult r;
  r.schedule = true;
  // A copy: ending an attempt changes the node's set.
  const std::vector<std::string> live(node->live_attempts.begin(), node->live_attempts.end());
  for (const auto& attempt_id : live) {
    const protocol::Job* job = state_->FindJobByAttempt(attempt_id);
    if (!job || !LiveAttempt(*job) || LiveAttempt(*job)->attemptId != attempt_id) continue;
    EndNodeGone(*job, c.at, "Node lost: " + node_id, batch);
    r.notes.push_back("attempt " + attempt_id + " ended: node " + node_id + " lost");
  }
  return r;
}

Result<ApplyResult> Fsm::ControlNode(const Command& c, WriteBatch& batch) {
  const ControlNodeCommand& cmd = *c.controlNode;
  const NodeRecord* record = state_->FindNode(cmd.nodeId);
  if (!record) return Status::NotFound("node " + cmd.nodeId + " not found");
  const NodeControlState was = record->node.ControlState();
  const NodeControlState want = cmd.control ? cmd.control->state : NodeControlState::kActive;
  ApplyResult r;
  r.name = cmd.nodeId;
  r.schedule = true;
  if (was == NodeControlState::kReclaiming && want != NodeControlState::kActive) {
    if (want != NodeControlState::kReclaiming) {
      return Status::InvalidArgument("node " + cmd.nodeId +
                                     " is being reclaimed; only uncordon can take it out of that");
    }
    // A repeated reclaim keeps the first deadline: the machine goes when
    // the first notice said it would.
    const protocol::NodeControl& current = *record->node.control;
    if (current.deadlineAt) r.reclaimGraceMs = std::max<int64_t>(0, *current.deadlineAt - c.at);
    return r;
  }
  protocol::Node node = record->node;
  node.control = cmd.control;
  if (want == NodeControlState::kActive) node.control.reset();
  const std::vector<std::string> live(record->live_attempts.begin(), record->live_attempts.end());
  state_->PutNode(node, batch);
  if (want == NodeControlState::kReclaiming) {
    const protocol::Interruption reclaimed{protocol::InterruptionKind::kReclaimed, "Node reclaimed: " + cmd.nodeId};
    for (const auto& attempt_id : live) MarkInterrupted(*state_, attempt_id, reclaimed, c.at, batch, r);
    const std::optional<int64_t> deadline = cmd.control->deadlineAt;
    r.reclaimGraceMs = deadline ? std::max<int64_t>(0, *deadline - c.at) : 0;
  }
  return r;
}

Result<ApplyResult> Fsm::InterruptAttempts(const Command& c, WriteBatch& batch) {
  ApplyResult r;
  for (const AttemptInterruption& i : c.interrupt->attempts) {
    if (!MarkInterrupted(*state_, i.attemptId, i.interruption, c.at, batch, r)) {
      r.notes.push_back("interruption of " + i.attemptId + " skipped: not live, already interrupted or terminated");
      continue;
    }
    const protocol::Job* job = state_->FindJobByAttempt(i.attemptId);
    r.kills.push_back({job->attempts.back().node, i.attemptId, i.interruption.reason});
  }
  return r;
}

}  // namespace gantry::coordinator
