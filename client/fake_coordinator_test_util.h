// Test only: a coordinator stand-in on 127.0.0.1 with an ephemeral port. A
// ROUTER socket answers in its own thread with whatever the handler returns;
// the handler sees each request's envelope and may return no reply (a hung
// coordinator) or several frames (e.g. a stale reply before the real one).
#pragma once

#include <atomic>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>
#include <zmq.hpp>
#include <zmq_addon.hpp>

#include "protocol/messages.h"

namespace gantry::client {

class FakeCoordinator {
 public:
  // Returns the frames to send back, in order (each one reply message).
  using Handler = std::function<std::vector<std::string>(const protocol::Envelope&)>;

  explicit FakeCoordinator(Handler handler)
      : handler_(std::move(handler)),
        router_(context_, zmq::socket_type::router),
        stop_rx_(context_, zmq::socket_type::pair),
        stop_tx_(context_, zmq::socket_type::pair) {
    router_.set(zmq::sockopt::linger, 0);
    stop_rx_.set(zmq::sockopt::linger, 0);
    stop_tx_.set(zmq::sockopt::linger, 0);
    router_.bind("tcp://127.0.0.1:*");
    endpoint_ = router_.get(zmq::sockopt::last_endpoint);
    std::string stop = "inproc://stop-" + std::to_string(reinterpret_cast<uintptr_t>(this));
    stop_rx_.bind(stop);
    stop_tx_.connect(stop);
    thread_ = std::thread([this] { Serve(); });
  }

  ~FakeCoordinator() {
    stop_tx_.send(zmq::str_buffer("stop"), zmq::send_flags::none);
    thread_.join();
  }

  const std::string& endpoint() const { return endpoint_; }
  int requests() const { return requests_.load(); }
  // Request ids in arrival order.
  std::vector<uint64_t> request_ids() const {
    std::lock_guard<std::mutex> lock(mu_);
    return ids_;
  }

  // An ErrorReply frame.
  static std::string Error(uint64_t id, StatusCode code, std::string message) {
    protocol::ErrorReply e;
    e.code = static_cast<uint8_t>(code);
    e.message = std::move(message);
    return protocol::EncodeMessage(id, e);
  }

 private:
  void Serve() {
    zmq::pollitem_t items[] = {{static_cast<void*>(router_), 0, ZMQ_POLLIN, 0},
                               {static_cast<void*>(stop_rx_), 0, ZMQ_POLLIN, 0}};
    while (true) {
      zmq::poll(items, 2, std::chrono::milliseconds(-1));
      if (items[1].revents & ZMQ_POLLIN) return;
      if (!(items[0].revents & ZMQ_POLLIN)) continue;
      std::vector<zmq::message_t> frames;
      if (!zmq::recv_multipart(router_, std::back_inserter(frames))) continue;
      auto env = protocol::DecodeEnvelope(frames.back().to_string_view());
      if (!env.ok()) continue;
      {
        std::lock_guard<std::mutex> lock(mu_);
        ids_.push_back(env->requestId);
      }
      ++requests_;
      for (const std::string& reply : handler_(*env)) {
        router_.send(zmq::buffer(frames.front().to_string_view()), zmq::send_flags::sndmore);
        router_.send(zmq::buffer(reply), zmq::send_flags::none);
      }
    }
  }

  Handler handler_;
  zmq::context_t context_;
  zmq::socket_t router_;
  zmq::socket_t stop_rx_;
  zmq::socket_t stop_tx_;
  std::string endpoint_;
  std::thread thread_;
  std::atomic<int> requests_{0};
  mutable std::mutex mu_;
  std::vector<uint64_t> ids_;
};

// A reply of type Rep to the request in `env`.
template <class Rep>
std::vector<std::string> Reply(const protocol::Envelope& env, const Rep& rep) {
  return {protocol::EncodeMessage(env.requestId, rep)};
}

}  // namespace gantry::client
