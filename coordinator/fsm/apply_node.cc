// Apply handler for UpsertNode: a node registers, or changes what it offers.
#include "coordinator/fsm/fsm.h"

namespace gantry::coordinator {

Result<ApplyResult> Fsm::UpsertNode(const Command& c, WriteBatch& batch) {
  protocol::Node n = *c.node;
  GANTRY_RETURN_IF_ERROR(n.Validate());
  ApplyResult r;
  r.schedule = true;
  const NodeRecord* old = state_->FindNode(n.nodeId);
  const bool rebooted = old && !old->node.bootId.empty() && old->node.bootId != n.bootId;
  n.registeredAt = (old && !rebooted && old->node.registeredAt) ? old->node.registeredAt : c.at;
  // Operators' cordons, drains and reclaims outlive the agent's reports.
  n.control = old ? old->node.control : std::nullopt;
  // The attempts of an agent's previous boot died with it: its processes are
  // killed when the agent stops, and a new boot never reports them.
  std::vector<std::string> orphaned;
  if (rebooted) orphaned.assign(old->live_attempts.begin(), old->live_attempts.end());
  state_->PutNode(n, batch);
  for (const auto& attempt_id : orphaned) {
    const protocol::Job* job = state_->FindJobByAttempt(attempt_id);
    if (!job || !LiveAttempt(*job) || LiveAttempt(*job)->attemptId != attempt_id) continue;
    EndNodeGone(*job, c.at, "Node restarted: " + n.nodeId, batch);
    r.notes.push_back("attempt " + attempt_id + " ended: node " + n.nodeId + " restarted");
  }
  return r;
}

}  // namespace gantry::coordinator
