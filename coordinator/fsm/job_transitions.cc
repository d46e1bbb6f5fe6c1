#include "coordinator/fsm/job_transitions.h"

#include <deque>
#include <vector>

#include "coordinator/fsm/retry_policy.h"
#include "gantry/check.h"

namespace gantry::coordinator {
namespace {

using protocol::Job;
using protocol::JobStatus;

constexpr const char* kContainerExited = "Essential container in task exited";

std::string StatusName(JobStatus s) { return protocol::EnumNames<JobStatus>::kNames[static_cast<size_t>(s)]; }

// Carries the consequences of status changes with an explicit work list:
// each job whose status changed is visited once per change.
class Propagation {
 public:
  Propagation(ClusterState& state, int64_t at, WriteBatch& batch, ApplyResult& r)
      : state_(state), at_(at), batch_(batch), r_(r) {}

  void Store(Job job) {
    const Job* old = state_.FindJob(job.jobId);
    const bool status_changed = !old || old->status != job.status;
    if (job.status == JobStatus::kRunnable && status_changed) r_.new_runnable.push_back(job.jobId);
    std::string id = job.jobId;
    state_.PutJob(std::move(job), batch_);
    if (status_changed) changed_.push_back(std::move(id));
  }

  void Run() {
    while (!changed_.empty()) {
      const std::string id = std::move(changed_.front());
      changed_.pop_front();
      const Job* job = state_.FindJob(id);
      if (!job) continue;
      const bool finished = protocol::IsTerminal(job->status);
      if (job->IsArrayChild()) UpdateParent(*job);
      if (finished) ReleaseDependents(id);
    }
  }

 private:
  // A parent follows its children: finished once all are, and started when
  // the first one starts (one extra write per array, not per child).
  void UpdateParent(const Job& child) {
    const Job* parent = state_.FindJob(ArrayParentId(child.jobId));
    if (!parent || !parent->IsArrayParent() || protocol::IsTerminal(parent->status)) return;
    const StatusCounts counts = state_.ArrayCounts(parent->jobId);
    const uint32_t succeeded = counts[static_cast<size_t>(JobStatus::kSucceeded)];
    const uint32_t failed = counts[static_cast<size_t>(JobStatus::kFailed)];
    const uint32_t size = parent->arrayProperties->size;
    if (succeeded + failed >= size) {
      Job next = *parent;
      next.status = failed == 0 ? JobStatus::kSucceeded : JobStatus::kFailed;
      next.statusReason = failed == 0 ? "all " + std::to_string(size) + " children succeeded"
                                      : std::to_string(failed) + " of " + std::to_string(size) +
                                            " children failed";
      next.stoppedAt = at_;
      if (!next.startedAt && child.startedAt) next.startedAt = child.startedAt;
      Store(std::move(next));
    } else if (!parent->startedAt && child.startedAt) {
      Job next = *parent;
      next.startedAt = child.startedAt;
      Store(std::move(next));
    }
  }

  void ReleaseDependents(const std::string& id) {
    const std::set<std::string>* dependents = state_.DependentsOf(id);
    if (!dependents) return;
    // A copy: storing a dependent that leaves PENDING changes the index.
    const std::vector<std::string> ids(dependents->begin(), dependents->end());
    for (const std::string& dependent_id : ids) {
      const Job* dependent = state_.FindJob(dependent_id);
      if (!dependent || dependent->status != JobStatus::kPending) continue;
      Job next = *dependent;
      SettleOnDependencies(state_, next, at_);
      if (next.status == dependent->status && next.statusReason == dependent->statusReason) continue;
      Store(std::move(next));
    }
  }

  ClusterState& state_;
  const int64_t at_;
  WriteBatch& batch_;
  ApplyResult& r_;
  std::deque<std::string> changed_;
};

void RecordShareUsage(ClusterState& state, const Job& job, const protocol::Attempt& a, int64_t at,
                      WriteBatch& batch) {
  if (!job.shareIdentifier) return;
  const protocol::JobQueue* queue = state.FindJobQueue(job.jobQueue);
  const protocol::SchedulingPolicy* policy = queue ? state.PolicyOf(*queue) : nullptr;
  if (!policy) return;
  const int64_t ran_ms = std::max<int64_t>(0, a.stoppedAt.value_or(at) - a.startedAt.value_or(at));
  state.AddShareUsage(job.jobQueue, *job.shareIdentifier,
                      static_cast<double>(job.resources.vcpus) * static_cast<double>(ran_ms) / 1000.0, at,
                      policy->fairsharePolicy.shareDecaySeconds, batch);
}

uint32_t PreemptionBudget(const ClusterState& state, const Job& job) {
  if (job.preemptionRetries) return *job.preemptionRetries;
  const protocol::JobQueue* queue = state.FindJobQueue(job.jobQueue);
  if (queue && queue->preemptionRetries) return *queue->preemptionRetries;
  return protocol::kDefaultPreemptionRetries;
}

uint32_t InterruptedAttempts(const Job& job) {
  uint32_t n = 0;
  for (const protocol::Attempt& a : job.attempts) n += a.interruption.has_value();
  return n;
}

}  // namespace

std::string ArrayParentId(const std::string& child_id) { return child_id.substr(0, child_id.find(':')); }

std::string ArrayChildId(const std::string& parent_id, uint32_t index) {
  return parent_id + ":" + std::to_string(index);
}

DependencyCheck CheckDependencies(const ClusterState& state, const Job& job) {
  DependencyCheck check;
  for (const protocol::JobDependency& d : job.dependsOn) {
    if (d.jobId.empty()) continue;  // SEQUENTIAL as submitted on a parent
    const Job* dep = state.FindJob(d.jobId);
    if (!dep || dep->status == JobStatus::kSucceeded) continue;
    if (dep->status == JobStatus::kFailed) {
      return {DependencyCheck::Verdict::kFailed, d.jobId, JobStatus::kFailed};
    }
    if (check.verdict == DependencyCheck::Verdict::kReady) {
      check = {DependencyCheck::Verdict::kWaiting, d.jobId, dep->status};
    }
  }
  return check;
}

void SettleOnDependencies(const ClusterState& state, Job& job, int64_t at) {
  const DependencyCheck check = CheckDependencies(state, job);
  switch (check.verdict) {
    case DependencyCheck::Verdict::kFailed:
      job.status = JobStatus::kFailed;
      job.statusReason = "Dependency " + check.jobId + " failed";
      job.stoppedAt = at;
      break;
    case DependencyCheck::Verdict::kWaiting:
      job.status = JobStatus::kPending;
      job.statusReason = "waiting for dependency " + check.jobId + " (" + StatusName(check.status) + ")";
      break;
    case DependencyCheck::Verdict::kReady:
      job.status = JobStatus::kRunnable;
      job.statusReason = "waiting for the scheduler";
      job.runnableAt = at;
      break;
  }
}

void CommitJob(ClusterState& state, Job job, int64_t at, WriteBatch& batch, ApplyResult& r) {
  Propagation p(state, at, batch, r);
  p.Store(std::move(job));
  p.Run();
}

void EndLiveAttempt(ClusterState& state, Job job, int64_t at, AttemptEnd end, WriteBatch& batch,
                    ApplyResult& r) {
  GANTRY_CHECK(LiveAttempt(job) != nullptr);
  protocol::Attempt& a = job.attempts.back();
  a.stoppedAt = at;
  if (!a.startedAt) a.startedAt = at;  // never reported started: it ran for no time
  a.exitCode = end.exitCode;
  a.reason = end.reason;
  a.statusReason = end.statusReason.value_or(kContainerExited);
  if (!end.logTail.empty()) a.logTail = std::move(end.logTail);
  if (!job.startedAt) job.startedAt = a.startedAt;
  const bool succeeded = end.exitCode && *end.exitCode == 0;
  // An attempt that succeeded inside its grace simply succeeded.
  if (!a.interruption && !succeeded) a.interruption = std::move(end.interruption);
  if (a.interruption && !succeeded) a.statusReason = a.interruption->reason;
  RecordShareUsage(state, job, a, at, batch);

  // What the job says about this attempt if it is the last one.
  const std::string why = a.interruption && !succeeded ? a.interruption->reason
                          : end.statusReason           ? *end.statusReason
                                                       : end.reason;
  job.stoppedAt = at;
  if (job.isTerminated) {
    job.status = JobStatus::kFailed;
    job.statusReason = job.terminationReason.value_or(why);
  } else if (succeeded) {
    a.interruption.reset();
    job.status = JobStatus::kSucceeded;
    job.statusReason = why;
  } else if (a.interruption) {
    const uint32_t budget = PreemptionBudget(state, job);
    const uint32_t used = InterruptedAttempts(job);
    if (used <= budget) {
      job.status = JobStatus::kRunnable;
      job.runnableAt = at;
      job.stoppedAt.reset();
      job.statusReason = why + "; requeued (interruption " + std::to_string(used) + " of " +
                         std::to_string(budget) + " allowed)";
    } else {
      job.status = JobStatus::kFailed;
      job.statusReason = "Preemption retries exhausted: interrupted " + std::to_string(used) +
                         " times, preemptionRetries is " + std::to_string(budget) + " (last: " + why + ")";
    }
  } else if (DecideRetry(job) == RetryVerdict::kRetry) {
    job.status = JobStatus::kRunnable;
    job.runnableAt = at;
    job.stoppedAt.reset();
    job.statusReason = "attempt " + std::to_string(FailureAttempts(job)) + " of " +
                       std::to_string(job.retryStrategy.attempts) + " failed (" + why +
                       (end.exitCode ? ", exit code " + std::to_string(*end.exitCode) : "") + "); retrying";
  } else {
    job.status = JobStatus::kFailed;
    job.statusReason = why;
  }
  CommitJob(state, std::move(job), at, batch, r);
}

}  // namespace gantry::coordinator
