#include "coordinator/server/plan_builder.h"

#include <map>

namespace gantry::coordinator {

ClusterSnapshot BuildSnapshot(const ClusterState& s, const NodeLiveness& live) {
  ClusterSnapshot snap;
  snap.nodes.reserve(s.nodes().size());
  for (const auto& [id, n] : s.nodes()) {
    SchedNode node;
    node.id = id;
    node.total = n.node.capacity;
    node.free = n.Free();
    node.labels = n.node.labels;
    // Cordoned, draining and reclaimed nodes keep their jobs but get no more.
    node.schedulable = live.IsSchedulable(id) && !n.node.bootId.empty() &&
                       n.node.ControlState() == protocol::NodeControlState::kActive;
    node.enforces_disk = protocol::EnforcesDiskQuota(n.node);
    snap.nodes.push_back(std::move(node));
  }
  for (const auto& [name, ce] : s.compute_environments()) {
    SchedComputeEnvironment c;
    c.name = name;
    c.enabled = ce.state == protocol::ResourceState::kEnabled;
    c.selector = ce.selector;
    c.spot = ce.provisioningModel == protocol::ProvisioningModel::kSpot;
    c.max_vcpus = ce.maxvCpus;
    c.used_vcpus = s.UsedVcpus(name);
    snap.compute_environments.push_back(std::move(c));
  }
  return snap;
}

namespace {

SchedQueue EmptyQueue(const protocol::JobQueue& q) {
  SchedQueue sq;
  sq.name = q.jobQueueName;
  sq.priority = q.priority;
  for (const auto& o : q.computeEnvironmentOrder) sq.compute_environments.push_back(o.computeEnvironment);
  return sq;
}

SchedJob ToSchedJob(const protocol::Job& j) {
  // The tag is the job's sequence: the leader files waiting reasons by it.
  return SchedJob{j.jobId, j.resources, j.shareIdentifier.value_or(""), j.schedulingPriority, j.sequence};
}

// Fills `sq.fair_share` if `q` has a scheduling policy: every share that has
// jobs in `sq`, holds vCPUs now or has decayed usage left.
void AddFairShare(const ClusterState& s, const protocol::JobQueue& q, int64_t now_ms, SchedQueue& sq) {
  const protocol::SchedulingPolicy* policy = s.PolicyOf(q);
  if (!policy) return;
  const protocol::FairsharePolicy& f = policy->fairsharePolicy;
  std::map<std::string, SchedShare> shares;
  auto share = [&](const std::string& name) -> SchedShare& {
    auto [it, inserted] = shares.try_emplace(name);
    if (inserted) {
      it->second.share = name;
      it->second.weight_factor = protocol::ShareWeight(f, name);
    }
    return it->second;
  };
  if (auto running = s.share_running_vcpus().find(q.jobQueueName); running != s.share_running_vcpus().end()) {
    for (const auto& [name, vcpus] : running->second) {
      if (vcpus == 0) continue;
      SchedShare& sh = share(name);
      sh.running_vcpus = vcpus;
      sh.usage += vcpus;
    }
  }
  if (f.shareDecaySeconds > 0) {
    if (auto used = s.share_usage().find(q.jobQueueName); used != s.share_usage().end()) {
      for (const auto& [name, usage] : used->second) {
        // vCPU-seconds over the decay window: an average number of vCPUs,
        // comparable with what the share holds now.
        const double average = usage.DecayedTo(now_ms, f.shareDecaySeconds) / f.shareDecaySeconds;
        if (average > 0) share(name).usage += average;
      }
    }
  }
  for (const SchedJob& j : sq.jobs) share(j.share);
  SchedFairShare fair;
  fair.compute_reservation = f.computeReservation;
  fair.shares.reserve(shares.size());
  for (auto& [_, sh] : shares) fair.shares.push_back(std::move(sh));
  sq.fair_share = std::move(fair);
}

}  // namespace

std::vector<SchedQueue> BuildQueues(const ClusterState& s, const std::vector<std::string>* only, int64_t now_ms) {
  std::vector<SchedQueue> queues;
  if (only) {
    // queue -> sequence -> job, so each queue stays FIFO.
    std::map<std::string, std::map<uint64_t, const protocol::Job*>> picked;
    for (const auto& id : *only) {
      const protocol::Job* j = s.FindJob(id);
      if (j && j->status == protocol::JobStatus::kRunnable) picked[j->jobQueue][j->sequence] = j;
    }
    for (const auto& [name, jobs] : picked) {
      const protocol::JobQueue* q = s.FindJobQueue(name);
      if (!q) continue;
      SchedQueue sq = EmptyQueue(*q);
      for (const auto& [_, j] : jobs) sq.jobs.push_back(ToSchedJob(*j));
      AddFairShare(s, *q, now_ms, sq);
      queues.push_back(std::move(sq));
    }
    return queues;
  }
  for (const auto& [name, jobs] : s.runnable()) {
    const protocol::JobQueue* q = s.FindJobQueue(name);
    if (!q) continue;
    SchedQueue sq = EmptyQueue(*q);
    sq.jobs.reserve(jobs.size());
    for (const auto& [_, j] : jobs) sq.jobs.push_back(ToSchedJob(*j));
    AddFairShare(s, *q, now_ms, sq);
    queues.push_back(std::move(sq));
  }
  return queues;
}

ApplyPlanCommand ToCommand(const Plan& plan) {
  ApplyPlanCommand cmd;
  cmd.placements.reserve(plan.placements.size());
  for (const auto& p : plan.placements) cmd.placements.push_back({p.job_id, p.node_id, p.compute_environment});
  return cmd;
}

}  // namespace gantry::coordinator
