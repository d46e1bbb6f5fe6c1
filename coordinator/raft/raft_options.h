// RaftOptions: how one coordinator replica takes part in the Raft cluster.
//
// libraft 0.15 (Debian's build) has no assertions and checks almost nothing
// (research/libraft.md §6.13): a heartbeat equal to the election timeout, an
// id of 0 or a bootstrap list without this node are accepted silently and
// fail later in confusing ways. Validate() is where those mistakes are caught,
// before any libraft call. Pure: no libraft, no I/O.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "gantry/status.h"

namespace gantry::coordinator::raft {

// One member of the cluster. `address` is the TCP endpoint libraft listens on
// and peers connect to: an IPv4 dotted quad and a port, "127.0.0.1:9001"
// (0.15's transport does not resolve names).
struct Peer {
  uint64_t id = 0;
  std::string address;

  friend bool operator==(const Peer&, const Peer&) = default;
};

struct RaftOptions {
  uint64_t id = 0;      // > 0, unique in the cluster, never reused
  std::string address;  // this node's Peer::address
  std::string dir;      // libraft's own data dir; created if missing
  // The initial voters, identical on every initial member. Empty: this node
  // joins later through AddVoter on the leader and must not bootstrap.
  // Ignored when `dir` already holds state (a restart).
  std::vector<Peer> bootstrap;

  unsigned election_timeout_ms = 300;  // randomised by libraft in [E, 2E)
  unsigned heartbeat_timeout_ms = 30;  // also libraft's tick; < election
  unsigned snapshot_threshold = 8192;  // entries between snapshots
  unsigned snapshot_trailing = 2048;   // entries kept after a snapshot
  // The leader retries an InstallSnapshot after this long. libraft's default
  // of 30 s stalls catch-up (research §3, §6.3), hence a few seconds.
  unsigned install_snapshot_timeout_ms = 3000;
  // Delay between reconnection attempts to a peer (libraft default 1000).
  unsigned connect_retry_delay_ms = 1000;

  // kInvalidArgument naming the first bad field: id 0; an address that is
  // not "a.b.c.d:port" with port 1-65535; empty dir; heartbeat 0 or not below
  // the election timeout; a zero snapshot threshold, install-snapshot timeout
  // or retry delay; a bootstrap list that lacks this node (same id and
  // address), has an id 0, a bad address, or a duplicate id or address.
  Status Validate() const;
};

// kInvalidArgument unless `address` is "a.b.c.d:port", port 1-65535.
Status ValidateAddress(std::string_view address);

// Parses "1@10.0.0.1:7420,2@10.0.0.2:7420" (blanks around items allowed).
// kInvalidArgument naming the bad item: no '@', an id that is not a positive
// integer, a bad address, a duplicate id or address, or an empty list.
Result<std::vector<Peer>> ParsePeers(std::string_view list);

}  // namespace gantry::coordinator::raft
