// Backend: how the AWS-compatible HTTP API reaches the coordinator group.
//
// Every operation becomes one of the ZeroMQ client API's requests, so an
// HTTP request goes through the same validation and the same FSM commands
// as `gantry submit-job` does. The real backend (RpcBackend) sends it to the
// group's leader with client::RpcClient; unit tests use a fake.
#pragma once

#include "client/rpc_client.h"
#include "gantry/status.h"
#include "protocol/messages.h"

namespace gantry::coordinator::http {

// The client requests the HTTP API sends.
#define GANTRY_HTTP_BACKEND_REQUESTS(X) \
  X(CreateComputeEnvironmentRequest)    \
  X(UpdateComputeEnvironmentRequest)    \
  X(DeleteComputeEnvironmentRequest)    \
  X(DescribeComputeEnvironmentsRequest) \
  X(CreateJobQueueRequest)              \
  X(UpdateJobQueueRequest)              \
  X(DeleteJobQueueRequest)              \
  X(DescribeJobQueuesRequest)           \
  X(RegisterJobDefinitionRequest)       \
  X(DeregisterJobDefinitionRequest)     \
  X(DescribeJobDefinitionsRequest)      \
  X(SubmitJobRequest)                   \
  X(DescribeJobsRequest)                \
  X(ListJobsRequest)                    \
  X(CancelJobRequest)                   \
  X(TerminateJobRequest)                \
  X(CreateSchedulingPolicyRequest)      \
  X(UpdateSchedulingPolicyRequest)      \
  X(DeleteSchedulingPolicyRequest)      \
  X(DescribeSchedulingPoliciesRequest)  \
  X(TagResourceRequest)                 \
  X(UntagResourceRequest)               \
  X(ListTagsForResourceRequest)

template <class Req>
using BackendReply = Result<typename client::ReplyOf<Req>::type>;

// Thread-safe: the HTTP server calls it from several threads at once.
class Backend {
 public:
  virtual ~Backend() = default;
#define GANTRY_HTTP_BACKEND_CALL_(Req) virtual BackendReply<protocol::Req> Call(const protocol::Req& req) = 0;
  GANTRY_HTTP_BACKEND_REQUESTS(GANTRY_HTTP_BACKEND_CALL_)
#undef GANTRY_HTTP_BACKEND_CALL_
};

}  // namespace gantry::coordinator::http
