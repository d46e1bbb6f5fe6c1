// LogServer: the agent's log server. `gantry logs` asks it directly (peer
// to peer, not through the coordinator) for an attempt's output, kept under
// DATA/logs by the attempt log writer (attempt_log.h).
//
// A ZeroMQ ROUTER bound to --log-listen, watched on the agent's libuv loop.
// Each request is one ReadLog; the answer is a ReadLogReply or an
// ErrorReply (kNotFound: no log of that attempt here; kInvalidArgument: a
// request that does not decode, or ids that are not one path component).
// Reads are bounded by protocol::kMaxReadLogBytes and served from files the
// writer just wrote (the page cache), on the loop thread, so a reply always
// sees the log as the writer left it.
//
// The address it binds is advertised in Node.logAddress (NodeStatus); a
// wildcard host is replaced by the machine's name.
//
// Not thread-safe: every call on the loop thread.
#pragma once

#include <uv.h>

#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <zmq.hpp>

#include "common/logging.h"
#include "common/zmq_socket.h"
#include "gantry/status.h"
#include "protocol/messages.h"

namespace gantry::node {

// The address for clients of a socket whose ZMQ_LAST_ENDPOINT is
// `last_endpoint`: a wildcard host (0.0.0.0, ::) becomes `hostname`. Pure.
std::string AdvertisedLogAddress(std::string_view last_endpoint, std::string_view hostname);

class LogServer {
 public:
  // Whether the in-flight attempt logging into `log_dir` may still write
  // there (Executor::LogOpen); a log no attempt writes is ended.
  using LogOpenFn = std::function<bool(const std::filesystem::path& log_dir)>;

  LogServer(Logger log, std::filesystem::path data_dir, LogOpenFn log_open);
  ~LogServer();
  LogServer(const LogServer&) = delete;
  LogServer& operator=(const LogServer&) = delete;

  // Binds to `endpoint` ("tcp://HOST:PORT", port 0 or * for an ephemeral
  // one) and serves on `loop`; `context` must outlive the server. Returns
  // the advertised address. kInvalidArgument if ZeroMQ refuses the endpoint,
  // kInternal for other socket errors. Call at most once.
  Result<std::string> Start(uv_loop_t* loop, zmq::context_t& context, const std::string& endpoint);
  // Stops serving and closes the socket. Idempotent.
  void Close();

  // The answer to one ReadLog, as the server sends it. Exposed for tests.
  Result<protocol::ReadLogReply> Read(const protocol::ReadLogRequest& req) const;

 private:
  void OnFrames(LoopSocket::Frames& frames);
  std::string Answer(std::string_view frame) const;

  Logger log_;
  std::filesystem::path data_dir_;
  LogOpenFn log_open_;
  std::unique_ptr<LoopSocket> socket_;
};

}  // namespace gantry::node
