// Turns the replicated state and a scheduler pass into the preemption
// planner's input, and its answer into an InterruptAttempts command. Pure.
#pragma once

#include <optional>
#include <vector>

#include "coordinator/fsm/command.h"
#include "coordinator/scheduler/preemption.h"
#include "coordinator/scheduler/scheduler.h"
#include "coordinator/state/cluster_state.h"

namespace gantry::coordinator {

struct PreemptionInput {
  std::vector<SchedNode> nodes;  // free capacity after the pass's placements
  std::vector<PreemptionCe> compute_environments;
  std::vector<PreemptionCandidate> candidates;
  std::vector<RunningAttempt> running;
};

// The planner's input after `plan` was made from `snapshot`: nullopt when
// nothing could be preempted (or be stopping) for any job the plan left
// waiting (no live attempt in a preemptible compute environment, or none of
// lower priority than a waiting job), which keeps the common case to one
// scan of the live attempts. Candidates are the plan's waiting jobs of queues above the
// lowest victim priority, at most `max_candidates`, in the plan's order.
std::optional<PreemptionInput> BuildPreemptionInput(const ClusterState& s, const ClusterSnapshot& snapshot,
                                                    const Plan& plan, size_t max_candidates = 256);

// Each victim of `plan` with reason "Preempted by job <id> (queue <q>,
// priority <p> over <victim's>)".
std::vector<AttemptInterruption> ToInterruptions(const ClusterState& s, const PreemptionPlan& plan);

}  // namespace gantry::coordinator
