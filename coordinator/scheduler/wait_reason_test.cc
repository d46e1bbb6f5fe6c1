// Every job Place() leaves unplaced says why, in words an operator can act on.
#include "coordinator/scheduler/wait_reason.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "coordinator/scheduler/scheduler.h"
#include "coordinator/scheduler/scheduler_test_util.h"

namespace gantry::coordinator {
namespace {

using scheduler_testing::MakeCe;
using scheduler_testing::MakeJob;
using scheduler_testing::MakeNode;
using scheduler_testing::MakeQueue;
using scheduler_testing::PlaceAll;
using scheduler_testing::ReasonOf;

// The reason job "j" of queue "q" waits, placing `jobs` on `cluster`.
std::string ReasonFor(const ClusterSnapshot& cluster, const std::vector<std::string>& ces,
                      const std::vector<SchedJob>& jobs, const std::string& job_id = "j") {
  Plan plan = PlaceAll(cluster, {MakeQueue("q", 1, ces, jobs)});
  std::optional<std::string> reason = ReasonOf(plan, job_id);
  EXPECT_TRUE(reason.has_value()) << job_id << " was placed";
  return reason.value_or("");
}

SchedComputeEnvironment Disabled(SchedComputeEnvironment ce) {
  ce.enabled = false;
  return ce;
}

SchedNode Unschedulable(SchedNode n) {
  n.schedulable = false;
  return n;
}

TEST(WaitReason, ComputeEnvironmentAtMaxVcpus) {
  SchedComputeEnvironment ce = MakeCe("ce1", 64);
  ce.used_vcpus = 64;
  ClusterSnapshot cluster{{MakeNode("n1", 16, 4096, 0)}, {ce}};
  EXPECT_EQ(ReasonFor(cluster, {"ce1"}, {MakeJob("j", 4, 128)}),
            "queue q: compute environment ce1 is at maxvCpus (64/64 in use, job needs 4)");
}

TEST(WaitReason, AtMaxVcpusCountsWhatThisPlanPlaced) {
  ClusterSnapshot cluster{{MakeNode("n1", 16, 4096, 0)}, {MakeCe("ce1", 6)}};
  EXPECT_EQ(ReasonFor(cluster, {"ce1"}, {MakeJob("first", 4, 128), MakeJob("j", 4, 128)}),
            "queue q: compute environment ce1 is at maxvCpus (4/6 in use, job needs 4)");
}

TEST(WaitReason, WaitingForCapacityNamesTheMostFreeNode) {
  SchedNode n1 = MakeNode("n1", 16, 8192, 20000);
  n1.free = {2, 8192, 20000};
  SchedNode n3 = MakeNode("n3", 16, 8192, 20000);
  n3.free = {4, 2048, 10000};
  SchedNode n2 = MakeNode("n2", 16, 8192, 20000);
  n2.free = {3, 8192, 20000};
  ClusterSnapshot cluster{{n1, n2, n3}, {MakeCe("ce1")}};
  EXPECT_EQ(
      ReasonFor(cluster, {"ce1"}, {MakeJob("j", 8, 1024)}),
      "waiting for capacity: needs 8 vCPU, 1024 MiB memory, 0 MiB disk; the most free node in "
      "ce1 (n3) has 4 vCPU, 2048 MiB memory, 10000 MiB disk free");
}

TEST(WaitReason, WaitingForCapacityReflectsEarlierPlacements) {
  // "d" hits the failed-shape cache that "b" filled; its reason must still
  // describe the node as it is after "c" took its share.
  ClusterSnapshot cluster{{MakeNode("n1", 10, 8192, 100)}, {MakeCe("ce1")}};
  Plan plan = PlaceAll(cluster, {MakeQueue("q", 1, {"ce1"},
                                           {MakeJob("a", 8, 1024), MakeJob("b", 8, 1024),
                                            MakeJob("c", 1, 1024), MakeJob("d", 9, 1024)})});
  EXPECT_EQ(
      ReasonOf(plan, "b"),
      "waiting for capacity: needs 8 vCPU, 1024 MiB memory, 0 MiB disk; the most free node in "
      "ce1 (n1) has 2 vCPU, 7168 MiB memory, 100 MiB disk free");
  EXPECT_EQ(
      ReasonOf(plan, "d"),
      "waiting for capacity: needs 9 vCPU, 1024 MiB memory, 0 MiB disk; the most free node in "
      "ce1 (n1) has 1 vCPU, 6144 MiB memory, 100 MiB disk free");
  EXPECT_EQ(ReasonOf(plan, "c"), std::nullopt);
}

TEST(WaitReason, NeverFitsNamesEveryComputeEnvironmentTried) {
  ClusterSnapshot cluster{
      {MakeNode("a", 16, 65536, 0, {{"pool", "a"}}), MakeNode("b", 8, 65536, 0, {{"pool", "b"}})},
      {MakeCe("ce1", 1024, {{"pool", "a"}}), MakeCe("ce2", 1024, {{"pool", "b"}})}};
  EXPECT_EQ(ReasonFor(cluster, {"ce1", "ce2"}, {MakeJob("j", 64, 128)}),
            "no node in compute environments ce1, ce2 can ever fit this job: needs 64 vCPU, the "
            "largest node has 16 vCPU");
}

TEST(WaitReason, NeverFitsListsEveryDimensionTooLarge) {
  ClusterSnapshot cluster{{MakeNode("a", 16, 4096, 100)}, {MakeCe("ce1")}};
  EXPECT_EQ(ReasonFor(cluster, {"ce1"}, {MakeJob("j", 32, 8192, 50)}),
            "no node in compute environments ce1 can ever fit this job: needs 32 vCPU and 8192 MiB "
            "memory, the largest node has 16 vCPU and 4096 MiB memory");
}

TEST(WaitReason, NeverFitsWhenNoSingleNodeHasEverything) {
  ClusterSnapshot cluster{{MakeNode("cpu", 64, 4096, 0), MakeNode("mem", 4, 262144, 0)},
                          {MakeCe("ce1")}};
  EXPECT_EQ(ReasonFor(cluster, {"ce1"}, {MakeJob("j", 32, 65536)}),
            "no node in compute environments ce1 can ever fit this job: needs 32 vCPU, 65536 MiB "
            "memory, 0 MiB disk, and no node has that much of all three");
}

TEST(WaitReason, NeverFitsComparesAgainstUnschedulableNodesToo) {
  // A big node that is lost could come back: the job waits for a ready node.
  ClusterSnapshot cluster{
      {MakeNode("small", 4, 4096, 0), Unschedulable(MakeNode("big", 64, 65536, 0))},
      {MakeCe("ce1")}};
  EXPECT_EQ(
      ReasonFor(cluster, {"ce1"}, {MakeJob("j", 32, 128)}),
      "waiting for capacity: needs 32 vCPU, 128 MiB memory, 0 MiB disk; the most free node in "
      "ce1 (small) has 4 vCPU, 4096 MiB memory, 0 MiB disk free");
}

TEST(WaitReason, ComputeEnvironmentDisabled) {
  ClusterSnapshot cluster{{MakeNode("n1", 16, 4096, 0)}, {Disabled(MakeCe("ce1"))}};
  EXPECT_EQ(ReasonFor(cluster, {"ce1"}, {MakeJob("j", 1, 128)}),
            "compute environment ce1 is DISABLED");
}

TEST(WaitReason, NoReadyNodeWhenEveryNodeIsUnschedulable) {
  ClusterSnapshot cluster{{Unschedulable(MakeNode("n1", 16, 4096, 0))}, {MakeCe("ce1")}};
  EXPECT_EQ(ReasonFor(cluster, {"ce1"}, {MakeJob("j", 1, 128)}),
            "no ready node in compute environments ce1");
}

TEST(WaitReason, NoReadyNodeWhenSelectorMatchesNothing) {
  ClusterSnapshot cluster{
      {MakeNode("n1", 16, 4096, 0)},
      {MakeCe("ce1", 64, {{"gpu", "yes"}}), MakeCe("ce2", 64, {{"gpu", "no"}})}};
  EXPECT_EQ(ReasonFor(cluster, {"ce1", "ce2"}, {MakeJob("j", 1, 128)}),
            "no ready node in compute environments ce1, ce2");
}

TEST(WaitReason, NamesAComputeEnvironmentTheQueueRepeatsOnce) {
  ClusterSnapshot cluster{{}, {MakeCe("ce1")}};
  EXPECT_EQ(ReasonFor(cluster, {"ce1", "ce1"}, {MakeJob("j", 1, 128)}),
            "no ready node in compute environments ce1");
}

TEST(WaitReason, QueueWithoutComputeEnvironment) {
  ClusterSnapshot cluster{{MakeNode("n1", 16, 4096, 0)}, {MakeCe("ce1")}};
  EXPECT_EQ(ReasonFor(cluster, {}, {MakeJob("j", 1, 128)}),
            "job queue q has no compute environment");
}

TEST(WaitReason, UnknownComputeEnvironment) {
  ClusterSnapshot cluster{{MakeNode("n1", 16, 4096, 0)}, {MakeCe("ce1")}};
  EXPECT_EQ(ReasonFor(cluster, {"ce9"}, {MakeJob("j", 1, 128)}),
            "queue q: compute environment ce9 does not exist");
}

TEST(WaitReason, JobNeedsMoreThanMaxVcpus) {
  ClusterSnapshot cluster{{MakeNode("n1", 256, 4096, 0)}, {MakeCe("ce1", 64)}};
  EXPECT_EQ(ReasonFor(cluster, {"ce1"}, {MakeJob("j", 128, 128)}),
            "queue q: job needs 128 vCPU, more than maxvCpus 64 of compute environment ce1");
}

TEST(WaitReason, PrefersCapacityOverDisabledOrUnknown) {
  SchedNode busy = MakeNode("n1", 4, 4096, 0);
  busy.free = {0, 4096, 0};
  ClusterSnapshot cluster{{busy}, {Disabled(MakeCe("off")), MakeCe("full")}};
  EXPECT_EQ(ReasonFor(cluster, {"nope", "off", "full"}, {MakeJob("j", 1, 128)}),
            "waiting for capacity: needs 1 vCPU, 128 MiB memory, 0 MiB disk; the most free node in "
            "full (n1) has 0 vCPU, 4096 MiB memory, 0 MiB disk free");
}

TEST(WaitReason, PrefersMaxVcpusOverNeverFits) {
  SchedComputeEnvironment capped = MakeCe("capped", 8);
  capped.used_vcpus = 8;
  ClusterSnapshot cluster{
      {MakeNode("small", 2, 4096, 0, {{"size", "s"}}), MakeNode("big", 32, 4096, 0)},
      {MakeCe("smalls", 64, {{"size", "s"}}), capped}};
  EXPECT_EQ(ReasonFor(cluster, {"smalls", "capped"}, {MakeJob("j", 4, 128)}),
            "queue q: compute environment capped is at maxvCpus (8/8 in use, job needs 4)");
}

TEST(WaitReason, NamesTheFirstComputeEnvironmentAmongEqualCauses) {
  SchedComputeEnvironment a = MakeCe("a", 4);
  a.used_vcpus = 4;
  SchedComputeEnvironment b = MakeCe("b", 2);
  b.used_vcpus = 2;
  ClusterSnapshot cluster{{MakeNode("n1", 16, 4096, 0)}, {a, b}};
  EXPECT_EQ(ReasonFor(cluster, {"b", "a"}, {MakeJob("j", 1, 128)}),
            "queue q: compute environment b is at maxvCpus (2/2 in use, job needs 1)");
}

TEST(WaitReason, JobsBeyondThePlacementLimit) {
  ClusterSnapshot cluster{{MakeNode("n1", 4, 4096, 0)}, {MakeCe("ce1")}};
  Plan plan =
      Place(cluster,
            {MakeQueue("q", 1, {"ce1"},
                       {MakeJob("a", 1, 128), MakeJob("b", 1, 128), MakeJob("huge", 64, 128)})},
            PlaceOptions{.max_placements = 1});
  EXPECT_EQ(ReasonOf(plan, "b"),
            "not placed in this pass: the plan reached its limit of 1 placements");
  // A job that could not fit anyway keeps its own reason.
  EXPECT_EQ(ReasonOf(plan, "huge"),
            "no node in compute environments ce1 can ever fit this job: needs 64 vCPU, the largest "
            "node has 4 vCPU");
}

TEST(WaitReason, FormatsOutcomesWithoutAPlan) {
  CeOutcome disabled{.cause = WaitCause::kDisabled, .ce = "x"};
  CeOutcome never{.cause = WaitCause::kNeverFits, .ce = "y", .largest = {8, 1024, 10}};
  CeOutcome never2{.cause = WaitCause::kNeverFits, .ce = "z", .largest = {4, 4096, 5}};
  std::vector<CeOutcome> outcomes = {disabled, never, never2};
  EXPECT_EQ(WaitReason("q", {2, 2048, 20}, outcomes),
            "no node in compute environments y, z can ever fit this job: needs 20 MiB disk, the "
            "largest node has 10 MiB disk");
}

TEST(WaitReason, ReservedNamesTheKeptVcpusAndTheReservation) {
  CeOutcome reserved{.cause = WaitCause::kReserved,
                     .ce = "ce1",
                     .used_vcpus = 32,
                     .max_vcpus = 64,
                     .reserved_vcpus = 16,
                     .compute_reservation = 50,
                     .active_shares = 2};
  CeOutcome at_max{.cause = WaitCause::kAtMaxVcpus, .ce = "ce0", .used_vcpus = 8, .max_vcpus = 8};
  std::vector<CeOutcome> outcomes = {at_max, reserved};
  EXPECT_EQ(WaitReason("q", {4, 128, 0}, outcomes),
            "queue q: compute environment ce1 keeps 16 of its 64 maxvCpus for share identifiers that "
            "are not active yet (computeReservation 50, 2 active shares): 32 in use, job needs 4");
  EXPECT_EQ(WaitCode(outcomes), kCodeCapacity);
}

TEST(WaitReason, CodeFollowsTheCauseTheReasonNames) {
  CeOutcome exceeds{.cause = WaitCause::kExceedsMaxVcpus, .ce = "x", .max_vcpus = 4};
  CeOutcome never{.cause = WaitCause::kNeverFits, .ce = "y", .largest = {8, 1024, 10}};
  CeOutcome unknown{.cause = WaitCause::kUnknownCe, .ce = "z"};
  CeOutcome no_node{.cause = WaitCause::kNoReadyNode, .ce = "w"};
  EXPECT_EQ(WaitCode(std::vector<CeOutcome>{exceeds, unknown}), kCodeMaxResource);
  // The reason says no node can fit it: raising maxvCpus alone would not help.
  EXPECT_EQ(WaitCode(std::vector<CeOutcome>{exceeds, never}), kCodeResourceRequirement);
  EXPECT_EQ(WaitCode(std::vector<CeOutcome>{unknown}), kCodeResourceRequirement);
  // A CE with no ready node may get one: waiting can help.
  EXPECT_EQ(WaitCode(std::vector<CeOutcome>{never, no_node}), kCodeCapacity);
}

}  // namespace
}  // namespace gantry::coordinator
