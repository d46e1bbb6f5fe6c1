#include "coordinator/scheduler/node_index.h"

#include <utility>

#include "gantry/check.h"

namespace gantry::coordinator {

void NodeIndex::Insert(uint32_t slot, const Shape& free) {
  bool inserted = groups_[free.vcpus].insert(Key{free.memory_mib, free.disk_mib, slot}).second;
  GANTRY_CHECK(inserted);
  ++size_;
}

void NodeIndex::Update(uint32_t slot, const Shape& old_free, const Shape& new_free) {
  auto from = groups_.find(old_free.vcpus);
  GANTRY_CHECK(from != groups_.end());
  // Reuse the set node: no allocation for the common move between groups.
  auto handle = from->second.extract(Key{old_free.memory_mib, old_free.disk_mib, slot});
  GANTRY_CHECK(!handle.empty());
  if (from->second.empty()) groups_.erase(from);
  handle.value() = Key{new_free.memory_mib, new_free.disk_mib, slot};
  bool inserted = groups_[new_free.vcpus].insert(std::move(handle)).inserted;
  GANTRY_CHECK(inserted);
}

std::optional<uint32_t> NodeIndex::BestFit(const Shape& need) const {
  for (auto g = groups_.lower_bound(need.vcpus); g != groups_.end(); ++g) {
    if (auto slot = BestFitInGroup(g->second, need)) return slot;
  }
  return std::nullopt;
}

std::optional<uint32_t> NodeIndex::BestFitInGroup(const Group& group, const Shape& need) {
  // The group is non-empty; its last key has the most memory.
  if (group.rbegin()->memory_mib < need.memory_mib) return std::nullopt;
  auto it = group.lower_bound(Key{need.memory_mib, need.disk_mib, 0});
  while (it != group.end()) {
    if (it->disk_mib >= need.disk_mib) return it->slot;
    // Not enough disk at this memory value: jump to the first key with this
    // memory and enough disk, which may land on a larger memory value.
    auto next = group.lower_bound(Key{it->memory_mib, need.disk_mib, 0});
    GANTRY_CHECK(next != it);  // `it` lacks disk, so it sorts before `next`
    it = next;
  }
  return std::nullopt;
}

std::optional<uint32_t> NodeIndex::MostFree() const {
  if (groups_.empty()) return std::nullopt;
  return groups_.rbegin()->second.rbegin()->slot;
}

}  // namespace gantry::coordinator
