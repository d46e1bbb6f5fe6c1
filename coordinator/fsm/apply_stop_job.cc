// Apply handlers for cancel-job and terminate-job, as AWS Batch defines them:
//
//   status                    cancel             terminate
//   SUBMITTED/PENDING/RUNNABLE FAILED, cancelled  FAILED, cancelled
//   STARTING/RUNNING           nothing            kill order; FAILED with the
//                                                 reason when the attempt ends
//   SUCCEEDED/FAILED           nothing            nothing
//
// Both answer OK whatever the job's status. On an array parent they act on
// every child; the parent then follows its children.
#include "coordinator/fsm/fsm.h"
#include "coordinator/fsm/job_transitions.h"

namespace gantry::coordinator {
namespace {

using protocol::Job;
using protocol::JobStatus;

bool IsWaiting(JobStatus s) {
  return s == JobStatus::kSubmitted || s == JobStatus::kPending || s == JobStatus::kRunnable;
}

void CancelWaiting(ClusterState& state, const Job& current, const std::string& reason, int64_t at,
                   WriteBatch& batch, ApplyResult& r) {
  Job job = current;
  job.status = JobStatus::kFailed;
  job.isCancelled = true;
  job.statusReason = reason;
  job.stoppedAt = at;
  CommitJob(state, std::move(job), at, batch, r);
}

// Acts on one job that is not an array parent.
void StopOne(ClusterState& state, const Job& current, bool terminate, const std::string& reason, int64_t at,
             WriteBatch& batch, ApplyResult& r) {
  if (IsWaiting(current.status)) {
    CancelWaiting(state, current, reason, at, batch, r);
    return;
  }
  const protocol::Attempt* live = LiveAttempt(current);
  if (!terminate || !live) return;
  r.kills.push_back({live->node, live->attemptId, reason});
  Job job = current;
  job.isTerminated = true;
  job.terminationReason = reason;
  job.statusReason = "terminating: " + reason;
  CommitJob(state, std::move(job), at, batch, r);
}

Result<ApplyResult> StopJob(ClusterState& state, const Command& c, bool terminate, WriteBatch& batch) {
  const StopJobCommand& stop = *c.stopJob;
  const Job* job = state.FindJob(stop.jobId);
  if (!job) return Status::NotFound("job " + stop.jobId + " not found");
  ApplyResult r;
  r.name = stop.jobId;
  if (!job->IsArrayParent()) {
    StopOne(state, *job, terminate, stop.reason, c.at, batch, r);
    return r;
  }
  // `job` may move as children change the parent: keep only its size.
  const uint32_t size = job->arrayProperties->size;
  for (uint32_t i = 0; i < size; ++i) {
    // A child may already have been failed by a sibling's cancellation
    // (SEQUENTIAL); StopOne then finds it finished and leaves it.
    const Job* child = state.FindJob(ArrayChildId(stop.jobId, i));
    if (child) StopOne(state, *child, terminate, stop.reason, c.at, batch, r);
  }
  return r;
}

}  // namespace

Result<ApplyResult> Fsm::CancelJob(const Command& c, WriteBatch& batch) {
  return StopJob(*state_, c, /*terminate=*/false, batch);
}

Result<ApplyResult> Fsm::TerminateJob(const Command& c, WriteBatch& batch) {
  return StopJob(*state_, c, /*terminate=*/true, batch);
}

}  // namespace gantry::coordinator
