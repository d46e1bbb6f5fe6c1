#include "coordinator/server/commit_pipeline.h"

#include "gantry/check.h"

namespace gantry::coordinator {

struct CommitPipeline::InFlight {
  uv_work_t work;
  CommitPipeline* owner;
  WriteBatch batch;
  std::vector<std::pair<Done, Result<ApplyResult>>> results;
  Status write_status;
};

CommitPipeline::CommitPipeline(uv_loop_t* loop, Fsm* fsm, StateStore* store, Logger log)
    : loop_(loop), fsm_(fsm), store_(store), log_(std::move(log)) {
  check_ = new uv_check_t;
  uv_check_init(loop_, check_);
  check_->data = this;
  // Flushing in the check phase (after the loop has handled every ready
  // socket) is what groups the commands of one wakeup into one batch.
  uv_check_start(check_, [](uv_check_t* h) {
    if (h->data) static_cast<CommitPipeline*>(h->data)->Flush();
  });
  uv_unref(reinterpret_cast<uv_handle_t*>(check_));
  wake_ = new uv_idle_t;
  uv_idle_init(loop_, wake_);
}

CommitPipeline::~CommitPipeline() { Close(); }

void CommitPipeline::Close() {
  if (closed_) return;
  closed_ = true;
  check_->data = nullptr;
  uv_check_stop(check_);
  uv_close(reinterpret_cast<uv_handle_t*>(check_),
           [](uv_handle_t* h) { delete reinterpret_cast<uv_check_t*>(h); });
  uv_idle_stop(wake_);
  uv_close(reinterpret_cast<uv_handle_t*>(wake_),
           [](uv_handle_t* h) { delete reinterpret_cast<uv_idle_t*>(h); });
  while (!pending_.empty()) {
    Result<ApplyResult> r = Status::Unavailable("coordinator is shutting down");
    pending_.front().done(r);
    pending_.pop_front();
  }
}

void CommitPipeline::Propose(Command command, Done done) {
  if (closed_) {
    Result<ApplyResult> r = Status::Unavailable("coordinator is shutting down");
    done(r);
    return;
  }
  pending_.push_back({std::move(command), std::move(done)});
  // A command proposed from a timer would otherwise wait while the loop
  // blocks in poll: libuv polls without blocking only while an idle handle
  // is active, so this one stays active until Flush has run.
  if (!in_flight_) uv_idle_start(wake_, [](uv_idle_t*) {});
}

void CommitPipeline::Flush() {
  if (closed_) return;
  uv_idle_stop(wake_);
  if (in_flight_ || pending_.empty()) return;
  auto* f = new InFlight;
  f->owner = this;
  f->work.data = f;
  f->results.reserve(pending_.size());
  uint64_t index = fsm_->state().applied_index();
  while (!pending_.empty()) {
    Pending p = std::move(pending_.front());
    pending_.pop_front();
    Result<ApplyResult> r = fsm_->Apply(p.command, ++index, f->batch);
    f->results.emplace_back(std::move(p.done), std::move(r));
  }
  in_flight_ = true;
  int rc = uv_queue_work(
      loop_, &f->work,
      [](uv_work_t* w) {
        auto* fl = static_cast<InFlight*>(w->data);
        fl->write_status = fl->owner->store_->Commit(fl->batch);
      },
      [](uv_work_t* w, int) {
        auto* fl = static_cast<InFlight*>(w->data);
        fl->owner->OnWritten(fl);
      });
  GANTRY_CHECK(rc == 0);
}

void CommitPipeline::OnWritten(InFlight* f) {
  std::unique_ptr<InFlight> owned(f);
  if (!f->write_status.ok()) {
    log_->critical("state store write failed, stopping: {}", f->write_status.ToString());
    log_->flush();
    std::abort();
  }
  in_flight_ = false;
  ++batches_committed_;
  BatchEffects effects;
  for (auto& [done, result] : f->results) {
    if (result.ok()) {
      effects.schedule = effects.schedule || result->schedule;
      for (auto& id : result->new_runnable) effects.new_runnable.push_back(std::move(id));
    }
    done(result);
  }
  if (on_batch_committed_) on_batch_committed_(effects);
  Flush();
}

}  // namespace gantry::coordinator
