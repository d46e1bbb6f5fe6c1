#include "coordinator/server/plan_builder.h"

#include <gtest/gtest.h>

#include "coordinator/server/server_test_util.h"

namespace gantry::coordinator {
namespace {

TEST(PlanBuilder, OnlyHeardNodesAreSchedulable) {
  StateBuilder b;
  b.Ce("ce").Queue("q", "ce").Def("d").Node("n1").Node("n2");
  NodeLiveness live(1000);
  live.Heard("n1", 0);
  ClusterSnapshot snap = BuildSnapshot(b.state(), live);
  ASSERT_EQ(snap.nodes.size(), 2u);
  EXPECT_TRUE(snap.nodes[0].schedulable);
  EXPECT_FALSE(snap.nodes[1].schedulable);
}

TEST(PlanBuilder, QueuesCarryRunnableJobsInFifoOrderWithPriority) {
  StateBuilder b;
  b.Ce("ce").Queue("lo", "ce", 1).Queue("hi", "ce", 9).Def("d").Node("n1");
  b.Submit("a", "lo").Submit("b", "hi").Submit("c", "lo").Place("a", "n1", "ce");
  auto queues = BuildQueues(b.state());
  ASSERT_EQ(queues.size(), 2u);
  const SchedQueue& hi = queues[0].name == "hi" ? queues[0] : queues[1];
  const SchedQueue& lo = queues[0].name == "lo" ? queues[0] : queues[1];
  EXPECT_EQ(hi.priority, 9u);
  ASSERT_EQ(lo.jobs.size(), 1u);  // "a" is placed, no longer RUNNABLE
  EXPECT_EQ(lo.jobs[0].job_id, "c");
  EXPECT_EQ(lo.compute_environments, std::vector<std::string>{"ce"});
}

TEST(PlanBuilder, IncrementalQueuesHoldOnlyTheGivenRunnableJobs) {
  StateBuilder b;
  b.Ce("ce").Queue("q", "ce").Def("d").Node("n1");
  b.Submit("a", "q").Submit("b", "q").Submit("c", "q").Place("c", "n1", "ce");
  std::vector<std::string> only = {"c", "b", "nope"};
  auto queues = BuildQueues(b.state(), &only);
  ASSERT_EQ(queues.size(), 1u);
  ASSERT_EQ(queues[0].jobs.size(), 1u);  // "c" is placed, "nope" unknown, "a" not asked for
  EXPECT_EQ(queues[0].jobs[0].job_id, "b");
}

TEST(PlanBuilder, CommandCarriesThePlacements) {
  Plan plan;
  plan.waiting = {{"j2", "needs 8 vCPU"}};
  plan.placements = {{"j3", "n1", "ce"}};
  ApplyPlanCommand cmd = ToCommand(plan);
  ASSERT_EQ(cmd.placements.size(), 1u);
  EXPECT_EQ(cmd.placements[0].jobId, "j3");
  EXPECT_EQ(cmd.placements[0].nodeId, "n1");
  EXPECT_EQ(cmd.placements[0].computeEnvironment, "ce");
}

}  // namespace
}  // namespace gantry::coordinator
