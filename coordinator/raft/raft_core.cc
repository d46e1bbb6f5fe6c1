#include "coordinator/raft/raft_core.h"

#include <filesystem>
#include <system_error>
#include <type_traits>

#include "gantry/check.h"

namespace gantry::coordinator::raft {

// Lifecycle of a RaftCore (phase_):
//
//   kNew --Init--> kInitialized --Start--> kStarted
//                       |                     |
//                       +------- Close -------+
//                                 |
//                             kClosing: the leader's log writes in flight
//                                 |     finish, then raft_close; libraft
//                                 |     fails its pending requests
//                           OnRaftClosed: raft_uv_close, raft_uv_tcp_close,
//                                 |       fail the rest, drain callbacks,
//                                 |       close our handles
//                                 v
//                              kClosed: close_done()

Status FromRaftError(int rv, std::string_view what, const char* errmsg) {
  std::string m(what);
  m += ": ";
  m += raft_strerror(rv);
  if (errmsg != nullptr && errmsg[0] != '\0') {
    m += " (";
    m += errmsg;
    m += ")";
  }
  switch (rv) {
    case RAFT_NOTLEADER:
    case RAFT_LEADERSHIPLOST:
    case RAFT_SHUTDOWN:
    case RAFT_CANTCHANGE:
    case RAFT_NOCONNECTION:
    case RAFT_BUSY:
    case RAFT_CANCELED:
      return Status::Unavailable(std::move(m));
    case RAFT_BADID:
    case RAFT_NOTFOUND:
      return Status::NotFound(std::move(m));
    case RAFT_DUPLICATEID:
    case RAFT_DUPLICATEADDRESS:
      return Status::Conflict(std::move(m));
    case RAFT_BADROLE:
    case RAFT_INVALID:
    case RAFT_NAMETOOLONG:
    case RAFT_TOOBIG:
      return Status::InvalidArgument(std::move(m));
    case RAFT_CORRUPT:
    case RAFT_MALFORMED:
      return Status::Corruption(std::move(m));
    default:
      return Status::Internal(std::move(m));
  }
}

struct RaftCore::ElectionBarrier {
  RaftBarrierReq req{};
  RaftCore* core = nullptr;
  uint64_t term = 0;
};

RaftCore::RaftCore(uv_loop_t* loop, RaftOptions options, StateMachine* sm, Logger log)
    : loop_(loop), options_(std::move(options)), sm_(sm), log_(std::move(log)) {}

RaftCore::~RaftCore() { GANTRY_CHECK_MSG(closed(), "RaftNode destroyed before its Close completed"); }

Status RaftCore::Init() {
  std::error_code ec;
  std::filesystem::create_directories(options_.dir, ec);
  if (ec) return Status::Unavailable("create raft dir " + options_.dir + ": " + ec.message());
  if (!std::filesystem::is_directory(options_.dir, ec)) {
    return Status::InvalidArgument("raft dir " + options_.dir + " is not a directory");
  }
  int rv = NodelayTransportInit(&transport_, loop_);
  if (rv != 0) return FromRaftError(rv, "raft tcp transport init");
  rv = raft_uv_init(&io_, loop_, options_.dir.c_str(), &transport_.transport);
  if (rv != 0) {
    Status s = FromRaftError(rv, "raft io init", io_.errmsg);
    raft_uv_tcp_close(&transport_.transport);
    return s;
  }
  // §6.6: raft_uv_init says version 1 although it implements async_work;
  // raft_init would then refuse the v3 FSM below.
  io_.version = 2;
  raft_uv_set_connect_retry_delay(&io_, options_.connect_retry_delay_ms);
  io_box_.core = this;
  io_box_.inner_append = io_.append;
  io_.append = CountedAppend;

  fsm_.version = 3;
  fsm_.data = this;
  fsm_.apply = FsmApply;
  fsm_.snapshot = FsmSnapshot;
  fsm_.restore = FsmRestore;
  fsm_.snapshot_finalize = FsmSnapshotFinalize;
  fsm_.snapshot_async = FsmSnapshotAsync;
  rv = raft_init(&raft_, &io_, &fsm_, options_.id, options_.address.c_str());
  if (rv != 0) {
    Status s = FromRaftError(rv, "raft init", ErrMsg());
    raft_uv_close(&io_);
    raft_uv_tcp_close(&transport_.transport);
    return s;
  }
  raft_.data = this;
  raft_set_election_timeout(&raft_, options_.election_timeout_ms);
  raft_set_heartbeat_timeout(&raft_, options_.heartbeat_timeout_ms);
  raft_set_pre_vote(&raft_, true);  // §6.5: one election round, not two
  raft_set_snapshot_threshold(&raft_, options_.snapshot_threshold);
  raft_set_snapshot_trailing(&raft_, options_.snapshot_trailing);
  raft_set_install_snapshot_timeout(&raft_, options_.install_snapshot_timeout_ms);

  uv_check_init(loop_, &check_);
  check_.data = this;
  uv_unref(reinterpret_cast<uv_handle_t*>(&check_));
  uv_idle_init(loop_, &wake_);
  wake_.data = this;
  open_handles_ = 2;
  phase_ = Phase::kInitialized;
  return Status::Ok();
}

Status RaftCore::Start() {
  GANTRY_CHECK(phase_ == Phase::kInitialized);
  if (options_.bootstrap.empty()) {
    restarted_ = true;
  } else {
    raft_configuration conf;
    raft_configuration_init(&conf);
    int rv = 0;
    for (const Peer& p : options_.bootstrap) {
      rv = raft_configuration_add(&conf, p.id, p.address.c_str(), RAFT_VOTER);
      if (rv != 0) break;
    }
    if (rv == 0) rv = raft_bootstrap(&raft_, &conf);
    raft_configuration_close(&conf);
    if (rv == RAFT_CANTBOOTSTRAP) {
      restarted_ = true;  // the dir holds state: a restart, same path on
    } else if (rv != 0) {
      return FromRaftError(rv, "raft bootstrap", ErrMsg());
    } else {
      log_->info("raft bootstrapped voters={}", options_.bootstrap.size());
    }
  }
  int rv = raft_start(&raft_);
  // 0.15 gives no detail when it cannot listen (address taken): name it.
  if (rv != 0) return FromRaftError(rv, "raft start on " + options_.address, ErrMsg());
  phase_ = Phase::kStarted;
  uv_check_start(&check_, OnCheck);
  log_->info("raft started id={} address={} restarted={} term={} last_index={} snapshot_index={}", options_.id,
             options_.address, restarted_, raft_.current_term, raft_last_index(&raft_), raft_.log.snapshot.last_index);
  return Status::Ok();
}

// libraft leaves the detail of an error in one of three buffers.
const char* RaftCore::ErrMsg() const {
  for (const char* m : {static_cast<const char*>(raft_.errmsg), static_cast<const char*>(io_.errmsg),
                        static_cast<const char*>(transport_.transport.errmsg)}) {
    if (m[0] != '\0') return m;
  }
  return "";
}

// After every loop iteration (uv_check): the poll, a pending close, and
// the owner's callbacks.
void RaftCore::OnCheck(uv_check_t* h) {
  auto* core = static_cast<RaftCore*>(h->data);
  core->Poll();
  core->CloseRaftWhenDrained();
  core->DrainDeferred();
}

void RaftCore::Defer(std::function<void()> fn) {
  if (handles_closing_ || phase_ == Phase::kClosed) {
    fn();  // no loop phase left to run it in
    return;
  }
  deferred_.push_back(std::move(fn));
  uv_idle_start(&wake_, [](uv_idle_t* h) { static_cast<RaftCore*>(h->data)->DrainDeferred(); });
}

void RaftCore::DrainDeferred() {
  while (!deferred_.empty()) {
    std::function<void()> fn = std::move(deferred_.front());
    deferred_.pop_front();
    fn();
  }
  if (!handles_closing_ && phase_ != Phase::kClosed) uv_idle_stop(&wake_);
}

void RaftCore::Poll() {
  if (phase_ != Phase::kStarted) return;
  int state = raft_state(&raft_);
  uint64_t term = raft_.current_term;
  ReleaseHeld();
  PollRole(state, term);
  if (change_ != nullptr) AdvanceChange();
  if (transfer_ != nullptr) AdvanceTransfer();
  PollRemoved();
}

void RaftCore::PollRole(int state, uint64_t term) {
  raft_id leader_id = 0;
  const char* leader_address = nullptr;
  raft_leader(&raft_, &leader_id, &leader_address);
  if (leader_id != last_leader_id_) {
    log_->info("raft leader changed leader_id={} term={} self={}", leader_id, term, options_.id);
    last_leader_id_ = leader_id;
  }
  bool leader = state == RAFT_LEADER;
  // §6.4: libraft appends nothing on election, and an entry of the leader's
  // own term must commit before earlier entries are safely committed (and,
  // see raft_core_fsm.cc, applied). The barrier is that entry; until it is
  // applied this node does not serve as leader.
  if (leader && ready_term_ != term && election_barrier_ == nullptr) IssueElectionBarrier(term);
  FailWaiting(term, leader);
  bool ready = IsReadyLeader();
  if (ready != reported_ready_) {
    reported_ready_ = ready;
    log_->info("raft {} term={} applied={}", ready ? "ready leader" : "no longer leader", term,
               raft_last_applied(&raft_));
    if (on_role_change_) {
      Defer([this, ready] {
        if (on_role_change_) on_role_change_(ready);
      });
    }
  }
}

void RaftCore::IssueElectionBarrier(uint64_t term) {
  auto* b = new ElectionBarrier;
  b->req.data = b;
  b->core = this;
  b->term = term;
  int rv = raft_barrier(&raft_, &b->req, ElectionBarrierCb);
  if (rv != 0) {
    // E.g. a leadership transfer in progress; the next Poll retries.
    log_->debug("raft election barrier not issued term={} error={}", term, raft_strerror(rv));
    delete b;
    return;
  }
  election_barrier_ = b;
  log_->debug("raft election barrier issued term={} index={}", term, b->req.index);
}

void RaftCore::ElectionBarrierCb(RaftBarrierReq* req, int status) {
  auto* b = static_cast<ElectionBarrier*>(req->data);
  RaftCore* core = b->core;
  if (core->election_barrier_ == b) core->election_barrier_ = nullptr;
  if (status == 0 && raft_state(&core->raft_) == RAFT_LEADER && core->raft_.current_term == b->term) {
    core->ready_term_ = b->term;
  }
  delete b;
}

bool RaftCore::IsReadyLeader() const {
  if (phase_ != Phase::kStarted) return false;
  auto* r = const_cast<LibRaft*>(&raft_);  // 0.15's getters are not const-correct
  // During a leadership transfer libraft refuses raft_apply (NOTLEADER).
  return raft_state(r) == RAFT_LEADER && ready_term_ == raft_.current_term && raft_.transfer == nullptr;
}

std::optional<Peer> RaftCore::Leader() const {
  if (phase_ != Phase::kStarted) return std::nullopt;
  raft_id id = 0;
  const char* address = nullptr;
  raft_leader(const_cast<LibRaft*>(&raft_), &id, &address);
  if (id == 0) return std::nullopt;
  return Peer{id, address != nullptr ? address : ""};
}

uint64_t RaftCore::last_index() const { return raft_last_index(const_cast<LibRaft*>(&raft_)); }
uint64_t RaftCore::last_applied() const { return raft_last_applied(const_cast<LibRaft*>(&raft_)); }

void RaftCore::Close(std::function<void()> done) {
  GANTRY_CHECK_MSG(phase_ == Phase::kInitialized || phase_ == Phase::kStarted, "RaftNode::Close called twice");
  close_done_ = std::move(done);
  phase_ = Phase::kClosing;
  FailWaiting(0, false);
  if (reported_ready_) {
    reported_ready_ = false;
    if (on_role_change_) {
      Defer([this] {
        if (on_role_change_) on_role_change_(false);
      });
    }
  }
  log_->info("raft closing id={} leader_appends_in_flight={}", options_.id, leader_appends_);
  if (leader_appends_ > 0) uv_check_start(&check_, OnCheck);  // no-op if started
  CloseRaftWhenDrained();
}

// libraft 0.15 crashes in raft_close when a leader's log write is still in
// flight: the write is cancelled and its callback looks the request up in
// leader state that raft_close has already cleared (seen as a SIGSEGV in
// the tests, with proposals in flight). So Close first lets those writes
// finish (milliseconds; nothing new is accepted meanwhile), then closes.
void RaftCore::CloseRaftWhenDrained() {
  if (phase_ != Phase::kClosing || raft_close_called_ || leader_appends_ > 0) return;
  raft_close_called_ = true;
  raft_close(&raft_, OnRaftClosed);
}

// Counts log writes submitted while leader until their callback. Same shim
// pattern as the transport: the inner request carries our bookkeeping, the
// caller's request and callback are handed back untouched.
struct AppendShim {
  raft_io_append inner;
  raft_io_append* outer;
  raft_io_append_cb outer_cb;
  RaftCore* core;
  bool leader;
};

int RaftCore::CountedAppend(raft_io* io, raft_io_append* req, const raft_entry entries[], unsigned n,
                            raft_io_append_cb cb) {
  static_assert(std::is_standard_layout_v<IoBox>);
  auto* box = reinterpret_cast<IoBox*>(io);
  RaftCore* core = box->core;
  bool leader = raft_state(&core->raft_) == RAFT_LEADER;
  auto* shim = new AppendShim{{}, req, cb, core, leader};
  shim->inner.data = shim;
  req->cb = cb;
  int rv = box->inner_append(io, &shim->inner, entries, n, [](raft_io_append* inner, int status) {
    auto* s = static_cast<AppendShim*>(inner->data);
    if (s->leader) --s->core->leader_appends_;
    raft_io_append* outer = s->outer;
    raft_io_append_cb outer_cb = s->outer_cb;
    delete s;
    outer_cb(outer, status);
  });
  if (rv != 0) {
    delete shim;
    return rv;
  }
  if (leader) ++core->leader_appends_;
  return 0;
}

void RaftCore::OnRaftClosed(LibRaft* r) {
  auto* core = static_cast<RaftCore*>(r->data);
  raft_uv_close(&core->io_);
  raft_uv_tcp_close(&core->transport_.transport);
  core->FailOutstanding();
  core->DrainDeferred();
  core->CloseHandles();
}

// Requests libraft did not fail itself while closing: after raft_close's
// callback libraft no longer references them.
void RaftCore::FailOutstanding() {
  Status closing = Status::Unavailable("raft node closed");
  for (Proposal* p : std::vector<Proposal*>(proposals_.begin(), proposals_.end())) Complete(p, closing);
  waiting_.clear();
  delete election_barrier_;
  election_barrier_ = nullptr;
  if (change_ != nullptr) FinishChange(closing);
  if (transfer_ != nullptr) FinishTransfer(closing);
  if (pinned_active_) {
    pinned_active_ = false;
    sm_->ReleaseSnapshot(std::move(pinned_));
  }
}

void RaftCore::CloseHandles() {
  handles_closing_ = true;
  uv_idle_stop(&wake_);
  auto closed = [](uv_handle_t* h) {
    auto* core = static_cast<RaftCore*>(h->data);
    if (--core->open_handles_ > 0) return;
    core->phase_ = Phase::kClosed;
    core->log_->info("raft closed id={}", core->options_.id);
    std::function<void()> done = std::move(core->close_done_);
    if (done) done();  // may destroy the core: nothing after this
  };
  uv_close(reinterpret_cast<uv_handle_t*>(&check_), closed);
  uv_close(reinterpret_cast<uv_handle_t*>(&wake_), closed);
}

}  // namespace gantry::coordinator::raft
