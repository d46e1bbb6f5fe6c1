// How fast gantry turns node faults into work running elsewhere, on a real
// local cluster (a coordinator group and 3 agents, separate processes on
// 127.0.0.1), printed for the record:
//   1. node loss: an agent running a job is killed with kill -9; the time
//      until the job's retry is RUNNING on another node (TTL + detection +
//      placement + start);
//   2. reclaim: `node reclaim` on a node running 2 jobs; the time until the
//      coordinator shows the node empty, for jobs that exit on SIGTERM and
//      for jobs that ignore it (then the grace bounds it).
// Every round restarts the agent it took away.
// Usage: fault_bench [--rounds 10] [--ttl-ms 5000] [--replicas 3] [--grace-s 2]
#include <signal.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "tests/integration/cluster_harness.h"
#include "tests/integration/host_probe.h"

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;
using gantry::protocol::Job;
using gantry::protocol::JobStatus;
using gantry::protocol::NodeAction;

namespace {

constexpr int kAgents = 3;

int Flag(int argc, char** argv, const char* name, int def) {
  for (int i = 1; i + 1 < argc; ++i) {
    if (std::strcmp(argv[i], name) == 0) return std::atoi(argv[i + 1]);
  }
  return def;
}

std::string Marker() { return "gantry-fault-bench-" + std::to_string(::getpid()); }

// Processes of jobs that are ready (their traps set).
int Ready() { return static_cast<int>(gantry::testing::ProcessesWith(Marker() + "-ready").size()); }

void KillLeftovers() {
  for (pid_t pid : gantry::testing::ProcessesWith(Marker())) ::kill(pid, SIGKILL);
}

class Bench {
 public:
  explicit Bench(gantry::testing::ClusterHarness& c) : c_(c) {}

  // A job whose first attempt runs until stopped (exiting on SIGTERM unless
  // `ignore_term`) and whose later attempts exit 0.
  std::string Submit(bool ignore_term) {
    gantry::protocol::SubmitJobRequest r;
    r.jobName = "fault";
    r.jobQueue = "q";
    r.jobDefinition = "d";
    r.vcpus = 1;
    r.retryStrategy = gantry::protocol::RetryStrategy{.attempts = 2};
    const std::string trap = ignore_term ? "trap '' TERM; " : "";
    r.command = std::vector<std::string>{
        "sh", "-c",
        // An ignored signal stays ignored across exec and fork. Once the
        // trap is set, the job's command line names it ready.
        "[ \"$AWS_BATCH_JOB_ATTEMPT\" != 1 ] && exit 0; " + trap +
            "exec sh -c 'while :; do sleep 0.2; done' \"$0-ready\"",
        Marker()};
    auto rep = c_.rpc().Call(r);
    if (!rep.ok()) Die("submit: " + rep.status().ToString());
    return rep->jobId;
  }

  Job Describe(const std::string& id) {
    auto r = c_.rpc().Call(gantry::protocol::DescribeJobsRequest{{id}});
    return r.ok() && !r->jobs.empty() ? r->jobs[0] : Job{};
  }

  Job WaitRunning(const std::string& id) {
    if (!c_.WaitForStatus(id, JobStatus::kRunning, 30s).ok()) Die("job " + id + " never ran");
    return Describe(id);
  }

  void Control(const std::string& node, NodeAction action, std::optional<uint32_t> deadline = {}) {
    auto r = c_.rpc().Call(gantry::protocol::NodeControlRequest{node, action, deadline, std::nullopt});
    if (!r.ok()) Die("node control: " + r.status().ToString());
  }

  bool NodeEmpty(const std::string& node) {
    auto r = c_.rpc().Call(gantry::protocol::DescribeNodesRequest{});
    if (!r.ok()) return false;
    for (const auto& n : r->nodes) {
      if (n.node.nodeId == node) return n.runningAttempts.empty();
    }
    return false;
  }

  // Restarts agent `i` clean and puts its node back into service.
  void Restore(int i) {
    c_.StopAgent(i, /*kill9=*/false);
    KillLeftovers();
    if (!c_.StartAgent(i).ok()) Die("agent restart");
    Control("agent-" + std::to_string(i), NodeAction::kUncordon);
    if (!c_.WaitForReadyNodes(kAgents, 30s).ok()) Die("nodes not ready after a restart");
  }

  [[noreturn]] void Die(const std::string& what) {
    std::fprintf(stderr, "fault_bench: %s (cluster kept in %s)\n", what.c_str(), c_.root().c_str());
    c_.KeepFiles();
    KillLeftovers();
    std::exit(1);
  }

 private:
  gantry::testing::ClusterHarness& c_;
};

int AgentIndex(const std::string& node) { return std::atoi(node.c_str() + std::strlen("agent-")); }

void Print(const char* what, std::vector<double> ms) {
  std::sort(ms.begin(), ms.end());
  std::printf("%-52s median %7.0f ms  min %7.0f  max %7.0f  (n=%zu)\n", what, ms[ms.size() / 2], ms.front(),
              ms.back(), ms.size());
}

double MsSince(Clock::time_point t0) { return std::chrono::duration<double, std::milli>(Clock::now() - t0).count(); }

}  // namespace

int main(int argc, char** argv) {
  const int rounds = Flag(argc, argv, "--rounds", 10);
  const int ttl_ms = Flag(argc, argv, "--ttl-ms", 5000);
  const int replicas = Flag(argc, argv, "--replicas", 3);
  const int grace_s = Flag(argc, argv, "--grace-s", 2);
  gantry::testing::HarnessOptions o;
  o.agents = kAgents;
  o.agent_vcpus = 2;
  o.replicas = replicas;
  o.node_ttl_ms = ttl_ms;
  o.agent_args = gantry::testing::LoadTestAgentArgs();
  o.coordinator_args = {"--default-job-disk-mib", "0"};
  gantry::testing::ClusterHarness cluster(GANTRY_BINARY, o);
  Bench b(cluster);
  if (!cluster.Start().ok() || !cluster.CreateDefaults().ok()) b.Die("cluster start");
  std::printf("fault_bench: %d replicas, %d agents, node TTL %d ms, reclaim grace %d s, %d rounds\n", replicas,
              kAgents, ttl_ms, grace_s, rounds);

  std::vector<double> lost;
  for (int r = 0; r < rounds; ++r) {
    const std::string id = b.Submit(/*ignore_term=*/false);
    const int victim = AgentIndex(b.WaitRunning(id).attempts.back().node);
    const auto t0 = Clock::now();
    cluster.StopAgent(victim, /*kill9=*/true);
    for (;;) {
      Job j = b.Describe(id);
      if (j.attempts.size() == 2 && j.status == JobStatus::kRunning) break;
      if (j.status == JobStatus::kSucceeded && j.attempts.size() == 2) break;
      if (MsSince(t0) > ttl_ms + 30'000) b.Die("job " + id + " was not retried");
      std::this_thread::sleep_for(2ms);
    }
    lost.push_back(MsSince(t0));
    b.Restore(victim);
  }
  Print("agent kill -9 -> retry RUNNING on another node", lost);

  for (bool ignore_term : {false, true}) {
    std::vector<double> empty;
    for (int r = 0; r < rounds; ++r) {
      // Two jobs on one node: the others are cordoned while they start.
      b.Control("agent-1", NodeAction::kCordon);
      b.Control("agent-2", NodeAction::kCordon);
      const std::string a = b.Submit(ignore_term);
      const std::string c = b.Submit(ignore_term);
      b.WaitRunning(a);
      b.WaitRunning(c);
      // A signal sent before the jobs set their traps would meet the
      // shell's default instead.
      const auto ready_by = Clock::now() + 10s;
      while (Ready() < 2 && Clock::now() < ready_by) std::this_thread::sleep_for(2ms);
      if (Ready() < 2) b.Die("jobs never got ready");
      b.Control("agent-1", NodeAction::kUncordon);
      b.Control("agent-2", NodeAction::kUncordon);
      const auto t0 = Clock::now();
      b.Control("agent-0", NodeAction::kReclaim, static_cast<uint32_t>(grace_s));
      while (!b.NodeEmpty("agent-0")) {
        if (MsSince(t0) > grace_s * 1000 + 30'000) b.Die("reclaimed node never emptied");
        std::this_thread::sleep_for(2ms);
      }
      empty.push_back(MsSince(t0));
      if (!cluster.WaitForTerminal({a, c}, 30s).ok()) b.Die("reclaimed jobs never finished elsewhere");
      b.Restore(0);
    }
    Print(ignore_term ? "reclaim notice -> node empty (jobs ignore SIGTERM)"
                      : "reclaim notice -> node empty (jobs exit on SIGTERM)",
          empty);
  }
  KillLeftovers();
  return 0;
}
