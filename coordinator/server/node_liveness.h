// NodeLiveness: which nodes this replica has heard from recently.
//
// Liveness is memory, not replicated state: a heartbeat a second per node
// must not become a log entry. Agents send their status to every replica, so
// each keeps its own view and a new leader knows at once which nodes are
// alive; on becoming leader it restarts every TTL (RestartTtls), so a leader
// change never declares healthy nodes silent. Pure: time comes in as an
// argument.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace gantry::coordinator {

class NodeLiveness {
 public:
  explicit NodeLiveness(int64_t ttl_ms) : ttl_ms_(ttl_ms) {}

  // Records a status from `node` at monotonic time `now_ms`, with the
  // reason it gives for taking no new work (empty: it takes work). Returns
  // true if the node is schedulable now and was not before (new, back after
  // its TTL ran out, or its reason cleared).
  // `cleanup_pending` is the node's note on failed cleanups being retried
  // (empty: none); it changes nothing about scheduling, only what is shown.
  bool Heard(const std::string& node, int64_t now_ms, std::string unschedulable_reason = {},
             std::string cleanup_pending = {});

  // Marks nodes silent for longer than the TTL as not ready and returns them.
  std::vector<std::string> Expire(int64_t now_ms);

  // Counts every known node as heard at `now_ms`, without making a node
  // that is not ready ready.
  void RestartTtls(int64_t now_ms);

  // Starts the TTL of a node this replica never heard from (a new leader's
  // nodes from the replicated state) at `now_ms`, not ready: if it stays
  // silent, SilentFor passes the TTL and its attempts can be declared lost.
  // No-op for a known node.
  void Watch(const std::string& node, int64_t now_ms);

  // Silent past the TTL (known and not heard for longer than it).
  bool IsSilentPastTtl(const std::string& node, int64_t now_ms) const;

  bool IsReady(const std::string& node) const;
  // Ready and not asking to be left out of new placements.
  bool IsSchedulable(const std::string& node) const;
  // The node's own reason for taking no new work; empty if none.
  const std::string& UnschedulableReason(const std::string& node) const;
  // The node's latest note on pending cleanups; empty if none.
  const std::string& CleanupPending(const std::string& node) const;
  // Milliseconds since the last status, or -1 if never heard (this leader).
  int64_t SilentFor(const std::string& node, int64_t now_ms) const;
  int64_t ttl_ms() const { return ttl_ms_; }

 private:
  struct Entry {
    int64_t last_heard = 0;
    bool ready = false;
    std::string unschedulable_reason;
    std::string cleanup_pending;
  };
  int64_t ttl_ms_;
  std::map<std::string, Entry> nodes_;
};

}  // namespace gantry::coordinator
