#include "coordinator/scheduler/scheduler.h"

#include <algorithm>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "coordinator/scheduler/placement_state.h"
#include "coordinator/scheduler/shape.h"
#include "coordinator/scheduler/wait_reason.h"

namespace gantry::coordinator {
namespace {

// A CE as one queue names it, resolved once per queue.
struct QueueCe {
  std::string_view name;
  uint32_t index;  // PlacementState::kUnknownCe if no CE has that name
};

// One Place() call. Per job, each CE the queue names is tried in order:
//
//   unknown? -> disabled? -> needs > maxvCpus? -> used + needs > maxvCpus?
//     -> shape already failed here? -> best-fit search -> place
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
  void PlaceJob(const SchedQueue& queue, const SchedJob& job);
  // Why CE `ce` cannot take `need`, after it failed at `stage` (kAtMaxVcpus
  // before searching, kNoCapacity after). Checks the causes that would make
  // waiting pointless first.
  CeOutcome Classify(const QueueCe& ce, const Shape& need, WaitCause stage) const;

  PlacementState state_;
  const PlaceOptions& options_;
  Plan plan_;
  std::vector<QueueCe> queue_ces_;   // of the queue being placed
  std::vector<CeOutcome> outcomes_;  // of the job being placed; reused
};

void Planner::PlaceQueue(const SchedQueue& queue) {
  if (queue.compute_environments.empty()) {
    std::string reason = NoComputeEnvironmentReason(queue.name);
    for (const SchedJob& job : queue.jobs) plan_.waiting.push_back({job.job_id, reason});
    return;
  }
  queue_ces_.clear();
  for (const std::string& name : queue.compute_environments) {
    // A CE named twice is tried once; trying it again cannot change the answer.
    bool seen = std::any_of(queue_ces_.begin(), queue_ces_.end(),
                            [&](const QueueCe& c) { return c.name == name; });
    if (!seen) queue_ces_.push_back({name, state_.FindCe(name)});
  }
  for (const SchedJob& job : queue.jobs) PlaceJob(queue, job);
}

void Planner::PlaceJob(const SchedQueue& queue, const SchedJob& job) {
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
    if (!cs.failed.Covers(need)) {
      if (std::optional<uint32_t> slot = cs.ready.BestFit(need)) {
        if (plan_.placements.size() >= options_.max_placements) {
          plan_.waiting.push_back({job.job_id, PlacementLimitReason(options_.max_placements)});
          return;
        }
        state_.Commit(ce.index, *slot, need);
        plan_.placements.push_back({job.job_id, state_.node(*slot).source->id, cs.source->name});
        return;
      }
      cs.failed.Add(need);
    }
    outcomes_.push_back(Classify(ce, need, WaitCause::kNoCapacity));
  }
  plan_.waiting.push_back({job.job_id, WaitReason(queue.name, need, outcomes_)});
}

CeOutcome Planner::Classify(const QueueCe& ce, const Shape& need, WaitCause stage) const {
  const CeState& cs = state_.ce(ce.index);
  if (cs.members == 0) return {.cause = WaitCause::kNoReadyNode, .ce = ce.name};
  if (!cs.totals.AnyFits(need)) {
    return {.cause = WaitCause::kNeverFits, .ce = ce.name, .largest = cs.totals.max()};
  }
  if (cs.ready.empty()) return {.cause = WaitCause::kNoReadyNode, .ce = ce.name};
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
