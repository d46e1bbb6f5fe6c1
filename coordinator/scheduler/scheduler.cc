#include "coordinator/scheduler/scheduler.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "coordinator/scheduler/fair_share_order.h"
#include "coordinator/scheduler/placement_state.h"
#include "coordinator/scheduler/shape.h"
#include "coordinator/scheduler/wait_reason.h"

namespace gantry::coordinator {
namespace {

// A CE as one queue names it, resolved once per queue.
struct QueueCe {
  std::string_view name;
  uint32_t index;  // PlacementState::kUnknownCe if no CE has that name
  // Fair share's computeReservation: this queue may not raise the CE's used
  // vCPUs above this. UINT64_MAX when nothing is reserved.
  uint64_t reservation_cap = UINT64_MAX;
};

// Placements never raise a CE above floor(max_vcpus * (1 - r)),
// r = (computeReservation / 100) ^ active_shares. The epsilon keeps a
// product like 0.99 * 100 from flooring to 98.
uint64_t ReservationCap(uint32_t max_vcpus, uint32_t compute_reservation, size_t active_shares) {
  if (compute_reservation == 0 || active_shares == 0) return UINT64_MAX;
  const double r = std::pow(compute_reservation / 100.0, static_cast<double>(active_shares));
  return static_cast<uint64_t>(std::floor(max_vcpus * (1.0 - r) + 1e-9));
}

// One Place() call. Per job, each CE the queue names is tried in order:
//
//   unknown? -> disabled? -> needs > maxvCpus? -> used + needs > maxvCpus?
//     -> used + needs > reservation cap? -> shape already failed here?
//     -> best-fit search -> place
//
// and the first CE whose search finds a node takes the job. A CE that says
// no leaves a CeOutcome; if all say no, the outcomes become the reason.
class Planner {
 public:
  Planner(const ClusterSnapshot& cluster, const std::vector<SchedQueue>& queues,
          const PlaceOptions& options)
      : state_(cluster, queues), options_(options) {}

  void PlaceQueue(const SchedQueue& queue);
  Plan TakePlan() { return std::move(plan_); }

 private:
  // Returns true if `job` was placed.
  bool PlaceJob(const SchedQueue& queue, const SchedJob& job);
  void Wait(const SchedJob& job, std::string reason, std::string_view code) {
    plan_.waiting.push_back({job.job_id, std::move(reason), std::string(code), job.tag});
  }
  // Why CE `ce` cannot take `need`, after it failed at `stage` (kAtMaxVcpus
  // or kReserved before searching, kNoCapacity after). Checks the causes
  // that would make waiting pointless first.
  CeOutcome Classify(const QueueCe& ce, const Shape& need, WaitCause stage) const;

  PlacementState state_;
  const PlaceOptions& options_;
  Plan plan_;
  std::vector<QueueCe> queue_ces_;   // of the queue being placed
  uint32_t compute_reservation_ = 0; // of the queue being placed
  size_t active_shares_ = 0;         // of the queue being placed
  std::vector<CeOutcome> outcomes_;  // of the job being placed; reused
};

void Planner::PlaceQueue(const SchedQueue& queue) {
  if (queue.compute_environments.empty()) {
    std::string reason = NoComputeEnvironmentReason(queue.name);
    for (const SchedJob& job : queue.jobs) Wait(job, reason, kCodeResourceRequirement);
    return;
  }
  std::optional<FairShareOrder> fair;
  compute_reservation_ = 0;
  active_shares_ = 0;
  if (queue.fair_share) {
    fair.emplace(queue);
    compute_reservation_ = queue.fair_share->compute_reservation;
    active_shares_ = fair->active_shares();
  }
  queue_ces_.clear();
  for (const std::string& name : queue.compute_environments) {
    // A CE named twice is tried once; trying it again cannot change the answer.
    bool seen = std::any_of(queue_ces_.begin(), queue_ces_.end(),
                            [&](const QueueCe& c) { return c.name == name; });
    if (seen) continue;
    QueueCe ce{name, state_.FindCe(name)};
    if (ce.index != PlacementState::kUnknownCe) {
      ce.reservation_cap =
          ReservationCap(state_.ce(ce.index).source->max_vcpus, compute_reservation_, active_shares_);
    }
    queue_ces_.push_back(ce);
  }
  if (!fair) {
    for (const SchedJob& job : queue.jobs) PlaceJob(queue, job);
    return;
  }
  while (const SchedJob* job = fair->Next()) {
    if (PlaceJob(queue, *job)) fair->Placed();
  }
}

bool Planner::PlaceJob(const SchedQueue& queue, const SchedJob& job) {
  const Shape need = ShapeOf(job.resources);
  outcomes_.clear();
  for (const QueueCe& ce : queue_ces_) {
    if (ce.index == PlacementState::kUnknownCe) {
      outcomes_.push_back({.cause = WaitCause::kUnknownCe, .ce = ce.name});
      continue;
    }
    CeState& cs = state_.ce(ce.index);
    if (!cs.indexed) {  // every enabled CE a queue names is indexed
      outcomes_.push_back({.cause = WaitCause::kDisabled, .ce = ce.name});
      continue;
    }
    const uint32_t max_vcpus = cs.source->max_vcpus;
    if (need.vcpus > max_vcpus) {
      outcomes_.push_back(
          {.cause = WaitCause::kExceedsMaxVcpus, .ce = ce.name, .max_vcpus = max_vcpus});
      continue;
    }
    if (cs.used_vcpus + need.vcpus > max_vcpus) {
      outcomes_.push_back(Classify(ce, need, WaitCause::kAtMaxVcpus));
      continue;
    }
    if (cs.used_vcpus + need.vcpus > ce.reservation_cap) {
      outcomes_.push_back(Classify(ce, need, WaitCause::kReserved));
      continue;
    }
    if (!cs.failed.Covers(need)) {
      if (std::optional<uint32_t> slot = cs.ready.BestFit(need)) {
        if (plan_.placements.size() >= options_.max_placements) {
          Wait(job, PlacementLimitReason(options_.max_placements), kCodeCapacity);
          return false;
        }
        state_.Commit(ce.index, *slot, need);
        plan_.placements.push_back({job.job_id, state_.node(*slot).source->id, cs.source->name});
        return true;
      }
      cs.failed.Add(need);
    }
    outcomes_.push_back(Classify(ce, need, WaitCause::kNoCapacity));
  }
  Wait(job, WaitReason(queue.name, need, outcomes_), WaitCode(outcomes_));
  return false;
}

CeOutcome Planner::Classify(const QueueCe& ce, const Shape& need, WaitCause stage) const {
  const CeState& cs = state_.ce(ce.index);
  if (cs.members == 0) return {.cause = WaitCause::kNoReadyNode, .ce = ce.name};
  if (!cs.totals.AnyFits(need)) {
    return {.cause = WaitCause::kNeverFits,
            .ce = ce.name,
            .largest = cs.totals.max(),
            .nodes_without_disk_quota = cs.members_without_disk_quota};
  }
  if (cs.ready.empty()) return {.cause = WaitCause::kNoReadyNode, .ce = ce.name};
  if (stage == WaitCause::kReserved) {
    return {.cause = WaitCause::kReserved,
            .ce = ce.name,
            .used_vcpus = cs.used_vcpus,
            .max_vcpus = cs.source->max_vcpus,
            .reserved_vcpus = static_cast<uint32_t>(cs.source->max_vcpus - ce.reservation_cap),
            .compute_reservation = compute_reservation_,
            .active_shares = active_shares_};
  }
  if (stage == WaitCause::kAtMaxVcpus) {
    return {.cause = WaitCause::kAtMaxVcpus,
            .ce = ce.name,
            .used_vcpus = cs.used_vcpus,
            .max_vcpus = cs.source->max_vcpus};
  }
  const NodeSlot& most = state_.node(*cs.ready.MostFree());
  return {.cause = WaitCause::kNoCapacity,
          .ce = ce.name,
          .most_free_node = most.source->id,
          .most_free = most.free};
}

}  // namespace

Plan Place(const ClusterSnapshot& cluster, const std::vector<SchedQueue>& queues,
           const PlaceOptions& options) {
  std::vector<const SchedQueue*> order;
  order.reserve(queues.size());
  for (const SchedQueue& q : queues) order.push_back(&q);
  std::stable_sort(order.begin(), order.end(), [](const SchedQueue* a, const SchedQueue* b) {
    if (a->priority != b->priority) return a->priority > b->priority;
    return a->name < b->name;
  });

  Planner planner(cluster, queues, options);
  for (const SchedQueue* q : order) planner.PlaceQueue(*q);
  return planner.TakePlan();
}

}  // namespace gantry::coordinator
