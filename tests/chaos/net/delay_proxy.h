// DelayProxy: a userspace TCP proxy that holds bytes back for a set time in
// each direction. This kernel has no netem, so the chaos suite's "delay"
// fault puts one of these between two peers (etcd's approach): the peer
// connects to the proxy, the proxy connects on to the real target.
//
//   client --> [listen_host:port]  DelayProxy  --> target_host:target_port
//              bytes read at t are written at t + delay(direction)
//
// Byte order is kept within each direction, also across delay changes (a
// chunk never overtakes an earlier one, so shortening the delay lets the
// queue drain at the old pace first). A half-close is forwarded after the
// delayed bytes. Delay 0 = plain pass-through. Plain threads + poll: one
// accept thread and one thread per connection, which is plenty for a test
// cluster's few long-lived connections.
//
// With `netns` set, every socket of the proxy lives in that namespace, so a
// proxy can sit "inside" a member: e.g. in a1 on 127.0.0.1:p, forwarding to
// the coordinator's 10.77.k.1 (needs root). Stop every proxy in a namespace
// before Topology::Destroy: an open socket keeps a deleted namespace alive.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "gantry/status.h"

namespace gantry::chaos::net {

struct DelayProxyOptions {
  std::string listen_host = "127.0.0.1";  // IPv4 literal
  uint16_t listen_port = 0;               // 0: an ephemeral port, see port()
  std::string target_host = "127.0.0.1";  // IPv4 literal
  uint16_t target_port = 0;
  std::string netns;  // a name under /run/netns, or empty for our own
  std::chrono::milliseconds to_target{0};  // initial delays
  std::chrono::milliseconds to_client{0};
};

class DelayProxy {
 public:
  // Listens before returning. kInvalidArgument for a bad address;
  // kUnavailable if the port cannot be bound; kInternal if the namespace
  // cannot be entered or a thread cannot start.
  static Result<std::unique_ptr<DelayProxy>> Start(const DelayProxyOptions& options);

  // Stop().
  ~DelayProxy();
  DelayProxy(const DelayProxy&) = delete;
  DelayProxy& operator=(const DelayProxy&) = delete;

  // The port it listens on.
  uint16_t port() const { return port_; }

  // Applies to bytes read from now on. Negative values count as 0.
  // Thread-safe.
  void SetDelay(std::chrono::milliseconds to_target, std::chrono::milliseconds to_client);

  // Closes the listener and every connection (queued bytes are dropped)
  // and joins the threads. Idempotent. Not to be called from two threads.
  void Stop();

  // Connections accepted so far. Thread-safe.
  int accepted() const;

  struct Impl;  // defined in delay_proxy.cc

 private:
  explicit DelayProxy(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
  uint16_t port_ = 0;
};

}  // namespace gantry::chaos::net
