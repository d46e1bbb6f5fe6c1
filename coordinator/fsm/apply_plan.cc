// Apply handler for ApplyPlan: placements become attempts.
#include "coordinator/fsm/fsm.h"

namespace gantry::coordinator {
namespace {

bool Fits(const protocol::NodeCapacity& free, const protocol::Resources& need) {
  return free.vcpus >= need.vcpus && free.memoryMib >= need.memoryMib && free.diskMib >= need.diskMib;
}

}  // namespace

Result<ApplyResult> Fsm::ApplyPlan(const Command& c, uint64_t index, WriteBatch& batch) {
  const ApplyPlanCommand& plan = *c.plan;
  ApplyResult r;
  for (const PlannedPlacement& p : plan.placements) {
    const protocol::Job* current = state_->FindJob(p.jobId);
    const NodeRecord* node = state_->FindNode(p.nodeId);
    const protocol::ComputeEnvironment* ce = state_->FindComputeEnvironment(p.computeEnvironment);
    // The plan was made from a view that may be a few commands old: a job
    // cancelled meanwhile, or capacity taken, simply drops the placement and
    // the next plan looks again.
    if (!current || current->status != protocol::JobStatus::kRunnable || !node || !ce ||
        ce->state != protocol::ResourceState::kEnabled ||
        !Fits(node->Free(), current->resources) ||
        state_->UsedVcpus(ce->computeEnvironmentName) + current->resources.vcpus > ce->maxvCpus) {
      r.notes.push_back("placement of " + p.jobId + " on " + p.nodeId + " dropped: no longer valid");
      r.schedule = true;
      continue;
    }
    protocol::Job job = *current;
    protocol::Attempt a;
    a.attemptNumber = static_cast<uint32_t>(job.attempts.size()) + 1;
    a.attemptId = MakeAttemptId(job.jobId, a.attemptNumber);
    a.node = p.nodeId;
    a.computeEnvironment = p.computeEnvironment;
    a.fencingToken = index;
    a.placedAt = c.at;
    job.attempts.push_back(a);
    job.status = protocol::JobStatus::kStarting;
    job.statusReason = "placed on node " + p.nodeId;

    r.launches.push_back(MakeLaunch(job, a));
    state_->PutJob(std::move(job), batch);
  }
  return r;
}

}  // namespace gantry::coordinator
