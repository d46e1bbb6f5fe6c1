// RpcClient: the client's one blocking request/reply exchange with a
// coordinator, over a ZeroMQ DEALER socket.
//
// The coordinator is a Raft group: every replica has a client endpoint, and
// only the leader serves requests; a follower answers each one with
// ErrorReply kUnavailable ("not the leader; ..."), and during an election
// (about a second) no replica serves. So a call cycles through the endpoints
// until one answers or the call's budget (RpcOptions::timeout) is spent:
//
//   endpoint i --send, wait <= slice--+--reply(id)---------------------> done, stay on i
//       ^                             +--ErrorReply, not kUnavailable--> that error, stay on i
//       |                             '--silence / kUnavailable---.
//       '--- i+1; after a whole round without an answer, --------'
//            first pause 20..50 ms (growing)
//
//   budget spent --> kUnavailable: "no leader answered ..." if an endpoint
//                    refused, else "cannot reach the coordinator ..."
//
// Each try waits for replies carrying the request's id (replies with other
// ids, e.g. late answers to an abandoned request, are dropped); the slice
// bounds what a dead replica costs. Moving on closes the socket, so nothing
// queued for a dead replica is delivered when it comes back.
//
// Ambiguity: a request abandoned after a silent slice, or refused by a
// leader that lost its leadership while committing it, may still have been
// carried out; the same request (same id) is then sent elsewhere. SubmitJob
// carries a client token so a repeat returns the first job; creates answer
// kConflict when repeated, and the message then says the request was sent
// more than once. A final kUnavailable after a timeout does not mean the
// request was not carried out.
//
// Thread-compatible: one thread at a time. Never throws.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
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
GANTRY_CLIENT_REPLY_OF_(RaftListPeersRequest, RaftPeersReply);
GANTRY_CLIENT_REPLY_OF_(RaftAddVoterRequest, RaftPeersReply);
GANTRY_CLIENT_REPLY_OF_(RaftRemovePeerRequest, RaftPeersReply);
GANTRY_CLIENT_REPLY_OF_(RaftTransferLeaderRequest, RaftPeersReply);
GANTRY_CLIENT_REPLY_OF_(CancelJobRequest, DoneReply);
GANTRY_CLIENT_REPLY_OF_(TerminateJobRequest, DoneReply);
GANTRY_CLIENT_REPLY_OF_(DeregisterJobDefinitionRequest, DoneReply);
GANTRY_CLIENT_REPLY_OF_(UpdateJobQueueRequest, DoneReply);
GANTRY_CLIENT_REPLY_OF_(UpdateComputeEnvironmentRequest, DoneReply);
GANTRY_CLIENT_REPLY_OF_(DeleteJobQueueRequest, DoneReply);
GANTRY_CLIENT_REPLY_OF_(DeleteComputeEnvironmentRequest, DoneReply);
GANTRY_CLIENT_REPLY_OF_(CreateSchedulingPolicyRequest, DoneReply);
GANTRY_CLIENT_REPLY_OF_(UpdateSchedulingPolicyRequest, DoneReply);
GANTRY_CLIENT_REPLY_OF_(DeleteSchedulingPolicyRequest, DoneReply);
GANTRY_CLIENT_REPLY_OF_(DescribeSchedulingPoliciesRequest, DescribeSchedulingPoliciesReply);
GANTRY_CLIENT_REPLY_OF_(ReadLogRequest, ReadLogReply);  // to a node agent's log server
GANTRY_CLIENT_REPLY_OF_(NodeControlRequest, DoneReply);
GANTRY_CLIENT_REPLY_OF_(TagResourceRequest, DoneReply);
GANTRY_CLIENT_REPLY_OF_(UntagResourceRequest, DoneReply);
GANTRY_CLIENT_REPLY_OF_(ListTagsForResourceRequest, ListTagsForResourceReply);
#undef GANTRY_CLIENT_REPLY_OF_

struct RpcOptions {
  std::vector<std::string> endpoints;  // tried in this order; at least one
  // The whole budget of one call, every endpoint and pause included.
  std::chrono::milliseconds timeout{5000};
  // How long one endpoint may stay silent before the call moves on. Unset:
  // min(1 s, timeout / number of endpoints), so each gets a turn. With one
  // endpoint the call always waits out the budget on it, which suits a slow,
  // non-idempotent request sent to a known leader.
  std::optional<std::chrono::milliseconds> try_timeout;
};

// Splits a comma-separated endpoint list ("tcp://a:7400, b:7400"), trims
// blanks and drops empty items; "host:port" gets "tcp://" in front.
// kInvalidArgument when nothing is left.
Result<std::vector<std::string>> ParseEndpointList(std::string_view list);

// The endpoint list a verb uses: `flag` if not empty, else `env` (the value
// of GANTRY_ENDPOINT, may be null) if not empty, else DefaultEndpoints().
Result<std::vector<std::string>> ResolveEndpoints(std::string_view flag, const char* env);

// How long a call with `options` waits on one endpoint before moving on.
std::chrono::milliseconds TryTimeout(const RpcOptions& options);

// "a", "a or b", "a, b or c": endpoints as messages name them.
std::string JoinEndpoints(const std::vector<std::string>& endpoints);

// "5s", "0.25s": how a timeout is spelt in messages.
std::string FormatTimeout(std::chrono::milliseconds timeout);

class RpcClient {
 public:
  // kInvalidArgument if `options` has no endpoint or a non-positive timeout
  // or try_timeout, kInternal if ZeroMQ cannot make a context. Connects lazily.
  static Result<std::unique_ptr<RpcClient>> Create(RpcOptions options);
  ~RpcClient();
  RpcClient(const RpcClient&) = delete;
  RpcClient& operator=(const RpcClient&) = delete;

  // Sends `req` and returns the reply, riding out a failover (see above).
  // Failures:
  //   kUnavailable   no leader answered within the budget; the message names
  //                  the endpoints, the budget and the last refusal if any;
  //   the ErrorReply's own code and message when the coordinator refuses
  //                  with any other code (never retried);
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

  // The endpoint the next call tries first: the last one that answered.
  const std::string& current_endpoint() const;

 private:
  struct Impl;
  explicit RpcClient(std::unique_ptr<Impl> impl, uint64_t first_request_id);

  // Sends `frame` (request `id`) with failover and returns the reply's
  // envelope; an ErrorReply comes back as its Status. In rpc_client.cc.
  Result<protocol::Envelope> Exchange(uint64_t id, const std::string& frame);

  std::unique_ptr<Impl> impl_;
  uint64_t next_request_id_;
};

}  // namespace gantry::client
