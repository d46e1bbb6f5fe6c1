// Apply handlers for what agents report about attempts. A report about an
// attempt that is not the job's live one (another attempt id, another node,
// or another fencing token) is stale and changes nothing.
#include "coordinator/fsm/fsm.h"
#include "coordinator/fsm/job_transitions.h"

namespace gantry::coordinator {

Result<ApplyResult> Fsm::AttemptStarted(const Command& c, WriteBatch& batch) {
  const AttemptStartedCommand& s = *c.attemptStarted;
  ApplyResult r;
  const protocol::Job* current = state_->FindJobByAttempt(s.attemptId);
  const protocol::Attempt* live = current ? LiveAttempt(*current) : nullptr;
  if (!live || live->attemptId != s.attemptId || live->node != s.nodeId ||
      (s.fencingToken && *s.fencingToken != live->fencingToken)) {
    r.notes.push_back("stale AttemptStarted for " + s.attemptId + " from " + s.nodeId + " ignored");
    return r;
  }
  if (current->status != protocol::JobStatus::kStarting) return r;  // a duplicate
  protocol::Job job = *current;
  job.status = protocol::JobStatus::kRunning;
  // A job terminated while STARTING still runs until its kill lands; its
  // reason keeps saying so.
  if (!job.isTerminated) job.statusReason = "running on node " + s.nodeId;
  job.attempts.back().startedAt = c.at;
  if (!job.startedAt) job.startedAt = c.at;
  CommitJob(*state_, std::move(job), c.at, batch, r);
  return r;
}

Result<ApplyResult> Fsm::AttemptEnded(const Command& c, WriteBatch& batch) {
  const protocol::AttemptEnded& e = *c.attemptEnded;
  ApplyResult r;
  const protocol::Job* current = state_->FindJobByAttempt(e.attemptId);
  const protocol::Attempt* live = current ? LiveAttempt(*current) : nullptr;
  if (!live || live->attemptId != e.attemptId || live->node != e.nodeId ||
      (e.fencingToken && *e.fencingToken != live->fencingToken)) {
    r.notes.push_back("stale AttemptEnded for " + e.attemptId + " from " + e.nodeId + " ignored");
    return r;
  }
  AttemptEnd end;
  end.exitCode = e.exitCode;
  if (!end.exitCode && e.signal) end.exitCode = 128 + *e.signal;  // as a shell reports it
  end.reason = e.reason.empty() ? "Essential container in task exited" : e.reason;
  end.statusReason = e.statusReason;
  end.logTail = e.logTail;
  if (e.interruption) {
    end.interruption = protocol::Interruption{*e.interruption, e.statusReason.value_or("Node reclaimed: " + e.nodeId)};
  }
  EndLiveAttempt(*state_, *current, c.at, std::move(end), batch, r);
  r.schedule = true;
  return r;
}

}  // namespace gantry::coordinator
