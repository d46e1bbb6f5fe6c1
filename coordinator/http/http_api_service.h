// HttpApiService: the AWS Batch-compatible HTTP API of one coordinator
// replica, put together from its parts: the access keys (access_keys.h),
// SigV4 verification (sigv4.h), the operations (operations.h) over an
// RpcBackend to the group's leader, and the HTTP server. `gantry
// coordinator --http-listen` starts one next to the ZeroMQ API.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "common/logging.h"
#include "coordinator/http/access_keys.h"
#include "protocol/arn.h"
#include "coordinator/http/aws_api.h"
#include "coordinator/http/http_server.h"
#include "coordinator/http/rpc_backend.h"

namespace gantry::coordinator::http {

struct HttpApiConfig {
  HttpServerOptions server;
  protocol::ArnScheme arns;
  // Access keys (name, id, secret); SigV4 is checked against them. Empty
  // path with no_auth: every request is admitted anonymously (`gantry dev`).
  std::string keys_path;
  bool no_auth = false;
  std::chrono::seconds max_clock_skew{300};
  double rate_per_second = 0;  // per access key; 0: unlimited
  double rate_burst = 100;
  // The group's client endpoints, this replica's first.
  std::vector<std::string> coordinators;
  std::chrono::milliseconds request_timeout{10'000};
};

// kInvalidArgument for a config that cannot work (no keys and auth on, a
// bad region or account), naming the flag.
Status ValidateHttpApiConfig(const HttpApiConfig& config);

class HttpApiService {
 public:
  // Loads the keys and binds the port. Errors name the flag at fault.
  static Result<std::unique_ptr<HttpApiService>> Start(HttpApiConfig config, Logger log);
  ~HttpApiService();

  int port() const { return server_->port(); }
  void Stop();

 private:
  HttpApiService() = default;

  AccessKeys keys_;
  std::unique_ptr<RpcBackend> backend_;
  std::unique_ptr<AwsApi> api_;
  std::unique_ptr<HttpServer> server_;
};

}  // namespace gantry::coordinator::http
