// Propose: one raft_apply per call, one padded entry per payload, and the
// caller's callback only after the call's last entry was applied.
//
// libraft fires a multi-entry raft_apply's callback when the *first* entry
// is applied (§6.7). So a proposal is complete when both hold:
//
//   ApplyCb(status 0) ----> waiting_ ----> last entry applied --> done(Ok)
//        |                     |
//        | status != 0         | leadership or term lost (Poll)
//        v                     v
//   done(kUnavailable...)   done(kUnavailable)
//
// An entry applied while this node is still the leader of the term it was
// proposed in is this proposal's entry: a leader never overwrites its own
// log, so the index range it was given still holds its entries.

#include "coordinator/raft/entry_codec.h"
#include "coordinator/raft/raft_core.h"

namespace gantry::coordinator::raft {

struct RaftCore::Proposal {
  RaftApplyReq req{};
  RaftCore* core = nullptr;
  Done done;
  uint64_t term = 0;
  uint64_t last_index = 0;
};

void RaftCore::Propose(std::vector<std::string> payloads, Done done) {
  if (payloads.empty()) {
    Defer([done = std::move(done)] { done(Status::InvalidArgument("propose: no payloads")); });
    return;
  }
  for (const std::string& p : payloads) {
    if (p.size() > kMaxPayloadBytes) {
      Defer([done = std::move(done), size = p.size()] {
        done(Status::InvalidArgument("propose: payload of " + std::to_string(size) + " bytes exceeds " +
                                     std::to_string(kMaxPayloadBytes)));
      });
      return;
    }
  }
  if (!IsReadyLeader()) {
    Defer([done = std::move(done)] { done(Status::Unavailable("not the leader")); });
    return;
  }
  // §6.8: entry buffers come from raft_malloc; libraft owns them once
  // raft_apply returned 0, we still do if it failed. The array is ours.
  std::vector<raft_buffer> bufs(payloads.size());
  for (size_t i = 0; i < payloads.size(); ++i) {
    bufs[i].len = EncodedEntrySize(payloads[i].size());
    bufs[i].base = raft_malloc(bufs[i].len);
    if (bufs[i].base == nullptr) {
      for (size_t j = 0; j < i; ++j) raft_free(bufs[j].base);
      Defer([done = std::move(done)] { done(Status::Internal("propose: out of memory")); });
      return;
    }
    EncodeEntry(payloads[i], static_cast<char*>(bufs[i].base));
  }
  auto* p = new Proposal;
  p->req.data = p;
  p->core = this;
  p->done = std::move(done);
  p->term = raft_.current_term;
  int rv = raft_apply(&raft_, &p->req, bufs.data(), static_cast<unsigned>(bufs.size()), ApplyCb);
  if (rv != 0) {
    for (raft_buffer& b : bufs) raft_free(b.base);
    Defer([done = std::move(p->done), s = FromRaftError(rv, "propose", ErrMsg())] { done(s); });
    delete p;
    return;
  }
  p->last_index = p->req.index + bufs.size() - 1;
  proposals_.insert(p);
}

void RaftCore::ApplyCb(RaftApplyReq* req, int status, void* /*result*/) {
  auto* p = static_cast<Proposal*>(req->data);
  RaftCore* core = p->core;
  if (status != 0) {
    core->Complete(p, FromRaftError(status, "propose"));
  } else if (core->applied_through_ >= p->last_index) {
    core->Complete(p, Status::Ok());
  } else {
    core->waiting_.push_back(p);
  }
}

void RaftCore::OnEntryApplied(uint64_t index) {
  applied_through_ = index;
  while (!waiting_.empty() && waiting_.front()->last_index <= index) {
    Proposal* p = waiting_.front();
    waiting_.pop_front();
    bool ours = raft_state(&raft_) == RAFT_LEADER && raft_.current_term == p->term;
    Complete(p, ours ? Status::Ok() : Status::Unavailable("leadership lost before the entries were applied"));
  }
}

// Fails waiting proposals of another term, or all when not the leader.
void RaftCore::FailWaiting(uint64_t term, bool leader) {
  for (auto it = waiting_.begin(); it != waiting_.end();) {
    if (leader && (*it)->term == term) {
      ++it;
      continue;
    }
    Proposal* p = *it;
    it = waiting_.erase(it);
    Complete(p, Status::Unavailable("leadership lost before the entries were applied"));
  }
}

void RaftCore::Complete(Proposal* p, Status s) {
  proposals_.erase(p);
  Defer([done = std::move(p->done), s = std::move(s)] { done(s); });
  delete p;
}

}  // namespace gantry::coordinator::raft
