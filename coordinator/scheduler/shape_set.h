// Two small sets of Shapes that let the scheduler answer "can this job fit?"
// without looking at nodes.
//
// FailedShapes remembers, for one compute environment and one Place call,
// shapes for which a search found no node. Free capacity only shrinks during
// a Place call, so any job that needs at least as much as a remembered shape
// in every dimension cannot fit either, and skips the search.
//
// CapacityFrontier summarises the advertised (total) capacity of the nodes of
// one compute environment: the Pareto-maximal totals, plus the maximum of
// each dimension. It answers "could any node ever fit this job?".
//
// Both are value types; thread-compatible.
#pragma once

#include <cstddef>
#include <vector>

#include "coordinator/scheduler/shape.h"

namespace gantry::coordinator {

class FailedShapes {
 public:
  // At most this many shapes are remembered; further ones are dropped (the
  // cache only saves work, it never changes an answer).
  static constexpr size_t kMaxShapes = 32;

  // True if some remembered shape fits in `need`, i.e. `need` is at least as
  // large in every dimension as a shape that already failed.
  bool Covers(const Shape& need) const;

  // Remembers that `need` did not fit. Drops remembered shapes that `need`
  // now covers, so the set stays Pareto-minimal.
  void Add(const Shape& need);

  size_t size() const { return shapes_.size(); }

 private:
  std::vector<Shape> shapes_;
};

class CapacityFrontier {
 public:
  // Adds one node's advertised capacity. Call Finish() before querying.
  void Add(const Shape& total);
  // Reduces the added shapes to their Pareto-maximal set.
  void Finish();

  // True if some added shape is at least `need` in every dimension.
  // Precondition: Finish() was called after the last Add().
  bool AnyFits(const Shape& need) const;

  bool empty() const { return frontier_.empty(); }
  // Largest value of each dimension over all added shapes (from different
  // nodes, possibly). Zero when empty.
  const Shape& max() const { return max_; }
  size_t size() const { return frontier_.size(); }

 private:
  std::vector<Shape> frontier_;
  Shape max_;
};

}  // namespace gantry::coordinator
