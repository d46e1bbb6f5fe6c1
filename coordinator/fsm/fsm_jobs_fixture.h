// Test-only fixture for the job lifecycle tests (fsm_jobs_test.cc,
// fsm_arrays_test.cc): an Fsm over a ClusterState whose batches are
// committed to a MemStateStore, with command factories and a check that a
// reload from the store rebuilds the same indexes.
#pragma once

#include <map>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "coordinator/fsm/fsm.h"
#include "coordinator/state/mem_state_store.h"

namespace gantry::coordinator::testing {

inline constexpr int64_t kT0 = 1'700'000'000'000;

class FsmJobsTest : public ::testing::Test {
 protected:
  FsmJobsTest() : fsm_(&state_) {}

  // Applies `c` at the next index, 1 s after the previous one, and commits.
  Result<ApplyResult> Run(Command c) {
    c.at = Now();
    WriteBatch batch;
    auto r = fsm_.Apply(c, next_index_++, batch);
    EXPECT_TRUE(store_.Commit(batch).ok());
    return r;
  }
  ApplyResult MustRun(Command c) {
    auto r = Run(std::move(c));
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? *r : ApplyResult{};
  }
  int64_t Now() const { return kT0 + static_cast<int64_t>(next_index_) * 1000; }

  // ce "ce", FIFO queue "q", definition "d" (echo, 1 vCPU), node "n1" (16 vCPUs).
  void Basics() {
    Command ce{CommandType::kCreateComputeEnvironment};
    ce.computeEnvironment = protocol::ComputeEnvironment{};
    ce.computeEnvironment->computeEnvironmentName = "ce";
    MustRun(ce);
    MustRun(QueueCmd("q"));
    MustRun(DefCmd("d", {"echo", "hi"}));
    Command n{CommandType::kUpsertNode};
    n.node = protocol::Node{};
    n.node->nodeId = "n1";
    n.node->bootId = "b1";
    n.node->capacity = {16, 64 * 1024, 100000};
    MustRun(n);
  }
  static Command QueueCmd(const std::string& name, std::optional<std::string> policy = std::nullopt) {
    Command c{CommandType::kCreateJobQueue};
    c.jobQueue = protocol::JobQueue{};
    c.jobQueue->jobQueueName = name;
    c.jobQueue->computeEnvironmentOrder = {{1, "ce"}};
    c.jobQueue->schedulingPolicyArn = std::move(policy);
    return c;
  }
  static Command DefCmd(const std::string& name, std::vector<std::string> command) {
    Command c{CommandType::kRegisterJobDefinition};
    c.jobDefinition = protocol::JobDefinition{};
    c.jobDefinition->jobDefinitionName = name;
    c.jobDefinition->command = std::move(command);
    c.jobDefinition->resources = {1, 128, 0};
    return c;
  }
  // A fair-share queue "fq" under policy "fs". The policy is stored
  // directly: creating one is another handler's business.
  void FairShareQueue(uint32_t decay_seconds = 0) {
    protocol::SchedulingPolicy p;
    p.name = "fs";
    p.fairsharePolicy.shareDecaySeconds = decay_seconds;
    WriteBatch batch;
    state_.PutSchedulingPolicy(p, batch);
    ASSERT_TRUE(store_.Commit(batch).ok());
    MustRun(QueueCmd("fq", "arn:aws:batch:us-east-1:1:scheduling-policy/fs"));
  }

  static Command Submit(const std::string& id, std::vector<protocol::JobDependency> deps = {}) {
    Command c{CommandType::kSubmitJob};
    c.submitJob = SubmitJobCommand{};
    c.submitJob->jobId = id;
    c.submitJob->request.jobName = "job-" + id;
    c.submitJob->request.jobQueue = "q";
    c.submitJob->request.jobDefinition = "d";
    c.submitJob->request.dependsOn = std::move(deps);
    return c;
  }
  static Command SubmitArray(const std::string& id, uint32_t size, std::vector<protocol::JobDependency> deps = {}) {
    Command c = Submit(id, std::move(deps));
    c.submitJob->request.arraySize = size;
    return c;
  }
  static protocol::JobDependency On(const std::string& id) { return {id, std::nullopt}; }
  static protocol::JobDependency NToN(const std::string& id) { return {id, protocol::ArrayJobDependency::kNToN}; }
  static protocol::JobDependency Sequential() { return {"", protocol::ArrayJobDependency::kSequential}; }

  static Command Place(const std::string& job, const std::string& node = "n1") {
    Command c{CommandType::kApplyPlan};
    c.plan = ApplyPlanCommand{};
    c.plan->placements.push_back({job, node, "ce"});
    return c;
  }
  static Command Started(const std::string& attempt, const std::string& node = "n1") {
    Command c{CommandType::kAttemptStarted};
    c.attemptStarted = AttemptStartedCommand{node, attempt};
    return c;
  }
  static Command Ended(const std::string& attempt, std::optional<int32_t> exit_code,
                       std::optional<std::string> status_reason = std::nullopt, const std::string& node = "n1") {
    Command c{CommandType::kAttemptEnded};
    c.attemptEnded = protocol::AttemptEnded{};
    c.attemptEnded->nodeId = node;
    c.attemptEnded->bootId = "b1";
    c.attemptEnded->attemptId = attempt;
    c.attemptEnded->exitCode = exit_code;
    c.attemptEnded->reason = "Essential container in task exited";
    c.attemptEnded->statusReason = std::move(status_reason);
    c.attemptEnded->logTail = "tail of " + attempt;
    return c;
  }
  static Command Stop(CommandType type, const std::string& job, const std::string& reason) {
    Command c{type};
    c.stopJob = StopJobCommand{job, reason};
    return c;
  }
  static Command Cancel(const std::string& job, const std::string& reason = "no longer needed") {
    return Stop(CommandType::kCancelJob, job, reason);
  }
  static Command Terminate(const std::string& job, const std::string& reason = "operator stop") {
    return Stop(CommandType::kTerminateJob, job, reason);
  }
  static Command Purge(std::vector<std::string> ids) {
    Command c{CommandType::kPurgeJobs};
    c.purge = PurgeJobsCommand{std::move(ids)};
    return c;
  }

  // Runs job `id` through one attempt that exits with `exit_code`.
  ApplyResult RunAttempt(const std::string& id, std::optional<int32_t> exit_code,
                         std::optional<std::string> status_reason = std::nullopt) {
    const protocol::Job* j = state_.FindJob(id);
    EXPECT_NE(j, nullptr) << id;
    const std::string attempt = MakeAttemptId(id, static_cast<uint32_t>(j ? j->attempts.size() : 0) + 1);
    EXPECT_EQ(MustRun(Place(id)).launches.size(), 1u) << id;
    MustRun(Started(attempt));
    return MustRun(Ended(attempt, exit_code, std::move(status_reason)));
  }

  const protocol::Job& JobAt(const std::string& id) {
    const protocol::Job* j = state_.FindJob(id);
    EXPECT_NE(j, nullptr) << id;
    static const protocol::Job kMissing;
    return j ? *j : kMissing;
  }
  protocol::JobStatus StatusOf(const std::string& id) { return JobAt(id).status; }
  uint32_t Count(const std::string& parent, protocol::JobStatus s) {
    return state_.ArrayCounts(parent)[static_cast<size_t>(s)];
  }

  // A replica restarting from the store must rebuild the same records and
  // indexes as the one that applied the commands. `ids` are the jobs whose
  // records, dependents and array counts are compared.
  // The runnable index by job id (its values point into each state).
  static std::map<std::string, std::map<uint64_t, std::string>> RunnableIds(const ClusterState& s) {
    std::map<std::string, std::map<uint64_t, std::string>> out;
    for (const auto& [queue, jobs] : s.runnable()) {
      for (const auto& [seq, job] : jobs) out[queue][seq] = job->jobId;
    }
    return out;
  }

  void ExpectReloadMatches(const std::vector<std::string>& ids) {
    auto loaded = ClusterState::Load(store_);
    ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
    EXPECT_EQ(loaded->job_count(), state_.job_count());
    EXPECT_EQ(loaded->Digest(), state_.Digest()) << "a reloaded replica must agree with the one that applied";
    EXPECT_EQ(loaded->next_sequence(), state_.next_sequence());
    EXPECT_EQ(RunnableIds(*loaded), RunnableIds(state_));
    EXPECT_EQ(loaded->jobs_by_queue(), state_.jobs_by_queue());
    EXPECT_EQ(loaded->finished(), state_.finished());
    EXPECT_EQ(loaded->share_running_vcpus(), state_.share_running_vcpus());
    ASSERT_EQ(loaded->share_usage().size(), state_.share_usage().size());
    for (const auto& [queue, shares] : state_.share_usage()) {
      for (const auto& [share, usage] : shares) {
        const ShareUsage& other = loaded->share_usage().at(queue).at(share);
        EXPECT_DOUBLE_EQ(other.vcpuSeconds, usage.vcpuSeconds);
        EXPECT_EQ(other.at, usage.at);
      }
    }
    for (const auto& [name, node] : state_.nodes()) {
      EXPECT_EQ(loaded->FindNode(name)->Free(), node.Free()) << name;
    }
    for (const std::string& id : ids) {
      const protocol::Job* a = state_.FindJob(id);
      const protocol::Job* b = loaded->FindJob(id);
      ASSERT_EQ(a == nullptr, b == nullptr) << id;
      if (a) {
        EXPECT_EQ(protocol::Encode(*a), protocol::Encode(*b)) << id;
        EXPECT_EQ(loaded->ActiveJobs(a->jobQueue), state_.ActiveJobs(a->jobQueue));
      }
      const std::set<std::string>* da = state_.DependentsOf(id);
      const std::set<std::string>* db = loaded->DependentsOf(id);
      EXPECT_EQ(da ? *da : std::set<std::string>{}, db ? *db : std::set<std::string>{}) << id;
      EXPECT_EQ(loaded->ArrayCounts(id), state_.ArrayCounts(id)) << id;
    }
  }

  MemStateStore store_;
  ClusterState state_;
  Fsm fsm_;
  uint64_t next_index_ = 1;
};

}  // namespace gantry::coordinator::testing
