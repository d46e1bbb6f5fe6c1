// HttpServer: puts an AwsApi on a TCP port with cpp-httplib (HTTP/1.1,
// keep-alive, a fixed pool of worker threads). It only moves bytes: every
// decision about a request is AwsApi's.
//
// cpp-httplib serves a keep-alive connection on one worker thread until the
// connection closes or idles out (keep_alive_seconds), so `threads` bounds
// the connections served at once; further connections wait in the queue.
// SDK clients keep up to 10 connections each (urllib3's pool).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <thread>

#include "common/logging.h"
#include "coordinator/http/aws_api.h"
#include "gantry/status.h"

namespace httplib {
class Server;
}

namespace gantry::coordinator::http {

struct HttpServerOptions {
  std::string listen = "127.0.0.1:7480";  // HOST:PORT; port 0 picks a free one
  int threads = 32;
  int keep_alive_seconds = 5;
  size_t max_body_bytes = 4 << 20;  // SubmitJob's largest legal body is well under 1 MiB
  // PEM files: both set, the server speaks HTTPS only (OpenSSL, through
  // cpp-httplib); both empty, plain HTTP. SigV4 protects a request from
  // being changed, not from being read: job commands and environments are
  // in the clear without TLS.
  std::string tls_cert;
  std::string tls_key;
};

// "127.0.0.1:7480" -> host and port; kInvalidArgument naming `flag` otherwise.
struct HostPort {
  std::string host;
  int port = 0;
};
Result<HostPort> ParseHostPort(std::string_view flag, std::string_view listen);

class HttpServer {
 public:
  // Binds and starts serving on a thread of its own. kUnavailable if the
  // address cannot be bound, kInvalidArgument if the TLS files cannot be
  // loaded. `api` outlives the server.
  static Result<std::unique_ptr<HttpServer>> Start(const HttpServerOptions& options, AwsApi* api, Logger log);
  ~HttpServer();  // Stop()
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  int port() const { return port_; }
  // Stops accepting, finishes the requests in progress and joins. Idempotent.
  void Stop();

 private:
  HttpServer() = default;

  std::unique_ptr<httplib::Server> server_;
  std::thread thread_;
  int port_ = 0;
};

}  // namespace gantry::coordinator::http
