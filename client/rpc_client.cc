#include "client/rpc_client.h"

#include <algorithm>
#include <cerrno>
#include <optional>
#include <random>
#include <thread>
#include <zmq.hpp>
#include <zmq_addon.hpp>

#include "client/flag_text.h"
#include "gantry/ports.h"

namespace gantry::client {
namespace {

constexpr int kHeartbeatIntervalMs = 1000;
constexpr int kHeartbeatTimeoutMs = 5000;

using std::chrono::milliseconds;
using Clock = std::chrono::steady_clock;

// Longest default wait on one of several endpoints: a follower or the
// leader answers in milliseconds, so a second of silence means a dead or
// cut-off replica.
constexpr milliseconds kMaxTryTimeout{1000};
// Pause after a round without an answer: an election takes about a second,
// so a few dozen rounds at most, without spinning on the replicas.
constexpr milliseconds kFirstPause{20};
constexpr milliseconds kPauseStep{10};
constexpr milliseconds kMaxPause{50};

uint64_t RandomRequestId() {
  std::random_device rd;
  uint64_t id = (static_cast<uint64_t>(rd()) << 32) ^ rd();
  // Leave room to count up without wrapping through 0 in any realistic run.
  return id >> 1;
}

// The error an ErrorReply carries; kInternal if it does not decode.
Status ErrorReplyStatus(const protocol::Envelope& env) {
  Result<protocol::ErrorReply> err = protocol::DecodeBody<protocol::ErrorReply>(env);
  if (!err.ok()) {
    return Status::Internal("undecodable error reply from the coordinator: " + err.status().message());
  }
  StatusCode code = StatusCodeFromInt(err->code);
  if (code == StatusCode::kOk) code = StatusCode::kInternal;
  return Status(code, err->message);
}

}  // namespace

Result<std::vector<std::string>> ParseEndpointList(std::string_view list) {
  std::vector<std::string> out;
  while (true) {
    size_t comma = list.find(',');
    std::string_view item = Trim(list.substr(0, comma));
    if (!item.empty()) {
      std::string endpoint(item);
      if (endpoint.find("://") == std::string::npos) endpoint = "tcp://" + endpoint;
      out.push_back(std::move(endpoint));
    }
    if (comma == std::string_view::npos) break;
    list.remove_prefix(comma + 1);
  }
  if (out.empty()) {
    return Status::InvalidArgument("no coordinator endpoint given (expected e.g. tcp://127.0.0.1:" +
                                   std::to_string(kDefaultBasePort) + ")");
  }
  return out;
}

Result<std::vector<std::string>> ResolveEndpoints(std::string_view flag, const char* env) {
  if (!Trim(flag).empty()) return ParseEndpointList(flag);
  if (env != nullptr && !Trim(env).empty()) {
    Result<std::vector<std::string>> r = ParseEndpointList(env);
    if (!r.ok()) return r.status().WithContext(kEndpointEnv);
    return r;
  }
  return DefaultEndpoints();
}

milliseconds TryTimeout(const RpcOptions& options) {
  const size_t n = options.endpoints.size();
  // Abandoning the only endpoint gains nothing and resends the request.
  if (n <= 1) return options.timeout;
  if (options.try_timeout) return *options.try_timeout;
  return std::clamp(options.timeout / static_cast<int64_t>(n), milliseconds(1), kMaxTryTimeout);
}

std::string JoinEndpoints(const std::vector<std::string>& endpoints) {
  std::string out;
  for (size_t i = 0; i < endpoints.size(); ++i) {
    if (i > 0) out += i + 1 == endpoints.size() ? " or " : ", ";
    out += endpoints[i];
  }
  return out;
}

std::string FormatTimeout(std::chrono::milliseconds timeout) {
  auto ms = timeout.count();
  if (ms % 1000 == 0) return std::to_string(ms / 1000) + "s";
  std::string frac = std::to_string(ms % 1000);
  frac.insert(0, 3 - frac.size(), '0');
  while (frac.back() == '0') frac.pop_back();
  return std::to_string(ms / 1000) + "." + frac + "s";
}

// The socket is per endpoint: after a timeout it is closed (linger 0), so
// the abandoned request and any late reply to it die with it. A monitor on
// it reports a refused or dropped TCP connection, so a replica that died
// (its port closed, its connections reset) costs a round trip, not a slice.
struct RpcClient::Impl {
  RpcOptions options;
  zmq::context_t context;
  std::optional<zmq::socket_t> socket;   // connected to endpoints[current]
  std::optional<zmq::socket_t> monitor;  // that socket's connection events
  size_t current = 0;
  uint64_t monitors_made = 0;

  Status Connect() {
    if (socket) return Status::Ok();
    const std::string& endpoint = options.endpoints[current];
    try {
      zmq::socket_t s(context, zmq::socket_type::dealer);
      s.set(zmq::sockopt::linger, 0);
      s.set(zmq::sockopt::maxmsgsize, protocol::kMaxFrameBytes);
      s.set(zmq::sockopt::heartbeat_ivl, kHeartbeatIntervalMs);
      s.set(zmq::sockopt::heartbeat_timeout, kHeartbeatTimeoutMs);
      s.set(zmq::sockopt::heartbeat_ttl, kHeartbeatTimeoutMs);
      s.set(zmq::sockopt::reconnect_ivl, 100);
      const std::string monitor_address = "inproc://gantry-rpc-monitor-" +
                                          std::to_string(reinterpret_cast<uintptr_t>(this)) + "-" +
                                          std::to_string(++monitors_made);
      if (zmq_socket_monitor(s.handle(), monitor_address.c_str(),
                             ZMQ_EVENT_CONNECT_RETRIED | ZMQ_EVENT_DISCONNECTED) != 0) {
        throw zmq::error_t();
      }
      zmq::socket_t m(context, zmq::socket_type::pair);
      m.set(zmq::sockopt::linger, 0);
      m.connect(monitor_address);
      s.connect(endpoint);
      socket = std::move(s);
      monitor = std::move(m);
    } catch (const zmq::error_t& e) {
      return Status::InvalidArgument("cannot use coordinator endpoint \"" + endpoint +
                                     "\": " + e.what());
    }
    return Status::Ok();
  }

  ~Impl() { Disconnect(); }

  void Disconnect() {
    if (socket) zmq_socket_monitor(socket->handle(), nullptr, 0);
    monitor.reset();
    socket.reset();
  }

  // True when the monitor reports the connection refused or dropped.
  bool ConnectionLost() {
    std::vector<zmq::message_t> event;
    while (zmq::recv_multipart(*monitor, std::back_inserter(event), zmq::recv_flags::dontwait)) {
      if (!event.empty() && event[0].size() >= sizeof(uint16_t)) return true;  // only those two are asked for
      event.clear();
    }
    return false;
  }

  // One attempt on the current endpoint, waiting up to `wait`.
  // kUnavailable when no reply came (timeout, a refused or dropped
  // connection, a socket error).
  Result<protocol::Envelope> Try(uint64_t id, const std::string& frame, milliseconds wait) {
    GANTRY_RETURN_IF_ERROR(Connect());
    const std::string& endpoint = options.endpoints[current];
    auto deadline = Clock::now() + wait;
    auto timed_out = [&] {
      return Status::Unavailable("cannot reach the coordinator at " + endpoint + " (no reply within " +
                                 FormatTimeout(wait) + ")");
    };
    try {
      if (!socket->send(zmq::buffer(frame), zmq::send_flags::dontwait)) return timed_out();
      while (true) {
        auto left = std::chrono::duration_cast<milliseconds>(deadline - Clock::now());
        if (left.count() <= 0) return timed_out();
        zmq::pollitem_t items[] = {{static_cast<void*>(*socket), 0, ZMQ_POLLIN, 0},
                                   {static_cast<void*>(*monitor), 0, ZMQ_POLLIN, 0}};
        try {
          zmq::poll(items, 2, left);
        } catch (const zmq::error_t& e) {
          if (e.num() == EINTR) continue;
          throw;
        }
        if ((items[1].revents & ZMQ_POLLIN) != 0 && (items[0].revents & ZMQ_POLLIN) == 0 && ConnectionLost()) {
          return Status::Unavailable("cannot reach the coordinator at " + endpoint +
                                     " (connection refused or closed)");
        }
        zmq::pollitem_t& item = items[0];
        if ((item.revents & ZMQ_POLLIN) == 0) continue;
        std::vector<zmq::message_t> frames;
        if (!zmq::recv_multipart(*socket, std::back_inserter(frames), zmq::recv_flags::dontwait) ||
            frames.empty()) {
          continue;
        }
        Result<protocol::Envelope> env = protocol::DecodeEnvelope(frames.back().to_string_view());
        if (!env.ok()) {
          return Status::Internal("undecodable reply from the coordinator at " + endpoint + ": " +
                                  env.status().message());
        }
        if (env->requestId != id) continue;  // a late reply to an abandoned request
        return env;
      }
    } catch (const zmq::error_t& e) {
      Disconnect();
      return Status::Unavailable("talking to the coordinator at " + endpoint + ": " + e.what());
    }
  }
};

Result<std::unique_ptr<RpcClient>> RpcClient::Create(RpcOptions options) {
  if (options.endpoints.empty()) return Status::InvalidArgument("no coordinator endpoint given");
  if (options.timeout.count() <= 0) return Status::InvalidArgument("the timeout must be positive");
  if (options.try_timeout && options.try_timeout->count() <= 0) {
    return Status::InvalidArgument("the per-endpoint timeout must be positive");
  }
  std::unique_ptr<Impl> impl;
  try {
    impl.reset(new Impl{std::move(options), zmq::context_t(1), std::nullopt, std::nullopt, 0, 0});
  } catch (const zmq::error_t& e) {
    return Status::Internal(std::string("cannot create a ZeroMQ context: ") + e.what());
  }
  return std::unique_ptr<RpcClient>(new RpcClient(std::move(impl), RandomRequestId()));
}

RpcClient::RpcClient(std::unique_ptr<Impl> impl, uint64_t first_request_id)
    : impl_(std::move(impl)), next_request_id_(first_request_id) {}

RpcClient::~RpcClient() = default;

const std::string& RpcClient::current_endpoint() const {
  return impl_->options.endpoints[impl_->current];
}

Result<protocol::Envelope> RpcClient::Exchange(uint64_t id, const std::string& frame) {
  const RpcOptions& options = impl_->options;
  const size_t n = options.endpoints.size();
  const auto deadline = Clock::now() + options.timeout;
  const milliseconds slice = TryTimeout(options);
  milliseconds pause = kFirstPause;
  std::optional<std::string> last_refusal;  // "from endpoint: message"
  int sends = 0;
  for (size_t in_round = 0;; ++in_round) {
    auto left = std::chrono::duration_cast<milliseconds>(deadline - Clock::now());
    if (in_round == n) {
      // A whole round without an answer: an election, most likely.
      std::this_thread::sleep_for(std::min(pause, left));
      pause = std::min(pause + kPauseStep, kMaxPause);
      in_round = 0;
      left = std::chrono::duration_cast<milliseconds>(deadline - Clock::now());
    }
    if (left.count() <= 0) break;
    ++sends;
    Result<protocol::Envelope> env = impl_->Try(id, frame, std::min(slice, left));
    if (env.ok() && env->type != protocol::MessageType::kErrorReply) return env;
    if (env.ok()) {
      Status refused = ErrorReplyStatus(*env);
      if (refused.code() == StatusCode::kConflict && sends > 1) {
        return Status(refused.code(), refused.message() +
                                          " (the request was sent more than once during a failover; "
                                          "an earlier attempt may have done this)");
      }
      if (refused.code() != StatusCode::kUnavailable) return refused;
      last_refusal = "from " + current_endpoint() + ": " + refused.message();
    } else if (env.status().code() != StatusCode::kUnavailable) {
      return env.status();
    }
    // Move on; closing the socket drops the abandoned request.
    impl_->Disconnect();
    impl_->current = (impl_->current + 1) % n;
  }
  const std::string within = FormatTimeout(options.timeout);
  if (last_refusal) {
    return Status::Unavailable("no leader answered within " + within + " at " +
                               JoinEndpoints(options.endpoints) + "; last answer, " + *last_refusal);
  }
  return Status::Unavailable("cannot reach the coordinator at " + JoinEndpoints(options.endpoints) +
                             " (no reply within " + within + (n > 1 ? " from any)" : ")"));
}

}  // namespace gantry::client
