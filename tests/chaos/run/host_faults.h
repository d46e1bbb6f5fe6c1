// HostFaults: the chaos run's faults that are not the network's drops and
// not signals: clock skew, a node's disk filled, and delay on a node's links.
//
//   clock skew   chosen processes run with libfaketime preloaded, reading
//                their wall-clock offset from a file this class rewrites
//                (the monotonic clock stays real, as NTP trouble leaves it)
//   disk full    each agent's data directory is a tmpfs of its own, so
//                filling it fills that node's scratch filesystem and nothing
//                else on the machine
//   delay        chosen agents reach the replicas through DelayProxies in
//                their own network namespace (this kernel has no netem)
//
// Each kind is offered only where it can work (libfaketime installed; root
// for the mounts), and says why not otherwise. The processes are chosen at
// creation, before the cluster starts: the hooks env_of and
// coordinators_for_agent of HarnessOptions read them.
//
// Not thread-safe, except Teardown, which a signal cleanup may also run.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "gantry/status.h"
#include "tests/chaos/net/delay_proxy.h"

namespace gantry::chaos {

struct HostFaultsOptions {
  uint64_t seed = 1;
  int replicas = 3;
  int agents = 6;
  // Where the offset files live (the run's directory).
  std::string dir;
  // Each agent's data directory; a tmpfs of disk_mib is mounted on each.
  std::vector<std::string> agent_data_dirs;
  uint64_t disk_mib = 1024;
};

class HostFaults {
 public:
  // Never fails: what cannot work here is left out, see notes().
  static std::unique_ptr<HostFaults> Create(HostFaultsOptions options);
  ~HostFaults();
  HostFaults(const HostFaults&) = delete;
  HostFaults& operator=(const HostFaults&) = delete;

  // Why some kinds are off (empty when all work).
  const std::vector<std::string>& notes() const { return notes_; }

  // Mounts the agents' disks. Call before the agents start.
  Status MountDisks();
  // Starts the delay proxies of the delayable agents: `replica_endpoints`
  // are "tcp://host:port"; `netns_of` names an agent's namespace (empty:
  // ours). Call before the agents start.
  Status StartProxies(const std::vector<std::string>& replica_endpoints,
                      const std::function<std::string(const std::string&)>& netns_of);

  // HarnessOptions hooks.
  std::vector<std::string> EnvOf(const std::string& process) const;
  // Empty for an agent without proxies (the harness's own list then).
  std::string CoordinatorsFor(int agent) const;

  bool CanSkew(const std::string& process) const { return skewable_.count(process) > 0; }
  bool CanFill() const { return disks_mounted_; }
  bool CanDelay(int agent) const { return proxies_.count(agent) > 0; }
  std::vector<std::string> Skewable() const { return {skewable_.begin(), skewable_.end()}; }
  std::vector<int> Delayable() const;

  // Sets the process's wall clock `offset` from the real one (0 heals).
  Status SetSkew(const std::string& process, std::chrono::seconds offset);
  // Fills the agent's disk to its last byte; Unfill frees it.
  Status Fill(int agent);
  Status Unfill(int agent);
  // Holds each direction of the agent's links to every replica back (0 heals).
  void SetDelay(int agent, std::chrono::milliseconds each_way);

  // Stops the proxies, removes the agents' attempt cgroups (killing what is
  // left in them) and unmounts the disks (lazily: the agents may still hold
  // them). Idempotent.
  void Teardown();
  // Unmounts disks left by runs that died without Teardown (SIGKILL).
  static void SweepLeftovers();

 private:
  explicit HostFaults(HostFaultsOptions options) : options_(std::move(options)) {}
  std::string OffsetFile(const std::string& process) const;
  std::string FillFile(int agent) const;

  HostFaultsOptions options_;
  std::vector<std::string> notes_;
  std::string faketime_library_;
  std::set<std::string> skewable_;
  std::set<int> delayable_;
  bool disks_mounted_ = false;
  std::map<int, std::vector<std::unique_ptr<net::DelayProxy>>> proxies_;
  std::mutex teardown_mu_;
  bool torn_down_ = false;
  int cleanup_token_ = -1;
};

}  // namespace gantry::chaos
