#include "coordinator/scheduler/fair_share_order.h"

#include <algorithm>
#include <unordered_map>

#include "gantry/check.h"

namespace gantry::coordinator {

FairShareOrder::FairShareOrder(const SchedQueue& queue) {
  GANTRY_CHECK(queue.fair_share.has_value());
  std::unordered_map<std::string_view, uint32_t> index;
  auto share_of = [&](std::string_view name) -> Share& {
    auto [it, inserted] = index.emplace(name, static_cast<uint32_t>(shares_.size()));
    if (inserted) shares_.push_back(Share{.name = name});
    return shares_[it->second];
  };
  std::vector<bool> running;
  for (const SchedShare& s : queue.fair_share->shares) {
    if (index.count(s.share)) continue;  // the first entry of a name counts
    Share& share = share_of(s.share);
    share.weight = s.weight_factor;
    share.usage = s.usage;
    running.resize(shares_.size());
    running.back() = s.running_vcpus > 0;
  }
  for (const SchedJob& job : queue.jobs) share_of(job.share).jobs.push_back(&job);
  running.resize(shares_.size());

  for (uint32_t i = 0; i < shares_.size(); ++i) {
    Share& share = shares_[i];
    if (running[i] || !share.jobs.empty()) ++active_shares_;
    if (share.jobs.empty()) continue;
    // Most queues never set a priority: skip the sort when all are equal.
    auto by_priority = [](const SchedJob* a, const SchedJob* b) {
      return a->scheduling_priority > b->scheduling_priority;
    };
    if (!std::is_sorted(share.jobs.begin(), share.jobs.end(), by_priority)) {
      std::stable_sort(share.jobs.begin(), share.jobs.end(), by_priority);
    }
    heap_.push_back(i);
  }
  std::make_heap(heap_.begin(), heap_.end(), [this](uint32_t a, uint32_t b) { return Later(a, b); });
}

bool FairShareOrder::Later(uint32_t a, uint32_t b) const {
  const double ka = shares_[a].Key();
  const double kb = shares_[b].Key();
  if (ka != kb) return ka > kb;
  return shares_[a].name > shares_[b].name;
}

const SchedJob* FairShareOrder::Next() {
  auto later = [this](uint32_t a, uint32_t b) { return Later(a, b); };
  // The share that offered last goes back into the heap with its new key.
  if (current_ >= 0) {
    const Share& last = shares_[current_];
    if (last.next < last.jobs.size()) {
      heap_.push_back(static_cast<uint32_t>(current_));
      std::push_heap(heap_.begin(), heap_.end(), later);
    }
    current_ = -1;
  }
  if (heap_.empty()) return nullptr;
  std::pop_heap(heap_.begin(), heap_.end(), later);
  current_ = heap_.back();
  heap_.pop_back();
  Share& share = shares_[current_];
  return share.jobs[share.next++];
}

void FairShareOrder::Placed() {
  GANTRY_CHECK(current_ >= 0);
  Share& share = shares_[current_];
  share.usage += share.jobs[share.next - 1]->resources.vcpus;
}

}  // namespace gantry::coordinator
