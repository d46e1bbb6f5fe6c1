// Turns the replicated state into the scheduler's input, and the scheduler's
// Plan into a command. Pure.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "coordinator/fsm/command.h"
#include "coordinator/scheduler/scheduler.h"
#include "coordinator/server/node_liveness.h"
#include "coordinator/state/cluster_state.h"

namespace gantry::coordinator {

// Nodes this leader has not heard from within the TTL, or whose agent asks
// for no new work, are not schedulable.
ClusterSnapshot BuildSnapshot(const ClusterState& s, const NodeLiveness& live);
// RUNNABLE jobs per queue, FIFO. With `only` non-null, just those of its jobs that
// are still RUNNABLE (an incremental pass). A queue with a scheduling policy
// also gets its fair-share data: each job's share and schedulingPriority;
// per share its weightFactor and usage, i.e. the vCPUs its jobs hold now plus
// (when shareDecaySeconds > 0) its finished vCPU-seconds decayed to `now_ms`
// and divided by shareDecaySeconds; and the policy's computeReservation.
// `now_ms` is the leader's wall clock, epoch ms.
std::vector<SchedQueue> BuildQueues(const ClusterState& s, const std::vector<std::string>* only, int64_t now_ms);
// The plan's placements as a command. Waiting reasons are not in it: they
// change with every free vCPU, so the leader keeps them in memory (see
// WaitReasons) instead of rewriting every waiting job on each pass.
ApplyPlanCommand ToCommand(const Plan& plan);

}  // namespace gantry::coordinator
