// Apply handlers for compute environments, job queues and job definitions.
#include "coordinator/fsm/fsm.h"

namespace gantry::coordinator {

Result<ApplyResult> Fsm::CreateComputeEnvironment(const Command& c, WriteBatch& batch) {
  protocol::ComputeEnvironment ce = *c.computeEnvironment;
  GANTRY_RETURN_IF_ERROR(ce.Validate());
  if (state_->FindComputeEnvironment(ce.computeEnvironmentName)) {
    return Status::Conflict("compute environment " + ce.computeEnvironmentName + " already exists");
  }
  ce.createdAt = c.at;
  state_->PutComputeEnvironment(ce, batch);
  ApplyResult r;
  r.name = ce.computeEnvironmentName;
  r.schedule = true;
  return r;
}

Result<ApplyResult> Fsm::CreateJobQueue(const Command& c, WriteBatch& batch) {
  protocol::JobQueue q = *c.jobQueue;
  GANTRY_RETURN_IF_ERROR(q.Validate());
  if (state_->FindJobQueue(q.jobQueueName)) {
    return Status::Conflict("job queue " + q.jobQueueName + " already exists");
  }
  for (const auto& o : q.computeEnvironmentOrder) {
    if (!state_->FindComputeEnvironment(o.computeEnvironment)) {
      return Status::NotFound("compute environment " + o.computeEnvironment + " not found");
    }
  }
  if (q.schedulingPolicyArn && !state_->FindSchedulingPolicy(*q.schedulingPolicyArn)) {
    return Status::NotFound("scheduling policy " + protocol::SchedulingPolicyName(*q.schedulingPolicyArn) +
                            " not found");
  }
  std::stable_sort(q.computeEnvironmentOrder.begin(), q.computeEnvironmentOrder.end(),
                   [](const auto& a, const auto& b) { return a.order < b.order; });
  q.createdAt = c.at;
  state_->PutJobQueue(q, batch);
  ApplyResult r;
  r.name = q.jobQueueName;
  r.schedule = true;
  return r;
}

Result<ApplyResult> Fsm::RegisterJobDefinition(const Command& c, WriteBatch& batch) {
  protocol::JobDefinition d = *c.jobDefinition;
  GANTRY_RETURN_IF_ERROR(d.Validate());
  GANTRY_RETURN_IF_ERROR(d.resources.Validate());
  uint32_t latest = 0;
  auto it = state_->job_definitions().find(d.jobDefinitionName);
  if (it != state_->job_definitions().end() && !it->second.empty()) latest = it->second.rbegin()->first;
  d.revision = latest + 1;
  d.status = "ACTIVE";
  d.createdAt = c.at;
  state_->PutJobDefinition(d, batch);
  ApplyResult r;
  r.name = d.jobDefinitionName;
  r.revision = d.revision;
  return r;
}

}  // namespace gantry::coordinator
