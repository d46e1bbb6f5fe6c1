// The coordinator's scheduler: a pure function from a snapshot of the cluster
// and the RUNNABLE jobs of every queue to a Plan.
//
// Place() decides, for every job it is given, either a Placement (job, node,
// compute environment) or a WaitingJob with a human-readable reason. It reads
// no clock, does no I/O, does not log, and returns the same Plan for the same
// input. The leader re-checks a Plan against current state before proposing
// it; Place() itself never fails.
//
// Rules, in the order they apply:
//   - Queues are served by priority, higher first; equal priorities by name.
//     Jobs within a queue are taken FIFO, and a job that does not fit does not
//     block later jobs of its queue (backfill).
//   - A queue with fair-share data (a scheduling policy) takes its jobs by
//     fair share instead. Within a share (shareIdentifier): higher
//     scheduling_priority first, then the order given. Across shares: the
//     share with the lowest usage * weight_factor (ties: share name) offers
//     its next job; placing it adds the job's vCPUs to the share's usage. A
//     job that does not fit waits and its share offers its next one
//     (backfill inside the share), so a big job never blocks its share.
//   - computeReservation (fair share): with A active shares (shares with
//     jobs in this call or vCPUs held now), r = (computeReservation/100)^A
//     of each CE's max_vcpus is kept for shares not active yet: the queue's
//     placements never raise a CE's used_vcpus above
//     floor(max_vcpus * (1 - r)).
//   - A job tries its queue's compute environments (CEs) in order. A CE that
//     is unknown or disabled is skipped. A node belongs to a CE when its
//     labels contain every key=value of the CE's selector (an empty selector
//     takes every node) and it is a spot node exactly when the CE is SPOT;
//     a node may belong to several CEs.
//   - A node that cannot enforce disk quotas (enforces_disk false) counts as
//     having no disk at all: a job's disk request is a hard limit, never
//     silently ignored, so only jobs asking for no disk go there, and the
//     "never fits" reason says how many such nodes there were.
//   - Best fit: among the CE's schedulable nodes with enough free vCPUs,
//     memory and disk, the node with the least free vCPUs wins, then least
//     free memory, then least free disk, then the smallest node id.
//   - A placement takes the job's resources from the node's free capacity
//     (every CE containing the node sees it) and adds its vCPUs to the CE's
//     used_vcpus. A CE never exceeds max_vcpus; a node never exceeds what it
//     advertised (a `free` larger than `total` is clamped to `total`).
//   - Every job not placed gets exactly one WaitingJob whose reason names the
//     most relevant cause over the CEs it tried, and a code that says whether
//     waiting can help (see wait_reason.h).
//
// Cost: building the indexes is O(nodes * CEs named by queues); a placement
// is O(log nodes) per CE holding the node; a search is O(log nodes) when
// memory does not bind and O(distinct free vCPU counts * log nodes) at worst;
// a job whose shape already failed in a CE skips that CE's search. Fair
// share adds O(log shares) per job (a heap of shares), plus sorting a share
// by scheduling_priority when its jobs' priorities differ.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "protocol/types.h"

namespace gantry::coordinator {

struct SchedNode {
  std::string id;
  protocol::NodeCapacity total;  // advertised
  protocol::NodeCapacity free;   // total minus reservations
  protocol::Labels labels;
  bool schedulable = true;  // false: lost, cordoned, ...; takes no new work
  // False when the node's agent cannot hold a job to its disk request (no
  // quota method): it then takes only jobs that ask for no disk.
  bool enforces_disk = true;
};

struct SchedComputeEnvironment {
  std::string name;
  bool enabled = true;
  protocol::Labels selector;  // a node belongs if it has every key=value
  // Provisioning model SPOT: only spot nodes (protocol::IsSpotNode) belong;
  // otherwise only the others do.
  bool spot = false;
  uint32_t max_vcpus = 0;
  uint32_t used_vcpus = 0;  // held now by this CE's live attempts
};

struct SchedJob {
  std::string job_id;
  protocol::Resources resources;     // vcpus, memoryMib, diskMib
  std::string share;                 // shareIdentifier; read in fair-share queues only
  uint32_t scheduling_priority = 0;  // higher first within its share
  uint64_t tag = 0;                  // the caller's; comes back in its WaitingJob
};

// One share (shareIdentifier) of a fair-share queue.
struct SchedShare {
  std::string share;
  double weight_factor = 1.0;  // protocol::ShareWeight: lower gets more
  // vCPUs: held now plus the decayed finished vCPU-seconds averaged over the
  // policy's decay window.
  double usage = 0;
  uint32_t running_vcpus = 0;  // held now; a share holding any is active
};

struct SchedFairShare {
  uint32_t compute_reservation = 0;  // 0-99
  // A job whose share is not listed counts as weight 1.0, usage 0, nothing
  // running. A share listed twice: the first entry counts.
  std::vector<SchedShare> shares;
};

struct SchedQueue {
  std::string name;
  uint32_t priority = 0;                          // higher first
  std::vector<std::string> compute_environments;  // tried in this order
  std::vector<SchedJob> jobs;                     // RUNNABLE jobs, FIFO order
  std::optional<SchedFairShare> fair_share;       // set: order by fair share
};

struct ClusterSnapshot {
  std::vector<SchedNode> nodes;
  std::vector<SchedComputeEnvironment> compute_environments;
};

struct Placement {
  std::string job_id;
  std::string node_id;
  std::string compute_environment;
  friend bool operator==(const Placement&, const Placement&) = default;
};

struct WaitingJob {
  std::string job_id;
  std::string reason;
  std::string code;  // an AWS reason code, e.g. "CAPACITY:INSUFFICIENT_INSTANCE_CAPACITY"; see wait_reason.h
  uint64_t tag = 0;  // the SchedJob's
  friend bool operator==(const WaitingJob&, const WaitingJob&) = default;
};

// Placements in the order they were decided (queue order, then FIFO or
// fair share); waiting jobs in the order they were considered.
struct Plan {
  std::vector<Placement> placements;
  std::vector<WaitingJob> waiting;
};

struct PlaceOptions {
  // Once the plan holds this many placements, every later job waits with a
  // reason that says so (or with its own reason if it could not fit anyway).
  size_t max_placements = SIZE_MAX;
};

// Returns the plan for `queues` on `cluster`. Never fails; every job of every
// queue appears exactly once in the plan, as a placement or as waiting.
// Node ids are expected to be unique, as are CE names (the first of a
// duplicated CE name is used). Thread-safe for concurrent calls: it only
// reads its arguments.
Plan Place(const ClusterSnapshot& cluster, const std::vector<SchedQueue>& queues,
           const PlaceOptions& options);

}  // namespace gantry::coordinator
