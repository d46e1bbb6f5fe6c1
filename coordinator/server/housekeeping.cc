#include "coordinator/server/housekeeping.h"

namespace gantry::coordinator {

std::vector<std::string> SelectPurge(const ClusterState& s, int64_t now_ms, int64_t retention_ms,
                                     size_t max_records) {
  std::vector<std::string> out;
  size_t records = 0;
  for (const auto& [stopped_at, id] : s.finished()) {
    if (stopped_at > now_ms - retention_ms || records >= max_records) break;
    const protocol::Job* job = s.FindJob(id);
    if (!job) continue;
    records += 1 + (job->IsArrayParent() ? job->arrayProperties->size : 0);
    out.push_back(id);
  }
  return out;
}

std::vector<TimeLimitAction> SelectTimeLimitActions(const ClusterState& s, const WaitBoard& board, int64_t now_ms) {
  std::vector<TimeLimitAction> out;
  for (const auto& [queue_name, queue] : s.job_queues()) {
    if (queue.jobStateTimeLimitActions.empty()) continue;
    auto runnable = s.runnable().find(queue_name);
    if (runnable == s.runnable().end()) continue;
    for (const auto& [_, job] : runnable->second) {
      const WaitBoard::Entry* waiting = board.Find(job->sequence);
      if (!waiting) continue;  // no pass has looked at it yet
      const int64_t since = job->runnableAt.value_or(job->createdAt);
      for (const protocol::JobStateTimeLimit& limit : queue.jobStateTimeLimitActions) {
        if (limit.reason != waiting->code) continue;
        if (now_ms - since < int64_t{limit.maxTimeSeconds} * 1000) continue;
        TimeLimitAction a;
        a.jobId = job->jobId;
        a.type = limit.action == protocol::JobStateTimeLimitAction::kTerminate ? CommandType::kTerminateJob
                                                                              : CommandType::kCancelJob;
        a.reason = limit.reason + ": RUNNABLE for more than " + std::to_string(limit.maxTimeSeconds) + " s";
        a.reason += " (" + waiting->reason + ")";
        out.push_back(std::move(a));
        break;
      }
    }
  }
  return out;
}

}  // namespace gantry::coordinator
