#include "coordinator/fsm/fsm.h"

#include "coordinator/fsm/job_transitions.h"

namespace gantry::coordinator {

std::string MakeAttemptId(const std::string& job_id, uint32_t attempt_number) {
  return job_id + "-" + std::to_string(attempt_number);
}

protocol::LaunchAttempt MakeLaunch(const protocol::Job& job, const protocol::Attempt& attempt) {
  protocol::LaunchAttempt launch;
  launch.attemptId = attempt.attemptId;
  launch.jobId = job.jobId;
  launch.attemptNumber = attempt.attemptNumber;
  launch.fencingToken = attempt.fencingToken;
  launch.command = job.command;
  launch.environment = job.environment;
  launch.resources = job.resources;
  launch.jobQueue = job.jobQueue;
  launch.computeEnvironment = attempt.computeEnvironment;
  if (job.IsArrayChild()) {
    launch.arrayIndex = job.arrayProperties->index;
    launch.arraySize = job.arrayProperties->size;
  }
  if (job.timeout) launch.timeoutSeconds = job.timeout->attemptDurationSeconds;
  return launch;
}

Result<ApplyResult> Fsm::Apply(const Command& command, uint64_t index, WriteBatch& batch) {
  if (index <= state_->applied_index()) {
    ApplyResult r;
    r.skipped = true;
    return r;
  }
  Result<ApplyResult> result = Status::Internal("unhandled command");
  switch (command.type) {
    case CommandType::kCreateComputeEnvironment: result = CreateComputeEnvironment(command, batch); break;
    case CommandType::kCreateJobQueue: result = CreateJobQueue(command, batch); break;
    case CommandType::kRegisterJobDefinition: result = RegisterJobDefinition(command, batch); break;
    case CommandType::kSubmitJob: result = SubmitJob(command, batch); break;
    case CommandType::kUpsertNode: result = UpsertNode(command, batch); break;
    case CommandType::kApplyPlan: result = ApplyPlan(command, index, batch); break;
    case CommandType::kAttemptStarted: result = AttemptStarted(command, batch); break;
    case CommandType::kAttemptEnded: result = AttemptEnded(command, batch); break;
    case CommandType::kCancelJob: result = CancelJob(command, batch); break;
    case CommandType::kTerminateJob: result = TerminateJob(command, batch); break;
    case CommandType::kDeregisterJobDefinition: result = DeregisterJobDefinition(command, batch); break;
    case CommandType::kUpdateJobQueue: result = UpdateJobQueue(command, batch); break;
    case CommandType::kUpdateComputeEnvironment: result = UpdateComputeEnvironment(command, batch); break;
    case CommandType::kDeleteJobQueue: result = DeleteJobQueue(command, batch); break;
    case CommandType::kDeleteComputeEnvironment: result = DeleteComputeEnvironment(command, batch); break;
    case CommandType::kCreateSchedulingPolicy: result = CreateSchedulingPolicy(command, batch); break;
    case CommandType::kUpdateSchedulingPolicy: result = UpdateSchedulingPolicy(command, batch); break;
    case CommandType::kDeleteSchedulingPolicy: result = DeleteSchedulingPolicy(command, batch); break;
    case CommandType::kPurgeJobs: result = PurgeJobs(command, batch); break;
    case CommandType::kNodeLost: result = NodeLost(command, batch); break;
    case CommandType::kControlNode: result = ControlNode(command, batch); break;
    case CommandType::kInterruptAttempts: result = InterruptAttempts(command, batch); break;
    case CommandType::kTagResource: result = TagResource(command, batch); break;
    case CommandType::kUntagResource: result = UntagResource(command, batch); break;
  }
  // A rejected command still consumes its index: every replica rejects it
  // the same way, and replay must skip it too.
  state_->SetAppliedIndex(index, batch);
  return result;
}

// For ends the agent did not report (a node restarted or lost). The
// handlers that call it set ApplyResult::schedule, and a full scheduler pass
// finds whatever this makes RUNNABLE, so the list of new RUNNABLE jobs is
// dropped. An attempt on a node being reclaimed ends as reclaimed: a spot
// machine that vanished inside its notice is the reclaim, not a failure.
void Fsm::EndNodeGone(protocol::Job job, int64_t at, const std::string& why, WriteBatch& batch) {
  const NodeRecord* node = state_->FindNode(job.attempts.back().node);
  AttemptEnd end{std::nullopt, why, why, ""};
  if (node && node->node.ControlState() == protocol::NodeControlState::kReclaiming) {
    end.interruption = protocol::Interruption{protocol::InterruptionKind::kReclaimed,
                                              "Node reclaimed: " + node->node.nodeId};
  }
  ApplyResult unused;
  EndLiveAttempt(*state_, std::move(job), at, std::move(end), batch, unused);
}

}  // namespace gantry::coordinator
