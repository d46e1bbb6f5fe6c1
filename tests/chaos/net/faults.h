// Network faults for the chaos suite, as start/stop pairs, applied where a
// real network fails: in the switch. Each fault is one nft base chain in the
// bridge-family table "gxchaos" of the switch namespace, hooked on forward,
// so a fault drops frames between bridge ports and the endpoints' kernels
// see nothing (a real black hole: TCP backs off, no ENETUNREACH). Healing a
// fault deletes exactly its chain; other faults stay.
//
//   table bridge gxchaos
//     chain f1 { type filter hook forward priority 0; policy accept;
//                iifname "v-a1" drop; oifname "v-a1" drop }          Isolate(a1)
//     chain f2 { ...; iifname { "v-c1", "v-a1" } oifname { "v-c2" } drop;
//                     iifname { "v-c2" } oifname { "v-c1", "v-a1" } drop }  Partition
//
// A drop in any base chain is final, so faults compose (a frame dropped by
// one chain is dropped whatever the others say). ARP is dropped too.
// The script builders are pure; NetFaults runs them with `ip netns exec
// <switch> nft -f -`.
#pragma once

#include <cstdint>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "gantry/clock.h"
#include "gantry/status.h"
#include "tests/chaos/net/topology.h"

namespace gantry::chaos::net {

inline constexpr const char* kFaultTable = "gxchaos";

using FaultId = int;

enum class FaultKind { kIsolate, kIsolateOneWay, kPartition, kLoss };
enum class Direction {
  kToMember,    // frames the bridge sends to the member (oifname)
  kFromMember,  // frames the member sends into the bridge (iifname)
};

// A fault in terms of bridge ports (PortName(member)).
struct FaultSpec {
  FaultKind kind = FaultKind::kIsolate;
  std::vector<std::string> ports;    // one port; group A for kPartition
  std::vector<std::string> ports_b;  // group B, kPartition only
  Direction direction = Direction::kToMember;  // kIsolateOneWay only
  int loss_percent = 0;                        // kLoss only, 1..100
};

// The nft script starting fault `id` (chain "f<id>"); it also creates the
// table if needed. kInvalidArgument: id < 1, wrong number of ports, a port
// name that is not [a-z0-9-]{1,15}, empty or overlapping partition groups,
// loss outside 1..100.
Result<std::string> FaultStartScript(FaultId id, const FaultSpec& spec);
// Deletes chain "f<id>" with its rules. nft fails if it does not exist.
std::string FaultHealScript(FaultId id);
// Deletes the whole table; succeeds whether or not it exists.
std::string HealAllScript();
// "isolate v-a1", "partition {v-c1,v-a1} | {v-c2}", "loss 30% v-a1", ...
std::string DescribeFault(const FaultSpec& spec);

// The nemesis log: one record per fault, stop_ms = -1 while active.
struct FaultRecord {
  FaultId id = 0;
  std::string description;
  int64_t start_ms = 0;  // Clock::NowMillis when the rule was in place
  int64_t stop_ms = -1;  // when the heal had taken effect
};

// Applies faults to one Topology. The topology must be created and outlive
// this object. Use one NetFaults per Topology: ids are per instance, and
// HealAll removes every fault in the switch. Thread-safe (calls serialise).
// Errors from nft are kInternal and quote the nft command and its stderr.
class NetFaults {
 public:
  // `clock` stamps the records; null means the system clock. Not owned.
  explicit NetFaults(const Topology& topology, const Clock* clock = nullptr);

  // Black-holes every frame to and from `member`. kNotFound: unknown member.
  Result<FaultId> Isolate(const std::string& member);
  // Drops frames in one direction only (kToMember: the member still sends,
  // but hears nothing, SYN-ACKs included).
  Result<FaultId> IsolateOneWay(const std::string& member, Direction direction);
  // Drops frames between any member of `a` and any member of `b`, both
  // ways; traffic within a group and to members in neither flows.
  // kInvalidArgument for empty or overlapping groups.
  Result<FaultId> Partition(const std::vector<std::string>& a, const std::vector<std::string>& b);
  // Drops `percent` % of the frames to and from `member`, independently
  // per frame (nft numgen random).
  Result<FaultId> Loss(const std::string& member, int percent);

  // Removes exactly that fault. kNotFound if it is not active.
  Status Heal(FaultId id);
  // Removes every fault. Ok when none is active.
  Status HealAll();

  std::vector<FaultId> Active() const;
  std::vector<FaultRecord> History() const;

 private:
  Result<FaultId> Start(FaultSpec spec);
  Status RunNft(const std::string& script);
  Result<std::vector<std::string>> Ports(const std::vector<std::string>& members) const;

  const Topology& topology_;
  SystemClock system_clock_;
  const Clock* clock_;
  mutable std::mutex mu_;
  FaultId next_id_ = 1;
  std::set<FaultId> active_;
  std::vector<FaultRecord> history_;
  std::string nft_;  // absolute path, found on first use
};

}  // namespace gantry::chaos::net
