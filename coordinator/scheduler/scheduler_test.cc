// Placement rules of Place(): queue order, FIFO and backfill, compute
// environment membership, best fit, and the limits it never breaks.
#include "coordinator/scheduler/scheduler.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>

#include "coordinator/scheduler/scheduler_test_util.h"
#include "coordinator/scheduler/wait_reason.h"

namespace gantry::coordinator {
namespace {

using scheduler_testing::MakeCe;
using scheduler_testing::MakeJob;
using scheduler_testing::MakeNode;
using scheduler_testing::MakeQueue;
using scheduler_testing::NodeOf;
using scheduler_testing::PlaceAll;
using scheduler_testing::PlacedJobs;
using scheduler_testing::ReasonOf;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using scheduler_testing::kGiB;
using ::testing::IsEmpty;
using ::testing::Pair;
using ::testing::UnorderedElementsAre;

TEST(Scheduler, ServesHigherPriorityQueueFirst) {
  ClusterSnapshot cluster{{MakeNode("n1", 4, 4096, 0)}, {MakeCe("ce")}};
  std::vector<SchedQueue> queues = {
      MakeQueue("low", 1, {"ce"}, {MakeJob("l1", 4, 1024)}),
      MakeQueue("high", 10, {"ce"}, {MakeJob("h1", 4, 1024)}),
  };
  Plan plan = PlaceAll(cluster, queues);
  EXPECT_THAT(PlacedJobs(plan), ElementsAre("h1"));
  ASSERT_EQ(plan.waiting.size(), 1u);
  EXPECT_EQ(plan.waiting[0].job_id, "l1");
}

TEST(Scheduler, BreaksPriorityTiesByQueueName) {
  ClusterSnapshot cluster{{MakeNode("n1", 4, 4096, 0)}, {MakeCe("ce")}};
  std::vector<SchedQueue> queues = {
      MakeQueue("zeta", 5, {"ce"}, {MakeJob("z1", 4, 1024)}),
      MakeQueue("alpha", 5, {"ce"}, {MakeJob("a1", 4, 1024)}),
  };
  EXPECT_THAT(PlacedJobs(PlaceAll(cluster, queues)), ElementsAre("a1"));
}

TEST(Scheduler, TakesJobsFifoWithinQueue) {
  ClusterSnapshot cluster{{MakeNode("n1", 3, 4096, 0)}, {MakeCe("ce")}};
  std::vector<SchedQueue> queues = {MakeQueue("q", 1, {"ce"},
                                              {MakeJob("j1", 1, 128), MakeJob("j2", 1, 128),
                                               MakeJob("j3", 1, 128), MakeJob("j4", 1, 128)})};
  Plan plan = PlaceAll(cluster, queues);
  EXPECT_THAT(PlacedJobs(plan), ElementsAre("j1", "j2", "j3"));
  ASSERT_EQ(plan.waiting.size(), 1u);
  EXPECT_EQ(plan.waiting[0].job_id, "j4");
}

TEST(Scheduler, BackfillsPastJobThatDoesNotFit) {
  ClusterSnapshot cluster{{MakeNode("n1", 4, 4096, 0)}, {MakeCe("ce")}};
  std::vector<SchedQueue> queues = {
      MakeQueue("q", 1, {"ce"},
                {MakeJob("big", 8, 128), MakeJob("small", 2, 128), MakeJob("huge-mem", 1, 8192),
                 MakeJob("small2", 2, 128)})};
  Plan plan = PlaceAll(cluster, queues);
  EXPECT_THAT(PlacedJobs(plan), ElementsAre("small", "small2"));
  ASSERT_EQ(plan.waiting.size(), 2u);
  EXPECT_EQ(plan.waiting[0].job_id, "big");
  EXPECT_EQ(plan.waiting[1].job_id, "huge-mem");
}

TEST(Scheduler, TriesComputeEnvironmentsInOrder) {
  ClusterSnapshot cluster{{MakeNode("spot1", 4, 4096, 0, {{"capacity", "spot"}}),
                           MakeNode("od1", 2, 4096, 0, {{"capacity", "on-demand"}})},
                          {MakeCe("spot", 1024, {{"capacity", "spot"}}),
                           MakeCe("ondemand", 1024, {{"capacity", "on-demand"}})}};
  std::vector<SchedQueue> queues = {
      MakeQueue("q", 1, {"spot", "ondemand"},
                {MakeJob("j1", 2, 128), MakeJob("j2", 2, 128), MakeJob("j3", 2, 128)})};
  Plan plan = PlaceAll(cluster, queues);
  ASSERT_EQ(plan.placements.size(), 3u);
  EXPECT_EQ(plan.placements[0], (Placement{"j1", "spot1", "spot"}));
  EXPECT_EQ(plan.placements[1], (Placement{"j2", "spot1", "spot"}));
  EXPECT_EQ(plan.placements[2], (Placement{"j3", "od1", "ondemand"}));
}

TEST(Scheduler, SkipsDisabledComputeEnvironment) {
  SchedComputeEnvironment off = MakeCe("off");
  off.enabled = false;
  ClusterSnapshot cluster{{MakeNode("n1", 4, 4096, 0)}, {off, MakeCe("on")}};
  std::vector<SchedQueue> queues = {MakeQueue("q", 1, {"off", "on"}, {MakeJob("j1", 1, 128)})};
  Plan plan = PlaceAll(cluster, queues);
  ASSERT_EQ(plan.placements.size(), 1u);
  EXPECT_EQ(plan.placements[0].compute_environment, "on");
}

TEST(Scheduler, SkipsUnknownComputeEnvironment) {
  ClusterSnapshot cluster{{MakeNode("n1", 4, 4096, 0)}, {MakeCe("ce")}};
  std::vector<SchedQueue> queues = {MakeQueue("q", 1, {"missing", "ce"}, {MakeJob("j1", 1, 128)})};
  Plan plan = PlaceAll(cluster, queues);
  ASSERT_EQ(plan.placements.size(), 1u);
  EXPECT_EQ(plan.placements[0].compute_environment, "ce");
}

TEST(Scheduler, NodeBelongsWhenItHasEverySelectorLabel) {
  ClusterSnapshot cluster{
      {MakeNode("a-only-rack", 8, 4096, 0, {{"rack", "r1"}}),
       MakeNode("b-wrong-value", 8, 4096, 0, {{"rack", "r1"}, {"capacity", "on-demand"}}),
       MakeNode("c-match", 16, 4096, 0, {{"rack", "r1"}, {"capacity", "spot"}, {"extra", "x"}})},
      {MakeCe("ce", 1024, {{"rack", "r1"}, {"capacity", "spot"}})}};
  std::vector<SchedQueue> queues = {MakeQueue("q", 1, {"ce"}, {MakeJob("j1", 1, 128)})};
  EXPECT_THAT(NodeOf(PlaceAll(cluster, queues)), ElementsAre(Pair("j1", "c-match")));
}

TEST(Scheduler, EmptySelectorTakesEveryNode) {
  ClusterSnapshot cluster{
      {MakeNode("n1", 1, 4096, 0, {{"capacity", "spot"}}), MakeNode("n2", 1, 4096, 0)},
      {MakeCe("all")}};
  std::vector<SchedQueue> queues = {
      MakeQueue("q", 1, {"all"}, {MakeJob("j1", 1, 128), MakeJob("j2", 1, 128)})};
  EXPECT_THAT(NodeOf(PlaceAll(cluster, queues)),
              UnorderedElementsAre(Pair("j1", "n1"), Pair("j2", "n2")));
}

TEST(Scheduler, NodeInSeveralComputeEnvironmentsSharesItsFreeCapacity) {
  // n1 is in both CEs: what q1 takes through "spot" is gone for q2 through "all".
  ClusterSnapshot cluster{{MakeNode("n1", 4, 4096, 0, {{"capacity", "spot"}})},
                          {MakeCe("spot", 1024, {{"capacity", "spot"}}), MakeCe("all")}};
  std::vector<SchedQueue> queues = {
      MakeQueue("q1", 2, {"spot"}, {MakeJob("a", 3, 1024)}),
      MakeQueue("q2", 1, {"all"}, {MakeJob("b", 2, 1024), MakeJob("c", 1, 1024)})};
  Plan plan = PlaceAll(cluster, queues);
  EXPECT_THAT(NodeOf(plan), UnorderedElementsAre(Pair("a", "n1"), Pair("c", "n1")));
  ASSERT_TRUE(ReasonOf(plan, "b").has_value());
}

TEST(Scheduler, PicksNodeWithLeastFreeVcpus) {
  ClusterSnapshot cluster{
      {MakeNode("big", 32, 65536, 0), MakeNode("mid", 8, 65536, 0), MakeNode("tiny", 2, 65536, 0)},
      {MakeCe("ce")}};
  std::vector<SchedQueue> queues = {MakeQueue("q", 1, {"ce"}, {MakeJob("j1", 4, 128)})};
  EXPECT_THAT(NodeOf(PlaceAll(cluster, queues)), ElementsAre(Pair("j1", "mid")));
}

TEST(Scheduler, BreaksBestFitTiesByMemoryThenDiskThenId) {
  ClusterSnapshot cluster{
      {MakeNode("a-more-mem", 8, 8192, 100), MakeNode("b-more-disk", 8, 4096, 500),
       MakeNode("d-tight", 8, 4096, 100), MakeNode("c-tight", 8, 4096, 100)},
      {MakeCe("ce")}};
  std::vector<SchedQueue> queues = {
      MakeQueue("q", 1, {"ce"},
                {MakeJob("j1", 8, 1024, 10), MakeJob("j2", 8, 1024, 10), MakeJob("j3", 8, 1024, 10),
                 MakeJob("j4", 8, 1024, 10)})};
  Plan plan = PlaceAll(cluster, queues);
  ASSERT_EQ(plan.placements.size(), 4u);
  EXPECT_EQ(plan.placements[0].node_id, "c-tight");
  EXPECT_EQ(plan.placements[1].node_id, "d-tight");
  EXPECT_EQ(plan.placements[2].node_id, "b-more-disk");
  EXPECT_EQ(plan.placements[3].node_id, "a-more-mem");
}

TEST(Scheduler, PacksOntoThePartlyUsedNode) {
  ClusterSnapshot cluster{{MakeNode("n1", 8, 65536, 0), MakeNode("n2", 8, 65536, 0)},
                          {MakeCe("ce")}};
  std::vector<SchedQueue> queues = {MakeQueue(
      "q", 1, {"ce"}, {MakeJob("j1", 2, 128), MakeJob("j2", 2, 128), MakeJob("j3", 2, 128)})};
  Plan plan = PlaceAll(cluster, queues);
  EXPECT_THAT(NodeOf(plan), ElementsAre(Pair("j1", "n1"), Pair("j2", "n1"), Pair("j3", "n1")));
}

TEST(Scheduler, SkipsNodesThatLackMemoryOrDisk) {
  ClusterSnapshot cluster{{MakeNode("few-mem", 4, 1024, 1000), MakeNode("few-disk", 4, 8192, 10),
                           MakeNode("roomy", 16, 8192, 1000)},
                          {MakeCe("ce")}};
  std::vector<SchedQueue> queues = {MakeQueue("q", 1, {"ce"}, {MakeJob("j1", 2, 4096, 500)})};
  EXPECT_THAT(NodeOf(PlaceAll(cluster, queues)), ElementsAre(Pair("j1", "roomy")));
}

TEST(Scheduler, NeverPlacesOnUnschedulableNode) {
  SchedNode lost = MakeNode("a-lost", 4, 4096, 0);
  lost.schedulable = false;
  ClusterSnapshot cluster{{lost, MakeNode("b-ready", 64, 65536, 0)}, {MakeCe("ce")}};
  std::vector<SchedQueue> queues = {MakeQueue("q", 1, {"ce"}, {MakeJob("j1", 4, 128)})};
  EXPECT_THAT(NodeOf(PlaceAll(cluster, queues)), ElementsAre(Pair("j1", "b-ready")));
}

TEST(Scheduler, UsesOnlyWhatIsFreeNotWhatIsAdvertised) {
  SchedNode n1 = MakeNode("n1", 16, 16384, 100);
  n1.free = {4, 16384, 100};
  ClusterSnapshot cluster{{n1}, {MakeCe("ce")}};
  std::vector<SchedQueue> queues = {MakeQueue(
      "q", 1, {"ce"}, {MakeJob("j1", 3, 128), MakeJob("j2", 2, 128), MakeJob("j3", 1, 128)})};
  Plan plan = PlaceAll(cluster, queues);
  EXPECT_THAT(PlacedJobs(plan), ElementsAre("j1", "j3"));
}

TEST(Scheduler, ClampsFreeToAdvertisedTotal) {
  SchedNode n1 = MakeNode("n1", 4, 4096, 0);
  n1.free = {100, 1 << 20, 1 << 20};  // a caller bug; the node still has only 4 vCPUs
  ClusterSnapshot cluster{{n1}, {MakeCe("ce")}};
  std::vector<SchedQueue> queues = {
      MakeQueue("q", 1, {"ce"}, {MakeJob("j1", 4, 128), MakeJob("j2", 1, 128)})};
  EXPECT_THAT(PlacedJobs(PlaceAll(cluster, queues)), ElementsAre("j1"));
}

TEST(Scheduler, ComputeEnvironmentNeverExceedsMaxVcpus) {
  SchedComputeEnvironment ce = MakeCe("ce", 10);
  ce.used_vcpus = 4;
  ClusterSnapshot cluster{{MakeNode("n1", 64, 65536, 0)}, {ce}};
  std::vector<SchedQueue> queues = {MakeQueue("q", 1, {"ce"},
                                              {MakeJob("j1", 4, 128), MakeJob("j2", 4, 128),
                                               MakeJob("j3", 2, 128), MakeJob("j4", 1, 128)})};
  Plan plan = PlaceAll(cluster, queues);
  EXPECT_THAT(PlacedJobs(plan), ElementsAre("j1", "j3"));
}

TEST(Scheduler, FallsBackToNextComputeEnvironmentAtMaxVcpus) {
  ClusterSnapshot cluster{{MakeNode("n1", 64, 65536, 0)},
                          {MakeCe("capped", 4), MakeCe("wide", 64)}};
  std::vector<SchedQueue> queues = {
      MakeQueue("q", 1, {"capped", "wide"}, {MakeJob("j1", 4, 128), MakeJob("j2", 4, 128)})};
  Plan plan = PlaceAll(cluster, queues);
  ASSERT_EQ(plan.placements.size(), 2u);
  EXPECT_EQ(plan.placements[0].compute_environment, "capped");
  EXPECT_EQ(plan.placements[1].compute_environment, "wide");
}

TEST(Scheduler, StopsAtMaxPlacements) {
  ClusterSnapshot cluster{{MakeNode("n1", 64, 65536, 0)}, {MakeCe("ce")}};
  std::vector<SchedQueue> queues = {MakeQueue(
      "q", 1, {"ce"}, {MakeJob("j1", 1, 128), MakeJob("j2", 1, 128), MakeJob("j3", 1, 128)})};
  Plan plan = Place(cluster, queues, PlaceOptions{.max_placements = 2});
  EXPECT_THAT(PlacedJobs(plan), ElementsAre("j1", "j2"));
  ASSERT_EQ(plan.waiting.size(), 1u);
  EXPECT_EQ(plan.waiting[0].job_id, "j3");
}

TEST(Scheduler, EmptyInputGivesEmptyPlan) {
  Plan plan = PlaceAll(ClusterSnapshot{}, {});
  EXPECT_THAT(plan.placements, IsEmpty());
  EXPECT_THAT(plan.waiting, IsEmpty());
}

TEST(Scheduler, InputOrderOfNodesAndCesDoesNotChangeThePlan) {
  std::vector<SchedNode> nodes;
  for (int i = 0; i < 20; ++i) {
    nodes.push_back(MakeNode("n" + std::to_string(i), 4 + (i % 3) * 4, 4096 * (1 + i % 4), 100,
                             {{"capacity", i % 2 ? "spot" : "on-demand"}}));
  }
  std::vector<SchedComputeEnvironment> ces = {MakeCe("spot", 40, {{"capacity", "spot"}}),
                                              MakeCe("all", 1000)};
  std::vector<SchedJob> jobs;
  for (int i = 0; i < 60; ++i)
    jobs.push_back(MakeJob("j" + std::to_string(i), 1 + i % 4, 512 * (1 + i % 5)));
  std::vector<SchedQueue> queues = {MakeQueue("q", 1, {"spot", "all"}, jobs)};

  Plan first = PlaceAll({nodes, ces}, queues);
  std::reverse(nodes.begin(), nodes.end());
  std::reverse(ces.begin(), ces.end());
  Plan second = PlaceAll({nodes, ces}, queues);
  EXPECT_EQ(first.placements, second.placements);
  EXPECT_EQ(first.waiting, second.waiting);
  EXPECT_FALSE(first.placements.empty());
  EXPECT_FALSE(first.waiting.empty());
}

TEST(Scheduler, NodeThatCannotEnforceDiskTakesOnlyJobsAskingForNoDisk) {
  SchedNode no_quota = MakeNode("a-no-quota", 8, 8192, 100 * kGiB);
  no_quota.enforces_disk = false;
  ClusterSnapshot cluster{{no_quota, MakeNode("b-quota", 2, 8192, 2 * kGiB)}, {MakeCe("ce")}};
  // Best fit alone would put both on b-quota first; "disk1" must skip
  // a-no-quota even once b-quota is full, "nodisk" may use it.
  std::vector<SchedQueue> queues = {MakeQueue(
      "q", 1, {"ce"},
      {MakeJob("disk1", 2, 128, kGiB), MakeJob("disk2", 2, 128, kGiB), MakeJob("nodisk", 2, 128, 0)})};
  Plan plan = PlaceAll(cluster, queues);
  EXPECT_THAT(plan.placements, ElementsAre(Placement{"disk1", "b-quota", "ce"},
                                           Placement{"nodisk", "a-no-quota", "ce"}));
  ASSERT_EQ(plan.waiting.size(), 1u);
  EXPECT_EQ(plan.waiting[0].job_id, "disk2");
  EXPECT_THAT(plan.waiting[0].reason, HasSubstr("waiting for capacity"));
}

TEST(Scheduler, DiskRequestNoNodeCanEnforceNeverFitsAndSaysWhy) {
  SchedNode no_quota = MakeNode("n1", 8, 8192, 100 * kGiB);
  no_quota.enforces_disk = false;
  ClusterSnapshot cluster{{no_quota}, {MakeCe("ce")}};
  std::vector<SchedQueue> queues = {MakeQueue("q", 1, {"ce"}, {MakeJob("j", 1, 128, kGiB)})};
  Plan plan = PlaceAll(cluster, queues);
  EXPECT_TRUE(plan.placements.empty());
  ASSERT_EQ(plan.waiting.size(), 1u);
  EXPECT_EQ(plan.waiting[0].code, kCodeResourceRequirement);
  EXPECT_THAT(plan.waiting[0].reason, HasSubstr("needs 1024 MiB disk, the largest node has 0 MiB disk"));
  EXPECT_THAT(plan.waiting[0].reason,
              HasSubstr("(1 node cannot enforce a disk quota and take only jobs that ask for no disk)"));
}

TEST(Scheduler, EveryJobAppearsExactlyOnce) {
  ClusterSnapshot cluster{{MakeNode("n1", 4, 4096, 0)}, {MakeCe("ce")}};
  std::vector<SchedQueue> queues = {
      MakeQueue("q1", 1, {"ce"}, {MakeJob("a", 2, 128), MakeJob("b", 8, 128)}),
      MakeQueue("q2", 2, {}, {MakeJob("c", 1, 128)}),
      MakeQueue("q3", 3, {"nope"}, {MakeJob("d", 1, 128)}),
  };
  Plan plan = PlaceAll(cluster, queues);
  std::vector<std::string> seen = PlacedJobs(plan);
  for (const WaitingJob& w : plan.waiting) seen.push_back(w.job_id);
  EXPECT_THAT(seen, UnorderedElementsAre("a", "b", "c", "d"));
}

}  // namespace
}  // namespace gantry::coordinator
