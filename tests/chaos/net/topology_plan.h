// The pure half of the chaos topology: names, addresses and the `ip -batch`
// scripts that build one. No I/O here; topology.cc runs the scripts.
//
// Layout of one run (run id "3f2a", subnet k = 7, members c1 a1 a2):
//
//   netns gx3f2a-sw-7            netns gx3f2a-c1       netns gx3f2a-a1 ...
//   +---------------------+      +----------------+
//   | br0 (bridge, up)    |      | eth0 10.77.7.1 |
//   |  +- v-c1  <-- veth -+----->|  /24, lo up    |
//   |  +- v-a1  <-- veth -+--->  +----------------+
//   |  +- v-a2            |
//   | nft: table bridge   |      no default route anywhere, 10.77.0.0/16 is
//   |      gxchaos (faults)|     routed nowhere: nothing leaves the bridge
//   +---------------------+
//
// The switch name carries k, so a new run picks a free k by listing the
// namespaces alone. Member names are [a-z0-9]{1,13}: "v-" + name must fit
// IFNAMSIZ (15 chars), and a '-' cannot occur, so "sw-<k>" never clashes.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "gantry/status.h"

namespace gantry::chaos::net {

inline constexpr const char* kDefaultPrefix = "gx";
inline constexpr const char* kNetnsDir = "/run/netns";  // where `ip netns add` mounts
inline constexpr const char* kBridgeName = "br0";
inline constexpr const char* kMemberLink = "eth0";
inline constexpr int kMaxMembers = 253;  // .1 .. .253 of the /24

// kInvalidArgument unless `member` is [a-z0-9]{1,13}.
Status ValidateMemberName(const std::string& member);
// kInvalidArgument unless `run_id` is [0-9a-f]{1,8}.
Status ValidateRunId(const std::string& run_id);
// kInvalidArgument unless `prefix` is [a-z]{1,8}.
Status ValidatePrefix(const std::string& prefix);

std::string MemberNamespace(const std::string& prefix, const std::string& run_id, const std::string& member);
std::string SwitchNamespace(const std::string& prefix, const std::string& run_id, int subnet);
// The bridge port (in the switch namespace) that leads to `member`.
std::string PortName(const std::string& member);
// "10.77.<subnet>.<index + 1>"; index is the member's position in Create.
std::string MemberAddress(int subnet, int index);

// A namespace name taken apart. `run_id` is what follows the prefix up to
// the first '-'; names that do not start with the prefix give nullopt.
struct ParsedName {
  std::string run_id;
  bool is_switch = false;
  int subnet = -1;     // switch names only
  std::string member;  // member names only
};
std::optional<ParsedName> ParseNamespace(const std::string& prefix, const std::string& name);

// The smallest k in 1..254 that no switch namespace in `existing` (any
// prefix) uses; k = 0 is left to hand-made setups. kUnavailable if all are
// taken.
Result<int> ChooseSubnet(const std::vector<std::string>& existing);

// The scripts for one topology, each for `ip [-n ns] -batch -`.
struct TopologyScripts {
  std::string root;    // run in the root namespace: netns add + veth pairs
  std::string bridge;  // run in the switch namespace: bridge, ports, lo
  std::vector<std::pair<std::string, std::string>> members;  // (namespace, script)
};
// kInvalidArgument for bad or duplicate member names, none, or too many.
Result<TopologyScripts> PlanTopology(const std::string& prefix, const std::string& run_id, int subnet,
                                     const std::vector<std::string>& members);

// `ip -force -batch -` input removing these namespaces.
std::string DeleteNamespacesScript(const std::vector<std::string>& namespaces);

}  // namespace gantry::chaos::net
