// Job lifecycle transitions shared by the Apply handlers (internal to the
// FSM; fsm.h stays the public face).
//
//                 deps succeeded              plan          AttemptStarted
//   SUBMITTED -> PENDING ----------> RUNNABLE ------> STARTING ------> RUNNING
//                  |                  ^   |              |               |
//                  | dep failed,      |   | cancel       | attempt ends  |
//                  | cancel           |   v              v               v
//                  +------------> FAILED  +-- retry --- exit != 0 / timeout / node lost
//                                     ^                  |       \ exit 0 -> SUCCEEDED
//                                     +-- no retry left -+
//
// An array parent is only PENDING until every child is finished, then
// SUCCEEDED (all children succeeded) or FAILED. Every change goes through
// CommitJob, which carries its consequences (dependents, the array parent)
// with a work list, so a 10,000-long SEQUENTIAL cascade uses no recursion.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "coordinator/fsm/fsm.h"

namespace gantry::coordinator {

// How a job's dependsOn stands now.
struct DependencyCheck {
  enum class Verdict { kReady, kWaiting, kFailed };
  Verdict verdict = Verdict::kReady;
  std::string jobId;  // kFailed: a failed dependency; kWaiting: the first unfinished one
  protocol::JobStatus status = protocol::JobStatus::kSucceeded;  // that dependency's status
};

// A FAILED dependency wins over an unfinished one. A dependency that no
// longer exists counts as SUCCEEDED: only finished jobs are purged, and a
// FAILED one would already have failed its dependents.
DependencyCheck CheckDependencies(const ClusterState& state, const protocol::Job& job);

// Sets the status of a job that waits on nothing but its dependencies:
// FAILED ("Dependency X failed", stoppedAt = at), PENDING ("waiting for
// dependency X (STATUS)") or RUNNABLE (runnableAt = at).
void SettleOnDependencies(const ClusterState& state, protocol::Job& job, int64_t at);

// Stores `job` and then everything that follows from status changes, until
// nothing more moves: finished jobs release or fail their PENDING
// dependents, array children move their parent. Jobs that become RUNNABLE
// are appended to r.new_runnable.
void CommitJob(ClusterState& state, protocol::Job job, int64_t at, WriteBatch& batch, ApplyResult& r);

// What ended a live attempt.
struct AttemptEnd {
  std::optional<int32_t> exitCode;
  std::string reason;                       // the attempt's reason
  std::optional<std::string> statusReason;  // set by the agent (e.g. a timeout)
  std::string logTail;
  // The agent stopped it for a reclaim; an interruption recorded on the
  // attempt before (InterruptAttempts, ControlNode) takes precedence.
  std::optional<protocol::Interruption> interruption;
};

// Ends the live attempt of `job` and moves the job on: SUCCEEDED on exit 0;
// FAILED with the terminationReason if it was terminated; for an interrupted
// attempt (reclaim, preemption, drain) RUNNABLE again while the job's
// preemption budget lasts, else FAILED saying the budget is spent; RUNNABLE
// again if its retry strategy says so; FAILED otherwise. Adds the attempt's
// vCPU-seconds to its share when the queue is fair-share.
// Precondition: LiveAttempt(job) is not null.
void EndLiveAttempt(ClusterState& state, protocol::Job job, int64_t at, AttemptEnd end, WriteBatch& batch,
                    ApplyResult& r);

// The array parent id of a child id "<parentId>:<index>".
std::string ArrayParentId(const std::string& child_id);
// The id of child `index` of array `parent_id`.
std::string ArrayChildId(const std::string& parent_id, uint32_t index);

}  // namespace gantry::coordinator
