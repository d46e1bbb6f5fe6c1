// ChaosNetwork: the chaos run's private network (tests/chaos/net): one
// namespace per gantry process ("coordinator-<i>" -> member c<i+1>,
// "agent-<i>" -> a<i+1>) and one for this program's own clients, all on a
// bridge, with the network faults the nemesis asks for. Create moves the
// calling process into the client namespace, so call it first in main(),
// before any thread or socket exists.
#pragma once

#include <memory>
#include <string>

#include "gantry/status.h"
#include "tests/chaos/net/faults.h"
#include "tests/chaos/net/topology.h"
#include "tests/chaos/run/nemesis.h"

namespace gantry::chaos {

class ChaosNetwork : public NetworkFaults {
 public:
  // kUnavailable (with the reason) where namespaces cannot be made: not
  // root, no `ip`, no `nft`, a kernel without them.
  static Result<std::unique_ptr<ChaosNetwork>> Create(int replicas, int agents);
  ~ChaosNetwork() override;

  std::string HostOf(const std::string& process) const;
  std::string NamespaceOf(const std::string& process) const;

  Result<int> Isolate(const std::string& process) override;
  Result<int> Partition(const std::vector<std::string>& a, const std::vector<std::string>& b) override;
  Result<int> Loss(const std::string& process, int percent) override;
  Status Heal(int id) override;
  // Heals every fault and removes the namespaces (their processes die).
  Status Destroy();

 private:
  ChaosNetwork() = default;
  static std::string Member(const std::string& process);

  net::Topology topology_;
  std::unique_ptr<net::NetFaults> faults_;
};

}  // namespace gantry::chaos
