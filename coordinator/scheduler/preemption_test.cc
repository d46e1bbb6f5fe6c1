// PlanPreemptions(): who may preempt whom, which victims win, how capacity
// coming back is shared, and invariants over many random clusters.
#include "coordinator/scheduler/preemption.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <map>
#include <random>
#include <set>
#include <string>

#include "coordinator/scheduler/scheduler_test_util.h"

namespace gantry::coordinator {
namespace {

using scheduler_testing::MakeNode;
using ::testing::ElementsAre;
using ::testing::IsEmpty;

// A node with `used` vCPUs and `used` GiB already reserved.
SchedNode Busy(std::string id, uint32_t vcpus, uint32_t used, protocol::Labels labels = {}) {
  SchedNode n = MakeNode(std::move(id), vcpus, vcpus * 1024ull, 0, std::move(labels));
  n.free = {vcpus - used, (vcpus - used) * 1024ull, 0};
  return n;
}

PreemptionCe Ce(std::string name, bool preemptible, uint32_t max_vcpus = 1024, uint32_t used = 0) {
  PreemptionCe ce;
  ce.name = std::move(name);
  ce.preemptible = preemptible;
  ce.max_vcpus = max_vcpus;
  ce.used_vcpus = used;
  return ce;
}

PreemptionCandidate Job(std::string id, uint32_t priority, uint32_t vcpus,
                        std::vector<std::string> ces = {"ce"}, uint64_t disk = 0) {
  return {std::move(id), priority, {vcpus, vcpus * 1024ull, disk}, std::move(ces)};
}

RunningAttempt Live(std::string id, std::string node, uint32_t priority, uint32_t vcpus,
                   int64_t placed_at, std::string ce = "ce", uint64_t disk = 0) {
  return {"job-" + id, id, std::move(node), std::move(ce), priority, {vcpus, vcpus * 1024ull, disk},
          placed_at, false};
}

RunningAttempt Stopping(RunningAttempt a) {
  a.stopping = true;
  return a;
}

struct World {
  std::vector<SchedNode> nodes;
  std::vector<PreemptionCe> ces;
  std::vector<PreemptionCandidate> candidates;
  std::vector<RunningAttempt> running;
  PreemptionPlan Plan(size_t cap = 16) const {
    return PlanPreemptions(nodes, ces, candidates, running, PreemptionOptions{cap});
  }
};

TEST(Preemption, HighDisplacesLowOnPreemptibleCe) {
  World w{{Busy("n1", 4, 4)}, {Ce("ce", true)}, {Job("h1", 10, 4)}, {Live("a-low", "n1", 1, 4, 100)}};
  PreemptionPlan plan = w.Plan();
  EXPECT_THAT(plan.preemptions, ElementsAre(Preemption{"h1", "n1", "ce", {"a-low"}}));
  EXPECT_THAT(plan.waiting_for_stop, IsEmpty());
}

TEST(Preemption, NothingRunningInNonPreemptibleCe) {
  World w{{Busy("n1", 4, 4)}, {Ce("ce", false)}, {Job("h1", 10, 4)}, {Live("a", "n1", 1, 4, 100)}};
  EXPECT_THAT(w.Plan().preemptions, IsEmpty());
  // The victim's CE decides, not the candidate's: "ce" is preemptible, but
  // the attempt runs in "batch", which is not.
  w.ces = {Ce("ce", true), Ce("batch", false)};
  w.running = {Live("a", "n1", 1, 4, 100, "batch")};
  EXPECT_THAT(w.Plan().preemptions, IsEmpty());
}

TEST(Preemption, NeverPreemptsEqualOrHigherPriority) {
  World w{{Busy("n1", 8, 8)}, {Ce("ce", true)}, {Job("h1", 10, 4)},
          {Live("eq", "n1", 10, 4, 100), Live("hi", "n1", 11, 4, 200)}};
  EXPECT_THAT(w.Plan().preemptions, IsEmpty());
  w.candidates = {Job("top", 12, 4)};
  EXPECT_THAT(w.Plan().preemptions, ElementsAre(Preemption{"top", "n1", "ce", {"hi"}}));
}

TEST(Preemption, FewestVictimsWins) {
  // On one node: the big attempt alone, though older than the two small ones.
  World w{{Busy("n1", 8, 8)}, {Ce("ce", true)}, {Job("h1", 10, 4)},
          {Live("s1", "n1", 1, 2, 100), Live("s2", "n1", 1, 2, 150), Live("big", "n1", 1, 4, 50)}};
  EXPECT_THAT(w.Plan().preemptions, ElementsAre(Preemption{"h1", "n1", "ce", {"big"}}));
  // Across nodes: one old victim on n2 beats two young ones on n1.
  w.nodes = {Busy("n1", 4, 4), Busy("n2", 4, 4)};
  w.running = {Live("s1", "n1", 1, 2, 500), Live("s2", "n1", 1, 2, 600), Live("old", "n2", 1, 4, 100)};
  EXPECT_THAT(w.Plan().preemptions, ElementsAre(Preemption{"h1", "n2", "ce", {"old"}}));
}

TEST(Preemption, PrefersYoungestAmongEquals) {
  World w{{Busy("n1", 8, 8)}, {Ce("ce", true)}, {Job("h1", 10, 4)},
          {Live("old", "n1", 1, 4, 100), Live("young", "n1", 1, 4, 200)}};
  EXPECT_THAT(w.Plan().preemptions, ElementsAre(Preemption{"h1", "n1", "ce", {"young"}}));
  w.nodes = {Busy("n1", 4, 4), Busy("n2", 4, 4)};
  w.running = {Live("old", "n1", 1, 4, 100), Live("young", "n2", 1, 4, 200)};
  EXPECT_THAT(w.Plan().preemptions, ElementsAre(Preemption{"h1", "n2", "ce", {"young"}}));
}

TEST(Preemption, SmallerVictimVcpusThenNodeIdBreakTies) {
  World w{{Busy("n1", 8, 8), Busy("n2", 4, 4)}, {Ce("ce", true)}, {Job("h1", 10, 4)},
          {Live("big", "n1", 1, 8, 100), Live("small", "n2", 1, 4, 100)}};
  EXPECT_THAT(w.Plan().preemptions, ElementsAre(Preemption{"h1", "n2", "ce", {"small"}}));
  w.nodes = {Busy("n2", 4, 4), Busy("n1", 4, 4)};
  w.running = {Live("b", "n2", 1, 4, 100), Live("a", "n1", 1, 4, 100)};
  EXPECT_THAT(w.Plan().preemptions, ElementsAre(Preemption{"h1", "n1", "ce", {"a"}}));
}

TEST(Preemption, DropsVictimsTheSetDoesNotNeed) {
  // Greedy takes x first (most coverage), then y and z; y + z alone cover
  // the need, so x goes: two victims, the minimum.
  World w{{MakeNode("n1", 8, 8192, 0)}, {Ce("ce", true)}, {Job("h1", 10, 4)}, {}};
  w.nodes[0].free = {0, 0, 0};
  w.running = {Live("x", "n1", 1, 4, 300), Live("y", "n1", 1, 2, 100), Live("z", "n1", 1, 2, 200)};
  w.running[0].resources.memoryMib = 1024;
  EXPECT_THAT(w.Plan().preemptions, ElementsAre(Preemption{"h1", "n1", "ce", {"z", "y"}}));
}

TEST(Preemption, StoppingAttemptsCoverTheJob) {
  World w{{Busy("n1", 8, 8)}, {Ce("ce", true)}, {Job("h1", 10, 4)},
          {Stopping(Live("going", "n1", 1, 4, 100)), Live("low", "n1", 1, 4, 200)}};
  PreemptionPlan plan = w.Plan();
  EXPECT_THAT(plan.preemptions, IsEmpty());
  EXPECT_THAT(plan.waiting_for_stop, ElementsAre(StopWait{"h1", "n1", "ce"}));
  // A stopping attempt is never a victim, even when it is the only one.
  w.running = {Stopping(Live("going", "n1", 1, 8, 100))};
  w.candidates = {Job("h1", 10, 4), Job("h2", 10, 4), Job("h3", 10, 4)};
  plan = w.Plan();
  EXPECT_THAT(plan.preemptions, IsEmpty());
  EXPECT_THAT(plan.waiting_for_stop, ElementsAre(StopWait{"h1", "n1", "ce"}, StopWait{"h2", "n1", "ce"}));
}

TEST(Preemption, CandidatesDoNotShareCapacity) {
  World w{{Busy("n1", 8, 8)}, {Ce("ce", true)}, {Job("h1", 10, 4), Job("h2", 10, 4)},
          {Live("a", "n1", 1, 4, 200), Live("b", "n1", 1, 4, 100)}};
  EXPECT_THAT(w.Plan().preemptions, ElementsAre(Preemption{"h1", "n1", "ce", {"a"}},
                                                Preemption{"h2", "n1", "ce", {"b"}}));
  // One victim freeing 8 vCPUs covers h1 and what it leaves covers h2.
  w.running = {Live("big", "n1", 1, 8, 100)};
  PreemptionPlan plan = w.Plan();
  EXPECT_THAT(plan.preemptions, ElementsAre(Preemption{"h1", "n1", "ce", {"big"}}));
  EXPECT_THAT(plan.waiting_for_stop, ElementsAre(StopWait{"h2", "n1", "ce"}));
}

TEST(Preemption, RespectsComputeEnvironmentMaxVcpus) {
  // "ce" is at its max: only a victim running in "ce" makes room in it, so
  // the younger attempt in "other" is passed over.
  World w{{Busy("n1", 12, 12)}, {Ce("ce", true, 8, 8), Ce("other", true)}, {Job("h1", 10, 4)},
          {Live("x", "n1", 1, 4, 300, "other"), Live("y", "n1", 1, 4, 100), Live("z", "n1", 1, 4, 200)}};
  EXPECT_THAT(w.Plan().preemptions, ElementsAre(Preemption{"h1", "n1", "ce", {"z"}}));
  w.running = {Live("x", "n1", 1, 12, 300, "other")};
  EXPECT_THAT(w.Plan().preemptions, IsEmpty());
  // A stopping attempt of "ce" gives its vCPUs back to the CE as well.
  w.running = {Live("x", "n1", 1, 8, 300, "other"), Stopping(Live("s", "n1", 1, 4, 100))};
  PreemptionPlan plan = w.Plan();
  EXPECT_THAT(plan.preemptions, IsEmpty());
  EXPECT_THAT(plan.waiting_for_stop, ElementsAre(StopWait{"h1", "n1", "ce"}));
}

TEST(Preemption, DiskNeedsANodeThatEnforcesIt) {
  SchedNode no_quota = MakeNode("n1", 4, 4096, 8192);
  no_quota.free = {0, 0, 8192};
  no_quota.enforces_disk = false;
  SchedNode quota = MakeNode("n2", 8, 8192, 8192);
  quota.free = {0, 0, 0};
  World w{{no_quota, quota}, {Ce("ce", true)}, {Job("h1", 10, 4, {"ce"}, 1024)},
          {Live("a", "n1", 1, 4, 900), Live("nodisk", "n2", 1, 4, 800),
           Live("disk", "n2", 1, 4, 100, "ce", 2048)}};
  // n1 counts as diskless; on n2 only the attempt holding disk frees enough.
  EXPECT_THAT(w.Plan().preemptions, ElementsAre(Preemption{"h1", "n2", "ce", {"disk"}}));
}

TEST(Preemption, SpotComputeEnvironmentsTakeOnlySpotNodes) {
  protocol::Labels spot = {{protocol::kCapacityTypeLabel, "spot"}};
  PreemptionCe spot_ce = Ce("spot", true);
  spot_ce.spot = true;
  World w{{Busy("n1", 4, 4), Busy("n2", 4, 4, spot)}, {Ce("ce", true), spot_ce}, {Job("h1", 10, 4, {"spot"})},
          {Live("a", "n1", 1, 4, 100, "ce"), Live("b", "n2", 1, 4, 100, "spot")}};
  EXPECT_THAT(w.Plan().preemptions, ElementsAre(Preemption{"h1", "n2", "spot", {"b"}}));
  w.candidates = {Job("h1", 10, 4, {"ce"})};
  EXPECT_THAT(w.Plan().preemptions, ElementsAre(Preemption{"h1", "n1", "ce", {"a"}}));
}

TEST(Preemption, SkipsUnschedulableNodesAndDisabledCes) {
  World w{{Busy("n1", 4, 4)}, {Ce("ce", true)}, {Job("h1", 10, 4)}, {Live("a", "n1", 1, 4, 100)}};
  w.nodes[0].schedulable = false;
  EXPECT_THAT(w.Plan().preemptions, IsEmpty());
  w.nodes[0].schedulable = true;
  w.ces[0].enabled = false;
  EXPECT_THAT(w.Plan().preemptions, IsEmpty());
}

TEST(Preemption, CapsCandidatesWithVictimsHighestPriorityFirst) {
  World w{{Busy("n1", 12, 12)}, {Ce("ce", true)}, {Job("p5", 5, 4), Job("p9", 9, 4), Job("p7", 7, 4)},
          {Live("a", "n1", 1, 4, 100), Live("b", "n1", 1, 4, 200), Live("c", "n1", 1, 4, 300)}};
  EXPECT_THAT(w.Plan(2).preemptions, ElementsAre(Preemption{"p9", "n1", "ce", {"c"}},
                                                 Preemption{"p7", "n1", "ce", {"b"}}));
  EXPECT_EQ(w.Plan().preemptions.size(), 3u);
  EXPECT_THAT(w.Plan(0).preemptions, IsEmpty());
}

// A random cluster: nodes full of attempts of random priority, some of them
// stopping, and candidates of random priority and size.
World RandomWorld(uint32_t seed) {
  std::mt19937 rng(seed);
  auto pick = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };
  World w;
  const std::vector<protocol::Labels> selectors = {{}, {{"rack", "r0"}}, {{"rack", "r1"}}};
  for (int c = 0, n = pick(1, 3); c < n; ++c) {
    PreemptionCe ce = Ce("ce" + std::to_string(c), pick(0, 3) > 0, pick(16, 128));
    ce.spot = pick(0, 3) == 0;
    ce.enabled = pick(0, 9) > 0;
    ce.selector = selectors[pick(0, 2)];
    w.ces.push_back(ce);
  }
  for (int i = 0, n = pick(1, 6); i < n; ++i) {
    protocol::Labels labels = {{"rack", "r" + std::to_string(pick(0, 1))}};
    if (pick(0, 2) == 0) labels[protocol::kCapacityTypeLabel] = "spot";
    SchedNode node = MakeNode("n" + std::to_string(i), pick(2, 16), pick(2, 24) * 1024ull,
                              pick(0, 1) * pick(1, 8) * 1024ull, labels);
    node.enforces_disk = pick(0, 3) > 0;
    node.schedulable = pick(0, 7) > 0;
    for (int a = 0; a < 12; ++a) {
      protocol::Resources r{static_cast<uint32_t>(pick(1, 6)), pick(1, 6) * 512ull, pick(0, 2) * 512ull};
      if (r.vcpus > node.free.vcpus || r.memoryMib > node.free.memoryMib || r.diskMib > node.free.diskMib)
        continue;
      node.free = {node.free.vcpus - r.vcpus, node.free.memoryMib - r.memoryMib,
                   node.free.diskMib - r.diskMib};
      PreemptionCe& ce = w.ces[pick(0, static_cast<int>(w.ces.size()) - 1)];
      ce.used_vcpus += r.vcpus;
      w.running.push_back({"j", "a" + std::to_string(w.running.size()), node.id, ce.name,
                           static_cast<uint32_t>(pick(0, 5)), r, pick(0, 50), pick(0, 4) == 0});
    }
    w.nodes.push_back(node);
  }
  for (int i = 0, n = pick(1, 8); i < n; ++i) {
    PreemptionCandidate c = Job("c" + std::to_string(i), pick(0, 6), pick(1, 8), {});
    c.resources.diskMib = pick(0, 3) == 0 ? 512 : 0;
    for (const PreemptionCe& ce : w.ces)
      if (pick(0, 1)) c.compute_environments.push_back(ce.name);
    if (c.compute_environments.empty()) c.compute_environments.push_back(w.ces[0].name);
    w.candidates.push_back(c);
  }
  return w;
}

TEST(Preemption, SameInputSameOutput) {
  for (uint32_t seed = 0; seed < 50; ++seed) {
    World w = RandomWorld(seed);
    PreemptionPlan a = w.Plan(), b = w.Plan();
    EXPECT_EQ(a.preemptions, b.preemptions);
    EXPECT_EQ(a.waiting_for_stop, b.waiting_for_stop);
  }
}

// Replays every decision in the order the candidates were considered and
// checks it against the rules in preemption.h.
TEST(Preemption, RandomClustersKeepTheRules) {
  size_t preempted = 0, waited = 0;
  for (uint32_t seed = 0; seed < 400; ++seed) {
    SCOPED_TRACE("seed " + std::to_string(seed));
    World w = RandomWorld(seed);
    PreemptionPlan plan = w.Plan(3);
    ASSERT_LE(plan.preemptions.size(), 3u);
    preempted += plan.preemptions.size();
    waited += plan.waiting_for_stop.size();

    std::map<std::string, const SchedNode*> nodes;
    std::map<std::string, std::array<int64_t, 3>> pool;
    for (const SchedNode& n : w.nodes) {
      nodes[n.id] = &n;
      // A node without disk quotas counts as diskless (see scheduler.h).
      pool[n.id] = {n.free.vcpus, static_cast<int64_t>(n.free.memoryMib),
                    n.enforces_disk ? static_cast<int64_t>(n.free.diskMib) : 0};
    }
    std::map<std::string, const PreemptionCe*> ces;
    std::map<std::string, int64_t> used;
    for (const PreemptionCe& c : w.ces) {
      ces[c.name] = &c;
      used[c.name] = c.used_vcpus;
    }
    std::map<std::string, const RunningAttempt*> attempts;
    for (const RunningAttempt& a : w.running) {
      attempts[a.attempt_id] = &a;
      if (!a.stopping) continue;
      pool[a.node_id][0] += a.resources.vcpus;
      pool[a.node_id][1] += a.resources.memoryMib;
      pool[a.node_id][2] += a.resources.diskMib;
      used[a.compute_environment] -= a.resources.vcpus;
    }
    std::map<std::string, const PreemptionCandidate*> candidates;
    std::map<std::string, size_t> position;
    std::vector<const PreemptionCandidate*> order;
    for (const PreemptionCandidate& c : w.candidates) {
      candidates[c.job_id] = &c;
      order.push_back(&c);
    }
    std::stable_sort(order.begin(), order.end(),
                     [](auto* a, auto* b) { return a->queue_priority > b->queue_priority; });
    for (size_t i = 0; i < order.size(); ++i) position[order[i]->job_id] = i;

    std::vector<Preemption> decisions = plan.preemptions;
    for (const StopWait& s : plan.waiting_for_stop)
      decisions.push_back({s.job_id, s.node_id, s.compute_environment, {}});
    std::sort(decisions.begin(), decisions.end(),
              [&](auto& a, auto& b) { return position[a.job_id] < position[b.job_id]; });
    std::set<std::string> victims, satisfied;
    for (const Preemption& p : decisions) {
      ASSERT_TRUE(satisfied.insert(p.job_id).second) << "candidate twice: " << p.job_id;
      const PreemptionCandidate& c = *candidates.at(p.job_id);
      const SchedNode& node = *nodes.at(p.node_id);
      const PreemptionCe& ce = *ces.at(p.compute_environment);
      ASSERT_TRUE(node.schedulable && ce.enabled);
      ASSERT_TRUE(protocol::MatchesSelector(node.labels, ce.selector));
      ASSERT_EQ(protocol::IsSpotNode(node.labels), ce.spot);
      ASSERT_NE(std::find(c.compute_environments.begin(), c.compute_environments.end(), ce.name),
                c.compute_environments.end());
      ASSERT_TRUE(c.resources.diskMib == 0 || node.enforces_disk);
      std::array<int64_t, 3> freed{};
      int64_t last_placed = INT64_MAX;
      for (const std::string& id : p.victim_attempt_ids) {
        const RunningAttempt& a = *attempts.at(id);
        ASSERT_TRUE(victims.insert(id).second) << "victim twice: " << id;
        EXPECT_FALSE(a.stopping);
        EXPECT_LT(a.queue_priority, c.queue_priority);
        EXPECT_TRUE(ces.at(a.compute_environment)->preemptible);
        EXPECT_EQ(a.node_id, p.node_id);
        EXPECT_LE(a.placed_at, last_placed) << "victims youngest first";
        last_placed = a.placed_at;
        freed[0] += a.resources.vcpus;
        freed[1] += a.resources.memoryMib;
        freed[2] += a.resources.diskMib;
        used[a.compute_environment] -= a.resources.vcpus;
      }
      // After the victims go, the candidate fits on its node and in its CE.
      const std::array<int64_t, 3> need = {c.resources.vcpus, static_cast<int64_t>(c.resources.memoryMib),
                                           static_cast<int64_t>(c.resources.diskMib)};
      auto& free = pool[p.node_id];
      for (size_t d = 0; d < 3; ++d) {
        free[d] += freed[d] - need[d];
        EXPECT_GE(free[d], 0) << "dimension " << d << " on " << p.node_id;
      }
      used[ce.name] += need[0];
      EXPECT_LE(used[ce.name], ce.max_vcpus);
      // No victim is superfluous: without any one of them it would not fit.
      for (const std::string& id : p.victim_attempt_ids) {
        const RunningAttempt& a = *attempts.at(id);
        const bool node_short = free[0] < a.resources.vcpus || free[1] < int64_t(a.resources.memoryMib) ||
                                free[2] < int64_t(a.resources.diskMib);
        const bool ce_short = a.compute_environment == ce.name &&
                              used[ce.name] + a.resources.vcpus > ce.max_vcpus;
        EXPECT_TRUE(node_short || ce_short) << "victim " << id << " not needed";
      }
    }
  }
  // The generator must exercise both outcomes, or the test proves little.
  EXPECT_GT(preempted, 100u);
  EXPECT_GT(waited, 50u);
}

}  // namespace
}  // namespace gantry::coordinator
