// Apply handler for SubmitJob: merges the definition with the overrides.
#include "coordinator/fsm/fsm.h"

namespace gantry::coordinator {

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
  if (cmd.jobId.empty() || state_->FindJob(cmd.jobId)) {
    return Status::Internal("job id " + cmd.jobId + " is empty or taken");
  }
  const protocol::JobQueue* queue = state_->FindJobQueue(req.jobQueue);
  if (!queue) return Status::NotFound("job queue " + req.jobQueue + " not found");
  if (queue->state == protocol::ResourceState::kDisabled) {
    return Status::InvalidArgument("job queue " + req.jobQueue + " is DISABLED and accepts no new jobs");
  }
  if (req.jobDefinition.empty()) return Status::InvalidArgument("jobDefinition is required");
  GANTRY_ASSIGN_OR_RETURN(const protocol::JobDefinition* def,
                          state_->ResolveJobDefinition(req.jobDefinition));
  if (def->status != "ACTIVE") {
    return Status::InvalidArgument("job definition " + req.jobDefinition + " is " + def->status);
  }

  protocol::Job job;
  job.jobId = cmd.jobId;
  job.jobName = req.jobName;
  job.jobQueue = req.jobQueue;
  job.jobDefinition = def->jobDefinitionName + ":" + std::to_string(def->revision);
  job.command = req.command ? *req.command : def->command;
  if (job.command.empty()) {
    return Status::InvalidArgument("no command: job definition " + job.jobDefinition +
                                   " has none and the submission gives none");
  }
  job.environment = def->environment;
  for (const auto& [k, v] : req.environment) job.environment[k] = v;
  GANTRY_RETURN_IF_ERROR(protocol::ValidateEnvironment(job.environment));
  job.resources = def->resources;
  if (req.vcpus) job.resources.vcpus = *req.vcpus;
  if (req.memoryMib) job.resources.memoryMib = *req.memoryMib;
  if (req.diskMib) job.resources.diskMib = *req.diskMib;
  GANTRY_RETURN_IF_ERROR(job.resources.Validate());
  job.createdAt = c.at;
  job.sequence = state_->TakeSequence();
  // No dependencies yet: SUBMITTED -> PENDING -> RUNNABLE in one step.
  job.status = protocol::JobStatus::kRunnable;
  job.statusReason = "waiting for the scheduler";
  if (req.clientToken) state_->PutClientToken(*req.clientToken, job.jobId, batch);
  r.jobId = job.jobId;
  r.name = job.jobName;
  r.new_runnable.push_back(job.jobId);
  state_->PutJob(std::move(job), batch);
  return r;
}

}  // namespace gantry::coordinator
