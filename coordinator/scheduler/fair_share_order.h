// FairShareOrder: the order in which a fair-share queue offers its jobs to
// the scheduler, decided one job at a time because each placement changes
// who goes next.
//
// Jobs are grouped by share. Within a share: higher scheduling_priority
// first, then the order given (FIFO). Across shares, a min-heap keyed by
// (usage * weight_factor, share name) picks the share that offers the next
// job. Placed() charges the job's vCPUs to that share; a job not placed
// charges nothing, so the same share offers its next job (backfill).
//
//   Next() -> job of the least-served share -> [Placed()] -> Next() ...
//
// Cost: O(jobs) to group, O(log shares) per Next(), plus a stable sort of a
// share whose jobs have different priorities. Holds pointers into the queue:
// the queue must outlive it. Thread-compatible.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "coordinator/scheduler/scheduler.h"

namespace gantry::coordinator {

class FairShareOrder {
 public:
  // Precondition: queue.fair_share is set.
  explicit FairShareOrder(const SchedQueue& queue);

  // The next job to consider, or nullptr once every job was offered.
  const SchedJob* Next();

  // The job Next() just returned was placed.
  void Placed();

  // Shares with jobs in the queue or vCPUs held now.
  size_t active_shares() const { return active_shares_; }

 private:
  struct Share {
    std::string_view name;
    double weight = 1.0;
    double usage = 0;
    std::vector<const SchedJob*> jobs;  // in offer order
    size_t next = 0;                    // index into jobs
    double Key() const { return usage * weight; }
  };
  // Heap order: the top is the share with the lowest key, then name.
  bool Later(uint32_t a, uint32_t b) const;

  std::vector<Share> shares_;
  std::vector<uint32_t> heap_;  // indexes into shares_ with jobs left
  int64_t current_ = -1;        // the share whose job Next() returned last
  size_t active_shares_ = 0;
};

}  // namespace gantry::coordinator
