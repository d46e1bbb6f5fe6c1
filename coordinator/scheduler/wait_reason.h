// Why a job was not placed: the cause found in each compute environment (CE)
// the job tried, and the one human-readable sentence made from them.
//
// A job tries its queue's CEs in order; each that cannot take it yields a
// CeOutcome. WaitReason() picks the most relevant cause, ranked by how close
// it is to running (the WaitCause order below, highest wins; among equal
// causes the first CE in the queue's order), and formats it. The "never
// fits" and "no ready node" sentences name every CE that had that cause.
//
// Examples:
//   waiting for capacity: needs 8 vCPU, 1024 MiB memory, 0 MiB disk; the most
//     free node in ce1 (n3) has 4 vCPU, 2048 MiB memory, 10000 MiB disk free
//   queue q: compute environment ce1 is at maxvCpus (64/64 in use, job needs 4)
//   queue q: compute environment ce1 keeps 32 of its 64 maxvCpus for share
//     identifiers that are not active yet (computeReservation 50, 1 active
//     share): 32 in use, job needs 4
//   no ready node in compute environments ce1
//   no node in compute environments ce1, ce2 can ever fit this job: needs 64
//     vCPU, the largest node has 16 vCPU
//   no node in compute environments ce1 can ever fit this job: needs 1024 MiB
//     disk, the largest node has 0 MiB disk (2 nodes cannot enforce a disk
//     quota and take only jobs that ask for no disk)
//   queue q: job needs 128 vCPU, more than maxvCpus 64 of compute environment ce1
//   compute environment ce1 is DISABLED
//   queue q: compute environment ce9 does not exist
//   job queue q has no compute environment
//
// Each reason also has a code, the prefix AWS's jobStateTimeLimitActions
// match on (see protocol::JobStateTimeLimit), taken from the same top cause:
//   unknown CE, disabled CE, never fits, no CE  MISCONFIGURATION:JOB_RESOURCE_REQUIREMENT
//   needs more than maxvCpus                    MISCONFIGURATION:COMPUTE_ENVIRONMENT_MAX_RESOURCE
//   anything else                               CAPACITY:INSUFFICIENT_INSTANCE_CAPACITY
//
// Pure functions; thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "coordinator/scheduler/shape.h"

namespace gantry::coordinator {

// In ascending relevance.
enum class WaitCause : uint8_t {
  kUnknownCe,        // the queue names a CE that does not exist
  kDisabled,         // the CE is DISABLED
  kExceedsMaxVcpus,  // the job needs more vCPUs than the CE's maxvCpus
  kNeverFits,        // no node of the CE, ready or not, is big enough
  kNoReadyNode,      // the CE has no schedulable node (maybe no node at all)
  kAtMaxVcpus,       // the CE's jobs hold too many vCPUs for this one to start
  kReserved,         // the rest is kept for inactive shares (fair share computeReservation)
  kNoCapacity,       // nodes could fit it, but none has enough free now
};

struct CeOutcome {
  WaitCause cause = WaitCause::kUnknownCe;
  std::string_view ce;              // as the queue names it
  uint64_t used_vcpus = 0;          // kAtMaxVcpus, kReserved
  uint32_t max_vcpus = 0;           // kAtMaxVcpus, kExceedsMaxVcpus, kReserved
  uint32_t reserved_vcpus = 0;      // kReserved: vCPUs of max_vcpus kept back
  uint32_t compute_reservation = 0; // kReserved: the policy's percentage
  size_t active_shares = 0;         // kReserved
  Shape largest;                    // kNeverFits: max of each dimension over the CE's nodes
  std::string_view most_free_node;  // kNoCapacity
  Shape most_free;                  // kNoCapacity: that node's free capacity
  size_t nodes_without_disk_quota = 0;  // kNeverFits: members that count as having no disk
};

// The reason a job of `queue` needing `need` waits. The string views in
// `outcomes` are only read during the call.
// Precondition: `outcomes` is non-empty and in the queue's CE order.
std::string WaitReason(std::string_view queue, const Shape& need,
                       std::span<const CeOutcome> outcomes);

inline constexpr std::string_view kCodeResourceRequirement = "MISCONFIGURATION:JOB_RESOURCE_REQUIREMENT";
inline constexpr std::string_view kCodeMaxResource = "MISCONFIGURATION:COMPUTE_ENVIRONMENT_MAX_RESOURCE";
inline constexpr std::string_view kCodeCapacity = "CAPACITY:INSUFFICIENT_INSTANCE_CAPACITY";

// The code of the reason WaitReason() gives for the same outcomes.
// Precondition: `outcomes` is non-empty.
std::string_view WaitCode(std::span<const CeOutcome> outcomes);

// The reason for every job of a queue that names no CE (its code is
// kCodeResourceRequirement).
std::string NoComputeEnvironmentReason(std::string_view queue);

// The reason for a job that could have been placed, but the plan was full
// (its code is kCodeCapacity).
std::string PlacementLimitReason(size_t max_placements);

}  // namespace gantry::coordinator
