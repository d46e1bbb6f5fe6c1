// Membership changes, leadership transfer and removal detection (§5).
//
// A change may take several libraft requests; each next step is started
// from Poll, never inside a libraft callback:
//
//   AddVoter:   raft_add (spare) --> raft_assign(voter, after catch-up) --> Ok
//
//   RemovePeer(voter other than self):
//     raft_assign(standby) --> raft_barrier --> wait until the node has the
//     barrier (so it has seen the demotion committed), at most a few election
//     timeouts --> raft_remove --> Ok
//   RemovePeer(self, standby or spare):  raft_remove --> Ok
//
// Why the detour: libraft never tells a removed node it was removed (the
// leader stops sending to it the moment the change is appended), and the
// node keeps campaigning. A standby is replicated to, so the node does see
// its demotion commit; since nothing else here ever assigns the standby
// role, "I am a standby in my committed configuration" means "I am being
// removed", and RemovedFromCluster() reports it.

#include "coordinator/raft/raft_core.h"
#include "gantry/check.h"

namespace gantry::coordinator::raft {
namespace {

const char* RoleName(int role) {
  switch (role) {
    case RAFT_VOTER:
      return "voter";
    case RAFT_STANDBY:
      return "standby";
    case RAFT_SPARE:
      return "spare";
  }
  return "unknown";
}

const raft_server* FindServer(const raft_configuration& conf, uint64_t id) {
  for (unsigned i = 0; i < conf.n; ++i) {
    if (conf.servers[i].id == id) return &conf.servers[i];
  }
  return nullptr;
}

}  // namespace

struct RaftCore::ChangeOp {
  enum class Step { kAdd, kPromote, kDemote, kAwaitAck, kRemove };
  raft_change req{};
  RaftBarrierReq barrier{};
  RaftCore* core = nullptr;
  Step step = Step::kAdd;
  bool pending = false;  // a libraft request of this step is outstanding
  int status = 0;        // its result
  Peer peer;
  Done done;
  uint64_t ack_index = 0;
  uint64_t ack_deadline_ms = 0;
};

struct RaftCore::TransferOp {
  RaftTransferReq req{};
  RaftCore* core = nullptr;
  uint64_t target = 0;
  bool started = false;  // raft_transfer called
  uint64_t wait_index = 0;
  uint64_t deadline_ms = 0;
  Done done;
};

Status RaftCore::CheckCanChange() const {
  if (!IsReadyLeader()) return Status::Unavailable("not the leader");
  if (change_ != nullptr) return Status::Unavailable("another membership change is in progress");
  return Status::Ok();
}

void RaftCore::AddVoter(Peer peer, Done done) {
  Status s = CheckCanChange();
  if (s.ok() && peer.id == 0) s = Status::InvalidArgument("add voter: id must be > 0");
  if (s.ok()) s = ValidateAddress(peer.address);
  if (!s.ok()) {
    Defer([done = std::move(done), s] { done(s); });
    return;
  }
  auto* op = new ChangeOp;
  op->req.data = op;
  op->core = this;
  op->peer = std::move(peer);
  op->done = std::move(done);
  op->step = ChangeOp::Step::kAdd;
  int rv = raft_add(&raft_, &op->req, op->peer.id, op->peer.address.c_str(), ChangeCb);
  if (rv != 0) {
    Defer([done = std::move(op->done), s = FromRaftError(rv, "add voter", ErrMsg())] { done(s); });
    delete op;
    return;
  }
  op->pending = true;
  change_ = op;
  log_->info("raft adding voter id={} address={}", op->peer.id, op->peer.address);
}

void RaftCore::RemovePeer(uint64_t id, Done done) {
  Status s = CheckCanChange();
  const raft_server* server = s.ok() ? FindServer(raft_.configuration, id) : nullptr;
  if (s.ok() && server == nullptr) s = Status::NotFound("remove peer: no member with id " + std::to_string(id));
  if (!s.ok()) {
    Defer([done = std::move(done), s] { done(s); });
    return;
  }
  auto* op = new ChangeOp;
  op->req.data = op;
  op->barrier.data = op;
  op->core = this;
  op->peer = Peer{id, server->address};
  op->done = std::move(done);
  int rv;
  if (id != options_.id && server->role == RAFT_VOTER) {
    op->step = ChangeOp::Step::kDemote;
    rv = raft_assign(&raft_, &op->req, id, RAFT_STANDBY, ChangeCb);
  } else {
    op->step = ChangeOp::Step::kRemove;
    rv = raft_remove(&raft_, &op->req, id, ChangeCb);
  }
  if (rv != 0) {
    Defer([done = std::move(op->done), s = FromRaftError(rv, "remove peer", ErrMsg())] { done(s); });
    delete op;
    return;
  }
  op->pending = true;
  change_ = op;
  log_->info("raft removing peer id={} address={}", id, op->peer.address);
}

void RaftCore::ChangeCb(raft_change* req, int status) {
  auto* op = static_cast<ChangeOp*>(req->data);
  op->pending = false;
  op->status = status;
}

void RaftCore::RemovalBarrierCb(RaftBarrierReq* req, int status) {
  auto* op = static_cast<ChangeOp*>(req->data);
  op->pending = false;
  op->status = status;
  op->ack_index = req->index;
  op->ack_deadline_ms = uv_now(op->core->loop_) + 3ull * op->core->options_.election_timeout_ms;
}

// Poll: moves the change on once its outstanding request has finished.
void RaftCore::AdvanceChange() {
  ChangeOp* op = change_;
  if (op->pending) return;
  if (op->status != 0) {
    FinishChange(FromRaftError(op->status, "membership change for " + std::to_string(op->peer.id)));
    return;
  }
  int rv = 0;
  switch (op->step) {
    case ChangeOp::Step::kAdd:
      op->step = ChangeOp::Step::kPromote;
      rv = raft_assign(&raft_, &op->req, op->peer.id, RAFT_VOTER, ChangeCb);
      break;
    case ChangeOp::Step::kDemote:
      op->step = ChangeOp::Step::kAwaitAck;
      rv = raft_barrier(&raft_, &op->barrier, RemovalBarrierCb);
      break;
    case ChangeOp::Step::kAwaitAck: {
      if (raft_state(&raft_) != RAFT_LEADER) {
        FinishChange(Status::Unavailable("remove peer: leadership lost"));
        return;
      }
      bool acked = false;
      for (unsigned i = 0; i < raft_.configuration.n; ++i) {
        if (raft_.configuration.servers[i].id == op->peer.id) {
          acked = raft_.leader_state.progress[i].match_index >= op->ack_index;
        }
      }
      if (!acked && uv_now(loop_) < op->ack_deadline_ms) return;  // ask again next iteration
      if (!acked) log_->warn("raft removed peer did not see its demotion id={}", op->peer.id);
      op->step = ChangeOp::Step::kRemove;
      rv = raft_remove(&raft_, &op->req, op->peer.id, ChangeCb);
      break;
    }
    case ChangeOp::Step::kPromote:
    case ChangeOp::Step::kRemove:
      FinishChange(Status::Ok());
      return;
  }
  if (rv != 0) {
    FinishChange(FromRaftError(rv, "membership change for " + std::to_string(op->peer.id), ErrMsg()));
    return;
  }
  op->pending = true;
}

void RaftCore::FinishChange(Status s) {
  ChangeOp* op = change_;
  change_ = nullptr;
  log_->info("raft membership change finished id={} status={}", op->peer.id, s.ToString());
  Defer([done = std::move(op->done), s = std::move(s)] { done(s); });
  delete op;
}

// libraft 0.15 sends TimeoutNow as soon as asked, even to a voter that
// has not yet received the configuration entry making it one: it then
// refuses ("non-voter") and the transfer times out. Seen right after
// AddVoter, whose change commits without the new node's ack. So the target
// is first given time (up to two election timeouts) to match our log.
void RaftCore::TransferLeadership(uint64_t id, Done done) {
  Status s = IsReadyLeader() ? Status::Ok() : Status::Unavailable("not the leader");
  if (s.ok() && transfer_ != nullptr) s = Status::Unavailable("a leadership transfer is in progress");
  if (s.ok() && id == options_.id) s = Status::InvalidArgument("transfer leadership: already the leader");
  if (s.ok() && id == 0) {
    // "Any": the most up-to-date other voter.
    uint64_t best_match = 0;
    for (unsigned i = 0; i < raft_.configuration.n; ++i) {
      const raft_server& server = raft_.configuration.servers[i];
      if (server.id == options_.id || server.role != RAFT_VOTER) continue;
      uint64_t match = raft_.leader_state.progress[i].match_index;
      if (id == 0 || match > best_match) {
        id = server.id;
        best_match = match;
      }
    }
    if (id == 0) s = Status::NotFound("transfer leadership: no other voter");
  }
  const raft_server* target = s.ok() ? FindServer(raft_.configuration, id) : nullptr;
  if (s.ok() && (target == nullptr || target->role != RAFT_VOTER)) {
    s = Status::InvalidArgument("transfer leadership: " + std::to_string(id) + " is not a voter");
  }
  if (!s.ok()) {
    Defer([done = std::move(done), s] { done(s); });
    return;
  }
  auto* op = new TransferOp;
  op->req.data = op;
  op->core = this;
  op->target = id;
  op->done = std::move(done);
  op->wait_index = raft_last_index(&raft_);
  op->deadline_ms = uv_now(loop_) + 2ull * options_.election_timeout_ms;
  transfer_ = op;
  log_->info("raft transferring leadership to={}", id);
  AdvanceTransfer();
}

// Poll: starts the transfer once the target has caught up (or time is up).
void RaftCore::AdvanceTransfer() {
  TransferOp* op = transfer_;
  if (op->started) return;
  if (raft_state(&raft_) != RAFT_LEADER) {
    FinishTransfer(Status::Unavailable("transfer leadership: leadership lost"));
    return;
  }
  bool caught_up = false;
  for (unsigned i = 0; i < raft_.configuration.n; ++i) {
    if (raft_.configuration.servers[i].id == op->target) {
      caught_up = raft_.leader_state.progress[i].match_index >= op->wait_index;
    }
  }
  if (!caught_up && uv_now(loop_) < op->deadline_ms) return;
  int rv = raft_transfer(&raft_, &op->req, op->target, TransferCb);
  if (rv != 0) {
    Status s = FromRaftError(rv, "transfer leadership to " + std::to_string(op->target), ErrMsg());
    if (rv == RAFT_BADID) s = Status::InvalidArgument(s.message() + ": not a voter");
    FinishTransfer(s);
    return;
  }
  op->started = true;
}

// libraft: the target became leader, or an election timeout passed.
void RaftCore::TransferCb(RaftTransferReq* req) {
  auto* op = static_cast<TransferOp*>(req->data);
  RaftCore* core = op->core;
  raft_id leader = 0;
  const char* address = nullptr;
  raft_leader(&core->raft_, &leader, &address);
  uint64_t target = op->target;
  bool ok = leader == target;
  core->FinishTransfer(ok ? Status::Ok()
                          : Status::Unavailable("leadership transfer to " + std::to_string(target) +
                                                " did not complete; leader is " + std::to_string(leader)));
}

void RaftCore::FinishTransfer(Status s) {
  TransferOp* op = transfer_;
  transfer_ = nullptr;
  log_->info("raft leadership transfer finished status={}", s.ToString());
  Defer([done = std::move(op->done), s = std::move(s)] { done(s); });
  delete op;
}

std::vector<std::pair<Peer, std::string>> RaftCore::Peers() const {
  std::vector<std::pair<Peer, std::string>> out;
  if (phase_ != Phase::kStarted && phase_ != Phase::kClosing) return out;
  for (unsigned i = 0; i < raft_.configuration.n; ++i) {
    const raft_server& s = raft_.configuration.servers[i];
    out.emplace_back(Peer{s.id, s.address != nullptr ? s.address : ""}, RoleName(s.role));
  }
  return out;
}

// Only a committed configuration counts (uncommitted_index 0); a node that
// never had one (joining, empty dir) is not removed.
bool RaftCore::ComputeRemoved() const {
  if (raft_.configuration_index == 0 || raft_.configuration_uncommitted_index != 0) return false;
  const raft_server* self = FindServer(raft_.configuration, options_.id);
  return self == nullptr || self->role == RAFT_STANDBY;
}

bool RaftCore::RemovedFromCluster() const { return removed_ || (phase_ == Phase::kStarted && ComputeRemoved()); }

void RaftCore::PollRemoved() {
  if (!removed_ && ComputeRemoved()) removed_ = true;
  if (removed_ && !removed_reported_) {
    removed_reported_ = true;
    log_->warn("raft this node was removed from the cluster id={}", options_.id);
    if (on_removed_) {
      Defer([this] {
        if (on_removed_) on_removed_();
      });
    }
  }
}

}  // namespace gantry::coordinator::raft
