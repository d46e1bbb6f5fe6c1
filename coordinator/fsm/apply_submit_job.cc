// Apply handler for SubmitJob: merges the definition with the overrides,
// checks fair share and dependencies, and creates a single job or an array.
#include "coordinator/fsm/array_jobs.h"
#include "coordinator/fsm/fsm.h"
#include "coordinator/fsm/job_parameters.h"
#include "coordinator/fsm/job_transitions.h"

namespace gantry::coordinator {
namespace {

// Dependencies must name jobs that exist, and every job id is fresh when it
// is submitted, so a job can only wait on older jobs: no cycle can form.
Status ValidateDependsOn(const ClusterState& state, const protocol::SubmitJobRequest& req) {
  for (const protocol::JobDependency& d : req.dependsOn) {
    if (d.type == protocol::ArrayJobDependency::kSequential) continue;  // on its own siblings
    const protocol::Job* dep = state.FindJob(d.jobId);
    if (!dep) return Status::NotFound("dependsOn: job " + d.jobId + " not found");
    if (d.type != protocol::ArrayJobDependency::kNToN) continue;
    if (!dep->IsArrayParent()) {
      return Status::InvalidArgument("dependsOn: N_TO_N dependency on " + d.jobId + ", which is not an array job");
    }
    if (dep->arrayProperties->size != req.arraySize.value_or(0)) {
      return Status::InvalidArgument("dependsOn: N_TO_N dependency on " + d.jobId + " of size " +
                                     std::to_string(dep->arrayProperties->size) + " from an array of size " +
                                     std::to_string(req.arraySize.value_or(0)) + "; the sizes must match");
    }
  }
  return Status::Ok();
}

Status ValidateShare(const ClusterState& state, const protocol::JobQueue& queue,
                     const protocol::SubmitJobRequest& req) {
  const protocol::SchedulingPolicy* policy = state.PolicyOf(queue);
  if (policy && !req.shareIdentifier) {
    return Status::InvalidArgument("job queue " + queue.jobQueueName + " uses fair-share scheduling policy " +
                                   policy->name + ": shareIdentifier is required");
  }
  if (req.shareIdentifier && !queue.schedulingPolicyArn) {
    return Status::InvalidArgument("job queue " + queue.jobQueueName +
                                   " has no scheduling policy: shareIdentifier is not allowed");
  }
  return Status::Ok();
}

// The job as the request and its definition describe it, before it has a
// status or a sequence.
Result<protocol::Job> BuildJob(const SubmitJobCommand& cmd, const protocol::JobDefinition& def, int64_t at) {
  const protocol::SubmitJobRequest& req = cmd.request;
  protocol::Job job;
  job.jobId = cmd.jobId;
  job.jobName = req.jobName;
  job.jobQueue = req.jobQueue;
  job.jobDefinition = def.jobDefinitionName + ":" + std::to_string(def.revision);
  job.parameters = MergeParameters(def.parameters, req.parameters);
  GANTRY_RETURN_IF_ERROR(protocol::ValidateParameters(job.parameters));
  GANTRY_ASSIGN_OR_RETURN(job.command, SubstituteParameters(req.command ? *req.command : def.command,
                                                            job.parameters));
  if (job.command.empty()) {
    return Status::InvalidArgument("no command: job definition " + job.jobDefinition +
                                   " has none and the submission gives none");
  }
  GANTRY_RETURN_IF_ERROR(protocol::ValidateCommand(job.command));
  job.environment = def.environment;
  for (const auto& [k, v] : req.environment) job.environment[k] = v;
  GANTRY_RETURN_IF_ERROR(protocol::ValidateEnvironment(job.environment));
  job.resources = def.resources;
  if (req.vcpus) job.resources.vcpus = *req.vcpus;
  if (req.memoryMib) job.resources.memoryMib = *req.memoryMib;
  if (req.diskMib) job.resources.diskMib = *req.diskMib;
  if (job.resources.diskMib == 0) job.resources.diskMib = cmd.defaultDiskMib.value_or(0);
  GANTRY_RETURN_IF_ERROR(job.resources.Validate());
  job.retryStrategy = req.retryStrategy ? *req.retryStrategy : def.retryStrategy.value_or(protocol::RetryStrategy{});
  job.timeout = req.timeout ? req.timeout : def.timeout;
  job.schedulingPriority = req.schedulingPriorityOverride.value_or(def.schedulingPriority.value_or(0));
  job.preemptionRetries = req.preemptionRetries;
  job.shareIdentifier = req.shareIdentifier;
  job.dependsOn = req.dependsOn;
  // Array children copy these from the parent (CreateArrayJob).
  if (req.tags && !req.tags->empty()) job.tags = req.tags;
  job.submittedBy = req.submittedBy;
  job.createdAt = at;
  return job;
}

}  // namespace

Result<ApplyResult> Fsm::SubmitJob(const Command& c, WriteBatch& batch) {
  const SubmitJobCommand& cmd = *c.submitJob;
  const protocol::SubmitJobRequest& req = cmd.request;
  ApplyResult r;
  // A retried submission (same client token) gets the job it created before.
  if (req.clientToken) {
    if (auto existing = state_->FindJobByClientToken(*req.clientToken)) {
      r.jobId = *existing;
      r.name = req.jobName;
      return r;
    }
  }
  GANTRY_RETURN_IF_ERROR(req.Validate());
  if (cmd.jobId.empty() || state_->FindJob(cmd.jobId) || cmd.jobId.find(':') != std::string::npos) {
    return Status::Internal("job id " + cmd.jobId + " is empty, taken or a child's");
  }
  const protocol::JobQueue* queue = state_->FindJobQueue(req.jobQueue);
  if (!queue) return Status::NotFound("job queue " + req.jobQueue + " not found");
  if (queue->state == protocol::ResourceState::kDisabled) {
    return Status::InvalidArgument("job queue " + req.jobQueue + " is DISABLED and accepts no new jobs");
  }
  GANTRY_RETURN_IF_ERROR(ValidateShare(*state_, *queue, req));
  if (req.jobDefinition.empty()) return Status::InvalidArgument("jobDefinition is required");
  GANTRY_ASSIGN_OR_RETURN(const protocol::JobDefinition* def,
                          state_->ResolveJobDefinition(req.jobDefinition));
  if (def->status != "ACTIVE") {
    return Status::InvalidArgument("job definition " + req.jobDefinition + " is " + def->status);
  }
  GANTRY_ASSIGN_OR_RETURN(protocol::Job job, BuildJob(cmd, *def, c.at));
  GANTRY_RETURN_IF_ERROR(ValidateDependsOn(*state_, req));

  if (req.clientToken) state_->PutClientToken(*req.clientToken, job.jobId, batch);
  r.jobId = job.jobId;
  r.name = job.jobName;
  if (req.arraySize) {
    CreateArrayJob(*state_, std::move(job), *req.arraySize, c.at, batch, r);
  } else {
    job.sequence = state_->TakeSequence();
    SettleOnDependencies(*state_, job, c.at);
    CommitJob(*state_, std::move(job), c.at, batch, r);
  }
  return r;
}

}  // namespace gantry::coordinator
