// Place() against a brute-force reference on many small random clusters.
//
// The reference scans every node for every job, with no index and no cache,
// and follows the rules as scheduler.h states them. Equal plans (placements
// and reasons alike) show that the index, the failed-shape cache and the
// capacity summaries change speed, not answers. About a third of the queues
// are fair share; the reference orders them by rescanning every share before
// each job, so the share heap is checked the same way.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <map>
#include <optional>
#include <random>
#include <set>
#include <tuple>

#include "coordinator/scheduler/scheduler.h"
#include "coordinator/scheduler/scheduler_test_util.h"
#include "coordinator/scheduler/shape.h"
#include "coordinator/scheduler/wait_reason.h"

namespace gantry::coordinator {
namespace {

using scheduler_testing::MakeCe;
using scheduler_testing::MakeJob;
using scheduler_testing::MakeNode;
using scheduler_testing::MakeQueue;

bool HasLabels(const SchedNode& n, const protocol::Labels& selector) {
  for (const auto& [k, v] : selector) {
    auto it = n.labels.find(k);
    if (it == n.labels.end() || it->second != v) return false;
  }
  return true;
}

auto FreeKey(const Shape& free, const std::string& id) {
  return std::tie(free.vcpus, free.memory_mib, free.disk_mib, id);
}

// The code for a job's outcomes, restated from wait_reason.h's table.
std::string ReferenceCode(const std::vector<CeOutcome>& outcomes) {
  auto any = [&](WaitCause c) {
    return std::any_of(outcomes.begin(), outcomes.end(), [&](const CeOutcome& o) { return o.cause == c; });
  };
  if (any(WaitCause::kNoReadyNode) || any(WaitCause::kAtMaxVcpus) || any(WaitCause::kReserved) ||
      any(WaitCause::kNoCapacity)) {
    return "CAPACITY:INSUFFICIENT_INSTANCE_CAPACITY";
  }
  if (!any(WaitCause::kNeverFits) && any(WaitCause::kExceedsMaxVcpus)) {
    return "MISCONFIGURATION:COMPUTE_ENVIRONMENT_MAX_RESOURCE";
  }
  return "MISCONFIGURATION:JOB_RESOURCE_REQUIREMENT";
}

// Fair-share order, the slow way: before each job, scan every share for the
// least served, and scan its remaining jobs for the highest priority.
// `place` returns whether the job was placed.
void ReferenceFairShare(const SchedQueue& q, const std::function<bool(const SchedJob&)>& place) {
  std::map<std::string, double> usage;
  std::map<std::string, double> weight;
  for (const SchedShare& s : q.fair_share->shares) {
    usage.emplace(s.share, s.usage);
    weight.emplace(s.share, s.weight_factor);
  }
  std::vector<bool> done(q.jobs.size());
  for (size_t step = 0; step < q.jobs.size(); ++step) {
    std::optional<std::string> best_share;
    double best_key = 0;
    for (const SchedJob& j : q.jobs) {
      const bool pending = !done[&j - q.jobs.data()];
      if (!pending) continue;
      double w = weight.count(j.share) ? weight[j.share] : 1.0;
      double key = usage[j.share] * w;
      if (!best_share || key < best_key || (key == best_key && j.share < *best_share)) {
        best_share = j.share;
        best_key = key;
      }
    }
    size_t pick = q.jobs.size();
    for (size_t i = 0; i < q.jobs.size(); ++i) {
      if (done[i] || q.jobs[i].share != *best_share) continue;
      if (pick == q.jobs.size() || q.jobs[i].scheduling_priority > q.jobs[pick].scheduling_priority) pick = i;
    }
    done[pick] = true;
    if (place(q.jobs[pick])) usage[*best_share] += q.jobs[pick].resources.vcpus;
  }
}

Plan ReferencePlace(const ClusterSnapshot& cluster, const std::vector<SchedQueue>& queues,
                    size_t max_placements) {
  std::vector<Shape> free;
  for (const SchedNode& n : cluster.nodes) free.push_back(Min(ShapeOf(n.free), ShapeOf(n.total)));
  std::map<std::string, size_t> ce_index;
  std::vector<uint64_t> used;
  for (size_t i = 0; i < cluster.compute_environments.size(); ++i) {
    ce_index.emplace(cluster.compute_environments[i].name, i);
    used.push_back(cluster.compute_environments[i].used_vcpus);
  }
  std::vector<const SchedQueue*> order;
  for (const SchedQueue& q : queues) order.push_back(&q);
  std::stable_sort(order.begin(), order.end(), [](const SchedQueue* a, const SchedQueue* b) {
    return std::tie(b->priority, a->name) < std::tie(a->priority, b->name);
  });

  Plan plan;
  for (const SchedQueue* q : order) {
    size_t active_shares = 0;
    uint32_t reservation = 0;
    if (q->fair_share) {
      std::set<std::string> active;
      for (const SchedJob& j : q->jobs) active.insert(j.share);
      for (const SchedShare& s : q->fair_share->shares) {
        if (s.running_vcpus > 0) active.insert(s.share);
      }
      active_shares = active.size();
      reservation = q->fair_share->compute_reservation;
    }
    auto place = [&](const SchedJob& job) -> bool {
      if (q->compute_environments.empty()) {
        plan.waiting.push_back({job.job_id, NoComputeEnvironmentReason(q->name),
                                "MISCONFIGURATION:JOB_RESOURCE_REQUIREMENT"});
        return false;
      }
      Shape need = ShapeOf(job.resources);
      std::vector<CeOutcome> outcomes;
      std::vector<std::string> names;
      for (const std::string& name : q->compute_environments) {
        if (std::find(names.begin(), names.end(), name) == names.end()) names.push_back(name);
      }
      for (const std::string& name : names) {
        auto found = ce_index.find(name);
        if (found == ce_index.end()) {
          outcomes.push_back({.cause = WaitCause::kUnknownCe, .ce = name});
          continue;
        }
        const SchedComputeEnvironment& ce = cluster.compute_environments[found->second];
        if (!ce.enabled) {
          outcomes.push_back({.cause = WaitCause::kDisabled, .ce = name});
          continue;
        }
        if (need.vcpus > ce.max_vcpus) {
          outcomes.push_back(
              {.cause = WaitCause::kExceedsMaxVcpus, .ce = name, .max_vcpus = ce.max_vcpus});
          continue;
        }
        bool at_max = used[found->second] + need.vcpus > ce.max_vcpus;
        uint64_t cap = UINT64_MAX;
        if (reservation > 0) {
          double r = std::pow(reservation / 100.0, static_cast<double>(active_shares));
          cap = static_cast<uint64_t>(std::floor(ce.max_vcpus * (1 - r) + 1e-9));
        }
        bool reserved = used[found->second] + need.vcpus > cap;
        std::optional<size_t> best;
        std::optional<size_t> most_free;
        bool any_member = false;
        bool any_total_fits = false;
        Shape largest;
        for (size_t i = 0; i < cluster.nodes.size(); ++i) {
          const SchedNode& n = cluster.nodes[i];
          if (!HasLabels(n, ce.selector)) continue;
          any_member = true;
          largest = Max(largest, ShapeOf(n.total));
          if (FitsIn(need, ShapeOf(n.total))) any_total_fits = true;
          if (!n.schedulable) continue;
          if (!most_free ||
              FreeKey(free[i], n.id) > FreeKey(free[*most_free], cluster.nodes[*most_free].id)) {
            most_free = i;
          }
          if (FitsIn(need, free[i]) &&
              (!best || FreeKey(free[i], n.id) < FreeKey(free[*best], cluster.nodes[*best].id))) {
            best = i;
          }
        }
        if (!at_max && !reserved && best) {
          if (plan.placements.size() >= max_placements) {
            plan.waiting.push_back({job.job_id, PlacementLimitReason(max_placements),
                                    "CAPACITY:INSUFFICIENT_INSTANCE_CAPACITY"});
            return false;
          }
          free[*best] = Minus(free[*best], need);
          used[found->second] += need.vcpus;
          plan.placements.push_back({job.job_id, cluster.nodes[*best].id, ce.name});
          return true;
        }
        if (!any_member || (any_total_fits && !most_free)) {
          outcomes.push_back({.cause = WaitCause::kNoReadyNode, .ce = name});
        } else if (!any_total_fits) {
          outcomes.push_back({.cause = WaitCause::kNeverFits, .ce = name, .largest = largest});
        } else if (at_max) {
          outcomes.push_back({.cause = WaitCause::kAtMaxVcpus,
                              .ce = name,
                              .used_vcpus = used[found->second],
                              .max_vcpus = ce.max_vcpus});
        } else if (reserved) {
          outcomes.push_back({.cause = WaitCause::kReserved,
                              .ce = name,
                              .used_vcpus = used[found->second],
                              .max_vcpus = ce.max_vcpus,
                              .reserved_vcpus = static_cast<uint32_t>(ce.max_vcpus - cap),
                              .compute_reservation = reservation,
                              .active_shares = active_shares});
        } else {
          outcomes.push_back({.cause = WaitCause::kNoCapacity,
                              .ce = name,
                              .most_free_node = cluster.nodes[*most_free].id,
                              .most_free = free[*most_free]});
        }
      }
      plan.waiting.push_back({job.job_id, WaitReason(q->name, need, outcomes), ReferenceCode(outcomes)});
      return false;
    };
    // A queue with no CE has nothing to share: its jobs wait in the order given.
    if (q->fair_share && !q->compute_environments.empty()) {
      ReferenceFairShare(*q, place);
    } else {
      for (const SchedJob& job : q->jobs) place(job);
    }
  }
  return plan;
}

struct Scenario {
  ClusterSnapshot cluster;
  std::vector<SchedQueue> queues;
  size_t max_placements = SIZE_MAX;
};

// Makes about a third of the queues fair share. A separate generator keeps
// the rest of each scenario as it was before fair share existed.
void AddRandomFairShare(uint32_t seed, SchedQueue& q) {
  std::mt19937 rng(seed);
  auto pick = [&](auto... values) {
    std::vector<std::common_type_t<decltype(values)...>> v = {values...};
    return v[std::uniform_int_distribution<size_t>(0, v.size() - 1)(rng)];
  };
  if (!std::bernoulli_distribution(0.35)(rng)) return;
  SchedFairShare fair;
  fair.compute_reservation = pick(0u, 0u, 10u, 50u, 90u, 99u);
  for (std::string share : {"a", "b", "c", "d"}) {
    if (share == "d" && pick(0, 1) == 0) continue;  // unlisted: weight 1, usage 0
    fair.shares.push_back({share, pick(0.125, 0.5, 1.0, 3.0), pick(0.0, 0.0, 2.5, 10.0, 40.0),
                           pick(0u, 0u, 4u)});
  }
  for (SchedJob& j : q.jobs) {
    j.share = pick("a", "b", "c", "d", "e");
    j.scheduling_priority = pick(0u, 0u, 0u, 1u, 7u);
  }
  q.fair_share = fair;
}

Scenario RandomScenario(uint32_t seed) {
  std::mt19937 rng(seed);
  auto pick = [&](auto... values) {
    std::vector<std::common_type_t<decltype(values)...>> v = {values...};
    return v[std::uniform_int_distribution<size_t>(0, v.size() - 1)(rng)];
  };
  auto chance = [&](double p) { return std::bernoulli_distribution(p)(rng); };
  Scenario s;
  int nodes = std::uniform_int_distribution<int>(0, 30)(rng);
  for (int i = 0; i < nodes; ++i) {
    protocol::Labels labels;
    if (chance(0.7)) labels["pool"] = pick("a", "b");
    if (chance(0.5)) labels["rack"] = pick("r1", "r2");
    SchedNode n = MakeNode("n" + std::to_string(i), pick(1u, 2u, 4u, 8u, 16u),
                           pick(1024u, 2048u, 4096u, 8192u), pick(0u, 100u, 500u), labels);
    if (chance(0.3)) {
      n.free.vcpus = std::uniform_int_distribution<uint32_t>(0, n.total.vcpus)(rng);
      n.free.memoryMib = std::uniform_int_distribution<uint64_t>(0, n.total.memoryMib)(rng);
      n.free.diskMib = std::uniform_int_distribution<uint64_t>(0, n.total.diskMib)(rng);
    }
    n.schedulable = !chance(0.1);
    s.cluster.nodes.push_back(n);
  }
  int ces = std::uniform_int_distribution<int>(1, 4)(rng);
  std::vector<std::string> ce_names = {"ghost"};
  for (int i = 0; i < ces; ++i) {
    protocol::Labels selector;
    if (chance(0.5)) selector["pool"] = pick("a", "b");
    if (chance(0.3)) selector["rack"] = pick("r1", "r2");
    SchedComputeEnvironment ce =
        MakeCe("ce" + std::to_string(i), pick(4u, 16u, 64u, 256u), selector);
    ce.used_vcpus = std::uniform_int_distribution<uint32_t>(0, ce.max_vcpus)(rng);
    ce.enabled = !chance(0.1);
    s.cluster.compute_environments.push_back(ce);
    ce_names.push_back(ce.name);
  }
  int queues = std::uniform_int_distribution<int>(1, 3)(rng);
  for (int i = 0; i < queues; ++i) {
    std::vector<std::string> names;
    int count = std::uniform_int_distribution<int>(0, 3)(rng);
    if (count == 0 && chance(0.7)) count = 1;
    for (int c = 0; c < count; ++c)
      names.push_back(ce_names[std::uniform_int_distribution<size_t>(0, ce_names.size() - 1)(rng)]);
    std::vector<SchedJob> jobs;
    int job_count = std::uniform_int_distribution<int>(0, 40)(rng);
    for (int j = 0; j < job_count; ++j) {
      jobs.push_back(MakeJob("q" + std::to_string(i) + "-j" + std::to_string(j),
                             pick(1u, 1u, 2u, 3u, 8u, 20u), pick(128u, 512u, 2048u, 6000u),
                             pick(0u, 0u, 50u, 200u, 600u)));
    }
    s.queues.push_back(MakeQueue("q" + std::to_string(i), pick(0u, 1u, 2u), names, jobs));
    AddRandomFairShare(seed * 31 + static_cast<uint32_t>(i), s.queues.back());
  }
  if (chance(0.2)) s.max_placements = std::uniform_int_distribution<size_t>(0, 20)(rng);
  return s;
}

TEST(SchedulerRandom, MatchesBruteForceReference) {
  size_t placed = 0;
  size_t waiting = 0;
  size_t reserved = 0;
  for (uint32_t seed = 1; seed <= 500; ++seed) {
    Scenario s = RandomScenario(seed);
    Plan got = Place(s.cluster, s.queues, PlaceOptions{.max_placements = s.max_placements});
    Plan want = ReferencePlace(s.cluster, s.queues, s.max_placements);
    ASSERT_EQ(got.placements, want.placements) << "seed " << seed;
    ASSERT_EQ(got.waiting, want.waiting) << "seed " << seed;
    placed += got.placements.size();
    waiting += got.waiting.size();
    for (const WaitingJob& w : got.waiting) {
      if (w.reason.find("not active yet") != std::string::npos) ++reserved;
    }
  }
  // The scenarios exercise both outcomes in quantity, and the reservation.
  EXPECT_GT(placed, 1000u);
  EXPECT_GT(waiting, 1000u);
  EXPECT_GT(reserved, 20u);
}

TEST(SchedulerRandom, NeverOvercommitsNodesOrComputeEnvironments) {
  for (uint32_t seed = 1000; seed < 1300; ++seed) {
    Scenario s = RandomScenario(seed);
    Plan plan = Place(s.cluster, s.queues, PlaceOptions{});
    std::map<std::string, Shape> taken;
    std::map<std::string, uint64_t> ce_used;
    std::map<std::string, Shape> job_need;
    for (const SchedQueue& q : s.queues) {
      for (const SchedJob& j : q.jobs) job_need[j.job_id] = ShapeOf(j.resources);
    }
    for (const Placement& p : plan.placements) {
      Shape& t = taken[p.node_id];
      const Shape& need = job_need.at(p.job_id);
      t = {t.vcpus + need.vcpus, t.memory_mib + need.memory_mib, t.disk_mib + need.disk_mib};
      ce_used[p.compute_environment] += need.vcpus;
    }
    for (const SchedNode& n : s.cluster.nodes) {
      auto it = taken.find(n.id);
      if (it == taken.end()) continue;
      EXPECT_TRUE(n.schedulable) << "seed " << seed;
      EXPECT_TRUE(FitsIn(it->second, Min(ShapeOf(n.free), ShapeOf(n.total))))
          << "seed " << seed << " " << n.id;
    }
    for (const SchedComputeEnvironment& ce : s.cluster.compute_environments) {
      if (ce_used.count(ce.name)) {
        EXPECT_LE(ce.used_vcpus + ce_used[ce.name], ce.max_vcpus) << "seed " << seed;
      }
    }
  }
}

}  // namespace
}  // namespace gantry::coordinator
