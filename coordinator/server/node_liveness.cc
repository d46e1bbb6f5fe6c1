#include "coordinator/server/node_liveness.h"

#include <algorithm>

namespace gantry::coordinator {

bool NodeLiveness::Heard(const std::string& node, int64_t now_ms, std::string unschedulable_reason,
                         std::string cleanup_pending) {
  Entry& e = nodes_[node];
  e.cleanup_pending = std::move(cleanup_pending);
  const bool was_schedulable = e.ready && e.unschedulable_reason.empty();
  e.last_heard = now_ms;
  e.ready = true;
  e.unschedulable_reason = std::move(unschedulable_reason);
  return !was_schedulable && e.unschedulable_reason.empty();
}

std::vector<std::string> NodeLiveness::Expire(int64_t now_ms) {
  std::vector<std::string> expired;
  for (auto& [id, e] : nodes_) {
    if (e.ready && now_ms - e.last_heard > ttl_ms_) {
      e.ready = false;
      expired.push_back(id);
    }
  }
  return expired;
}

void NodeLiveness::RestartTtls(int64_t now_ms) {
  for (auto& [id, e] : nodes_) e.last_heard = std::max(e.last_heard, now_ms);
}

void NodeLiveness::Watch(const std::string& node, int64_t now_ms) {
  nodes_.try_emplace(node, Entry{.last_heard = now_ms});
}

bool NodeLiveness::IsSilentPastTtl(const std::string& node, int64_t now_ms) const {
  auto it = nodes_.find(node);
  return it != nodes_.end() && now_ms - it->second.last_heard > ttl_ms_;
}

bool NodeLiveness::IsReady(const std::string& node) const {
  auto it = nodes_.find(node);
  return it != nodes_.end() && it->second.ready;
}

bool NodeLiveness::IsSchedulable(const std::string& node) const {
  auto it = nodes_.find(node);
  return it != nodes_.end() && it->second.ready && it->second.unschedulable_reason.empty();
}

const std::string& NodeLiveness::UnschedulableReason(const std::string& node) const {
  static const std::string kNone;
  auto it = nodes_.find(node);
  return it == nodes_.end() ? kNone : it->second.unschedulable_reason;
}

const std::string& NodeLiveness::CleanupPending(const std::string& node) const {
  static const std::string kNone;
  auto it = nodes_.find(node);
  return it == nodes_.end() ? kNone : it->second.cleanup_pending;
}

int64_t NodeLiveness::SilentFor(const std::string& node, int64_t now_ms) const {
  auto it = nodes_.find(node);
  if (it == nodes_.end()) return -1;
  return now_ms - it->second.last_heard;
}

}  // namespace gantry::coordinator
