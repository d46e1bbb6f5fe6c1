// The leader's handling of what happens to nodes: silence past the TTL
// (NodeLost), operators' cordon/uncordon/drain/reclaim, a node's own
// reclaim notice, and the deadlines of drains and reclaims. Decisions come
// from pure functions (node_deadlines.h, NodeLiveness); this file proposes
// and sends.
#include "coordinator/server/coordinator_server.h"

#include <map>

#include "coordinator/scheduler/wait_reason.h"
#include "coordinator/server/node_deadlines.h"
#include "coordinator/server/plan_builder.h"
#include "coordinator/server/preemption_builder.h"

namespace gantry::coordinator {

void CoordinatorServer::ProposeNodeCommand(const std::string& key, Command command,
                                           std::function<void(const ApplyResult&)> then) {
  if (!node_commands_in_flight_.insert(key).second) return;
  pipeline_->Propose(std::move(command), [this, key, then = std::move(then)](Result<ApplyResult>& r) {
    node_commands_in_flight_.erase(key);
    if (!r.ok()) {
      sched_log_->warn("node command refused key={} error={}", key, r.status().ToString());
      return;
    }
    for (const auto& note : r->notes) fsm_log_->info("{}", note);
    SendKills(r->kills);
    if (then) then(*r);
  });
}

void CoordinatorServer::HandleNodeControl(const Prefix& prefix, const protocol::Envelope& env) {
  const uint64_t id = env.requestId;
  auto req = protocol::DecodeBody<protocol::NodeControlRequest>(env);
  if (!req.ok()) return ReplyError(prefix, id, req.status());
  Command c;
  c.type = CommandType::kControlNode;
  c.at = clock_->NowMillis();
  c.controlNode = ControlNodeCommand{req->nodeId, ControlFor(*req, c.at)};
  const std::string node_id = req->nodeId;
  const std::string action = protocol::EnumName(req->action);
  const std::string reason = c.controlNode->control ? c.controlNode->control->reason : "";
  pipeline_->Propose(std::move(c), [this, prefix, id, node_id, action, reason](Result<ApplyResult>& r) {
    if (!r.ok()) return ReplyError(prefix, id, r.status());
    sched_log_->info("node control node_id={} action={} reason={}", node_id, action, reason);
    if (r->reclaimGraceMs) SendReclaim(node_id, *r->reclaimGraceMs, reason);
    Reply(prefix, id, protocol::DoneReply{node_id});
  });
}

void CoordinatorServer::SendReclaim(const std::string& node_id, int64_t grace_ms, const std::string& reason) {
  protocol::ReclaimNode m;
  m.graceMs = std::clamp<int64_t>(grace_ms, 0, int64_t{protocol::kMaxControlDeadlineSeconds} * 1000);
  m.reason = reason;
  SendToNode(node_id, protocol::EncodeMessage(0, m));
}

void CoordinatorServer::ReconcileReclaim(const protocol::NodeStatus& status) {
  const NodeRecord* known = state_.FindNode(status.node.nodeId);
  if (!known) return;
  const std::optional<protocol::NodeControl>& control = known->node.control;
  const int64_t now = clock_->NowMillis();
  const ReclaimAction action = DecideReclaim(known, status);
  if (action == ReclaimAction::kRecord) {
    // The node heard of its own reclaim (a cloud's interruption notice):
    // record it, so its attempts end as reclaimed even if the machine
    // vanishes before it reports them.
    Command c;
    c.type = CommandType::kControlNode;
    c.at = now;
    protocol::NodeControl reclaim;
    reclaim.state = protocol::NodeControlState::kReclaiming;
    reclaim.reason = "reclaim notice: " + status.reclaim->source;
    reclaim.requestedAt = now;
    reclaim.deadlineAt = now + status.reclaim->graceLeftMs;
    c.controlNode = ControlNodeCommand{status.node.nodeId, reclaim};
    sched_log_->warn("node reports a reclaim node_id={} source={} grace_left_ms={}", status.node.nodeId,
                     status.reclaim->source, status.reclaim->graceLeftMs);
    ProposeNodeCommand("reclaim/" + status.node.nodeId, std::move(c));
  } else if (action == ReclaimAction::kResend) {
    // The ReclaimNode was lost (reconnect, leader change): send it again.
    SendReclaim(status.node.nodeId, control->deadlineAt.value_or(now) - now, control->reason);
  }
}

void CoordinatorServer::EnforceNodeDeadlines(int64_t now_wall_ms) {
  std::vector<AttemptInterruption> stops = SelectDrainDeadlineStops(state_, now_wall_ms);
  if (!stops.empty()) {
    sched_log_->info("drain deadline passed, stopping attempts count={}", stops.size());
    Command c;
    c.type = CommandType::kInterruptAttempts;
    c.at = now_wall_ms;
    c.interrupt = InterruptAttemptsCommand{std::move(stops)};
    ProposeNodeCommand("drain-deadline", std::move(c));
  }
  // The agent kills at its deadline; if it did not (it restarted and lost
  // the notice, say), the coordinator's kill orders follow a grace later.
  SendKills(SelectOverdueReclaimKills(state_, now_wall_ms, /*slack_ms=*/5000));
}

void CoordinatorServer::DeclareSilentNodesLost() {
  const int64_t now = clock_->MonotonicMillis();
  for (const auto& [id, n] : state_.nodes()) {
    if (n.live_attempts.empty() || !liveness_.IsSilentPastTtl(id, now)) continue;
    if (node_commands_in_flight_.count("lost/" + id)) continue;
    sched_log_->warn("node lost node_id={} silent_ms={} ttl_ms={} live_attempts={}", id, liveness_.SilentFor(id, now),
                     liveness_.ttl_ms(), n.live_attempts.size());
    Command c;
    c.type = CommandType::kNodeLost;
    c.at = clock_->NowMillis();
    c.target = id;
    ProposeNodeCommand("lost/" + id, std::move(c));
  }
}

void CoordinatorServer::MaybePreempt(const ClusterSnapshot& snapshot, const Plan& plan) {
  // One round at a time: until its interruptions are recorded, the victims
  // do not look like they are stopping, and a second round would pick more.
  if (preemption_in_flight_) return;
  std::optional<PreemptionInput> in = BuildPreemptionInput(state_, snapshot, plan);
  if (!in) return;
  const PreemptionPlan decided =
      PlanPreemptions(in->nodes, in->compute_environments, in->candidates, in->running, PreemptionOptions{});
  // A job that makes room for itself says so. The code stays AWS's capacity
  // code: it does wait for capacity, and time limits on it still apply.
  std::map<std::string, uint64_t> tag_of;
  for (const WaitingJob& w : plan.waiting) tag_of.emplace(w.job_id, w.tag);
  for (const Preemption& p : decided.preemptions) {
    wait_board_.File(tag_of[p.job_id],
                     "preempting " + std::to_string(p.victim_attempt_ids.size()) +
                         " lower-priority job(s) on node " + p.node_id + " to make room",
                     kCodeCapacity);
  }
  for (const StopWait& w : decided.waiting_for_stop) {
    wait_board_.File(tag_of[w.job_id], "waiting for preempted jobs to stop on node " + w.node_id,
                     kCodeCapacity);
  }
  std::vector<AttemptInterruption> victims = ToInterruptions(state_, decided);
  if (victims.empty()) return;
  for (const Preemption& p : decided.preemptions) {
    sched_log_->info("preempting job_id={} node_id={} victims={}", p.job_id, p.node_id, p.victim_attempt_ids.size());
  }
  Command c;
  c.type = CommandType::kInterruptAttempts;
  c.at = clock_->NowMillis();
  c.interrupt = InterruptAttemptsCommand{std::move(victims)};
  preemption_in_flight_ = true;
  pipeline_->Propose(std::move(c), [this](Result<ApplyResult>& r) {
    preemption_in_flight_ = false;
    if (!r.ok()) return sched_log_->warn("preemption refused error={}", r.status().ToString());
    for (const auto& note : r->notes) fsm_log_->info("{}", note);
    SendKills(r->kills);
  });
}

void CoordinatorServer::CheckLiveness() {
  const int64_t now = clock_->MonotonicMillis();
  // The timer runs every 200 ms at most; a gap of a whole TTL means this
  // process was stopped or starved, not that every node went quiet at once.
  if (last_liveness_check_ms_ >= 0 && now - last_liveness_check_ms_ > liveness_.ttl_ms()) {
    sched_log_->warn("liveness check late by {} ms (this replica was paused); node TTLs restart",
                     now - last_liveness_check_ms_);
    liveness_.RestartTtls(now);
  }
  last_liveness_check_ms_ = now;
  for (const auto& node : liveness_.Expire(now)) {
    sched_log_->warn("node silent past its ttl, no new work node_id={} ttl_ms={}", node, liveness_.ttl_ms());
    schedule_wanted_ = true;
  }
  if (leader_ && !stopped_) DeclareSilentNodesLost();
  // Waiting reasons may depend on time (a node's TTL ran out).
  MaybeSchedule();
}

}  // namespace gantry::coordinator
