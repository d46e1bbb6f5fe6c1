// libraft's FSM callbacks (raft_fsm version 3), bridging to StateMachine.
//
// Buffer ownership (research/libraft.md §4, §6.8):
//   apply:    `buf` belongs to libraft; the payload view dies with the call.
//   snapshot: with version >= 2 and snapshot_finalize set, the FSM owns the
//             snapshot buffers: FsmSnapshotAsync raft_mallocs the array and
//             the one data buffer, FsmSnapshotFinalize raft_frees both (it
//             runs after libraft has written them, or after a failure).
//   restore:  FsmRestore owns buf->base and raft_frees it.
//
// Holding back unsafe commits. libraft 0.15 commits entries of earlier
// terms by counting replicas (canonical/raft issue #220, fixed by PR #336
// after 0.15): a new leader marks them committed as soon as a follower
// acknowledges them, before any entry of its own term, our election barrier
// included, is stored on a majority. That is the unsafe case of Figure 8 in
// the Raft paper: after two more leader changes such an entry can still be
// overwritten, and a state machine that applied it (RocksDB keeps it) would
// diverge. Measured in the tests: the barrier was appended at 14, commit
// went to 13 (term-2 entries, leader in term 4), then to 14.
//
// So an entry reaches the state machine only once the node's commit index
// points at an entry of its current term: a leader counts only its own
// term's entries safely, and every entry before a safely committed one is
// committed. Until then apply() returns 0 to libraft (a non-zero return
// stops application and makes a 0.15 follower skip its AppendEntries
// reply) but keeps a copy here,
// and Poll releases the copies when the commit becomes safe, which the
// election barrier makes happen within one round trip. Nothing is lost on
// a crash: libraft re-delivers every entry after its snapshot on restart,
// and no snapshot is taken while entries are held.

#include <cstring>
#include <new>

#include "coordinator/raft/entry_codec.h"
#include "coordinator/raft/raft_core.h"
#include "gantry/check.h"

namespace gantry::coordinator::raft {

namespace {

// The term of the entry at `index` in libraft's in-memory log, 0 if absent:
// 0.15's logTermOf, over the (public) struct raft_log circular buffer.
uint64_t TermOf(const raft_log& log, uint64_t index) {
  if (index == 0) return 0;
  if (index == log.snapshot.last_index) return log.snapshot.last_term;
  size_t n = log.front <= log.back ? log.back - log.front : log.size - log.front + log.back;
  if (n == 0 || index < log.offset + 1 || index > log.offset + n) return 0;
  return log.entries[(log.front + (index - 1 - log.offset)) % log.size].term;
}

}  // namespace

bool RaftCore::CommitIsSafe() const {
  return raft_.current_term != 0 && TermOf(raft_.log, raft_.commit_index) == raft_.current_term;
}

void RaftCore::ApplyToStateMachine(uint64_t index, std::string_view payload) {
  if (index > sm_->AppliedIndex()) {
    sm_->Apply(index, payload);
    GANTRY_CHECK_MSG(sm_->AppliedIndex() == index, "StateMachine::Apply did not advance AppliedIndex()");
  }
  OnEntryApplied(index);
}

void RaftCore::ReleaseHeld() {
  if (held_.empty() || !CommitIsSafe()) return;
  log_->debug("raft applying held entries count={} first={} commit={} term={}", held_.size(), held_.front().first,
              raft_.commit_index, raft_.current_term);
  while (!held_.empty()) {
    std::pair<uint64_t, std::string> e = std::move(held_.front());
    held_.pop_front();
    ApplyToStateMachine(e.first, e.second);
  }
}

int RaftCore::FsmApply(raft_fsm* fsm, const raft_buffer* buf, void** result) {
  auto* core = static_cast<RaftCore*>(fsm->data);
  *result = nullptr;
  // §6.14: 0.15 does not pass the index. libraft bumps last_applied right
  // after apply returns, so the entry being applied is the next one.
  uint64_t index = core->raft_.last_applied + 1;
  Result<std::string_view> payload = DecodeEntry({static_cast<const char*>(buf->base), buf->len});
  if (!payload.ok()) {
    // A committed entry that does not decode: continuing would diverge.
    core->log_->critical("raft committed entry does not decode index={} error={}", index, payload.status().ToString());
    GANTRY_CHECK_MSG(false, "committed raft entry does not decode: " + payload.status().ToString());
  }
  if (index <= core->sm_->AppliedIndex()) {
    core->OnEntryApplied(index);  // already in the persisted state: a replay
    return 0;
  }
  core->ReleaseHeld();
  if (core->held_.empty() && core->CommitIsSafe()) {
    core->ApplyToStateMachine(index, *payload);
  } else {
    core->held_.emplace_back(index, std::string(*payload));
  }
  return 0;
}

// Loop thread: pin a view only; the work happens in FsmSnapshotAsync.
int RaftCore::FsmSnapshot(raft_fsm* fsm, raft_buffer* bufs[], unsigned* n_bufs) {
  auto* core = static_cast<RaftCore*>(fsm->data);
  *bufs = nullptr;
  *n_bufs = 0;
  // The state machine is behind libraft's last_applied while entries are
  // held; a snapshot now would let libraft drop entries it never applied.
  // RAFT_BUSY: libraft skips this snapshot and tries again later.
  if (!core->held_.empty()) {
    core->log_->debug("raft snapshot deferred held_entries={}", core->held_.size());
    return RAFT_BUSY;
  }
  GANTRY_CHECK(!core->pinned_active_);
  core->pinned_index_ = core->sm_->AppliedIndex();
  core->pinned_ = core->sm_->PinSnapshot();
  core->pinned_active_ = true;
  core->snapshot_started_ms_ = uv_now(core->loop_);
  return 0;
}

// Thread-pool thread. Touches only the pinned view and fields the loop
// thread leaves alone until FsmSnapshotFinalize.
int RaftCore::FsmSnapshotAsync(raft_fsm* fsm, raft_buffer* bufs[], unsigned* n_bufs) {
  auto* core = static_cast<RaftCore*>(fsm->data);
  std::string data;
  try {
    data = core->sm_->SerializeSnapshot(core->pinned_);
  } catch (const std::bad_alloc&) {
    return RAFT_NOMEM;
  }
  size_t size = EncodedSnapshotSize(data.size());
  auto* base = static_cast<char*>(raft_malloc(size));
  if (base == nullptr) return RAFT_NOMEM;
  EncodeSnapshot(core->pinned_index_, data, base);
  auto* array = static_cast<raft_buffer*>(raft_malloc(sizeof(raft_buffer)));
  if (array == nullptr) {
    raft_free(base);
    return RAFT_NOMEM;
  }
  array[0].base = base;
  array[0].len = size;
  *bufs = array;
  *n_bufs = 1;
  return 0;
}

int RaftCore::FsmSnapshotFinalize(raft_fsm* fsm, raft_buffer* bufs[], unsigned* n_bufs) {
  auto* core = static_cast<RaftCore*>(fsm->data);
  size_t bytes = 0;
  if (*bufs != nullptr) {
    for (unsigned i = 0; i < *n_bufs; ++i) {
      bytes += (*bufs)[i].len;
      raft_free((*bufs)[i].base);
    }
    raft_free(*bufs);
  }
  *bufs = nullptr;
  *n_bufs = 0;
  if (core->pinned_active_) {
    core->pinned_active_ = false;
    core->sm_->ReleaseSnapshot(std::move(core->pinned_));
    core->pinned_.reset();
  }
  core->log_->debug("raft snapshot finalized applied_index={} bytes={} ms={}", core->pinned_index_, bytes,
                    uv_now(core->loop_) - core->snapshot_started_ms_);
  return 0;
}

// Loop thread, from raft_start (the last local snapshot) or from an
// InstallSnapshot. The state machine may already be at or past the
// snapshot (its state survives restarts): then nothing is restored.
int RaftCore::FsmRestore(raft_fsm* fsm, raft_buffer* buf) {
  auto* core = static_cast<RaftCore*>(fsm->data);
  Result<DecodedSnapshot> snap = DecodeSnapshot({static_cast<const char*>(buf->base), buf->len});
  if (!snap.ok()) {
    core->log_->critical("raft snapshot does not decode error={}", snap.status().ToString());
    GANTRY_CHECK_MSG(false, "raft snapshot does not decode: " + snap.status().ToString());
  }
  // Held entries are covered by the snapshot or re-delivered after it.
  core->held_.clear();
  uint64_t applied = core->sm_->AppliedIndex();
  if (snap->applied_index > applied) {
    core->sm_->Restore(snap->applied_index, snap->data);
    GANTRY_CHECK_MSG(core->sm_->AppliedIndex() == snap->applied_index,
                     "StateMachine::Restore did not set AppliedIndex()");
    core->log_->info("raft snapshot restored applied_index={} previous={} bytes={}", snap->applied_index, applied,
                     buf->len);
  } else {
    core->log_->info("raft snapshot restore skipped applied_index={} state_machine_at={}", snap->applied_index,
                     applied);
  }
  raft_free(buf->base);
  buf->base = nullptr;
  buf->len = 0;
  return 0;
}

}  // namespace gantry::coordinator::raft
