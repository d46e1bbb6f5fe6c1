// NodelayTransport: libraft's stock TCP transport with TCP_NODELAY on every
// connection (research/libraft.md §6.2).
//
// libraft 0.15 never sets TCP_NODELAY; Nagle plus delayed ACKs then cap a
// pipelined leader at a few hundred raft_apply/s. Without patching the
// library, the transport's listen and connect entry points are swapped for
// wrappers that set the option on the stream libraft is handed, before
// libraft sees it. Internal to coordinator/raft/.
#pragma once

extern "C" {
#include <raft.h>
#include <raft/uv.h>
}

namespace gantry::coordinator::raft {

// Standard layout with `transport` first: libraft only ever hands back the
// raft_uv_transport pointer, and the wrapper state is found from it.
struct NodelayTransport {
  raft_uv_transport transport;
  int (*inner_listen)(raft_uv_transport*, raft_uv_accept_cb) = nullptr;
  int (*inner_connect)(raft_uv_transport*, raft_uv_connect*, raft_id, const char*, raft_uv_connect_cb) = nullptr;
  raft_uv_accept_cb accept_cb = nullptr;
};

// raft_uv_tcp_init, then installs the wrappers. Returns libraft's error
// code (0 on success). Release with raft_uv_tcp_close(&t->transport).
int NodelayTransportInit(NodelayTransport* t, uv_loop_t* loop);

}  // namespace gantry::coordinator::raft
