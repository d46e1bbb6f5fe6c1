#include "coordinator/http/http_server.h"

#include <httplib.h>
#include <sys/socket.h>

#include <charconv>
#include <chrono>

namespace gantry::coordinator::http {
namespace {

ApiRequest ToApiRequest(const httplib::Request& req) {
  ApiRequest out;
  out.method = req.method;
  out.target = req.target;
  out.headers.reserve(req.headers.size());
  for (const auto& [name, value] : req.headers) out.headers.emplace_back(name, value);
  out.body = req.body;
  return out;
}

void Serve(AwsApi* api, const Logger& log, const httplib::Request& req, httplib::Response& res) {
  const auto start = std::chrono::steady_clock::now();
  ApiResponse r = api->Handle(ToApiRequest(req));
  res.status = r.status;
  res.set_header("x-amzn-RequestId", r.request_id);
  if (!r.error_type.empty()) res.set_header("x-amzn-ErrorType", r.error_type);
  res.set_content(std::move(r.body), "application/json");
  const auto micros =
      std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - start).count();
  if (r.status >= 400) {
    log->info("request refused method={} path={} status={} error={} request_id={} us={}", req.method, req.path,
              r.status, r.error_type, r.request_id, micros);
  } else {
    log->debug("request method={} path={} status={} request_id={} us={}", req.method, req.path, r.status,
               r.request_id, micros);
  }
}

}  // namespace

Result<HostPort> ParseHostPort(std::string_view flag, std::string_view listen) {
  size_t colon = listen.rfind(':');
  HostPort hp;
  if (colon != std::string_view::npos && colon > 0) {
    hp.host = std::string(listen.substr(0, colon));
    std::string_view port = listen.substr(colon + 1);
    auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), hp.port);
    if (ec == std::errc() && end == port.data() + port.size() && !port.empty() && hp.port >= 0 &&
        hp.port <= 65535) {
      return hp;
    }
  }
  return Status::InvalidArgument(std::string(flag) + " must be HOST:PORT (e.g. 127.0.0.1:7480), got \"" +
                                 std::string(listen.substr(0, 100)) + "\"");
}

Result<std::unique_ptr<HttpServer>> HttpServer::Start(const HttpServerOptions& options, AwsApi* api, Logger log) {
  GANTRY_ASSIGN_OR_RETURN(HostPort hp, ParseHostPort("--http-listen", options.listen));
  std::unique_ptr<HttpServer> self(new HttpServer());
  if (options.tls_cert.empty() != options.tls_key.empty()) {
    return Status::InvalidArgument("--http-tls-cert and --http-tls-key go together");
  }
  if (options.tls_cert.empty()) {
    self->server_ = std::make_unique<httplib::Server>();
  } else {
    auto tls = std::make_unique<httplib::SSLServer>(options.tls_cert.c_str(), options.tls_key.c_str());
    if (!tls->is_valid()) {
      return Status::InvalidArgument("--http-tls-cert/--http-tls-key: cannot load the certificate " +
                                     options.tls_cert + " with the key " + options.tls_key +
                                     " (PEM files, the key matching the certificate)");
    }
    self->server_ = std::move(tls);
  }
  httplib::Server& svr = *self->server_;
  const int threads = options.threads;
  svr.new_task_queue = [threads] { return new httplib::ThreadPool(static_cast<size_t>(threads)); };
  svr.set_keep_alive_max_count(100'000);
  svr.set_keep_alive_timeout(options.keep_alive_seconds);
  // A request arrives whole from every SDK; a client that trickles one in
  // holds a worker thread, so it gets little time.
  svr.set_read_timeout(10, 0);
  svr.set_write_timeout(30, 0);
  svr.set_tcp_nodelay(true);
  // cpp-httplib's default also sets SO_REUSEPORT, with which a second
  // process binds the same port without an error and the kernel splits the
  // connections between the two. SO_REUSEADDR alone: a restart rebinds at
  // once, and a port in use is an error.
  svr.set_socket_options([](socket_t sock) {
    int yes = 1;
    ::setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof(yes));
  });
  svr.set_payload_max_length(options.max_body_bytes);
  httplib::Server::Handler handler = [api, log](const httplib::Request& req, httplib::Response& res) {
    Serve(api, log, req, res);
  };
  // Every method reaches AwsApi, which answers wrong ones in AWS's format.
  svr.Get(".*", handler);
  svr.Post(".*", handler);
  svr.Put(".*", handler);
  svr.Patch(".*", handler);
  svr.Delete(".*", handler);
  svr.Options(".*", handler);
  // What cpp-httplib refuses itself (a body over the limit, a request line it
  // cannot parse) still gets an AWS-shaped error.
  svr.set_error_handler([](const httplib::Request&, httplib::Response& res) {
    if (!res.body.empty()) return;
    const char* type = res.status == 413 ? "ClientException" : "UnknownOperationException";
    std::string message = res.status == 413 ? "the request body is larger than the server accepts"
                                             : "the request could not be read (HTTP " + std::to_string(res.status) + ")";
    res.set_header("x-amzn-ErrorType", type);
    res.set_header("x-amzn-RequestId", NewRequestId());
    res.set_content(std::string("{\"__type\":\"") + type + "\",\"message\":\"" + message + "\"}", "application/json");
  });
  svr.set_exception_handler([log](const httplib::Request& req, httplib::Response& res, std::exception_ptr ep) {
    std::string what = "unknown exception";
    try {
      if (ep) std::rethrow_exception(ep);
    } catch (const std::exception& e) {
      what = e.what();
    } catch (...) {
    }
    log->error("request failed with an exception method={} path={} what={}", req.method, req.path, what);
    res.status = 500;
    res.set_header("x-amzn-ErrorType", "ServerException");
    res.set_content("{\"__type\":\"ServerException\",\"message\":\"internal error\"}", "application/json");
  });

  if (hp.port == 0) {
    self->port_ = svr.bind_to_any_port(hp.host);
    if (self->port_ <= 0) return Status::Unavailable("--http-listen: cannot bind " + hp.host);
  } else if (svr.bind_to_port(hp.host, hp.port)) {
    self->port_ = hp.port;
  } else {
    return Status::Unavailable("--http-listen: cannot bind " + options.listen + " (in use, or not an address here)");
  }
  self->thread_ = std::thread([&svr] { svr.listen_after_bind(); });
  // cpp-httplib's stop() does nothing until listen_after_bind() runs, so a
  // Stop() right after Start() would hang; this version has no ready signal.
  const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (!svr.is_running() && std::chrono::steady_clock::now() < give_up) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  log->info("serving the AWS Batch API url={}://{}:{}", options.tls_cert.empty() ? "http" : "https", hp.host,
            self->port_);
  return self;
}

HttpServer::~HttpServer() { Stop(); }

void HttpServer::Stop() {
  if (server_) server_->stop();
  if (thread_.joinable()) thread_.join();
}

}  // namespace gantry::coordinator::http
