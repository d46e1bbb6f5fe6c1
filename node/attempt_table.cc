#include "node/attempt_table.h"

#include "node/end_reason.h"

#include <algorithm>
#include <unordered_set>

#include "gantry/check.h"

namespace gantry::node {

AttemptTable::AttemptTable(AttemptTableOptions options) : options_(options) {}

LaunchDecision AttemptTable::OnLaunch(const std::string& attempt_id, int64_t now_ms,
                                      uint64_t fencing_token) {
  PruneRecent(now_ms);
  if (running_.contains(attempt_id)) return LaunchDecision::kAlreadyRunning;
  // A report still waiting for its ack also proves the attempt ran here.
  if (recent_ended_.contains(attempt_id) || pending_ended_index_.contains(attempt_id)) {
    return LaunchDecision::kRecentlyEnded;
  }
  // Listed from the next NodeStatus on; an ack for an earlier status cannot
  // know about it and must not kill it.
  running_.emplace(attempt_id, Running{.first_status_sequence = last_status_sequence_ + 1,
                                       .fencing_token = fencing_token});
  return LaunchDecision::kLaunch;
}

std::optional<uint64_t> AttemptTable::FencingToken(const std::string& attempt_id) const {
  auto it = running_.find(attempt_id);
  if (it == running_.end()) return std::nullopt;
  return it->second.fencing_token;
}

void AttemptTable::OnStarted(const std::string& attempt_id) {
  if (!running_.contains(attempt_id)) return;
  if (std::find(pending_started_.begin(), pending_started_.end(), attempt_id) ==
      pending_started_.end()) {
    pending_started_.push_back(attempt_id);
  }
}

bool AttemptTable::OnKillRequested(const std::string& attempt_id, std::string reason) {
  auto it = running_.find(attempt_id);
  if (it == running_.end() || it->second.stopping()) return false;
  GANTRY_CHECK(!reason.empty());
  it->second.kill_reason = std::move(reason);
  DisarmTimeout(attempt_id, it->second);
  return true;
}

std::string AttemptTable::KillReason(const std::string& attempt_id) const {
  auto it = running_.find(attempt_id);
  return it == running_.end() ? std::string() : it->second.kill_reason;
}

void AttemptTable::ArmTimeout(const std::string& attempt_id, int64_t started_ms,
                              uint32_t timeout_seconds) {
  auto it = running_.find(attempt_id);
  if (it == running_.end() || it->second.stopping()) return;
  DisarmTimeout(attempt_id, it->second);
  // uint32 seconds in milliseconds fit easily in int64.
  const int64_t deadline = started_ms + static_cast<int64_t>(timeout_seconds) * 1000;
  it->second.deadline_ms = deadline;
  deadlines_.emplace(deadline, attempt_id);
}

std::optional<int64_t> AttemptTable::NextDeadline() const {
  if (deadlines_.empty()) return std::nullopt;
  return deadlines_.begin()->first;
}

std::vector<std::string> AttemptTable::TakeExpired(int64_t now_ms) {
  std::vector<std::string> expired;
  while (!deadlines_.empty() && deadlines_.begin()->first <= now_ms) {
    std::string id = deadlines_.begin()->second;
    Running& r = running_.at(id);  // a deadline only exists for a running attempt
    DisarmTimeout(id, r);
    r.timed_out = true;
    r.agent_stop_reason = kStatusReasonTimeout;
    expired.push_back(std::move(id));
  }
  std::sort(expired.begin(), expired.end());
  return expired;
}

bool AttemptTable::OnAgentStop(const std::string& attempt_id, std::string status_reason,
                               std::optional<protocol::InterruptionKind> interruption) {
  auto it = running_.find(attempt_id);
  if (it == running_.end() || it->second.stopping()) return false;
  GANTRY_CHECK(!status_reason.empty());
  it->second.agent_stop_reason = std::move(status_reason);
  it->second.interruption = interruption;
  DisarmTimeout(attempt_id, it->second);
  return true;
}

std::string AttemptTable::AgentStopReason(const std::string& attempt_id) const {
  auto it = running_.find(attempt_id);
  return it == running_.end() ? std::string() : it->second.agent_stop_reason;
}

std::optional<protocol::InterruptionKind> AttemptTable::StopInterruption(
    const std::string& attempt_id) const {
  auto it = running_.find(attempt_id);
  return it == running_.end() ? std::nullopt : it->second.interruption;
}

bool AttemptTable::TimedOut(const std::string& attempt_id) const {
  auto it = running_.find(attempt_id);
  return it != running_.end() && it->second.timed_out;
}

void AttemptTable::DisarmTimeout(const std::string& attempt_id, Running& r) {
  if (!r.deadline_ms) return;
  deadlines_.erase({*r.deadline_ms, attempt_id});
  r.deadline_ms.reset();
}

std::optional<std::string> AttemptTable::OnEnded(protocol::AttemptEnded report, int64_t now_ms) {
  const std::string id = report.attemptId;
  auto running = running_.find(id);
  GANTRY_CHECK_MSG(running != running_.end(), "ended attempt was not running: " + id);
  // The timer must not outlive the attempt.
  DisarmTimeout(id, running->second);
  running_.erase(running);
  std::erase(pending_started_, id);
  recent_ended_[id] = now_ms;
  recent_order_.emplace_back(now_ms, id);
  PruneRecent(now_ms);

  uint64_t order = next_ended_order_++;
  pending_ended_index_[id] = order;
  pending_ended_.emplace(order, std::move(report));
  std::optional<std::string> dropped;
  if (pending_ended_.size() > options_.max_pending_ended) {
    auto oldest = pending_ended_.begin();
    dropped = oldest->second.attemptId;
    pending_ended_index_.erase(oldest->second.attemptId);
    pending_ended_.erase(oldest);
  }
  return dropped;
}

uint64_t AttemptTable::NextStatusSequence() { return ++last_status_sequence_; }

std::vector<std::string> AttemptTable::RunningAttempts() const {
  std::vector<std::string> ids;
  ids.reserve(running_.size());
  for (const auto& [id, r] : running_) ids.push_back(id);
  std::sort(ids.begin(), ids.end());
  return ids;
}

Result<std::vector<std::string>> AttemptTable::AttemptsToKill(
    const protocol::NodeStatusAck& ack) const {
  if (ack.sequence == 0 || ack.sequence > last_status_sequence_) {
    return Status::InvalidArgument("NodeStatusAck for sequence " + std::to_string(ack.sequence) +
                                   ", but the last NodeStatus sent was " +
                                   std::to_string(last_status_sequence_));
  }
  std::unordered_set<std::string> current(ack.currentAttempts.begin(), ack.currentAttempts.end());
  std::vector<std::string> kill;
  for (const auto& [id, r] : running_) {
    if (r.first_status_sequence > ack.sequence) continue;  // launched after that status
    if (r.stopping() || current.contains(id)) continue;
    kill.push_back(id);
  }
  std::sort(kill.begin(), kill.end());
  return kill;
}

bool AttemptTable::OnReportAck(const protocol::AttemptReportAck& ack) {
  if (ack.reportType == static_cast<uint16_t>(protocol::MessageType::kAttemptStarted)) {
    return std::erase(pending_started_, ack.attemptId) > 0;
  }
  if (ack.reportType == static_cast<uint16_t>(protocol::MessageType::kAttemptEnded)) {
    auto it = pending_ended_index_.find(ack.attemptId);
    if (it == pending_ended_index_.end()) return false;
    pending_ended_.erase(it->second);
    pending_ended_index_.erase(it);
    return true;
  }
  return false;
}

std::vector<std::string> AttemptTable::PendingStarted() const { return pending_started_; }

std::vector<const protocol::AttemptEnded*> AttemptTable::PendingEnded() const {
  std::vector<const protocol::AttemptEnded*> out;
  out.reserve(pending_ended_.size());
  for (const auto& [order, report] : pending_ended_) out.push_back(&report);
  return out;
}

void AttemptTable::PruneRecent(int64_t now_ms) {
  while (!recent_order_.empty() &&
         (recent_order_.size() > options_.max_recent_ended ||
          now_ms - recent_order_.front().first >= options_.recent_ended_ttl_ms)) {
    const auto& [at, id] = recent_order_.front();
    // The id may have ended again since (relaunched after it expired); only
    // the newest entry counts.
    auto it = recent_ended_.find(id);
    if (it != recent_ended_.end() && it->second == at) recent_ended_.erase(it);
    recent_order_.pop_front();
  }
}

}  // namespace gantry::node
