// Array jobs: a parent record and `size` children "<parentId>:<index>".
//
// Each child is a full job (it is scheduled, retried and finished on its
// own) and lists the jobs it waits on itself, resolved from what was
// submitted on the parent:
//   {X}                -> X            (a plain dependency: every child waits on X)
//   {A, N_TO_N}        -> A:<index>    (child i waits on child i of array A)
//   {SEQUENTIAL}       -> <parentId>:<index-1>, nothing for child 0
// The parent only reflects its children: PENDING until all are finished.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "coordinator/fsm/fsm.h"

namespace gantry::coordinator {

// What child `index` of array `parent_id` waits on. Pure.
std::vector<protocol::JobDependency> ChildDependencies(const std::vector<protocol::JobDependency>& submitted,
                                                       const std::string& parent_id, uint32_t index);

// Stores `parent` (fields and dependsOn as submitted, arrayProperties
// unset) as an array of `size` and creates its children, each settled on
// its own dependencies. Sequences are taken parent first, then children
// in index order, so FIFO keeps index order. O(size) index work: nothing
// scans the other jobs. Precondition: the dependencies were validated.
void CreateArrayJob(ClusterState& state, protocol::Job parent, uint32_t size, int64_t at, WriteBatch& batch,
                    ApplyResult& r);

}  // namespace gantry::coordinator
