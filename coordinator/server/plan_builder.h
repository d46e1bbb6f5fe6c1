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
// RUNNABLE jobs per queue, FIFO.
std::vector<SchedQueue> BuildQueues(const ClusterState& s);
// Placements, and the waiting reasons that differ from what jobs show now
// (so an unchanged cluster writes nothing).
ApplyPlanCommand ToCommand(const Plan& plan, const ClusterState& s);

}  // namespace gantry::coordinator
