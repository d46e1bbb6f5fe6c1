#include "coordinator/server/plan_builder.h"

#include <gtest/gtest.h>

#include <cmath>
#include <optional>
#include <stdexcept>

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
  live.Heard("n1", 10, "free disk 10 MiB is below the 1024 MiB threshold");
  EXPECT_FALSE(BuildSnapshot(b.state(), live).nodes[0].schedulable) << "the agent asked for no new work";
}

TEST(PlanBuilder, QueuesCarryRunnableJobsInFifoOrderWithPriority) {
  StateBuilder b;
  b.Ce("ce").Queue("lo", "ce", 1).Queue("hi", "ce", 9).Def("d").Node("n1");
  b.Submit("a", "lo").Submit("b", "hi").Submit("c", "lo").Place("a", "n1", "ce");
  auto queues = BuildQueues(b.state(), nullptr, 0);
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
  auto queues = BuildQueues(b.state(), &only, 0);
  ASSERT_EQ(queues.size(), 1u);
  ASSERT_EQ(queues[0].jobs.size(), 1u);  // "c" is placed, "nope" unknown, "a" not asked for
  EXPECT_EQ(queues[0].jobs[0].job_id, "b");
}

// ---- fair share ------------------------------------------------------------

constexpr int64_t kT0 = 1'700'000'000'000;

// A state with a fair-share queue "q" (policy "fair", decay 100 s,
// computeReservation 20; "gold" weighs 0.25, "team*" 2.0) and a FIFO queue
// "plain", written straight into the ClusterState: the FSM's share handling
// is not what is under test here.
class FairShareInput : public ::testing::Test {
 protected:
  FairShareInput() {
    protocol::ComputeEnvironment ce;
    ce.computeEnvironmentName = "ce";
    state_.PutComputeEnvironment(ce, batch_);
    protocol::SchedulingPolicy p;
    p.name = "fair";
    p.fairsharePolicy.shareDecaySeconds = 100;
    p.fairsharePolicy.computeReservation = 20;
    p.fairsharePolicy.shareDistribution = {{"gold", 0.25}, {"team*", 2.0}};
    state_.PutSchedulingPolicy(p, batch_);
    protocol::JobQueue q;
    q.jobQueueName = "q";
    q.computeEnvironmentOrder = {{1, "ce"}};
    q.schedulingPolicyArn = "arn:aws:batch:eu-west-1:1:scheduling-policy/fair";
    state_.PutJobQueue(q, batch_);
    q.jobQueueName = "plain";
    q.schedulingPolicyArn.reset();
    state_.PutJobQueue(q, batch_);
  }

  void Job(const std::string& id, const std::string& queue, std::optional<std::string> share,
           uint32_t vcpus = 1, uint32_t priority = 0, bool running = false) {
    protocol::Job j;
    j.jobId = id;
    j.jobQueue = queue;
    j.sequence = state_.TakeSequence();
    j.resources.vcpus = vcpus;
    j.shareIdentifier = std::move(share);
    j.schedulingPriority = priority;
    j.status = running ? protocol::JobStatus::kRunning : protocol::JobStatus::kRunnable;
    if (running) {
      protocol::Attempt a;
      a.attemptId = id + "-1";
      a.node = "n1";
      a.computeEnvironment = "ce";
      j.attempts.push_back(a);
    }
    state_.PutJob(std::move(j), batch_);
  }

  static const SchedShare* Find(const SchedQueue& q, const std::string& share) {
    for (const SchedShare& s : q.fair_share->shares) {
      if (s.share == share) return &s;
    }
    return nullptr;
  }

  static const SchedQueue& Named(const std::vector<SchedQueue>& queues, const std::string& name) {
    for (const SchedQueue& q : queues) {
      if (q.name == name) return q;
    }
    throw std::runtime_error("no queue " + name);
  }

  ClusterState state_;
  WriteBatch batch_;
};

TEST_F(FairShareInput, CarriesSharesWeightsUsageAndReservation) {
  Job("r1", "q", "gold", 2, 7);
  Job("r2", "q", "team-x");
  Job("run1", "q", "gold", 3, 0, /*running=*/true);
  Job("p1", "plain", std::nullopt);
  // 1000 vCPU-seconds recorded at kT0; 100 s later they have decayed by e.
  state_.AddShareUsage("q", "team-x", 1000, kT0, 100, batch_);
  state_.AddShareUsage("q", "old", 50, kT0, 100, batch_);

  auto queues = BuildQueues(state_, nullptr, kT0 + 100'000);
  ASSERT_EQ(queues.size(), 2u);
  EXPECT_FALSE(Named(queues, "plain").fair_share.has_value());
  const SchedQueue& q = Named(queues, "q");
  ASSERT_TRUE(q.fair_share.has_value());
  EXPECT_EQ(q.fair_share->compute_reservation, 20u);
  ASSERT_EQ(q.jobs.size(), 2u);
  EXPECT_EQ(q.jobs[0].job_id, "r1");
  EXPECT_EQ(q.jobs[0].share, "gold");
  EXPECT_EQ(q.jobs[0].scheduling_priority, 7u);
  EXPECT_EQ(q.jobs[1].share, "team-x");

  const SchedShare* gold = Find(q, "gold");
  ASSERT_NE(gold, nullptr);
  EXPECT_EQ(gold->weight_factor, 0.25);
  EXPECT_EQ(gold->running_vcpus, 3u);
  EXPECT_DOUBLE_EQ(gold->usage, 3.0);
  const SchedShare* team = Find(q, "team-x");
  ASSERT_NE(team, nullptr);
  EXPECT_EQ(team->weight_factor, 2.0);  // by the "team*" prefix
  EXPECT_EQ(team->running_vcpus, 0u);
  EXPECT_NEAR(team->usage, 1000 * std::exp(-1.0) / 100, 1e-9);
  // A share with only history is listed too: its usage still counts.
  const SchedShare* old = Find(q, "old");
  ASSERT_NE(old, nullptr);
  EXPECT_NEAR(old->usage, 50 * std::exp(-1.0) / 100, 1e-9);
}

TEST_F(FairShareInput, NoDecayMeansOnlyVcpusHeldNowCount) {
  protocol::SchedulingPolicy p = *state_.FindSchedulingPolicy("fair");
  p.fairsharePolicy.shareDecaySeconds = 0;
  state_.PutSchedulingPolicy(p, batch_);
  Job("r1", "q", "gold");
  state_.AddShareUsage("q", "gold", 1000, kT0, 0, batch_);
  auto queues = BuildQueues(state_, nullptr, kT0 + 1);
  const SchedShare* gold = Find(Named(queues, "q"), "gold");
  ASSERT_NE(gold, nullptr);
  EXPECT_EQ(gold->usage, 0.0);
}

TEST_F(FairShareInput, IncrementalPassCarriesFairShareToo) {
  Job("r1", "q", "gold");
  Job("r2", "q", std::nullopt);  // no share: its own share "", weight 1
  std::vector<std::string> only = {"r2"};
  auto queues = BuildQueues(state_, &only, kT0);
  ASSERT_EQ(queues.size(), 1u);
  ASSERT_TRUE(queues[0].fair_share.has_value());
  ASSERT_EQ(queues[0].jobs.size(), 1u);
  EXPECT_EQ(queues[0].jobs[0].share, "");
  const SchedShare* none = Find(queues[0], "");
  ASSERT_NE(none, nullptr);
  EXPECT_EQ(none->weight_factor, 1.0);
}

TEST_F(FairShareInput, PlacesTheLighterShareFirst) {
  // End to end through Place(): gold (weight 0.25) already holds 3 vCPUs
  // (key 0.75); team-x holds nothing (key 0), so it goes first.
  Job("run1", "q", "gold", 3, 0, /*running=*/true);
  Job("g1", "q", "gold");
  Job("t1", "q", "team-x");
  auto queues = BuildQueues(state_, nullptr, kT0);
  ClusterSnapshot cluster;
  SchedNode n;
  n.id = "n1";
  n.total = n.free = {1, 8192, 0};
  cluster.nodes.push_back(n);
  cluster.compute_environments.push_back({.name = "ce", .max_vcpus = 256});
  Plan plan = Place(cluster, queues, PlaceOptions{});
  ASSERT_EQ(plan.placements.size(), 1u);
  EXPECT_EQ(plan.placements[0].job_id, "t1");
}

TEST(PlanBuilder, CommandCarriesThePlacements) {
  Plan plan;
  plan.waiting = {{"j2", "needs 8 vCPU", "CAPACITY:INSUFFICIENT_INSTANCE_CAPACITY"}};
  plan.placements = {{"j3", "n1", "ce"}};
  ApplyPlanCommand cmd = ToCommand(plan);
  ASSERT_EQ(cmd.placements.size(), 1u);
  EXPECT_EQ(cmd.placements[0].jobId, "j3");
  EXPECT_EQ(cmd.placements[0].nodeId, "n1");
  EXPECT_EQ(cmd.placements[0].computeEnvironment, "ce");
}

}  // namespace
}  // namespace gantry::coordinator
