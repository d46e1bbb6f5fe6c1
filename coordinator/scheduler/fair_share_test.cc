// Fair share in Place(): share order by usage * weight, priority and FIFO
// within a share, backfill inside a share, computeReservation, and the
// reason codes of waiting jobs.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>

#include "coordinator/scheduler/scheduler.h"
#include "coordinator/scheduler/scheduler_test_util.h"
#include "coordinator/scheduler/wait_reason.h"

namespace gantry::coordinator {
namespace {

using scheduler_testing::MakeCe;
using scheduler_testing::MakeJob;
using scheduler_testing::MakeNode;
using scheduler_testing::MakeQueue;
using scheduler_testing::PlaceAll;
using scheduler_testing::PlacedJobs;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

SchedJob ShareJob(std::string id, std::string share, uint32_t vcpus = 1, uint32_t priority = 0) {
  SchedJob j = MakeJob(std::move(id), vcpus, 128);
  j.share = std::move(share);
  j.scheduling_priority = priority;
  return j;
}

SchedQueue FairQueue(std::vector<SchedJob> jobs, std::vector<SchedShare> shares,
                     uint32_t compute_reservation = 0) {
  SchedQueue q = MakeQueue("q", 1, {"ce"}, std::move(jobs));
  q.fair_share = SchedFairShare{compute_reservation, std::move(shares)};
  return q;
}

const WaitingJob* Waiting(const Plan& plan, const std::string& id) {
  for (const WaitingJob& w : plan.waiting) {
    if (w.job_id == id) return &w;
  }
  return nullptr;
}

TEST(FairShare, WeightsSplitShortCapacityInverselyToWeightFactor) {
  // 18 vCPUs for 200 one-vCPU jobs: weight 0.125 gets 8 for every 1 of weight 1.
  ClusterSnapshot cluster{{MakeNode("n1", 18, 64 * 1024, 0)}, {MakeCe("ce")}};
  std::vector<SchedJob> jobs;
  for (int i = 0; i < 100; ++i) {
    jobs.push_back(ShareJob("h" + std::to_string(i), "heavy"));
    jobs.push_back(ShareJob("l" + std::to_string(i), "light"));
  }
  Plan plan = PlaceAll(cluster, {FairQueue(jobs, {{"light", 0.125}, {"heavy", 1.0}})});
  std::map<char, int> placed;
  for (const Placement& p : plan.placements) ++placed[p.job_id[0]];
  EXPECT_EQ(placed['l'], 16);
  EXPECT_EQ(placed['h'], 2);
  EXPECT_EQ(plan.waiting.size(), 182u);
}

TEST(FairShare, FifoQueueWithSameJobsIgnoresShares) {
  ClusterSnapshot cluster{{MakeNode("n1", 2, 4096, 0)}, {MakeCe("ce")}};
  SchedQueue q = MakeQueue("q", 1, {"ce"}, {ShareJob("a1", "a"), ShareJob("a2", "a"), ShareJob("b1", "b")});
  EXPECT_THAT(PlacedJobs(PlaceAll(cluster, {q})), ElementsAre("a1", "a2"));
}

TEST(FairShare, LowerUsageGoesFirst) {
  ClusterSnapshot cluster{{MakeNode("n1", 2, 4096, 0)}, {MakeCe("ce")}};
  // "a" has used 5 vCPUs' worth recently, "b" 1: b gets both slots (1, then 2 <= 5).
  SchedQueue q = FairQueue({ShareJob("a1", "a"), ShareJob("a2", "a"), ShareJob("b1", "b"), ShareJob("b2", "b")},
                           {{"a", 1.0, 5.0}, {"b", 1.0, 1.0}});
  EXPECT_THAT(PlacedJobs(PlaceAll(cluster, {q})), ElementsAre("b1", "b2"));
}

TEST(FairShare, EqualSharesAlternateAndTiesGoByName) {
  ClusterSnapshot cluster{{MakeNode("n1", 4, 4096, 0)}, {MakeCe("ce")}};
  SchedQueue q = FairQueue({ShareJob("b1", "b"), ShareJob("b2", "b"), ShareJob("a1", "a"), ShareJob("a2", "a")}, {});
  EXPECT_THAT(PlacedJobs(PlaceAll(cluster, {q})), ElementsAre("a1", "b1", "a2", "b2"));
}

TEST(FairShare, HigherSchedulingPriorityFirstWithinShareThenFifo) {
  ClusterSnapshot cluster{{MakeNode("n1", 3, 4096, 0)}, {MakeCe("ce")}};
  SchedQueue q = FairQueue({ShareJob("j1", "a", 1, 0), ShareJob("j2", "a", 1, 5), ShareJob("j3", "a", 1, 0),
                            ShareJob("j4", "a", 1, 5)},
                           {});
  Plan plan = PlaceAll(cluster, {q});
  EXPECT_THAT(PlacedJobs(plan), ElementsAre("j2", "j4", "j1"));
  ASSERT_EQ(plan.waiting.size(), 1u);
  EXPECT_EQ(plan.waiting[0].job_id, "j3");
}

TEST(FairShare, BigJobDoesNotBlockItsShare) {
  ClusterSnapshot cluster{{MakeNode("n1", 4, 4096, 0)}, {MakeCe("ce")}};
  SchedQueue q = FairQueue({ShareJob("big", "a", 8), ShareJob("a2", "a"), ShareJob("a3", "a")}, {});
  Plan plan = PlaceAll(cluster, {q});
  EXPECT_THAT(PlacedJobs(plan), ElementsAre("a2", "a3"));
  ASSERT_EQ(plan.waiting.size(), 1u);
  EXPECT_EQ(plan.waiting[0].job_id, "big");
}

TEST(FairShare, ComputeReservationKeepsRoomForInactiveShares) {
  // One active share, computeReservation 50: half of maxvCpus 10 is kept.
  ClusterSnapshot cluster{{MakeNode("n1", 16, 64 * 1024, 0)}, {MakeCe("ce", 10)}};
  std::vector<SchedJob> jobs;
  for (int i = 0; i < 8; ++i) jobs.push_back(ShareJob("a" + std::to_string(i), "a"));
  Plan plan = PlaceAll(cluster, {FairQueue(jobs, {}, 50)});
  EXPECT_EQ(plan.placements.size(), 5u);
  const WaitingJob* w = Waiting(plan, "a5");
  ASSERT_NE(w, nullptr);
  EXPECT_EQ(w->reason,
            "queue q: compute environment ce keeps 5 of its 10 maxvCpus for share identifiers that are not "
            "active yet (computeReservation 50, 1 active share): 5 in use, job needs 1");
  EXPECT_EQ(w->code, kCodeCapacity);
}

TEST(FairShare, ComputeReservationShrinksWithMoreActiveShares) {
  // Two active shares (b only holds vCPUs now): r = 0.5^2, floor(10 * 0.75) = 7.
  ClusterSnapshot cluster{{MakeNode("n1", 16, 64 * 1024, 0)}, {MakeCe("ce", 10)}};
  cluster.compute_environments[0].used_vcpus = 2;
  std::vector<SchedJob> jobs;
  for (int i = 0; i < 8; ++i) jobs.push_back(ShareJob("a" + std::to_string(i), "a"));
  Plan plan = PlaceAll(cluster, {FairQueue(jobs, {{"b", 1.0, 2.0, 2}}, 50)});
  EXPECT_EQ(plan.placements.size(), 5u);  // 2 held + 5 = 7
  EXPECT_THAT(Waiting(plan, "a5")->reason, HasSubstr("keeps 3 of its 10 maxvCpus"));
  EXPECT_THAT(Waiting(plan, "a5")->reason, HasSubstr("2 active shares"));
}

TEST(FairShare, ReservationAppliesOnlyToTheFairShareQueue) {
  ClusterSnapshot cluster{{MakeNode("n1", 16, 64 * 1024, 0)}, {MakeCe("ce", 10)}};
  SchedQueue fifo = MakeQueue("fifo", 0, {"ce"}, {});
  for (int i = 0; i < 8; ++i) fifo.jobs.push_back(MakeJob("f" + std::to_string(i), 1, 128));
  SchedQueue fair = FairQueue({ShareJob("a1", "a")}, {}, 50);
  fair.priority = 5;
  Plan plan = PlaceAll(cluster, {fair, fifo});
  // a1, then all 8 FIFO jobs: past the fair queue's cap of 5, within maxvCpus 10.
  EXPECT_EQ(plan.placements.size(), 9u);
}

// ---- reason codes --------------------------------------------------------

TEST(WaitCode, NeverFitsIsAResourceRequirementMisconfiguration) {
  ClusterSnapshot cluster{{MakeNode("n1", 4, 4096, 0)}, {MakeCe("ce")}};
  Plan plan = PlaceAll(cluster, {MakeQueue("q", 1, {"ce"}, {MakeJob("j", 8, 128)})});
  EXPECT_EQ(Waiting(plan, "j")->code, kCodeResourceRequirement);
}

TEST(WaitCode, UnknownDisabledOrNoComputeEnvironmentIsAResourceRequirementMisconfiguration) {
  ClusterSnapshot cluster{{MakeNode("n1", 4, 4096, 0)}, {MakeCe("off")}};
  cluster.compute_environments[0].enabled = false;
  Plan plan = PlaceAll(cluster, {MakeQueue("q1", 1, {"ghost", "off"}, {MakeJob("j1", 1, 128)}),
                                 MakeQueue("q2", 1, {}, {MakeJob("j2", 1, 128)})});
  EXPECT_EQ(Waiting(plan, "j1")->code, kCodeResourceRequirement);
  EXPECT_EQ(Waiting(plan, "j2")->code, kCodeResourceRequirement);
}

TEST(WaitCode, MoreThanEveryMaxVcpusIsAMaxResourceMisconfiguration) {
  ClusterSnapshot cluster{{MakeNode("n1", 64, 4096, 0)}, {MakeCe("ce1", 8), MakeCe("ce2", 16)}};
  Plan plan = PlaceAll(cluster, {MakeQueue("q", 1, {"ce1", "ce2"}, {MakeJob("j", 32, 128)})});
  EXPECT_EQ(Waiting(plan, "j")->code, kCodeMaxResource);
}

TEST(WaitCode, FitsSomewhereButNotNowIsInsufficientCapacity) {
  ClusterSnapshot cluster{{MakeNode("n1", 4, 4096, 0)}, {MakeCe("small", 2), MakeCe("ce")}};
  cluster.nodes[0].free.vcpus = 1;
  // Too big for small's maxvCpus, no room now in ce: waiting can help.
  Plan plan = PlaceAll(cluster, {MakeQueue("q", 1, {"small", "ce"}, {MakeJob("j", 3, 128)})});
  EXPECT_EQ(Waiting(plan, "j")->code, kCodeCapacity);
  ClusterSnapshot full{{MakeNode("n1", 4, 4096, 0)}, {MakeCe("ce", 4)}};
  full.compute_environments[0].used_vcpus = 4;
  Plan at_max = PlaceAll(full, {MakeQueue("q", 1, {"ce"}, {MakeJob("j", 1, 128)})});
  EXPECT_EQ(Waiting(at_max, "j")->code, kCodeCapacity);
}

TEST(WaitCode, PlanLimitIsInsufficientCapacity) {
  ClusterSnapshot cluster{{MakeNode("n1", 4, 4096, 0)}, {MakeCe("ce")}};
  Plan plan = Place(cluster, {MakeQueue("q", 1, {"ce"}, {MakeJob("j1", 1, 128), MakeJob("j2", 1, 128)})},
                    PlaceOptions{.max_placements = 1});
  EXPECT_EQ(Waiting(plan, "j2")->code, kCodeCapacity);
}

}  // namespace
}  // namespace gantry::coordinator
