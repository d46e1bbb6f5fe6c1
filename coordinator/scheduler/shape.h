// Shape: an amount of node resources (vCPUs, memory, disk), used by the
// scheduler both for what a job needs and for what a node has.
//
// Shapes are compared componentwise: `a` fits in `b` when every dimension of
// `a` is at most that of `b`. Header-only; no allocation.
#pragma once

#include <algorithm>
#include <cstdint>

#include "protocol/types.h"

namespace gantry::coordinator {

struct Shape {
  uint32_t vcpus = 0;
  uint64_t memory_mib = 0;
  uint64_t disk_mib = 0;

  friend bool operator==(const Shape&, const Shape&) = default;
};

inline Shape ShapeOf(const protocol::Resources& r) { return {r.vcpus, r.memoryMib, r.diskMib}; }
inline Shape ShapeOf(const protocol::NodeCapacity& c) { return {c.vcpus, c.memoryMib, c.diskMib}; }

// True if `need` fits in `have` in every dimension.
inline bool FitsIn(const Shape& need, const Shape& have) {
  return need.vcpus <= have.vcpus && need.memory_mib <= have.memory_mib &&
         need.disk_mib <= have.disk_mib;
}

// Componentwise minimum and maximum.
inline Shape Min(const Shape& a, const Shape& b) {
  return {std::min(a.vcpus, b.vcpus), std::min(a.memory_mib, b.memory_mib),
          std::min(a.disk_mib, b.disk_mib)};
}
inline Shape Max(const Shape& a, const Shape& b) {
  return {std::max(a.vcpus, b.vcpus), std::max(a.memory_mib, b.memory_mib),
          std::max(a.disk_mib, b.disk_mib)};
}

// `have` minus `need`. Precondition: FitsIn(need, have).
inline Shape Minus(const Shape& have, const Shape& need) {
  return {have.vcpus - need.vcpus, have.memory_mib - need.memory_mib,
          have.disk_mib - need.disk_mib};
}

}  // namespace gantry::coordinator
