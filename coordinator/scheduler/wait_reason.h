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
//   no ready node in compute environments ce1
//   no node in compute environments ce1, ce2 can ever fit this job: needs 64
//     vCPU, the largest node has 16 vCPU
//   queue q: job needs 128 vCPU, more than maxvCpus 64 of compute environment ce1
//   compute environment ce1 is DISABLED
//   queue q: compute environment ce9 does not exist
//   job queue q has no compute environment
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
  kNoCapacity,       // nodes could fit it, but none has enough free now
};

struct CeOutcome {
  WaitCause cause = WaitCause::kUnknownCe;
  std::string_view ce;              // as the queue names it
  uint64_t used_vcpus = 0;          // kAtMaxVcpus
  uint32_t max_vcpus = 0;           // kAtMaxVcpus, kExceedsMaxVcpus
  Shape largest;                    // kNeverFits: max of each dimension over the CE's nodes
  std::string_view most_free_node;  // kNoCapacity
  Shape most_free;                  // kNoCapacity: that node's free capacity
};

// The reason a job of `queue` needing `need` waits. The string views in
// `outcomes` are only read during the call.
// Precondition: `outcomes` is non-empty and in the queue's CE order.
std::string WaitReason(std::string_view queue, const Shape& need,
                       std::span<const CeOutcome> outcomes);

// The reason for every job of a queue that names no CE.
std::string NoComputeEnvironmentReason(std::string_view queue);

// The reason for a job that could have been placed, but the plan was full.
std::string PlacementLimitReason(size_t max_placements);

}  // namespace gantry::coordinator
