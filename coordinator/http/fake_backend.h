// FakeBackend: a Backend for unit tests. For each request type it keeps the
// last request and answers with a canned reply, or with `fail` when set.
#pragma once

#include <mutex>
#include <optional>
#include <tuple>

#include "coordinator/http/backend.h"

namespace gantry::coordinator::http {

class FakeBackend final : public Backend {
 public:
  template <class Req>
  struct Slot {
    std::optional<Req> last;
    typename client::ReplyOf<Req>::type reply;
    int calls = 0;
  };

  std::optional<Status> fail;  // every call answers this when set

  template <class Req>
  Slot<Req>& slot() {
    return std::get<Slot<Req>>(slots_);
  }

#define GANTRY_HTTP_FAKE_CALL_(Req)                                     \
  BackendReply<protocol::Req> Call(const protocol::Req& req) override { \
    std::lock_guard<std::mutex> lock(mu_);                              \
    Slot<protocol::Req>& s = slot<protocol::Req>();                     \
    s.last = req;                                                       \
    ++s.calls;                                                          \
    if (fail) return *fail;                                             \
    return s.reply;                                                     \
  }
  GANTRY_HTTP_BACKEND_REQUESTS(GANTRY_HTTP_FAKE_CALL_)
#undef GANTRY_HTTP_FAKE_CALL_

 private:
#define GANTRY_HTTP_FAKE_SLOT_(Req) Slot<protocol::Req>,
  std::tuple<GANTRY_HTTP_BACKEND_REQUESTS(GANTRY_HTTP_FAKE_SLOT_) int> slots_;
#undef GANTRY_HTTP_FAKE_SLOT_
  std::mutex mu_;
};

}  // namespace gantry::coordinator::http
