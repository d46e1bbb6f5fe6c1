// Apply handlers for changes to queues, compute environments, job
// definitions and scheduling policies after they were created.
//
// Deletes follow AWS Batch: an object must be DISABLED (queues, compute
// environments) and nothing may still depend on it (unfinished jobs, queues
// naming it, vCPUs held by running jobs). A refused change leaves the state
// as it was and returns kInvalidArgument naming what is in the way.
#include <algorithm>

#include "coordinator/fsm/fsm.h"

namespace gantry::coordinator {
namespace {

// "name:revision" from "name:revision" or an ARN ending in
// "job-definition/name:revision". kInvalidArgument if the revision is missing.
Result<std::string> DefinitionRevisionRef(std::string_view target) {
  constexpr std::string_view kMarker = "job-definition/";
  if (auto at = target.rfind(kMarker); at != std::string_view::npos) target = target.substr(at + kMarker.size());
  if (target.find(':') == std::string_view::npos) {
    return Status::InvalidArgument("job definition \"" + std::string(target.substr(0, 200)) +
                                   "\": give name:revision to deregister");
  }
  return std::string(target);
}

std::string JobsNotFinished(size_t n) {
  return std::to_string(n) + (n == 1 ? " job that has" : " jobs that have") + " not finished";
}

}  // namespace

Result<ApplyResult> Fsm::DeregisterJobDefinition(const Command& c, WriteBatch& batch) {
  GANTRY_ASSIGN_OR_RETURN(std::string ref, DefinitionRevisionRef(*c.target));
  GANTRY_ASSIGN_OR_RETURN(const protocol::JobDefinition* found, state_->ResolveJobDefinition(ref));
  ApplyResult r;
  r.name = found->jobDefinitionName;
  r.revision = found->revision;
  // Deregistering twice is not an error; the second changes nothing.
  if (found->status != "INACTIVE") {
    protocol::JobDefinition d = *found;
    d.status = "INACTIVE";
    state_->PutJobDefinition(d, batch);
  }
  return r;
}

Result<ApplyResult> Fsm::UpdateJobQueue(const Command& c, WriteBatch& batch) {
  const protocol::UpdateJobQueueRequest& u = *c.updateJobQueue;
  const protocol::JobQueue* current = state_->FindJobQueue(u.jobQueue);
  if (!current) return Status::NotFound("job queue " + u.jobQueue + " not found");
  protocol::JobQueue q = *current;
  if (u.state) q.state = *u.state;
  if (u.priority) q.priority = *u.priority;
  if (u.computeEnvironmentOrder) q.computeEnvironmentOrder = *u.computeEnvironmentOrder;
  // An empty schedulingPolicyArn takes the policy away (the queue becomes FIFO).
  if (u.schedulingPolicyArn) {
    q.schedulingPolicyArn = u.schedulingPolicyArn->empty() ? std::nullopt : u.schedulingPolicyArn;
  }
  if (u.jobStateTimeLimitActions) q.jobStateTimeLimitActions = *u.jobStateTimeLimitActions;
  if (u.preemptionRetries) q.preemptionRetries = *u.preemptionRetries;
  GANTRY_RETURN_IF_ERROR(q.Validate());
  for (const auto& o : q.computeEnvironmentOrder) {
    if (!state_->FindComputeEnvironment(o.computeEnvironment)) {
      return Status::NotFound("compute environment " + o.computeEnvironment + " not found");
    }
  }
  if (q.schedulingPolicyArn && !state_->FindSchedulingPolicy(*q.schedulingPolicyArn)) {
    return Status::NotFound("scheduling policy " + protocol::SchedulingPolicyName(*q.schedulingPolicyArn) +
                            " not found");
  }
  // Waiting jobs were ordered (and their shares charged) under one regime;
  // switching mid-flight would leave half of them judged by the other.
  const bool was_fair_share = current->schedulingPolicyArn.has_value();
  if (was_fair_share != q.schedulingPolicyArn.has_value()) {
    if (size_t active = state_->ActiveJobs(q.jobQueueName); active > 0) {
      return Status::InvalidArgument("job queue " + q.jobQueueName + " still has " + JobsNotFinished(active) +
                                     "; a scheduling policy can only be " +
                                     (was_fair_share ? "removed" : "added") + " when it has none");
    }
  }
  std::stable_sort(q.computeEnvironmentOrder.begin(), q.computeEnvironmentOrder.end(),
                   [](const auto& a, const auto& b) { return a.order < b.order; });
  state_->PutJobQueue(q, batch);
  ApplyResult r;
  r.name = q.jobQueueName;
  r.schedule = true;
  return r;
}

Result<ApplyResult> Fsm::UpdateComputeEnvironment(const Command& c, WriteBatch& batch) {
  const protocol::UpdateComputeEnvironmentRequest& u = *c.updateComputeEnvironment;
  const protocol::ComputeEnvironment* current = state_->FindComputeEnvironment(u.computeEnvironment);
  if (!current) return Status::NotFound("compute environment " + u.computeEnvironment + " not found");
  protocol::ComputeEnvironment ce = *current;
  if (u.state) ce.state = *u.state;
  if (u.minvCpus) ce.minvCpus = *u.minvCpus;
  if (u.maxvCpus) ce.maxvCpus = *u.maxvCpus;
  if (u.desiredvCpus) ce.desiredvCpus = *u.desiredvCpus;
  if (u.preemptible) ce.preemptible = *u.preemptible;
  GANTRY_RETURN_IF_ERROR(ce.Validate());
  // A maxvCpus below what running jobs hold is allowed: they finish, and no
  // new job starts until the CE is back under its limit.
  state_->PutComputeEnvironment(ce, batch);
  ApplyResult r;
  r.name = ce.computeEnvironmentName;
  r.schedule = true;
  return r;
}

Result<ApplyResult> Fsm::DeleteJobQueue(const Command& c, WriteBatch& batch) {
  const std::string& name = *c.target;
  const protocol::JobQueue* q = state_->FindJobQueue(name);
  if (!q) return Status::NotFound("job queue " + name + " not found");
  if (q->state != protocol::ResourceState::kDisabled) {
    return Status::InvalidArgument("job queue " + name + " must be DISABLED before it is deleted");
  }
  if (size_t active = state_->ActiveJobs(name); active > 0) {
    return Status::InvalidArgument("job queue " + name + " still has " + JobsNotFinished(active) +
                                   "; cancel or terminate them first");
  }
  // Its finished jobs stay describable until retention purges them.
  state_->DeleteJobQueue(name, batch);
  ApplyResult r;
  r.name = name;
  return r;
}

Result<ApplyResult> Fsm::DeleteComputeEnvironment(const Command& c, WriteBatch& batch) {
  const std::string& name = *c.target;
  const protocol::ComputeEnvironment* ce = state_->FindComputeEnvironment(name);
  if (!ce) return Status::NotFound("compute environment " + name + " not found");
  if (ce->state != protocol::ResourceState::kDisabled) {
    return Status::InvalidArgument("compute environment " + name + " must be DISABLED before it is deleted");
  }
  for (const auto& [queue_name, q] : state_->job_queues()) {
    for (const auto& o : q.computeEnvironmentOrder) {
      if (o.computeEnvironment == name) {
        return Status::InvalidArgument("compute environment " + name + " is still used by job queue " +
                                       queue_name);
      }
    }
  }
  if (uint32_t used = state_->UsedVcpus(name); used > 0) {
    return Status::InvalidArgument("compute environment " + name + " still has " + std::to_string(used) +
                                   " vCPUs held by running jobs");
  }
  state_->DeleteComputeEnvironment(name, batch);
  ApplyResult r;
  r.name = name;
  return r;
}

Result<ApplyResult> Fsm::CreateSchedulingPolicy(const Command& c, WriteBatch& batch) {
  protocol::SchedulingPolicy p = *c.schedulingPolicy;
  GANTRY_RETURN_IF_ERROR(p.Validate());
  if (state_->FindSchedulingPolicy(p.name)) {
    return Status::Conflict("scheduling policy " + p.name + " already exists");
  }
  p.createdAt = c.at;
  state_->PutSchedulingPolicy(p, batch);
  ApplyResult r;
  r.name = p.name;
  return r;
}

Result<ApplyResult> Fsm::UpdateSchedulingPolicy(const Command& c, WriteBatch& batch) {
  const std::string name = protocol::SchedulingPolicyName(c.schedulingPolicy->name);
  const protocol::SchedulingPolicy* current = state_->FindSchedulingPolicy(name);
  if (!current) return Status::NotFound("scheduling policy " + name + " not found");
  protocol::SchedulingPolicy p = *current;
  p.fairsharePolicy = c.schedulingPolicy->fairsharePolicy;
  GANTRY_RETURN_IF_ERROR(p.Validate());
  state_->PutSchedulingPolicy(p, batch);
  ApplyResult r;
  r.name = p.name;
  r.schedule = true;  // weights and the reservation change the order
  return r;
}

Result<ApplyResult> Fsm::DeleteSchedulingPolicy(const Command& c, WriteBatch& batch) {
  const std::string name = protocol::SchedulingPolicyName(*c.target);
  if (!state_->FindSchedulingPolicy(name)) return Status::NotFound("scheduling policy " + name + " not found");
  for (const auto& [queue_name, q] : state_->job_queues()) {
    if (q.schedulingPolicyArn && protocol::SchedulingPolicyName(*q.schedulingPolicyArn) == name) {
      return Status::InvalidArgument("scheduling policy " + name + " is used by job queue " + queue_name);
    }
  }
  state_->DeleteSchedulingPolicy(name, batch);
  ApplyResult r;
  r.name = name;
  return r;
}

}  // namespace gantry::coordinator
