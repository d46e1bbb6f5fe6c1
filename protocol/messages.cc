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
    case MessageType::kNodeStatus: return "NodeStatus";
    case MessageType::kNodeStatusAck: return "NodeStatusAck";
    case MessageType::kLaunchAttempt: return "LaunchAttempt";
    case MessageType::kKillAttempt: return "KillAttempt";
    case MessageType::kAttemptStarted: return "AttemptStarted";
    case MessageType::kAttemptEnded: return "AttemptEnded";
    case MessageType::kAttemptReportAck: return "AttemptReportAck";
  }
  return "Unknown";
}

bool IsKnownMessageType(uint16_t t) {
  return std::string_view(MessageTypeName(static_cast<MessageType>(t))) != "Unknown";
}

Status SubmitJobRequest::Validate() const {
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
  return Status::Ok();
}

Status DescribeJobsRequest::Validate() const {
  if (jobs.size() > kMaxDescribeJobs) {
    return Status::InvalidArgument("at most " + std::to_string(kMaxDescribeJobs) +
                                   " job ids per request");
  }
  return Status::Ok();
}

Status ListJobsRequest::Validate() const {
  GANTRY_RETURN_IF_ERROR(ValidateName("jobQueue", jobQueue));
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

Status NodeStatus::Validate() const {
  GANTRY_RETURN_IF_ERROR(node.Validate());
  if (runningAttempts.size() > 100'000) return Status::InvalidArgument("too many running attempts");
  return Status::Ok();
}

Status LaunchAttempt::Validate() const {
  // Both ids name directories on the node.
  GANTRY_RETURN_IF_ERROR(ValidateName("attemptId", attemptId));
  GANTRY_RETURN_IF_ERROR(ValidateName("jobId", jobId));
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
