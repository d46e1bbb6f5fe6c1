// Nemesis: injects faults into a running cluster on a schedule drawn from
// the seed, each as a start/stop pair recorded in the history, and notices
// processes that exit without being killed (crashes).
//
// Faults (process names are the harness's "coordinator-<i>", "agent-<i>"):
//   kill-leader, kill-follower   kill -9 of a replica, restarted 2-6 s later
//   pause-leader                 SIGSTOP of the leader for 1-4 s
//   kill-agent                   kill -9 of an agent, restarted 2-8 s later
//   pause-agent                  SIGSTOP of an agent for 1.5-3 TTLs
//   restart-agent                SIGTERM and start again at once
//   reclaim                      gantry node reclaim with a 2-5 s grace; the
//                                agent is restarted and the node uncordoned after
//   drain                        gantry node drain with a 2-4 s deadline, then uncordon
//   isolate-agent, isolate-replica, partition-leader, loss-agent
//                                network faults, when a NetworkFaults is given
//   skew-clock                   a replica's or an agent's wall clock 1-15 min
//                                off for 4-12 s (HostFaults, when it can)
//   fill-disk                    an agent's disk filled to the last page for 3-8 s
//   delay-agent                  an agent's links to the replicas held back
//                                0.1-3 s each way for 3-8 s
// At most one replica is under a fault at a time (a majority stays), at
// most `max_agent_faults` agents, and faults of both kinds overlap.
//
// Not thread-safe: one thread runs Run(), then HealAll(); the harness is
// that thread's alone meanwhile.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "gantry/status.h"
#include "tests/chaos/run/host_faults.h"
#include "tests/chaos/run/recorder.h"
#include "tests/integration/cluster_harness.h"

namespace gantry::chaos {

// Network faults by process name; implemented over the chaos network layer.
class NetworkFaults {
 public:
  virtual ~NetworkFaults() = default;
  // Each returns an id for Heal.
  virtual Result<int> Isolate(const std::string& process) = 0;
  virtual Result<int> Partition(const std::vector<std::string>& a, const std::vector<std::string>& b) = 0;
  virtual Result<int> Loss(const std::string& process, int percent) = 0;
  virtual Status Heal(int id) = 0;
};

struct NemesisOptions {
  uint64_t seed = 1;
  int64_t ttl_ms = 2000;
  int max_agent_faults = 2;
  // Between the starts of two faults.
  std::chrono::milliseconds min_gap{1500};
  std::chrono::milliseconds max_gap{4000};
};

class Nemesis {
 public:
  using Clock = std::chrono::steady_clock;
  Nemesis(testing::ClusterHarness& cluster, Recorder& recorder, NemesisOptions options,
          NetworkFaults* network /* may be null */, HostFaults* host = nullptr);

  // Injects faults until `until`, then returns with some still active.
  void Run(Clock::time_point until);
  // Stops every active fault, restarts every process that is down, and
  // uncordons every node.
  void HealAll();

  const std::map<std::string, int>& injected() const { return injected_; }
  int crashes() const { return crashes_; }

 private:
  struct Active {
    std::string fault;
    std::string target;
    bool replica = false;
    Clock::time_point stop_at;
    std::function<void()> stop;
  };
  void StartOne();
  void StopDue(bool all);
  void CheckCrashes();
  void Begin(std::string fault, std::string target, bool replica, std::chrono::milliseconds lasts,
             std::function<void()> stop, std::string detail = "");
  bool Busy(const std::string& target) const;
  std::chrono::milliseconds Between(int64_t lo_ms, int64_t hi_ms);
  bool AgentFaultsFull() const;
  int FreeAgent();
  void StartHostFault(const std::string& fault);
  void Control(const std::string& node, protocol::NodeAction action, std::optional<uint32_t> seconds = {});

  testing::ClusterHarness& cluster_;
  Recorder& recorder_;
  NemesisOptions options_;
  NetworkFaults* network_;
  HostFaults* host_;
  std::mt19937_64 rng_;
  std::vector<Active> active_;
  std::map<std::string, bool> down_;  // processes stopped by a fault
  std::map<std::string, int> injected_;
  int crashes_ = 0;
};

}  // namespace gantry::chaos
