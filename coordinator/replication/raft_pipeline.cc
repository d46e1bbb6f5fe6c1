#include "coordinator/replication/raft_pipeline.h"

#include <random>

#include "gantry/check.h"

namespace gantry::coordinator {

RaftPipeline::RaftPipeline(uv_loop_t* loop, raft::RaftNode* raft, ReplicatedFsm* fsm, Logger log)
    : loop_(loop), raft_(raft), fsm_(fsm), log_(std::move(log)) {
  // Random per process: a restarted replica must not take a nonce of its
  // previous life for one of its own (an old entry applied late).
  std::random_device rd;
  next_nonce_ = (uint64_t{rd()} << 32 | rd()) & ~uint64_t{0xffff};
  fsm_->SetOnEntryApplied(
      [this](uint64_t nonce, std::vector<Result<ApplyResult>>& r) { OnEntryApplied(nonce, r); });
  check_ = new uv_check_t;
  uv_check_init(loop_, check_);
  check_->data = this;
  // Flushing in the check phase (after the loop has handled every ready
  // socket) is what groups the commands of one wakeup into one entry.
  uv_check_start(check_, [](uv_check_t* h) {
    if (h->data) static_cast<RaftPipeline*>(h->data)->Flush();
  });
  uv_unref(reinterpret_cast<uv_handle_t*>(check_));
  wake_ = new uv_idle_t;
  uv_idle_init(loop_, wake_);
}

RaftPipeline::~RaftPipeline() {
  Close();
  fsm_->SetOnEntryApplied(nullptr);
}

void RaftPipeline::Close() {
  if (closed_) return;
  closed_ = true;
  check_->data = nullptr;
  uv_check_stop(check_);
  uv_close(reinterpret_cast<uv_handle_t*>(check_), [](uv_handle_t* h) { delete reinterpret_cast<uv_check_t*>(h); });
  uv_idle_stop(wake_);
  uv_close(reinterpret_cast<uv_handle_t*>(wake_), [](uv_handle_t* h) { delete reinterpret_cast<uv_idle_t*>(h); });
  FailQueued(Status::Unavailable("coordinator is shutting down"));
}

void RaftPipeline::Propose(Command command, Done done) {
  if (closed_) {
    Result<ApplyResult> r = Status::Unavailable("coordinator is shutting down");
    done(r);
    return;
  }
  pending_.push_back({std::move(command), std::move(done)});
  // A command proposed from a timer would otherwise wait while the loop
  // blocks in poll: libuv polls without blocking only while an idle handle
  // is active, so this one stays active until Flush has run.
  uv_idle_start(wake_, [](uv_idle_t*) {});
}

RaftPipeline::BatchEffects RaftPipeline::TakeEffects() {
  BatchEffects out;
  std::swap(out, effects_);
  return out;
}

void RaftPipeline::FailQueued(const Status& status) {
  std::deque<Pending> failed;
  failed.swap(pending_);
  for (auto& p : failed) {
    Result<ApplyResult> r = status;
    p.done(r);
  }
}

void RaftPipeline::Flush() {
  if (closed_) return;
  uv_idle_stop(wake_);
  if (pending_.empty()) return;
  if (!raft_->IsReadyLeader()) return FailQueued(Status::Unavailable("not the leader"));
  while (!pending_.empty() && in_flight_.size() < kMaxEntriesInFlight) {
    CommandEntry entry;
    entry.nonce = next_nonce_++;
    InFlight flight;
    size_t bytes = 0;
    while (!pending_.empty() && entry.commands.size() < kMaxCommandsPerEntry) {
      std::string encoded = EncodeCommand(pending_.front().command);
      // An entry always takes its first command, however large (the wire
      // limit bounds it far below the adapter's).
      if (!entry.commands.empty() && bytes + encoded.size() > kMaxEntryBytes) break;
      bytes += encoded.size();
      entry.commands.push_back(std::move(encoded));
      flight.dones.push_back(std::move(pending_.front().done));
      pending_.pop_front();
    }
    const uint64_t nonce = entry.nonce;
    in_flight_.emplace(nonce, std::move(flight));
    std::vector<std::string> payload;
    payload.push_back(EncodeCommandEntry(entry));
    raft_->Propose(std::move(payload), [this, nonce](Status s) { OnProposed(nonce, s); });
  }
}

void RaftPipeline::OnEntryApplied(uint64_t nonce, std::vector<Result<ApplyResult>>& results) {
  for (auto& r : results) {
    if (!r.ok()) continue;
    effects_.schedule = effects_.schedule || r->schedule;
    for (const auto& id : r->new_runnable) effects_.new_runnable.push_back(id);
  }
  auto it = in_flight_.find(nonce);
  if (it != in_flight_.end()) it->second.results = std::move(results);
}

void RaftPipeline::OnProposed(uint64_t nonce, const Status& status) {
  auto it = in_flight_.find(nonce);
  GANTRY_CHECK(it != in_flight_.end());
  InFlight flight = std::move(it->second);
  in_flight_.erase(it);
  if (flight.results) {
    ++entries_committed_;
    GANTRY_CHECK(flight.results->size() == flight.dones.size());
    for (size_t i = 0; i < flight.dones.size(); ++i) flight.dones[i]((*flight.results)[i]);
  } else {
    // Not applied here: leadership was lost (or the node closed) first.
    Status lost = status.ok() ? Status::Unavailable("entry not applied") : status;
    log_->info("entry abandoned commands={} error={}", flight.dones.size(), lost.message());
    for (auto& done : flight.dones) {
      Result<ApplyResult> r = Status::Unavailable("leadership lost before the command committed (it may still "
                                                  "commit; retry with the same client token): " + lost.message());
      done(r);
    }
  }
  if (on_batch_committed_) {
    BatchEffects effects = TakeEffects();
    on_batch_committed_(effects);
  }
  Flush();
}

}  // namespace gantry::coordinator
