// A ZeroMQ socket driven by a libuv loop, and the socket options gantry's
// reliability rests on (research: reliability.md §4.2).
//
// ZeroMQ exposes a socket's readiness through ZMQ_FD, which is edge-triggered
// and is only re-armed when ZMQ_EVENTS is read. So the reader drains every
// ready message, and after each send it re-checks ZMQ_EVENTS and schedules
// another drain if input became ready meanwhile; otherwise that input would
// sit unseen until the next unrelated wakeup.
//
// Not thread-safe: use from the loop thread only.
#pragma once

#include <uv.h>

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>
#include <zmq.hpp>

#include "gantry/status.h"

namespace gantry {

// Options shared by every gantry socket: ZMTP heartbeats (a dead or
// black-holed peer is otherwise never noticed; heartbeat_ivl_ms 0: none), a
// frame size cap, no linger.
void ApplyCommonOptions(zmq::socket_t& s, int heartbeat_ivl_ms = 1000, int heartbeat_timeout_ms = 5000);
// The coordinator's ROUTER: a peer that reconnects with the same routing id
// takes over the old pipe instead of being ignored for the rest of the run.
// No heartbeats of its own (see zmq_socket.cc: a libzmq abort).
void ApplyRouterOptions(zmq::socket_t& s);
// An agent's DEALER: messages are not queued for a peer that is not
// connected, so nothing stale arrives after a reconnect.
void ApplyAgentDealerOptions(zmq::socket_t& s, const std::string& routing_id);

class LoopSocket {
 public:
  using Frames = std::vector<zmq::message_t>;
  using Handler = std::function<void(Frames&)>;

  // Takes ownership of `socket`. `on_message` runs on the loop thread for each
  // multipart message received.
  static Result<std::unique_ptr<LoopSocket>> Create(uv_loop_t* loop, zmq::socket_t socket,
                                                    Handler on_message);
  ~LoopSocket();
  LoopSocket(const LoopSocket&) = delete;
  LoopSocket& operator=(const LoopSocket&) = delete;

  // Sends one multipart message without blocking. kUnavailable when the
  // message cannot be queued now (no peer, high-water mark); the caller
  // decides whether that matters.
  Status Send(const std::vector<std::string_view>& frames);
  Status Send(std::string_view frame) { return Send(std::vector<std::string_view>{frame}); }

  zmq::socket_t& socket() { return socket_; }
  // Stops watching the socket and closes it; the loop can then end.
  void Close();

 private:
  LoopSocket(uv_loop_t* loop, zmq::socket_t socket, Handler on_message);
  void Drain();
  void ScheduleDrain();

  uv_loop_t* loop_;
  zmq::socket_t socket_;
  Handler on_message_;
  uv_poll_t* poll_ = nullptr;   // owned through uv_close
  uv_idle_t* idle_ = nullptr;   // owned through uv_close
  bool closed_ = false;
};

}  // namespace gantry
