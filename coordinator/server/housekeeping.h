// What the leader's housekeeping timer decides, as pure functions of the
// state and the time: which finished jobs retention removes, and which
// RUNNABLE jobs a queue's jobStateTimeLimitActions cancel or terminate.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "coordinator/fsm/command.h"
#include "coordinator/server/queries.h"
#include "coordinator/state/cluster_state.h"

namespace gantry::coordinator {

// Finished top-level jobs that stopped at or before now - retention, oldest
// first, until `max_records` records are chosen (an array counts its
// children too, and is taken whole even if it alone exceeds the limit).
// Small batches keep each purge command, and so each pause of the apply
// loop, short.
std::vector<std::string> SelectPurge(const ClusterState& s, int64_t now_ms, int64_t retention_ms,
                                     size_t max_records);

struct TimeLimitAction {
  std::string jobId;
  CommandType type = CommandType::kCancelJob;  // or kTerminateJob
  std::string reason;
};

// RUNNABLE jobs of queues with jobStateTimeLimitActions whose latest
// waiting code (from the scheduler, on `board`) matches an action's reason
// and that have been RUNNABLE for at least its maxTimeSeconds. The reason
// names the code, the limit and the job's waiting reason.
std::vector<TimeLimitAction> SelectTimeLimitActions(const ClusterState& s, const WaitBoard& board, int64_t now_ms);

}  // namespace gantry::coordinator
