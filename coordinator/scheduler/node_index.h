// NodeIndex: the schedulable nodes of one compute environment, ordered by
// free capacity, for best-fit search.
//
// Nodes are named by a slot number chosen by the caller; slots are expected
// to increase with node id, so that ties between equally free nodes break by
// node id. The order is (free vCPUs, free memory, free disk, slot): the first
// node in that order that fits a job is the tightest fit.
//
// Nodes are grouped by free vCPUs (a std::map of groups; a fleet has few
// distinct vCPU counts), and each group is a std::set ordered by (memory,
// disk, slot). A search starts at the first group with enough vCPUs, skips a
// whole group in O(1) when even its roomiest node lacks memory, and inside a
// group jumps with lower_bound instead of walking. Cost per search is
// O(groups * log n) in the worst case, O(log n) when memory does not bind.
//
// Thread-compatible. Not copyable cheaply (std::map/std::set inside).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <tuple>

#include "coordinator/scheduler/shape.h"

namespace gantry::coordinator {

class NodeIndex {
 public:
  // Adds a node. Precondition: `slot` is not in the index.
  void Insert(uint32_t slot, const Shape& free);

  // Moves a node from `old_free` to `new_free`. Precondition: the node is in
  // the index with exactly `old_free`. Allocates only when a new vCPU group
  // appears.
  void Update(uint32_t slot, const Shape& old_free, const Shape& new_free);

  // The slot of the first node, in (vCPUs, memory, disk, slot) order, whose
  // free capacity fits `need`; nullopt if none does.
  std::optional<uint32_t> BestFit(const Shape& need) const;

  // The slot of the last node in that order: the one with the most free
  // vCPUs (then memory, disk, slot). nullopt if the index is empty.
  std::optional<uint32_t> MostFree() const;

  bool empty() const { return groups_.empty(); }
  size_t size() const { return size_; }

 private:
  struct Key {
    uint64_t memory_mib;
    uint64_t disk_mib;
    uint32_t slot;
    friend bool operator<(const Key& a, const Key& b) {
      return std::tie(a.memory_mib, a.disk_mib, a.slot) <
             std::tie(b.memory_mib, b.disk_mib, b.slot);
    }
  };
  using Group = std::set<Key>;

  static std::optional<uint32_t> BestFitInGroup(const Group& group, const Shape& need);

  // Keyed by free vCPUs. Empty groups are erased, so rbegin() is the most free.
  std::map<uint32_t, Group> groups_;
  size_t size_ = 0;
};

}  // namespace gantry::coordinator
