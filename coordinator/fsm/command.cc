#include "coordinator/fsm/command.h"

namespace gantry::coordinator {

Status Command::Validate() const {
  int present = computeEnvironment.has_value() + jobQueue.has_value() + jobDefinition.has_value() +
                submitJob.has_value() + node.has_value() + plan.has_value() +
                attemptStarted.has_value() + attemptEnded.has_value() + stopJob.has_value() +
                target.has_value() + updateJobQueue.has_value() + updateComputeEnvironment.has_value() +
                schedulingPolicy.has_value() + purge.has_value() + controlNode.has_value() +
                interrupt.has_value() + tagResource.has_value() + untagResource.has_value();
  bool right = false;
  switch (type) {
    case CommandType::kCreateComputeEnvironment: right = computeEnvironment.has_value(); break;
    case CommandType::kCreateJobQueue: right = jobQueue.has_value(); break;
    case CommandType::kRegisterJobDefinition: right = jobDefinition.has_value(); break;
    case CommandType::kSubmitJob: right = submitJob.has_value(); break;
    case CommandType::kUpsertNode: right = node.has_value(); break;
    case CommandType::kApplyPlan: right = plan.has_value(); break;
    case CommandType::kAttemptStarted: right = attemptStarted.has_value(); break;
    case CommandType::kAttemptEnded: right = attemptEnded.has_value(); break;
    case CommandType::kCancelJob:
    case CommandType::kTerminateJob: right = stopJob.has_value(); break;
    case CommandType::kDeregisterJobDefinition:
    case CommandType::kDeleteJobQueue:
    case CommandType::kDeleteComputeEnvironment:
    case CommandType::kDeleteSchedulingPolicy:
    case CommandType::kNodeLost: right = target.has_value(); break;
    case CommandType::kControlNode: right = controlNode.has_value(); break;
    case CommandType::kInterruptAttempts: right = interrupt.has_value(); break;
    case CommandType::kUpdateJobQueue: right = updateJobQueue.has_value(); break;
    case CommandType::kUpdateComputeEnvironment: right = updateComputeEnvironment.has_value(); break;
    case CommandType::kCreateSchedulingPolicy:
    case CommandType::kUpdateSchedulingPolicy: right = schedulingPolicy.has_value(); break;
    case CommandType::kPurgeJobs: right = purge.has_value(); break;
    case CommandType::kTagResource: right = tagResource.has_value(); break;
    case CommandType::kUntagResource: right = untagResource.has_value(); break;
  }
  if (!right || present != 1) {
    return Status::InvalidArgument(std::string("command ") + protocol::EnumName(type) +
                                   " must carry exactly its own payload");
  }
  return Status::Ok();
}

std::string EncodeCommand(const Command& c) { return protocol::Encode(c); }

Result<Command> DecodeCommand(std::string_view bytes) {
  return protocol::Decode<Command>(bytes, "Command", protocol::DecodeLimits::Internal());
}

}  // namespace gantry::coordinator
