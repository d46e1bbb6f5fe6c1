#include "coordinator/server/preemption_builder.h"

#include <algorithm>
#include <map>

namespace gantry::coordinator {
namespace {

uint32_t QueuePriority(const ClusterState& s, const std::string& queue) {
  const protocol::JobQueue* q = s.FindJobQueue(queue);
  return q ? q->priority : 0;
}

void Take(protocol::NodeCapacity& free, const protocol::Resources& r) {
  free.vcpus -= std::min(free.vcpus, r.vcpus);
  free.memoryMib -= std::min(free.memoryMib, r.memoryMib);
  free.diskMib -= std::min(free.diskMib, r.diskMib);
}

}  // namespace

std::optional<PreemptionInput> BuildPreemptionInput(const ClusterState& s, const ClusterSnapshot& snapshot,
                                                    const Plan& plan, size_t max_candidates) {
  if (plan.waiting.empty()) return std::nullopt;
  PreemptionInput in;
  std::optional<uint32_t> lowest_victim_priority;
  for (const auto& [node_id, n] : s.nodes()) {
    for (const std::string& attempt_id : n.live_attempts) {
      const protocol::Job* job = s.FindJobByAttempt(attempt_id);
      const protocol::Attempt* a = job ? LiveAttempt(*job) : nullptr;
      if (!a || a->attemptId != attempt_id) continue;
      RunningAttempt r;
      r.job_id = job->jobId;
      r.attempt_id = attempt_id;
      r.node_id = node_id;
      r.compute_environment = a->computeEnvironment;
      r.queue_priority = QueuePriority(s, job->jobQueue);
      r.resources = job->resources;
      r.placed_at = a->placedAt;
      r.stopping = a->interruption.has_value() || job->isTerminated;
      const protocol::ComputeEnvironment* ce = s.FindComputeEnvironment(a->computeEnvironment);
      // Stopping attempts count too: a job they will make room for is told
      // so (PreemptionPlan::waiting_for_stop), and gets no second victim.
      if (ce && ce->IsPreemptible()) {
        lowest_victim_priority = std::min(lowest_victim_priority.value_or(r.queue_priority), r.queue_priority);
      }
      in.running.push_back(std::move(r));
    }
  }
  if (!lowest_victim_priority) return std::nullopt;
  for (const WaitingJob& w : plan.waiting) {
    if (in.candidates.size() >= max_candidates) break;
    const protocol::Job* job = s.FindJob(w.job_id);
    const protocol::JobQueue* q = job ? s.FindJobQueue(job->jobQueue) : nullptr;
    if (!q || q->priority <= *lowest_victim_priority) continue;
    PreemptionCandidate c;
    c.job_id = job->jobId;
    c.queue_priority = q->priority;
    c.resources = job->resources;
    for (const auto& o : q->computeEnvironmentOrder) c.compute_environments.push_back(o.computeEnvironment);
    in.candidates.push_back(std::move(c));
  }
  if (in.candidates.empty()) return std::nullopt;
  in.nodes = snapshot.nodes;
  std::map<std::string, size_t> slot;
  for (size_t i = 0; i < in.nodes.size(); ++i) slot.emplace(in.nodes[i].id, i);
  for (const Placement& p : plan.placements) {
    const protocol::Job* job = s.FindJob(p.job_id);
    auto it = slot.find(p.node_id);
    if (job && it != slot.end()) Take(in.nodes[it->second].free, job->resources);
  }
  std::map<std::string, uint32_t> placed_vcpus;  // per CE, by this plan
  for (const Placement& p : plan.placements) {
    if (const protocol::Job* job = s.FindJob(p.job_id)) placed_vcpus[p.compute_environment] += job->resources.vcpus;
  }
  for (const auto& [name, ce] : s.compute_environments()) {
    PreemptionCe c;
    c.name = name;
    c.enabled = ce.state == protocol::ResourceState::kEnabled;
    c.preemptible = ce.IsPreemptible();
    c.spot = ce.provisioningModel == protocol::ProvisioningModel::kSpot;
    c.selector = ce.selector;
    c.max_vcpus = ce.maxvCpus;
    c.used_vcpus = s.UsedVcpus(name) + placed_vcpus[name];
    in.compute_environments.push_back(std::move(c));
  }
  return in;
}

std::vector<AttemptInterruption> ToInterruptions(const ClusterState& s, const PreemptionPlan& plan) {
  std::vector<AttemptInterruption> out;
  for (const Preemption& p : plan.preemptions) {
    const protocol::Job* winner = s.FindJob(p.job_id);
    if (!winner) continue;
    const uint32_t priority = QueuePriority(s, winner->jobQueue);
    for (const std::string& victim_id : p.victim_attempt_ids) {
      const protocol::Job* victim = s.FindJobByAttempt(victim_id);
      if (!victim) continue;
      out.push_back({victim_id,
                     {protocol::InterruptionKind::kPreempted,
                      "Preempted by job " + p.job_id + " (queue " + winner->jobQueue + ", priority " +
                          std::to_string(priority) + " over " +
                          std::to_string(QueuePriority(s, victim->jobQueue)) + ")"}});
    }
  }
  return out;
}

}  // namespace gantry::coordinator
