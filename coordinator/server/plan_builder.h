// Turns the replicated state into the scheduler's input, and the scheduler's
// Plan into a command. Pure.
#pragma once

#include "coordinator/fsm/command.h"
#include "coordinator/scheduler/scheduler.h"
#include "coordinator/server/node_liveness.h"
#include "coordinator/state/cluster_state.h"

namespace gantry::coordinator {

// Nodes this leader has not heard from within the TTL are not schedulable.
ClusterSnapshot BuildSnapshot(const ClusterState& s, const NodeLiveness& live);
// RUNNABLE jobs per queue, FIFO. With `only`, just those of its jobs that
// are still RUNNABLE (an incremental pass).
std::vector<SchedQueue> BuildQueues(const ClusterState& s, const std::vector<std::string>* only = nullptr);
// The plan's placements as a command. Waiting reasons are not in it: they
// change with every free vCPU, so the leader keeps them in memory (see
// WaitReasons) instead of rewriting every waiting job on each pass.
ApplyPlanCommand ToCommand(const Plan& plan);

}  // namespace gantry::coordinator
