// One sample frame per message type (and per interesting variant), shared by
// the protocol tests, with what it takes to decode a frame as any type.
//
// AllSamples() must hold every type IsKnownMessageType() accepts; the test
// Messages.SamplesCoverEveryKnownMessageType fails when a type is added
// without a sample here. Test-only, header-only.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "protocol/messages.h"
#include "protocol/test_fixtures.h"

namespace gantry::protocol::fixtures {

// Decodes the envelope's body as T and encodes it again with the same id.
template <class T>
Result<std::string> Reencode(const Envelope& env) {
  GANTRY_ASSIGN_OR_RETURN(T body, DecodeBody<T>(env));
  return EncodeMessage(env.requestId, body);
}
using ReencodeFn = Result<std::string> (*)(const Envelope&);

struct Sample {
  std::string name;
  MessageType type;
  uint64_t request_id;
  std::string frame;
  ReencodeFn reencode;
};

template <class T>
Sample MakeSample(std::string name, const T& body, uint64_t request_id) {
  return {std::move(name), T::kType, request_id, EncodeMessage(request_id, body), &Reencode<T>};
}

inline const std::vector<Sample>& AllSamples() {
  static const auto* samples = new std::vector<Sample>{
      MakeSample("ErrorReply", MakeErrorReply(), 0),
      MakeSample("CreateComputeEnvironment", MakeCreateComputeEnvironmentRequest(), 1),
      MakeSample("CreateComputeEnvironmentReply", MakeCreateComputeEnvironmentReply(), 127),
      MakeSample("CreateJobQueue", MakeCreateJobQueueRequest(), 128),
      MakeSample("CreateJobQueueReply", MakeCreateJobQueueReply(), 255),
      MakeSample("RegisterJobDefinition", MakeRegisterJobDefinitionRequest(), 256),
      MakeSample("RegisterJobDefinitionReply", MakeRegisterJobDefinitionReply(), 65'535),
      MakeSample("SubmitJob", MakeSubmitJobRequest(), 65'536),
      MakeSample("SubmitJob/minimal", MakeMinimalSubmitJobRequest(), 65'537),
      MakeSample("SubmitJobReply", MakeSubmitJobReply(), 4'294'967'295),
      MakeSample("DescribeJobs", MakeDescribeJobsRequest(), 4'294'967'296),
      MakeSample("DescribeJobsReply", MakeDescribeJobsReply(), UINT64_MAX),
      MakeSample("ListJobs", MakeListJobsRequest(), 2),
      MakeSample("ListJobs/minimal", MakeMinimalListJobsRequest(), 3),
      MakeSample("ListJobsReply", MakeListJobsReply(), 4),
      MakeSample("ListJobsReply/lastPage", MakeLastPageListJobsReply(), 5),
      MakeSample("DescribeJobQueues", MakeDescribeJobQueuesRequest(), 6),
      MakeSample("DescribeJobQueuesReply", MakeDescribeJobQueuesReply(), 7),
      MakeSample("DescribeComputeEnvironments", MakeDescribeComputeEnvironmentsRequest(), 8),
      MakeSample("DescribeComputeEnvironmentsReply", MakeDescribeComputeEnvironmentsReply(), 9),
      MakeSample("DescribeJobDefinitions", MakeDescribeJobDefinitionsRequest(), 10),
      MakeSample("DescribeJobDefinitionsReply", MakeDescribeJobDefinitionsReply(), 11),
      MakeSample("DescribeNodes", MakeDescribeNodesRequest(), 12),
      MakeSample("DescribeNodesReply", MakeDescribeNodesReply(), 13),
      MakeSample("RaftListPeers", MakeRaftListPeersRequest(), 22),
      MakeSample("RaftPeersReply", MakeRaftPeersReply(), 23),
      MakeSample("RaftAddVoter", MakeRaftAddVoterRequest(), 24),
      MakeSample("RaftRemovePeer", MakeRaftRemovePeerRequest(), 25),
      MakeSample("RaftTransferLeader", MakeRaftTransferLeaderRequest(), 26),
      MakeSample("CancelJob", MakeCancelJobRequest(), 27),
      MakeSample("TerminateJob", MakeTerminateJobRequest(), 28),
      MakeSample("DoneReply", MakeDoneReply(), 29),
      MakeSample("DeregisterJobDefinition", MakeDeregisterJobDefinitionRequest(), 30),
      MakeSample("UpdateJobQueue", MakeUpdateJobQueueRequest(), 31),
      MakeSample("UpdateComputeEnvironment", MakeUpdateComputeEnvironmentRequest(), 32),
      MakeSample("DeleteJobQueue", MakeDeleteJobQueueRequest(), 33),
      MakeSample("DeleteComputeEnvironment", MakeDeleteComputeEnvironmentRequest(), 34),
      MakeSample("CreateSchedulingPolicy", MakeCreateSchedulingPolicyRequest(), 35),
      MakeSample("UpdateSchedulingPolicy", MakeUpdateSchedulingPolicyRequest(), 36),
      MakeSample("DeleteSchedulingPolicy", MakeDeleteSchedulingPolicyRequest(), 37),
      MakeSample("DescribeSchedulingPolicies", MakeDescribeSchedulingPoliciesRequest(), 38),
      MakeSample("DescribeSchedulingPoliciesReply", MakeDescribeSchedulingPoliciesReply(), 39),
      MakeSample("ReadLog", MakeReadLogRequest(), 40),
      MakeSample("ReadLogReply", MakeReadLogReply(), 41),
      MakeSample("NodeControl", MakeNodeControlRequest(), 42),
      MakeSample("ReclaimNode", MakeReclaimNode(), 43),
      MakeSample("TagResource", MakeTagResourceRequest(), 44),
      MakeSample("UntagResource", MakeUntagResourceRequest(), 45),
      MakeSample("ListTagsForResource", MakeListTagsForResourceRequest(), 46),
      MakeSample("ListTagsForResourceReply", MakeListTagsForResourceReply(), 47),
      MakeSample("NodeStatus", MakeNodeStatus(), 14),
      MakeSample("NodeStatusAck", MakeNodeStatusAck(), 15),
      MakeSample("LaunchAttempt", MakeLaunchAttempt(), 16),
      MakeSample("KillAttempt", MakeKillAttempt(), 17),
      MakeSample("AttemptStarted", MakeAttemptStarted(), 18),
      MakeSample("AttemptEnded", MakeAttemptEnded(), 19),
      MakeSample("AttemptEnded/killed", MakeKilledAttemptEnded(), 20),
      MakeSample("AttemptReportAck", MakeAttemptReportAck(), 21),
  };
  return *samples;
}

inline ReencodeFn ReencoderFor(MessageType type) {
  for (const Sample& s : AllSamples()) {
    if (s.type == type) return s.reencode;
  }
  return nullptr;
}

// DecodeEnvelope + DecodeBody<T>: the status of decoding `frame` as a T.
template <class T>
Status DecodeAs(std::string_view frame) {
  Result<Envelope> env = DecodeEnvelope(frame);
  if (!env.ok()) return env.status();
  return DecodeBody<T>(*env).status();
}

}  // namespace gantry::protocol::fixtures
