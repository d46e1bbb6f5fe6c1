#include "node/coordinator_connections.h"

#include <zmq.h>

#include <cstring>

#include "gantry/check.h"

namespace gantry::node {

CoordinatorConnections::CoordinatorConnections(Logger log, Handlers handlers)
    : log_(std::move(log)), handlers_(std::move(handlers)) {}

CoordinatorConnections::~CoordinatorConnections() { CloseAll(); }

Status CoordinatorConnections::Connect(uv_loop_t* loop, zmq::context_t& context,
                                       const std::vector<std::string>& endpoints,
                                       const std::string& node_id,
                                       const std::string& monitor_prefix) {
  // Indices are captured by the sockets' handlers; no reallocation may move
  // a Connection once its sockets watch the loop.
  connections_.reserve(endpoints.size());
  for (size_t i = 0; i < endpoints.size(); ++i) {
    GANTRY_RETURN_IF_ERROR(
        Add(loop, context, endpoints[i], node_id, monitor_prefix + "-" + std::to_string(i)));
  }
  // Sized only now: no socket event is handled before Connect succeeds (the
  // loop has not run yet, and a failed Connect is followed by CloseAll).
  tracker_ = LeaderTracker(connections_.size());
  return Status::Ok();
}

Status CoordinatorConnections::Add(uv_loop_t* loop, zmq::context_t& context,
                                   const std::string& endpoint, const std::string& node_id,
                                   const std::string& monitor_addr) {
  const size_t index = connections_.size();
  try {
    zmq::socket_t dealer(context, zmq::socket_type::dealer);
    ApplyAgentDealerOptions(dealer, node_id);
    // A full report goes out on every completed handshake (reconnects too),
    // not only on the next heartbeat; a drop of the leader must be noticed.
    if (zmq_socket_monitor(dealer.handle(), monitor_addr.c_str(),
                           ZMQ_EVENT_HANDSHAKE_SUCCEEDED | ZMQ_EVENT_DISCONNECTED) != 0) {
      return Status::Internal(std::string("zmq_socket_monitor: ") + zmq_strerror(zmq_errno()));
    }
    zmq::socket_t monitor(context, zmq::socket_type::pair);
    monitor.set(zmq::sockopt::linger, 0);
    monitor.connect(monitor_addr);
    try {
      dealer.connect(endpoint);
    } catch (const zmq::error_t& e) {
      return Status::InvalidArgument("--coordinator " + endpoint + ": " + e.what());
    }
    Connection c{endpoint, nullptr, nullptr};
    GANTRY_ASSIGN_OR_RETURN(c.monitor, LoopSocket::Create(loop, std::move(monitor),
                                                          [this, index](LoopSocket::Frames& f) {
                                                            OnMonitorEvent(index, f);
                                                          }));
    GANTRY_ASSIGN_OR_RETURN(
        c.dealer, LoopSocket::Create(loop, std::move(dealer), [this, index](LoopSocket::Frames& f) {
          handlers_.on_message(index, f);
        }));
    connections_.push_back(std::move(c));
  } catch (const zmq::error_t& e) {
    return Status::Internal(std::string("zmq setup: ") + e.what());
  }
  return Status::Ok();
}

void CoordinatorConnections::CloseAll() {
  if (closed_) return;
  closed_ = true;
  for (Connection& c : connections_) {
    if (c.dealer && c.monitor) {
      zmq_socket_monitor(c.dealer->socket().handle(), nullptr, 0);  // stops the monitor
    }
    if (c.monitor) c.monitor->Close();
    if (c.dealer) c.dealer->Close();
  }
}

std::vector<size_t> CoordinatorConnections::All() const {
  std::vector<size_t> all(connections_.size());
  for (size_t i = 0; i < all.size(); ++i) all[i] = i;
  return all;
}

const std::string& CoordinatorConnections::endpoint(size_t index) const {
  GANTRY_CHECK(index < connections_.size());
  return connections_[index].endpoint;
}

Status CoordinatorConnections::Send(size_t index, std::string_view frame) {
  GANTRY_CHECK(index < connections_.size());
  return connections_[index].dealer->Send(frame);
}

void CoordinatorConnections::OnStatusAck(size_t index) {
  if (tracker_.OnStatusAck(index)) {
    log_->info("coordinator leader endpoint={}", connections_[index].endpoint);
  }
}

void CoordinatorConnections::OnUnavailable(size_t index, const std::string& message) {
  if (tracker_.OnUnavailable(index)) LogLeaderLost(index, message);
}

void CoordinatorConnections::LogLeaderLost(size_t index, std::string_view reason) {
  log_->info("coordinator leader unknown former_endpoint={} reason={}",
             connections_[index].endpoint, reason);
}

void CoordinatorConnections::OnMonitorEvent(size_t index, LoopSocket::Frames& frames) {
  if (frames.size() < 2 || frames[0].size() < sizeof(uint16_t)) return;
  uint16_t event = 0;
  std::memcpy(&event, frames[0].data(), sizeof(event));
  std::string endpoint(static_cast<const char*>(frames[1].data()), frames[1].size());
  if (event == ZMQ_EVENT_HANDSHAKE_SUCCEEDED) {
    log_->info("coordinator connected endpoint={}", endpoint);
    handlers_.on_connected(index);
  } else if (event == ZMQ_EVENT_DISCONNECTED) {
    log_->warn("coordinator disconnected endpoint={}", endpoint);
    if (tracker_.OnDisconnected(index)) LogLeaderLost(index, "disconnected");
  }
}

}  // namespace gantry::node
