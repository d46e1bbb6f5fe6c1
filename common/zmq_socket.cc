#include "common/zmq_socket.h"

#include "protocol/messages.h"

namespace gantry {

void ApplyCommonOptions(zmq::socket_t& s, int heartbeat_ivl_ms, int heartbeat_timeout_ms) {
  s.set(zmq::sockopt::linger, 0);
  s.set(zmq::sockopt::maxmsgsize, protocol::kMaxFrameBytes);
  if (heartbeat_ivl_ms > 0) {
    s.set(zmq::sockopt::heartbeat_ivl, heartbeat_ivl_ms);
    s.set(zmq::sockopt::heartbeat_timeout, heartbeat_timeout_ms);
    s.set(zmq::sockopt::heartbeat_ttl, heartbeat_timeout_ms);
  }
  s.set(zmq::sockopt::reconnect_ivl, 100);
  s.set(zmq::sockopt::reconnect_ivl_max, 2000);
  s.set(zmq::sockopt::sndhwm, 100000);
  s.set(zmq::sockopt::rcvhwm, 100000);
}

void ApplyRouterOptions(zmq::socket_t& s) {
  // No ZMTP heartbeats on the serving side: libzmq 4.3.4 (Debian 12's)
  // aborts the whole process with "Assertion failed: !_io_error
  // (stream_engine_base.cpp:331)" when a heartbeat timeout hits a
  // connection in a certain state (libzmq issue 4364); the chaos suite hit
  // it with 30% packet loss on one agent's link. Servers need no dead-peer
  // detection of their own: peers reconnect (router_handover), liveness is
  // the application's (node TTLs), and peers' pings are still answered.
  ApplyCommonOptions(s, /*heartbeat_ivl_ms=*/0, /*heartbeat_timeout_ms=*/0);
  s.set(zmq::sockopt::router_handover, 1);
  // Replies to a peer that vanished are dropped instead of blocking.
  s.set(zmq::sockopt::router_mandatory, 0);
}

void ApplyAgentDealerOptions(zmq::socket_t& s, const std::string& routing_id) {
  ApplyCommonOptions(s);
  s.set(zmq::sockopt::immediate, 1);
  s.set(zmq::sockopt::routing_id, routing_id);
}

LoopSocket::LoopSocket(uv_loop_t* loop, zmq::socket_t socket, Handler on_message)
    : loop_(loop), socket_(std::move(socket)), on_message_(std::move(on_message)) {}

Result<std::unique_ptr<LoopSocket>> LoopSocket::Create(uv_loop_t* loop, zmq::socket_t socket,
                                                       Handler on_message) {
  std::unique_ptr<LoopSocket> s(new LoopSocket(loop, std::move(socket), std::move(on_message)));
  int fd = -1;
  try {
    fd = s->socket_.get(zmq::sockopt::fd);
  } catch (const zmq::error_t& e) {
    return Status::Internal(std::string("zmq fd: ") + e.what());
  }
  s->poll_ = new uv_poll_t;
  s->poll_->data = s.get();
  if (int rc = uv_poll_init_socket(loop, s->poll_, fd); rc != 0) {
    delete s->poll_;
    s->poll_ = nullptr;
    return Status::Internal(std::string("uv_poll_init: ") + uv_strerror(rc));
  }
  s->idle_ = new uv_idle_t;
  uv_idle_init(loop, s->idle_);
  s->idle_->data = s.get();
  uv_poll_start(s->poll_, UV_READABLE, [](uv_poll_t* h, int, int) {
    static_cast<LoopSocket*>(h->data)->Drain();
  });
  // Messages may already be waiting (the edge fired before we watched).
  s->ScheduleDrain();
  return s;
}

LoopSocket::~LoopSocket() { Close(); }

void LoopSocket::Close() {
  if (closed_) return;
  closed_ = true;
  auto free_handle = [](uv_handle_t* h) {
    if (h->type == UV_POLL) delete reinterpret_cast<uv_poll_t*>(h);
    else delete reinterpret_cast<uv_idle_t*>(h);
  };
  if (poll_) {
    poll_->data = nullptr;
    uv_poll_stop(poll_);
    uv_close(reinterpret_cast<uv_handle_t*>(poll_), free_handle);
    poll_ = nullptr;
  }
  if (idle_) {
    idle_->data = nullptr;
    uv_idle_stop(idle_);
    uv_close(reinterpret_cast<uv_handle_t*>(idle_), free_handle);
    idle_ = nullptr;
  }
  socket_.close();
}

void LoopSocket::ScheduleDrain() {
  if (closed_ || idle_ == nullptr || uv_is_active(reinterpret_cast<uv_handle_t*>(idle_))) return;
  uv_idle_start(idle_, [](uv_idle_t* h) {
    uv_idle_stop(h);
    if (h->data) static_cast<LoopSocket*>(h->data)->Drain();
  });
}

void LoopSocket::Drain() {
  // Bounded per wakeup, so one busy socket cannot starve the loop's timers.
  constexpr int kMaxPerWakeup = 512;
  for (int i = 0; i < kMaxPerWakeup && !closed_; ++i) {
    int events = 0;
    try {
      events = socket_.get(zmq::sockopt::events);
    } catch (const zmq::error_t&) {
      return;
    }
    if ((events & ZMQ_POLLIN) == 0) return;
    Frames frames;
    try {
      while (true) {
        zmq::message_t part;
        auto got = socket_.recv(part, zmq::recv_flags::dontwait);
        if (!got) break;
        bool more = part.more();
        frames.push_back(std::move(part));
        if (!more) break;
      }
    } catch (const zmq::error_t&) {
      return;
    }
    if (!frames.empty()) on_message_(frames);
  }
  if (!closed_) ScheduleDrain();
}

Status LoopSocket::Send(const std::vector<std::string_view>& frames) {
  if (closed_) return Status::Unavailable("socket closed");
  Status result;
  try {
    for (size_t i = 0; i < frames.size(); ++i) {
      auto flags = zmq::send_flags::dontwait;
      if (i + 1 < frames.size()) flags = flags | zmq::send_flags::sndmore;
      auto sent = socket_.send(zmq::buffer(frames[i].data(), frames[i].size()), flags);
      if (!sent) {
        result = Status::Unavailable("peer not ready");
        break;
      }
    }
  } catch (const zmq::error_t& e) {
    result = Status::Unavailable(std::string("send: ") + e.what());
  }
  // Reading ZMQ_EVENTS after a send re-arms the edge; input that arrived
  // meanwhile must be drained now or it would wait for the next wakeup.
  try {
    if (socket_.get(zmq::sockopt::events) & ZMQ_POLLIN) ScheduleDrain();
  } catch (const zmq::error_t&) {
  }
  return result;
}

}  // namespace gantry
