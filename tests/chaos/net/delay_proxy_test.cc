// DelayProxy on 127.0.0.1 with ephemeral ports; no root needed. Delays are
// asserted as lower bounds only (a loaded CI machine may add more).
#include "tests/chaos/net/delay_proxy.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <thread>

namespace gantry::chaos::net {
namespace {

using SteadyClock = std::chrono::steady_clock;
using std::chrono::milliseconds;

sockaddr_in Loopback(uint16_t port) {
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  return a;
}

// Echoes every byte back at once; remembers when the last chunk arrived.
class EchoServer {
 public:
  EchoServer() {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a = Loopback(0);
    EXPECT_EQ(::bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
    EXPECT_EQ(::listen(fd_, 8), 0);
    socklen_t len = sizeof a;
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len);
    port_ = ntohs(a.sin_port);
    thread_ = std::thread([this] { Serve(); });
  }
  ~EchoServer() {
    ::shutdown(fd_, SHUT_RDWR);  // wakes accept()
    thread_.join();
    ::close(fd_);
  }
  uint16_t port() const { return port_; }
  SteadyClock::time_point last_arrival() const { return SteadyClock::time_point(SteadyClock::duration(last_.load())); }

 private:
  void Serve() {
    for (;;) {
      int c = ::accept(fd_, nullptr, nullptr);
      if (c < 0) return;
      char buf[4096];
      ssize_t n;
      while ((n = ::recv(c, buf, sizeof buf, 0)) > 0) {
        last_.store(SteadyClock::now().time_since_epoch().count());
        (void)!::send(c, buf, static_cast<size_t>(n), MSG_NOSIGNAL);
      }
      ::close(c);  // after the client's half-close: EOF travels back
    }
  }
  int fd_ = -1;
  uint16_t port_ = 0;
  std::atomic<SteadyClock::rep> last_{0};
  std::thread thread_;
};

int ConnectTo(uint16_t port) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a = Loopback(port);
  EXPECT_EQ(::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
  return fd;
}

// Reads until `want` bytes or EOF, or 5 s pass.
std::string ReadN(int fd, size_t want) {
  std::string got;
  auto deadline = SteadyClock::now() + std::chrono::seconds(5);
  while (got.size() < want) {
    auto left = std::chrono::duration_cast<milliseconds>(deadline - SteadyClock::now()).count();
    pollfd p{fd, POLLIN, 0};
    if (left <= 0 || ::poll(&p, 1, static_cast<int>(left)) <= 0) break;
    char buf[4096];
    ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n <= 0) break;
    got.append(buf, static_cast<size_t>(n));
  }
  return got;
}

std::unique_ptr<DelayProxy> StartProxy(uint16_t target, milliseconds up, milliseconds down) {
  auto p = DelayProxy::Start({.target_port = target, .to_target = up, .to_client = down});
  EXPECT_TRUE(p.ok()) << p.status().ToString();
  return p.ok() ? std::move(p).value() : nullptr;
}

TEST(DelayProxy, PassesBytesThroughWithZeroDelay) {
  EchoServer echo;
  auto proxy = StartProxy(echo.port(), milliseconds(0), milliseconds(0));
  ASSERT_NE(proxy, nullptr);
  EXPECT_NE(proxy->port(), echo.port());
  int fd = ConnectTo(proxy->port());
  std::string big(200000, 'x');  // more than one socket buffer's worth
  for (size_t i = 0; i < big.size(); ++i) big[i] = static_cast<char>('a' + i % 26);
  ASSERT_EQ(::send(fd, big.data(), big.size(), 0), static_cast<ssize_t>(big.size()));
  EXPECT_EQ(ReadN(fd, big.size()), big);
  EXPECT_EQ(proxy->accepted(), 1);
  ::close(fd);
}

TEST(DelayProxy, ServesManyConnectionsOneAfterAnother) {
  EchoServer echo;
  auto proxy = StartProxy(echo.port(), milliseconds(0), milliseconds(0));
  ASSERT_NE(proxy, nullptr);
  for (int i = 0; i < 50; ++i) {  // as a peer reconnecting after each fault
    int fd = ConnectTo(proxy->port());
    std::string msg = "hello " + std::to_string(i);
    ASSERT_EQ(::send(fd, msg.data(), msg.size(), 0), static_cast<ssize_t>(msg.size()));
    ASSERT_EQ(ReadN(fd, msg.size()), msg);
    ::close(fd);
  }
  EXPECT_EQ(proxy->accepted(), 50);
}

TEST(DelayProxy, AddsAtLeastTheSetDelayInEachDirection) {
  EchoServer echo;
  auto proxy = StartProxy(echo.port(), milliseconds(60), milliseconds(40));
  ASSERT_NE(proxy, nullptr);
  int fd = ConnectTo(proxy->port());
  auto sent = SteadyClock::now();
  ASSERT_EQ(::send(fd, "ping", 4, 0), 4);
  ASSERT_EQ(ReadN(fd, 4), "ping");
  auto back = SteadyClock::now();
  EXPECT_GE(echo.last_arrival() - sent, milliseconds(60));
  EXPECT_GE(back - echo.last_arrival(), milliseconds(40));
  EXPECT_GE(back - sent, milliseconds(100));
  ::close(fd);
}

TEST(DelayProxy, DelayChangesWhileConnected) {
  EchoServer echo;
  auto proxy = StartProxy(echo.port(), milliseconds(0), milliseconds(0));
  ASSERT_NE(proxy, nullptr);
  int fd = ConnectTo(proxy->port());
  auto round_trip = [&](const std::string& msg) {
    auto t0 = SteadyClock::now();
    EXPECT_EQ(::send(fd, msg.data(), msg.size(), 0), static_cast<ssize_t>(msg.size()));
    EXPECT_EQ(ReadN(fd, msg.size()), msg);
    return SteadyClock::now() - t0;
  };
  round_trip("one");
  proxy->SetDelay(milliseconds(80), milliseconds(50));
  EXPECT_GE(round_trip("two"), milliseconds(130));
  proxy->SetDelay(milliseconds(0), milliseconds(0));
  round_trip("three");  // same connection still carries data in order
  ::close(fd);
}

TEST(DelayProxy, ForwardsHalfCloseAfterTheDelayedBytes) {
  EchoServer echo;
  auto proxy = StartProxy(echo.port(), milliseconds(30), milliseconds(30));
  ASSERT_NE(proxy, nullptr);
  int fd = ConnectTo(proxy->port());
  ASSERT_EQ(::send(fd, "last words", 10, 0), 10);
  ::shutdown(fd, SHUT_WR);
  // The echo server closes only after our EOF reached it, behind the bytes.
  EXPECT_EQ(ReadN(fd, 100), "last words");
  ::close(fd);
}

TEST(DelayProxy, ClosesTheClientWhenTheTargetRefuses) {
  int probe = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a = Loopback(0);
  ASSERT_EQ(::bind(probe, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
  socklen_t len = sizeof a;
  ::getsockname(probe, reinterpret_cast<sockaddr*>(&a), &len);
  uint16_t dead_port = ntohs(a.sin_port);
  ::close(probe);  // nothing listens there now
  auto proxy = StartProxy(dead_port, milliseconds(0), milliseconds(0));
  ASSERT_NE(proxy, nullptr);
  int fd = ConnectTo(proxy->port());
  pollfd p{fd, POLLIN, 0};
  ASSERT_EQ(::poll(&p, 1, 5000), 1);
  char c;
  EXPECT_LE(::recv(fd, &c, 1, 0), 0);
  ::close(fd);
}

TEST(DelayProxy, RejectsBadAddressesAndBusyPorts) {
  EXPECT_EQ(DelayProxy::Start({.target_host = "10.77.x", .target_port = 1}).status().code(),
            StatusCode::kInvalidArgument);
  auto first = DelayProxy::Start({.target_port = 1});
  ASSERT_TRUE(first.ok());
  auto second = DelayProxy::Start({.listen_port = (*first)->port(), .target_port = 1});
  EXPECT_EQ(second.status().code(), StatusCode::kUnavailable);
}

}  // namespace
}  // namespace gantry::chaos::net
