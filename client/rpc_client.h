// RpcClient: the client's one blocking request/reply exchange with a
// coordinator, over a ZeroMQ DEALER socket.
//
// A call encodes the request in an envelope with a fresh request id, sends it
// to the current endpoint and waits up to `timeout` for the reply carrying
// that id (replies with other ids, e.g. late answers to an abandoned request,
// are dropped). With several endpoints (every replica of the coordinator),
// an endpoint that does not answer in time, or answers kUnavailable (e.g. a
// replica that knows no leader), is abandoned for the next one, in order:
//
//   endpoint i --send--> wait --reply(id)-------------------> done, stay on i
//                          |--timeout / ErrorReply(kUnavailable)--> i+1 ...
//                          '--all endpoints tried--> kUnavailable
//
// A request abandoned on one endpoint may still have been carried out there;
// requests that create something carry a client token (SubmitJob) or fail
// with kConflict when repeated, so a retry elsewhere cannot do it twice.
//
// Thread-compatible: one thread at a time. Never throws.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "gantry/status.h"
#include "protocol/messages.h"

namespace gantry::client {

// The reply type of each client request.
template <class Req>
struct ReplyOf;
#define GANTRY_CLIENT_REPLY_OF_(Req, Rep) \
  template <>                             \
  struct ReplyOf<protocol::Req> {         \
    using type = protocol::Rep;           \
  }
GANTRY_CLIENT_REPLY_OF_(CreateComputeEnvironmentRequest, CreateComputeEnvironmentReply);
GANTRY_CLIENT_REPLY_OF_(CreateJobQueueRequest, CreateJobQueueReply);
GANTRY_CLIENT_REPLY_OF_(RegisterJobDefinitionRequest, RegisterJobDefinitionReply);
GANTRY_CLIENT_REPLY_OF_(SubmitJobRequest, SubmitJobReply);
GANTRY_CLIENT_REPLY_OF_(DescribeJobsRequest, DescribeJobsReply);
GANTRY_CLIENT_REPLY_OF_(ListJobsRequest, ListJobsReply);
GANTRY_CLIENT_REPLY_OF_(DescribeJobQueuesRequest, DescribeJobQueuesReply);
GANTRY_CLIENT_REPLY_OF_(DescribeComputeEnvironmentsRequest, DescribeComputeEnvironmentsReply);
GANTRY_CLIENT_REPLY_OF_(DescribeJobDefinitionsRequest, DescribeJobDefinitionsReply);
GANTRY_CLIENT_REPLY_OF_(DescribeNodesRequest, DescribeNodesReply);
#undef GANTRY_CLIENT_REPLY_OF_

struct RpcOptions {
  std::vector<std::string> endpoints;  // tried in this order; at least one
  std::chrono::milliseconds timeout{5000};  // per endpoint and call
};

// Splits a comma-separated endpoint list ("tcp://a:7400, b:7400"), trims
// blanks and drops empty items; "host:port" gets "tcp://" in front.
// kInvalidArgument when nothing is left.
Result<std::vector<std::string>> ParseEndpointList(std::string_view list);

// The endpoint list a verb uses: `flag` if not empty, else `env` (the value
// of GANTRY_ENDPOINT, may be null) if not empty, else DefaultEndpoint().
Result<std::vector<std::string>> ResolveEndpoints(std::string_view flag, const char* env);

// "5s", "0.25s": how a timeout is spelt in messages.
std::string FormatTimeout(std::chrono::milliseconds timeout);

class RpcClient {
 public:
  // kInvalidArgument if `options` has no endpoint or a non-positive timeout,
  // kInternal if ZeroMQ cannot make a context. Connects lazily.
  static Result<std::unique_ptr<RpcClient>> Create(RpcOptions options);
  ~RpcClient();
  RpcClient(const RpcClient&) = delete;
  RpcClient& operator=(const RpcClient&) = delete;

  // Sends `req` and returns the reply. Failures:
  //   kUnavailable   no endpoint replied within the timeout (the message
  //                  names the endpoints and the timeout), or every one
  //                  answered kUnavailable;
  //   the ErrorReply's own code and message when the coordinator refuses;
  //   kInternal      a reply of the wrong type or one that does not decode;
  //   kInvalidArgument  an endpoint ZeroMQ cannot parse.
  template <class Req, class Rep = typename ReplyOf<Req>::type>
  Result<Rep> Call(const Req& req) {
    const uint64_t id = next_request_id_++;
    GANTRY_ASSIGN_OR_RETURN(protocol::Envelope env,
                            Exchange(id, protocol::EncodeMessage(id, req)));
    if (env.type != Rep::kType) {
      return Status::Internal(std::string("the coordinator answered ") +
                              protocol::MessageTypeName(Req::kType) + " with " +
                              protocol::MessageTypeName(env.type));
    }
    Result<Rep> rep = protocol::DecodeBody<Rep>(env);
    if (!rep.ok()) {
      return Status::Internal("undecodable reply from the coordinator: " + rep.status().message());
    }
    return rep;
  }

  // The endpoint the next call tries first.
  const std::string& current_endpoint() const;

 private:
  struct Impl;
  explicit RpcClient(std::unique_ptr<Impl> impl, uint64_t first_request_id);

  // Sends `frame` (request `id`) with failover and returns the reply's
  // envelope; an ErrorReply comes back as its Status.
  Result<protocol::Envelope> Exchange(uint64_t id, const std::string& frame);

  std::unique_ptr<Impl> impl_;
  uint64_t next_request_id_;
};

}  // namespace gantry::client
