// End to end: what gantry does when nodes fail or are taken away, on real
// coordinator and agent processes. An agent killed or paused past its TTL,
// a node reclaimed (spot) or drained, a job preempted by a higher-priority
// queue, and a coordinator leader killed or every replica paused: each ends
// in a clear attempt end and a retry by policy, never a lost or doubled job.
#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "tests/integration/cluster_harness.h"
#include "tests/integration/host_probe.h"

namespace gantry::testing {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;
using protocol::InterruptionKind;
using protocol::JobStatus;
using protocol::NodeAction;

constexpr int64_t kTtlMs = 1000;
#ifdef GANTRY_SANITIZED_BUILD
constexpr auto kSlack = 3s;  // every process runs several times slower
#else
constexpr auto kSlack = 0s;
#endif

HarnessOptions Options(int agents, uint32_t vcpus, int replicas = 1) {
  HarnessOptions o;
  o.agents = agents;
  o.agent_vcpus = vcpus;
  o.replicas = replicas;
  o.node_ttl_ms = kTtlMs;
  // The jobs here only sleep and print: a scratch filesystem each would
  // only slow them down (and they ask for no disk).
  o.agent_args = LoadTestAgentArgs();
  o.coordinator_args = {"--default-job-disk-mib", "0"};
  return o;
}

class NodeFaultsTest : public ::testing::Test {
 protected:
  void TearDown() override {
    if (cluster_ && HasFailure()) cluster_->KeepFiles();
    // Jobs of a killed agent outlive it; they must not outlive the test.
    for (pid_t pid : ProcessesWith(marker_)) ::kill(pid, SIGKILL);
  }

  void StartCluster(HarnessOptions options) {
    cluster_ = std::make_unique<ClusterHarness>(GANTRY_BINARY, std::move(options));
    ASSERT_TRUE(cluster_->Start().ok()) << "see " << cluster_->root();
    ASSERT_TRUE(cluster_->CreateDefaults().ok());
  }

  // A shell command whose first attempt runs until killed, with `on_term`
  // run on SIGTERM, and whose later attempts print "attempt N" and exit 0.
  // Run it with $0 = Arg0(name): once its trap is set, the first attempt
  // starts a process whose command line holds Ready(name), and keeps it
  // until it is killed (see WaitReady).
  static std::string FirstAttemptHangs(const std::string& on_term = "exit 143") {
    return "if [ \"$AWS_BATCH_JOB_ATTEMPT\" != 1 ]; then echo \"attempt $AWS_BATCH_JOB_ATTEMPT\"; exit 0; fi; "
           "trap '" + on_term + "' TERM; "
           "sh -c 'while :; do sleep 1; done' \"$0-ready\" & "
           "while :; do wait; sleep 0.2; done";
  }
  std::string Arg0(const std::string& name) const { return marker_ + "-" + name; }
  std::string Ready(const std::string& name) const { return Arg0(name) + "-ready"; }
  // Until the first attempt of job `name` has set its trap: a signal sent
  // before would find the shell's default.
  void WaitReady(const std::string& name) {
    const auto deadline = Clock::now() + 10s + kSlack;
    while (ProcessesWith(Ready(name)).empty() && Clock::now() < deadline) std::this_thread::sleep_for(5ms);
    ASSERT_FALSE(ProcessesWith(Ready(name)).empty()) << name << " never got ready";
  }

  // Runs `script` with sh -c, and $0 = Arg0(name).
  std::string Submit(const std::string& name, const std::string& queue, const std::string& script,
                     uint32_t attempts = 1, uint32_t vcpus = 1, std::optional<uint32_t> preemption_retries = {}) {
    protocol::SubmitJobRequest req;
    req.jobName = name;
    req.jobQueue = queue;
    req.jobDefinition = "d";
    req.command = std::vector<std::string>{"sh", "-c", script, Arg0(name)};
    req.vcpus = vcpus;
    req.retryStrategy = protocol::RetryStrategy{.attempts = attempts};
    req.preemptionRetries = preemption_retries;
    auto r = cluster_->rpc().Call(req);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? r->jobId : "";
  }

  protocol::Job Describe(const std::string& id) {
    auto r = cluster_->rpc().Call(protocol::DescribeJobsRequest{{id}});
    if (!r.ok() || r->jobs.empty()) return {};
    return r->jobs[0];
  }

  Status Control(const std::string& node, NodeAction action, std::optional<uint32_t> deadline = {}) {
    auto r = cluster_->rpc().Call(protocol::NodeControlRequest{node, action, deadline, std::nullopt});
    return r.status();
  }

  protocol::NodeView Node(const std::string& id) {
    auto r = cluster_->rpc().Call(protocol::DescribeNodesRequest{});
    if (r.ok()) {
      for (const auto& n : r->nodes) {
        if (n.node.nodeId == id) return n;
      }
    }
    return {};
  }

  // Polls until `pred(job)` holds; the job as last seen, or nullopt at the limit.
  template <class Pred>
  std::optional<protocol::Job> WaitFor(const std::string& id, Pred pred, std::chrono::milliseconds limit) {
    const auto deadline = Clock::now() + limit;
    while (Clock::now() < deadline) {
      protocol::Job j = Describe(id);
      if (!j.jobId.empty() && pred(j)) return j;
      std::this_thread::sleep_for(10ms);
    }
    return std::nullopt;
  }

  // Starts `jobs` on agent-0 alone: agent-1 is cordoned until they run.
  void RunOnAgentZero(const std::vector<std::string>& jobs) {
    ASSERT_TRUE(Control("agent-1", NodeAction::kCordon).ok());
    for (const auto& id : jobs) {
      ASSERT_TRUE(cluster_->WaitForStatus(id, JobStatus::kRunning, 20s).ok()) << id;
      ASSERT_EQ(Describe(id).attempts.back().node, "agent-0");
    }
    ASSERT_TRUE(Control("agent-1", NodeAction::kUncordon).ok());
  }

  std::unique_ptr<ClusterHarness> cluster_;
  // Unique per run, so leftovers of another test never count.
  const std::string marker_ = "gantry-faults-test-" + std::to_string(::getpid());
};

double SecondsSince(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }

TEST_F(NodeFaultsTest, AgentKilledItsJobsRunElsewhereWithinTheTtlAndASecond) {
  StartCluster(Options(2, 2));
  const std::vector<std::string> ids = {Submit("k0", "q", FirstAttemptHangs(), 2),
                                        Submit("k1", "q", FirstAttemptHangs(), 2)};
  RunOnAgentZero(ids);
  const auto t0 = Clock::now();
  cluster_->StopAgent(0, /*kill9=*/true);
  for (const auto& id : ids) {
    auto j = WaitFor(
        id, [](const protocol::Job& j) { return j.attempts.size() == 2 && j.attempts[1].startedAt.has_value(); },
        20s);
    ASSERT_TRUE(j) << id << " was never retried";
    EXPECT_EQ(j->attempts[0].statusReason, "Node lost: agent-0");
    EXPECT_EQ(j->attempts[1].node, "agent-1");
  }
  const double seconds = SecondsSince(t0);
  std::printf("[   info   ] agent kill -9 -> every retry RUNNING on another node: %.3f s (TTL %.1f s)\n", seconds,
              kTtlMs / 1000.0);
  EXPECT_LT(seconds, std::chrono::duration<double>(std::chrono::milliseconds(kTtlMs) + 1s + kSlack).count());
  auto done = cluster_->WaitForTerminal(ids, 20s);
  ASSERT_TRUE(done.ok());
  for (const auto& j : *done) EXPECT_EQ(j.status, JobStatus::kSucceeded) << j.statusReason;
}

TEST_F(NodeFaultsTest, PausedAgentComesBackItsStaleAttemptIsKilledAndItsLateReportIgnored) {
  StartCluster(Options(2, 2));
  const std::string id = Submit("paused", "q", FirstAttemptHangs(), 2);
  RunOnAgentZero({id});
  WaitReady("paused");
  cluster_->SignalAgent(0, SIGSTOP);
  auto retried = WaitFor(id, [](const protocol::Job& j) { return j.status == JobStatus::kSucceeded; }, 30s);
  ASSERT_TRUE(retried) << "the job was not retried while its agent was paused";
  ASSERT_EQ(retried->attempts.size(), 2u);
  EXPECT_EQ(retried->attempts[0].statusReason, "Node lost: agent-0");
  // The first attempt still runs under the paused agent: two live copies,
  // one of them fenced, until the agent hears it is not current.
  EXPECT_FALSE(ProcessesWith(Ready("paused")).empty());

  cluster_->SignalAgent(0, SIGCONT);
  const auto deadline = Clock::now() + 10s + kSlack;
  while (!ProcessesWith(Ready("paused")).empty() && Clock::now() < deadline) std::this_thread::sleep_for(20ms);
  EXPECT_TRUE(ProcessesWith(Ready("paused")).empty()) << "the stale attempt was not killed";
  ASSERT_TRUE(cluster_->WaitForReadyNodes(2, 10s).ok());
  // Its end (exit 143 after SIGTERM) reached the leader and changed nothing.
  const std::string late = "late report ignored type=AttemptEnded attempt_id=" + id + "-1";
  const auto reported = Clock::now() + 10s + kSlack;
  while (cluster_->ReplicaLog(0).find(late) == std::string::npos && Clock::now() < reported) {
    std::this_thread::sleep_for(20ms);
  }
  EXPECT_NE(cluster_->ReplicaLog(0).find(late), std::string::npos) << "the late end report never arrived";
  const protocol::Job after = Describe(id);
  EXPECT_EQ(after.status, JobStatus::kSucceeded);
  ASSERT_EQ(after.attempts.size(), 2u);
  EXPECT_EQ(after.attempts[0].statusReason, "Node lost: agent-0");
  EXPECT_FALSE(after.attempts[0].exitCode) << "the late report's exit code was taken";
  EXPECT_EQ(after.stoppedAt, retried->stoppedAt);
}

TEST_F(NodeFaultsTest, ReclaimWarnsKillsAtTheDeadlineAndRequeuesOnItsOwnBudget) {
  StartCluster(Options(2, 2));
  // Each ignores SIGTERM (as a job finishing its checkpoint might), saying
  // what it read in the deadline file.
  const std::string on_term = "echo \"TERM deadline=$(cat GANTRY_RECLAIM_DEADLINE)\"";
  const std::string spared = Submit("spared", "q", FirstAttemptHangs(on_term), 1);
  const std::string spent = Submit("spent", "q", FirstAttemptHangs(on_term), 3, 1, /*preemption_retries=*/0);
  RunOnAgentZero({spared, spent});
  WaitReady("spared");
  WaitReady("spent");
  const auto t0 = Clock::now();
  const int64_t notice_epoch_s =
      std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
  ASSERT_TRUE(Control("agent-0", NodeAction::kReclaim, 2).ok());
  EXPECT_EQ(Node("agent-0").state, protocol::NodeState::kReclaiming);

  auto ended = WaitFor(spent, [](const protocol::Job& j) { return protocol::IsTerminal(j.status); }, 20s);
  ASSERT_TRUE(ended);
  const double killed_after = SecondsSince(t0);
  EXPECT_GE(killed_after, 2.0) << "killed before the grace was over";
  EXPECT_EQ(ended->status, JobStatus::kFailed);
  EXPECT_EQ(ended->statusReason,
            "Preemption retries exhausted: interrupted 1 times, preemptionRetries is 0 (last: Node reclaimed: agent-0)");

  auto done = cluster_->WaitForTerminal({spared}, 20s);
  ASSERT_TRUE(done.ok());
  const protocol::Job& j = (*done)[0];
  EXPECT_EQ(j.status, JobStatus::kSucceeded) << "its one retryStrategy attempt was not spent by the reclaim";
  ASSERT_EQ(j.attempts.size(), 2u);
  const protocol::Attempt& first = j.attempts[0];
  EXPECT_EQ(first.statusReason, "Node reclaimed: agent-0");
  ASSERT_TRUE(first.interruption);
  EXPECT_EQ(first.interruption->kind, InterruptionKind::kReclaimed);
  const std::string tail = first.logTail.value_or("");
  const size_t at = tail.find("TERM deadline=");
  ASSERT_NE(at, std::string::npos) << "the job never saw SIGTERM: " << tail;
  const int64_t deadline_s = std::stoll(tail.substr(at + 14));
  EXPECT_GE(deadline_s, notice_epoch_s + 1);
  EXPECT_LE(deadline_s, notice_epoch_s + 4);
  EXPECT_EQ(j.attempts[1].node, "agent-1");

  const auto empty_by = Clock::now() + 10s;
  while (!Node("agent-0").runningAttempts.empty() && Clock::now() < empty_by) std::this_thread::sleep_for(10ms);
  EXPECT_TRUE(Node("agent-0").runningAttempts.empty());
  std::printf("[   info   ] reclaim notice (grace 2 s) -> attempts killed and reported %.3f s\n", killed_after);
}

TEST_F(NodeFaultsTest, ANoticeFileOnTheNodeStartsItsReclaim) {
  StartCluster(Options(2, 2));
  const std::string id = Submit("noticed", "q", FirstAttemptHangs(), 1);
  RunOnAgentZero({id});
  WaitReady("noticed");
  {
    std::ofstream notice(fs::path(cluster_->AgentDataDir(0)) / ".reclaim-notice.tmp");
    notice << "1\n";
  }
  fs::rename(fs::path(cluster_->AgentDataDir(0)) / ".reclaim-notice.tmp",
             fs::path(cluster_->AgentDataDir(0)) / "reclaim-notice");
  auto done = cluster_->WaitForTerminal({id}, 20s + kSlack);
  ASSERT_TRUE(done.ok());
  const protocol::Job& j = (*done)[0];
  EXPECT_EQ(j.status, JobStatus::kSucceeded);
  ASSERT_EQ(j.attempts.size(), 2u);
  ASSERT_TRUE(j.attempts[0].interruption);
  EXPECT_EQ(j.attempts[0].interruption->kind, InterruptionKind::kReclaimed);
  const protocol::NodeView node = Node("agent-0");
  EXPECT_EQ(node.state, protocol::NodeState::kReclaiming);
  EXPECT_NE(node.stateReason.find("reclaim notice: notice file"), std::string::npos) << node.stateReason;
}

TEST_F(NodeFaultsTest, DrainLetsJobsFinishUntilItsDeadlineThenMovesTheRest) {
  StartCluster(Options(2, 2));
  const std::string quick = Submit("quick", "q", "sleep 1; echo done", 1);
  const std::string slow = Submit("slow", "q", FirstAttemptHangs(), 1);
  RunOnAgentZero({quick, slow});
  WaitReady("slow");
  const auto t0 = Clock::now();
  ASSERT_TRUE(Control("agent-0", NodeAction::kDrain, 3).ok());
  EXPECT_EQ(Node("agent-0").state, protocol::NodeState::kDraining);
  auto done = cluster_->WaitForTerminal({quick, slow}, 30s);
  ASSERT_TRUE(done.ok());
  const protocol::Job& q = (*done)[0];
  const protocol::Job& s = (*done)[1];
  EXPECT_EQ(q.status, JobStatus::kSucceeded);
  EXPECT_EQ(q.attempts.size(), 1u) << "a job that finished before the deadline is left alone";
  EXPECT_EQ(s.status, JobStatus::kSucceeded) << s.statusReason;
  ASSERT_EQ(s.attempts.size(), 2u);
  ASSERT_TRUE(s.attempts[0].interruption);
  EXPECT_EQ(s.attempts[0].interruption->kind, InterruptionKind::kDrained);
  EXPECT_EQ(s.attempts[0].statusReason, "Node drained: agent-0 (deadline passed)");
  EXPECT_GE(*s.attempts[0].stoppedAt - s.attempts[0].placedAt, 3000);
  EXPECT_EQ(s.attempts[1].node, "agent-1");
  std::printf("[   info   ] drain with a 3 s deadline -> node empty, its job done elsewhere: %.3f s\n",
              SecondsSince(t0));
}

// One 2-vCPU node in a preemptible and a fixed compute environment, each
// with a low (1) and a high (10) priority queue.
class PreemptionTest : public NodeFaultsTest {
 protected:
  void SetUp() override {
    StartCluster(Options(1, 2));
    for (bool preemptible : {true, false}) {
      protocol::ComputeEnvironment ce;
      ce.computeEnvironmentName = preemptible ? "pce" : "fixed";
      ce.preemptible = preemptible;
      ASSERT_TRUE(cluster_->rpc().Call(protocol::CreateComputeEnvironmentRequest{ce}).ok());
      for (uint32_t priority : {1u, 10u}) {
        protocol::JobQueue q;
        q.jobQueueName = ce.computeEnvironmentName + (priority == 1 ? "-low" : "-high");
        q.priority = priority;
        q.computeEnvironmentOrder = {{1, ce.computeEnvironmentName}};
        ASSERT_TRUE(cluster_->rpc().Call(protocol::CreateJobQueueRequest{q}).ok());
      }
    }
  }
};

TEST_F(PreemptionTest, AHigherPriorityJobDisplacesALowerOneInAPreemptibleEnvironment) {
  // The victim ignores SIGTERM: it is killed after the agent's kill grace
  // (2 s here), and meanwhile the winner says what it waits for.
  const std::string low = Submit("low", "pce-low", FirstAttemptHangs("echo got TERM"), 1, 2);
  ASSERT_TRUE(cluster_->WaitForStatus(low, JobStatus::kRunning, 20s).ok());
  WaitReady("low");
  const std::string high = Submit("high", "pce-high", "echo urgent", 1, 2);
  auto waiting = WaitFor(
      high, [](const protocol::Job& j) { return j.statusReason.find("preempt") != std::string::npos; }, 10s);
  ASSERT_TRUE(waiting) << "the winner never said it was preempting";
  EXPECT_TRUE(waiting->statusReason == "preempting 1 lower-priority job(s) on node agent-0 to make room" ||
              waiting->statusReason == "waiting for preempted jobs to stop on node agent-0")
      << waiting->statusReason;
  auto done = cluster_->WaitForTerminal({high, low}, 30s + kSlack);
  ASSERT_TRUE(done.ok());
  EXPECT_EQ((*done)[0].status, JobStatus::kSucceeded);
  EXPECT_EQ((*done)[0].attempts.size(), 1u);
  const protocol::Job& l = (*done)[1];
  EXPECT_EQ(l.status, JobStatus::kSucceeded) << "the victim was requeued and ran again";
  ASSERT_EQ(l.attempts.size(), 2u);
  ASSERT_TRUE(l.attempts[0].interruption);
  EXPECT_EQ(l.attempts[0].interruption->kind, InterruptionKind::kPreempted);
  EXPECT_EQ(l.attempts[0].statusReason, "Preempted by job " + high + " (queue pce-high, priority 10 over 1)");
  EXPECT_NE(l.attempts[0].logTail.value_or("").find("got TERM"), std::string::npos) << "SIGTERM came first";
  EXPECT_GE(l.attempts[1].placedAt, (*done)[0].attempts[0].placedAt) << "the victim ran again after the winner";
}

TEST_F(PreemptionTest, AFixedEnvironmentMakesTheHigherPriorityJobWait) {
  const std::string low = Submit("low", "fixed-low", "sleep 3", 1, 2);
  ASSERT_TRUE(cluster_->WaitForStatus(low, JobStatus::kRunning, 20s).ok());
  const std::string high = Submit("high", "fixed-high", "echo urgent", 1, 2);
  auto done = cluster_->WaitForTerminal({low, high}, 30s + kSlack);
  ASSERT_TRUE(done.ok());
  const protocol::Job& l = (*done)[0];
  EXPECT_EQ(l.status, JobStatus::kSucceeded);
  ASSERT_EQ(l.attempts.size(), 1u);
  EXPECT_FALSE(l.attempts[0].interruption);
  EXPECT_EQ((*done)[1].status, JobStatus::kSucceeded);
  EXPECT_GE((*done)[1].attempts[0].placedAt, *l.attempts[0].stoppedAt) << "the high job waited for the low one";
}

TEST_F(PreemptionTest, TwoQueuesCompetingNeverLoop) {
  std::vector<std::string> lows;
  std::vector<std::string> highs;
  for (int i = 0; i < 4; ++i) {
    lows.push_back(Submit("low" + std::to_string(i), "pce-low", "sleep 1", 1, 1));
    highs.push_back(Submit("high" + std::to_string(i), "pce-high", "sleep 1", 1, 1));
  }
  std::vector<std::string> all = lows;
  all.insert(all.end(), highs.begin(), highs.end());
  auto done = cluster_->WaitForTerminal(all, 60s + 3 * kSlack);
  ASSERT_TRUE(done.ok());
  size_t interruptions = 0;
  for (size_t i = 0; i < done->size(); ++i) {
    const protocol::Job& j = (*done)[i];
    EXPECT_EQ(j.status, JobStatus::kSucceeded) << j.jobName << ": " << j.statusReason;
    for (const auto& a : j.attempts) {
      if (!a.interruption) continue;
      ++interruptions;
      EXPECT_LT(i, lows.size()) << "a high-priority job was preempted: " << j.jobName;
    }
  }
  EXPECT_LE(interruptions, highs.size()) << "more preemptions than jobs that could ask for them";
  std::printf("[   info   ] 4 low and 4 high jobs on 2 vCPUs: %zu preemptions\n", interruptions);
}

// The coordinator's faults: the agents go on, and their jobs end once.
TEST_F(NodeFaultsTest, LeaderKilledWhileJobsRunKillsNothing) {
  StartCluster(Options(2, 2, /*replicas=*/3));
  std::vector<std::string> ids;
  for (int i = 0; i < 4; ++i) ids.push_back(Submit("run" + std::to_string(i), "q", "sleep 3; echo finished", 1));
  for (const auto& id : ids) ASSERT_TRUE(cluster_->WaitForStatus(id, JobStatus::kRunning, 20s).ok());
  auto leader = cluster_->LeaderIndex(5s);
  ASSERT_TRUE(leader.ok());
  cluster_->StopReplica(*leader, /*kill9=*/true);
  auto done = cluster_->WaitForTerminal(ids, 30s + kSlack);
  ASSERT_TRUE(done.ok());
  for (const auto& j : *done) {
    EXPECT_EQ(j.status, JobStatus::kSucceeded) << j.statusReason;
    EXPECT_EQ(j.attempts.size(), 1u) << "a running job was killed or run twice";
  }
}

TEST_F(NodeFaultsTest, EveryReplicaPausedPastTheTtlKillsNothing) {
  StartCluster(Options(2, 2, /*replicas=*/3));
  std::vector<std::string> ids;
  for (int i = 0; i < 4; ++i) ids.push_back(Submit("run" + std::to_string(i), "q", "sleep 4; echo finished", 1));
  for (const auto& id : ids) ASSERT_TRUE(cluster_->WaitForStatus(id, JobStatus::kRunning, 20s).ok());
  for (int i = 0; i < 3; ++i) cluster_->SignalReplica(i, SIGSTOP);
  // The fault itself: no coordinator for three TTLs while the jobs run on.
  std::this_thread::sleep_for(std::chrono::milliseconds(3 * kTtlMs));
  for (int i = 0; i < 3; ++i) cluster_->SignalReplica(i, SIGCONT);
  auto done = cluster_->WaitForTerminal(ids, 30s + kSlack);
  ASSERT_TRUE(done.ok());
  for (const auto& j : *done) {
    EXPECT_EQ(j.status, JobStatus::kSucceeded) << j.statusReason;
    EXPECT_EQ(j.attempts.size(), 1u) << "a job was declared lost during the outage";
  }
}

}  // namespace
}  // namespace gantry::testing
