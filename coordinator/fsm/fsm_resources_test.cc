// Tests for apply_resources.cc: deregistering definitions, updating and
// deleting queues and compute environments, and scheduling policies.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "coordinator/fsm/fsm.h"
#include "coordinator/state/mem_state_store.h"

namespace gantry::coordinator {
namespace {

using protocol::JobStatus;
using protocol::ResourceState;
using ::testing::HasSubstr;

constexpr int64_t kT0 = 1'700'000'000'000;

class FsmResourcesTest : public ::testing::Test {
 protected:
  FsmResourcesTest() : fsm_(&state_) {}

  Result<ApplyResult> Run(Command c) {
    c.at = kT0 + static_cast<int64_t>(next_index_);
    WriteBatch batch;
    auto r = fsm_.Apply(c, next_index_++, batch);
    EXPECT_TRUE(store_.Commit(batch).ok());
    return r;
  }
  void MustRun(Command c) {
    auto r = Run(std::move(c));
    ASSERT_TRUE(r.ok()) << r.status().ToString();
  }

  static Command Ce(const std::string& name, uint32_t max_vcpus = 256) {
    Command c{CommandType::kCreateComputeEnvironment};
    protocol::ComputeEnvironment ce;
    ce.computeEnvironmentName = name;
    ce.maxvCpus = max_vcpus;
    c.computeEnvironment = ce;
    return c;
  }
  static Command Queue(const std::string& name, const std::string& ce,
                       std::optional<std::string> policy = std::nullopt) {
    Command c{CommandType::kCreateJobQueue};
    protocol::JobQueue q;
    q.jobQueueName = name;
    q.computeEnvironmentOrder = {{1, ce}};
    q.schedulingPolicyArn = std::move(policy);
    c.jobQueue = q;
    return c;
  }
  static Command Def(const std::string& name) {
    Command c{CommandType::kRegisterJobDefinition};
    protocol::JobDefinition d;
    d.jobDefinitionName = name;
    d.command = {"true"};
    d.resources = {2, 128, 0};
    c.jobDefinition = d;
    return c;
  }
  static Command Submit(const std::string& id, const std::string& queue = "q",
                        const std::string& def = "d") {
    Command c{CommandType::kSubmitJob};
    SubmitJobCommand s;
    s.jobId = id;
    s.request.jobName = "job-" + id;
    s.request.jobQueue = queue;
    s.request.jobDefinition = def;
    c.submitJob = s;
    return c;
  }
  static Command NodeUp(const std::string& id) {
    Command c{CommandType::kUpsertNode};
    protocol::Node n;
    n.nodeId = id;
    n.bootId = "b1";
    n.capacity = {8, 4096, 10000};
    c.node = n;
    return c;
  }
  static Command Place(const std::string& job, const std::string& node, const std::string& ce = "ce") {
    Command c{CommandType::kApplyPlan};
    c.plan = ApplyPlanCommand{{{job, node, ce}}};
    return c;
  }
  static Command Ended(const std::string& attempt, const std::string& node) {
    Command c{CommandType::kAttemptEnded};
    protocol::AttemptEnded e;
    e.nodeId = node;
    e.bootId = "b1";
    e.attemptId = attempt;
    e.exitCode = 0;
    c.attemptEnded = e;
    return c;
  }
  static Command Target(CommandType type, const std::string& target) {
    Command c{type};
    c.target = target;
    return c;
  }
  static Command UpdateQueue(protocol::UpdateJobQueueRequest u) {
    Command c{CommandType::kUpdateJobQueue};
    c.updateJobQueue = std::move(u);
    return c;
  }
  static Command UpdateCe(protocol::UpdateComputeEnvironmentRequest u) {
    Command c{CommandType::kUpdateComputeEnvironment};
    c.updateComputeEnvironment = std::move(u);
    return c;
  }
  static Command Policy(CommandType type, const std::string& name, double weight = 1.0,
                        uint32_t reservation = 0) {
    Command c{type};
    protocol::SchedulingPolicy p;
    p.name = name;
    p.fairsharePolicy.computeReservation = reservation;
    p.fairsharePolicy.shareDistribution = {{"a", weight}};
    c.schedulingPolicy = p;
    return c;
  }
  void DisableQueue(const std::string& name) {
    protocol::UpdateJobQueueRequest u;
    u.jobQueue = name;
    u.state = ResourceState::kDisabled;
    MustRun(UpdateQueue(u));
  }
  void DisableCe(const std::string& name) {
    protocol::UpdateComputeEnvironmentRequest u;
    u.computeEnvironment = name;
    u.state = ResourceState::kDisabled;
    MustRun(UpdateCe(u));
  }

  void Basics() {
    MustRun(Ce("ce"));
    MustRun(Queue("q", "ce"));
    MustRun(Def("d"));
    MustRun(NodeUp("n1"));
  }

  MemStateStore store_;
  ClusterState state_;
  Fsm fsm_;
  uint64_t next_index_ = 1;
};

// ---- DeregisterJobDefinition ---------------------------------------------

TEST_F(FsmResourcesTest, DeregisterMakesRevisionInactiveAndNameResolvesToLatestActive) {
  Basics();
  MustRun(Def("d"));  // revision 2
  MustRun(Submit("j1", "q", "d:2"));
  auto r = Run(Target(CommandType::kDeregisterJobDefinition, "d:2"));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->name, "d");
  EXPECT_EQ(r->revision, 2u);
  EXPECT_EQ(state_.job_definitions().at("d").at(2).status, "INACTIVE");
  EXPECT_EQ((*state_.ResolveJobDefinition("d"))->revision, 1u);
  // The job submitted before keeps waiting to run; new submissions to d:2 are refused.
  EXPECT_EQ(state_.FindJob("j1")->status, JobStatus::kRunnable);
  auto refused = Run(Submit("j2", "q", "d:2"));
  EXPECT_EQ(refused.status().code(), StatusCode::kInvalidArgument);
  ASSERT_TRUE(Run(Submit("j3", "q", "d")).ok());
  EXPECT_EQ(state_.FindJob("j3")->jobDefinition, "d:1");
}

TEST_F(FsmResourcesTest, DeregisterIsIdempotentAndTakesAnArn) {
  Basics();
  ASSERT_TRUE(Run(Target(CommandType::kDeregisterJobDefinition, "arn:aws:batch:eu-west-1:1:job-definition/d:1")).ok());
  EXPECT_EQ(state_.job_definitions().at("d").at(1).status, "INACTIVE");
  ASSERT_TRUE(Run(Target(CommandType::kDeregisterJobDefinition, "d:1")).ok());
  EXPECT_EQ(state_.job_definitions().at("d").at(1).status, "INACTIVE");
  // Persisted: a reload sees it too.
  auto loaded = ClusterState::Load(store_);
  ASSERT_TRUE(loaded.ok());
  EXPECT_EQ(loaded->job_definitions().at("d").at(1).status, "INACTIVE");
}

TEST_F(FsmResourcesTest, DeregisterUnknownOrWithoutRevisionFails) {
  Basics();
  EXPECT_EQ(Run(Target(CommandType::kDeregisterJobDefinition, "d:7")).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(Run(Target(CommandType::kDeregisterJobDefinition, "nope:1")).status().code(), StatusCode::kNotFound);
  auto bare = Run(Target(CommandType::kDeregisterJobDefinition, "d"));
  EXPECT_EQ(bare.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(bare.status().message(), HasSubstr("name:revision"));
  EXPECT_EQ(state_.job_definitions().at("d").at(1).status, "ACTIVE");
}

// ---- UpdateJobQueue ------------------------------------------------------

TEST_F(FsmResourcesTest, UpdateQueueAppliesGivenFieldsAndSortsComputeEnvironments) {
  Basics();
  MustRun(Ce("ce2"));
  protocol::UpdateJobQueueRequest u;
  u.jobQueue = "q";
  u.priority = 7;
  u.computeEnvironmentOrder = std::vector<protocol::ComputeEnvironmentOrder>{{5, "ce"}, {2, "ce2"}};
  auto r = Run(UpdateQueue(u));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_TRUE(r->schedule);
  EXPECT_EQ(r->name, "q");
  const protocol::JobQueue* q = state_.FindJobQueue("q");
  EXPECT_EQ(q->priority, 7u);
  EXPECT_EQ(q->state, ResourceState::kEnabled);  // not given, kept
  ASSERT_EQ(q->computeEnvironmentOrder.size(), 2u);
  EXPECT_EQ(q->computeEnvironmentOrder[0].computeEnvironment, "ce2");
  EXPECT_EQ(q->computeEnvironmentOrder[1].computeEnvironment, "ce");
}

TEST_F(FsmResourcesTest, UpdateQueueRejectsUnknownThingsAndInvalidResults) {
  Basics();
  protocol::UpdateJobQueueRequest missing;
  missing.jobQueue = "nope";
  auto r = Run(UpdateQueue(missing));
  EXPECT_EQ(r.status().code(), StatusCode::kNotFound);
  EXPECT_EQ(r.status().message(), "job queue nope not found");

  protocol::UpdateJobQueueRequest bad_ce;
  bad_ce.jobQueue = "q";
  bad_ce.computeEnvironmentOrder = std::vector<protocol::ComputeEnvironmentOrder>{{1, "ce9"}};
  EXPECT_EQ(Run(UpdateQueue(bad_ce)).status().code(), StatusCode::kNotFound);

  protocol::UpdateJobQueueRequest empty_order;
  empty_order.jobQueue = "q";
  empty_order.computeEnvironmentOrder = std::vector<protocol::ComputeEnvironmentOrder>{};
  EXPECT_EQ(Run(UpdateQueue(empty_order)).status().code(), StatusCode::kInvalidArgument);

  protocol::UpdateJobQueueRequest bad_policy;
  bad_policy.jobQueue = "q";
  bad_policy.schedulingPolicyArn = "arn:aws:batch:r:1:scheduling-policy/ghost";
  auto p = Run(UpdateQueue(bad_policy));
  EXPECT_EQ(p.status().code(), StatusCode::kNotFound);
  EXPECT_EQ(p.status().message(), "scheduling policy ghost not found");

  const protocol::JobQueue* q = state_.FindJobQueue("q");
  EXPECT_EQ(q->computeEnvironmentOrder.size(), 1u);
  EXPECT_FALSE(q->schedulingPolicyArn.has_value());
}

TEST_F(FsmResourcesTest, AddingOrRemovingPolicyWaitsUntilQueueHasNoActiveJobs) {
  Basics();
  MustRun(Policy(CommandType::kCreateSchedulingPolicy, "fair"));
  MustRun(Submit("j1"));
  MustRun(Submit("j2"));
  protocol::UpdateJobQueueRequest add;
  add.jobQueue = "q";
  add.schedulingPolicyArn = "fair";
  auto refused = Run(UpdateQueue(add));
  EXPECT_EQ(refused.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(refused.status().message(), HasSubstr("job queue q still has 2 jobs that have not finished"));

  MustRun(Place("j1", "n1"));
  MustRun(Place("j2", "n1"));
  MustRun(Ended("j1-1", "n1"));
  MustRun(Ended("j2-1", "n1"));
  MustRun(UpdateQueue(add));
  EXPECT_EQ(state_.FindJobQueue("q")->schedulingPolicyArn, "fair");

  // With a job active again, the policy may be swapped for another, but not removed.
  MustRun(Policy(CommandType::kCreateSchedulingPolicy, "fair2"));
  Command j3 = Submit("j3");
  j3.submitJob->request.shareIdentifier = "a";
  MustRun(j3);
  protocol::UpdateJobQueueRequest swap;
  swap.jobQueue = "q";
  swap.schedulingPolicyArn = "fair2";
  MustRun(UpdateQueue(swap));
  protocol::UpdateJobQueueRequest remove;
  remove.jobQueue = "q";
  remove.schedulingPolicyArn = "";
  auto r = Run(UpdateQueue(remove));
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(r.status().message(), HasSubstr("still has 1 job that has not finished"));
  EXPECT_EQ(state_.FindJobQueue("q")->schedulingPolicyArn, "fair2");
}

// ---- UpdateComputeEnvironment --------------------------------------------

TEST_F(FsmResourcesTest, UpdateComputeEnvironmentAppliesAndValidates) {
  Basics();
  protocol::UpdateComputeEnvironmentRequest u;
  u.computeEnvironment = "ce";
  u.maxvCpus = 16;
  u.minvCpus = 2;
  u.desiredvCpus = 4;
  u.state = ResourceState::kDisabled;
  auto r = Run(UpdateCe(u));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_TRUE(r->schedule);
  const protocol::ComputeEnvironment* ce = state_.FindComputeEnvironment("ce");
  EXPECT_EQ(ce->maxvCpus, 16u);
  EXPECT_EQ(ce->minvCpus, 2u);
  EXPECT_EQ(ce->desiredvCpus, 4u);
  EXPECT_EQ(ce->state, ResourceState::kDisabled);

  protocol::UpdateComputeEnvironmentRequest too_small;
  too_small.computeEnvironment = "ce";
  too_small.maxvCpus = 1;  // below minvCpus 2
  EXPECT_EQ(Run(UpdateCe(too_small)).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(state_.FindComputeEnvironment("ce")->maxvCpus, 16u);

  protocol::UpdateComputeEnvironmentRequest missing;
  missing.computeEnvironment = "nope";
  EXPECT_EQ(Run(UpdateCe(missing)).status().code(), StatusCode::kNotFound);
}

// ---- DeleteJobQueue ------------------------------------------------------

TEST_F(FsmResourcesTest, DeleteQueueNeedsDisabledAndNoActiveJobs) {
  Basics();
  EXPECT_EQ(Run(Target(CommandType::kDeleteJobQueue, "nope")).status().code(), StatusCode::kNotFound);
  MustRun(Submit("j1"));
  auto enabled = Run(Target(CommandType::kDeleteJobQueue, "q"));
  EXPECT_EQ(enabled.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(enabled.status().message(), "job queue q must be DISABLED before it is deleted");

  DisableQueue("q");
  auto busy = Run(Target(CommandType::kDeleteJobQueue, "q"));
  EXPECT_EQ(busy.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(busy.status().message(),
            "job queue q still has 1 job that has not finished; cancel or terminate them first");

  MustRun(Place("j1", "n1"));
  MustRun(Ended("j1-1", "n1"));
  MustRun(Target(CommandType::kDeleteJobQueue, "q"));
  EXPECT_EQ(state_.FindJobQueue("q"), nullptr);
  ASSERT_NE(state_.FindJob("j1"), nullptr);  // finished jobs stay describable
  auto loaded = ClusterState::Load(store_);
  ASSERT_TRUE(loaded.ok());
  EXPECT_EQ(loaded->FindJobQueue("q"), nullptr);
  EXPECT_NE(loaded->FindJob("j1"), nullptr);
}

// ---- DeleteComputeEnvironment --------------------------------------------

TEST_F(FsmResourcesTest, DeleteComputeEnvironmentNeedsDisabledUnusedAndIdle) {
  Basics();
  MustRun(Ce("ce2"));
  EXPECT_EQ(Run(Target(CommandType::kDeleteComputeEnvironment, "nope")).status().code(),
            StatusCode::kNotFound);
  MustRun(Submit("j1"));
  MustRun(Place("j1", "n1"));  // holds 2 vCPUs in ce
  auto enabled = Run(Target(CommandType::kDeleteComputeEnvironment, "ce"));
  EXPECT_EQ(enabled.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(enabled.status().message(), HasSubstr("must be DISABLED"));

  DisableCe("ce");
  auto used = Run(Target(CommandType::kDeleteComputeEnvironment, "ce"));
  EXPECT_EQ(used.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(used.status().message(), "compute environment ce is still used by job queue q");

  protocol::UpdateJobQueueRequest move;
  move.jobQueue = "q";
  move.computeEnvironmentOrder = std::vector<protocol::ComputeEnvironmentOrder>{{1, "ce2"}};
  MustRun(UpdateQueue(move));
  auto running = Run(Target(CommandType::kDeleteComputeEnvironment, "ce"));
  EXPECT_EQ(running.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(running.status().message(), HasSubstr("still has 2 vCPUs held by running jobs"));

  MustRun(Ended("j1-1", "n1"));
  MustRun(Target(CommandType::kDeleteComputeEnvironment, "ce"));
  EXPECT_EQ(state_.FindComputeEnvironment("ce"), nullptr);
  auto loaded = ClusterState::Load(store_);
  ASSERT_TRUE(loaded.ok());
  EXPECT_EQ(loaded->FindComputeEnvironment("ce"), nullptr);
}

// ---- Scheduling policies -------------------------------------------------

TEST_F(FsmResourcesTest, CreatePolicyValidatesAndRejectsDuplicates) {
  auto r = Run(Policy(CommandType::kCreateSchedulingPolicy, "fair", 0.5));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->name, "fair");
  const protocol::SchedulingPolicy* p = state_.FindSchedulingPolicy("fair");
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(p->createdAt, kT0 + 1);
  EXPECT_EQ(p->fairsharePolicy.shareDistribution[0].weightFactor, 0.5);
  EXPECT_EQ(Run(Policy(CommandType::kCreateSchedulingPolicy, "fair")).status().code(), StatusCode::kConflict);
  EXPECT_EQ(Run(Policy(CommandType::kCreateSchedulingPolicy, "over", 1.0, 100)).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(state_.FindSchedulingPolicy("over"), nullptr);
}

TEST_F(FsmResourcesTest, UpdatePolicyReplacesFairshareAndKeepsCreatedAt) {
  EXPECT_EQ(Run(Policy(CommandType::kUpdateSchedulingPolicy, "fair")).status().code(), StatusCode::kNotFound);
  MustRun(Policy(CommandType::kCreateSchedulingPolicy, "fair", 0.5));
  const int64_t created = state_.FindSchedulingPolicy("fair")->createdAt;
  auto r = Run(Policy(CommandType::kUpdateSchedulingPolicy, "arn:aws:batch:r:1:scheduling-policy/fair", 2.0, 30));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_TRUE(r->schedule);
  const protocol::SchedulingPolicy* p = state_.FindSchedulingPolicy("fair");
  EXPECT_EQ(p->name, "fair");
  EXPECT_EQ(p->createdAt, created);
  EXPECT_EQ(p->fairsharePolicy.computeReservation, 30u);
  EXPECT_EQ(p->fairsharePolicy.shareDistribution[0].weightFactor, 2.0);
  EXPECT_EQ(Run(Policy(CommandType::kUpdateSchedulingPolicy, "fair", 0.0)).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(state_.FindSchedulingPolicy("fair")->fairsharePolicy.shareDistribution[0].weightFactor, 2.0);
}

TEST_F(FsmResourcesTest, DeletePolicyRefusedWhileAQueueNamesIt) {
  MustRun(Ce("ce"));
  EXPECT_EQ(Run(Target(CommandType::kDeleteSchedulingPolicy, "fair")).status().code(), StatusCode::kNotFound);
  MustRun(Policy(CommandType::kCreateSchedulingPolicy, "fair"));
  MustRun(Queue("q", "ce", "arn:aws:batch:r:1:scheduling-policy/fair"));
  auto used = Run(Target(CommandType::kDeleteSchedulingPolicy, "fair"));
  EXPECT_EQ(used.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(used.status().message(), "scheduling policy fair is used by job queue q");

  protocol::UpdateJobQueueRequest remove;
  remove.jobQueue = "q";
  remove.schedulingPolicyArn = "";
  MustRun(UpdateQueue(remove));
  MustRun(Target(CommandType::kDeleteSchedulingPolicy, "arn:aws:batch:r:1:scheduling-policy/fair"));
  EXPECT_EQ(state_.FindSchedulingPolicy("fair"), nullptr);
  auto loaded = ClusterState::Load(store_);
  ASSERT_TRUE(loaded.ok());
  EXPECT_EQ(loaded->FindSchedulingPolicy("fair"), nullptr);
}

TEST_F(FsmResourcesTest, CreateQueueNamingUnknownPolicyIsNotFound) {
  MustRun(Ce("ce"));
  auto r = Run(Queue("q", "ce", "ghost"));
  EXPECT_EQ(r.status().code(), StatusCode::kNotFound);
  EXPECT_EQ(r.status().message(), "scheduling policy ghost not found");
  EXPECT_EQ(state_.FindJobQueue("q"), nullptr);
  MustRun(Policy(CommandType::kCreateSchedulingPolicy, "ghost"));
  MustRun(Queue("q", "ce", "ghost"));
  EXPECT_EQ(state_.PolicyOf(*state_.FindJobQueue("q"))->name, "ghost");
}

}  // namespace
}  // namespace gantry::coordinator
