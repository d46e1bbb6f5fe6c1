#include "coordinator/scheduler/shape_set.h"

#include <algorithm>
#include <tuple>

namespace gantry::coordinator {

bool FailedShapes::Covers(const Shape& need) const {
  for (const Shape& s : shapes_) {
    if (FitsIn(s, need)) return true;
  }
  return false;
}

void FailedShapes::Add(const Shape& need) {
  if (Covers(need)) return;
  std::erase_if(shapes_, [&](const Shape& s) { return FitsIn(need, s); });
  if (shapes_.size() < kMaxShapes) shapes_.push_back(need);
}

void CapacityFrontier::Add(const Shape& total) {
  frontier_.push_back(total);
  max_ = Max(max_, total);
}

void CapacityFrontier::Finish() {
  // Sorted largest first, a shape is dominated only by one before it, so one
  // pass against the kept set is enough. Node fleets have few distinct shapes,
  // so the kept set stays small.
  std::sort(frontier_.begin(), frontier_.end(), [](const Shape& a, const Shape& b) {
    return std::tie(a.vcpus, a.memory_mib, a.disk_mib) >
           std::tie(b.vcpus, b.memory_mib, b.disk_mib);
  });
  std::vector<Shape> kept;
  for (const Shape& s : frontier_) {
    bool dominated =
        std::any_of(kept.begin(), kept.end(), [&](const Shape& k) { return FitsIn(s, k); });
    if (!dominated) kept.push_back(s);
  }
  frontier_ = std::move(kept);
}

bool CapacityFrontier::AnyFits(const Shape& need) const {
  if (!FitsIn(need, max_)) return false;
  for (const Shape& s : frontier_) {
    if (FitsIn(need, s)) return true;
  }
  return false;
}

}  // namespace gantry::coordinator
