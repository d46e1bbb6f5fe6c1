#include "coordinator/http/rpc_backend.h"

namespace gantry::coordinator::http {

Result<std::unique_ptr<RpcBackend>> RpcBackend::Create(std::vector<std::string> endpoints,
                                                       std::chrono::milliseconds timeout) {
  if (endpoints.empty()) return Status::InvalidArgument("the HTTP API needs at least one coordinator endpoint");
  client::RpcOptions options;
  options.endpoints = std::move(endpoints);
  options.timeout = timeout;
  // Checks the options once, up front, rather than on the first request.
  GANTRY_ASSIGN_OR_RETURN(std::unique_ptr<client::RpcClient> probe, client::RpcClient::Create(options));
  std::unique_ptr<RpcBackend> backend(new RpcBackend(std::move(options)));
  backend->idle_.push_back(std::move(probe));
  return backend;
}

Result<std::unique_ptr<client::RpcClient>> RpcBackend::Borrow() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!idle_.empty()) {
      std::unique_ptr<client::RpcClient> rpc = std::move(idle_.back());
      idle_.pop_back();
      return rpc;
    }
  }
  // At most one client per HTTP worker thread is ever out at once, so the
  // pool grows to the server's thread count and no further.
  return client::RpcClient::Create(options_);
}

void RpcBackend::Return(std::unique_ptr<client::RpcClient> rpc) {
  std::lock_guard<std::mutex> lock(mu_);
  idle_.push_back(std::move(rpc));
}

}  // namespace gantry::coordinator::http
