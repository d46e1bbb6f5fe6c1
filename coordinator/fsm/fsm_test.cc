#include "coordinator/fsm/fsm.h"

#include <gtest/gtest.h>

#include "coordinator/state/mem_state_store.h"

namespace gantry::coordinator {
namespace {

using protocol::JobStatus;

constexpr int64_t kT0 = 1'700'000'000'000;

class FsmTest : public ::testing::Test {
 protected:
  FsmTest() : fsm_(&state_) {}

  // Applies `c` at the next index and commits the batch, as the server does.
  Result<ApplyResult> Run(Command c) {
    c.at = kT0 + static_cast<int64_t>(next_index_);
    WriteBatch batch;
    auto r = fsm_.Apply(c, next_index_++, batch);
    EXPECT_TRUE(store_.Commit(batch).ok());
    return r;
  }

  static Command Ce(const std::string& name, uint32_t max_vcpus = 256) {
    Command c;
    c.type = CommandType::kCreateComputeEnvironment;
    protocol::ComputeEnvironment ce;
    ce.computeEnvironmentName = name;
    ce.maxvCpus = max_vcpus;
    c.computeEnvironment = ce;
    return c;
  }
  static Command Queue(const std::string& name, const std::string& ce) {
    Command c;
    c.type = CommandType::kCreateJobQueue;
    protocol::JobQueue q;
    q.jobQueueName = name;
    q.computeEnvironmentOrder = {{1, ce}};
    c.jobQueue = q;
    return c;
  }
  static Command Def(const std::string& name, std::vector<std::string> command = {"true"}) {
    Command c;
    c.type = CommandType::kRegisterJobDefinition;
    protocol::JobDefinition d;
    d.jobDefinitionName = name;
    d.command = std::move(command);
    d.resources = {1, 128, 0};
    d.environment = {{"FROM_DEF", "1"}, {"SHARED", "def"}};
    c.jobDefinition = d;
    return c;
  }
  static Command Submit(const std::string& id, const std::string& queue = "q",
                        const std::string& def = "d") {
    Command c;
    c.type = CommandType::kSubmitJob;
    SubmitJobCommand s;
    s.jobId = id;
    s.request.jobName = "job-" + id;
    s.request.jobQueue = queue;
    s.request.jobDefinition = def;
    c.submitJob = s;
    return c;
  }
  static Command NodeUp(const std::string& id, uint32_t vcpus = 4, const std::string& boot = "b1") {
    Command c;
    c.type = CommandType::kUpsertNode;
    protocol::Node n;
    n.nodeId = id;
    n.bootId = boot;
    n.capacity = {vcpus, 4096, 10000};
    c.node = n;
    return c;
  }
  static Command Place(const std::string& job, const std::string& node, const std::string& ce = "ce") {
    Command c;
    c.type = CommandType::kApplyPlan;
    ApplyPlanCommand p;
    p.placements.push_back({job, node, ce});
    c.plan = p;
    return c;
  }
  static Command Started(const std::string& attempt, const std::string& node) {
    Command c;
    c.type = CommandType::kAttemptStarted;
    c.attemptStarted = AttemptStartedCommand{node, attempt};
    return c;
  }
  static Command Ended(const std::string& attempt, const std::string& node, std::optional<int32_t> exit_code,
                       std::optional<int32_t> signal = std::nullopt) {
    Command c;
    c.type = CommandType::kAttemptEnded;
    protocol::AttemptEnded e;
    e.nodeId = node;
    e.bootId = "b1";
    e.attemptId = attempt;
    e.exitCode = exit_code;
    e.signal = signal;
    e.reason = "Essential container in task exited";
    e.logTail = "hello\n";
    c.attemptEnded = e;
    return c;
  }

  void Basics() {
    ASSERT_TRUE(Run(Ce("ce")).ok());
    ASSERT_TRUE(Run(Queue("q", "ce")).ok());
    ASSERT_TRUE(Run(Def("d")).ok());
    ASSERT_TRUE(Run(NodeUp("n1")).ok());
  }

  MemStateStore store_;
  ClusterState state_;
  Fsm fsm_;
  uint64_t next_index_ = 1;
};

TEST_F(FsmTest, CreatesObjectsAndRejectsDuplicates) {
  Basics();
  EXPECT_NE(state_.FindComputeEnvironment("ce"), nullptr);
  EXPECT_EQ(Run(Ce("ce")).status().code(), StatusCode::kConflict);
  EXPECT_EQ(Run(Queue("q", "ce")).status().code(), StatusCode::kConflict);
}

TEST_F(FsmTest, QueueNamingUnknownComputeEnvironmentIsNotFound) {
  auto r = Run(Queue("q", "nope"));
  EXPECT_EQ(r.status().code(), StatusCode::kNotFound);
  EXPECT_NE(r.status().message().find("nope"), std::string::npos);
  EXPECT_EQ(state_.FindJobQueue("q"), nullptr);
}

TEST_F(FsmTest, InvalidComputeEnvironmentIsRejected) {
  Command c = Ce("ce", 4);
  c.computeEnvironment->minvCpus = 8;
  EXPECT_EQ(Run(c).status().code(), StatusCode::kInvalidArgument);
}

TEST_F(FsmTest, DefinitionRevisionsCountUpAndLatestResolves) {
  ASSERT_EQ(Run(Def("d", {"echo", "1"}))->revision, 1u);
  ASSERT_EQ(Run(Def("d", {"echo", "2"}))->revision, 2u);
  auto latest = state_.ResolveJobDefinition("d");
  ASSERT_TRUE(latest.ok());
  EXPECT_EQ((*latest)->command[1], "2");
  auto first = state_.ResolveJobDefinition("d:1");
  ASSERT_TRUE(first.ok());
  EXPECT_EQ((*first)->command[1], "1");
  EXPECT_EQ(state_.ResolveJobDefinition("d:9").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(state_.ResolveJobDefinition("d:x").status().code(), StatusCode::kInvalidArgument);
}

TEST_F(FsmTest, SubmitMergesDefinitionAndOverrides) {
  Basics();
  Command c = Submit("j1");
  c.submitJob->request.vcpus = 2;
  c.submitJob->request.environment = {{"SHARED", "sub"}};
  c.submitJob->request.command = std::vector<std::string>{"echo", "hi"};
  auto r = Run(c);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_FALSE(r->schedule);
  EXPECT_EQ(r->new_runnable, std::vector<std::string>{"j1"});
  const protocol::Job* j = state_.FindJob("j1");
  ASSERT_NE(j, nullptr);
  EXPECT_EQ(j->status, JobStatus::kRunnable);
  EXPECT_EQ(j->resources.vcpus, 2u);
  EXPECT_EQ(j->resources.memoryMib, 128u);
  EXPECT_EQ(j->environment.at("FROM_DEF"), "1");
  EXPECT_EQ(j->environment.at("SHARED"), "sub");
  EXPECT_EQ(j->command, (std::vector<std::string>{"echo", "hi"}));
  EXPECT_EQ(j->jobDefinition, "d:1");
  EXPECT_EQ(state_.runnable().at("q").size(), 1u);
}

TEST_F(FsmTest, SubmitToUnknownQueueOrDefinitionFails) {
  Basics();
  auto q = Run(Submit("j1", "nope"));
  EXPECT_EQ(q.status().code(), StatusCode::kNotFound);
  EXPECT_NE(q.status().message().find("job queue nope"), std::string::npos);
  EXPECT_EQ(Run(Submit("j2", "q", "nodef")).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(state_.job_count(), 0u);
}

TEST_F(FsmTest, SubmitWithoutAnyCommandFails) {
  Basics();
  ASSERT_TRUE(Run(Def("empty", {})).ok());
  EXPECT_EQ(Run(Submit("j1", "q", "empty")).status().code(), StatusCode::kInvalidArgument);
}

TEST_F(FsmTest, RetriedSubmissionWithSameTokenReturnsFirstJob) {
  Basics();
  Command a = Submit("j1");
  a.submitJob->request.clientToken = "tok";
  Command b = Submit("j2");
  b.submitJob->request.clientToken = "tok";
  EXPECT_EQ(Run(a)->jobId, "j1");
  EXPECT_EQ(Run(b)->jobId, "j1");
  EXPECT_EQ(state_.job_count(), 1u);
}

TEST_F(FsmTest, PlacementStartsAttemptAndReservesNode) {
  Basics();
  ASSERT_TRUE(Run(Submit("j1")).ok());
  auto r = Run(Place("j1", "n1"));
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->launches.size(), 1u);
  EXPECT_EQ(r->launches[0].attemptId, "j1-1");
  EXPECT_EQ(r->launches[0].command, (std::vector<std::string>{"true"}));
  const protocol::Job* j = state_.FindJob("j1");
  EXPECT_EQ(j->status, JobStatus::kStarting);
  ASSERT_EQ(j->attempts.size(), 1u);
  EXPECT_EQ(j->attempts[0].node, "n1");
  EXPECT_EQ(state_.FindNode("n1")->Free().vcpus, 3u);
  EXPECT_EQ(state_.UsedVcpus("ce"), 1u);
  EXPECT_TRUE(state_.runnable().empty());
}

TEST_F(FsmTest, PlacementThatNoLongerFitsIsDropped) {
  Basics();
  Command big = Submit("j1");
  big.submitJob->request.vcpus = 3;
  ASSERT_TRUE(Run(big).ok());
  Command big2 = Submit("j2");
  big2.submitJob->request.vcpus = 3;
  ASSERT_TRUE(Run(big2).ok());
  ASSERT_EQ(Run(Place("j1", "n1"))->launches.size(), 1u);
  auto r = Run(Place("j2", "n1"));  // only 1 vCPU left
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->launches.empty());
  EXPECT_EQ(state_.FindJob("j2")->status, JobStatus::kRunnable);
  EXPECT_EQ(state_.FindNode("n1")->Free().vcpus, 1u);
}

TEST_F(FsmTest, PlacementNeverExceedsComputeEnvironmentMaxVcpus) {
  ASSERT_TRUE(Run(Ce("ce", 1)).ok());
  ASSERT_TRUE(Run(Queue("q", "ce")).ok());
  ASSERT_TRUE(Run(Def("d")).ok());
  ASSERT_TRUE(Run(NodeUp("n1")).ok());
  ASSERT_TRUE(Run(Submit("j1")).ok());
  ASSERT_TRUE(Run(Submit("j2")).ok());
  EXPECT_EQ(Run(Place("j1", "n1"))->launches.size(), 1u);
  EXPECT_TRUE(Run(Place("j2", "n1"))->launches.empty());
}

TEST_F(FsmTest, AttemptRunsToSucceeded) {
  Basics();
  ASSERT_TRUE(Run(Submit("j1")).ok());
  ASSERT_TRUE(Run(Place("j1", "n1")).ok());
  ASSERT_TRUE(Run(Started("j1-1", "n1")).ok());
  EXPECT_EQ(state_.FindJob("j1")->status, JobStatus::kRunning);
  EXPECT_TRUE(state_.FindJob("j1")->startedAt.has_value());
  auto r = Run(Ended("j1-1", "n1", 0));
  ASSERT_TRUE(r.ok());
  const protocol::Job* j = state_.FindJob("j1");
  EXPECT_EQ(j->status, JobStatus::kSucceeded);
  EXPECT_EQ(j->attempts[0].exitCode, 0);
  EXPECT_EQ(j->attempts[0].logTail, "hello\n");
  EXPECT_TRUE(j->stoppedAt.has_value());
  EXPECT_EQ(state_.FindNode("n1")->Free().vcpus, 4u);
  EXPECT_EQ(state_.UsedVcpus("ce"), 0u);
}

TEST_F(FsmTest, NonZeroExitOrSignalFails) {
  Basics();
  ASSERT_TRUE(Run(Submit("j1")).ok());
  ASSERT_TRUE(Run(Submit("j2")).ok());
  ASSERT_TRUE(Run(Place("j1", "n1")).ok());
  ASSERT_TRUE(Run(Place("j2", "n1")).ok());
  ASSERT_TRUE(Run(Ended("j1-1", "n1", 3)).ok());
  ASSERT_TRUE(Run(Ended("j2-1", "n1", std::nullopt, 9)).ok());
  EXPECT_EQ(state_.FindJob("j1")->status, JobStatus::kFailed);
  EXPECT_EQ(state_.FindJob("j1")->attempts[0].exitCode, 3);
  EXPECT_EQ(state_.FindJob("j2")->status, JobStatus::kFailed);
  EXPECT_EQ(state_.FindJob("j2")->attempts[0].exitCode, 137);
}

TEST_F(FsmTest, StaleReportsChangeNothing) {
  Basics();
  ASSERT_TRUE(Run(NodeUp("n2")).ok());
  ASSERT_TRUE(Run(Submit("j1")).ok());
  ASSERT_TRUE(Run(Place("j1", "n1")).ok());
  auto wrong_node = Run(Ended("j1-1", "n2", 0));
  ASSERT_TRUE(wrong_node.ok());
  EXPECT_FALSE(wrong_node->notes.empty());
  EXPECT_EQ(state_.FindJob("j1")->status, JobStatus::kStarting);
  ASSERT_TRUE(Run(Ended("j1-1", "n1", 0)).ok());
  // A duplicate or late report after the end: SUCCEEDED is final.
  ASSERT_TRUE(Run(Ended("j1-1", "n1", 1)).ok());
  ASSERT_TRUE(Run(Started("j1-1", "n1")).ok());
  EXPECT_EQ(state_.FindJob("j1")->status, JobStatus::kSucceeded);
  EXPECT_EQ(state_.FindJob("j1")->attempts[0].exitCode, 0);
}

TEST_F(FsmTest, NodeRebootEndsItsLiveAttempts) {
  Basics();
  ASSERT_TRUE(Run(Submit("j1")).ok());
  ASSERT_TRUE(Run(Place("j1", "n1")).ok());
  ASSERT_TRUE(Run(NodeUp("n1", 4, "b1")).ok());  // same boot: nothing happens
  EXPECT_EQ(state_.FindJob("j1")->status, JobStatus::kStarting);
  ASSERT_TRUE(Run(NodeUp("n1", 4, "b2")).ok());
  const protocol::Job* j = state_.FindJob("j1");
  EXPECT_EQ(j->status, JobStatus::kFailed);
  EXPECT_EQ(j->statusReason, "Node restarted: n1");
  EXPECT_EQ(state_.FindNode("n1")->Free().vcpus, 4u);
}

TEST_F(FsmTest, ReplayedIndexIsSkipped) {
  Basics();
  WriteBatch batch;
  auto r = fsm_.Apply(Submit("j1"), 2, batch);  // index 2 is already applied
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->skipped);
  EXPECT_TRUE(batch.empty());
  EXPECT_EQ(state_.job_count(), 0u);
}

TEST_F(FsmTest, RejectedCommandStillAdvancesAppliedIndex) {
  Basics();
  uint64_t before = state_.applied_index();
  EXPECT_FALSE(Run(Submit("j1", "nope")).ok());
  EXPECT_EQ(state_.applied_index(), before + 1);
}

TEST_F(FsmTest, LoadRebuildsStateAndIndexes) {
  Basics();
  ASSERT_TRUE(Run(Submit("j1")).ok());
  ASSERT_TRUE(Run(Submit("j2")).ok());
  Command tok = Submit("j3");
  tok.submitJob->request.clientToken = "t3";
  ASSERT_TRUE(Run(tok).ok());
  ASSERT_TRUE(Run(Place("j1", "n1")).ok());
  auto loaded = ClusterState::Load(store_);
  ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
  EXPECT_EQ(loaded->applied_index(), state_.applied_index());
  EXPECT_EQ(loaded->job_count(), 3u);
  EXPECT_EQ(loaded->FindJob("j1")->status, JobStatus::kStarting);
  EXPECT_EQ(loaded->FindNode("n1")->Free().vcpus, 3u);
  EXPECT_EQ(loaded->UsedVcpus("ce"), 1u);
  EXPECT_EQ(loaded->runnable().at("q").size(), 2u);
  EXPECT_EQ(loaded->FindJobByClientToken("t3"), "j3");
  EXPECT_EQ(loaded->next_sequence(), state_.next_sequence());
  EXPECT_EQ(loaded->FindJobByAttempt("j1-1")->jobId, "j1");
}

TEST_F(FsmTest, CorruptRecordFailsLoad) {
  WriteBatch b;
  b.Put("job/x", "\xc1");  // 0xc1 is never valid msgpack
  ASSERT_TRUE(store_.Commit(b).ok());
  auto loaded = ClusterState::Load(store_);
  EXPECT_EQ(loaded.status().code(), StatusCode::kCorruption);
}

}  // namespace
}  // namespace gantry::coordinator
