// PlacementState: the working copy of a ClusterSnapshot that one Place() call
// plans against, with the indexes that make placement fast.
//
// Built once per Place() call from the snapshot and the queues: nodes are
// given slots in node-id order, free capacity is clamped to the advertised
// total, and every compute environment (CE) that some queue names and that is
// enabled gets its membership computed, a NodeIndex of its schedulable
// members and a CapacityFrontier of all members. CEs nobody names cost
// nothing. Commit() applies one placement to every index that holds the node.
//
// Holds pointers into the snapshot: the snapshot must outlive it.
// Thread-compatible.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "coordinator/scheduler/node_index.h"
#include "coordinator/scheduler/scheduler.h"
#include "coordinator/scheduler/shape.h"
#include "coordinator/scheduler/shape_set.h"

namespace gantry::coordinator {

struct NodeSlot {
  const SchedNode* source = nullptr;
  Shape total;
  Shape free;
  bool schedulable = true;
  std::vector<uint32_t> ces;  // the indexed CEs this node belongs to
};

struct CeState {
  const SchedComputeEnvironment* source = nullptr;
  uint64_t used_vcpus = 0;
  bool indexed = false;     // enabled and named by some queue
  size_t members = 0;       // nodes with the selector's labels, schedulable or not
  size_t members_without_disk_quota = 0;  // of those, nodes with enforces_disk false
  NodeIndex ready;          // the schedulable members, by free capacity
  CapacityFrontier totals;  // advertised capacity of all members
  FailedShapes failed;      // shapes no ready member could fit, this Place() call
};

class PlacementState {
 public:
  static constexpr uint32_t kUnknownCe = UINT32_MAX;

  PlacementState(const ClusterSnapshot& cluster, const std::vector<SchedQueue>& queues);

  // The index of the CE called `name`, or kUnknownCe.
  uint32_t FindCe(std::string_view name) const;

  CeState& ce(uint32_t index) { return ces_[index]; }
  const CeState& ce(uint32_t index) const { return ces_[index]; }
  const NodeSlot& node(uint32_t slot) const { return nodes_[slot]; }

  // Takes `need` from node `slot` and charges its vCPUs to CE `ce`.
  // Preconditions: the node is schedulable, a member of `ce`, and `need`
  // fits in its free capacity.
  void Commit(uint32_t ce, uint32_t slot, const Shape& need);

 private:
  void BuildCe(uint32_t index);

  std::vector<NodeSlot> nodes_;
  std::vector<CeState> ces_;
  std::unordered_map<std::string_view, uint32_t> ce_by_name_;
};

}  // namespace gantry::coordinator
