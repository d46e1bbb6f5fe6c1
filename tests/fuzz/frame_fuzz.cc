// libFuzzer target: a ZeroMQ frame as a coordinator, agent or client gets it
// from a peer. DecodeEnvelope, then DecodeBody<T> for the envelope's type.
//
// Invariants (each broken one aborts, see fuzz_check.h):
//   - a refused frame or body is kInvalidArgument with a message;
//   - an accepted body passes its Validate();
//   - an accepted body re-encodes to a frame that decodes, and whose own
//     re-encoding is byte-identical (encode and decode agree on every field);
//   - decoding the body as another type is refused.
// The switch lists every MessageType with no default, so -Wswitch (an error
// here) stops the build when a type is added without a case.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "protocol/messages.h"
#include "tests/fuzz/fuzz_check.h"

namespace gantry::protocol {
namespace {

template <class T>
void CheckBody(const Envelope& env) {
  Result<T> body = DecodeBody<T>(env);
  if (!body.ok()) return fuzz::CheckRejected(body.status(), "DecodeBody refusal");
  if constexpr (Validated<T>) fuzz::Check(body->Validate().ok(), "accepted body fails Validate", body->Validate());

  const std::string again = EncodeMessage(env.requestId, *body);
  Result<Envelope> env2 = DecodeEnvelope(again);
  fuzz::Check(env2.ok(), "re-encoded frame does not decode", env2.status());
  fuzz::Check(env2->type == env.type && env2->requestId == env.requestId, "re-encoded header differs");
  Result<T> body2 = DecodeBody<T>(*env2);
  fuzz::Check(body2.ok(), "re-encoded body does not decode", body2.status());
  fuzz::Check(EncodeMessage(env.requestId, *body2) == again, "round trip is not stable");

  // The type guard: the same body read as another type is refused.
  if constexpr (T::kType == MessageType::kDoneReply) {
    fuzz::CheckRejected(DecodeBody<ErrorReply>(env).status(), "DecodeBody of another type");
  } else {
    fuzz::CheckRejected(DecodeBody<DoneReply>(env).status(), "DecodeBody of another type");
  }
}

#define GANTRY_FUZZ_BODY(T) \
  case T::kType:            \
    return CheckBody<T>(env)

void CheckFrame(const Envelope& env) {
  switch (env.type) {
    GANTRY_FUZZ_BODY(ErrorReply);
    GANTRY_FUZZ_BODY(CreateComputeEnvironmentRequest);
    GANTRY_FUZZ_BODY(CreateComputeEnvironmentReply);
    GANTRY_FUZZ_BODY(CreateJobQueueRequest);
    GANTRY_FUZZ_BODY(CreateJobQueueReply);
    GANTRY_FUZZ_BODY(RegisterJobDefinitionRequest);
    GANTRY_FUZZ_BODY(RegisterJobDefinitionReply);
    GANTRY_FUZZ_BODY(SubmitJobRequest);
    GANTRY_FUZZ_BODY(SubmitJobReply);
    GANTRY_FUZZ_BODY(DescribeJobsRequest);
    GANTRY_FUZZ_BODY(DescribeJobsReply);
    GANTRY_FUZZ_BODY(ListJobsRequest);
    GANTRY_FUZZ_BODY(ListJobsReply);
    GANTRY_FUZZ_BODY(DescribeJobQueuesRequest);
    GANTRY_FUZZ_BODY(DescribeJobQueuesReply);
    GANTRY_FUZZ_BODY(DescribeComputeEnvironmentsRequest);
    GANTRY_FUZZ_BODY(DescribeComputeEnvironmentsReply);
    GANTRY_FUZZ_BODY(DescribeJobDefinitionsRequest);
    GANTRY_FUZZ_BODY(DescribeJobDefinitionsReply);
    GANTRY_FUZZ_BODY(DescribeNodesRequest);
    GANTRY_FUZZ_BODY(DescribeNodesReply);
    GANTRY_FUZZ_BODY(RaftListPeersRequest);
    GANTRY_FUZZ_BODY(RaftPeersReply);
    GANTRY_FUZZ_BODY(RaftAddVoterRequest);
    GANTRY_FUZZ_BODY(RaftRemovePeerRequest);
    GANTRY_FUZZ_BODY(RaftTransferLeaderRequest);
    GANTRY_FUZZ_BODY(CancelJobRequest);
    GANTRY_FUZZ_BODY(TerminateJobRequest);
    GANTRY_FUZZ_BODY(DoneReply);
    GANTRY_FUZZ_BODY(DeregisterJobDefinitionRequest);
    GANTRY_FUZZ_BODY(UpdateJobQueueRequest);
    GANTRY_FUZZ_BODY(UpdateComputeEnvironmentRequest);
    GANTRY_FUZZ_BODY(DeleteJobQueueRequest);
    GANTRY_FUZZ_BODY(DeleteComputeEnvironmentRequest);
    GANTRY_FUZZ_BODY(CreateSchedulingPolicyRequest);
    GANTRY_FUZZ_BODY(UpdateSchedulingPolicyRequest);
    GANTRY_FUZZ_BODY(DeleteSchedulingPolicyRequest);
    GANTRY_FUZZ_BODY(DescribeSchedulingPoliciesRequest);
    GANTRY_FUZZ_BODY(DescribeSchedulingPoliciesReply);
    GANTRY_FUZZ_BODY(ReadLogRequest);
    GANTRY_FUZZ_BODY(ReadLogReply);
    GANTRY_FUZZ_BODY(NodeControlRequest);
    GANTRY_FUZZ_BODY(TagResourceRequest);
    GANTRY_FUZZ_BODY(UntagResourceRequest);
    GANTRY_FUZZ_BODY(ListTagsForResourceRequest);
    GANTRY_FUZZ_BODY(ListTagsForResourceReply);
    GANTRY_FUZZ_BODY(NodeStatus);
    GANTRY_FUZZ_BODY(NodeStatusAck);
    GANTRY_FUZZ_BODY(LaunchAttempt);
    GANTRY_FUZZ_BODY(KillAttempt);
    GANTRY_FUZZ_BODY(AttemptStarted);
    GANTRY_FUZZ_BODY(AttemptEnded);
    GANTRY_FUZZ_BODY(AttemptReportAck);
    GANTRY_FUZZ_BODY(ReclaimNode);
  }
  fuzz::Fail("DecodeEnvelope accepted a type no struct has");
}

#undef GANTRY_FUZZ_BODY

}  // namespace
}  // namespace gantry::protocol

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace gantry::protocol;  // NOLINT(google-build-using-namespace)
  const std::string_view frame(reinterpret_cast<const char*>(data), size);
  gantry::Result<Envelope> env = DecodeEnvelope(frame);
  if (!env.ok()) {
    gantry::fuzz::CheckRejected(env.status(), "DecodeEnvelope refusal");
    return 0;
  }
  gantry::fuzz::Check(env->version == kProtocolVersion, "DecodeEnvelope accepted another version");
  gantry::fuzz::Check(IsKnownMessageType(static_cast<uint16_t>(env->type)), "DecodeEnvelope accepted an unknown type");
  CheckFrame(*env);
  return 0;
}
