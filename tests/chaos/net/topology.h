// Topology: the chaos suite's private network. One switch namespace holding
// a bridge, and one namespace per member (coordinator replica, agent) wired
// to it by a veth pair, with an address in 10.77.<k>.0/24 and no route out.
// See topology_plan.h for the names and the layout.
//
// Harness order:
//   SignalCleanup::Install();                      // first thing in main()
//   Topology::SweepLeftovers();                    // earlier interrupted runs
//   Topology topo;  auto addrs = topo.Create({"c1", "c2", "c3", "a1", "a2"});
//   spawn processes with topo.RunIn("a1", {gantry, "agent", ...})
//   NetFaults faults(topo); ... Isolate / Partition / Heal ...
//   stop the processes (SIGTERM, reap) and any DelayProxy with a netns,
//   faults.HealAll() (optional: the switch goes anyway), topo.Destroy()
//
// The calling process may itself setns() into a member namespace after
// Create (to act as a client there): Destroy never kills its own process.
//
// Needs root (CAP_SYS_ADMIN and CAP_NET_ADMIN) and iproute2. Never touches
// the root namespace's links, addresses or firewall.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "gantry/status.h"
#include "tests/chaos/net/topology_plan.h"

namespace gantry::chaos::net {

struct TopologyOptions {
  std::string prefix = kDefaultPrefix;
  // Empty: a fresh random 4-hex-digit id that no namespace uses yet.
  std::string run_id;
};

class Topology {
 public:
  explicit Topology(TopologyOptions options = {});
  // Calls Destroy(); a failure is printed to stderr.
  ~Topology();
  Topology(const Topology&) = delete;
  Topology& operator=(const Topology&) = delete;

  // Builds the switch and one namespace per member, in the order given; the
  // i-th member gets 10.77.<k>.<i+1>. Returns member -> address.
  // kInvalidArgument for bad names (see topology_plan.h); kConflict if
  // already created or if namespaces with this run id exist; kNotFound if
  // `ip` is missing; kInternal naming the failing `ip` command and its
  // stderr (then whatever was built is removed again). From Create on, a
  // SignalCleanup entry destroys the topology on SIGINT/SIGTERM.
  Result<std::map<std::string, std::string>> Create(const std::vector<std::string>& members);

  // Kills every process still inside the namespaces (SIGKILL: stop yours
  // cleanly first), deletes the namespaces (which takes the veths, the
  // bridge and the nft tables with them) and releases the run lock.
  // Idempotent; Ok if nothing was created. On error, the message names what
  // is left; calling again retries. Thread-safe (may race the signal path).
  Status Destroy();

  // {"/usr/sbin/ip", "netns", "exec", <member's namespace>, argv...}: an argv
  // for fork+exec that runs `argv` inside the member's namespace (argv[0]
  // is looked up in PATH there). kNotFound for an unknown member.
  Result<std::vector<std::string>> RunIn(const std::string& member, const std::vector<std::string>& argv) const;

  // kNotFound for an unknown member.
  Result<std::string> NamespaceOf(const std::string& member) const;
  Result<std::string> AddressOf(const std::string& member) const;
  // The bridge port leading to `member`, for nft rules in the switch.
  Result<std::string> PortOf(const std::string& member) const;

  // Valid after Create; empty before and after Destroy (run_id, subnet and
  // ip_path stay set after Destroy).
  std::string switch_namespace() const;
  std::vector<std::string> members() const;
  std::string run_id() const;
  int subnet() const;        // k, or -1
  std::string ip_path() const;  // absolute path of `ip`

  // Removes the namespaces (killing their processes) of earlier runs with
  // this prefix whose owner is gone: a live run holds a lock file in
  // kLockDir, a crashed or SIGKILLed one does not. Also drops stale lock
  // files. Returns the number of namespaces removed. kInternal if some
  // could not be removed (the message names them).
  static Result<int> SweepLeftovers(const std::string& prefix = kDefaultPrefix);

  struct State;  // shared with the signal path; defined in topology.cc

 private:
  std::shared_ptr<State> state_;
};

}  // namespace gantry::chaos::net
