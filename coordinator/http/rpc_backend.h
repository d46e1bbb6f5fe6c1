// RpcBackend: the HTTP API's way to the coordinator group, through the same
// ZeroMQ client API the CLI uses. Each call borrows a client::RpcClient from
// a pool (an RpcClient serves one thread at a time), so HTTP worker threads
// call in parallel. The endpoint list starts with this replica's own: on the
// leader a request takes one loopback hop; on a follower the RpcClient is
// refused ("not the leader") and moves on until the leader answers, then
// stays there. That is how followers forward to the leader.
#pragma once

#include <chrono>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "client/rpc_client.h"
#include "coordinator/http/backend.h"

namespace gantry::coordinator::http {

class RpcBackend final : public Backend {
 public:
  // kInvalidArgument without endpoints.
  static Result<std::unique_ptr<RpcBackend>> Create(std::vector<std::string> endpoints,
                                                    std::chrono::milliseconds timeout);

#define GANTRY_HTTP_RPC_CALL_(Req) \
  BackendReply<protocol::Req> Call(const protocol::Req& req) override { return Send(req); }
  GANTRY_HTTP_BACKEND_REQUESTS(GANTRY_HTTP_RPC_CALL_)
#undef GANTRY_HTTP_RPC_CALL_

 private:
  explicit RpcBackend(client::RpcOptions options) : options_(std::move(options)) {}

  template <class Req>
  BackendReply<Req> Send(const Req& req) {
    Result<std::unique_ptr<client::RpcClient>> rpc = Borrow();
    if (!rpc.ok()) return rpc.status();
    BackendReply<Req> reply = (*rpc)->Call(req);
    Return(std::move(rpc).value());
    return reply;
  }
  Result<std::unique_ptr<client::RpcClient>> Borrow();
  void Return(std::unique_ptr<client::RpcClient> rpc);

  const client::RpcOptions options_;
  std::mutex mu_;
  std::vector<std::unique_ptr<client::RpcClient>> idle_;
};

}  // namespace gantry::coordinator::http
