// Priority preemption: which running attempts to stop so that RUNNABLE jobs
// of higher-priority queues can run. A pure function, like Place(): it reads
// no clock, does no I/O, does not log, never fails, and returns the same
// answer for the same input. The caller stops the chosen attempts (recording
// an Interruption of kind PREEMPTED); the jobs themselves are placed by a
// later Place() once the capacity has come back.
//
// Input: the nodes of the ClusterSnapshot AFTER this pass's Plan was applied
// (SchedNode::free already reduced by its placements), the compute
// environments, the jobs the Plan left waiting (candidates) and every live
// attempt, including those already being stopped.
//
// Rules:
//   - Candidates are taken by queue priority, higher first, then in the
//     order given. Once `max_preemptions` candidates have victims, the call
//     stops.
//   - A candidate preempts only attempts whose queue priority is STRICTLY
//     lower than its own and that run in a compute environment (CE) marked
//     preemptible. Equal priorities never preempt each other, so preemption
//     cannot loop. Attempts already stopping are never victims; an attempt
//     naming an unknown CE or node is never a victim.
//   - A node belongs to a CE when its labels match the CE's selector and it
//     is a spot node exactly when the CE is a spot CE. A candidate looks at
//     every schedulable node of each of its enabled CEs whose advertised
//     total can hold it; a node that does not enforce disk quotas counts as
//     having no disk (as in Place()).
//   - Effective free of a node = free (clamped to total) + the resources of
//     its stopping attempts + what victims chosen earlier in this call left
//     over. A candidate satisfied on a node claims its need from that pool,
//     so two candidates never count the same capacity.
//   - A candidate that fits the effective free with no new victim gets none:
//     it is reported in `waiting_for_stop` (it will be placed when those
//     attempts end) and its capacity is claimed.
//   - The CE's max_vcpus holds too: used_vcpus − vCPUs of the CE's stopping
//     attempts + need − vCPUs of victims in that CE ≤ max_vcpus. used_vcpus
//     counts every live attempt of the CE, stopping ones included (as
//     ClusterState::UsedVcpus does). A satisfied candidate adds its need to
//     its CE; its victims leave theirs.
//   - Choice among (node, CE) options: fewest victims; then the set whose
//     oldest victim is youngest (less work lost); then the smaller total
//     victim vCPUs; then node id; then the CE's position in the queue's list.
//   - On one node the victim set is built greedily: repeatedly take the
//     eligible attempt covering the most of the remaining deficit (vCPUs,
//     memory, disk on the node and vCPUs of the CE, each normalized by the
//     job's need), ties to the youngest (largest placed_at), then attempt id;
//     then drop, oldest first, every victim the set does not need. This is a
//     heuristic: the minimum set cover is exponential to find. It always
//     finds a single victim that suffices, and never keeps a victim it could
//     drop.
//
// Cost: O(candidates * options * A^2) at worst, A the eligible attempts on a
// node; candidates are few (the Plan's waiting jobs, capped by the caller).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "coordinator/scheduler/scheduler.h"
#include "protocol/types.h"

namespace gantry::coordinator {

struct PreemptionCe {
  std::string name;
  bool enabled = true;
  bool preemptible = false;  // ComputeEnvironment::IsPreemptible()
  bool spot = false;         // provisioningModel SPOT: spot nodes only
  protocol::Labels selector;
  uint32_t max_vcpus = 0;
  uint32_t used_vcpus = 0;  // every live attempt of the CE, stopping ones too
};

// A RUNNABLE job the Plan could not place.
struct PreemptionCandidate {
  std::string job_id;
  uint32_t queue_priority = 0;
  protocol::Resources resources;
  std::vector<std::string> compute_environments;  // its queue's, in order
};

// A live attempt.
struct RunningAttempt {
  std::string job_id;
  std::string attempt_id;
  std::string node_id;
  std::string compute_environment;
  uint32_t queue_priority = 0;
  protocol::Resources resources;
  int64_t placed_at = 0;  // epoch ms; larger is younger
  bool stopping = false;  // already being stopped: its resources come back
};

struct Preemption {
  std::string job_id;  // the candidate
  std::string node_id;
  std::string compute_environment;  // the candidate's CE it will run in
  std::vector<std::string> victim_attempt_ids;  // youngest first
  friend bool operator==(const Preemption&, const Preemption&) = default;
};

// A candidate that needs no new victim: stopping attempts (or victims of an
// earlier candidate) free enough on this node.
struct StopWait {
  std::string job_id;
  std::string node_id;
  std::string compute_environment;
  friend bool operator==(const StopWait&, const StopWait&) = default;
};

// Both lists in the order the candidates were considered. A candidate that
// cannot be helped appears in neither.
struct PreemptionPlan {
  std::vector<Preemption> preemptions;
  std::vector<StopWait> waiting_for_stop;
};

struct PreemptionOptions {
  size_t max_preemptions = 16;  // candidates that get victims, per call
};

// Returns the preemptions for `candidates`. Never fails. Node ids, CE names
// and attempt ids are expected to be unique (the first of a duplicated node
// id or CE name is used). Thread-safe for concurrent calls: it only reads
// its arguments.
PreemptionPlan PlanPreemptions(const std::vector<SchedNode>& nodes,
                               const std::vector<PreemptionCe>& compute_environments,
                               const std::vector<PreemptionCandidate>& candidates,
                               const std::vector<RunningAttempt>& running,
                               const PreemptionOptions& options);

}  // namespace gantry::coordinator
