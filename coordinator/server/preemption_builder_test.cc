#include "coordinator/server/preemption_builder.h"

#include <gtest/gtest.h>

#include "coordinator/server/plan_builder.h"
#include "coordinator/server/server_test_util.h"

namespace gantry::coordinator {
namespace {

// One 4-vCPU node in a CE shared by a low (1) and a high (10) priority queue.
void Cluster(StateBuilder& b, bool preemptible) {
  Command ce{CommandType::kCreateComputeEnvironment};
  protocol::ComputeEnvironment env;
  env.computeEnvironmentName = "ce";
  env.maxvCpus = 64;
  env.preemptible = preemptible;
  ce.computeEnvironment = env;
  b.Run(ce);
  b.Queue("low", "ce", 1).Queue("high", "ce", 10).Def("d").Node("n1", 4);
}

ClusterSnapshot Snapshot(const ClusterState& s) {
  NodeLiveness live(1000);
  for (const auto& [id, _] : s.nodes()) live.Heard(id, 0);
  return BuildSnapshot(s, live);
}

TEST(BuildPreemptionInput, OffersLowPriorityAttemptsOfPreemptibleEnvironments) {
  StateBuilder b;
  Cluster(b, /*preemptible=*/true);
  b.Submit("old", "low", 2).Submit("young", "low", 2).Place("old", "n1", "ce").Place("young", "n1", "ce");
  b.Submit("urgent", "high", 2);
  const ClusterSnapshot snap = Snapshot(b.state());
  Plan plan;
  plan.waiting.push_back({"urgent", "no room", "CAPACITY", 0});
  std::optional<PreemptionInput> in = BuildPreemptionInput(b.state(), snap, plan);
  ASSERT_TRUE(in);
  ASSERT_EQ(in->candidates.size(), 1u);
  EXPECT_EQ(in->candidates[0].queue_priority, 10u);
  EXPECT_EQ(in->running.size(), 2u);
  const PreemptionPlan decided =
      PlanPreemptions(in->nodes, in->compute_environments, in->candidates, in->running, PreemptionOptions{});
  std::vector<AttemptInterruption> victims = ToInterruptions(b.state(), decided);
  ASSERT_EQ(victims.size(), 1u);
  EXPECT_EQ(victims[0].attemptId, "young-1") << "the younger of two equal victims";
  EXPECT_EQ(victims[0].interruption.kind, protocol::InterruptionKind::kPreempted);
  EXPECT_EQ(victims[0].interruption.reason, "Preempted by job urgent (queue high, priority 10 over 1)");
}

TEST(BuildPreemptionInput, NothingWithoutAPreemptibleEnvironmentOrALowerPriority) {
  StateBuilder plain;
  Cluster(plain, /*preemptible=*/false);
  plain.Submit("a", "low", 4).Place("a", "n1", "ce").Submit("urgent", "high", 2);
  Plan plan;
  plan.waiting.push_back({"urgent", "no room", "CAPACITY", 0});
  EXPECT_FALSE(BuildPreemptionInput(plain.state(), Snapshot(plain.state()), plan));

  StateBuilder same;
  Cluster(same, /*preemptible=*/true);
  same.Submit("a", "high", 4).Place("a", "n1", "ce").Submit("urgent", "high", 2);
  EXPECT_FALSE(BuildPreemptionInput(same.state(), Snapshot(same.state()), plan)) << "equal priority never preempts";
}

TEST(BuildPreemptionInput, AnInterruptedAttemptIsStoppingAndNotOfferedAgain) {
  StateBuilder b;
  Cluster(b, /*preemptible=*/true);
  b.Submit("a", "low", 4).Place("a", "n1", "ce").Submit("urgent", "high", 2);
  Command interrupt{CommandType::kInterruptAttempts};
  interrupt.interrupt = InterruptAttemptsCommand{{{"a-1", {protocol::InterruptionKind::kPreempted, "preempted"}}}};
  b.Run(interrupt);
  Plan plan;
  plan.waiting.push_back({"urgent", "no room", "CAPACITY", 0});
  std::optional<PreemptionInput> in = BuildPreemptionInput(b.state(), Snapshot(b.state()), plan);
  ASSERT_TRUE(in) << "the waiting job is told what it waits for";
  const PreemptionPlan decided =
      PlanPreemptions(in->nodes, in->compute_environments, in->candidates, in->running, PreemptionOptions{});
  EXPECT_TRUE(ToInterruptions(b.state(), decided).empty()) << "no second victim";
  ASSERT_EQ(decided.waiting_for_stop.size(), 1u);
  EXPECT_EQ(decided.waiting_for_stop[0].node_id, "n1");
}

TEST(BuildPreemptionInput, CountsThePassOwnPlacementsAsTaken) {
  StateBuilder b;
  Cluster(b, /*preemptible=*/true);
  b.Submit("a", "low", 1).Place("a", "n1", "ce").Submit("placed", "high", 3).Submit("urgent", "high", 1);
  Plan plan;
  plan.placements.push_back({"placed", "n1", "ce"});
  plan.waiting.push_back({"urgent", "no room", "CAPACITY", 0});
  std::optional<PreemptionInput> in = BuildPreemptionInput(b.state(), Snapshot(b.state()), plan);
  ASSERT_TRUE(in);
  EXPECT_EQ(in->nodes[0].free.vcpus, 0u);
  for (const PreemptionCe& ce : in->compute_environments) {
    if (ce.name == "ce") {
      EXPECT_EQ(ce.used_vcpus, 4u);
    }
  }
}

}  // namespace
}  // namespace gantry::coordinator
