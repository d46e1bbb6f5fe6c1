#include "coordinator/raft/nodelay_transport.h"

#include <new>
#include <type_traits>

namespace gantry::coordinator::raft {
namespace {

static_assert(std::is_standard_layout_v<NodelayTransport>);

NodelayTransport* FromTransport(raft_uv_transport* t) { return reinterpret_cast<NodelayTransport*>(t); }

void SetNodelay(uv_stream_t* stream) {
  if (stream != nullptr && stream->type == UV_TCP) {
    // Best effort: a failure only costs latency.
    (void)uv_tcp_nodelay(reinterpret_cast<uv_tcp_t*>(stream), 1);
  }
}

void AcceptWithNodelay(raft_uv_transport* t, raft_id id, const char* address, uv_stream_t* stream) {
  SetNodelay(stream);
  FromTransport(t)->accept_cb(t, id, address, stream);
}

int ListenWithNodelay(raft_uv_transport* t, raft_uv_accept_cb cb) {
  NodelayTransport* self = FromTransport(t);
  self->accept_cb = cb;
  return self->inner_listen(t, AcceptWithNodelay);
}

// libraft's connect request is handed to the stock transport through a shim
// request of ours, because the stock transport overwrites req->cb with
// whatever callback it is given: the shim remembers libraft's request and
// callback. The stock transport always fires the callback, also with
// RAFT_CANCELED when it closes, so the shim is always freed there.
struct ConnectShim {
  raft_uv_connect inner;
  raft_uv_connect* outer;
  raft_uv_connect_cb outer_cb;
};

void ConnectedWithNodelay(raft_uv_connect* inner, uv_stream_t* stream, int status) {
  auto* shim = static_cast<ConnectShim*>(inner->data);
  raft_uv_connect* outer = shim->outer;
  raft_uv_connect_cb cb = shim->outer_cb;
  delete shim;
  if (status == 0) SetNodelay(stream);
  cb(outer, stream, status);
}

int ConnectWithNodelay(raft_uv_transport* t, raft_uv_connect* req, raft_id id, const char* address,
                       raft_uv_connect_cb cb) {
  auto* shim = new (std::nothrow) ConnectShim{};
  if (shim == nullptr) return RAFT_NOMEM;
  shim->inner.data = shim;
  shim->outer = req;
  shim->outer_cb = cb;
  req->cb = cb;  // what the stock transport would have done
  int rv = FromTransport(t)->inner_connect(t, &shim->inner, id, address, ConnectedWithNodelay);
  if (rv != 0) delete shim;
  return rv;
}

}  // namespace

int NodelayTransportInit(NodelayTransport* t, uv_loop_t* loop) {
  int rv = raft_uv_tcp_init(&t->transport, loop);
  if (rv != 0) return rv;
  t->inner_listen = t->transport.listen;
  t->inner_connect = t->transport.connect;
  t->transport.listen = ListenWithNodelay;
  t->transport.connect = ConnectWithNodelay;
  return 0;
}

}  // namespace gantry::coordinator::raft
