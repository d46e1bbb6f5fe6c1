// AttemptTable: the agent's bookkeeping of attempts, with no I/O.
//
// It answers the questions the agent's loop asks on every message and tick:
// should this LaunchAttempt run (idempotency), which attempts does the next
// NodeStatus list, which reports must be resent until acknowledged, and which
// attempts a NodeStatusAck says to kill. The loop does the spawning, the
// signalling and the sending; this class only decides.
//
//   OnLaunch ──> running ──(OnEnded, after cleanup)──> recently ended
//                  │  AttemptStarted pending until acked (104)
//                  └─ AttemptEnded pending until acked (105), from OnEnded
//
// A running attempt may carry a deadline (timeout.attemptDurationSeconds).
// The loop keeps one timer set to NextDeadline(); when it fires,
// TakeExpired() names the attempts to stop, each exactly once. A deadline
// goes away when its attempt ends or is stopped for another reason, so a
// timeout never fires for an attempt that is already ending.
//
// Each running attempt keeps its LaunchAttempt's fencing token, for the
// AttemptStarted and AttemptEnded reports about it.
//
// Times are the caller's monotonic milliseconds. Thread-compatible.
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "gantry/status.h"
#include "protocol/messages.h"

namespace gantry::node {

struct AttemptTableOptions {
  // A LaunchAttempt for an attempt that ended less than this long ago (and is
  // among the last `max_recent_ended`) is ignored as a duplicate.
  int64_t recent_ended_ttl_ms = 10 * 60 * 1000;
  size_t max_recent_ended = 4096;
  // Unacknowledged AttemptEnded reports kept for resending; past this the
  // oldest is dropped (the coordinator still learns from NodeStatus that the
  // attempt is no longer running).
  size_t max_pending_ended = 4096;
};

enum class LaunchDecision : uint8_t { kLaunch, kAlreadyRunning, kRecentlyEnded };

class AttemptTable {
 public:
  explicit AttemptTable(AttemptTableOptions options = {});

  // kLaunch records `attempt_id` as running with the launch's
  // `fencing_token` (the caller must then start it or end it); the other
  // answers change nothing.
  LaunchDecision OnLaunch(const std::string& attempt_id, int64_t now_ms, uint64_t fencing_token = 0);

  // The fencing token OnLaunch recorded; none if the attempt is not running.
  std::optional<uint64_t> FencingToken(const std::string& attempt_id) const;

  // The process is up: AttemptStarted is pending until acknowledged.
  void OnStarted(const std::string& attempt_id);

  // Records why the attempt is being killed. True only for the first request
  // on a running attempt: the caller signals the process then. Later reasons
  // are ignored (the first one is reported).
  bool OnKillRequested(const std::string& attempt_id, std::string reason);

  // The reason recorded by OnKillRequested; empty if none or not running.
  std::string KillReason(const std::string& attempt_id) const;

  // The attempt's process started at `started_ms`: it times out
  // `timeout_seconds` later. No-op unless the attempt is running and not
  // being stopped; a second call replaces the deadline.
  void ArmTimeout(const std::string& attempt_id, int64_t started_ms, uint32_t timeout_seconds);

  // The earliest deadline of the attempts not yet being stopped; none when no
  // attempt has one (the loop's timer can then be stopped).
  std::optional<int64_t> NextDeadline() const;

  // The attempts whose deadline is at or before `now_ms`, sorted. They count
  // as being stopped from now on: they are not returned again, later kill
  // requests are ignored (the timeout is what gets reported), and
  // AttemptsToKill skips them. The caller stops each one.
  std::vector<std::string> TakeExpired(int64_t now_ms);

  // True if TakeExpired returned this running attempt.
  bool TimedOut(const std::string& attempt_id) const;

  // The agent itself stops a running attempt for a reason the job's retry
  // rules may match (e.g. its scratch disk past its request): like a
  // timeout, later kill requests are ignored and AttemptsToKill skips it.
  // True only for the first stop of a running attempt not already being
  // stopped; the caller stops the process then. Precondition: non-empty.
  // `interruption` says the stop is no fault of the job (a reclaim); the end
  // report may then carry it (StopInterruption).
  bool OnAgentStop(const std::string& attempt_id, std::string status_reason,
                   std::optional<protocol::InterruptionKind> interruption = std::nullopt);

  // The interruption given to OnAgentStop; none if none was (or not running).
  std::optional<protocol::InterruptionKind> StopInterruption(const std::string& attempt_id) const;

  // The statusReason of the agent's own stop: the one given to OnAgentStop,
  // or "Job attempt duration exceeded timeout" after TakeExpired; empty if
  // neither (or not running).
  std::string AgentStopReason(const std::string& attempt_id) const;

  // The attempt's processes are gone and its scratch is deleted: it stops
  // counting as running, its pending AttemptStarted is superseded, and
  // `report` is pending until acknowledged. Returns the id of a report dropped
  // to respect max_pending_ended, if any. Precondition: the attempt is running.
  std::optional<std::string> OnEnded(protocol::AttemptEnded report, int64_t now_ms);

  // Numbers the next NodeStatus; the first is 1.
  uint64_t NextStatusSequence();
  uint64_t last_status_sequence() const { return last_status_sequence_; }

  // Attempt ids to list in NodeStatus, sorted.
  std::vector<std::string> RunningAttempts() const;
  bool IsRunning(const std::string& attempt_id) const { return running_.contains(attempt_id); }
  size_t running_count() const { return running_.size(); }

  // Running attempts that `ack` does not list although they were launched
  // before the NodeStatus it acknowledges was sent, not already being killed.
  // kInvalidArgument if the ack's sequence was never sent by this boot.
  Result<std::vector<std::string>> AttemptsToKill(const protocol::NodeStatusAck& ack) const;

  // Drops the acknowledged report; false if nothing matched.
  bool OnReportAck(const protocol::AttemptReportAck& ack);

  // Reports to (re)send, oldest first.
  std::vector<std::string> PendingStarted() const;
  std::vector<const protocol::AttemptEnded*> PendingEnded() const;

 private:
  struct Running {
    uint64_t first_status_sequence = 0;  // the first NodeStatus sent after the launch
    std::string kill_reason;             // empty until a kill is requested
    std::optional<int64_t> deadline_ms;  // while armed and not yet expired
    bool timed_out = false;
    std::string agent_stop_reason;  // set by OnAgentStop or a timeout
    std::optional<protocol::InterruptionKind> interruption;  // set by OnAgentStop
    uint64_t fencing_token = 0;
    bool stopping() const { return !kill_reason.empty() || !agent_stop_reason.empty(); }
  };
  void PruneRecent(int64_t now_ms);
  void DisarmTimeout(const std::string& attempt_id, Running& r);

  AttemptTableOptions options_;
  uint64_t last_status_sequence_ = 0;
  std::unordered_map<std::string, Running> running_;
  std::set<std::pair<int64_t, std::string>> deadlines_;  // armed, by (deadline, id)
  std::vector<std::string> pending_started_;             // in start order
  uint64_t next_ended_order_ = 0;
  std::map<uint64_t, protocol::AttemptEnded> pending_ended_;  // by end order
  std::unordered_map<std::string, uint64_t> pending_ended_index_;
  std::unordered_map<std::string, int64_t> recent_ended_;  // id -> ended at
  std::deque<std::pair<int64_t, std::string>> recent_order_;
};

}  // namespace gantry::node
