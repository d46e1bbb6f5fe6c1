// chaos_net_helper: tiny network endpoints that net_test runs inside the
// topology's namespaces (through Topology::RunIn), plus a process that owns
// a topology, for the signal and sweep tests.
//
//   listen <ip> <port>            TCP: answer "ok\n" to each connection and
//                                 close; UDP on the same port: print
//                                 "udp <payload>" per datagram. Prints
//                                 "ready" once both are bound.
//   connect <ip> <port> <ms>      exit 0 if a TCP connection is made and
//                                 "ok" read within <ms>; 1 on timeout, 2 on
//                                 any other failure
//   udp-send <ip> <port> <n>      send n datagrams "0".."n-1", 1 ms apart
//   own-topology <members...>     SignalCleanup::Install, create a topology,
//                                 print its namespaces one per line, then
//                                 "ready", and wait for a signal
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include "tests/chaos/net/signal_cleanup.h"
#include "tests/chaos/net/topology.h"

namespace {

using gantry::chaos::net::SignalCleanup;
using gantry::chaos::net::Topology;

sockaddr_in Addr(const char* ip, const char* port) {
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(static_cast<uint16_t>(std::atoi(port)));
  if (::inet_pton(AF_INET, ip, &a.sin_addr) != 1) {
    std::fprintf(stderr, "bad address %s\n", ip);
    std::exit(2);
  }
  return a;
}

int Listen(const char* ip, const char* port) {
  sockaddr_in a = Addr(ip, port);
  int tcp = ::socket(AF_INET, SOCK_STREAM, 0);
  int udp = ::socket(AF_INET, SOCK_DGRAM, 0);
  int one = 1;
  ::setsockopt(tcp, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  if (::bind(tcp, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 || ::listen(tcp, 16) != 0 ||
      ::bind(udp, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
    std::perror("bind");
    return 2;
  }
  std::printf("ready\n");
  std::fflush(stdout);
  for (;;) {
    pollfd fds[2] = {{tcp, POLLIN, 0}, {udp, POLLIN, 0}};
    if (::poll(fds, 2, -1) < 0) continue;
    if (fds[0].revents) {
      int c = ::accept(tcp, nullptr, nullptr);
      if (c >= 0) {
        (void)!::write(c, "ok\n", 3);
        ::close(c);
      }
    }
    if (fds[1].revents) {
      char buf[256];
      ssize_t n = ::recv(udp, buf, sizeof buf - 1, 0);
      if (n > 0) {
        buf[n] = '\0';
        std::printf("udp %s\n", buf);
        std::fflush(stdout);
      }
    }
  }
}

int Connect(const char* ip, const char* port, const char* ms) {
  sockaddr_in a = Addr(ip, port);
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(std::atoi(ms));
  auto left = [&] {
    auto d = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    return static_cast<int>(std::max<int64_t>(0, d.count()));
  };
  if (::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 && errno != EINPROGRESS) return 2;
  pollfd p{fd, POLLOUT, 0};
  if (::poll(&p, 1, left()) == 0) return 1;
  int err = 0;
  socklen_t len = sizeof err;
  ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len);
  if (err != 0) {
    std::fprintf(stderr, "connect: %s\n", std::strerror(err));
    return 2;
  }
  std::string got;
  while (got.find('\n') == std::string::npos) {
    pollfd r{fd, POLLIN, 0};
    if (::poll(&r, 1, left()) == 0) return 1;
    char buf[16];
    ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n <= 0) return 2;
    got.append(buf, static_cast<size_t>(n));
  }
  return got == "ok\n" ? 0 : 2;
}

int UdpSend(const char* ip, const char* port, const char* count) {
  sockaddr_in a = Addr(ip, port);
  int fd = ::socket(AF_INET, SOCK_DGRAM, 0);
  for (int i = 0; i < std::atoi(count); ++i) {
    std::string msg = std::to_string(i);
    ::sendto(fd, msg.data(), msg.size(), 0, reinterpret_cast<sockaddr*>(&a), sizeof a);
    // Paced so that a receiver's socket buffer never overflows: a missing
    // datagram then means the network dropped it.
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return 0;
}

int OwnTopology(const std::vector<std::string>& members) {
  if (auto s = SignalCleanup::Install(); !s.ok()) {
    std::fprintf(stderr, "%s\n", s.ToString().c_str());
    return 2;
  }
  Topology topo;
  auto created = topo.Create(members);
  if (!created.ok()) {
    std::fprintf(stderr, "%s\n", created.status().ToString().c_str());
    return 2;
  }
  std::printf("%s\n", topo.switch_namespace().c_str());
  for (const auto& m : members) std::printf("%s\n", topo.NamespaceOf(m)->c_str());
  std::printf("ready\n");
  std::fflush(stdout);
  // SIGINT/SIGTERM are blocked here; the watcher thread takes them.
  for (;;) ::pause();
}

}  // namespace

int main(int argc, char** argv) {
  std::string mode = argc > 1 ? argv[1] : "";
  if (mode == "listen" && argc == 4) return Listen(argv[2], argv[3]);
  if (mode == "connect" && argc == 5) return Connect(argv[2], argv[3], argv[4]);
  if (mode == "udp-send" && argc == 5) return UdpSend(argv[2], argv[3], argv[4]);
  if (mode == "own-topology" && argc > 2) return OwnTopology(std::vector<std::string>(argv + 2, argv + argc));
  std::fprintf(stderr, "usage: see the top of net_helper_main.cc\n");
  return 2;
}
