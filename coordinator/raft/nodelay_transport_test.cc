#include "coordinator/raft/nodelay_transport.h"

#include <gtest/gtest.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <string>

namespace gantry::coordinator::raft {
namespace {

bool HasNodelay(uv_stream_t* stream) {
  uv_os_fd_t fd;
  if (uv_fileno(reinterpret_cast<uv_handle_t*>(stream), &fd) != 0) return false;
  int value = 0;
  socklen_t len = sizeof value;
  return getsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &value, &len) == 0 && value != 0;
}

struct Seen {
  uv_stream_t* accepted = nullptr;
  uv_stream_t* connected = nullptr;
  raft_id accepted_id = 0;
  int connect_status = -1;
  int closed = 0;
};
Seen* g_seen = nullptr;

// §6.2: both ends of a peer connection have TCP_NODELAY by the time libraft
// gets the stream, on the accepting side and on the connecting side.
TEST(NodelayTransport, BothEndsOfAPeerConnectionHaveNodelay) {
  uv_loop_t loop;
  uv_loop_init(&loop);
  Seen seen;
  g_seen = &seen;

  // A free port from the kernel; the transport needs a concrete address.
  int probe = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(bind(probe, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  socklen_t alen = sizeof addr;
  getsockname(probe, reinterpret_cast<sockaddr*>(&addr), &alen);
  close(probe);
  std::string server_address = "127.0.0.1:" + std::to_string(ntohs(addr.sin_port));

  NodelayTransport server{};
  NodelayTransport client{};
  ASSERT_EQ(NodelayTransportInit(&server, &loop), 0);
  ASSERT_EQ(NodelayTransportInit(&client, &loop), 0);
  ASSERT_EQ(server.transport.init(&server.transport, 1, server_address.c_str()), 0);
  ASSERT_EQ(client.transport.init(&client.transport, 2, "127.0.0.1:1"), 0);
  ASSERT_EQ(server.transport.listen(&server.transport,
                                    [](raft_uv_transport*, raft_id id, const char*, uv_stream_t* stream) {
                                      g_seen->accepted = stream;
                                      g_seen->accepted_id = id;
                                    }),
            0);
  raft_uv_connect req{};
  ASSERT_EQ(client.transport.connect(&client.transport, &req, 1, server_address.c_str(),
                                     [](raft_uv_connect*, uv_stream_t* stream, int status) {
                                       g_seen->connected = stream;
                                       g_seen->connect_status = status;
                                     }),
            0);
  while (seen.accepted == nullptr || seen.connected == nullptr) uv_run(&loop, UV_RUN_ONCE);

  EXPECT_EQ(seen.connect_status, 0);
  EXPECT_EQ(seen.accepted_id, 2u);
  EXPECT_TRUE(HasNodelay(seen.accepted));
  EXPECT_TRUE(HasNodelay(seen.connected));

  // The streams are ours now (raft/uv.h): close and free them, then the
  // transports.
  auto close_stream = [](uv_stream_t* s) {
    uv_close(reinterpret_cast<uv_handle_t*>(s), [](uv_handle_t* h) {
      ++g_seen->closed;
      raft_free(h);  // the stock transport allocates its handles with raft_malloc
    });
  };
  close_stream(seen.accepted);
  close_stream(seen.connected);
  auto transport_closed = [](raft_uv_transport*) { ++g_seen->closed; };
  server.transport.close(&server.transport, transport_closed);
  client.transport.close(&client.transport, transport_closed);
  while (seen.closed < 4) uv_run(&loop, UV_RUN_ONCE);
  raft_uv_tcp_close(&server.transport);
  raft_uv_tcp_close(&client.transport);
  uv_run(&loop, UV_RUN_DEFAULT);
  EXPECT_EQ(uv_loop_close(&loop), 0);
  g_seen = nullptr;
}

}  // namespace
}  // namespace gantry::coordinator::raft
