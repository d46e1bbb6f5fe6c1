#include "tests/chaos/net/delay_proxy.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sched.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <deque>
#include <future>
#include <memory>
#include <system_error>
#include <thread>
#include <vector>

namespace gantry::chaos::net {
namespace {

using Clock = std::chrono::steady_clock;
constexpr size_t kMaxQueued = 4 << 20;  // per direction; stop reading beyond

std::string Errno(const std::string& what) { return what + ": " + std::strerror(errno); }

Result<sockaddr_in> Addr(const std::string& host, uint16_t port) {
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  if (::inet_pton(AF_INET, host.c_str(), &a.sin_addr) != 1) {
    return Status::InvalidArgument("not an IPv4 address: \"" + host + "\"");
  }
  return a;
}

struct Chunk {
  Clock::time_point due;
  std::string data;
  size_t sent = 0;
};

// One direction of a connection: bytes read from `src` wait in `queue`
// until due, then go to `dst`.
struct Flow {
  int src = -1, dst = -1;
  std::atomic<int64_t>* delay_ms = nullptr;
  std::deque<Chunk> queue;
  size_t queued = 0;
  bool src_eof = false;  // read returned 0
  bool done = false;     // eof forwarded (shutdown sent)

  bool HeadDue(Clock::time_point now) const { return !queue.empty() && queue.front().due <= now; }
};

// Reads what is there; false if the connection broke.
bool ReadInto(Flow& f) {
  char buf[65536];
  ssize_t n = ::recv(f.src, buf, sizeof buf, 0);
  if (n > 0) {
    f.queue.push_back(Chunk{Clock::now() + std::chrono::milliseconds(f.delay_ms->load()),
                            std::string(buf, static_cast<size_t>(n))});
    f.queued += static_cast<size_t>(n);
    return true;
  }
  if (n == 0) {
    f.src_eof = true;
    return true;
  }
  return errno == EAGAIN || errno == EINTR;
}

// Writes due chunks until one is not due or the socket is full; false if
// the connection broke.
bool WriteDue(Flow& f) {
  while (f.HeadDue(Clock::now())) {
    Chunk& c = f.queue.front();
    ssize_t n = ::send(f.dst, c.data.data() + c.sent, c.data.size() - c.sent, MSG_NOSIGNAL);
    if (n < 0) return errno == EAGAIN || errno == EINTR;
    c.sent += static_cast<size_t>(n);
    if (c.sent < c.data.size()) return true;
    f.queued -= c.data.size();
    f.queue.pop_front();
  }
  if (f.src_eof && f.queue.empty() && !f.done) {
    ::shutdown(f.dst, SHUT_WR);
    f.done = true;
  }
  return true;
}

}  // namespace

struct DelayProxy::Impl {
  DelayProxyOptions options;
  int listen_fd = -1;
  int wake[2] = {-1, -1};  // readable once stopping: every poll watches it
  std::atomic<int64_t> to_target_ms{0}, to_client_ms{0};
  std::atomic<int> accepted{0};
  std::thread acceptor;
  struct Connection {
    std::thread thread;
    std::shared_ptr<std::atomic<bool>> done;
  };
  std::vector<Connection> connections;  // only the acceptor thread touches it

  void Accept(std::promise<Status> ready);
  void Relay(int client);
};

void DelayProxy::Impl::Accept(std::promise<Status> ready) {
  // Sockets belong to the namespace of the thread creating them, and
  // threads started from here inherit it, so only this thread switches.
  if (!options.netns.empty()) {
    std::string path = "/run/netns/" + options.netns;
    int ns = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (ns < 0 || ::setns(ns, CLONE_NEWNET) != 0) {
      Status s = Status::Internal(Errno("enter network namespace " + path));
      if (ns >= 0) ::close(ns);
      ready.set_value(s);
      return;
    }
    ::close(ns);
  }
  auto addr = Addr(options.listen_host, options.listen_port);
  if (!addr.ok()) return ready.set_value(addr.status());
  listen_fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  int one = 1;
  ::setsockopt(listen_fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  if (::bind(listen_fd, reinterpret_cast<const sockaddr*>(&*addr), sizeof *addr) != 0 ||
      ::listen(listen_fd, 64) != 0) {
    return ready.set_value(Status::Unavailable(Errno("listen on " + options.listen_host + ":" +
                                                     std::to_string(options.listen_port))));
  }
  ready.set_value(Status::Ok());

  for (;;) {
    pollfd fds[2] = {{listen_fd, POLLIN, 0}, {wake[0], POLLIN, 0}};
    if (::poll(fds, 2, -1) < 0 && errno != EINTR) break;
    if (fds[1].revents) break;
    if (!fds[0].revents) continue;
    int client = ::accept4(listen_fd, nullptr, nullptr, SOCK_CLOEXEC | SOCK_NONBLOCK);
    if (client < 0) continue;
    accepted.fetch_add(1);
    // Peers reconnect after every fault; join finished relays as we go so
    // a long run does not pile up exited threads.
    std::erase_if(connections, [](Connection& c) {
      if (!c.done->load()) return false;
      c.thread.join();
      return true;
    });
    auto done = std::make_shared<std::atomic<bool>>(false);
    connections.push_back({std::thread([this, client, done] {
                             Relay(client);
                             done->store(true);
                           }),
                           done});
  }
  for (auto& c : connections) c.thread.join();
  connections.clear();
}

void DelayProxy::Impl::Relay(int client) {
  int upstream = -1;
  auto target = Addr(options.target_host, options.target_port);
  if (target.ok()) {
    upstream = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    int rc = ::connect(upstream, reinterpret_cast<const sockaddr*>(&*target), sizeof *target);
    if (rc != 0 && errno == EINPROGRESS) {
      pollfd fds[2] = {{upstream, POLLOUT, 0}, {wake[0], POLLIN, 0}};
      int err = ETIMEDOUT;
      socklen_t len = sizeof err;
      if (::poll(fds, 2, 10000) > 0 && fds[0].revents) ::getsockopt(upstream, SOL_SOCKET, SO_ERROR, &err, &len);
      rc = err == 0 ? 0 : -1;
    }
    if (rc != 0) {
      ::close(upstream);
      upstream = -1;
    }
  }
  if (upstream < 0) {  // the client sees the connection close at once
    ::close(client);
    return;
  }
  int one = 1;
  ::setsockopt(client, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  ::setsockopt(upstream, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);

  Flow up{client, upstream, &to_target_ms};
  Flow down{upstream, client, &to_client_ms};
  bool broken = false;
  while (!broken && !(up.done && down.done)) {
    broken = !WriteDue(up) || !WriteDue(down);
    if (broken || (up.done && down.done)) break;
    // Wait for input, for room to write a due chunk, for the next chunk to
    // fall due, or for Stop.
    auto now = Clock::now();
    int timeout = -1;
    pollfd fds[3] = {{client, 0, 0}, {upstream, 0, 0}, {wake[0], POLLIN, 0}};
    for (Flow* f : {&up, &down}) {
      short& src_events = f->src == client ? fds[0].events : fds[1].events;
      short& dst_events = f->dst == client ? fds[0].events : fds[1].events;
      if (!f->src_eof && f->queued < kMaxQueued) src_events |= POLLIN;
      if (f->HeadDue(now)) {
        dst_events |= POLLOUT;
      } else if (!f->queue.empty()) {
        auto ms = std::chrono::ceil<std::chrono::milliseconds>(f->queue.front().due - now).count();
        if (timeout < 0 || ms < timeout) timeout = static_cast<int>(ms);
      }
    }
    // A socket we want nothing from is left out: poll would otherwise
    // report POLLHUP for a half-closed pair at once, over and over.
    const bool read_client = fds[0].events & POLLIN, read_upstream = fds[1].events & POLLIN;
    for (int i = 0; i < 2; ++i) {
      if (fds[i].events == 0) fds[i].fd = -1;
    }
    if (::poll(fds, 3, timeout) < 0 && errno != EINTR) break;
    if (fds[2].revents) break;
    // Errors surface through recv/send in ReadInto/WriteDue.
    if (read_client && fds[0].revents) broken = !ReadInto(up);
    if (read_upstream && fds[1].revents) broken = broken || !ReadInto(down);
  }
  ::close(client);
  ::close(upstream);
}

Result<std::unique_ptr<DelayProxy>> DelayProxy::Start(const DelayProxyOptions& options) {
  auto impl = std::make_unique<Impl>();
  impl->options = options;
  GANTRY_RETURN_IF_ERROR(Addr(options.target_host, options.target_port).status());
  if (::pipe2(impl->wake, O_CLOEXEC) != 0) return Status::Internal(Errno("pipe"));
  std::promise<Status> ready;
  auto started = ready.get_future();
  Impl* raw = impl.get();
  try {
    impl->acceptor = std::thread([raw, p = std::move(ready)]() mutable { raw->Accept(std::move(p)); });
  } catch (const std::system_error& e) {
    return Status::Internal(std::string("start proxy thread: ") + e.what());
  }
  std::unique_ptr<DelayProxy> proxy(new DelayProxy(std::move(impl)));
  Status s = started.get();
  if (!s.ok()) return s;  // ~DelayProxy joins the acceptor, which has returned
  sockaddr_in bound{};
  socklen_t len = sizeof bound;
  ::getsockname(proxy->impl_->listen_fd, reinterpret_cast<sockaddr*>(&bound), &len);
  proxy->port_ = ntohs(bound.sin_port);
  proxy->SetDelay(options.to_target, options.to_client);
  return proxy;
}

DelayProxy::DelayProxy(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

DelayProxy::~DelayProxy() { Stop(); }

void DelayProxy::SetDelay(std::chrono::milliseconds to_target, std::chrono::milliseconds to_client) {
  impl_->to_target_ms.store(std::max<int64_t>(0, to_target.count()));
  impl_->to_client_ms.store(std::max<int64_t>(0, to_client.count()));
}

int DelayProxy::accepted() const { return impl_->accepted.load(); }

void DelayProxy::Stop() {
  if (impl_->wake[1] < 0) return;
  char c = 1;
  (void)!::write(impl_->wake[1], &c, 1);
  if (impl_->acceptor.joinable()) impl_->acceptor.join();
  if (impl_->listen_fd >= 0) ::close(impl_->listen_fd);
  ::close(impl_->wake[0]);
  ::close(impl_->wake[1]);
  impl_->listen_fd = impl_->wake[0] = impl_->wake[1] = -1;
}

}  // namespace gantry::chaos::net
