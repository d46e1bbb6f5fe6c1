#include "protocol/messages.h"

namespace gantry::protocol {

const char* MessageTypeName(MessageType t) {
  switch (t) {
    case MessageType::kErrorReply: return "ErrorReply";
    case MessageType::kCreateComputeEnvironment: return "CreateComputeEnvironment";
    case MessageType::kCreateComputeEnvironmentReply: return "CreateComputeEnvironmentReply";
    case MessageType::kCreateJobQueue: return "CreateJobQueue";
    case MessageType::kCreateJobQueueReply: return "CreateJobQueueReply";
    case MessageType::kRegisterJobDefinition: return "RegisterJobDefinition";
    case MessageType::kRegisterJobDefinitionReply: return "RegisterJobDefinitionReply";
    case MessageType::kSubmitJob: return "SubmitJob";
    case MessageType::kSubmitJobReply: return "SubmitJobReply";
    case MessageType::kDescribeJobs: return "DescribeJobs";
    case MessageType::kDescribeJobsReply: return "DescribeJobsReply";
    case MessageType::kListJobs: return "ListJobs";
    case MessageType::kListJobsReply: return "ListJobsReply";
    case MessageType::kDescribeJobQueues: return "DescribeJobQueues";
    case MessageType::kDescribeJobQueuesReply: return "DescribeJobQueuesReply";
    case MessageType::kDescribeComputeEnvironments: return "DescribeComputeEnvironments";
    case MessageType::kDescribeComputeEnvironmentsReply: return "DescribeComputeEnvironmentsReply";
    case MessageType::kDescribeJobDefinitions: return "DescribeJobDefinitions";
    case MessageType::kDescribeJobDefinitionsReply: return "DescribeJobDefinitionsReply";
    case MessageType::kDescribeNodes: return "DescribeNodes";
    case MessageType::kDescribeNodesReply: return "DescribeNodesReply";
    case MessageType::kRaftListPeers: return "RaftListPeers";
    case MessageType::kRaftPeersReply: return "RaftPeersReply";
    case MessageType::kRaftAddVoter: return "RaftAddVoter";
    case MessageType::kRaftRemovePeer: return "RaftRemovePeer";
    case MessageType::kRaftTransferLeader: return "RaftTransferLeader";
    case MessageType::kCancelJob: return "CancelJob";
    case MessageType::kTerminateJob: return "TerminateJob";
    case MessageType::kDoneReply: return "DoneReply";
    case MessageType::kDeregisterJobDefinition: return "DeregisterJobDefinition";
    case MessageType::kUpdateJobQueue: return "UpdateJobQueue";
    case MessageType::kUpdateComputeEnvironment: return "UpdateComputeEnvironment";
    case MessageType::kDeleteJobQueue: return "DeleteJobQueue";
    case MessageType::kDeleteComputeEnvironment: return "DeleteComputeEnvironment";
    case MessageType::kCreateSchedulingPolicy: return "CreateSchedulingPolicy";
    case MessageType::kUpdateSchedulingPolicy: return "UpdateSchedulingPolicy";
    case MessageType::kDeleteSchedulingPolicy: return "DeleteSchedulingPolicy";
    case MessageType::kDescribeSchedulingPolicies: return "DescribeSchedulingPolicies";
    case MessageType::kDescribeSchedulingPoliciesReply: return "DescribeSchedulingPoliciesReply";
    case MessageType::kReadLog: return "ReadLog";
    case MessageType::kReadLogReply: return "ReadLogReply";
    case MessageType::kNodeControl: return "NodeControl";
    case MessageType::kTagResource: return "TagResource";
    case MessageType::kUntagResource: return "UntagResource";
    case MessageType::kListTagsForResource: return "ListTagsForResource";
    case MessageType::kListTagsForResourceReply: return "ListTagsForResourceReply";
    case MessageType::kNodeStatus: return "NodeStatus";
    case MessageType::kNodeStatusAck: return "NodeStatusAck";
    case MessageType::kLaunchAttempt: return "LaunchAttempt";
    case MessageType::kKillAttempt: return "KillAttempt";
    case MessageType::kAttemptStarted: return "AttemptStarted";
    case MessageType::kAttemptEnded: return "AttemptEnded";
    case MessageType::kAttemptReportAck: return "AttemptReportAck";
    case MessageType::kReclaimNode: return "ReclaimNode";
  }
  return "Unknown";
}

bool IsKnownMessageType(uint16_t t) {
  return std::string_view(MessageTypeName(static_cast<MessageType>(t))) != "Unknown";
}

Status ResourceRef::Validate() const {
  switch (kind) {
    case ResourceKind::kJob:
      return ValidateJobId("job id", id);
    case ResourceKind::kJobDefinition: {
      // "name:revision": a tag belongs to one revision, as its ARN says.
      size_t colon = id.rfind(':');
      if (colon == std::string::npos || colon + 1 == id.size() ||
          id.find_first_not_of("0123456789", colon + 1) != std::string::npos) {
        return Status::InvalidArgument("job definition \"" + id.substr(0, 200) + "\" must be name:revision");
      }
      return ValidateName("job definition name", std::string_view(id).substr(0, colon));
    }
    case ResourceKind::kComputeEnvironment: return ValidateName("compute environment name", id);
    case ResourceKind::kJobQueue: return ValidateName("job queue name", id);
    case ResourceKind::kSchedulingPolicy: return ValidateName("scheduling policy name", id);
  }
  return Status::InvalidArgument("unknown resource kind");
}

Status TagResourceRequest::Validate() const {
  if (tags.empty()) return Status::InvalidArgument("tags must hold at least one tag");
  return ValidateTags(tags);
}

Status UntagResourceRequest::Validate() const { return ValidateTagKeys(tagKeys); }

Status SubmitJobRequest::Validate() const {
  if (tags) GANTRY_RETURN_IF_ERROR(ValidateTags(*tags));
  if (submittedBy) GANTRY_RETURN_IF_ERROR(ValidateName("submittedBy", *submittedBy));
  GANTRY_RETURN_IF_ERROR(ValidateName("jobName", jobName));
  GANTRY_RETURN_IF_ERROR(ValidateName("jobQueue", jobQueue));
  if (jobDefinition.size() > 2 * kMaxNameLength) return Status::InvalidArgument("jobDefinition is too long");
  if (command) GANTRY_RETURN_IF_ERROR(ValidateCommand(*command));
  GANTRY_RETURN_IF_ERROR(ValidateEnvironment(environment));
  if (vcpus && (*vcpus < 1 || *vcpus > kMaxVcpus)) {
    return Status::InvalidArgument("vcpus must be between 1 and " + std::to_string(kMaxVcpus));
  }
  if (memoryMib && (*memoryMib < 4 || *memoryMib > kMaxMemoryMib)) {
    return Status::InvalidArgument("memory must be between 4 and " + std::to_string(kMaxMemoryMib) +
                                   " MiB");
  }
  if (diskMib && *diskMib > kMaxDiskMib) return Status::InvalidArgument("disk is too large");
  if (clientToken && (clientToken->empty() || clientToken->size() > 64)) {
    return Status::InvalidArgument("clientToken must be 1-64 bytes");
  }
  GANTRY_RETURN_IF_ERROR(ValidateParameters(parameters));
  if (preemptionRetries && *preemptionRetries > kMaxPreemptionRetries) {
    return Status::InvalidArgument("preemptionRetries must be at most " + std::to_string(kMaxPreemptionRetries));
  }
  if (retryStrategy) GANTRY_RETURN_IF_ERROR(retryStrategy->Validate());
  if (timeout) GANTRY_RETURN_IF_ERROR(timeout->Validate());
  if (arraySize && (*arraySize < kMinArraySize || *arraySize > kMaxArraySize)) {
    return Status::InvalidArgument("arrayProperties.size must be between 2 and 10000, got " +
                                   std::to_string(*arraySize));
  }
  if (dependsOn.size() > kMaxDependencies) {
    return Status::InvalidArgument("dependsOn names " + std::to_string(dependsOn.size()) +
                                   " jobs; at most 20 are allowed");
  }
  for (const JobDependency& d : dependsOn) {
    if (d.type == ArrayJobDependency::kSequential) {
      if (!arraySize) return Status::InvalidArgument("a SEQUENTIAL dependency needs an array job");
      if (!d.jobId.empty()) {
        return Status::InvalidArgument("a SEQUENTIAL dependency names no job id (children wait on each other)");
      }
      continue;
    }
    GANTRY_RETURN_IF_ERROR(ValidateJobId("dependsOn.jobId", d.jobId));
    if (d.type == ArrayJobDependency::kNToN && !arraySize) {
      return Status::InvalidArgument("an N_TO_N dependency on " + d.jobId + " needs an array job");
    }
  }
  if (shareIdentifier) GANTRY_RETURN_IF_ERROR(ValidateName("shareIdentifier", *shareIdentifier));
  if (schedulingPriorityOverride && *schedulingPriorityOverride > kMaxSchedulingPriority) {
    return Status::InvalidArgument("schedulingPriorityOverride must be between 0 and 9999");
  }
  return Status::Ok();
}

namespace {

Status ValidateStopReason(const std::string& job_id, const std::string& reason) {
  GANTRY_RETURN_IF_ERROR(ValidateJobId("jobId", job_id));
  if (reason.empty()) return Status::InvalidArgument("reason is required");
  if (reason.size() > 1024) return Status::InvalidArgument("reason is longer than 1024 bytes");
  return Status::Ok();
}

// A name, or an array child's "<parentId>:<index>[-<attemptNumber>]": it
// names a directory on the node, so nothing else gets through.
Status ValidateAttemptId(const std::string& id) {
  const size_t colon = id.find(':');
  GANTRY_RETURN_IF_ERROR(ValidateName("attemptId", std::string_view(id).substr(0, colon)));
  if (colon == std::string::npos) return Status::Ok();
  const std::string rest = id.substr(colon + 1);
  const size_t dash = rest.find('-');
  const std::string index = rest.substr(0, dash);
  const std::string number = dash == std::string::npos ? "1" : rest.substr(dash + 1);
  auto digits = [](const std::string& s) {
    return !s.empty() && s.size() <= 10 && s.find_first_not_of("0123456789") == std::string::npos;
  };
  if (!digits(index) || !digits(number)) {
    return Status::InvalidArgument("attemptId \"" + id.substr(0, 160) +
                                   "\": an array child's attempt id is <parentId>:<index>-<attemptNumber>");
  }
  return Status::Ok();
}

}  // namespace

Status CancelJobRequest::Validate() const { return ValidateStopReason(jobId, reason); }
Status TerminateJobRequest::Validate() const { return ValidateStopReason(jobId, reason); }

Status DescribeJobsRequest::Validate() const {
  if (jobs.size() > kMaxDescribeJobs) {
    return Status::InvalidArgument("at most " + std::to_string(kMaxDescribeJobs) +
                                   " job ids per request");
  }
  return Status::Ok();
}

Status ListJobsRequest::Validate() const {
  if (arrayJobId) {
    if (!jobQueue.empty()) return Status::InvalidArgument("give either jobQueue or arrayJobId, not both");
    GANTRY_RETURN_IF_ERROR(ValidateJobId("arrayJobId", *arrayJobId));
  } else {
    GANTRY_RETURN_IF_ERROR(ValidateName("jobQueue", jobQueue));
  }
  if (filters.size() > 1) return Status::InvalidArgument("at most one filter, as AWS Batch allows");
  for (const KeyValuesPair& f : filters) {
    if (f.name != "JOB_NAME" && f.name != "JOB_DEFINITION" && f.name != "BEFORE_CREATED_AT" &&
        f.name != "AFTER_CREATED_AT" && f.name != "SHARE_IDENTIFIER") {
      return Status::InvalidArgument("filter \"" + f.name.substr(0, 64) +
                                     "\" is not one of JOB_NAME, JOB_DEFINITION, BEFORE_CREATED_AT, "
                                     "AFTER_CREATED_AT, SHARE_IDENTIFIER");
    }
    if (f.values.size() != 1) return Status::InvalidArgument("filter " + f.name + " takes exactly one value");
    if (f.values[0].empty() || f.values[0].size() > 256) {
      return Status::InvalidArgument("filter " + f.name + ": the value must be 1-256 bytes");
    }
  }
  if (maxResults && (*maxResults < 1 || *maxResults > kDefaultListJobsResults)) {
    return Status::InvalidArgument("maxResults must be between 1 and " +
                                   std::to_string(kDefaultListJobsResults));
  }
  return Status::Ok();
}

Status RaftAddVoterRequest::Validate() const {
  // The coordinator checks the address's form; here only what keeps it sane.
  if (id == 0) return Status::InvalidArgument("id must be a positive replica id");
  if (address.empty() || address.size() > 64) {
    return Status::InvalidArgument("address must be a Raft address \"a.b.c.d:port\"");
  }
  return Status::Ok();
}

Status RaftRemovePeerRequest::Validate() const {
  if (id == 0) return Status::InvalidArgument("id must be a positive replica id");
  return Status::Ok();
}

Status ReadLogRequest::Validate() const {
  // The id names a directory on the node; the agent checks it again.
  GANTRY_RETURN_IF_ERROR(ValidateJobId("jobId", jobId));
  if (attemptNumber == 0) return Status::InvalidArgument("attemptNumber must be at least 1");
  return Status::Ok();
}

Status ReadLogReply::Validate() const {
  if (data.size() > kMaxReadLogBytes) {
    return Status::InvalidArgument("data exceeds " + std::to_string(kMaxReadLogBytes) + " bytes");
  }
  if (nextOffset != offset + data.size()) {
    return Status::InvalidArgument("nextOffset must be offset plus the size of data");
  }
  return Status::Ok();
}

Status NodeStatus::Validate() const {
  GANTRY_RETURN_IF_ERROR(node.Validate());
  if (runningAttempts.size() > 100'000) return Status::InvalidArgument("too many running attempts");
  if (unschedulableReason && (unschedulableReason->empty() || unschedulableReason->size() > 512)) {
    return Status::InvalidArgument("unschedulableReason must be 1-512 bytes");
  }
  if (cleanupPending && (cleanupPending->empty() || cleanupPending->size() > 512)) {
    return Status::InvalidArgument("cleanupPending must be 1-512 bytes");
  }
  if (reclaim && (reclaim->graceLeftMs < 0 || reclaim->source.size() > 512)) {
    return Status::InvalidArgument("reclaim needs graceLeftMs >= 0 and a source of at most 512 bytes");
  }
  if (node.control) return Status::InvalidArgument("node.control is set by the coordinator, not by agents");
  return Status::Ok();
}

Status NodeControlRequest::Validate() const {
  GANTRY_RETURN_IF_ERROR(ValidateName("nodeId", nodeId));
  if (deadlineSeconds) {
    if (action != NodeAction::kDrain && action != NodeAction::kReclaim) {
      return Status::InvalidArgument(std::string("a deadline is for DRAIN and RECLAIM, not ") + EnumName(action));
    }
    if (*deadlineSeconds > kMaxControlDeadlineSeconds) {
      return Status::InvalidArgument("deadlineSeconds must be at most " + std::to_string(kMaxControlDeadlineSeconds));
    }
  }
  if (reason && reason->size() > 512) return Status::InvalidArgument("reason exceeds 512 bytes");
  return Status::Ok();
}

Status ReclaimNode::Validate() const {
  if (graceMs < 0 || graceMs > int64_t{kMaxControlDeadlineSeconds} * 1000) {
    return Status::InvalidArgument("graceMs must be between 0 and " +
                                   std::to_string(int64_t{kMaxControlDeadlineSeconds} * 1000));
  }
  if (reason.size() > 512) return Status::InvalidArgument("reason exceeds 512 bytes");
  return Status::Ok();
}

Status LaunchAttempt::Validate() const {
  // Both ids name directories on the node.
  GANTRY_RETURN_IF_ERROR(ValidateAttemptId(attemptId));
  GANTRY_RETURN_IF_ERROR(ValidateJobId("jobId", jobId));
  if (timeoutSeconds && (*timeoutSeconds == 0 || *timeoutSeconds > kMaxAttemptDurationSeconds)) {
    return Status::InvalidArgument("timeoutSeconds must be between 1 and " + std::to_string(kMaxAttemptDurationSeconds));
  }
  if (command.empty()) return Status::InvalidArgument("command must not be empty");
  GANTRY_RETURN_IF_ERROR(ValidateCommand(command));
  GANTRY_RETURN_IF_ERROR(ValidateEnvironment(environment));
  GANTRY_RETURN_IF_ERROR(resources.Validate());
  return Status::Ok();
}

Status AttemptEnded::Validate() const {
  if (attemptId.empty()) return Status::InvalidArgument("attemptId must not be empty");
  if (logTail.size() > kMaxLogTailBytes) {
    return Status::InvalidArgument("logTail exceeds " + std::to_string(kMaxLogTailBytes) + " bytes");
  }
  if (reason.size() > 4096) return Status::InvalidArgument("reason exceeds 4096 bytes");
  if (statusReason && statusReason->size() > 4096) {
    return Status::InvalidArgument("statusReason exceeds 4096 bytes");
  }
  return Status::Ok();
}

namespace {
struct EnvelopeHeader {
  uint32_t v = 0;
  uint16_t t = 0;
  uint64_t id = 0;
  template <class S, class V>
  static void Fields(S& s, V& v) {
    v("v", s.v);
    v("t", s.t);
    v("id", s.id);
  }
};
}  // namespace

Result<Envelope> DecodeEnvelope(std::string_view frame) {
  GANTRY_ASSIGN_OR_RETURN(msgpack::object_handle handle, UnpackObject(frame, DecodeLimits::Wire()));
  const msgpack::object& root = handle.get();
  DecodePath path;
  path.Push("envelope");
  if (root.type != msgpack::type::MAP) {
    return path.Error(std::string("expected map, got ") + MsgpackTypeName(root.type));
  }
  Envelope env;
  EnvelopeHeader header;
  GANTRY_RETURN_IF_ERROR(Unpack(root, header, path));
  if (header.v != kProtocolVersion) {
    return Status::InvalidArgument("unsupported protocol version " + std::to_string(header.v) +
                                   " (this build speaks " + std::to_string(kProtocolVersion) + ")");
  }
  if (!IsKnownMessageType(header.t)) {
    return Status::InvalidArgument("unknown message type " + std::to_string(header.t));
  }
  const msgpack::object* body = detail::FindKey(root, "body");
  if (body == nullptr) return path.Error("body: missing field");
  env.version = header.v;
  env.type = static_cast<MessageType>(header.t);
  env.requestId = header.id;
  env.body = *body;
  env.handle = std::move(handle);
  return env;
}

}  // namespace gantry::protocol
